import { z } from 'zod';
import { defineJob } from '../define-job.js';

export const IngestArtifactSet = defineJob({
  name: 'dbt-artifacts.ingest-artifact-set',
  queue: 'dbt-artifacts',
  schema: z.object({ artifactSetId: z.string().uuid() }),
  // No job id: a failed set uploaded again must queue again. A duplicate job finds the set applied and stops.
  // A worker killed mid-ingest leaves nothing applied; the retry starts the set again from its blobs.
  options: { attempts: 5, backoff: { type: 'exponential', delay: 2_000, jitter: 0.5 } },
});

export const SyncBucket = defineJob({
  name: 'dbt-artifacts.sync-bucket',
  queue: 'dbt-artifacts',
  schema: z.object({
    connectionId: z.string().uuid(),
    /** Set for on-demand syncs; scheduled ones create their sync_run row when they start. */
    syncRunId: z.string().uuid().optional(),
  }),
  options: { attempts: 3, backoff: { type: 'exponential', delay: 5_000, jitter: 0.5 } },
});

export const dbtArtifactsJobs = [IngestArtifactSet, SyncBucket] as const;
