import { z } from 'zod';
import { defineJob } from '../define-job.js';

export const SyncHexConnection = defineJob({
  name: 'hex.sync-connection',
  queue: 'hex',
  schema: z.object({
    connectionId: z.string().uuid(),
    /** Set for on-demand syncs; scheduled ones create their sync_run row when they start. */
    syncRunId: z.string().uuid().optional(),
    /** Forces a full listing (every project, deletions detected) instead of the incremental one. */
    full: z.boolean().optional(),
  }),
  // 429s are waited out inside a sync (the shared token bucket and Retry-After); retries are for outages.
  options: { attempts: 4, backoff: { type: 'exponential', delay: 10_000, jitter: 0.5 } },
});

export const hexJobs = [SyncHexConnection] as const;
