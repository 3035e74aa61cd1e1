import { z } from 'zod';
import { defineJob } from '../define-job.js';

export const DeliverWebhook = defineJob({
  name: 'catalog.deliver-webhook',
  queue: 'catalog',
  schema: z.object({ deliveryId: z.string().uuid() }),
  jobId: (payload) => `delivery-${payload.deliveryId}`,
  options: {
    attempts: 8,
    backoff: { type: 'exponential', delay: 1_000, jitter: 0.3 },
  },
});

export const PruneEventLog = defineJob({
  name: 'catalog.prune-event-log',
  queue: 'catalog',
  schema: z.object({ olderThanDays: z.number().int().positive().default(14) }),
  options: { attempts: 3 },
});

export const catalogJobs = [DeliverWebhook, PruneEventLog] as const;
