import { configOrExit, runNestApplication } from '@cartograph/platform/nest';
import { serviceDefinition } from './dbt-cloud.definition.js';
import { DbtCloudApiModule } from './app.module.js';

const config = configOrExit(serviceDefinition);
await runNestApplication(serviceDefinition, config, DbtCloudApiModule.forRoot(config, { schemaFile: false }));
