/**
 * The jaffle-shop-like project every fixture builder renders: two sources, two staging and two mart models,
 * a seed, generic and singular tests, an exposure, metrics, a semantic model, a saved query, a unit test and a
 * group. Builders turn this description into the JSON each artifact kind and schema version has.
 */

export interface JaffleShopOptions {
  /** Default `jaffle_shop`. */
  readonly projectName?: string;
  /** Manifest `adapter_type`; also decides catalog types and stats. Default `postgres`. */
  readonly adapterType?: string;
  /** Default `analytics` (the BigQuery project, Snowflake database, …). */
  readonly database?: string;
  /** Schema of the models and the seed. Default `dbt_prod`. */
  readonly schema?: string;
  /** Schema of the sources. Default `raw`. */
  readonly sourceSchema?: string;
  /** Default: a real dbt version of the schema version's era. */
  readonly dbtVersion?: string;
  readonly invocationId?: string;
  readonly generatedAt?: string;
  /** metadata.env, e.g. `{ DBT_CLOUD_RUN_ID: '42' }`. */
  readonly env?: Record<string, string>;
  /** Adds `model.platform_core.dim_dates`, a public model of an upstream project (dbt Mesh), read by `orders`. */
  readonly crossProject?: boolean;
  /** `customers` becomes versioned: `customers.v1`, `customers.v2` (latest), aliases `customers_v1/_v2`. v9+. */
  readonly versionedModel?: boolean;
  /** Adds the ephemeral model `int_order_totals` between `stg_orders` and `orders`. */
  readonly ephemeralModel?: boolean;
  /** The exposure owner's email as a list (recent schemas allow it). */
  readonly exposureOwnerEmails?: readonly string[];
  /** The project's `quoting:` written into the manifest metadata (v12, dbt 1.10+). */
  readonly quoting?: { database?: boolean; schema?: boolean; identifier?: boolean };
}

export interface ResolvedOptions {
  readonly projectName: string;
  readonly adapterType: string;
  readonly database: string;
  readonly schema: string;
  readonly sourceSchema: string;
  readonly dbtVersion: string | undefined;
  readonly invocationId: string;
  readonly generatedAt: string;
  readonly env: Record<string, string>;
  readonly crossProject: boolean;
  readonly versionedModel: boolean;
  readonly ephemeralModel: boolean;
  readonly exposureOwnerEmails: readonly string[] | null;
  readonly quoting: { database?: boolean; schema?: boolean; identifier?: boolean } | null;
}

export function resolveOptions(options: JaffleShopOptions = {}): ResolvedOptions {
  return {
    projectName: options.projectName ?? 'jaffle_shop',
    adapterType: options.adapterType ?? 'postgres',
    database: options.database ?? 'analytics',
    schema: options.schema ?? 'dbt_prod',
    sourceSchema: options.sourceSchema ?? 'raw',
    dbtVersion: options.dbtVersion,
    invocationId: options.invocationId ?? '6a2f0d3c-8a4b-4f1e-9d2c-1b7e5f3a9c01',
    generatedAt: options.generatedAt ?? '2026-03-12T05:47:33.531072Z',
    env: options.env ?? {},
    crossProject: options.crossProject ?? false,
    versionedModel: options.versionedModel ?? false,
    ephemeralModel: options.ephemeralModel ?? false,
    exposureOwnerEmails: options.exposureOwnerEmails ?? null,
    quoting: options.quoting ?? null,
  };
}

export interface ColumnSpec {
  readonly name: string;
  readonly description: string;
  readonly dataType: string;
  /** Warehouse type per adapter family. */
  readonly warehouseType: {
    readonly postgres: string;
    readonly snowflake: string;
    readonly bigquery: string;
  };
}

export interface ModelSpec {
  readonly name: string;
  /** Folder under models/. */
  readonly layer: 'staging' | 'marts' | 'intermediate';
  readonly materialized: 'view' | 'table' | 'ephemeral';
  readonly description: string;
  readonly columns: readonly ColumnSpec[];
  /** Model names it refs. */
  readonly refs: readonly string[];
  /** [source name, table name] pairs it reads. */
  readonly sources: readonly (readonly [string, string])[];
  readonly sql: string;
  readonly version?: number;
  readonly latestVersion?: number;
  readonly access?: 'private' | 'protected' | 'public';
  readonly group?: string;
  readonly contractEnforced?: boolean;
  readonly primaryKey?: readonly string[];
}

