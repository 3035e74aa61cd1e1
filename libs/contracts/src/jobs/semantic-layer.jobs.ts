import { z } from 'zod';
import { defineJob } from '../define-job.js';

export const RunMetricQuery = defineJob({
  name: 'semantic-layer.run-metric-query',
  queue: 'semantic-layer',
  schema: z.object({
    /** The metric_query_job row holding the request, the requester's role and, later, the outcome. */
    jobId: z.string().uuid(),
  }),
  // One attempt: a query the Semantic Layer refused or that timed out is reported, not run again behind
  // the requester's back; a worker that dies mid-query leaves the job to the stalled-job check.
  options: { attempts: 1 },
});

export const semanticLayerJobs = [RunMetricQuery] as const;
