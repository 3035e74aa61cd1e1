import { configOrExit, runNestApplication } from '@cartograph/platform/nest';
import { serviceDefinition } from './dbt-cloud.definition.js';
import { DbtCloudWorkerModule } from './worker.module.js';

const config = configOrExit(serviceDefinition);
// The worker serves only health and metrics, on its own port.
await runNestApplication(serviceDefinition, config, DbtCloudWorkerModule.forRoot(config), {
  requireIdentity: false,
  port: config.PORT ?? 4203,
});
