import { z } from 'zod';
import { defineJob } from '../define-job.js';

export const SyncDbtCloudConnection = defineJob({
  name: 'dbt-cloud.sync-connection',
  queue: 'dbt-cloud',
  schema: z.object({
    connectionId: z.string().uuid(),
    /** Set for on-demand syncs; scheduled ones create their sync_run row when they start. */
    syncRunId: z.string().uuid().optional(),
  }),
  // 429s are waited out inside a sync (the cooldown); retries are for outages.
  options: { attempts: 4, backoff: { type: 'exponential', delay: 10_000, jitter: 0.5 } },
});

export const dbtCloudJobs = [SyncDbtCloudConnection] as const;
