import type { MigrationInterface } from 'typeorm';
import { InitialHex1764500000000 } from './1764500000000-initial-hex.js';

/** In order; never edit a migration once it is on main, add a new one. */
export const hexMigrations: (new () => MigrationInterface)[] = [InitialHex1764500000000];
