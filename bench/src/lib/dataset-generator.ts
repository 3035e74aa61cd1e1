import type pg from 'pg';
import { datasetId } from '@cartograph/catalog-model';

/**
 * Generates realistic catalog datasets in SQL (INSERT … SELECT FROM generate_series), so a million rows load in
 * seconds. Row i maps to a unique (connection, schema, name) by a stride permutation over the whole space, so
 * ids never collide and neighbouring rows differ; descriptions are assembled from a vocabulary.
 * Bump `DATASET_GENERATOR_VERSION` whenever the output changes: stored databases are then regenerated.
 */
export const DATASET_GENERATOR_VERSION = 'datasets-v1';

export const vocabulary = {
  prefixes: ['stg', 'int', 'fct', 'dim', 'base', 'rpt', 'agg', 'snap'],
  /** The empty domain gives names like `dim_customers`. */
  domains: [
    '',
    'sales',
    'finance',
    'marketing',
    'product',
    'support',
    'billing',
    'hr',
    'logistics',
    'inventory',
    'web',
    'mobile',
    'growth',
    'risk',
    'ops',
    'crm',
    'ads',
    'payments',
    'shipping',
    'catalog',
    'partner',
    'subscriptions',
    'accounting',
    'procurement',
    'security',
  ],
  entities: [
    'customers',
    'orders',
    'payments',
    'invoices',
    'refunds',
    'sessions',
    'events',
    'pageviews',
    'users',
    'accounts',
    'subscriptions',
    'products',
    'order_items',
    'shipments',
    'returns',
    'campaigns',
    'clicks',
    'impressions',
    'leads',
    'opportunities',
    'contacts',
    'tickets',
    'employees',
    'vendors',
    'transactions',
    'balances',
    'ledger_entries',
    'revenue',
    'churn',
    'signups',
    'carts',
    'checkouts',
    'coupons',
    'discounts',
    'prices',
    'plans',
    'trials',
    'usage',
    'devices',
    'addresses',
    'regions',
    'stores',
    'warehouses',
    'suppliers',
    'purchase_orders',
    'budgets',
    'forecasts',
    'experiments',
    'feature_flags',
    'notifications',
    'emails',
    'messages',
    'reviews',
    'ratings',
    'inventory_levels',
    'deliveries',
    'drivers',
    'routes',
    'fraud_alerts',
    'chargebacks',
  ],
  suffixes: ['', '_daily', '_history', '_v2'],
  /** platform, instance (as `datasetId` normalises it), database. */
  connections: [
    ['snowflake', 'acme.us-east-1', 'analytics'],
    ['snowflake', 'acme-eu', 'analytics_eu'],
    ['bigquery', 'default', 'acme-prod'],
    ['redshift', 'redshift.acme.internal', 'dw'],
    ['databricks', 'dbc-1234.cloud.databricks.com', 'main'],
    ['postgres', 'db.acme.internal', 'app'],
  ] as const,
  schemas: [
    'marts',
    'staging',
    'intermediate',
    'analytics',
    'reporting',
    'snapshots',
    'raw_stripe',
    'raw_salesforce',
    'raw_hubspot',
    'raw_shopify',
    'raw_zendesk',
    'raw_segment',
    'raw_netsuite',
    'raw_app',
  ],
  /** Kind by prefix; schemas named raw_* hold sources. */
  kinds: ['view', 'view', 'table', 'table', 'view', 'materialized_view', 'table', 'snapshot'],
  grains: [
    'All',
    'Daily snapshot of',
    'Cleaned and deduplicated',
    'Aggregated',
    'Incremental model of',
    'Raw export of',
    'Monthly rollup of',
    'History of changes to',
    'Latest state of',
    'Enriched',
  ],
  clauses: [
    'with payment totals and refunds',
    'including currency conversion to USD',
    'filtered to active accounts',
    'deduplicated on the natural key',
    'joined to the customer dimension',
    'with lifetime value and first order date',
    'with revenue recognized by month',
    'excluding test and internal users',
    'with the marketing attribution channel',
    'partitioned by event date',
    'with shipping status and carrier',
    'keyed by the surrogate id',
    'with tax and discount amounts',
    'at the grain of one day per account',
    'with fraud and risk scores',
    'including cancelled and refunded records',
    'with sessionized web activity',
    'with the sales region and territory',
    'with subscription plan and billing period',
    'with inventory on hand by warehouse',
  ],
  origins: [
    'Sourced from Stripe.',
    'Loaded by Fivetran from Salesforce.',
    'Synced hourly from the application database.',
    'Built from Segment tracking events.',
    'Exported nightly from NetSuite.',
    'Replicated from HubSpot.',
    'Ingested from Shopify orders.',
    'Pulled from the Zendesk API.',
    'Derived from warehouse query logs.',
    'Computed from the event stream.',
  ],
  tails: [
    'Owned by the data platform team.',
    'Refreshed daily at 06:00 UTC.',
    'Used by the executive revenue dashboard.',
    'Feeds the weekly business review.',
    'Deprecated: use the v2 model instead.',
    'Contains personal data; access is restricted.',
    'Tested for uniqueness and not-null keys.',
    'Late-arriving rows are merged for seven days.',
    '',
    '',
  ],
  sources: [
    '{dbt,warehouse}',
    '{dbt}',
    '{warehouse}',
    '{dbt,dbt-cloud,warehouse}',
    '{warehouse,hex}',
    '{dbt,warehouse,hex}',
  ],
};

const nameCount =
  vocabulary.prefixes.length *
  vocabulary.domains.length *
  vocabulary.entities.length *
  vocabulary.suffixes.length;
