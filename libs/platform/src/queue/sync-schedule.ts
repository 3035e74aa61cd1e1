import { CronExpressionParser } from 'cron-parser';
import { badUserInput } from '../graphql/errors.js';
import type { Schedule } from './job-queue.js';

// A sync connection's schedule as a service stores it (jsonb, ISO dates, UTC) and as handed to
// `JobQueue.schedule`, which turns it into a BullMQ job scheduler. Bad input is refused here, when it is
// saved, rather than becoming a scheduler that never fires. Every service with scheduled syncs uses this.

export type ScheduleKind = 'manual' | 'hourly' | 'daily' | 'weekly' | 'cron';

/** What a user asks for (the GraphQL `SyncScheduleInput`). */
export interface ScheduleInput {
  kind: ScheduleKind;
  cron?: string | null;
  startDate?: Date | null;
  endDate?: Date | null;
}

/** What a user reads back (the GraphQL `SyncSchedule`). */
export interface ScheduleView {
  kind: ScheduleKind;
  cron: string | null;
  startDate: Date | null;
  endDate: Date | null;
}

export interface StoredSchedule {
  kind: ScheduleKind;
  cron?: string;
  startDate?: string;
  endDate?: string;
}

export const MANUAL_SCHEDULE: StoredSchedule = { kind: 'manual' };

const CRON_FIELDS = 'minute hour day-of-month month day-of-week';

function scheduleError(field: string, message: string) {
  return badUserInput(`schedule.${field} ${message}`, { argument: `schedule.${field}` });
}

/**
 * Checks a 5-field cron pattern with the parser BullMQ itself uses, so what is accepted here is what the
 * scheduler can run. Returns the pattern with its whitespace normalised.
 */
export function checkCronPattern(text: string | null | undefined): string {
  const fields = (text ?? '').trim().split(/\s+/).filter(Boolean);
  if (fields.length === 0) throw scheduleError('cron', 'is required for kind CRON');
  // Six fields (seconds) or `@daily` would parse too, but would not mean what a crontab user expects.
  if (fields.length !== 5) {
    throw scheduleError('cron', `must have 5 fields (${CRON_FIELDS}), got ${fields.length}`);
  }
  const pattern = fields.join(' ');
  try {
    // A pattern that can never match (February 30) fails on next(), which BullMQ would swallow.
    CronExpressionParser.parse(pattern, { tz: 'UTC', strict: false }).next();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw scheduleError('cron', `"${pattern}" is not a valid cron pattern: ${reason}`);
  }
  return pattern;
}

/** Validates a schedule input (absent means MANUAL) and returns what is stored. */
export function scheduleFromInput(
  input: ScheduleInput | null | undefined,
  now: Date = new Date(),
): StoredSchedule {
  if (!input) return MANUAL_SCHEDULE;
  const kind = input.kind;
  const cronGiven = Boolean(input.cron?.trim());
  if (kind === 'manual') {
    if (cronGiven || input.startDate || input.endDate) {
      throw scheduleError(
        cronGiven ? 'cron' : input.startDate ? 'startDate' : 'endDate',
        'does not apply to kind MANUAL',
      );
    }
    return MANUAL_SCHEDULE;
  }
  const stored: StoredSchedule = { kind };
  if (kind === 'cron') {
    stored.cron = checkCronPattern(input.cron);
  } else if (cronGiven) {
    throw scheduleError('cron', `applies only to kind CRON, not ${kind.toUpperCase()}`);
  }
  if (input.startDate && input.endDate && input.endDate.getTime() <= input.startDate.getTime()) {
    throw scheduleError('endDate', 'must be after schedule.startDate');
  }
  if (input.endDate && input.endDate.getTime() <= now.getTime()) {
    throw scheduleError('endDate', 'must be in the future: the schedule would never run');
  }
  if (input.startDate) stored.startDate = input.startDate.toISOString();
  if (input.endDate) stored.endDate = input.endDate.toISOString();
  return stored;
}

/** Reads a stored schedule defensively: anything unexpected is MANUAL, which never syncs by itself. */
export function storedSchedule(value: Record<string, unknown> | null | undefined): StoredSchedule {
  const kind = value?.kind;
  if (kind !== 'hourly' && kind !== 'daily' && kind !== 'weekly' && kind !== 'cron') return MANUAL_SCHEDULE;
  if (kind === 'cron' && typeof value?.cron !== 'string') return MANUAL_SCHEDULE;
  const schedule: StoredSchedule = { kind };
  if (kind === 'cron') schedule.cron = value!.cron as string;
  if (typeof value?.startDate === 'string') schedule.startDate = value.startDate;
  if (typeof value?.endDate === 'string') schedule.endDate = value.endDate;
  return schedule;
}

/** The schedule as `JobQueue.schedule` takes it. */
export function jobSchedule(schedule: StoredSchedule): Schedule {
  const dates = {
    ...(schedule.startDate ? { startDate: new Date(schedule.startDate) } : {}),
    ...(schedule.endDate ? { endDate: new Date(schedule.endDate) } : {}),
  };
  switch (schedule.kind) {
    case 'manual':
      return { kind: 'manual' };
    case 'cron':
      return { kind: 'cron', pattern: schedule.cron!, ...dates };
    default:
      return { kind: schedule.kind, ...dates };
  }
}

export function scheduleView(schedule: StoredSchedule): ScheduleView {
  return {
    kind: schedule.kind,
    cron: schedule.cron ?? null,
    startDate: schedule.startDate ? new Date(schedule.startDate) : null,
    endDate: schedule.endDate ? new Date(schedule.endDate) : null,
  };
}
