import { Directive, Field, InputType, ObjectType, registerEnumType } from '@nestjs/graphql';
import type { ScheduleKind } from '../queue/sync-schedule.js';

// One schedule type for every connection that syncs on its own (buckets, dbt Cloud, warehouses, Hex): the
// same words everywhere, validated by `scheduleFromInput` in platform/queue.

export enum SyncScheduleKind {
  MANUAL = 'manual',
  HOURLY = 'hourly',
  DAILY = 'daily',
  WEEKLY = 'weekly',
  CRON = 'cron',
}
registerEnumType(SyncScheduleKind, {
  name: 'SyncScheduleKind',
  description:
    'MANUAL: only on demand. HOURLY (minute 0), DAILY (00:00), WEEKLY (Monday 00:00), CRON (a 5-field pattern); all UTC.',
});

@ObjectType('SyncSchedule', { description: 'When a connection syncs by itself; UTC.' })
@Directive('@shareable')
export class SyncSchedule {
  @Field(() => SyncScheduleKind)
  kind: SyncScheduleKind | ScheduleKind;

  @Field(() => String, { nullable: true, description: 'The 5-field cron pattern, for kind CRON.' })
  cron: string | null;

  @Field(() => Date, { nullable: true, description: 'No scheduled sync before this time.' })
  startDate: Date | null;

  @Field(() => Date, { nullable: true, description: 'No scheduled sync after this time.' })
  endDate: Date | null;
}

@InputType('SyncScheduleInput')
export class SyncScheduleInput {
  @Field(() => SyncScheduleKind)
  kind: SyncScheduleKind;

  @Field(() => String, {
    nullable: true,
    description: '5 fields (minute hour day-of-month month day-of-week), UTC; only for kind CRON.',
  })
  cron?: string | null;

  @Field(() => Date, { nullable: true })
  startDate?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Must be after startDate, and in the future.' })
  endDate?: Date | null;
}
