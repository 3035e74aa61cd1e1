import { z } from 'zod';
import { sharedModels } from '@cartograph/platform/config';
import { defineService, type SharedConfig } from '@cartograph/platform/nest';
import { catalogEntities } from './database/catalog.entities.js';
import { catalogMigrations } from './database/migrations/index.js';

export const catalogEnvironment = z.object({
  WEBHOOK_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(100)
    .max(60_000)
    .default(10_000)
    .describe('Timeout of one webhook delivery attempt.'),
  WEBHOOK_ALLOW_PRIVATE_URLS: z
    .enum(['true', 'false'])
    .default('true')
    .transform((value) => value === 'true')
    .describe('Allow webhook URLs on private/loopback addresses (disable in multi-tenant deployments).'),
  WORKER_CONCURRENCY: z.coerce
    .number()
    .int()
    .min(1)
    .max(256)
    .default(32)
    .describe('Jobs (webhook deliveries) one catalog worker runs at once.'),
  EVENT_LOG_RETENTION_DAYS: z.coerce
    .number()
    .int()
    .min(1)
    .default(14)
    .describe('How long the events query can look back.'),
});

export const serviceDefinition = defineService({
  name: 'catalog',
  schema: 'catalog',
  defaultPort: 4101,
  entities: catalogEntities,
  migrations: catalogMigrations,
  environment: [catalogEnvironment],
});

/** Every variable the catalog's processes read, for the configuration reference. */
export const environmentModels = [...sharedModels, catalogEnvironment];

export type CatalogConfig = SharedConfig & z.output<typeof catalogEnvironment>;
