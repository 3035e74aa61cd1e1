import { z } from 'zod';
import { sharedModels } from '@cartograph/platform/config';
import { defineService, type SharedConfig } from '@cartograph/platform/nest';
import { semanticLayerEntities } from './database/semantic-layer.entities.js';
import { semanticLayerMigrations } from './database/migrations/index.js';

export const semanticLayerEnvironment = z.object({
  SEMANTIC_LAYER_METADATA_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(0)
    .default(600)
    .describe(
      'How long metrics, dimensions, entities and saved queries of an environment are served from the Redis cache; 0 disables the cache.',
    ),
  SEMANTIC_LAYER_RESULT_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(0)
    .default(300)
    .describe(
      'How long the result of a metric query is served from the Redis cache to the same role asking the same query; 0 disables the cache.',
    ),
  SEMANTIC_LAYER_QUERY_TIMEOUT_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .default(120)
    .describe('A metric query still running after this long is abandoned and reported as cancelled.'),
  SEMANTIC_LAYER_REQUEST_TIMEOUT_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .default(30)
    .describe('How long one HTTP request to the Semantic Layer GraphQL API may take.'),
  SEMANTIC_LAYER_POLL_INTERVAL_MS: z.coerce
    .number()
    .int()
    .min(1)
    .default(500)
    .describe('First wait between two polls of a running query; each wait is 1.5 times the previous one.'),
  SEMANTIC_LAYER_POLL_MAX_INTERVAL_MS: z.coerce
    .number()
    .int()
    .min(1)
    .default(5_000)
    .describe('Longest wait between two polls of a running query.'),
  SEMANTIC_LAYER_MAX_ROWS: z.coerce
    .number()
    .int()
    .min(1)
    .default(100_000)
    .describe('Results with more rows are refused; add a limit or filters to the query.'),
  SEMANTIC_LAYER_JOB_RESULT_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .default(3_600)
    .describe(
      'How long the rows of a background metric query (submitMetricQuery) can be read after it finished.',
    ),
  SEMANTIC_LAYER_WORKER_CONCURRENCY: z.coerce
    .number()
    .int()
    .min(1)
    .max(64)
    .default(4)
    .describe(
      'Background metric queries one semantic-layer worker runs at once (they wait on the Semantic Layer, not on CPU).',
    ),
  DBT_ARTIFACTS_URL: z
    .string()
    .url()
    .default('http://127.0.0.1:4102')
    .describe(
      'Base URL of the dbt-artifacts service (dbt Cloud syncs hand it artifacts; the semantic layer reads semantic manifests from it).',
    ),
});

export const serviceDefinition = defineService({
  name: 'semantic-layer',
  schema: 'semantic_layer',
  defaultPort: 4106,
  entities: semanticLayerEntities,
  migrations: semanticLayerMigrations,
  environment: [semanticLayerEnvironment],
});

/** Every variable the semantic-layer processes read, for the configuration reference. */
export const environmentModels = [...sharedModels, semanticLayerEnvironment];

export type SemanticLayerConfig = SharedConfig & z.output<typeof semanticLayerEnvironment>;
