import { z } from 'zod';
import { defineEvent } from '../define-event.js';

export const SemanticLayerQueryFinished = defineEvent({
  type: 'semantic_layer.query.finished',
  description:
    'A metric query submitted to run in the background finished (succeeded, failed, cancelled or forbidden); read its rows with metricQueryJob(id).',
  schema: z.object({
    jobId: z.string(),
    connectionId: z.string(),
    status: z.string(),
    rowCount: z.number().int().nullable(),
    durationMs: z.number().int().nonnegative(),
    error: z.object({ code: z.string(), message: z.string() }).nullable(),
  }),
  subject: (data) => `semantic-layer/queries/${data.jobId}`,
});
