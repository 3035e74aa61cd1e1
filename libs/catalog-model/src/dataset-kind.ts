/** What kind of relation a dataset is. `source`, `seed`, `snapshot` and `ephemeral` come from dbt. */
export const DATASET_KINDS = [
  'table',
  'view',
  'materialized_view',
  'external',
  'snapshot',
  'seed',
  'source',
  'ephemeral',
  'unknown',
] as const;

export type DatasetKind = (typeof DATASET_KINDS)[number];

const kindSet: ReadonlySet<string> = new Set(DATASET_KINDS);

export function isDatasetKind(value: unknown): value is DatasetKind {
  return typeof value === 'string' && kindSet.has(value);
}

/**
 * Warehouses and dbt spell relation types differently (`BASE TABLE` in information_schema, `table` in
 * BigQuery's catalog, `MANAGED` in Databricks, `VIRTUAL_VIEW` in Hive, `incremental` as a dbt
 * materialization). Keys are compared after upper-casing and turning `_`/`-` into spaces.
 */
const kindBySpelling: ReadonlyMap<string, DatasetKind> = new Map<string, DatasetKind>([
  ['TABLE', 'table'],
  ['BASE TABLE', 'table'],
  ['MANAGED', 'table'],
  ['TEMPORARY', 'table'],
  ['LOCAL TEMPORARY', 'table'],
  ['GLOBAL TEMPORARY', 'table'],
  ['TRANSIENT', 'table'],
  ['CLONE', 'table'],
  ['STREAMING TABLE', 'table'],
  // dbt materializations that produce a table.
  ['INCREMENTAL', 'table'],
  ['MICROBATCH', 'table'],
  ['VIEW', 'view'],
  ['VIRTUAL VIEW', 'view'],
  ['SYSTEM VIEW', 'view'],
  ['MATERIALIZED VIEW', 'materialized_view'],
  ['MATERIALIZEDVIEW', 'materialized_view'],
  // A Snowflake dynamic table is a query result the warehouse refreshes: a materialized view in all but name.
  ['DYNAMIC TABLE', 'materialized_view'],
  ['EXTERNAL', 'external'],
  ['EXTERNAL TABLE', 'external'],
  ['FOREIGN', 'external'],
  ['FOREIGN TABLE', 'external'],
  ['SNAPSHOT', 'snapshot'],
  ['SEED', 'seed'],
  ['SOURCE', 'source'],
  ['EPHEMERAL', 'ephemeral'],
]);

/** Maps a warehouse table type or dbt materialization to a `DatasetKind`; anything unrecognised is `unknown`. */
export function normalizeDatasetKind(text: string | null | undefined): DatasetKind {
  if (typeof text !== 'string') return 'unknown';
  const key = text
    .trim()
    .replace(/[\s_-]+/g, ' ')
    .toUpperCase();
  return kindBySpelling.get(key) ?? 'unknown';
}
