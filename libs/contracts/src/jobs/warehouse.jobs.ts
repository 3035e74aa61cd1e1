import { z } from 'zod';
import { defineJob } from '../define-job.js';

export const SyncWarehouseConnection = defineJob({
  name: 'warehouse.sync-connection',
  queue: 'warehouse',
  schema: z.object({
    connectionId: z.string().uuid(),
    /** Set for on-demand syncs; scheduled ones create their sync_run row when they start. */
    syncRunId: z.string().uuid().optional(),
  }),
  // Retries are for outages; a refused credential or a missing grant fails at once. History is
  // checkpointed per batch, so a retry resumes from the last applied watermark.
  options: { attempts: 4, backoff: { type: 'exponential', delay: 10_000, jitter: 0.5 } },
});

export const warehouseJobs = [SyncWarehouseConnection] as const;
