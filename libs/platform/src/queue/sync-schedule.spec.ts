import { GraphQLError } from 'graphql';
import {
  checkCronPattern,
  jobSchedule,
  scheduleFromInput,
  scheduleView,
  storedSchedule,
} from './sync-schedule.js';

const now = new Date('2026-11-01T00:00:00Z');

function refusal(action: () => unknown): GraphQLError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(GraphQLError);
    expect((error as GraphQLError).extensions.code).toBe('BAD_USER_INPUT');
    return error as GraphQLError;
  }
  throw new Error('expected BAD_USER_INPUT');
}

describe('sync schedules', () => {
  it('defaults to MANUAL and stores a CRON schedule with its dates', () => {
    expect(scheduleFromInput(null, now)).toEqual({ kind: 'manual' });
    const stored = scheduleFromInput(
      {
        kind: 'cron',
        cron: ' 15  6 * *   1-5 ',
        startDate: new Date('2026-12-01T00:00:00Z'),
        endDate: new Date('2027-06-01T00:00:00Z'),
      },
      now,
    );
    expect(stored).toEqual({
      kind: 'cron',
      cron: '15 6 * * 1-5',
      startDate: '2026-12-01T00:00:00.000Z',
      endDate: '2027-06-01T00:00:00.000Z',
    });
    expect(jobSchedule(stored)).toEqual({
      kind: 'cron',
      pattern: '15 6 * * 1-5',
      startDate: new Date('2026-12-01T00:00:00Z'),
      endDate: new Date('2027-06-01T00:00:00Z'),
    });
    expect(scheduleView(storedSchedule({ ...stored }))).toEqual({
      kind: 'cron',
      cron: '15 6 * * 1-5',
      startDate: new Date('2026-12-01T00:00:00Z'),
      endDate: new Date('2027-06-01T00:00:00Z'),
    });
    expect(jobSchedule(scheduleFromInput({ kind: 'daily' }, now))).toEqual({
      kind: 'daily',
    });
  });

  it('refuses cron patterns that are not 5 valid fields, naming the field', () => {
    expect(refusal(() => checkCronPattern('')).message).toBe('schedule.cron is required for kind CRON');
    expect(refusal(() => checkCronPattern('0 0 * * * *')).message).toMatch(/must have 5 fields .* got 6/);
    expect(refusal(() => checkCronPattern('@daily')).message).toMatch(/got 1/);
    expect(refusal(() => checkCronPattern('61 * * * *')).message).toMatch(
      /^schedule\.cron "61 \* \* \* \*" is not a valid cron pattern: /,
    );
    expect(refusal(() => checkCronPattern('0 0 30 2 *')).message).toMatch(/not a valid cron pattern/);
    expect(refusal(() => checkCronPattern('every day at noon')).message).toMatch(/got 4/);
    expect(checkCronPattern('*/10 2-4 * * MON')).toBe('*/10 2-4 * * MON');
  });

  it('refuses an end before the start, an end in the past, and fields that do not apply', () => {
    const start = new Date('2027-01-02T00:00:00Z');
    expect(
      refusal(() => scheduleFromInput({ kind: 'hourly', startDate: start, endDate: start }, now)).message,
    ).toBe('schedule.endDate must be after schedule.startDate');
    expect(
      refusal(() => scheduleFromInput({ kind: 'daily', endDate: new Date('2026-10-01T00:00:00Z') }, now))
        .message,
    ).toMatch(/schedule\.endDate must be in the future/);
    expect(refusal(() => scheduleFromInput({ kind: 'daily', cron: '0 0 * * *' }, now)).message).toBe(
      'schedule.cron applies only to kind CRON, not DAILY',
    );
    expect(refusal(() => scheduleFromInput({ kind: 'manual', startDate: start }, now)).message).toBe(
      'schedule.startDate does not apply to kind MANUAL',
    );
  });

  it('reads anything unexpected in a stored schedule as MANUAL', () => {
    expect(storedSchedule({ kind: 'cron' })).toEqual({ kind: 'manual' });
    expect(storedSchedule({ kind: 'yearly' })).toEqual({ kind: 'manual' });
    expect(storedSchedule(null)).toEqual({ kind: 'manual' });
  });
});
