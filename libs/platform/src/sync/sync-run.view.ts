import type { SyncRunEntity } from './sync-run.entity.js';
import type { SyncRunView } from './sync-run.model.js';

export function toSyncRunView(entity: SyncRunEntity): SyncRunView {
  return {
    id: entity.id,
    connectionId: entity.connectionId,
    state: entity.state,
    trigger: entity.trigger,
    counts: entity.counts,
    error: entity.error,
    problems: entity.problems,
    queuedAt: entity.queuedAt,
    startedAt: entity.startedAt,
    finishedAt: entity.finishedAt,
  };
}