/** How many distinct datasets the vocabulary can name. */
export const datasetCapacity = nameCount * vocabulary.connections.length * vocabulary.schemas.length;

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** A prime stride coprime with the capacity makes i -> i * stride mod capacity a permutation. */
const stride = [1_000_003, 1_000_033, 1_000_037].find((candidate) => gcd(candidate, datasetCapacity) === 1)!;

function literal(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

function array(values: readonly string[]): string {
  return `ARRAY[${values.map(literal).join(', ')}]::text[]`;
}

/** `ARRAY[...][1 + <expression> % n]`: picks one value of a vocabulary list. */
function pick(values: readonly string[], expression: string): string {
  return `(${array(values)})[1 + (${expression}) % ${values.length}]`;
}

/** One INSERT … SELECT that generates rows `from` (inclusive) to `to` (exclusive) into `<schema>.dataset`. */
export function datasetInsertStatement(schema: string, from: number, to: number): string {
  const v = vocabulary;
  const sizes = { p: v.prefixes.length, d: v.domains.length, e: v.entities.length, s: v.suffixes.length };
  const namesPerLocation = nameCount;
  return `
WITH g AS (
  SELECT i,
         (i::bigint * ${stride}) % ${datasetCapacity} AS k,
         hashint4(i)::bigint & 2147483647 AS h1,
         hashint4(i + 104729)::bigint & 2147483647 AS h2
    FROM generate_series(${from}, ${to - 1}) AS i
), p AS (
  SELECT g.*,
         (k % ${sizes.p})::int AS pf,
         ((k / ${sizes.p}) % ${sizes.d})::int AS dm,
         ((k / ${sizes.p * sizes.d}) % ${sizes.e})::int AS en,
         ((k / ${sizes.p * sizes.d * sizes.e}) % ${sizes.s})::int AS sf,
         ((k / ${namesPerLocation}) % ${v.connections.length})::int AS cn,
         (k / ${namesPerLocation * v.connections.length})::int AS sc
    FROM g
), r AS (
  SELECT p.*,
         (${array(v.connections.map((c) => c[0]))})[1 + cn] AS platform,
         (${array(v.connections.map((c) => c[1]))})[1 + cn] AS instance,
         (${array(v.connections.map((c) => c[2]))})[1 + cn] AS database,
         (${array(v.schemas)})[1 + sc] AS schema,
         concat_ws('_', (${array(v.prefixes)})[1 + pf], nullif((${array(v.domains)})[1 + dm], ''), (${array(v.entities)})[1 + en])
           || (${array(v.suffixes)})[1 + sf] AS name,
         CASE WHEN h1 % 10 < 7 THEN
           ${pick(v.grains, 'h1 / 10')} || ' ' || replace((${array(v.entities)})[1 + en], '_', ' ')
           || coalesce(' for the ' || nullif((${array(v.domains)})[1 + dm], '') || ' team', '') || ', '
           || ${pick(v.clauses, 'h1 / 100')}
           || CASE WHEN h2 % 3 = 0 THEN ' and ' || ${pick(v.clauses, 'h2 / 3')} ELSE '' END || '. '
           || ${pick(v.origins, 'h1 / 2000')} || ' ' || ${pick(v.tails, 'h2 / 60')}
         END AS description
    FROM p
)
INSERT INTO ${schema}.dataset
  (id, platform, instance, database, schema, name, kind, description, description_source, sources, first_seen_at, last_seen_at, removed_at)
SELECT platform || '://' || instance || '/' || database || '.' || schema || '.' || name,
       platform, instance, database, schema, name,
       CASE WHEN schema LIKE 'raw\\_%' THEN 'source' ELSE (${array(v.kinds)})[1 + pf] END,
       rtrim(description),
       CASE WHEN description IS NULL THEN NULL WHEN h2 % 4 = 0 THEN 'warehouse' ELSE 'dbt' END,
       ${pick(v.sources, 'h2 / 7')}::text[],
       timestamptz '2025-01-01' + (h1 % 300) * interval '1 day',
       timestamptz '2025-11-01' + (h2 % 20) * interval '1 day' + (h1 % 86400) * interval '1 second',
       CASE WHEN h2 % 50 = 0 THEN timestamptz '2025-11-15' END
  FROM r`;
}

/** `rows` datasets split into `parts` INSERT statements of nearly equal size, to run in parallel. */
export function datasetInsertStatements(schema: string, rows: number, parts: number): string[] {
  if (rows > datasetCapacity) {
    throw new Error(`the dataset generator can name at most ${datasetCapacity} datasets, asked for ${rows}`);
  }
  const size = Math.ceil(rows / parts);
  const statements: string[] = [];
  for (let from = 0; from < rows; from += size) {
    statements.push(datasetInsertStatement(schema, from, Math.min(rows, from + size)));
  }
  return statements;
}

/**
 * The generator builds ids by concatenation (it has to, in SQL); this checks a random sample against the
 * one true `datasetId` of @cartograph/catalog-model and throws on the first difference.
 */
export async function verifyGeneratedIds(
  client: Pick<pg.Client, 'query'>,
  schema: string,
  sample = 500,
): Promise<number> {
  const result = await client.query<{
    id: string;
    platform: string;
    instance: string;
    database: string;
    schema: string;
    name: string;
  }>(
    `SELECT id, platform, instance, database, schema, name FROM ${schema}.dataset TABLESAMPLE SYSTEM (1) LIMIT ${sample}`,
  );
  for (const row of result.rows) {
    const expected = datasetId({
      platform: row.platform,
      instance: row.instance,
      database: row.database,
      schema: row.schema,
      name: row.name,
    });
    if (expected !== row.id) {
      throw new Error(`generated id ${row.id} differs from datasetId(): ${expected}`);
    }
  }
  return result.rowCount ?? 0;
}
