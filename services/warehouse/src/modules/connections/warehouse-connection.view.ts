import type { SyncSchedule } from '@cartograph/platform/graphql';
import { scheduleView, storedSchedule } from '@cartograph/platform/queue';
import type { WarehouseConnectionEntity } from './warehouse-connection.entity.js';
import type { WarehouseConnection, WarehouseSyncRun } from './warehouse-connection.model.js';
import { toSyncRunView, type SyncRunEntity } from '@cartograph/platform/sync';

export function toWarehouseConnectionView(entity: WarehouseConnectionEntity): WarehouseConnection {
  return {
    id: entity.id,
    name: entity.name,
    platform: entity.platform,
    instance: entity.instance,
    settings: entity.settings,
    credentialHints: entity.credentialHints,
    includeDatabases: entity.includeDatabases,
    excludeDatabases: entity.excludeDatabases,
    includeSchemas: entity.includeSchemas,
    excludeSchemas: entity.excludeSchemas,
    crawlEnabled: entity.crawlEnabled,
    historyEnabled: entity.historyEnabled,
    historyLookbackHours: entity.historyLookbackHours,
    historyOverlapMinutes: entity.historyOverlapMinutes,
    historyWatermark: entity.historyWatermark,
    schedule: scheduleView(storedSchedule(entity.schedule)) as SyncSchedule,
    lastError: entity.lastError,
    lastSyncAt: entity.lastSyncAt,
    createdAt: entity.createdAt,
    updatedAt: entity.updatedAt,
  };
}

export function toWarehouseSyncRunView(entity: SyncRunEntity): WarehouseSyncRun {
  return {
    ...toSyncRunView(entity),
    watermark: entity.cursor['watermark'] ? new Date(entity.cursor['watermark']) : null,
  };
}
