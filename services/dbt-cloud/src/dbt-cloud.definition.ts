import { z } from 'zod';
import { sharedModels } from '@cartograph/platform/config';
import { defineService, type SharedConfig } from '@cartograph/platform/nest';
import { dbtCloudEntities } from './database/dbt-cloud.entities.js';
import { dbtCloudMigrations } from './database/migrations/index.js';

export const dbtCloudEnvironment = z.object({
  DBT_CLOUD_REQUESTS_PER_MINUTE: z.coerce
    .number()
    .int()
    .min(1)
    .max(5_000)
    .default(1_000)
    .describe(
      "Admin API requests one connection's sync sends per minute at most (dbt Cloud allows 5,000 per account; the Discovery API 500).",
    ),
  DBT_CLOUD_RATE_LIMIT_COOLDOWN_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .default(300)
    .describe(
      'How long a sync waits after a 429 before asking dbt Cloud again (dbt Cloud documents 5 minutes).',
    ),
  DBT_CLOUD_WORKER_CONCURRENCY: z.coerce
    .number()
    .int()
    .min(1)
    .max(32)
    .default(2)
    .describe('dbt Cloud syncs one dbt-cloud worker runs at once.'),
  DBT_ARTIFACTS_URL: z
    .string()
    .url()
    .default('http://127.0.0.1:4102')
    .describe(
      'Base URL of the dbt-artifacts service (dbt Cloud syncs hand it artifacts; the semantic layer reads semantic manifests from it).',
    ),
  DBT_CLOUD_ARTIFACT_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1_024)
    .default(2_147_483_648)
    .describe('Largest artifact a sync downloads from dbt Cloud, in bytes.'),
});

export const serviceDefinition = defineService({
  name: 'dbt-cloud',
  schema: 'dbt_cloud',
  defaultPort: 4103,
  entities: dbtCloudEntities,
  migrations: dbtCloudMigrations,
  environment: [dbtCloudEnvironment],
});

/** Every variable the dbt-cloud processes read, for the configuration reference. */
export const environmentModels = [...sharedModels, dbtCloudEnvironment];

export type DbtCloudConfig = SharedConfig & z.output<typeof dbtCloudEnvironment>;
