import type { MigrationInterface } from 'typeorm';
import { InitialCatalog1763856000000 } from './1763856000000-initial-catalog.js';
import { StoredSearchDocument1763900000000 } from './1763900000000-stored-search-document.js';
import { ColumnSearch1764100000000 } from './1764100000000-column-search.js';
import { HexProjectSearch1764500000000 } from './1764500000000-hex-project-search.js';

/** In order; never edit a migration once it is on main, add a new one. */
export const catalogMigrations: (new () => MigrationInterface)[] = [
  InitialCatalog1763856000000,
  StoredSearchDocument1763900000000,
  ColumnSearch1764100000000,
  HexProjectSearch1764500000000,
];
