import { configOrExit, runNestApplication } from '@cartograph/platform/nest';
import { serviceDefinition } from './catalog.definition.js';
import { CatalogWorkerModule } from './worker.module.js';

const config = configOrExit(serviceDefinition);
// The worker serves only health and metrics, on its own port.
await runNestApplication(serviceDefinition, config, CatalogWorkerModule.forRoot(config), {
  requireIdentity: false,
  port: config.PORT ?? 4201,
});
