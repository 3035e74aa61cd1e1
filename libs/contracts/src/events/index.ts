import type { EventContract } from '../define-event.js';
import { DatasetRemoved, DatasetUpserted } from './dataset.events.js';
import { DbtArtifactsApplied, DbtSourceFreshnessChanged, DbtTestStatusChanged } from './dbt.events.js';
import { DbtCloudRunIngested } from './dbt-cloud.events.js';
import { HexProjectRemoved, HexProjectUpserted } from './hex.events.js';
import { LineageEdgesChanged, LineageEdgesObserved } from './lineage.events.js';
import { SemanticLayerQueryFinished } from './semantic-layer.events.js';
import { SyncCompleted, SyncFailed, SyncStarted } from './sync.events.js';

export * from './dataset.events.js';
export * from './dbt.events.js';
export * from './dbt-cloud.events.js';
export * from './hex.events.js';
export * from './lineage.events.js';
export * from './semantic-layer.events.js';
export * from './sync.events.js';

/** Every event type Cartograph emits; webhook filters and subscriptions are checked against it. */
export const eventContracts: readonly EventContract[] = [
  DatasetUpserted,
  DatasetRemoved,
  SyncStarted,
  SyncCompleted,
  SyncFailed,
  DbtTestStatusChanged,
  DbtSourceFreshnessChanged,
  LineageEdgesObserved,
  LineageEdgesChanged,
  DbtCloudRunIngested,
  DbtArtifactsApplied,
  SemanticLayerQueryFinished,
  HexProjectUpserted,
  HexProjectRemoved,
];

export const eventTypes: readonly string[] = eventContracts.map((contract) => contract.type);
