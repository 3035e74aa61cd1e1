import { z } from 'zod';
import { defineEvent } from '../define-event.js';

const syncRef = {
  service: z.string(),
  connectionId: z.string(),
  syncRunId: z.string(),
};
const subject = (data: { service: string; connectionId: string }) => `${data.service}/${data.connectionId}`;

export const SyncStarted = defineEvent({
  type: 'sync.started',
  description: 'A sync of one connection started.',
  schema: z.object({ ...syncRef, startedAt: z.string().datetime({ offset: true }) }),
  subject,
});

export const SyncCompleted = defineEvent({
  type: 'sync.completed',
  description: 'A sync finished; counts say what changed.',
  schema: z.object({
    ...syncRef,
    finishedAt: z.string().datetime({ offset: true }),
    durationMs: z.number().int().nonnegative(),
    counts: z.record(z.string(), z.number().int()),
  }),
  subject,
});

export const SyncFailed = defineEvent({
  type: 'sync.failed',
  description: 'A sync failed; nothing it read was applied.',
  schema: z.object({
    ...syncRef,
    finishedAt: z.string().datetime({ offset: true }),
    durationMs: z.number().int().nonnegative(),
    error: z.object({ code: z.string(), message: z.string() }),
  }),
  subject,
});
