import type { MigrationInterface } from 'typeorm';
import { InitialCatalog1763856000000 } from './1763856000000-initial-catalog.js';

/** In order; never edit a migration once it is on main, add a new one. */
export const catalogMigrations: (new () => MigrationInterface)[] = [InitialCatalog1763856000000];
