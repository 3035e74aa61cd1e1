import { z } from 'zod';
import { sharedModels } from '@cartograph/platform/config';
import { defineService, type SharedConfig } from '@cartograph/platform/nest';
import { hexEntities } from './database/hex.entities.js';
import { hexMigrations } from './database/migrations/index.js';

export const hexEnvironment = z.object({
  HEX_REQUESTS_PER_MINUTE: z.coerce
    .number()
    .int()
    .min(1)
    .max(60_000)
    .default(55)
    .describe(
      'Requests per minute all hex workers together send with one Hex token (a Redis token bucket per token; Hex allows 60).',
    ),
  HEX_RATE_LIMIT_BURST: z.coerce
    .number()
    .int()
    .min(1)
    .max(60)
    .default(3)
    .describe(
      'Requests one Hex token may send at once after a pause; any minute sees at most this plus HEX_REQUESTS_PER_MINUTE.',
    ),
  HEX_REQUEST_TIMEOUT_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(600)
    .default(30)
    .describe('How long a Hex request may wait for an answer before it is retried.'),
  HEX_WORKER_CONCURRENCY: z.coerce
    .number()
    .int()
    .min(1)
    .max(32)
    .default(2)
    .describe('Hex syncs one hex worker runs at once.'),
});

export const serviceDefinition = defineService({
  name: 'hex',
  schema: 'hex',
  defaultPort: 4105,
  entities: hexEntities,
  migrations: hexMigrations,
  environment: [hexEnvironment],
});

/** Every variable the hex processes read, for the configuration reference. */
export const environmentModels = [...sharedModels, hexEnvironment];

export type HexConfig = SharedConfig & z.output<typeof hexEnvironment>;
