import type { MigrationInterface } from 'typeorm';
import { InitialDbtArtifacts1764000000000 } from './1764000000000-initial-dbt-artifacts.js';
import { Lz4Compression1764000100000 } from './1764000100000-lz4-compression.js';

/** In order; never edit a migration once it is on main, add a new one. */
export const dbtArtifactsMigrations: (new () => MigrationInterface)[] = [
  InitialDbtArtifacts1764000000000,
  Lz4Compression1764000100000,
];
