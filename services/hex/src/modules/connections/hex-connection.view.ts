import type { SyncSchedule } from '@cartograph/platform/graphql';
import { scheduleView, storedSchedule } from '@cartograph/platform/queue';
import type { HexConnectionEntity } from './hex-connection.entity.js';
import type { HexConnection } from './hex-connection.model.js';

export function toHexConnectionView(entity: HexConnectionEntity): HexConnection {
  return {
    id: entity.id,
    name: entity.name,
    host: entity.host,
    workspaceSlug: entity.workspaceSlug,
    tokenHint: entity.tokenHint,
    tokenType: entity.tokenType,
    dataConnections: Object.entries(entity.dataConnections ?? {}).map(([dataConnectionId, mapping]) => ({
      dataConnectionId,
      ...mapping,
    })),
    includePatterns: entity.includePatterns,
    excludePatterns: entity.excludePatterns,
    categories: entity.categories,
    statuses: entity.statuses,
    includeComponents: entity.includeComponents,
    includeArchived: entity.includeArchived,
    includeTrashed: entity.includeTrashed,
    includeDrafts: entity.includeDrafts,
    categoriesAsTags: entity.categoriesAsTags,
    statusesAsTags: entity.statusesAsTags,
    collectionsAsTags: entity.collectionsAsTags,
    includeOwners: entity.includeOwners,
    markDeleted: entity.markDeleted,
    fullSyncIntervalHours: entity.fullSyncIntervalHours,
    schedule: scheduleView(storedSchedule(entity.schedule)) as SyncSchedule,
    lastError: entity.lastError,
    lastSyncAt: entity.lastSyncAt,
    lastFullSyncAt: entity.lastFullSyncAt,
    createdAt: entity.createdAt,
    updatedAt: entity.updatedAt,
  };
}
