import type { MigrationInterface } from 'typeorm';
import { InitialDbtCloud1764200000000 } from './1764200000000-initial-dbt-cloud.js';

/** In order; never edit a migration once it is on main, add a new one. */
export const dbtCloudMigrations: (new () => MigrationInterface)[] = [InitialDbtCloud1764200000000];
