import 'reflect-metadata';
import { pathToFileURL } from 'node:url';
import { createServiceDataSource, migrateDataSource } from '@cartograph/platform/database';
import type { ServiceDefinition } from '@cartograph/platform/nest';
import { listServices, servicePath } from '../service-registry.js';

/** Runs every service's pending migrations, each in its own schema with its own migrations table. */
export async function migrateAll(databaseUrl: string, log: (line: string) => void): Promise<void> {
  for (const service of listServices()) {
    if (!service.definition) {
      continue;
    }
    const module = (await import(pathToFileURL(servicePath(service, service.definition)).href)) as {
      serviceDefinition: ServiceDefinition;
    };
    const definition = module.serviceDefinition;
    const ran = await migrateDataSource(
      createServiceDataSource({
        url: databaseUrl,
        schema: definition.schema,
        entities: definition.entities,
        migrations: definition.migrations,
        poolSize: 1,
        logging: ['error'],
      }),
    );
    log(`${definition.name}: ${ran.length === 0 ? 'up to date' : `applied ${ran.join(', ')}`}`);
  }
}
