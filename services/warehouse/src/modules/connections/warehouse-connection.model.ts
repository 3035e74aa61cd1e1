import { Field, ID, InputType, Int, ObjectType } from '@nestjs/graphql';
import { JSONScalar, SyncSchedule, SyncScheduleInput, connectionType } from '@cartograph/platform/graphql';
import { syncRunType } from '@cartograph/platform/sync';

@ObjectType('WarehouseError', {
  description: "What went wrong with the warehouse, in its users' terms; never holds a credential.",
})
export class WarehouseErrorView {
  @Field({
    description:
      'UPSTREAM_AUTH_FAILED (credentials), FORBIDDEN (a missing grant), RATE_LIMITED, UPSTREAM_UNAVAILABLE, BAD_USER_INPUT or INTERNAL.',
  })
  code: string;

  @Field()
  message: string;
}

@ObjectType('WarehouseSyncRun', { description: 'One sync of a warehouse connection.' })
export class WarehouseSyncRun extends syncRunType({
  name: 'WarehouseSyncRun',
  description: 'One sync of a warehouse connection.',
  errorType: WarehouseErrorView,
  counts:
    'tables, columns, datasetsUpserted, datasetsRemoved, historyRows, duplicateRows, queries, newQueries, parsed, parseErrors (and parseErrors.<reason>), engineLineage, edgesAdded, edgesRemoved, columnEdges.',
  problems:
    'Statements or tables that could not be read, with the reason: [{ subject, message }], at most 100.',
  abstract: true,
}) {
  @Field(() => Date, { nullable: true, description: 'History read up to here.' })
  watermark: Date | null;
}

export const WarehouseSyncRunConnection = connectionType(WarehouseSyncRun, 'WarehouseSyncRun');

@ObjectType('WarehouseConnection', {
  description: 'A warehouse reached with one set of credentials: its tables, query history and lineage.',
})
export class WarehouseConnection {
  @Field(() => ID)
  id: string;

  @Field()
  name: string;

  @Field({
    description: 'snowflake, bigquery, databricks, redshift, postgres, mysql, mariadb, clickhouse or athena.',
  })
  platform: string;

  @Field({ description: 'The instance in dataset ids: account, host:port or project.' })
  instance: string;

  @Field(() => JSONScalar, { description: 'Non-secret settings, as validated for the platform.' })
  settings: unknown;

  @Field(() => JSONScalar, {
    description: 'Per credential field, the end of its value (…9f3a); credentials are never returned.',
  })
  credentialHints: unknown;

  @Field(() => [String], { description: 'Regular expressions over database names; empty means all.' })
  includeDatabases: string[];

  @Field(() => [String])
  excludeDatabases: string[];

  @Field(() => [String], { description: 'Regular expressions over `database.schema`; empty means all.' })
  includeSchemas: string[];

  @Field(() => [String])
  excludeSchemas: string[];

  @Field()
  crawlEnabled: boolean;

  @Field()
  historyEnabled: boolean;

  @Field(() => Int, { description: 'How far back the first history read goes, in hours.' })
  historyLookbackHours: number;

  @Field(() => Int, { description: 'Each read starts this many minutes before the watermark (late rows).' })
  historyOverlapMinutes: number;

  @Field(() => Date, { nullable: true, description: 'History has been read up to here.' })
  historyWatermark: Date | null;

  @Field(() => SyncSchedule)
  schedule: SyncSchedule;

  @Field(() => WarehouseErrorView, { nullable: true })
  lastError: WarehouseErrorView | null;

  @Field(() => Date, { nullable: true })
  lastSyncAt: Date | null;

  @Field()
  createdAt: Date;

  @Field()
  updatedAt: Date;
}

export const WarehouseConnectionConnection = connectionType(WarehouseConnection, 'WarehouseConnection');

@ObjectType('WarehouseCheck', { description: 'One thing testWarehouseConnection checked.' })
export class WarehouseCheck {
  @Field({ description: 'reach, schema-read, history-read, …' })
  name: string;

  @Field()
  ok: boolean;

  @Field(() => String, { nullable: true })
  message: string | null;

  @Field(() => String, { nullable: true, description: 'The grant or setting that fixes it.' })
  fix: string | null;
}

@ObjectType('WarehouseConnectionTest')
export class WarehouseConnectionTest {
  @Field()
  ok: boolean;

  @Field(() => [WarehouseCheck])
  checks: WarehouseCheck[];

  @Field(() => WarehouseErrorView, {
    nullable: true,
    description: 'Set when the warehouse could not be asked at all.',
  })
  error: WarehouseErrorView | null;
}

@InputType('CreateWarehouseConnectionInput')
export class CreateWarehouseConnectionInput {
  @Field()
  name: string;

  @Field()
  platform: string;

  @Field(() => String, { nullable: true, description: 'Overrides the instance derived from the settings.' })
  instance?: string | null;

  @Field(() => JSONScalar, { description: "The platform's settings; see the warehouse README." })
  settings: unknown;

  @Field(() => JSONScalar, { description: "The platform's credentials; stored encrypted, never returned." })
  credentials: unknown;

  @Field(() => [String], { nullable: true })
  includeDatabases?: string[] | null;

  @Field(() => [String], { nullable: true })
  excludeDatabases?: string[] | null;

  @Field(() => [String], { nullable: true })
  includeSchemas?: string[] | null;

  @Field(() => [String], { nullable: true })
  excludeSchemas?: string[] | null;

  @Field(() => Boolean, { nullable: true, description: 'Default true.' })
  crawlEnabled?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: 'Default true.' })
  historyEnabled?: boolean | null;

  @Field(() => Int, { nullable: true, description: 'Default 168 (7 days); at most 8,760.' })
  historyLookbackHours?: number | null;

  @Field(() => Int, { nullable: true, description: 'Default 60; at most 1,440.' })
  historyOverlapMinutes?: number | null;

  @Field(() => SyncScheduleInput, { nullable: true, description: 'Default MANUAL.' })
  schedule?: SyncScheduleInput | null;
}

@InputType('UpdateWarehouseConnectionInput')
export class UpdateWarehouseConnectionInput {
  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => String, { nullable: true })
  instance?: string | null;

  @Field(() => JSONScalar, { nullable: true, description: 'Replaces the settings.' })
  settings?: unknown;

  @Field(() => JSONScalar, { nullable: true, description: 'Replaces the credentials.' })
  credentials?: unknown;

  @Field(() => [String], { nullable: true })
  includeDatabases?: string[] | null;

  @Field(() => [String], { nullable: true })
  excludeDatabases?: string[] | null;

  @Field(() => [String], { nullable: true })
  includeSchemas?: string[] | null;

  @Field(() => [String], { nullable: true })
  excludeSchemas?: string[] | null;

  @Field(() => Boolean, { nullable: true })
  crawlEnabled?: boolean | null;

  @Field(() => Boolean, { nullable: true })
  historyEnabled?: boolean | null;

  @Field(() => Int, { nullable: true })
  historyLookbackHours?: number | null;

  @Field(() => Int, { nullable: true })
  historyOverlapMinutes?: number | null;

  @Field(() => SyncScheduleInput, { nullable: true })
  schedule?: SyncScheduleInput | null;
}
