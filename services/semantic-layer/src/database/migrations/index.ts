import type { MigrationInterface } from 'typeorm';
import { InitialSemanticLayer1764400000000 } from './1764400000000-initial-semantic-layer.js';
import { SemanticManifestsAndQueryJobs1764500000000 } from './1764500000000-semantic-manifests-and-query-jobs.js';

/** In order; never edit a migration once it is on main, add a new one. */
export const semanticLayerMigrations: (new () => MigrationInterface)[] = [
  InitialSemanticLayer1764400000000,
  SemanticManifestsAndQueryJobs1764500000000,
];
