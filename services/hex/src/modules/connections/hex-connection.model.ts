import { Field, ID, InputType, Int, ObjectType } from '@nestjs/graphql';
import { SyncSchedule, SyncScheduleInput, connectionType } from '@cartograph/platform/graphql';
import { syncRunType, type SyncRunView } from '@cartograph/platform/sync';

@ObjectType('HexError', {
  description: "What went wrong with Hex, in its users' terms; never holds the token.",
})
export class HexError {
  @Field({
    description:
      'UPSTREAM_AUTH_FAILED (token), FORBIDDEN (scope or plan), NOT_FOUND, RATE_LIMITED, UPSTREAM_UNAVAILABLE, BAD_USER_INPUT or INTERNAL.',
  })
  code: string;

  @Field()
  message: string;
}

@ObjectType('HexDataConnectionMapping', {
  description: 'Where the tables of one Hex data connection live, for dataset ids.',
})
export class HexDataConnectionMappingView {
  @Field({ description: "Hex's data connection id." })
  dataConnectionId: string;

  @Field({ description: 'snowflake, bigquery, postgres, redshift, databricks, …' })
  platform: string;

  @Field(() => String, { nullable: true, description: 'Account, host:port or project; default `default`.' })
  instance: string | null;

  @Field(() => String, { nullable: true })
  defaultDatabase: string | null;

  @Field(() => String, { nullable: true })
  defaultSchema: string | null;
}

@InputType('HexDataConnectionMappingInput')
export class HexDataConnectionMappingInput {
  @Field()
  dataConnectionId: string;

  @Field()
  platform: string;

  @Field(() => String, { nullable: true })
  instance?: string | null;

  @Field(() => String, { nullable: true })
  defaultDatabase?: string | null;

  @Field(() => String, { nullable: true })
  defaultSchema?: string | null;
}

export const HexSyncRun = syncRunType({
  name: 'HexSyncRun',
  description: 'One sync of a Hex connection.',
  errorType: HexError,
  counts:
    'full (1 for a full listing), pages, listed, upserted, unchanged, skipped, removed, users, requests, rateLimited.',
  problems: 'What could not be read, the sync went on: [{ subject, message }].',
});
export type HexSyncRun = SyncRunView<HexError>;

export const HexSyncRunConnection = connectionType(HexSyncRun, 'HexSyncRun');

@ObjectType('HexConnection', { description: 'A Hex workspace, reached with a personal or workspace token.' })
export class HexConnection {
  @Field(() => ID)
  id: string;

  @Field()
  name: string;

  @Field({ description: 'https://app.hex.tech or a single-tenant host; the API is <host>/api/v1.' })
  host: string;

  @Field({ description: 'The workspace in app URLs (https://app.hex.tech/<workspaceSlug>/app/…).' })
  workspaceSlug: string;

  @Field({ description: 'The end of the token (…9f3a); the token itself is never returned.' })
  tokenHint: string;

  @Field({
    description:
      'personal (hxtp_: sees what its user sees), workspace (hxtw_: sees the workspace) or unknown.',
  })
  tokenType: string;

  @Field(() => [HexDataConnectionMappingView])
  dataConnections: HexDataConnectionMappingView[];

  @Field(() => [String], {
    description:
      'Regular expressions; a project is synced when its title or collection path matches one (empty: all).',
  })
  includePatterns: string[];

  @Field(() => [String], {
    description: 'Regular expressions on the title and collection path that leave a project out.',
  })
  excludePatterns: string[];

  @Field(() => [String], { description: 'Only projects with one of these categories (empty: all).' })
  categories: string[];

  @Field(() => [String], { description: 'Only projects with one of these statuses (empty: all).' })
  statuses: string[];

  @Field()
  includeComponents: boolean;

  @Field()
  includeArchived: boolean;

  @Field()
  includeTrashed: boolean;

  @Field({ description: 'Projects never published.' })
  includeDrafts: boolean;

  @Field({ description: 'Categories become hex:category:<name> tags.' })
  categoriesAsTags: boolean;

  @Field({ description: 'The status becomes a hex:status:<name> tag.' })
  statusesAsTags: boolean;

  @Field({ description: 'Collections become hex:collection:<name> tags.' })
  collectionsAsTags: boolean;

  @Field({ description: 'Owners are matched to the workspace users by email.' })
  includeOwners: boolean;

  @Field({ description: 'Projects missing from a full listing are soft-deleted and announced.' })
  markDeleted: boolean;

  @Field(() => Int, {
    description: 'A sync is a full listing when the last one is older than this (0: always).',
  })
  fullSyncIntervalHours: number;

