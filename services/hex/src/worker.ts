import { configOrExit, runNestApplication } from '@cartograph/platform/nest';
import { serviceDefinition } from './hex.definition.js';
import { HexWorkerModule } from './worker.module.js';

const config = configOrExit(serviceDefinition);
// The worker serves only health and metrics, on its own port.
await runNestApplication(serviceDefinition, config, HexWorkerModule.forRoot(config), {
  requireIdentity: false,
  port: config.PORT ?? 4205,
});
