import { Directive, Field, Float, ID, InputType, Int, ObjectType } from '@nestjs/graphql';
import { SyncSchedule, SyncScheduleInput, connectionType } from '@cartograph/platform/graphql';
import { syncRunType, type SyncRunView } from '@cartograph/platform/sync';

@ObjectType('DbtCloudError', {
  description: "What went wrong with dbt Cloud, in its users' terms; never holds the token.",
})
export class DbtCloudError {
  @Field({
    description:
      'UPSTREAM_AUTH_FAILED (token or host), FORBIDDEN (permissions), NOT_FOUND, RATE_LIMITED, UPSTREAM_UNAVAILABLE, BAD_USER_INPUT or INTERNAL.',
  })
  code: string;

  @Field()
  message: string;
}

@ObjectType('DbtCloudRun', { description: 'One run of a dbt Cloud job.' })
export class DbtCloudRun {
  @Field(() => ID)
  id: string;

  @Field()
  jobId: string;

  @Field()
  projectId: string;

  @Field()
  environmentId: string;

  @Field({ description: 'queued, starting, running, success, error or cancelled.' })
  status: string;

  @Field(() => String, { nullable: true })
  statusMessage: string | null;

  @Field(() => Date, { nullable: true })
  startedAt: Date | null;

  @Field(() => Date, { nullable: true })
  finishedAt: Date | null;

  @Field(() => Float, { nullable: true })
  durationSeconds: number | null;

  @Field(() => String, { nullable: true, description: 'The run page in dbt Cloud.' })
  url: string | null;

  @Field(() => String, { nullable: true })
  gitSha: string | null;

  @Field(() => String, { nullable: true })
  gitBranch: string | null;

  @Field(() => String, { nullable: true, description: 'scheduled, api, ci, ui, …' })
  triggerCause: string | null;

  @Field()
  hasDocsGenerated: boolean;

  @Field(() => [String], {
    description: 'Artifact sets this run gave the artifact store (one per dbt step).',
  })
  artifactSetIds: string[];
}

export const DbtCloudRunConnection = connectionType(DbtCloudRun, 'DbtCloudRun');

@ObjectType('DbtCloudJob')
export class DbtCloudJob {
  @Field(() => ID)
  id: string;

  @Field()
  name: string;

  @Field()
  projectId: string;

  @Field()
  environmentId: string;

  @Field({ description: '"Generate docs on run": the job writes catalog.json.' })
  generateDocs: boolean;

  @Field({ description: '"Run source freshness" before the steps.' })
  runGenerateSources: boolean;

  @Field(() => [String])
  executeSteps: string[];

  @Field(() => String, { nullable: true })
  cron: string | null;

  connectionId: string;
}

export const DbtCloudJobConnection = connectionType(DbtCloudJob, 'DbtCloudJob');

@ObjectType('DbtCloudProject')
export class DbtCloudProject {
  @Field(() => ID)
  id: string;

  @Field()
  name: string;

  @Field(() => String, { nullable: true })
  adapterType: string | null;
}

export const DbtCloudSyncRun = syncRunType({
  name: 'DbtCloudSyncRun',
  description: 'One sync of a dbt Cloud connection.',
  errorType: DbtCloudError,
  counts: 'projects, jobs, runs, newRuns, artifactSets, downloads, requests, models.',
  problems: 'Runs or artifacts that could not be ingested: [{ subject, message }].',
});
export type DbtCloudSyncRun = SyncRunView<DbtCloudError>;

export const DbtCloudSyncRunConnection = connectionType(DbtCloudSyncRun, 'DbtCloudSyncRun');

@ObjectType('DbtCloudConnection', { description: 'A dbt Cloud account, reached with a service token.' })
export class DbtCloudConnection {
  @Field(() => ID)
  id: string;

  @Field()
  name: string;

  @Field()
  accountId: string;

  @Field({ description: "The account's access URL, e.g. https://ab123.us1.dbt.com." })
  accessUrl: string;

  @Field(() => String, { nullable: true })
  discoveryUrl: string | null;

  @Field({ description: 'The end of the token (…9f3a); the token itself is never returned.' })
  tokenHint: string;

