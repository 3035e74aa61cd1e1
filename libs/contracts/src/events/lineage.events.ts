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

export const LineageEdgesChanged = defineEvent({
  type: 'lineage.edges_changed',
  description:
    'Table-to-table edges of the lineage graph appeared or disappeared. One event per change set of a scope (a warehouse connection, a dbt project); `subject` is the scope. Large change sets come in batches of 1,000 edges.',
  schema: z.object({
    /** What the change is about, e.g. `warehouse/<connectionId>` or `dbt-project/jaffle_shop`. */
    scope: z.string(),
    /** Where the evidence comes from: `query` (query history), `view` (a view definition), `dbt`. */
    origin: z.enum(['query', 'view', 'dbt']),
    added: z.array(z.object({ upstream: z.string(), downstream: z.string() })),
    removed: z.array(z.object({ upstream: z.string(), downstream: z.string() })),
    changedAt: z.string().datetime({ offset: true }),
  }),
  subject: (data) => data.scope,
});
