import { configOrExit, runNestApplication } from '@cartograph/platform/nest';
import { serviceDefinition } from './hex.definition.js';
import { HexApiModule } from './app.module.js';

const config = configOrExit(serviceDefinition);
await runNestApplication(serviceDefinition, config, HexApiModule.forRoot(config, { schemaFile: false }));
