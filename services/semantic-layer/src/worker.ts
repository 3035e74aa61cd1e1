import { configOrExit, runNestApplication } from '@cartograph/platform/nest';
import { serviceDefinition } from './semantic-layer.definition.js';
import { SemanticLayerWorkerModule } from './worker.module.js';

const config = configOrExit(serviceDefinition);
// The worker serves only health and metrics, on its own port.
await runNestApplication(serviceDefinition, config, SemanticLayerWorkerModule.forRoot(config), {
  requireIdentity: false,
  port: config.PORT ?? 4206,
});
