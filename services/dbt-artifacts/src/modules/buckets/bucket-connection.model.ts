import { Field, ID, InputType, ObjectType, registerEnumType } from '@nestjs/graphql';
import { JSONScalar, SyncSchedule, SyncScheduleInput, connectionType } from '@cartograph/platform/graphql';

export enum BucketProviderValue {
  S3 = 's3',
  GCS = 'gcs',
  AZURE = 'azure',
}
registerEnumType(BucketProviderValue, {
  name: 'DbtBucketProvider',
  description:
    'S3 (or an S3-compatible server such as MinIO), GCS through its S3-compatible XML API with HMAC keys, or Azure Blob Storage.',
});

@ObjectType('DbtBucketError', { description: 'What went wrong reaching a bucket; never holds a credential.' })
export class DbtBucketError {
  @Field({
    description:
      'UPSTREAM_AUTH_FAILED, NOT_FOUND, UPSTREAM_UNAVAILABLE, BAD_USER_INPUT (the connection cannot work as configured) or INTERNAL.',
  })
  code: string;

  @Field()
  message: string;
}

@ObjectType('DbtBucketSyncProblem', {
  description: 'A key or folder a sync could not ingest; the sync went on without it.',
})
export class DbtBucketSyncProblem {
  @Field({ description: 'The object key, or the folder, concerned.' })
  key: string;

  @Field()
  message: string;
}

@ObjectType('DbtBucketSyncRun', { description: 'One sync of a bucket connection.' })
export class DbtBucketSyncRun {
  @Field(() => ID)
  id: string;

  @Field(() => ID)
  connectionId: string;

  @Field({ description: 'queued, running, succeeded or failed.' })
  state: string;

  @Field({ description: 'manual (syncDbtBucketConnection) or schedule.' })
  trigger: string;

  @Field(() => JSONScalar, {
    description:
      'objects listed, folders (with a manifest), new (ingested), unchanged (same keys and ETags as last time: nothing downloaded), failed (folders with a problem), unsafeKeys, downloads, downloadedBytes, artifactSets.',
  })
  counts: unknown;

  @Field(() => DbtBucketError, {
    nullable: true,
    description: 'Why the run failed, or why it is waiting for a retry (state queued).',
  })
  error: DbtBucketError | null;

  @Field(() => [DbtBucketSyncProblem])
  problems: DbtBucketSyncProblem[];

  @Field(() => [ID], { description: 'The artifact sets the ingested folders became (see dbtArtifactSet).' })
  artifactSetIds: string[];

  @Field()
  queuedAt: Date;

  @Field(() => Date, { nullable: true })
  startedAt: Date | null;

  @Field(() => Date, { nullable: true })
  finishedAt: Date | null;
}

export const DbtBucketSyncRunConnection = connectionType(DbtBucketSyncRun, 'DbtBucketSyncRun');

@ObjectType('DbtBucketConnection', {
  description:
    'A bucket (S3, GCS, Azure Blob) that dbt jobs write target/ folders into: every folder with a manifest*.json(.gz) is one artifact set. Credentials are never returned, only a hint.',
})
export class DbtBucketConnection {
  @Field(() => ID)
  id: string;

  @Field()
  name: string;

  @Field(() => BucketProviderValue)
  provider: BucketProviderValue;

  @Field({ description: 'Bucket, or Azure container.' })
  bucket: string;

  @Field({ description: "Key prefix read, '' for the whole bucket; ends in '/'." })
  prefix: string;

  @Field(() => String, { nullable: true, description: 'S3 region; auto for GCS; null for Azure.' })
  region: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      'Custom endpoint (S3-compatible server, GCS XML API, Azure account URL); null for the default.',
  })
  endpoint: string | null;

  @Field()
  forcePathStyle: boolean;

  @Field({ description: 'Last characters of the secret (…9f3a), or … when it is too short to hint.' })
  credentialsHint: string;

  @Field(() => String, {
    nullable: true,
    description: 'dbt project name the artifact sets are ingested as, when set.',
  })
  project: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Warehouse instance for dataset ids, when set (DESIGN §3).',
  })
  instance: string | null;

  @Field(() => SyncSchedule)
  schedule: SyncSchedule;

  @Field()
  createdAt: Date;

  @Field()
  updatedAt: Date;
}

export const DbtBucketConnectionConnection = connectionType(DbtBucketConnection, 'DbtBucketConnection');

@ObjectType('DbtBucketConnectionTest')
export class DbtBucketConnectionTest {
  @Field({ description: 'The bucket was reached and listed under the prefix with these credentials.' })
  ok: boolean;

  @Field(() => DbtBucketError, { nullable: true })
  error: DbtBucketError | null;
}

@InputType('DbtBucketCredentialsInput', {
  description:
    'S3 and GCS: accessKeyId and secretAccessKey (a GCS HMAC key), optional sessionToken. Azure: accountName with accountKey or sasToken, or a connectionString. Stored encrypted, never returned.',
})
export class DbtBucketCredentialsInput {
  @Field(() => String, { nullable: true })
  accessKeyId?: string | null;

  @Field(() => String, { nullable: true })
  secretAccessKey?: string | null;

  @Field(() => String, { nullable: true })
  sessionToken?: string | null;

  @Field(() => String, { nullable: true })
  accountName?: string | null;

  @Field(() => String, { nullable: true })
  accountKey?: string | null;

  @Field(() => String, { nullable: true })
  sasToken?: string | null;

  @Field(() => String, { nullable: true })
  connectionString?: string | null;
}

@InputType('CreateDbtBucketConnectionInput')
export class CreateDbtBucketConnectionInput {
  @Field()
  name: string;

  @Field(() => BucketProviderValue)
  provider: BucketProviderValue;

  @Field()
  bucket: string;

  @Field(() => String, { nullable: true })
  prefix?: string | null;

  @Field(() => String, { nullable: true })
  region?: string | null;

  @Field(() => String, { nullable: true })
  endpoint?: string | null;

  @Field(() => Boolean, {
    nullable: true,
    description: 'Default: true for GCS and custom endpoints, false for AWS.',
  })
  forcePathStyle?: boolean | null;

  @Field(() => DbtBucketCredentialsInput)
  credentials: DbtBucketCredentialsInput;

  @Field(() => String, { nullable: true })
  project?: string | null;

  @Field(() => String, { nullable: true })
  instance?: string | null;

  @Field(() => SyncScheduleInput, { nullable: true, description: 'Default MANUAL.' })
  schedule?: SyncScheduleInput | null;
}

@InputType('UpdateDbtBucketConnectionInput', {
  description:
    'Only the fields given change; null clears an optional field. Credentials are replaced as a whole (required when the provider changes).',
})
export class UpdateDbtBucketConnectionInput {
  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => BucketProviderValue, { nullable: true })
  provider?: BucketProviderValue | null;

  @Field(() => String, { nullable: true })
  bucket?: string | null;

  @Field(() => String, { nullable: true })
  prefix?: string | null;

  @Field(() => String, { nullable: true })
  region?: string | null;

  @Field(() => String, { nullable: true })
  endpoint?: string | null;

  @Field(() => Boolean, { nullable: true })
  forcePathStyle?: boolean | null;

  @Field(() => DbtBucketCredentialsInput, { nullable: true })
  credentials?: DbtBucketCredentialsInput | null;

  @Field(() => String, { nullable: true })
  project?: string | null;

  @Field(() => String, { nullable: true })
  instance?: string | null;

  @Field(() => SyncScheduleInput, { nullable: true })
  schedule?: SyncScheduleInput | null;
}