  @Field(() => [String])
  projectIds: string[];

  @Field(() => [String])
  environmentIds: string[];

  @Field(() => [String])
  jobIds: string[];

  @Field(() => String, { nullable: true, description: 'The warehouse instance in dataset ids.' })
  instance: string | null;

  @Field(() => SyncSchedule)
  schedule: SyncSchedule;

  @Field(() => DbtCloudError, { nullable: true })
  lastError: DbtCloudError | null;

  @Field(() => Date, { nullable: true })
  lastSyncAt: Date | null;

  @Field()
  createdAt: Date;

  @Field()
  updatedAt: Date;
}

export const DbtCloudConnectionConnection = connectionType(DbtCloudConnection, 'DbtCloudConnection');

@ObjectType('DbtCloudConnectionTest')
export class DbtCloudConnectionTest {
  @Field()
  ok: boolean;

  @Field(() => DbtCloudError, { nullable: true })
  error: DbtCloudError | null;

  @Field(() => String, { nullable: true })
  accountName: string | null;

  @Field(() => Int, { nullable: true })
  projectCount: number | null;

  @Field(() => Boolean, { nullable: true, description: 'Whether the Discovery API answered the token.' })
  discoveryReachable: boolean | null;
}

@InputType('CreateDbtCloudConnectionInput')
export class CreateDbtCloudConnectionInput {
  @Field()
  name: string;

  @Field()
  accountId: string;

  @Field({ description: 'The access URL shown in Account settings, e.g. https://ab123.us1.dbt.com.' })
  accessUrl: string;

  @Field(() => String, { nullable: true })
  discoveryUrl?: string | null;

  @Field({ description: 'A service token with Job Viewer (Admin API) and Metadata Only (Discovery).' })
  token: string;

  @Field(() => [String], { nullable: true })
  projectIds?: string[] | null;

  @Field(() => [String], { nullable: true })
  environmentIds?: string[] | null;

  @Field(() => [String], { nullable: true })
  jobIds?: string[] | null;

  @Field(() => String, { nullable: true })
  instance?: string | null;

  @Field(() => SyncScheduleInput, { nullable: true, description: 'Default MANUAL.' })
  schedule?: SyncScheduleInput | null;
}

@InputType('UpdateDbtCloudConnectionInput')
export class UpdateDbtCloudConnectionInput {
  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => String, { nullable: true })
  accessUrl?: string | null;

  @Field(() => String, { nullable: true })
  discoveryUrl?: string | null;

  @Field(() => String, { nullable: true })
  token?: string | null;

  @Field(() => [String], { nullable: true })
  projectIds?: string[] | null;

  @Field(() => [String], { nullable: true })
  environmentIds?: string[] | null;

  @Field(() => [String], { nullable: true })
  jobIds?: string[] | null;

  @Field(() => String, { nullable: true })
  instance?: string | null;

  @Field(() => SyncScheduleInput, { nullable: true })
  schedule?: SyncScheduleInput | null;
}

@ObjectType('DbtCloudDataset', { description: 'What dbt Cloud says of the model that builds a table.' })
export class DbtCloudDataset {
  @Field(() => DbtCloudProject, { nullable: true })
  project: DbtCloudProject | null;

  @Field(() => String, { nullable: true })
  environmentId: string | null;

  @Field(() => String, { nullable: true })
  environmentName: string | null;

  @Field(() => DbtCloudJob, { nullable: true, description: 'The job that last built it.' })
  job: DbtCloudJob | null;

  @Field(() => DbtCloudRun, { nullable: true })
  lastRun: DbtCloudRun | null;

  @Field(() => String, {
    nullable: true,
    description: "The model's last run status in the environment (Discovery API): success, error, skipped.",
  })
  health: string | null;

  @Field(() => String, { nullable: true, description: "The model's page in dbt Cloud Catalog (Explorer)." })
  docsUrl: string | null;

  uniqueId: string;
  connectionId: string;
}

@ObjectType('Dataset')
@Directive('@key(fields: "id")')
export class DatasetReference {
  @Field(() => ID)
  id: string;
}
