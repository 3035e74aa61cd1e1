import { z } from 'zod';
import { defineEvent } from '../define-event.js';

export const LineageEdgesObserved = defineEvent({
  type: 'lineage.edges_observed',
  description:
    "A source states the table-to-table edges it knows within a scope (a dbt project, a warehouse connection). The batches of one observation share `observationId`; together they are the scope's complete edge set.",
  schema: z.object({
    source: z.enum(['dbt', 'dbt-cloud', 'warehouse', 'hex', 'semantic-layer']),
    /** What the edge set is complete for, e.g. `dbt-project/jaffle_shop`. */
    scope: z.string(),
    observationId: z.string(),
    batch: z.object({ index: z.number().int().nonnegative(), count: z.number().int().positive() }),
    edges: z.array(z.object({ upstream: z.string(), downstream: z.string() })),
    observedAt: z.string().datetime({ offset: true }),
  }),
  subject: (data) => data.scope,
});
