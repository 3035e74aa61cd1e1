import { z } from 'zod';
import { sharedModels } from '@cartograph/platform/config';
import { defineService, type SharedConfig } from '@cartograph/platform/nest';
import { warehouseEntities } from './database/warehouse.entities.js';
import { warehouseMigrations } from './database/migrations/index.js';

export const warehouseEnvironment = z.object({
  WAREHOUSE_WORKER_CONCURRENCY: z.coerce
    .number()
    .int()
    .min(1)
    .max(32)
    .default(2)
    .describe('Warehouse syncs one warehouse worker runs at once.'),
  WAREHOUSE_REQUEST_TIMEOUT_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .default(120)
    .describe('How long one statement or API call to a warehouse may take before it is cancelled.'),
  WAREHOUSE_HISTORY_BATCH_SIZE: z.coerce
    .number()
    .int()
    .min(100)
    .max(200_000)
    .default(50_000)
    .describe(
      'History rows read, parsed and applied per transaction; the watermark advances after each batch, so a restarted sync resumes there.',
    ),
  WAREHOUSE_MAX_STATEMENT_LENGTH: z.coerce
    .number()
    .int()
    .min(1_000)
    .default(1_000_000)
    .describe('Statements longer than this many characters are recorded as too_large and not parsed.'),
  WAREHOUSE_QUERY_TEXT_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1_000)
    .default(65_536)
    .describe('How much of a query text is stored as its sample (the full text is parsed, not stored).'),
});

export const serviceDefinition = defineService({
  name: 'warehouse',
  schema: 'warehouse',
  defaultPort: 4104,
  entities: warehouseEntities,
  migrations: warehouseMigrations,
  environment: [warehouseEnvironment],
});

/** Every variable the warehouse processes read, for the configuration reference. */
export const environmentModels = [...sharedModels, warehouseEnvironment];

export type WarehouseConfig = SharedConfig & z.output<typeof warehouseEnvironment>;
