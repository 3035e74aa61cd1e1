import { z } from 'zod';
import { sharedModels } from '@cartograph/platform/config';
import { defineService, type SharedConfig } from '@cartograph/platform/nest';
import { dbtArtifactsEntities } from './database/dbt-artifacts.entities.js';
import { dbtArtifactsMigrations } from './database/migrations/index.js';

const bytes = (fallback: number) => z.coerce.number().int().min(1_024).default(fallback);

export const dbtArtifactsEnvironment = z.object({
  UPLOAD_MAX_BYTES: bytes(1_073_741_824).describe(
    'Largest upload request accepted, in bytes as sent (compressed when the files are .gz).',
  ),
  ARTIFACT_MAX_BYTES: bytes(2_147_483_648).describe(
    'Largest artifact file once decompressed, in bytes; bounds gzip bombs from uploads and buckets.',
  ),
  UPLOAD_TEMP_DIRECTORY: z
    .string()
    .optional()
    .describe('Where uploads are spooled while they are hashed (default: the system temp directory).'),
  DBT_ARTIFACTS_WORKER_CONCURRENCY: z.coerce
    .number()
    .int()
    .min(1)
    .max(16)
    .default(1)
    .describe('Artifact sets and bucket syncs one dbt-artifacts worker processes at once.'),
  DBT_ARTIFACTS_STRANDED_AFTER_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .default(600)
    .describe(
      'An artifact set queued or processing for longer than this (its job lost with Redis or its worker killed) is queued again; checked at worker start and every minute.',
    ),
});

export const serviceDefinition = defineService({
  name: 'dbt-artifacts',
  schema: 'dbt_artifacts',
  defaultPort: 4102,
  entities: dbtArtifactsEntities,
  migrations: dbtArtifactsMigrations,
  environment: [dbtArtifactsEnvironment],
});

/** Every variable the dbt-artifacts processes read, for the configuration reference. */
export const environmentModels = [...sharedModels, dbtArtifactsEnvironment];

export type DbtArtifactsConfig = SharedConfig & z.output<typeof dbtArtifactsEnvironment>;
