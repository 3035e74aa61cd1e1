import { fileURLToPath } from 'node:url';
import { configOrExit, runNestApplication } from '@cartograph/platform/nest';
import { serviceDefinition } from './catalog.definition.js';
import { CatalogApiModule } from './app.module.js';

const config = configOrExit(serviceDefinition);
// In development the SDL is rewritten at boot, so a changed resolver shows up in `git diff`.
const schemaFile = config.NODE_ENV === 'development' ? fileURLToPath(new URL('../../schema.graphql', import.meta.url)) : false;
await runNestApplication(serviceDefinition, config, CatalogApiModule.forRoot(config, { schemaFile }));
