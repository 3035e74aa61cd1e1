import 'reflect-metadata';
import { loadServiceConfig } from '@cartograph/platform/nest';
import { createServiceDataSource } from '@cartograph/platform/database';
import { serviceDefinition } from '../catalog.definition.js';
import { ApiKeysRepository } from '../modules/api-keys/api-keys.repository.js';
import { ApiKeysService } from '../modules/api-keys/api-keys.service.js';

/**
 * Creates the first admin key when the installation has no active key, and returns it (null otherwise).
 * `npm start` prints it on first run; afterwards keys are managed through the API.
 */
export async function bootstrapAdminKey(
  environment: NodeJS.ProcessEnv = process.env,
): Promise<string | null> {
  const config = loadServiceConfig(serviceDefinition, environment);
  const dataSource = createServiceDataSource({
    url: config.DATABASE_URL,
    schema: serviceDefinition.schema,
    entities: serviceDefinition.entities,
    migrations: serviceDefinition.migrations,
    poolSize: 1,
  });
  await dataSource.initialize();
  try {
    return await new ApiKeysService(new ApiKeysRepository(dataSource)).bootstrapAdminKey();
  } finally {
    await dataSource.destroy();
  }
}