export interface GenericTestSpec {
  readonly kind: 'generic';
  readonly testName: 'not_null' | 'unique' | 'relationships' | 'accepted_values';
  /** The model name (and version), or the source it is attached to. */
  readonly model?: { readonly name: string; readonly version?: number };
  readonly source?: readonly [string, string];
  readonly columnName: string;
  readonly extraKwargs?: Record<string, unknown>;
  /** Model refs in kwargs (relationships `to`). */
  readonly toModel?: string;
}

export interface SingularTestSpec {
  readonly kind: 'singular';
  readonly name: string;
  readonly refs: readonly string[];
  readonly sql: string;
}

export type TestSpec = GenericTestSpec | SingularTestSpec;

function column(
  name: string,
  description: string,
  dataType: string,
  warehouseType: ColumnSpec['warehouseType'],
): ColumnSpec {
  return { name, description, dataType, warehouseType };
}

const integer = { postgres: 'integer', snowflake: 'NUMBER', bigquery: 'INT64' };
const text = { postgres: 'text', snowflake: 'TEXT', bigquery: 'STRING' };
const timestamp = {
  postgres: 'timestamp without time zone',
  snowflake: 'TIMESTAMP_NTZ',
  bigquery: 'TIMESTAMP',
};
const numeric = { postgres: 'numeric', snowflake: 'NUMBER', bigquery: 'NUMERIC' };

export const SOURCE_NAME = 'ecom';

export interface SourceTableSpec {
  readonly name: string;
  readonly description: string;
  readonly columns: readonly ColumnSpec[];
}

export const sourceTables: readonly SourceTableSpec[] = [
  {
    name: 'raw_customers',
    description: 'One record per person who has purchased one or more items',
    columns: [
      column('id', 'The customer id', 'integer', integer),
      column('name', "The customer's full name", 'text', text),
    ],
  },
  {
    name: 'raw_orders',
    description: 'One record per order (consisting of one or more order items)',
    columns: [
      column('id', 'The order id', 'integer', integer),
      column('customer', 'The customer who placed the order', 'integer', integer),
      column('ordered_at', 'When the order was placed', 'timestamp', timestamp),
      column('status', 'The order status', 'text', text),
      column('order_total', 'Total amount in cents', 'integer', integer),
    ],
  },
];

export interface Project {
  readonly options: ResolvedOptions;
  readonly models: readonly ModelSpec[];
  readonly tests: readonly TestSpec[];
  readonly seedName: string;
  /** Present when `crossProject` is set. */
  readonly externalModel: { readonly packageName: string; readonly name: string } | null;
}

/**
 * The project for one manifest schema version. Versioned models exist from v9 (dbt 1.5): asking for them
 * earlier is a mistake in the test, so it throws.
 */
