import { configOrExit, runNestApplication } from '@cartograph/platform/nest';
import { serviceDefinition } from './dbt-artifacts.definition.js';
import { DbtArtifactsApiModule } from './app.module.js';

const config = configOrExit(serviceDefinition);
await runNestApplication(
  serviceDefinition,
  config,
  DbtArtifactsApiModule.forRoot(config, { schemaFile: false }),
);
