import type { BucketConnectionEntity } from './bucket-connection.entity.js';
import type {
  BucketProviderValue,
  DbtBucketConnection,
  DbtBucketSyncRun,
} from './bucket-connection.model.js';
import type { SyncSchedule } from '@cartograph/platform/graphql';
import { scheduleView, storedSchedule } from '@cartograph/platform/queue';
import type { SyncRunEntity } from './sync-run.entity.js';

/**
 * What the API shows of a connection: an allow-list, so a column added to the entity (like the credentials
 * ciphertext) is never returned by accident.
 */
export function toBucketConnectionView(entity: BucketConnectionEntity): DbtBucketConnection {
  return {
    id: entity.id,
    name: entity.name,
    provider: entity.provider as BucketProviderValue,
    bucket: entity.bucket,
    prefix: entity.prefix,
    region: entity.region,
    endpoint: entity.endpoint,
    forcePathStyle: entity.forcePathStyle,
    credentialsHint: entity.credentialsHint,
    project: entity.project,
    instance: entity.instance,
    schedule: scheduleView(storedSchedule(entity.schedule)) as SyncSchedule,
    createdAt: entity.createdAt,
    updatedAt: entity.updatedAt,
  };
}

export function toSyncRunView(entity: SyncRunEntity): DbtBucketSyncRun {
  return {
    id: entity.id,
    connectionId: entity.connectionId,
    state: entity.state,
    trigger: entity.trigger,
    counts: entity.counts,
    error: entity.error,
    problems: entity.problems,
    artifactSetIds: entity.artifactSetIds,
    queuedAt: entity.queuedAt,
    startedAt: entity.startedAt,
    finishedAt: entity.finishedAt,
  };
}