export function jaffleShopProject(manifestVersion: number, options: JaffleShopOptions = {}): Project {
  const resolved = resolveOptions(options);
  if (resolved.versionedModel && manifestVersion < 9) {
    throw new RangeError('versioned models exist from manifest v9 (dbt 1.5)');
  }
  const customerColumns = [
    column('customer_id', 'The unique key of the customers mart.', 'integer', integer),
    column('customer_name', "Customers' full name.", 'text', text),
    column('count_lifetime_orders', 'Total number of orders a customer has ever placed.', 'integer', integer),
    column('lifetime_spend', 'The sum of all the order totals of a customer.', 'numeric', numeric),
  ];
  const ordersRefs = resolved.ephemeralModel ? ['stg_orders', 'int_order_totals'] : ['stg_orders'];
  const models: ModelSpec[] = [
    {
      name: 'stg_customers',
      layer: 'staging',
      materialized: 'view',
      description: 'Customer data with basic cleaning and transformation applied, one row per customer.',
      columns: [
        column('customer_id', 'The unique key for each customer.', 'integer', integer),
        column('customer_name', "The customer's full name.", 'text', text),
      ],
      refs: [],
      sources: [[SOURCE_NAME, 'raw_customers']],
      sql: "select id as customer_id, name as customer_name from {{ source('ecom', 'raw_customers') }}",
    },
    {
      name: 'stg_orders',
      layer: 'staging',
      materialized: 'view',
      description: 'Order data with basic cleaning and transformation applied, one row per order.',
      columns: [
        column('order_id', 'The unique key for each order.', 'integer', integer),
        column('customer_id', 'The customer who placed the order.', 'integer', integer),
        column('ordered_at', 'When the order was placed.', 'timestamp', timestamp),
        column('status', 'placed, shipped, completed, return_pending or returned.', 'text', text),
        column('order_total', 'The order total in dollars.', 'numeric', numeric),
      ],
      refs: [],
      sources: [[SOURCE_NAME, 'raw_orders']],
      sql:
        'select id as order_id, customer as customer_id, ordered_at, status,\n' +
        "    {{ cents_to_dollars('order_total') }} as order_total\nfrom {{ source('ecom', 'raw_orders') }}",
    },
  ];
  if (resolved.ephemeralModel) {
    models.push({
      name: 'int_order_totals',
      layer: 'intermediate',
      materialized: 'ephemeral',
      description: 'Order totals per customer, inlined as a CTE.',
      columns: [],
      refs: ['stg_orders'],
      sources: [],
      sql: "select customer_id, sum(order_total) as total from {{ ref('stg_orders') }} group by 1",
    });
  }
  models.push({
    name: 'orders',
    layer: 'marts',
    materialized: 'table',
    description: 'Order overview data mart, offering key details for each order. One row per order.',
    columns: [
      column('order_id', 'The unique key of the orders mart.', 'integer', integer),
      column(
        'customer_id',
        'The foreign key relating to the customer who placed the order.',
        'integer',
        integer,
      ),
      column('ordered_at', 'The timestamp when the order was placed.', 'timestamp', timestamp),
      column('status', 'The status of the order.', 'text', text),
      column('order_total', 'The total amount of the order.', 'numeric', numeric),
    ],
    refs: ordersRefs,
    sources: [],
    sql: "select * from {{ ref('stg_orders') }}",
    contractEnforced: manifestVersion >= 9,
    primaryKey: ['order_id'],
  });
  const customersBase = {
    name: 'customers',
    layer: 'marts' as const,
    materialized: 'table' as const,
    description: 'Customer overview data mart, offering key details for each unique customer.',
    refs: ['stg_customers', 'orders'],
    sources: [],
    sql: "select c.customer_id, c.customer_name, count(o.order_id) as count_lifetime_orders,\n    sum(o.order_total) as lifetime_spend\nfrom {{ ref('stg_customers') }} c\nleft join {{ ref('orders') }} o using (customer_id)\ngroup by 1, 2",
    primaryKey: ['customer_id'],
    ...(manifestVersion >= 9 ? { access: 'public' as const, group: 'finance' } : {}),
  };
  if (resolved.versionedModel) {
    models.push({ ...customersBase, columns: customerColumns.slice(0, 3), version: 1, latestVersion: 2 });
    models.push({ ...customersBase, columns: customerColumns, version: 2, latestVersion: 2 });
  } else {
    models.push({ ...customersBase, columns: customerColumns });
  }

  const customerVersions = resolved.versionedModel ? [1, 2] : [undefined];
  const tests: TestSpec[] = [
    { kind: 'generic', testName: 'unique', model: { name: 'stg_customers' }, columnName: 'customer_id' },
    { kind: 'generic', testName: 'not_null', model: { name: 'stg_customers' }, columnName: 'customer_id' },
    { kind: 'generic', testName: 'not_null', model: { name: 'orders' }, columnName: 'order_id' },
    { kind: 'generic', testName: 'unique', model: { name: 'orders' }, columnName: 'order_id' },
    {
      kind: 'generic',
      testName: 'relationships',
      model: { name: 'orders' },
      columnName: 'customer_id',
      toModel: 'stg_customers',
      extraKwargs: { to: "ref('stg_customers')", field: 'customer_id' },
    },
    {
      kind: 'generic',
      testName: 'accepted_values',
      model: { name: 'orders' },
      columnName: 'status',
      extraKwargs: { values: ['placed', 'shipped', 'completed', 'return_pending', 'returned'] },
    },
    ...customerVersions.map((version): TestSpec => ({
      kind: 'generic',
      testName: 'unique',
      model: { name: 'customers', ...(version === undefined ? {} : { version }) },
      columnName: 'customer_id',
    })),
    { kind: 'generic', testName: 'not_null', source: [SOURCE_NAME, 'raw_customers'], columnName: 'id' },
    {
      kind: 'singular',
      name: 'assert_order_total_is_positive',
      refs: ['orders'],
      sql: "select order_id from {{ ref('orders') }} where order_total < 0",
    },
  ];
  return {
    options: resolved,
    models,
    tests,
    seedName: 'country_codes',
    externalModel: resolved.crossProject ? { packageName: 'platform_core', name: 'dim_dates' } : null,
  };
}

/** `model.jaffle_shop.customers`, `model.jaffle_shop.customers.v2`. */
export function modelId(project: Project, name: string, version?: number): string {
  return `model.${project.options.projectName}.${name}${version === undefined ? '' : `.v${version}`}`;
}

export function sourceId(project: Project, sourceName: string, table: string): string {
  return `source.${project.options.projectName}.${sourceName}.${table}`;
}

