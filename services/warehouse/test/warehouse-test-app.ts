import {
  TEST_INTERNAL_SECRET,
  startServiceTestApp,
  testIdentities,
  type ServiceTestApp,
} from '@cartograph/platform/testing';
import { initSqlLineage } from '@cartograph/sql-lineage';
import { WarehouseApiModule } from '../src/app.module.js';
import { serviceDefinition, type WarehouseConfig } from '../src/warehouse.definition.js';
import { WarehouseWorkerModule } from '../src/worker.module.js';

export const INTERNAL_SECRET = TEST_INTERNAL_SECRET;
export const { admin, editor, viewer } = testIdentities;

export type WarehouseTestApp = ServiceTestApp<WarehouseConfig>;

/** Boots the warehouse API and worker in this process on a cloned database and a private Redis prefix. */
export async function startWarehouse(
  overrides: Record<string, string> = {},
  options: { worker?: boolean } = {},
): Promise<WarehouseTestApp> {
  await initSqlLineage();
  return startServiceTestApp<WarehouseConfig>({
    project: 'warehouse',
    definition: serviceDefinition,
    api: (config) => WarehouseApiModule.forRoot(config, { schemaFile: false }),
    worker: (config) => WarehouseWorkerModule.forRoot(config),
    overrides,
    startWorker: options.worker,
  });
}
