import { configOrExit, runNestApplication } from '@cartograph/platform/nest';
import { serviceDefinition } from './semantic-layer.definition.js';
import { SemanticLayerApiModule } from './app.module.js';

const config = configOrExit(serviceDefinition);
await runNestApplication(
  serviceDefinition,
  config,
  SemanticLayerApiModule.forRoot(config, { schemaFile: false }),
);