/** The warehouse name of a model: versioned models get `<name>_v<version>` (dbt's default alias). */
export function modelAlias(model: ModelSpec): string {
  return model.version === undefined ? model.name : `${model.name}_v${model.version}`;
}

/** The model spec a ref resolves to: the latest version of a versioned model. */
export function resolveRef(project: Project, name: string): ModelSpec | undefined {
  const candidates = project.models.filter((model) => model.name === name);
  return candidates.find((model) => model.version === undefined || model.version === model.latestVersion);
}

export function refId(project: Project, name: string): string {
  const model = resolveRef(project, name);
  return modelId(project, name, model?.version);
}

/** A generic test's name as dbt builds it (`accepted_values_orders_status__placed__shipped`). */
export function genericTestName(test: GenericTestSpec): string {
  const target = test.model
    ? `${test.model.name}${test.model.version === undefined ? '' : `_v${test.model.version}`}`
    : `${test.source![0]}_${test.source![1]}`;
  const prefix = test.source ? 'source_' : '';
  let suffix = '';
  if (test.testName === 'relationships')
    suffix = `__${String(test.extraKwargs?.field)}__ref_${test.toModel}_`;
  if (test.testName === 'accepted_values') suffix = `__${(test.extraKwargs?.values as string[]).join('__')}`;
  return `${prefix}${test.testName}_${target}_${test.columnName}${suffix}`;
}

/** dbt appends a 10-hex-digit hash of the test's arguments; any stable hash serves a fixture. */
export function shortHash(text: string): string {
  let first = 0x811c9dc5;
  let second = 0x01000193;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    first = Math.imul(first ^ code, 0x01000193) >>> 0;
    second = Math.imul(second ^ code, 0x5bd1e995) >>> 0;
  }
  return (first.toString(16).padStart(8, '0') + second.toString(16).padStart(8, '0')).slice(0, 10);
}

/** Unique id of a test: generic tests carry a hash suffix from manifest v2 (dbt 0.20) on. */
export function testId(project: Project, test: TestSpec, manifestVersion: number): string {
  const name = test.kind === 'generic' ? genericTestName(test) : test.name;
  const base = `test.${project.options.projectName}.${name}`;
  return test.kind === 'generic' && manifestVersion >= 2 ? `${base}.${shortHash(name)}` : base;
}

/** The unique ids of the project's resources, for assertions. */
export function jaffleShopIds(manifestVersion = 12, options: JaffleShopOptions = {}) {
  const project = jaffleShopProject(manifestVersion, options);
  const name = project.options.projectName;
  return {
    models: project.models.map((model) => modelId(project, model.name, model.version)),
    seed: `seed.${name}.${project.seedName}`,
    sources: sourceTables.map((table) => sourceId(project, SOURCE_NAME, table.name)),
    tests: project.tests.map((test) => testId(project, test, manifestVersion)),
    exposure: `exposure.${name}.weekly_kpis`,
    unitTest: `unit_test.${name}.customers.test_lifetime_spend_sums_orders`,
    externalModel: project.externalModel
      ? `model.${project.externalModel.packageName}.${project.externalModel.name}`
      : null,
  };
}

/** dbt versions that wrote each schema version. */
export const DBT_VERSION_BY_MANIFEST: Readonly<Record<number, string>> = {
  1: '0.19.2',
  2: '0.20.2',
  3: '0.21.1',
  4: '1.0.9',
  5: '1.1.3',
  6: '1.2.6',
  7: '1.3.7',
  8: '1.4.9',
  9: '1.5.11',
  10: '1.6.18',
  11: '1.7.19',
  12: '1.11.7',
};

export const DBT_VERSION_BY_RUN_RESULTS: Readonly<Record<number, string>> = {
  1: '0.19.2',
  2: '0.20.2',
  3: '0.21.1',
  4: '1.6.18',
  5: '1.7.19',
  6: '1.11.7',
};

/** The manifest version written next to each run_results version. */
export const MANIFEST_BY_RUN_RESULTS: Readonly<Record<number, number>> = {
  1: 1,
  2: 2,
  3: 3,
  4: 10,
  5: 11,
  6: 12,
};

export const DBT_VERSION_BY_SOURCES: Readonly<Record<number, string>> = {
  1: '0.20.2',
  2: '0.21.1',
  3: '1.11.7',
};

export const MANIFEST_BY_SOURCES: Readonly<Record<number, number>> = { 1: 2, 2: 3, 3: 12 };

export function schemaUrl(name: string, version: number): string {
  return `https://schemas.getdbt.com/dbt/${name}/v${version}.json`;
}
