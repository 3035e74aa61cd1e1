import type { MigrationInterface } from 'typeorm';
import { InitialWarehouse1764300000000 } from './1764300000000-initial-warehouse.js';

/** In order; never edit a migration once it is on main, add a new one. */
export const warehouseMigrations: (new () => MigrationInterface)[] = [InitialWarehouse1764300000000];
