import { configOrExit, runNestApplication } from '@cartograph/platform/nest';
import { serviceDefinition } from './warehouse.definition.js';
import { WarehouseApiModule } from './app.module.js';

const config = configOrExit(serviceDefinition);
await runNestApplication(
  serviceDefinition,
  config,
  WarehouseApiModule.forRoot(config, { schemaFile: false }),
);
