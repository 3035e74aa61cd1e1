import { configOrExit, runNestApplication } from '@cartograph/platform/nest';
import { initSqlLineage } from '@cartograph/sql-lineage';
import { serviceDefinition } from './warehouse.definition.js';
import { WarehouseWorkerModule } from './worker.module.js';

const config = configOrExit(serviceDefinition);
await initSqlLineage();
// The worker serves only health and metrics, on its own port.
await runNestApplication(serviceDefinition, config, WarehouseWorkerModule.forRoot(config), {
  requireIdentity: false,
  port: config.PORT ?? 4204,
});
