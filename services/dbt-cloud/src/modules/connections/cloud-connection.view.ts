import type { SyncSchedule } from '@cartograph/platform/graphql';
import { scheduleView, storedSchedule } from '@cartograph/platform/queue';
import type { CloudConnectionEntity } from './cloud-connection.entity.js';
import type { DbtCloudConnection } from './cloud-connection.model.js';

export function toCloudConnectionView(entity: CloudConnectionEntity): DbtCloudConnection {
  return {
    id: entity.id,
    name: entity.name,
    accountId: entity.accountId,
    accessUrl: entity.accessUrl,
    discoveryUrl: entity.discoveryUrl,
    tokenHint: entity.tokenHint,
    projectIds: entity.projectIds,
    environmentIds: entity.environmentIds,
    jobIds: entity.jobIds,
    instance: entity.instance,
    schedule: scheduleView(storedSchedule(entity.schedule)) as SyncSchedule,
    lastError: entity.lastError,
    lastSyncAt: entity.lastSyncAt,
    createdAt: entity.createdAt,
    updatedAt: entity.updatedAt,
  };
}
