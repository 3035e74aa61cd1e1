import type { HexProjectEntity } from './hex-project.entity.js';
import type { HexProject } from './hex-project.model.js';

export function toHexProjectView(entity: HexProjectEntity): HexProject {
  return {
    id: entity.id,
    synced: true,
    connectionId: entity.connectionId,
    title: entity.title,
    description: entity.description,
    type: entity.type,
    status: entity.status,
    categories: entity.categories,
    collections: entity.collections,
    tags: entity.tags,
    owner:
      entity.ownerEmail && entity.ownerSource
        ? { email: entity.ownerEmail, name: entity.ownerName, source: entity.ownerSource }
        : null,
    creatorEmail: entity.creatorEmail,
    hexOwnerEmail: entity.hexOwnerEmail,
    createdAt: entity.hexCreatedAt,
    lastEditedAt: entity.lastEditedAt,
    lastPublishedAt: entity.lastPublishedAt,
    published: entity.lastPublishedAt !== null,
    archivedAt: entity.archivedAt,
    trashedAt: entity.trashedAt,
    appViews: {
      allTime: entity.appViewsAllTime,
      lastSevenDays: entity.appViewsLast7Days,
      lastFourteenDays: entity.appViewsLast14Days,
      lastThirtyDays: entity.appViewsLast30Days,
    },
    lastViewedAt: entity.lastViewedAt,
    schedules: entity.schedules,
    url: entity.url,
    removedAt: entity.removedAt,
    syncedAt: entity.syncedAt,
  };
}

/** A project seen in query comments that no sync has listed (yet): its id and nothing else. */
export function unsyncedHexProject(id: string): HexProject {
  return {
    id,
    synced: false,
    connectionId: null,
    title: null,
    description: null,
    type: null,
    status: null,
    categories: [],
    collections: [],
    tags: [],
    owner: null,
    creatorEmail: null,
    hexOwnerEmail: null,
    createdAt: null,
    lastEditedAt: null,
    lastPublishedAt: null,
    published: false,
    archivedAt: null,
    trashedAt: null,
    appViews: null,
    lastViewedAt: null,
    schedules: [],
    url: null,
    removedAt: null,
    syncedAt: null,
  };
}