  @Field(() => SyncSchedule)
  schedule: SyncSchedule;

  @Field(() => HexError, { nullable: true })
  lastError: HexError | null;

  @Field(() => Date, { nullable: true })
  lastSyncAt: Date | null;

  @Field(() => Date, { nullable: true })
  lastFullSyncAt: Date | null;

  @Field()
  createdAt: Date;

  @Field()
  updatedAt: Date;
}

export const HexConnectionConnection = connectionType(HexConnection, 'HexConnection');

@ObjectType('HexCapability', { description: 'Whether the token can read one kind of thing.' })
export class HexCapability {
  @Field()
  ok: boolean;

  @Field(() => Int, { nullable: true, description: 'How many were listed (projects: on the first page).' })
  count: number | null;

  @Field(() => String, { nullable: true, description: 'Why not, in Hex terms.' })
  message: string | null;
}

@ObjectType('HexConnectionTest', { description: 'What the token can see, without syncing.' })
export class HexConnectionTest {
  @Field()
  ok: boolean;

  @Field(() => HexError, { nullable: true })
  error: HexError | null;

  @Field({ description: 'personal, workspace or unknown; a personal token sees only what its user sees.' })
  tokenType: string;

  @Field(() => String, { nullable: true, description: 'What the token type means for coverage.' })
  coverage: string | null;

  @Field(() => HexCapability, { nullable: true })
  projects: HexCapability | null;

  @Field(() => HexCapability, { nullable: true })
  dataConnections: HexCapability | null;

  @Field(() => HexCapability, { nullable: true })
  collections: HexCapability | null;

  @Field(() => HexCapability, { nullable: true })
  users: HexCapability | null;

  @Field(() => HexCapability, {
    nullable: true,
    description: 'queriedTables (Enterprise plans only); null when there is no project to ask about.',
  })
  queriedTables: HexCapability | null;

  @Field(() => [String], {
    description: 'Hex data connections with no mapping to a warehouse (ids and names).',
  })
  unmappedDataConnections: string[];
}

@InputType('HexConnectionOptionsInput', {
  description: 'Options; an option left out keeps its value (or default).',
})
export class HexConnectionOptionsInput {
  @Field(() => [String], { nullable: true })
  includePatterns?: string[] | null;

  @Field(() => [String], { nullable: true })
  excludePatterns?: string[] | null;

  @Field(() => [String], { nullable: true })
  categories?: string[] | null;

  @Field(() => [String], { nullable: true })
  statuses?: string[] | null;

  @Field(() => Boolean, { nullable: true, description: 'Default true.' })
  includeComponents?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: 'Default false.' })
  includeArchived?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: 'Default false.' })
  includeTrashed?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: 'Default true.' })
  includeDrafts?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: 'Default true.' })
  categoriesAsTags?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: 'Default true.' })
  statusesAsTags?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: 'Default true.' })
  collectionsAsTags?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: 'Default true.' })
  includeOwners?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: 'Default true.' })
  markDeleted?: boolean | null;

  @Field(() => Int, { nullable: true, description: 'Default 24; 0 makes every sync a full listing.' })
  fullSyncIntervalHours?: number | null;
}

@InputType('CreateHexConnectionInput')
export class CreateHexConnectionInput {
  @Field()
  name: string;

  @Field(() => String, { nullable: true, description: 'Default https://app.hex.tech.' })
  host?: string | null;

  @Field({ description: 'The workspace name in app URLs.' })
  workspaceSlug: string;

  @Field({ description: 'A workspace token (hxtw_, recommended) or a personal access token (hxtp_).' })
  token: string;

  @Field(() => [HexDataConnectionMappingInput], { nullable: true })
  dataConnections?: HexDataConnectionMappingInput[] | null;

  @Field(() => HexConnectionOptionsInput, { nullable: true })
  options?: HexConnectionOptionsInput | null;

  @Field(() => SyncScheduleInput, { nullable: true, description: 'Default MANUAL.' })
  schedule?: SyncScheduleInput | null;
}

@InputType('UpdateHexConnectionInput')
export class UpdateHexConnectionInput {
  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => String, { nullable: true })
  host?: string | null;

  @Field(() => String, { nullable: true })
  workspaceSlug?: string | null;

  @Field(() => String, { nullable: true })
  token?: string | null;

  @Field(() => [HexDataConnectionMappingInput], { nullable: true })
  dataConnections?: HexDataConnectionMappingInput[] | null;

  @Field(() => HexConnectionOptionsInput, { nullable: true })
  options?: HexConnectionOptionsInput | null;

  @Field(() => SyncScheduleInput, { nullable: true })
  schedule?: SyncScheduleInput | null;
}
