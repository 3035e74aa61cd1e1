import { configOrExit, runNestApplication } from '@cartograph/platform/nest';
import { serviceDefinition } from './dbt-artifacts.definition.js';
import { DbtArtifactsWorkerModule } from './worker.module.js';

const config = configOrExit(serviceDefinition);
// The worker serves only health and metrics, on its own port.
await runNestApplication(serviceDefinition, config, DbtArtifactsWorkerModule.forRoot(config), {
  requireIdentity: false,
  port: config.PORT ?? 4202,
});
