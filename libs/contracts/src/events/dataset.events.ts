import { z } from 'zod';
import { defineEvent } from '../define-event.js';

const datasetSource = z.enum(['dbt', 'dbt-cloud', 'warehouse', 'hex', 'semantic-layer']);

export const DatasetUpserted = defineEvent({
  type: 'dataset.upserted',
  description: 'A source saw a table or view, new or changed.',
  schema: z.object({
    /** The DESIGN §3 id, built by `datasetId()`. */
    id: z.string().min(1),
    platform: z.string().min(1),
    instance: z.string().min(1),
    database: z.string().nullable(),
    schema: z.string().nullable(),
    name: z.string().min(1),
    kind: z.string().default('table'),
    description: z.string().nullable().optional(),
    /** Column names and descriptions, so search finds a table by what its columns are documented as. */
    columns: z
      .array(z.object({ name: z.string(), description: z.string().nullable().optional() }))
      .optional(),
    /** Which source saw it; the registry keeps one row per source. */
    source: datasetSource,
    seenAt: z.string().datetime({ offset: true }),
  }),
  subject: (data) => data.id,
});

export const DatasetRemoved = defineEvent({
  type: 'dataset.removed',
  description: 'A source no longer sees a table or view.',
  schema: z.object({
    id: z.string().min(1),
    source: datasetSource,
    removedAt: z.string().datetime({ offset: true }),
  }),
  subject: (data) => data.id,
});
