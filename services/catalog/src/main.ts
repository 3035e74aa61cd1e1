import { configOrExit, runNestApplication } from '@cartograph/platform/nest';
import { serviceDefinition } from './catalog.definition.js';
import { CatalogApiModule } from './app.module.js';

const config = configOrExit(serviceDefinition);
await runNestApplication(serviceDefinition, config, CatalogApiModule.forRoot(config, { schemaFile: false }));
