import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { finished } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import { vocabulary } from './dataset-generator.js';
import { parseArguments } from './options.js';

/**
 * Writes the artifacts of a synthetic dbt 1.11 project after `dbt build` + `dbt docs generate` +
 * `dbt source freshness`: manifest v12, catalog v1, run_results v6 and sources v3, shaped like the real files
 * (following dbt's artifact schemas and the jaffle_shop project), at any size.
 *
 * Only a compact plan is kept in memory (names, edges, interned column lists, tests: ≈ 4 KB per model, ≈ 200 MB
 * live at 50,000 models); each node's JSON is built on its own and streamed through a WriteStream with
 * backpressure, never the whole document, so 50,000 models (≈ 0.9 GB of manifest) generate in under a minute.
 * Everything derives from `seed`: the same options give byte-identical files, which the re-upload benchmark
 * relies on.
 */

/** Bump whenever the output changes: artifacts kept by `dbt-ingest --artifacts` are then regenerated. */
export const DBT_PROJECT_GENERATOR_VERSION = 'dbt-project-v1';

export const DBT_ADAPTERS = [
  'snowflake',
  'postgres',
  'bigquery',
  'redshift',
  'databricks',
  'duckdb',
] as const;
export type DbtAdapter = (typeof DBT_ADAPTERS)[number];

export interface DbtProjectOptions {
  /** Enabled models (staging → intermediate → marts); sources, seeds, tests, … scale with it. */
  models: number;
  /** Same seed, same bytes. Default 1. */
  seed?: number;
  /** Decides quoting, catalog case (Snowflake upper-cases), column types, stats and adapter responses. */
  adapter?: DbtAdapter;
  outputDirectory: string;
  /** Tests that fail in run_results (`fail`, "Got N results, configured to fail if != 0"). Default 10. */
  failingTests?: number;
  /** dbt project (package) name. Default `acme_analytics`. */
  projectName?: string;
}

export interface DbtProjectFiles {
  manifest: string;
  catalog: string;
  runResults: string;
  sources: string;
}

export interface DbtProjectCounts {
  models: number;
  ephemeralModels: number;
  sources: number;
  seeds: number;
  snapshots: number;
  /** Data tests in `nodes` (generic and singular); unit tests are counted apart. */
  tests: number;
  singularTests: number;
  unitTests: number;
  /** Documented columns in the manifest (models, seeds, snapshots, sources). */
  columns: number;
  /** Columns in catalog.json (every warehouse column, documented or not). */
  catalogColumns: number;
  catalogNodes: number;
  catalogSources: number;
  exposures: number;
  macros: number;
  semanticModels: number;
  metrics: number;
  savedQueries: number;
  groups: number;
  runResults: number;
  failingTests: number;
  freshnessResults: number;
}

export interface GeneratedDbtProject {
  files: DbtProjectFiles;
  bytes: Record<keyof DbtProjectFiles, number>;
  counts: DbtProjectCounts;
  seed: number;
  adapter: DbtAdapter;
  projectName: string;
  /** The invocation that wrote manifest.json and run_results.json. */
  invocationId: string;
}

const DBT_VERSION = '1.11.7';
/** A fixed clock keeps the files reproducible; the build starts here. */
const RUN_STARTED_AT = Date.parse('2026-03-12T05:40:00.000Z');
const CHUNK_CHARACTERS = 1 << 16;

// ---------------------------------------------------------------------------------------------------------------
// Randomness: one small seeded PRNG; per-entity streams are derived by hashing, so the text of a node does not
// depend on the order in which nodes are written.

function mix32(value: number): number {
  let h = value | 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function hashParts(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const part of parts) {
    h = mix32(h ^ mix32(part + 0x7f4a7c15));
  }
  return h;
}

/** mulberry32 with helpers: tiny, fast and the same on every platform. */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  static for(...parts: number[]): Random {
    return new Random(hashParts(...parts));
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** `count` distinct items (fewer when there are not enough). */
  sample<T>(items: readonly T[], count: number): T[] {
    if (count * 4 < items.length) {
      // A few from many (failing tests among 150,000): pick indexes instead of copying the list.
      const picked = new Set<number>();
      while (picked.size < count) {
        picked.add(Math.floor(this.next() * items.length));
      }
      return [...picked].map((index) => items[index]!);
    }
    const copy = items.slice();
    const result: T[] = [];
    while (result.length < count && copy.length > 0) {
      result.push(copy.splice(Math.floor(this.next() * copy.length), 1)[0]!);
    }
    return result;
  }

  hex(length: number): string {
    let text = '';
    while (text.length < length) {
      text += Math.floor(this.next() * 4294967296)
        .toString(16)
        .padStart(8, '0');
    }
    return text.slice(0, length);
  }

  uuid(): string {
    const hex = this.hex(32);
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${'89ab'[this.int(0, 3)]}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Output: dbt writes with Python's json.dumps separators (", " and ": "); we do the same so sizes match.

export function pythonJson(value: unknown): string {
  if (value === null || value === undefined) {
    return 'null';
  }
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    default:
      break;
  }
  if (Array.isArray(value)) {
    if (value.length === 0) {
      return '[]';
    }
    let text = '[';
    for (let index = 0; index < value.length; index += 1) {
      text += (index === 0 ? '' : ', ') + pythonJson(value[index]);
    }
    return `${text}]`;
  }
  let text = '{';
  let first = true;
  for (const key in value as Record<string, unknown>) {
    const item = (value as Record<string, unknown>)[key];
    if (item === undefined) {
      continue;
    }
    text += `${first ? '' : ', '}${JSON.stringify(key)}: ${pythonJson(item)}`;
    first = false;
  }
  return `${text}}`;
}

/**
 * Collects small strings into ~64 KB chunks and writes them through a WriteStream, waiting for 'drain' whenever
 * the stream's buffer is full, so the generator never runs ahead of the disk.
 */
class ArtifactWriter {
  private parts: string[] = [];
  private length = 0;
  private failure: Error | null = null;

  private constructor(private readonly stream: WriteStream) {
    stream.on('error', (error) => {
      this.failure = error;
    });
  }

  static async open(path: string): Promise<ArtifactWriter> {
    const stream = createWriteStream(path);
    await once(stream, 'open');
    return new ArtifactWriter(stream);
  }

  async write(text: string): Promise<void> {
    this.parts.push(text);
    this.length += text.length;
    if (this.length >= CHUNK_CHARACTERS) {
      await this.flush();
    }
  }

  private async flush(): Promise<void> {
    if (this.failure) {
      throw this.failure;
    }
    if (this.parts.length === 0) {
      return;
    }
    const chunk = this.parts.join('');
    this.parts = [];
    this.length = 0;
    if (!this.stream.write(chunk)) {
      await once(this.stream, 'drain');
    }
  }

  async close(): Promise<void> {
    await this.flush();
    this.stream.end();
    await finished(this.stream);
  }
}

/** `{"key": value, …}` streamed entry by entry; returns the number of entries. */
async function writeObject(
  writer: ArtifactWriter,
  entries: Iterable<readonly [string, unknown]>,
): Promise<number> {
  await writer.write('{');
  let count = 0;
  for (const [key, value] of entries) {
    await writer.write(`${count === 0 ? '' : ', '}${JSON.stringify(key)}: ${pythonJson(value)}`);
    count += 1;
  }
  await writer.write('}');
  return count;
}

async function writeArray(writer: ArtifactWriter, items: Iterable<unknown>): Promise<number> {
  await writer.write('[');
  let count = 0;
  for (const item of items) {
    await writer.write(`${count === 0 ? '' : ', '}${pythonJson(item)}`);
    count += 1;
  }
  await writer.write(']');
  return count;
}

// ---------------------------------------------------------------------------------------------------------------
// Vocabulary

type ColumnKind =
  | 'key'
  | 'foreign_key'
  | 'category'
  | 'text'
  | 'timestamp'
  | 'date'
  | 'boolean'
  | 'amount'
  | 'count'
  | 'ratio'
  | 'json';

type FillerKind = Exclude<ColumnKind, 'key' | 'foreign_key'>;

const columnPools: Record<FillerKind, string[]> = {
  category: [
    'status',
    'type',
    'channel',
    'currency',
    'country_code',
    'region',
    'plan_name',
    'tier',
    'payment_method',
    'source_system',
    'device_type',
    'platform',
    'locale',
    'segment',
    'priority',
    'reason_code',
    'carrier',
    'category',
    'brand',
    'department',
    'billing_period',
    'lifecycle_stage',
    'acquisition_source',
    'sales_territory',
    'fulfillment_type',
  ],
  text: [
    'name',
    'email',
    'description',
    'title',
    'full_name',
    'first_name',
    'last_name',
    'address_line_1',
    'city',
    'postal_code',
    'phone_number',
    'url',
    'sku',
    'notes',
    'user_agent',
    'ip_address',
    'utm_source',
    'utm_medium',
    'utm_campaign',
    'referrer',
    'company_name',
    'job_title',
    'external_reference',
    'invoice_number',
  ],
  timestamp: [
    'created_at',
    'updated_at',
    'deleted_at',
    'ordered_at',
    'shipped_at',
    'delivered_at',
    'paid_at',
    'cancelled_at',
    'first_seen_at',
    'last_seen_at',
    'started_at',
    'ended_at',
    'signed_up_at',
    'churned_at',
    'converted_at',
    'closed_at',
    'resolved_at',
    'activated_at',
  ],
  date: [
    'date_day',
    'order_date',
    'invoice_date',
    'due_date',
    'period_start_date',
    'period_end_date',
    'fiscal_month',
    'cohort_month',
    'activity_date',
    'renewal_date',
    'booking_date',
  ],
  boolean: [
    'is_active',
    'is_deleted',
    'is_test',
    'is_first_order',
    'is_refunded',
    'is_paid',
    'has_discount',
    'is_trial',
    'is_internal',
    'is_churned',
    'is_recurring',
    'is_valid',
    'is_primary',
    'is_verified',
  ],
  amount: [
    'amount',
    'amount_usd',
    'subtotal',
    'tax_amount',
    'discount_amount',
    'shipping_amount',
    'total_amount',
    'net_revenue',
    'gross_revenue',
    'cost',
    'unit_price',
    'balance',
    'lifetime_value',
    'mrr',
    'arr',
    'refund_amount',
    'fee_amount',
    'gross_margin',
  ],
  count: [
    'quantity',
    'count_orders',
    'count_items',
    'count_sessions',
    'count_events',
    'number_of_visits',
    'days_since_last_order',
    'count_tickets',
    'count_active_users',
    'count_refunds',
    'count_logins',
    'count_line_items',
    'tenure_days',
  ],
  ratio: [
    'conversion_rate',
    'discount_rate',
    'tax_rate',
    'margin_pct',
    'churn_rate',
    'retention_rate',
    'click_through_rate',
    'utilization_pct',
  ],
  json: ['properties', 'metadata', 'raw_payload', 'attributes', 'context', 'custom_fields'],
};

/** Filler column kinds, weighted like a typical mart/staging model. */
const fillerWeights: [FillerKind, number][] = [
  ['category', 20],
  ['text', 15],
  ['timestamp', 15],
  ['date', 7],
  ['boolean', 12],
  ['amount', 15],
  ['count', 10],
  ['ratio', 4],
  ['json', 2],
];
const fillerTotal = fillerWeights.reduce((sum, [, weight]) => sum + weight, 0);

const acceptedValues: Record<string, string[]> = {
  status: ['pending', 'processing', 'shipped', 'delivered', 'cancelled', 'returned'],
  type: ['standard', 'express', 'internal', 'partner'],
  channel: ['web', 'mobile', 'retail', 'marketplace', 'phone'],
  currency: ['USD', 'EUR', 'GBP', 'CAD', 'AUD', 'JPY'],
  payment_method: ['credit_card', 'bank_transfer', 'paypal', 'gift_card', 'coupon'],
  tier: ['free', 'starter', 'growth', 'enterprise'],
  priority: ['low', 'normal', 'high', 'urgent'],
  device_type: ['desktop', 'mobile', 'tablet', 'other'],
  platform: ['ios', 'android', 'web'],
  lifecycle_stage: [
    'lead',
    'marketing_qualified',
    'sales_qualified',
    'opportunity',
    'customer',
    'evangelist',
  ],
  billing_period: ['monthly', 'quarterly', 'annual'],
  fulfillment_type: ['ship', 'pickup', 'digital'],
  segment: ['smb', 'mid_market', 'enterprise'],
};

const piiColumns = new Set([
  'email',
  'full_name',
  'first_name',
  'last_name',
  'phone_number',
  'address_line_1',
  'ip_address',
]);

/** Source systems (source_name, loader, the column the loader stamps on every row). */
const sourceSystems: [string, string, string][] = [
  ['stripe', 'fivetran', '_fivetran_synced'],
  ['salesforce', 'fivetran', '_fivetran_synced'],
  ['hubspot', 'fivetran', '_fivetran_synced'],
  ['shopify', 'airbyte', '_airbyte_extracted_at'],
  ['zendesk', 'fivetran', '_fivetran_synced'],
  ['segment', 'segment', 'received_at'],
  ['netsuite', 'fivetran', '_fivetran_synced'],
  ['app_db', 'stitch', '_sdc_batched_at'],
  ['google_ads', 'fivetran', '_fivetran_synced'],
  ['facebook_ads', 'fivetran', '_fivetran_synced'],
  ['jira', 'airbyte', '_airbyte_extracted_at'],
  ['intercom', 'fivetran', '_fivetran_synced'],
  ['braze', 'fivetran', '_fivetran_synced'],
  ['workday', 'fivetran', '_fivetran_synced'],
  ['snowplow', 'snowplow', 'collector_tstamp'],
  ['app_replica', 'debezium', '_loaded_at'],
  ['mixpanel', 'airbyte', '_airbyte_extracted_at'],
  ['recurly', 'fivetran', '_fivetran_synced'],
  ['quickbooks', 'fivetran', '_fivetran_synced'],
  ['marketo', 'fivetran', '_fivetran_synced'],
];
const sourceRegions = ['', '_eu', '_apac', '_us', '_latam', '_legacy', '_v2', '_sandbox'];
const TABLES_PER_SOURCE = 12;

const seedNames = [
  'country_codes',
  'currency_codes',
  'exchange_rates',
  'us_states',
  'public_holidays',
  'product_categories',
  'sales_territories',
  'channel_mapping',
  'employee_departments',
  'tax_rates',
  'plan_tiers',
  'marketing_channels',
  'carrier_codes',
  'gl_account_mapping',
  'timezone_offsets',
  'industry_codes',
];

const intermediateVerbs = [
  'joined',
  'enriched',
  'pivoted',
  'deduplicated',
  'unioned',
  'aggregated_to_day',
  'aggregated_to_account',
  'filtered',
  'windowed',
  'mapped',
  'scored',
  'sessionized',
  'allocated',
];
const stagingVariants = ['_history', '_deleted', '_latest', '_daily', '_snapshot', '_archive', '_events'];
const martPrefixes = ['fct_', 'dim_', 'fct_', 'dim_', 'rpt_', 'agg_'];
const singularChecks = [
  'total_amount_is_positive',
  'no_orphaned_rows',
  'revenue_matches_ledger',
  'row_count_within_tolerance',
  'no_future_dates',
  'no_duplicate_keys_across_sources',
  'balances_reconcile',
];
const exposureKinds = [
  'dashboard',
  'dashboard',
  'dashboard',
  'notebook',
  'analysis',
  'ml',
  'application',
] as const;
const descriptionTails = [
  'Contains personal data.',
  'Backfilled for records before 2021.',
  'Null for records loaded before the 2023 migration.',
  'Deprecated: will be removed in the next major version.',
  'Late-arriving rows are corrected on the next run.',
  'Documented with the finance team; see the metric definitions.',
];

function singular(word: string): string {
  if (word.endsWith('ies')) {
    return `${word.slice(0, -3)}y`;
  }
  if (/(sses|ches|shes|xes)$/.test(word)) {
    return word.slice(0, -2);
  }
  if (word.endsWith('ss') || !word.endsWith('s')) {
    return word;
  }
  return word.slice(0, -1);
}

function readable(name: string): string {
  return name.replace(/_/g, ' ');
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function md5(text: string): string {
  return createHash('md5').update(text).digest('hex');
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** ISO time with the microseconds Python prints. */
function isoMicros(milliseconds: number, random: Random): string {
  return new Date(Math.floor(milliseconds))
    .toISOString()
    .replace('Z', `${String(random.int(0, 999)).padStart(3, '0')}Z`);
}

// ---------------------------------------------------------------------------------------------------------------
// Adapters: what differs between warehouses in the artifacts.

interface AdapterProfile {
  database: string;
  rawDatabase: string;
  targetSchema: string;
  quoting: { database: boolean; schema: boolean; identifier: boolean; column: null };
  relation(database: string, schema: string, identifier: string): string;
  /** Warehouse case of names in catalog.json (Snowflake stores unquoted names upper-case). */
  warehouseCase(name: string): string;
  types: Record<ColumnKind, string>;
  tableType: string;
  viewType: string;
  /** The SQL `cents_to_dollars` expands to. */
  centsToDollars(column: string): string;
  hashFunction: string;
}

const quoted = (mark: string) => (database: string, schema: string, identifier: string) =>
  `${mark}${database}${mark}.${mark}${schema}${mark}.${mark}${identifier}${mark}`;

const adapterProfiles: Record<DbtAdapter, AdapterProfile> = {
  snowflake: {
    database: 'analytics',
    rawDatabase: 'raw',
    targetSchema: 'dbt_prod',
    quoting: { database: false, schema: false, identifier: false, column: null },
    relation: (database, schema, identifier) => `${database}.${schema}.${identifier}`,
    warehouseCase: (name) => name.toUpperCase(),
    types: {
      key: 'TEXT',
      foreign_key: 'TEXT',
      category: 'TEXT',
      text: 'TEXT',
      timestamp: 'TIMESTAMP_NTZ',
      date: 'DATE',
      boolean: 'BOOLEAN',
      amount: 'NUMBER',
      count: 'NUMBER',
      ratio: 'FLOAT',
      json: 'VARIANT',
    },
    tableType: 'BASE TABLE',
    viewType: 'VIEW',
    centsToDollars: (column) => `(${column} / 100)::numeric(16, 2)`,
    hashFunction: 'md5',
  },
  postgres: {
    database: 'warehouse',
    rawDatabase: 'warehouse',
    targetSchema: 'analytics',
    quoting: { database: true, schema: true, identifier: true, column: null },
    relation: quoted('"'),
    warehouseCase: (name) => name,
    types: {
      key: 'text',
      foreign_key: 'text',
      category: 'character varying(64)',
      text: 'text',
      timestamp: 'timestamp without time zone',
      date: 'date',
      boolean: 'boolean',
      amount: 'numeric(16,2)',
      count: 'bigint',
      ratio: 'double precision',
      json: 'jsonb',
    },
    tableType: 'BASE TABLE',
    viewType: 'VIEW',
    centsToDollars: (column) => `(${column} / 100)::numeric(16, 2)`,
    hashFunction: 'md5',
  },
  bigquery: {
    database: 'acme-analytics-prod',
    rawDatabase: 'acme-raw',
    targetSchema: 'analytics',
    quoting: { database: true, schema: true, identifier: true, column: null },
    relation: quoted('`'),
    warehouseCase: (name) => name,
    types: {
      key: 'STRING',
      foreign_key: 'STRING',
      category: 'STRING',
      text: 'STRING',
      timestamp: 'TIMESTAMP',
      date: 'DATE',
      boolean: 'BOOL',
      amount: 'NUMERIC',
      count: 'INT64',
      ratio: 'FLOAT64',
      json: 'JSON',
    },
    tableType: 'table',
    viewType: 'view',
    centsToDollars: (column) => `round(cast((${column} / 100) as numeric), 2)`,
    hashFunction: 'to_hex(md5',
  },
  redshift: {
    database: 'dw',
    rawDatabase: 'dw',
    targetSchema: 'analytics',
    quoting: { database: true, schema: true, identifier: true, column: null },
    relation: quoted('"'),
    warehouseCase: (name) => name,
    types: {
      key: 'character varying(256)',
      foreign_key: 'character varying(256)',
      category: 'character varying(64)',
      text: 'character varying(65535)',
      timestamp: 'timestamp without time zone',
      date: 'date',
      boolean: 'boolean',
      amount: 'numeric(18,2)',
      count: 'bigint',
      ratio: 'double precision',
      json: 'super',
    },
    tableType: 'BASE TABLE',
    viewType: 'VIEW',
    centsToDollars: (column) => `(${column} / 100)::numeric(16, 2)`,
    hashFunction: 'md5',
  },
  databricks: {
    database: 'main',
    rawDatabase: 'raw',
    targetSchema: 'analytics',
    quoting: { database: true, schema: true, identifier: true, column: null },
    relation: quoted('`'),
    warehouseCase: (name) => name,
    types: {
      key: 'string',
      foreign_key: 'string',
      category: 'string',
      text: 'string',
      timestamp: 'timestamp',
      date: 'date',
      boolean: 'boolean',
      amount: 'decimal(18,2)',
      count: 'bigint',
      ratio: 'double',
      json: 'string',
    },
    tableType: 'table',
    viewType: 'view',
    centsToDollars: (column) => `cast((${column} / 100) as decimal(16, 2))`,
    hashFunction: 'md5',
  },
  duckdb: {
    database: 'warehouse',
    rawDatabase: 'warehouse',
    targetSchema: 'main',
    quoting: { database: true, schema: true, identifier: true, column: null },
    relation: quoted('"'),
    warehouseCase: (name) => name,
    types: {
      key: 'VARCHAR',
      foreign_key: 'VARCHAR',
      category: 'VARCHAR',
      text: 'VARCHAR',
      timestamp: 'TIMESTAMP',
      date: 'DATE',
      boolean: 'BOOLEAN',
      amount: 'DECIMAL(18,2)',
      count: 'BIGINT',
      ratio: 'DOUBLE',
      json: 'JSON',
    },
    tableType: 'BASE TABLE',
    viewType: 'VIEW',
    centsToDollars: (column) => `(${column} / 100)::numeric(16, 2)`,
    hashFunction: 'md5',
  },
};

// ---------------------------------------------------------------------------------------------------------------
// The plan: what exists and how it connects. Columns are interned (one object per distinct name), so the plan of
// 50,000 models is a few tens of MB; text is derived again from per-entity random streams while writing.

interface Column {
  name: string;
  kind: ColumnKind;
}

type Layer = 'staging' | 'intermediate' | 'marts';
type Materialization = 'view' | 'table' | 'incremental' | 'ephemeral';
type EntityKind =
  | 'model'
  | 'seed'
  | 'snapshot'
  | 'test'
  | 'source'
  | 'exposure'
  | 'metric'
  | 'semantic_model'
  | 'saved_query'
  | 'unit_test';

interface SourcePlan {
  id: number;
  index: number;
  sourceName: string;
  loader: string;
  loadedAtField: string;
  table: string;
  entity: string;
  schema: string;
  /** Every warehouse column; the first `documented` are described in YAML. */
  columns: Column[];
  documented: number;
  freshness: { warn: [number, string]; error: [number, string] } | null;
}

interface SeedPlan {
  id: number;
  index: number;
  name: string;
  columns: Column[];
  documented: boolean;
  rows: number;
}

interface ModelPlan {
  id: number;
  index: number;
  name: string;
  layer: Layer;
  domain: string;
  entity: string;
  materialization: Materialization;
  schema: string;
  /** Entity ids of refs (models, seeds, snapshots) and sources, in SQL order. */
  parents: number[];
  columns: Column[];
  /** Warehouse-only columns (loader stamps, hashes) the YAML does not document. */
  extraColumns: Column[];
  /** foreign key column → the parent entity whose key it is. */
  foreignKeys: [string, number][];
  group: string | null;
  access: 'private' | 'protected' | 'public';
  contract: boolean;
  tags: string[];
  /** Has model or snapshot children (a failing test on it would skip them in `dbt build`). */
  hasChildren: boolean;
}

interface SnapshotPlan {
  id: number;
  index: number;
  name: string;
  source: number;
  columns: Column[];
}

type TestKind =
  'not_null' | 'unique' | 'accepted_values' | 'relationships' | 'expression_is_true' | 'singular';

interface TestPlan {
  id: number;
  kind: TestKind;
  /** Full dbt test name (unique_id part) and the identifier dbt shortens it to past 63 characters. */
  name: string;
  alias: string;
  uid: string;
  /** The model, seed or source the test is attached to (generic) or first refers to (singular). */
  attached: number;
  column: string | null;
  /** Entity ids the test depends on (relationships: the `to` model, then the tested one). */
  nodes: number[];
  to?: number;
  field?: string;
  values?: string[];
  expression?: string;
  severity: 'ERROR' | 'warn';
  where: string | null;
  /** Failing rows in run_results; 0 = pass. */
  failures: number;
}

interface ExposurePlan {
  id: number;
  name: string;
  type: (typeof exposureKinds)[number];
  domain: string;
  nodes: number[];
}

interface SemanticModelPlan {
  id: number;
  name: string;
  model: number;
  measures: { name: string; agg: string; expr: string }[];
  timeDimension: string;
  dimensions: string[];
}

interface MetricPlan {
  id: number;
  name: string;
  type: 'simple' | 'ratio' | 'derived';
  semanticModel: number;
  measure?: string;
  inputs?: string[];
}

interface SavedQueryPlan {
  id: number;
  name: string;
  metrics: number[];
  groupBy: string;
}

interface UnitTestPlan {
  id: number;
  name: string;
  model: number;
}

interface Macro {
  uid: string;
  name: string;
  packageName: string;
  path: string;
  arguments: string[];
  dependsOn: string[];
  body: string;
}

class ProjectPlan {
  readonly uids: string[] = [];
  readonly kinds: EntityKind[] = [];
  /** Parents (first-order edges) per entity id, as in parent_map. */
  readonly parents: number[][] = [];
  /** The node/test/… index within its kind, per entity id. */
  readonly slot: number[] = [];
  readonly sources: SourcePlan[] = [];
  readonly seeds: SeedPlan[] = [];
  readonly models: ModelPlan[] = [];
  readonly snapshots: SnapshotPlan[] = [];
  readonly tests: TestPlan[] = [];
  readonly exposures: ExposurePlan[] = [];
  readonly semanticModels: SemanticModelPlan[] = [];
  readonly metrics: MetricPlan[] = [];
  readonly savedQueries: SavedQueryPlan[] = [];
  readonly unitTests: UnitTestPlan[] = [];
  readonly macros: Macro[] = [];
  readonly groups: string[] = [];
  /** Two disabled models, as real projects keep a few behind `enabled: false`. */
  readonly disabled: ModelPlan[] = [];
  readonly columnPool = new Map<string, Column>();
  readonly failingTests: number;

  constructor(
    readonly packageName: string,
    readonly adapter: DbtAdapter,
    readonly profile: AdapterProfile,
    readonly seed: number,
    requestedFailures: number,
  ) {
    this.failingTests = requestedFailures;
  }

  column(name: string, kind: ColumnKind): Column {
    const key = `${kind}:${name}`;
    let column = this.columnPool.get(key);
    if (!column) {
      column = { name, kind };
      this.columnPool.set(key, column);
    }
    return column;
  }

  register(kind: EntityKind, uid: string, slot: number, parents: number[] = []): number {
    const id = this.uids.length;
    this.uids.push(uid);
    this.kinds.push(kind);
    this.parents.push(parents);
    this.slot.push(slot);
    return id;
  }

  model(id: number): ModelPlan | undefined {
    return this.kinds[id] === 'model' ? this.models[this.slot[id]!] : undefined;
  }

  /** A ref()able or source()able entity's relation and name. */
  nameOf(id: number): string {
    switch (this.kinds[id]) {
      case 'model':
        return this.models[this.slot[id]!]!.name;
      case 'seed':
        return this.seeds[this.slot[id]!]!.name;
      case 'snapshot':
        return this.snapshots[this.slot[id]!]!.name;
      case 'source':
        return this.sources[this.slot[id]!]!.table;
      default:
        return this.uids[id]!.split('.').at(-1)!;
    }
  }

  schemaOf(id: number): string {
    switch (this.kinds[id]) {
      case 'model':
        return this.models[this.slot[id]!]!.schema;
      case 'seed':
        return `${this.profile.targetSchema}_seeds`;
      case 'snapshot':
        return 'snapshots';
      case 'source':
        return this.sources[this.slot[id]!]!.schema;
      default:
        return this.profile.targetSchema;
    }
  }

  databaseOf(id: number): string {
    return this.kinds[id] === 'source' ? this.profile.rawDatabase : this.profile.database;
  }

  /** relation_name, or the CTE an ephemeral model compiles to. */
  relationOf(id: number): string {
    const model = this.model(id);
    if (model?.materialization === 'ephemeral') {
      return `__dbt__cte__${model.name}`;
    }
    return this.profile.relation(this.databaseOf(id), this.schemaOf(id), this.nameOf(id));
  }

  /** The SQL a ref/source call compiles from and to. */
  referenceOf(id: number): { raw: string; compiled: string } {
    if (this.kinds[id] === 'source') {
      const source = this.sources[this.slot[id]!]!;
      return {
        raw: `{{ source('${source.sourceName}', '${source.table}') }}`,
        compiled: this.relationOf(id),
      };
    }
    return { raw: `{{ ref('${this.nameOf(id)}') }}`, compiled: this.relationOf(id) };
  }

  keyOf(id: number): string {
    switch (this.kinds[id]) {
      case 'model':
        return this.models[this.slot[id]!]!.columns[0]!.name;
      case 'seed':
        return this.seeds[this.slot[id]!]!.columns[0]!.name;
      case 'snapshot':
        return 'dbt_scd_id';
      default:
        return 'id';
    }
  }

  entityOf(id: number): string {
    switch (this.kinds[id]) {
      case 'model':
        return this.models[this.slot[id]!]!.entity;
      case 'source':
        return this.sources[this.slot[id]!]!.entity;
      case 'snapshot':
        return this.sources[this.slot[this.snapshots[this.slot[id]!]!.source]!]!.entity;
      default:
        return this.nameOf(id);
    }
  }
}

function fillerKind(random: Random): FillerKind {
  let roll = random.next() * fillerTotal;
  for (const [kind, weight] of fillerWeights) {
    roll -= weight;
    if (roll < 0) {
      return kind;
    }
  }
  return 'text';
}

/** Adds `count` filler columns with names not yet in `taken`. */
function addFillerColumns(
  plan: ProjectPlan,
  random: Random,
  columns: Column[],
  taken: Set<string>,
  count: number,
): void {
  for (let added = 0, attempts = 0; added < count && attempts < count * 10; attempts += 1) {
    const kind = fillerKind(random);
    let name = random.pick(columnPools[kind]);
    if (taken.has(name)) {
      // Pools are small: a second column of a kind gets a qualifier, as real models have `billing_city`.
      name = `${random.pick(['billing', 'shipping', 'original', 'previous', 'latest', 'reported', 'local'])}_${name}`;
      if (taken.has(name)) {
        continue;
      }
    }
    taken.add(name);
    columns.push(plan.column(name, kind));
    added += 1;
  }
}

function uniqueName(taken: Set<string>, candidates: string[]): string {
  for (const candidate of candidates) {
    if (!taken.has(candidate)) {
      taken.add(candidate);
      return candidate;
    }
  }
  const base = candidates[0]!;
  for (let suffix = 2; ; suffix += 1) {
    const name = `${base}_${suffix}`;
    if (!taken.has(name)) {
      taken.add(name);
      return name;
    }
  }
}

function planProject(options: Required<Omit<DbtProjectOptions, 'outputDirectory'>>): ProjectPlan {
  const { models: modelCount, seed, adapter, projectName } = options;
  const profile = adapterProfiles[adapter];
  const plan = new ProjectPlan(projectName, adapter, profile, seed, options.failingTests);
  const random = Random.for(seed, 1);
  const pkg = projectName;
  const entities = vocabulary.entities;
  const domains = vocabulary.domains.filter(Boolean);

  // Sources: ≈ one table per 20 models, grouped by system like real `_sources.yml` files.
  const sourceCount = Math.max(3, Math.round(modelCount / 20));
  for (let index = 0; index < sourceCount; index += 1) {
    const systemIndex = Math.floor(index / TABLES_PER_SOURCE);
    const [system, loader, loadedAtField] = sourceSystems[systemIndex % sourceSystems.length]!;
    const round = Math.floor(systemIndex / sourceSystems.length);
    const region = sourceRegions[round % sourceRegions.length]!;
    const sourceName = `${system}${region}${round >= sourceRegions.length ? `_${Math.floor(round / sourceRegions.length) + 1}` : ''}`;
    // The tables of one system are distinct entities, in an order of their own.
    const table = Random.for(seed, 2, systemIndex).sample(entities, TABLES_PER_SOURCE)[
      index % TABLES_PER_SOURCE
    ]!;
    const columns: Column[] = [plan.column('id', 'key')];
    const taken = new Set(['id', loadedAtField]);
    addFillerColumns(plan, random, columns, taken, random.int(6, 20));
    columns.push(plan.column(loadedAtField, 'timestamp'));
    const freshness = random.chance(0.85)
      ? random.pick<{ warn: [number, string]; error: [number, string] }>([
          { warn: [12, 'hour'], error: [24, 'hour'] },
          { warn: [6, 'hour'], error: [12, 'hour'] },
          { warn: [1, 'day'], error: [2, 'day'] },
          { warn: [30, 'minute'], error: [2, 'hour'] },
        ])
      : null;
    const source: SourcePlan = {
      id: -1,
      index,
      sourceName,
      loader,
      loadedAtField,
      table,
      entity: table,
      schema: `raw_${sourceName}`,
      columns,
      documented: random.chance(0.5) ? random.int(3, Math.min(8, columns.length)) : 0,
      freshness,
    };
    source.id = plan.register('source', `source.${pkg}.${sourceName}.${table}`, index);
    plan.sources.push(source);
  }

  const seedCount = Math.max(3, Math.round(modelCount / 250));
  const seedNamesTaken = new Set<string>();
  for (let index = 0; index < seedCount; index += 1) {
    const name = uniqueName(seedNamesTaken, [seedNames[index % seedNames.length]!]);
    const key = `${singular(name.split('_')[0]!)}_code`;
    const columns: Column[] = [plan.column(key, 'key')];
    const taken = new Set([key]);
    addFillerColumns(plan, random, columns, taken, random.int(2, 5));
    const seedPlan: SeedPlan = {
      id: -1,
      index,
      name,
      columns,
      documented: random.chance(0.6),
      rows: random.int(5, 400),
    };
    seedPlan.id = plan.register('seed', `seed.${pkg}.${name}`, index);
    plan.seeds.push(seedPlan);
  }

  const stagingCount = Math.max(1, Math.round(modelCount * 0.35));
  const intermediateCount = Math.max(0, Math.min(modelCount - stagingCount, Math.round(modelCount * 0.35)));
  const martCount = modelCount - stagingCount - intermediateCount;
  const modelNames = new Set<string>();
  const layerIds: Record<Layer, number[]> = { staging: [], intermediate: [], marts: [] };
  const snapshotCount = Math.max(2, Math.round(modelCount / 100));

  const addModel = (layer: Layer, index: number) => {
    const modelRandom = Random.for(seed, 3, index);
    const parents: number[] = [];
    let entity: string;
    let domain: string;
    let name: string;
    if (layer === 'staging') {
      // Several staging models may read one source table (history, deleted rows, regions).
      const source = plan.sources[index % plan.sources.length]!;
      parents.push(source.id);
      if (modelRandom.chance(0.08) && plan.sources.length > 1) {
        parents.push(plan.sources[(index * 7 + 3) % plan.sources.length]!.id);
      }
      if (modelRandom.chance(0.04)) {
        parents.push(modelRandom.pick(plan.seeds).id);
      }
      entity = source.entity;
      domain = source.sourceName;
      const base = `stg_${source.sourceName}__${source.table}`;
      name = uniqueName(modelNames, [base, ...stagingVariants.map((variant) => `${base}${variant}`)]);
    } else {
      const pool = layer === 'intermediate' ? layerIds.staging : layerIds.intermediate;
      const parentCount = layer === 'intermediate' ? modelRandom.int(1, 3) : modelRandom.int(1, 4);
      const sameLayer = layerIds[layer];
      for (let attempt = 0; parents.length < parentCount && attempt < parentCount * 4; attempt += 1) {
        const roll = modelRandom.next();
        let candidate: number | undefined;
        if (roll < 0.7 || sameLayer.length === 0) {
          // Locality: parents cluster around the same position of the previous layer, giving domain-shaped
          // lineage instead of a uniform tangle.
          const centre = Math.floor(((index % 1000) / 1000) * pool.length);
          const spread = Math.max(1, Math.round(pool.length * 0.02));
          candidate = pool.length
            ? pool[Math.min(pool.length - 1, Math.max(0, centre + modelRandom.int(-spread, spread)))]
            : undefined;
        } else if (roll < 0.9) {
          const window = Math.min(sameLayer.length, 400);
          candidate = sameLayer[sameLayer.length - 1 - modelRandom.int(0, window - 1)];
        } else if (roll < 0.95 && plan.snapshots.length > 0) {
          candidate = modelRandom.pick(plan.snapshots).id;
        } else if (layer === 'marts' && layerIds.staging.length > 0) {
          candidate = modelRandom.pick(layerIds.staging);
        } else {
          candidate = modelRandom.pick(plan.seeds).id;
        }
        if (candidate !== undefined && !parents.includes(candidate)) {
          parents.push(candidate);
        }
      }
      if (parents.length === 0) {
        parents.push((layerIds.staging.length ? layerIds.staging : plan.sources.map((s) => s.id))[0]!);
      }
      entity = modelRandom.chance(0.6) ? plan.entityOf(parents[0]!) : modelRandom.pick(entities);
      domain = modelRandom.pick(domains);
      if (layer === 'intermediate') {
        const verb = modelRandom.pick(intermediateVerbs);
        name = uniqueName(modelNames, [`int_${entity}_${verb}`, `int_${domain}__${entity}_${verb}`]);
      } else {
        const prefix = modelRandom.pick(martPrefixes);
        const suffix = modelRandom.pick(vocabulary.suffixes);
        name = uniqueName(modelNames, [
          `${prefix}${entity}${suffix}`,
          `${prefix}${domain}_${entity}${suffix}`,
          `${prefix}${domain}_${entity}_${modelRandom.pick(intermediateVerbs)}`,
        ]);
      }
    }

    const key = `${singular(entity)}_id`;
    const columns: Column[] = [plan.column(key, 'key')];
    const taken = new Set([key]);
    const foreignKeys: [string, number][] = [];
    for (const parent of parents) {
      const kind = plan.kinds[parent];
      if (kind !== 'model' && kind !== 'seed') {
        continue;
      }
      const parentKey = plan.keyOf(parent);
      if (!taken.has(parentKey) && foreignKeys.length < 3) {
        taken.add(parentKey);
        columns.push(plan.column(parentKey, 'foreign_key'));
        foreignKeys.push([parentKey, parent]);
      }
    }
    if (layer === 'staging' && modelRandom.chance(0.5)) {
      const foreign = `${singular(modelRandom.pick(entities))}_id`;
      if (!taken.has(foreign)) {
        taken.add(foreign);
        columns.push(plan.column(foreign, 'foreign_key'));
      }
    }
    addFillerColumns(
      plan,
      modelRandom,
      columns,
      taken,
      Math.max(0, modelRandom.int(12, 19) - columns.length),
    );
    const extraColumns = modelRandom.chance(0.1)
      ? modelRandom
          .sample(
            ['_loaded_at', '_dbt_source_relation', '_row_hash', '_ingested_by', '_batch_id'],
            modelRandom.int(1, 3),
          )
          .map((extra) => plan.column(extra, extra === '_loaded_at' ? 'timestamp' : 'text'))
      : [];

    const materialization: Materialization =
      layer === 'staging'
        ? 'view'
        : layer === 'intermediate'
          ? modelRandom.chance(0.1)
            ? 'ephemeral'
            : modelRandom.chance(0.55)
              ? 'view'
              : 'table'
          : modelRandom.chance(0.4)
            ? 'incremental'
            : 'table';
    const schema =
      layer === 'staging'
        ? `${profile.targetSchema}_staging`
        : layer === 'intermediate'
          ? `${profile.targetSchema}_intermediate`
          : `${profile.targetSchema}_${domain}`;
    const tags = [layer, ...(layer === 'marts' ? [domain] : [])];
    if (modelRandom.chance(0.2)) {
      tags.push(modelRandom.pick(['daily', 'hourly', 'pii', 'finance_close', 'sla_critical']));
    }
    const model: ModelPlan = {
      id: -1,
      index,
      name,
      layer,
      domain,
      entity,
      materialization,
      schema,
      parents,
      columns,
      extraColumns,
      foreignKeys,
      group: layer === 'marts' && modelRandom.chance(0.7) ? domain : null,
      access: layer === 'marts' ? (modelRandom.chance(0.35) ? 'public' : 'protected') : 'protected',
      contract: layer === 'marts' && modelRandom.chance(0.1),
      tags,
      hasChildren: false,
    };
    model.id = plan.register('model', `model.${pkg}.${name}`, plan.models.length, parents);
    plan.models.push(model);
    layerIds[layer].push(model.id);
    for (const parent of parents) {
      const parentModel = plan.model(parent);
      if (parentModel) {
        parentModel.hasChildren = true;
      }
    }
    if (model.group && !plan.groups.includes(model.group)) {
      plan.groups.push(model.group);
    }
  };

  let modelIndex = 0;
  for (let index = 0; index < stagingCount; index += 1) {
    addModel('staging', modelIndex++);
  }
  // Snapshots capture source tables before the intermediate layer, which may read them.
  for (let index = 0; index < snapshotCount; index += 1) {
    const source = plan.sources[(index * 3) % plan.sources.length]!;
    const name = uniqueName(modelNames, [`${source.sourceName}__${source.table}_snapshot`]);
    const snapshot: SnapshotPlan = {
      id: -1,
      index,
      name,
      source: source.id,
      columns: [
        ...source.columns,
        plan.column('dbt_scd_id', 'text'),
        plan.column('dbt_updated_at', 'timestamp'),
        plan.column('dbt_valid_from', 'timestamp'),
        plan.column('dbt_valid_to', 'timestamp'),
      ],
    };
    snapshot.id = plan.register('snapshot', `snapshot.${pkg}.${name}`, index, [source.id]);
    plan.snapshots.push(snapshot);
  }
  for (let index = 0; index < intermediateCount; index += 1) {
    addModel('intermediate', modelIndex++);
  }
  for (let index = 0; index < martCount; index += 1) {
    addModel('marts', modelIndex++);
  }
  planTests(plan, random);
  planSemanticLayer(plan, random);
  planExposuresAndUnitTests(plan, random);
  plan.macros.push(...buildMacros(pkg, adapter, Random.for(seed, 9)));

  // Two disabled models: in `disabled`, nowhere else (not in nodes, maps, catalog or run_results).
  for (let index = 0; index < 2 && plan.models.length > 0; index += 1) {
    const base = plan.models[(index * 13) % plan.models.length]!;
    plan.disabled.push({
      ...base,
      id: -1,
      name: uniqueName(modelNames, [`${base.name}_deprecated`]),
      parents: [base.id],
    });
  }
  return plan;
}

function testAlias(identifier: string, fullName: string): string {
  // dbt shortens generic test identifiers of 64+ characters to 30 characters + md5 of the full name.
  return fullName.length >= 64 ? `${identifier.slice(0, 30)}_${md5(fullName)}` : fullName;
}

function planTests(plan: ProjectPlan, random: Random): void {
  const pkg = plan.packageName;
  const add = (test: Omit<TestPlan, 'id' | 'uid'>) => {
    const uid = `test.${pkg}.${test.name}.${md5(`${test.name}:${plan.uids[test.attached]}`).slice(0, 10)}`;
    const full: TestPlan = { ...test, id: -1, uid };
    full.id = plan.register('test', uid, plan.tests.length, [...test.nodes]);
    plan.tests.push(full);
  };
  const generic = (
    kind: Exclude<TestKind, 'singular'>,
    attached: number,
    column: string | null,
    extra: Partial<TestPlan> = {},
  ) => {
    const isSource = plan.kinds[attached] === 'source';
    const target = isSource
      ? `${plan.sources[plan.slot[attached]!]!.sourceName}_${plan.nameOf(attached)}`
      : plan.nameOf(attached);
    const prefix = `${isSource ? 'source_' : ''}${kind === 'expression_is_true' ? 'dbt_utils_' : ''}${kind}`;
    const identifier = `${prefix}_${target}`;
    let suffix = column ? `_${column}` : '';
    if (kind === 'accepted_values') {
      suffix += `__${extra.values!.join('__')}`;
    } else if (kind === 'relationships') {
      suffix += `__${extra.field}__ref_${plan.nameOf(extra.to!)}_`;
    } else if (kind === 'expression_is_true') {
      suffix = `_${extra.expression!.replace(/[^A-Za-z0-9]+/g, '_').replace(/_+$/, '')}`;
    }
    const name = `${identifier}${suffix}`;
    add({
      kind,
      name,
      alias: testAlias(identifier, name),
      attached,
      column,
      nodes: extra.to !== undefined ? [extra.to, attached] : [attached],
      severity: random.chance(0.05) ? 'warn' : 'ERROR',
      where: random.chance(0.03) ? `${random.pick(['created_at', 'updated_at'])} >= current_date - 30` : null,
      failures: 0,
      ...extra,
    });
  };

  for (const source of plan.sources) {
    if (source.documented > 0) {
      generic('unique', source.id, 'id');
      generic('not_null', source.id, 'id');
    }
  }
  for (const seed of plan.seeds) {
    if (seed.documented && random.chance(0.5)) {
      generic('unique', seed.id, seed.columns[0]!.name);
    }
  }
  for (const model of plan.models) {
    const modelRandom = Random.for(plan.seed, 4, model.index);
    const key = model.columns[0]!.name;
    if (modelRandom.chance(0.97)) {
      generic('not_null', model.id, key);
      generic('unique', model.id, key);
    }
    for (const [column, parent] of model.foreignKeys) {
      if (modelRandom.chance(0.4)) {
        generic('not_null', model.id, column);
      }
      if (plan.kinds[parent] === 'model' && modelRandom.chance(0.3)) {
        generic('relationships', model.id, column, { to: parent, field: plan.keyOf(parent) });
      }
    }
    const categorised = model.columns.find((column) => acceptedValues[column.name]);
    if (categorised && modelRandom.chance(0.45)) {
      generic('accepted_values', model.id, categorised.name, { values: acceptedValues[categorised.name] });
    }
    const amount = model.columns.find((column) => column.kind === 'amount');
    if (model.layer === 'marts' && amount && modelRandom.chance(0.2)) {
      generic('expression_is_true', model.id, null, { expression: `${amount.name} >= 0` });
    }
  }
  const singularCount = Math.max(2, Math.round(plan.models.length / 100));
  const marts = plan.models.filter((model) => model.layer === 'marts');
  const candidates = marts.length > 0 ? marts : plan.models;
  for (let index = 0; index < singularCount && candidates.length > 0; index += 1) {
    const model = candidates[(index * 37) % candidates.length]!;
    const check = singularChecks[index % singularChecks.length]!;
    const nodes = [model.id];
    const other = model.parents.find((parent) => plan.kinds[parent] === 'model');
    if (other !== undefined && check === 'revenue_matches_ledger') {
      nodes.push(other);
    }
    add({
      kind: 'singular',
      name: `assert_${model.name}_${check}`,
      alias: `assert_${model.name}_${check}`,
      attached: model.id,
      column: null,
      nodes,
      severity: 'ERROR',
      where: null,
      failures: 0,
    });
  }

  // Failing tests sit on leaves of the model DAG (or are singular): in `dbt build` a failing test on a model with
  // children would skip them, which a benchmark data set should not have to model.
  const eligible = plan.tests.filter((test) => {
    const model = plan.model(test.attached);
    return (
      test.severity === 'ERROR' && (test.kind === 'singular' || (model !== undefined && !model.hasChildren))
    );
  });
  const failRandom = Random.for(plan.seed, 5);
  for (const test of failRandom.sample(eligible, plan.failingTests)) {
    test.failures = failRandom.chance(0.7) ? failRandom.int(1, 50) : failRandom.int(51, 25_000);
  }
}

function planSemanticLayer(plan: ProjectPlan, random: Random): void {
  const pkg = plan.packageName;
  const eligible = plan.models.filter(
    (model) =>
      model.layer === 'marts' &&
      model.materialization !== 'ephemeral' &&
      model.columns.some((column) => column.kind === 'amount') &&
      model.columns.some((column) => column.kind === 'timestamp'),
  );
  const count = Math.min(eligible.length, Math.min(12, Math.max(3, Math.round(plan.models.length / 1000))));
  const names = new Set<string>();
  const metricNames = new Set<string>();
  for (const model of random.sample(eligible, count)) {
    const name = uniqueName(names, [model.name.replace(/^(fct|dim|rpt|agg)_/, '')]);
    const amounts = model.columns.filter((column) => column.kind === 'amount').slice(0, 3);
    const measures = [
      { name: `${name}_count`, agg: 'count_distinct', expr: model.columns[0]!.name },
      ...amounts.map((column) => ({ name: `${name}_${column.name}`, agg: 'sum', expr: column.name })),
    ];
    const semantic: SemanticModelPlan = {
      id: -1,
      name,
      model: model.id,
      measures,
      timeDimension: model.columns.find((column) => column.kind === 'timestamp')!.name,
      dimensions: model.columns.filter((column) => column.kind === 'category').map((column) => column.name),
    };
    semantic.id = plan.register(
      'semantic_model',
      `semantic_model.${pkg}.${name}`,
      plan.semanticModels.length,
      [model.id],
    );
    plan.semanticModels.push(semantic);
    const simple: MetricPlan[] = [];
    for (const measure of measures) {
      const metric: MetricPlan = {
        id: -1,
        name: uniqueName(metricNames, [measure.name.replace(/_count$/, 's')]),
        type: 'simple',
        semanticModel: semantic.id,
        measure: measure.name,
      };
      metric.id = plan.register('metric', `metric.${pkg}.${metric.name}`, plan.metrics.length, [semantic.id]);
      plan.metrics.push(metric);
      simple.push(metric);
    }
    if (simple.length >= 2) {
      const [count, amount] = simple as [MetricPlan, MetricPlan];
      const metric: MetricPlan = {
        id: -1,
        name: uniqueName(metricNames, [`average_${amount.name}_per_${singular(name)}`]),
        type: 'derived',
        semanticModel: semantic.id,
        inputs: [count.name, amount.name],
      };
      metric.id = plan.register('metric', `metric.${pkg}.${metric.name}`, plan.metrics.length, [
        count.id,
        amount.id,
      ]);
      plan.metrics.push(metric);
    }
  }
  const savedQueryCount = Math.min(2, plan.semanticModels.length);
  for (let index = 0; index < savedQueryCount; index += 1) {
    const semantic = plan.semanticModels[index]!;
    const metrics = plan.metrics.filter(
      (metric) => metric.semanticModel === semantic.id && metric.type === 'simple',
    );
    const saved: SavedQueryPlan = {
      id: -1,
      name: `${semantic.name}_weekly`,
      metrics: metrics.map((metric) => metric.id),
      groupBy: `Entity('${singular(plan.entityOf(semantic.model))}')`,
    };
    saved.id = plan.register('saved_query', `saved_query.${pkg}.${saved.name}`, index, [...saved.metrics]);
    plan.savedQueries.push(saved);
  }
}

function planExposuresAndUnitTests(plan: ProjectPlan, random: Random): void {
  const pkg = plan.packageName;
  const marts = plan.models.filter(
    (model) => model.layer === 'marts' && model.materialization !== 'ephemeral',
  );
  const exposureCount = marts.length ? Math.max(2, Math.round(plan.models.length / 100)) : 0;
  const names = new Set<string>();
  for (let index = 0; index < exposureCount; index += 1) {
    const first = marts[(index * 11) % marts.length]!;
    const nodes = [first.id];
    for (const other of random.sample(marts, random.int(0, 4))) {
      if (!nodes.includes(other.id)) {
        nodes.push(other.id);
      }
    }
    const type = random.pick(exposureKinds);
    const exposure: ExposurePlan = {
      id: -1,
      name: uniqueName(names, [`${first.domain}_${first.entity}_${type}`]),
      type,
      domain: first.domain,
      nodes,
    };
    exposure.id = plan.register('exposure', `exposure.${pkg}.${exposure.name}`, index, [...nodes]);
    plan.exposures.push(exposure);
  }
  const staging = plan.models.filter((model) => model.layer === 'staging');
  const unitCount = Math.min(staging.length, Math.max(2, Math.round(plan.models.length / 2000)));
  for (let index = 0; index < unitCount; index += 1) {
    const model = staging[(index * 17) % staging.length]!;
    const unit: UnitTestPlan = {
      id: -1,
      name: `test_${model.name}_${random.pick(['casts_amounts', 'renames_columns', 'drops_test_rows', 'maps_status'])}`,
      model: model.id,
    };
    if (plan.uids.includes(`unit_test.${pkg}.${model.name}.${unit.name}`)) {
      continue;
    }
    unit.id = plan.register(
      'unit_test',
      `unit_test.${pkg}.${model.name}.${unit.name}`,
      plan.unitTests.length,
      [model.id],
    );
    plan.unitTests.push(unit);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Macros: real manifests carry hundreds (dbt's global project, the adapter, packages) and tests/models point at
// them through depends_on.macros.

const dispatchedMacros = [
  'create_table_as',
  'get_create_table_as_sql',
  'create_view_as',
  'get_create_view_as_sql',
  'drop_relation',
  'truncate_relation',
  'rename_relation',
  'get_columns_in_relation',
  'alter_column_type',
  'alter_relation_comment',
  'alter_column_comment',
  'persist_docs',
  'get_catalog',
  'get_catalog_relations',
  'list_relations_without_caching',
  'list_schemas',
  'check_schema_exists',
  'create_schema',
  'drop_schema',
  'current_timestamp',
  'snapshot_merge_sql',
  'get_merge_sql',
  'get_delete_insert_merge_sql',
  'get_insert_overwrite_merge_sql',
  'get_incremental_append_sql',
  'get_incremental_merge_sql',
  'get_incremental_default_sql',
  'get_incremental_delete_insert_sql',
  'get_incremental_microbatch_sql',
  'get_show_grant_sql',
  'get_grant_sql',
  'get_revoke_sql',
  'get_relation_last_modified',
  'get_limit_subquery_sql',
  'get_empty_subquery_sql',
  'get_empty_schema_sql',
  'get_column_schema_from_query',
  'get_columns_in_query',
  'load_csv_rows',
  'create_csv_table',
  'reset_csv_table',
  'get_binding_char',
  'get_batch_size',
  'make_temp_relation',
  'make_intermediate_relation',
  'make_backup_relation',
  'get_replace_sql',
  'get_rename_sql',
  'get_drop_sql',
  'refresh_materialized_view',
  'get_create_materialized_view_as_sql',
  'get_alter_materialized_view_as_sql',
  'dateadd',
  'datediff',
  'date_trunc',
  'safe_cast',
  'type_string',
  'type_timestamp',
  'type_float',
  'type_numeric',
  'type_bigint',
  'type_int',
  'type_boolean',
  'hash',
  'concat',
  'split_part',
  'listagg',
  'any_value',
  'bool_or',
  'cast_bool_to_text',
  'escape_single_quotes',
  'except',
  'intersect',
  'last_day',
  'position',
  'replace',
  'right',
  'length',
  'string_literal',
  'array_construct',
  'array_append',
  'array_concat',
  'test_unique',
  'test_not_null',
  'test_accepted_values',
  'test_relationships',
  'get_where_subquery',
  'get_test_sql',
  'get_unit_test_sql',
  'collect_freshness',
  'validate_sql',
  'get_fixture_sql',
  'format_row',
];
const plainDbtMacros = [
  'is_incremental',
  'should_full_refresh',
  'generate_schema_name',
  'generate_alias_name',
  'generate_database_name',
  'run_hooks',
  'statement',
  'noop_statement',
  'run_query',
  'materialization_table_default',
  'materialization_view_default',
  'materialization_incremental_default',
  'materialization_snapshot_default',
  'materialization_seed_default',
  'materialization_test_default',
  'materialization_unit_default',
  'materialization_materialized_view_default',
  'materialization_clone_default',
];
const utilsMacros = [
  'generate_surrogate_key',
  'star',
  'union_relations',
  'date_spine',
  'pivot',
  'unpivot',
  'get_column_values',
  'get_relations_by_pattern',
  'get_relations_by_prefix',
  'deduplicate',
  'safe_add',
  'safe_divide',
  'safe_subtract',
  'group_by',
  'haversine_distance',
  'nullcheck',
  'nullcheck_table',
  'width_bucket',
  'generate_series',
  'get_powers_of_two',
  'get_url_parameter',
  'get_url_host',
  'get_url_path',
  'get_filtered_columns_in_relation',
  'get_single_value',
  'get_table_types_sql',
  'get_query_results_as_dict',
  'test_expression_is_true',
  'test_not_constant',
  'test_not_empty_string',
  'test_at_least_one',
  'test_cardinality_equality',
  'test_equal_rowcount',
  'test_fewer_rows_than',
  'test_recency',
  'test_unique_combination_of_columns',
  'test_accepted_range',
  'test_not_null_proportion',
  'test_relationships_where',
  'test_sequential_values',
  'test_mutually_exclusive_ranges',
  'test_not_accepted_values',
  'test_equality',
  'slugify',
  'pretty_time',
  'pretty_log_format',
  'log_info',
];
const projectMacros = [
  'cents_to_dollars',
  'grant_select_on_schemas',
  'limit_data_in_dev',
  'convert_timezone',
  'clean_string',
  'fiscal_quarter',
];
const macroArguments = [
  'relation',
  'column_name',
  'model',
  'sql',
  'temporary',
  'target_relation',
  'source_sql',
  'unique_key',
  'dest_columns',
  'incremental_predicates',
  'datepart',
  'interval',
  'from_date_or_timestamp',
  'field',
  'values',
  'to',
];

function macroBody(name: string, args: string[], random: Random): string {
  const statements = [
    `{%- set ${random.pick(['sql', 'query', 'columns', 'relation_exists'])} = ${random.pick(['adapter.get_columns_in_relation', 'run_query', 'load_result', 'api.Relation.create'])}(${args[0] ?? ''}) -%}`,
    `{% if execute %}\n    {%- set results = run_query(sql) -%}\n    {{ return(results.columns[0].values()) }}\n  {% endif %}`,
    `{% call statement('${name}', fetch_result=True) -%}\n    select ${args.map((arg) => `{{ ${arg} }}`).join(', ') || '1'}\n  {%- endcall %}`,
    `{{ log("${name}: " ~ ${args[0] ?? "''"}, info=False) }}`,
    `{%- for column in columns -%}\n    {{ adapter.quote(column.name) }}{{ ',' if not loop.last }}\n  {%- endfor -%}`,
    `{{ exceptions.raise_compiler_error("${name} is not supported by this adapter") }}`,
  ];
  return random.sample(statements, random.int(2, 4)).join('\n  ');
}

function buildMacros(pkg: string, adapter: DbtAdapter, random: Random): Macro[] {
  const macros: Macro[] = [];
  const adapterPackage = `dbt_${adapter}`;
  const add = (
    packageName: string,
    name: string,
    path: string,
    args: string[],
    dependsOn: string[],
    body: string,
  ) => {
    macros.push({
      uid: `macro.${packageName}.${name}`,
      name,
      packageName,
      path,
      arguments: args,
      dependsOn,
      body,
    });
  };
  const argsFor = (name: string) => {
    const local = Random.for(hashParts(...[...name].map((character) => character.charCodeAt(0))));
    return local.sample(macroArguments, local.int(0, 3));
  };
  const dispatched = (packageName: string, name: string, path: string, overrideAdapter: boolean) => {
    const args = argsFor(name);
    const list = args.join(', ');
    add(
      packageName,
      name,
      path,
      args,
      [`macro.${packageName}.default__${name}`],
      `{% macro ${name}(${list}) -%}\n  {{ return(adapter.dispatch('${name}', '${packageName}')(${list})) }}\n{%- endmacro %}`,
    );
    add(
      packageName,
      `default__${name}`,
      path,
      args,
      [],
      `{% macro default__${name}(${list}) -%}\n  ${macroBody(name, args, random)}\n{%- endmacro %}`,
    );
    if (overrideAdapter) {
      add(
        adapterPackage,
        `${adapter}__${name}`,
        `macros/${random.pick(['adapters', 'relations', 'utils', 'materializations'])}/${name}.sql`,
        args,
        [],
        `{% macro ${adapter}__${name}(${list}) -%}\n  ${macroBody(name, args, random)}\n{%- endmacro %}`,
      );
    }
  };
  for (const name of dispatchedMacros) {
    const folder = name.startsWith('test_')
      ? 'generic_test_sql'
      : name.startsWith('type_') || ['dateadd', 'datediff', 'date_trunc', 'hash', 'concat'].includes(name)
        ? 'utils'
        : 'adapters';
    dispatched('dbt', name, `macros/${folder}/${name}.sql`, random.chance(0.4));
  }
  for (const name of plainDbtMacros) {
    const args = argsFor(name);
    add(
      'dbt',
      name,
      `macros/${name.startsWith('materialization_') ? 'materializations' : 'etc'}/${name}.sql`,
      args,
      [],
      `{% macro ${name}(${args.join(', ')}) -%}\n  ${macroBody(name, args, random)}\n{%- endmacro %}`,
    );
  }
  for (const name of utilsMacros) {
    dispatched(
      'dbt_utils',
      name,
      `macros/${name.startsWith('test_') ? 'generic_tests' : 'sql'}/${name}.sql`,
      false,
    );
  }
  for (const name of projectMacros) {
    dispatched(pkg, name, `macros/${name}.sql`, false);
  }
  return macros;
}

// ---------------------------------------------------------------------------------------------------------------
// Text: descriptions and SQL, derived from per-entity random streams.

function columnDescription(
  plan: ProjectPlan,
  column: Column,
  entity: string,
  owner: string,
  random: Random,
  foreignTo?: number,
): string {
  const thing = readable(singular(entity));
  const name = readable(column.name);
  let text: string;
  switch (column.kind) {
    case 'key':
      text = random.pick([
        `The primary key of ${owner}: one row per ${thing}. Stable across loads and safe to join on.`,
        `Unique identifier of the ${thing}, taken from the source system's natural key and cast to text.`,
      ]);
      break;
    case 'foreign_key': {
      const target =
        foreignTo !== undefined ? plan.nameOf(foreignTo) : `the ${name.replace(/ id$/, '')} records`;
      text = random.pick([
        `Foreign key to ${target}. Joins each ${thing} to its ${name.replace(/ id$/, '')}; null when that record was deleted upstream.`,
        `Identifier of the related ${name.replace(/ id$/, '')} (see ${target}). Checked by a relationships test where the grain allows it.`,
      ]);
      break;
    }
    case 'timestamp':
      text = `Timestamp (UTC) when the ${thing} was ${name.replace(/ at$/, '')}. Converted from the source system's local time zone.`;
      break;
    case 'date':
      text = `Calendar ${name} of the ${thing}, in the reporting time zone (America/New_York).`;
      break;
    case 'boolean':
      text = `True when the ${thing} ${name.replace(/^is /, 'is ').replace(/^has /, 'has ')}. Derived in the staging layer; never null.`;
      break;
    case 'amount':
      text = `${capitalised(name)} of the ${thing} in USD, after currency conversion at the daily rate. Refunds are netted once settled.`;
      break;
    case 'count':
      text = `${capitalised(name)} for the ${thing} over its lifetime. Zero rather than null when there is no activity.`;
      break;
    case 'ratio':
      text = `${capitalised(name)} of the ${thing} as a fraction between 0 and 1, computed over the trailing 28 days.`;
      break;
    case 'json':
      text = `Semi-structured ${name} of the ${thing} as delivered by the source; parse it with the warehouse's JSON functions.`;
      break;
    case 'category': {
      const values = acceptedValues[column.name];
      text = values
        ? `${capitalised(name)} of the ${thing}, one of: ${values.join(', ')}.`
        : `${capitalised(name)} of the ${thing}, mapped from the source system's codes to readable labels.`;
      break;
    }
    default:
      text = `${capitalised(name)} of the ${thing} as entered in the source system; trimmed, not normalised.`;
  }
  if (random.chance(0.15)) {
    text += ` ${random.pick(descriptionTails)}`;
  }
  return text;
}

function nodeDescription(entity: string, random: Random): string {
  return `${random.pick(vocabulary.grains)} ${readable(entity)} ${random.pick(vocabulary.clauses)}. ${random.pick(vocabulary.origins)} ${random.pick(vocabulary.tails)}`.trim();
}

/** Raw and compiled SQL built side by side, so they always agree. */
class SqlBuilder {
  raw = '';
  compiled = '';

  both(text: string): this {
    this.raw += text;
    this.compiled += text;
    return this;
  }

  split(raw: string, compiled: string): this {
    this.raw += raw;
    this.compiled += compiled;
    return this;
  }
}

function cteName(plan: ProjectPlan, id: number, taken: Set<string>): string {
  const base = plan
    .nameOf(id)
    .replace(/^(stg|int|fct|dim|rpt|agg)_/, '')
    .replace(/^[a-z0-9_]+__/, '');
  return uniqueName(taken, [base || 'upstream']);
}

/** A model's SQL; its own random stream, so manifest.json and run_results.json get the same text. */
function modelSql(
  plan: ProjectPlan,
  model: ModelPlan,
): { raw: string; compiled: string; macros: string[]; ephemeralParents: ModelPlan[] } {
  const random = Random.for(plan.seed, 8, model.index);
  const sql = new SqlBuilder();
  const macros = new Set<string>();
  // Disabled models have no entity id; their relation is where they would be built.
  const relation = plan.profile.relation(plan.profile.database, model.schema, model.name);
  if (model.materialization === 'incremental') {
    sql.split(
      `{{\n    config(\n        materialized='incremental',\n        unique_key='${model.columns[0]!.name}',\n        incremental_strategy='merge',\n        on_schema_change='append_new_columns'\n    )\n}}\n\n`,
      '\n\n',
    );
  } else if (random.chance(0.25)) {
    sql.split(
      `{{\n    config(\n        materialized='${model.materialization}',\n        tags=${JSON.stringify(model.tags).replace(/"/g, "'")}\n    )\n}}\n\n`,
      '\n\n',
    );
  }
  const taken = new Set<string>();
  const aliases: string[] = [];
  sql.both('with\n\n');
  for (const parent of model.parents) {
    const alias = cteName(plan, parent, taken);
    aliases.push(alias);
    const reference = plan.referenceOf(parent);
    sql
      .both(`${alias} as (\n\n    select * from `)
      .split(reference.raw, reference.compiled)
      .both('\n\n),\n\n');
  }
  const first = aliases[0]!;
  const foreignAlias = new Map(model.foreignKeys.map(([column, parent]) => [column, parent]));
  const aliasOfParent = new Map(model.parents.map((parent, index) => [parent, aliases[index]!]));
  const final = model.layer === 'staging' ? 'renamed' : model.layer === 'intermediate' ? 'joined' : 'final';
  sql.both(`${final} as (\n\n    select\n`);
  const lines: { raw: string; compiled: string }[] = [];
  const aggregate = model.layer === 'marts' && model.materialization !== 'incremental' && random.chance(0.4);
  const grouped: string[] = [];
  model.columns.forEach((column, index) => {
    const parent = foreignAlias.get(column.name);
    const source = parent !== undefined ? aliasOfParent.get(parent)! : aliases[index % aliases.length]!;
    if (model.layer === 'staging') {
      if (column.kind === 'amount' && random.chance(0.5)) {
        macros.add(`macro.${plan.packageName}.cents_to_dollars`);
        lines.push({
          raw: `{{ cents_to_dollars('${column.name}_cents') }} as ${column.name}`,
          compiled: `${plan.profile.centsToDollars(`${column.name}_cents`)} as ${column.name}`,
        });
      } else if (column.kind === 'key') {
        lines.push({ raw: `id as ${column.name}`, compiled: `id as ${column.name}` });
      } else if (column.kind === 'timestamp' && random.chance(0.4)) {
        const cast = `cast(${column.name.replace(/_at$/, '')} as ${plan.profile.types.timestamp.toLowerCase()}) as ${column.name}`;
        lines.push({ raw: cast, compiled: cast });
      } else {
        lines.push({ raw: column.name, compiled: column.name });
      }
    } else if (aggregate && (column.kind === 'amount' || column.kind === 'count')) {
      const expression = `${column.kind === 'amount' ? 'sum' : 'count'}(${source}.${column.name}) as ${column.name}`;
      lines.push({ raw: expression, compiled: expression });
    } else {
      const expression = `${source}.${column.name}`;
      grouped.push(expression);
      lines.push({ raw: expression, compiled: expression });
    }
  });
  if (model.layer === 'marts' && random.chance(0.3) && model.columns.length > 2) {
    macros.add('macro.dbt_utils.generate_surrogate_key');
    const parts = [model.columns[0]!.name, model.columns[1]!.name];
    lines.push({
      raw: `{{ dbt_utils.generate_surrogate_key(['${parts.join("', '")}']) }} as surrogate_key`,
      compiled: `${plan.profile.hashFunction}(cast(${parts
        .map(
          (part) =>
            `coalesce(cast(${part} as ${plan.profile.types.text.toLowerCase()}), '_dbt_utils_surrogate_key_null_')`,
        )
        .join(
          " || '-' || ",
        )} as ${plan.profile.types.text.toLowerCase()}))${plan.profile.hashFunction.includes('(') ? ')' : ''} as surrogate_key`,
    });
  }
  lines.forEach((line, index) => {
    const comma = index < lines.length - 1 ? ',' : '';
    sql.split(`        ${line.raw}${comma}\n`, `        ${line.compiled}${comma}\n`);
  });
  sql.both(`\n    from ${first}\n`);
  if (model.layer !== 'staging') {
    for (let index = 1; index < aliases.length; index += 1) {
      const join = model.foreignKeys.find(([, parent]) => aliasOfParent.get(parent) === aliases[index]);
      const on = join ? join[0] : model.columns[0]!.name;
      sql.both(`    left join ${aliases[index]}\n        on ${first}.${on} = ${aliases[index]}.${on}\n`);
    }
  }
  if (model.layer === 'staging' && random.chance(0.5)) {
    sql.both(`    where not coalesce(_fivetran_deleted, false)\n`);
  }
  if (model.materialization === 'incremental') {
    const updated = model.columns.find((column) => column.kind === 'timestamp')?.name ?? 'updated_at';
    macros.add('macro.dbt.is_incremental');
    sql.split(
      `\n    {% if is_incremental() %}\n\n    where ${first}.${updated} > (select max(${updated}) from {{ this }})\n\n    {% endif %}\n`,
      `\n    \n\n    where ${first}.${updated} > (select max(${updated}) from ${relation})\n\n    \n`,
    );
  }
  if (aggregate && grouped.length > 0) {
    sql.both(`\n    group by ${grouped.map((_, index) => index + 1).join(', ')}\n`);
  }
  sql.both(`\n)\n\nselect * from ${final}`);

  const ephemeralParents = model.parents
    .map((parent) => plan.model(parent))
    .filter((parent): parent is ModelPlan => parent?.materialization === 'ephemeral');
  let compiled = sql.compiled;
  if (ephemeralParents.length > 0) {
    // dbt injects ephemeral models as CTEs in front of the model's own.
    const injected = ephemeralParents
      .map((parent) => `__dbt__cte__${parent.name} as (\n${ephemeralBody(plan, parent)}\n)`)
      .join(', ');
    compiled = compiled.replace(/with\n\n/, `with ${injected}, `);
  }
  return { raw: sql.raw, compiled, macros: [...macros], ephemeralParents };
}

/** What an ephemeral model contributes when injected as a CTE (its own SQL, one level deep). */
function ephemeralBody(plan: ProjectPlan, model: ModelPlan): string {
  const columns = model.columns.map((column) => column.name).join(',\n        ');
  return `select\n        ${columns}\n    from ${plan.relationOf(model.parents[0]!)}`;
}

function testSql(plan: ProjectPlan, test: TestPlan): { raw: string; compiled: string; macros: string[] } {
  const relation = (id: number) => {
    const base = plan.relationOf(id);
    return test.where ? `(select * from ${base} where ${test.where}) dbt_subquery` : base;
  };
  const column = test.column ?? '';
  switch (test.kind) {
    case 'not_null':
      return {
        raw: `{{ test_not_null(**_dbt_generic_test_kwargs) }}${test.alias !== test.name ? `{{ config(alias="${test.alias}") }}` : ''}`,
        compiled: `\n    \n    \n\n\n\nselect ${column}\nfrom ${relation(test.attached)}\nwhere ${column} is null\n\n\n`,
        macros: ['macro.dbt.test_not_null'],
      };
    case 'unique':
      return {
        raw: `{{ test_unique(**_dbt_generic_test_kwargs) }}${test.alias !== test.name ? `{{ config(alias="${test.alias}") }}` : ''}`,
        compiled: `\n    \n    \n\nselect\n    ${column} as unique_field,\n    count(*) as n_records\n\nfrom ${relation(test.attached)}\nwhere ${column} is not null\ngroup by ${column}\nhaving count(*) > 1\n\n\n`,
        macros: ['macro.dbt.test_unique'],
      };
    case 'accepted_values':
      return {
        raw: `{{ test_accepted_values(**_dbt_generic_test_kwargs) }}${test.alias !== test.name ? `{{ config(alias="${test.alias}") }}` : ''}`,
        compiled: `\n    \n    \n\nwith all_values as (\n\n    select\n        ${column} as value_field,\n        count(*) as n_records\n\n    from ${relation(test.attached)}\n    group by ${column}\n\n)\n\nselect *\nfrom all_values\nwhere value_field not in (\n    ${test.values!.map((value) => `'${value}'`).join(',')}\n)\n\n\n`,
        macros: ['macro.dbt.test_accepted_values', 'macro.dbt.get_where_subquery'],
      };
    case 'relationships':
      return {
        raw: `{{ test_relationships(**_dbt_generic_test_kwargs) }}${test.alias !== test.name ? `{{ config(alias="${test.alias}") }}` : ''}`,
        compiled: `\n    \n    \n\nwith child as (\n    select ${column} as from_field\n    from ${relation(test.attached)}\n    where ${column} is not null\n),\n\nparent as (\n    select ${test.field} as to_field\n    from ${plan.relationOf(test.to!)}\n)\n\nselect\n    from_field\n\nfrom child\nleft join parent\n    on child.from_field = parent.to_field\n\nwhere parent.to_field is null\n\n\n`,
        macros: ['macro.dbt.test_relationships', 'macro.dbt.get_where_subquery'],
      };
    case 'expression_is_true':
      return {
        raw: `{{ dbt_utils.test_expression_is_true(**_dbt_generic_test_kwargs) }}${test.alias !== test.name ? `{{ config(alias="${test.alias}") }}` : ''}`,
        compiled: `\n\n\n\nselect\n    1\nfrom ${relation(test.attached)}\n\nwhere not(${test.expression})\n\n\n`,
        macros: ['macro.dbt_utils.test_expression_is_true', 'macro.dbt.get_where_subquery'],
      };
    case 'singular': {
      const model = plan.model(test.attached)!;
      const amount = model.columns.find((item) => item.kind === 'amount')?.name ?? model.columns[0]!.name;
      const other = test.nodes[1];
      const join =
        other !== undefined
          ? `\nleft join {{ ref('${plan.nameOf(other)}') }} as upstream\n    on upstream.${plan.keyOf(other)} = checked.${plan.keyOf(other)}`
          : '';
      const compiledJoin =
        other !== undefined
          ? `\nleft join ${plan.relationOf(other)} as upstream\n    on upstream.${plan.keyOf(other)} = checked.${plan.keyOf(other)}`
          : '';
      const body = (from: string, joinText: string) =>
        `-- ${readable(test.name)}\n-- Returns the offending rows; the test fails when any come back.\n\nselect\n    checked.${model.columns[0]!.name},\n    checked.${amount}\nfrom ${from} as checked${joinText}\nwhere checked.${amount} < 0\n   or checked.${model.columns[0]!.name} is null\n`;
      return {
        raw: body(`{{ ref('${model.name}') }}`, join),
        compiled: body(plan.relationOf(model.id), compiledJoin),
        macros: [],
      };
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Manifest nodes

const emptyDocs = { show: true, node_color: null };

function columnEntry(
  column: Column,
  description: string,
  options: { dataType?: string | null; key?: boolean } = {},
): Record<string, unknown> {
  const pii = piiColumns.has(column.name);
  return {
    name: column.name,
    description,
    meta: pii ? { contains_pii: true } : {},
    data_type: options.dataType ?? null,
    constraints: options.key
      ? [
          {
            type: 'not_null',
            name: null,
            expression: null,
            warn_unenforced: true,
            warn_unsupported: true,
            to: null,
            to_columns: [],
          },
        ]
      : [],
    quote: null,
    config: { meta: pii ? { contains_pii: true } : {}, tags: pii ? ['pii'] : [] },
    tags: pii ? ['pii'] : [],
    granularity: null,
    doc_blocks: [],
  };
}

function baseConfig(materialized: string): Record<string, unknown> {
  return {
    enabled: true,
    alias: null,
    schema: null,
    database: null,
    tags: [],
    meta: {},
    group: null,
    materialized,
    incremental_strategy: null,
    batch_size: null,
    lookback: 1,
    begin: null,
    persist_docs: {},
    'post-hook': [],
    'pre-hook': [],
    quoting: {},
    column_types: {},
    full_refresh: null,
    unique_key: null,
    on_schema_change: 'ignore',
    on_configuration_change: 'apply',
    grants: {},
    packages: [],
    docs: emptyDocs,
    contract: { enforced: false, alias_types: true },
    event_time: null,
    concurrent_batches: null,
  };
}

function createdAt(id: number): number {
  // Parse time: all nodes within a couple of seconds before the run.
  return Math.round((RUN_STARTED_AT / 1000 - 5 + (id % 5000) / 2500) * 1e6) / 1e6;
}

function refsOf(plan: ProjectPlan, ids: number[]): { name: string; package: null; version: null }[] {
  return ids
    .filter((id) => plan.kinds[id] !== 'source')
    .map((id) => ({ name: plan.nameOf(id), package: null, version: null }));
}

function sourcesOf(plan: ProjectPlan, ids: number[]): string[][] {
  return ids
    .filter((id) => plan.kinds[id] === 'source')
    .map((id) => {
      const source = plan.sources[plan.slot[id]!]!;
      return [source.sourceName, source.table];
    });
}

function modelNode(plan: ProjectPlan, model: ModelPlan, enabled = true): Record<string, unknown> {
  const random = Random.for(plan.seed, 6, model.index, enabled ? 0 : 1);
  const pkg = plan.packageName;
  const profile = plan.profile;
  const folder = model.layer === 'staging' ? `staging/${model.domain}` : `${model.layer}/${model.domain}`;
  const path = `${folder}/${model.name}.sql`;
  const sql = modelSql(plan, model);
  const ephemeral = model.materialization === 'ephemeral';
  const customSchema = model.schema.slice(profile.targetSchema.length + 1);
  const config: Record<string, unknown> = {
    ...baseConfig(model.materialization),
    enabled,
    schema: customSchema,
    tags: model.tags,
    meta: { owner: `${model.domain}-analytics@acme.example` },
    group: model.group,
    access: model.access,
    freshness: null,
  };
  if (model.materialization === 'incremental') {
    Object.assign(config, {
      incremental_strategy: 'merge',
      unique_key: model.columns[0]!.name,
      on_schema_change: 'append_new_columns',
    });
  }
  if (model.layer === 'marts') {
    Object.assign(config, {
      persist_docs: { relation: true, columns: true },
      grants: { select: ['reporter', `${model.domain}_analyst`] },
      'post-hook': random.chance(0.1)
        ? [
            {
              sql: `{{ grant_select_on_schemas(['${model.schema}'], 'bi_tool') }}`,
              transaction: true,
              index: null,
            },
          ]
        : [],
    });
  }
  if (model.contract) {
    config.contract = { enforced: true, alias_types: true };
  }
  if (plan.adapter === 'snowflake' && model.materialization !== 'view' && !ephemeral) {
    Object.assign(config, { transient: model.layer !== 'marts', copy_grants: model.layer === 'marts' });
    if (random.chance(0.1)) {
      config.cluster_by = [
        model.columns.find((column) => column.kind === 'date')?.name ?? model.columns[0]!.name,
      ];
    }
  }
  const columns: Record<string, unknown> = {};
  const foreign = new Map(model.foreignKeys);
  model.columns.forEach((column, index) => {
    const columnRandom = Random.for(plan.seed, 7, model.index, index);
    const description = columnRandom.chance(0.03)
      ? ''
      : columnDescription(plan, column, model.entity, model.name, columnRandom, foreign.get(column.name));
    columns[column.name] = columnEntry(column, description, {
      dataType: model.contract ? profile.types[column.kind].toLowerCase() : null,
      key: model.contract && index === 0,
    });
  });
  const dependsOn = [...model.parents].map((id) => plan.uids[id]!);
  return {
    database: profile.database,
    schema: model.schema,
    name: model.name,
    resource_type: 'model',
    package_name: pkg,
    path,
    original_file_path: `models/${path}`,
    unique_id: enabled ? plan.uids[model.id] : `model.${pkg}.${model.name}`,
    fqn: [pkg, ...folder.split('/'), model.name],
    alias: model.name,
    checksum: { name: 'sha256', checksum: sha256(sql.raw) },
    config,
    tags: model.tags,
    description: nodeDescription(model.entity, random),
    columns,
    meta: config.meta,
    group: model.group,
    docs: emptyDocs,
    patch_path: `${pkg}://models/${folder}/_${model.domain}__models.yml`,
    build_path: enabled && !ephemeral ? `target/run/${pkg}/models/${path}` : null,
    unrendered_config: {
      materialized: model.materialization,
      schema: customSchema,
      ...(model.materialization === 'incremental' ? { unique_key: model.columns[0]!.name } : {}),
      ...(model.layer === 'marts' ? { persist_docs: { relation: true, columns: true } } : {}),
      ...(enabled ? {} : { enabled: false }),
    },
    created_at: createdAt(model.id),
    relation_name: ephemeral ? null : profile.relation(profile.database, model.schema, model.name),
    raw_code: sql.raw,
    doc_blocks: [],
    language: 'sql',
    refs: refsOf(plan, model.parents),
    sources: sourcesOf(plan, model.parents),
    metrics: [],
    functions: [],
    depends_on: { macros: sql.macros, nodes: dependsOn },
    compiled_path: enabled ? `target/compiled/${pkg}/models/${path}` : null,
    compiled: enabled,
    compiled_code: enabled ? sql.compiled : undefined,
    extra_ctes_injected: enabled,
    extra_ctes: sql.ephemeralParents.map((parent) => ({
      id: plan.uids[parent.id],
      sql: ` __dbt__cte__${parent.name} as (\n${ephemeralBody(plan, parent)}\n)`,
    })),
    contract: {
      enforced: model.contract,
      alias_types: true,
      checksum: model.contract ? sha256(model.name) : null,
    },
    access: model.access,
    constraints: [],
    version: null,
    latest_version: null,
    deprecation_date: null,
    primary_key: [model.columns[0]!.name],
    time_spine: null,
  };
}

function seedNode(plan: ProjectPlan, seed: SeedPlan): Record<string, unknown> {
  const random = Random.for(plan.seed, 10, seed.index);
  const pkg = plan.packageName;
  const columns: Record<string, unknown> = {};
  if (seed.documented) {
    seed.columns.forEach((column, index) => {
      columns[column.name] = columnEntry(
        column,
        columnDescription(plan, column, seed.name, seed.name, Random.for(plan.seed, 11, seed.index, index)),
      );
    });
  }
  const schema = `${plan.profile.targetSchema}_seeds`;
  return {
    database: plan.profile.database,
    schema,
    name: seed.name,
    resource_type: 'seed',
    package_name: pkg,
    path: `reference/${seed.name}.csv`,
    original_file_path: `seeds/reference/${seed.name}.csv`,
    unique_id: plan.uids[seed.id],
    fqn: [pkg, 'reference', seed.name],
    alias: seed.name,
    checksum: { name: 'sha256', checksum: sha256(`${seed.name}:${seed.rows}:${plan.seed}`) },
    config: {
      ...baseConfig('seed'),
      schema: 'seeds',
      column_types: seed.columns[0] ? { [seed.columns[0].name]: plan.profile.types.key.toLowerCase() } : {},
      delimiter: ',',
      quote_columns: null,
    },
    tags: [],
    description: seed.documented
      ? `Reference list of ${readable(seed.name)}, maintained by hand in the repository.`
      : '',
    columns,
    meta: {},
    group: null,
    docs: emptyDocs,
    patch_path: seed.documented ? `${pkg}://seeds/reference/_seeds.yml` : null,
    build_path: `target/run/${pkg}/seeds/reference/${seed.name}.csv`,
    unrendered_config: { schema: 'seeds', quote_columns: random.chance(0.5) },
    created_at: createdAt(seed.id),
    relation_name: plan.profile.relation(plan.profile.database, schema, seed.name),
    raw_code: '',
    doc_blocks: [],
    root_path: '/home/runner/work/analytics/analytics',
    depends_on: { macros: [] },
  };
}

function snapshotNode(plan: ProjectPlan, snapshot: SnapshotPlan): Record<string, unknown> {
  const pkg = plan.packageName;
  const source = plan.sources[plan.slot[snapshot.source]!]!;
  const reference = plan.referenceOf(source.id);
  const raw = `select * from ${reference.raw}`;
  const compiled = `select * from ${reference.compiled}`;
  const path = `${source.sourceName}/${snapshot.name}.yml`;
  return {
    database: plan.profile.database,
    schema: 'snapshots',
    name: snapshot.name,
    resource_type: 'snapshot',
    package_name: pkg,
    path,
    original_file_path: `snapshots/${path}`,
    unique_id: plan.uids[snapshot.id],
    fqn: [pkg, source.sourceName, snapshot.name, snapshot.name],
    alias: snapshot.name,
    checksum: { name: 'sha256', checksum: sha256(raw) },
    config: {
      ...baseConfig('snapshot'),
      unique_key: 'id',
      strategy: 'timestamp',
      target_schema: 'snapshots',
      target_database: null,
      updated_at: source.loadedAtField,
      check_cols: null,
      snapshot_meta_column_names: {
        dbt_valid_to: null,
        dbt_valid_from: null,
        dbt_scd_id: null,
        dbt_updated_at: null,
        dbt_is_deleted: null,
      },
      dbt_valid_to_current: null,
      hard_deletes: 'ignore',
    },
    tags: [],
    description: `Type-2 history of ${readable(source.table)} from ${source.sourceName}, one row per version.`,
    columns: {},
    meta: {},
    group: null,
    docs: emptyDocs,
    patch_path: null,
    build_path: `target/run/${pkg}/snapshots/${path}`,
    unrendered_config: {
      strategy: 'timestamp',
      unique_key: 'id',
      updated_at: source.loadedAtField,
      target_schema: 'snapshots',
    },
    created_at: createdAt(snapshot.id),
    relation_name: plan.profile.relation(plan.profile.database, 'snapshots', snapshot.name),
    raw_code: raw,
    doc_blocks: [],
    language: 'sql',
    refs: [],
    sources: [[source.sourceName, source.table]],
    metrics: [],
    functions: [],
    depends_on: { macros: [], nodes: [plan.uids[source.id]] },
    compiled_path: `target/compiled/${pkg}/snapshots/${path}`,
    compiled: true,
    compiled_code: compiled,
    extra_ctes_injected: true,
    extra_ctes: [],
    contract: { enforced: false, alias_types: true, checksum: null },
  };
}

function testNode(plan: ProjectPlan, test: TestPlan): Record<string, unknown> {
  const pkg = plan.packageName;
  const sql = testSql(plan, test);
  const attachedKind = plan.kinds[test.attached];
  const model = plan.model(test.attached);
  const source = attachedKind === 'source' ? plan.sources[plan.slot[test.attached]!] : undefined;
  const folder = model
    ? model.layer === 'staging'
      ? `staging/${model.domain}`
      : `${model.layer}/${model.domain}`
    : source
      ? `staging/${source.sourceName}`
      : 'reference';
  const ymlPath = model
    ? `models/${folder}/_${model.domain}__models.yml`
    : source
      ? `models/${folder}/_${source.sourceName}__sources.yml`
      : 'seeds/reference/_seeds.yml';
  const common = {
    database: plan.profile.database,
    schema: `${plan.profile.targetSchema}_dbt_test__audit`,
    name: test.name,
    resource_type: 'test',
    package_name: pkg,
  };
  const config = {
    enabled: true,
    alias: test.alias !== test.name ? test.alias : null,
    schema: 'dbt_test__audit',
    database: null,
    tags: [],
    meta: {},
    group: null,
    materialized: 'test',
    severity: test.severity,
    store_failures: null,
    store_failures_as: null,
    where: test.where,
    limit: null,
    fail_calc: 'count(*)',
    warn_if: '!= 0',
    error_if: '!= 0',
  };
  const dependsOn = { macros: sql.macros, nodes: test.nodes.map((id) => plan.uids[id]!) };
  const refIds = test.nodes.filter((id) => plan.kinds[id] !== 'source');
  const tail = {
    tags: [],
    description: '',
    columns: {},
    meta: {},
    group: null,
    docs: emptyDocs,
    patch_path: null,
    build_path: null,
    unrendered_config: {
      ...(test.alias !== test.name ? { alias: test.alias } : {}),
      ...(test.severity === 'warn' ? { severity: 'warn' } : {}),
      ...(test.where ? { where: test.where } : {}),
    },
    created_at: createdAt(test.id),
    relation_name: null,
    raw_code: sql.raw,
    doc_blocks: [],
    language: 'sql',
    refs: refsOf(plan, refIds),
    sources: sourcesOf(plan, test.nodes),
    metrics: [],
    functions: [],
    depends_on: dependsOn,
    // dbt compiles generic tests into a folder named after the YAML file that declares them.
    compiled_path:
      test.kind === 'singular'
        ? `target/compiled/${pkg}/tests/${model?.domain ?? 'common'}/${test.name}.sql`
        : `target/compiled/${pkg}/${ymlPath}/${test.alias}.sql`,
    compiled: true,
    compiled_code: sql.compiled,
    extra_ctes_injected: true,
    extra_ctes: [],
    contract: { enforced: false, alias_types: true, checksum: null },
  };
  if (test.kind === 'singular') {
    const domain = model?.domain ?? 'common';
    return {
      ...common,
      path: `${domain}/${test.name}.sql`,
      original_file_path: `tests/${domain}/${test.name}.sql`,
      unique_id: test.uid,
      fqn: [pkg, domain, test.name],
      alias: test.alias,
      checksum: { name: 'sha256', checksum: sha256(sql.raw) },
      config,
      ...tail,
    };
  }
  const modelRef = source
    ? `{{ get_where_subquery(source('${source.sourceName}', '${source.table}')) }}`
    : `{{ get_where_subquery(ref('${plan.nameOf(test.attached)}')) }}`;
  const kwargs: Record<string, unknown> = {};
  if (test.kind === 'relationships') {
    Object.assign(kwargs, { to: `ref('${plan.nameOf(test.to!)}')`, field: test.field });
  } else if (test.kind === 'accepted_values') {
    kwargs.values = test.values;
  } else if (test.kind === 'expression_is_true') {
    kwargs.expression = test.expression;
  }
  if (test.column) {
    kwargs.column_name = test.column;
  }
  kwargs.model = modelRef;
  return {
    ...common,
    path: `${test.alias}.sql`,
    original_file_path: ymlPath,
    unique_id: test.uid,
    fqn: [pkg, ...folder.split('/'), test.name],
    alias: test.alias,
    checksum: { name: 'none', checksum: '' },
    config,
    ...tail,
    column_name: test.column,
    file_key_name: source
      ? `sources.${source.sourceName}`
      : `${attachedKind === 'seed' ? 'seeds' : 'models'}.${plan.nameOf(test.attached)}`,
    attached_node: plan.uids[test.attached],
    test_metadata: {
      name: test.kind,
      kwargs,
      namespace: test.kind === 'expression_is_true' ? 'dbt_utils' : null,
    },
  };
}

function sourceNode(plan: ProjectPlan, source: SourcePlan): Record<string, unknown> {
  const pkg = plan.packageName;
  const random = Random.for(plan.seed, 12, source.index);
  const freshness = source.freshness
    ? {
        warn_after: { count: source.freshness.warn[0], period: source.freshness.warn[1] },
        error_after: { count: source.freshness.error[0], period: source.freshness.error[1] },
        filter: null,
      }
    : {
        warn_after: { count: null, period: null },
        error_after: { count: null, period: null },
        filter: null,
      };
  const columns: Record<string, unknown> = {};
  for (let index = 0; index < source.documented; index += 1) {
    const column = source.columns[index]!;
    columns[column.name] = columnEntry(
      column,
      columnDescription(
        plan,
        column,
        source.entity,
        source.table,
        Random.for(plan.seed, 13, source.index, index),
      ),
    );
  }
  const loadedAt = source.freshness ? source.loadedAtField : null;
  const path = `models/staging/${source.sourceName}/_${source.sourceName}__sources.yml`;
  return {
    database: plan.profile.rawDatabase,
    schema: source.schema,
    name: source.table,
    resource_type: 'source',
    package_name: pkg,
    path,
    original_file_path: path,
    unique_id: plan.uids[source.id],
    fqn: [pkg, 'staging', source.sourceName, source.sourceName, source.table],
    source_name: source.sourceName,
    source_description: `Raw ${source.sourceName.replace(/_/g, ' ')} data, loaded by ${source.loader}.`,
    loader: source.loader,
    identifier: source.table,
    quoting: { database: null, schema: null, identifier: null, column: null },
    loaded_at_field: loadedAt,
    loaded_at_query: null,
    freshness,
    external: null,
    description: random.chance(0.7) ? nodeDescription(source.entity, random) : '',
    columns,
    meta: {},
    source_meta: { owner: `${source.sourceName.replace(/_[a-z0-9]+$/, '')}-integration@acme.example` },
    tags: [source.loader],
    config: {
      enabled: true,
      event_time: null,
      freshness,
      loaded_at_field: loadedAt,
      loaded_at_query: null,
      meta: {},
      tags: [source.loader],
    },
    patch_path: null,
    unrendered_config: { loaded_at_field: loadedAt, loaded_at_query: null, meta: {}, tags: [source.loader] },
    relation_name: plan.profile.relation(plan.profile.rawDatabase, source.schema, source.table),
    created_at: createdAt(source.id),
    unrendered_database: null,
    unrendered_schema: source.schema,
    doc_blocks: [],
  };
}

function macroNode(macro: Macro): Record<string, unknown> {
  return {
    name: macro.name,
    resource_type: 'macro',
    package_name: macro.packageName,
    path: macro.path,
    original_file_path: macro.path,
    unique_id: macro.uid,
    macro_sql: macro.body,
    depends_on: { macros: macro.dependsOn },
    description: '',
    meta: {},
    docs: emptyDocs,
    patch_path: null,
    arguments: [],
    created_at: RUN_STARTED_AT / 1000 - 8,
    supported_languages: macro.name.startsWith('materialization_') ? ['sql'] : null,
  };
}

function exposureNode(plan: ProjectPlan, exposure: ExposurePlan): Record<string, unknown> {
  const pkg = plan.packageName;
  const random = Random.for(plan.seed, 14, plan.slot[exposure.id]!);
  return {
    name: exposure.name,
    resource_type: 'exposure',
    package_name: pkg,
    path: `marts/${exposure.domain}/_${exposure.domain}__exposures.yml`,
    original_file_path: `models/marts/${exposure.domain}/_${exposure.domain}__exposures.yml`,
    unique_id: plan.uids[exposure.id],
    fqn: [pkg, 'marts', exposure.domain, exposure.name],
    type: exposure.type,
    owner: {
      email: `${exposure.domain}-analytics@acme.example`,
      name: `${capitalised(exposure.domain)} Analytics`,
    },
    description: `${capitalised(readable(exposure.name))}, used in the ${exposure.domain} weekly review.`,
    label: capitalised(readable(exposure.name)),
    maturity: random.pick(['low', 'medium', 'high']),
    meta: {},
    tags: [exposure.domain],
    config: { enabled: true, tags: [exposure.domain], meta: {} },
    unrendered_config: {},
    url: `https://bi.acme.example/${exposure.type}s/${md5(exposure.name).slice(0, 8)}`,
    depends_on: { macros: [], nodes: exposure.nodes.map((id) => plan.uids[id]!) },
    refs: refsOf(plan, exposure.nodes),
    sources: [],
    metrics: [],
    created_at: createdAt(exposure.id),
  };
}

function semanticModelNode(plan: ProjectPlan, semantic: SemanticModelPlan): Record<string, unknown> {
  const pkg = plan.packageName;
  const model = plan.model(semantic.model)!;
  const entity = singular(model.entity);
  const meta = { meta: {} };
  return {
    name: semantic.name,
    resource_type: 'semantic_model',
    package_name: pkg,
    path: `marts/${model.domain}/_${model.domain}__semantic.yml`,
    original_file_path: `models/marts/${model.domain}/_${model.domain}__semantic.yml`,
    unique_id: plan.uids[semantic.id],
    fqn: [pkg, 'marts', model.domain, semantic.name],
    model: `ref('${model.name}')`,
    node_relation: {
      alias: model.name,
      schema_name: model.schema,
      database: plan.profile.database,
      relation_name: plan.relationOf(model.id),
    },
    description: `${capitalised(readable(entity))} facts for the semantic layer; grain is one row per ${readable(entity)}.`,
    label: null,
    defaults: { agg_time_dimension: semantic.timeDimension },
    entities: [
      {
        name: entity,
        type: 'primary',
        description: null,
        label: null,
        role: null,
        expr: model.columns[0]!.name,
        config: meta,
      },
      ...model.foreignKeys.map(([column]) => ({
        name: column.replace(/_id$/, ''),
        type: 'foreign',
        description: null,
        label: null,
        role: null,
        expr: column,
        config: meta,
      })),
    ],
    measures: semantic.measures.map((measure) => ({
      name: measure.name,
      agg: measure.agg,
      description: `${measure.agg === 'sum' ? 'Sum' : 'Distinct count'} of ${readable(measure.expr)}`,
      label: null,
      create_metric: false,
      expr: measure.expr,
      agg_params: null,
      non_additive_dimension: null,
      agg_time_dimension: null,
      config: meta,
    })),
    dimensions: [
      {
        name: semantic.timeDimension,
        type: 'time',
        description: null,
        label: null,
        is_partition: false,
        type_params: { time_granularity: 'day', validity_params: null },
        expr: null,
        metadata: null,
        config: meta,
      },
      ...semantic.dimensions.map((dimension) => ({
        name: dimension,
        type: 'categorical',
        description: null,
        label: null,
        is_partition: false,
        type_params: null,
        expr: null,
        metadata: null,
        config: meta,
      })),
    ],
    metadata: null,
    depends_on: { macros: [], nodes: [plan.uids[model.id]] },
    refs: [{ name: model.name, package: null, version: null }],
    created_at: createdAt(semantic.id),
    config: { enabled: true, group: null, meta: {} },
    unrendered_config: {},
    primary_entity: null,
    group: null,
  };
}

function measureInput(name: string): Record<string, unknown> {
  return { name, filter: null, alias: null, join_to_timespine: false, fill_nulls_with: null };
}

function metricNode(plan: ProjectPlan, metric: MetricPlan): Record<string, unknown> {
  const pkg = plan.packageName;
  const semantic = plan.semanticModels[plan.slot[metric.semanticModel]!]!;
  const model = plan.model(semantic.model)!;
  return {
    name: metric.name,
    resource_type: 'metric',
    package_name: pkg,
    path: `marts/${model.domain}/_${model.domain}__semantic.yml`,
    original_file_path: `models/marts/${model.domain}/_${model.domain}__semantic.yml`,
    unique_id: plan.uids[metric.id],
    fqn: [pkg, 'marts', model.domain, metric.name],
    description:
      metric.type === 'derived'
        ? `${capitalised(readable(metric.inputs![1]!))} divided by ${readable(metric.inputs![0]!)}.`
        : `${capitalised(readable(metric.measure!))}, summed over the selected time grain.`,
    label: capitalised(readable(metric.name)),
    type: metric.type,
    type_params: {
      measure: metric.measure ? measureInput(metric.measure) : null,
      input_measures: metric.measure
        ? [measureInput(metric.measure)]
        : metric.inputs!.map((input) => measureInput(input)),
      numerator: null,
      denominator: null,
      expr: metric.type === 'derived' ? `${metric.inputs![1]} / nullif(${metric.inputs![0]}, 0)` : null,
      window: null,
      grain_to_date: null,
      metrics:
        metric.type === 'derived'
          ? metric.inputs!.map((input) => ({
              name: input,
              filter: null,
              alias: null,
              offset_window: null,
              offset_to_grain: null,
            }))
          : [],
      conversion_type_params: null,
      cumulative_type_params: null,
      metric_aggregation_params: null,
    },
    filter: null,
    metadata: null,
    time_granularity: null,
    meta: {},
    tags: [],
    config: { enabled: true, group: null, meta: {} },
    unrendered_config: {},
    sources: [],
    depends_on: { macros: [], nodes: plan.parents[metric.id]!.map((id) => plan.uids[id]!) },
    refs: [],
    metrics: [],
    created_at: createdAt(metric.id),
    group: null,
  };
}

function savedQueryNode(plan: ProjectPlan, saved: SavedQueryPlan): Record<string, unknown> {
  const pkg = plan.packageName;
  return {
    name: saved.name,
    resource_type: 'saved_query',
    package_name: pkg,
    path: 'marts/_saved_queries.yml',
    original_file_path: 'models/marts/_saved_queries.yml',
    unique_id: plan.uids[saved.id],
    fqn: [pkg, 'marts', saved.name],
    query_params: {
      metrics: saved.metrics.map((id) => plan.metrics[plan.slot[id]!]!.name),
      group_by: [saved.groupBy],
      where: null,
      order_by: [],
      limit: null,
    },
    exports: [
      {
        name: saved.name,
        config: {
          export_as: 'table',
          schema_name: plan.profile.targetSchema,
          alias: saved.name,
          database: plan.profile.database,
        },
        unrendered_config: { export_as: 'table' },
      },
    ],
    description: null,
    label: null,
    metadata: null,
    config: {
      enabled: true,
      group: null,
      meta: {},
      export_as: null,
      schema: null,
      cache: { enabled: false },
    },
    unrendered_config: {},
    group: null,
    depends_on: { macros: [], nodes: saved.metrics.map((id) => plan.uids[id]!) },
    created_at: createdAt(saved.id),
    refs: [],
    tags: [],
  };
}

function unitTestNode(plan: ProjectPlan, unit: UnitTestPlan): Record<string, unknown> {
  const pkg = plan.packageName;
  const model = plan.model(unit.model)!;
  const input = plan.referenceOf(model.parents[0]!).raw.replace(/^\{\{ | \}\}$/g, '');
  const key = model.columns[0]!.name;
  const status = model.columns.find((column) => column.kind === 'category')?.name ?? 'status';
  return {
    model: model.name,
    given: [
      {
        input,
        rows: [
          { id: 1, [status]: 'a' },
          { id: 2, [status]: 'b' },
        ],
        format: 'dict',
        fixture: null,
      },
    ],
    expect: {
      rows: [
        { [key]: '1', [status]: 'a' },
        { [key]: '2', [status]: 'b' },
      ],
      format: 'dict',
      fixture: null,
    },
    name: unit.name,
    resource_type: 'unit_test',
    package_name: pkg,
    path: `staging/${model.domain}/_${model.domain}__models.yml`,
    original_file_path: `models/staging/${model.domain}/_${model.domain}__models.yml`,
    unique_id: plan.uids[unit.id],
    fqn: [pkg, 'staging', model.domain, model.name, unit.name],
    description: `Checks that ${model.name} ${readable(unit.name.slice(`test_${model.name}_`.length))}.`,
    overrides: null,
    depends_on: { macros: [], nodes: [plan.uids[model.id]] },
    config: { tags: [], meta: {}, enabled: true },
    checksum: sha256(unit.name),
    schema: model.schema,
    created_at: createdAt(unit.id),
    versions: null,
    version: null,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Writers

function* nodeIds(plan: ProjectPlan): Generator<number> {
  for (const seed of plan.seeds) yield seed.id;
  for (const model of plan.models) yield model.id;
  for (const snapshot of plan.snapshots) yield snapshot.id;
  for (const test of plan.tests) yield test.id;
}

/** The order dbt builds parent_map/child_map in: nodes, sources, exposures, metrics, … unit tests. */
function* edgeMembers(plan: ProjectPlan): Generator<number> {
  yield* nodeIds(plan);
  for (const source of plan.sources) yield source.id;
  for (const exposure of plan.exposures) yield exposure.id;
  for (const metric of plan.metrics) yield metric.id;
  for (const semantic of plan.semanticModels) yield semantic.id;
  for (const saved of plan.savedQueries) yield saved.id;
  for (const unit of plan.unitTests) yield unit.id;
}

function nodeJson(plan: ProjectPlan, id: number): Record<string, unknown> {
  const slot = plan.slot[id]!;
  switch (plan.kinds[id]) {
    case 'seed':
      return seedNode(plan, plan.seeds[slot]!);
    case 'model':
      return modelNode(plan, plan.models[slot]!);
    case 'snapshot':
      return snapshotNode(plan, plan.snapshots[slot]!);
    default:
      return testNode(plan, plan.tests[slot]!);
  }
}

interface InvocationIds {
  build: string;
  docs: string;
  freshness: string;
  userId: string;
}

function metadata(
  kind: 'manifest' | 'catalog' | 'run-results' | 'sources',
  version: number,
  invocationId: string,
  generatedAt: number,
  random: Random,
): Record<string, unknown> {
  return {
    dbt_schema_version: `https://schemas.getdbt.com/dbt/${kind}/v${version}.json`,
    dbt_version: DBT_VERSION,
    generated_at: isoMicros(generatedAt, random),
    invocation_id: invocationId,
    invocation_started_at: isoMicros(generatedAt - 2_000, random),
    env: {},
  };
}

async function writeManifest(
  plan: ProjectPlan,
  path: string,
  invocations: InvocationIds,
  finishedAt: number,
): Promise<void> {
  const random = Random.for(plan.seed, 20);
  const writer = await ArtifactWriter.open(path);
  const pkg = plan.packageName;
  await writer.write(
    `{"metadata": ${pythonJson({
      ...metadata('manifest', 12, invocations.build, finishedAt, random),
      project_name: pkg,
      project_id: md5(pkg),
      user_id: invocations.userId,
      send_anonymous_usage_stats: false,
      adapter_type: plan.adapter,
      quoting: plan.profile.quoting,
      run_started_at: new Date(RUN_STARTED_AT).toISOString().replace('Z', '123+00:00'),
    })}, "nodes": `,
  );
  await writeObject(
    writer,
    (function* () {
      for (const id of nodeIds(plan)) {
        yield [plan.uids[id]!, nodeJson(plan, id)] as const;
      }
    })(),
  );
  await writer.write(', "sources": ');
  await writeObject(
    writer,
    plan.sources.map((source) => [plan.uids[source.id]!, sourceNode(plan, source)] as const),
  );
  await writer.write(', "macros": ');
  await writeObject(
    writer,
    plan.macros.map((macro) => [macro.uid, macroNode(macro)] as const),
  );
  await writer.write(', "docs": ');
  await writeObject(writer, docBlocks(plan));
  await writer.write(', "exposures": ');
  await writeObject(
    writer,
    plan.exposures.map((exposure) => [plan.uids[exposure.id]!, exposureNode(plan, exposure)] as const),
  );
  await writer.write(', "metrics": ');
  await writeObject(
    writer,
    plan.metrics.map((metric) => [plan.uids[metric.id]!, metricNode(plan, metric)] as const),
  );
  await writer.write(', "groups": ');
  await writeObject(
    writer,
    plan.groups.map(
      (group) =>
        [
          `group.${pkg}.${group}`,
          {
            name: group,
            resource_type: 'group',
            package_name: pkg,
            path: `marts/${group}/_${group}__groups.yml`,
            original_file_path: `models/marts/${group}/_${group}__groups.yml`,
            unique_id: `group.${pkg}.${group}`,
            owner: { email: `${group}-analytics@acme.example`, name: `${capitalised(group)} Analytics` },
            description: `Models owned by the ${group} analytics team.`,
            config: { meta: {} },
          },
        ] as const,
    ),
  );
  await writer.write(', "selectors": {}, "disabled": ');
  await writeObject(
    writer,
    plan.disabled.map((model) => {
      const node = modelNode(plan, model, false);
      return [String(node.unique_id), [node]] as const;
    }),
  );
  await writer.write(', "parent_map": ');
  const byUid = (left: number, right: number) => (plan.uids[left]! < plan.uids[right]! ? -1 : 1);
  await writeObject(
    writer,
    (function* () {
      for (const id of edgeMembers(plan)) {
        yield [
          plan.uids[id]!,
          [...new Set(plan.parents[id]!)].sort(byUid).map((parent) => plan.uids[parent]!),
        ] as const;
      }
    })(),
  );
  await writer.write(', "child_map": ');
  const children = childLists(plan);
  await writeObject(
    writer,
    (function* () {
      for (const id of edgeMembers(plan)) {
        yield [plan.uids[id]!, (children[id] ?? []).sort(byUid).map((child) => plan.uids[child]!)] as const;
      }
    })(),
  );
  await writer.write(', "group_map": ');
  await writeObject(
    writer,
    plan.groups.map(
      (group) =>
        [
          group,
          plan.models.filter((model) => model.group === group).map((model) => plan.uids[model.id]!),
        ] as const,
    ),
  );
  await writer.write(', "saved_queries": ');
  await writeObject(
    writer,
    plan.savedQueries.map((saved) => [plan.uids[saved.id]!, savedQueryNode(plan, saved)] as const),
  );
  await writer.write(', "semantic_models": ');
  await writeObject(
    writer,
    plan.semanticModels.map(
      (semantic) => [plan.uids[semantic.id]!, semanticModelNode(plan, semantic)] as const,
    ),
  );
  await writer.write(', "unit_tests": ');
  await writeObject(
    writer,
    plan.unitTests.map((unit) => [plan.uids[unit.id]!, unitTestNode(plan, unit)] as const),
  );
  await writer.write(', "functions": {}}');
  await writer.close();
}

function childLists(plan: ProjectPlan): (number[] | undefined)[] {
  const children: (number[] | undefined)[] = new Array(plan.uids.length);
  for (const id of edgeMembers(plan)) {
    for (const parent of new Set(plan.parents[id]!)) {
      (children[parent] ??= []).push(id);
    }
  }
  return children;
}

function docBlocks(plan: ProjectPlan): [string, Record<string, unknown>][] {
  const pkg = plan.packageName;
  const blocks: [string, string, string][] = [
    [
      'dbt',
      '__overview__',
      '### Welcome!\n\nWelcome to the auto-generated documentation for your dbt project!\n\n### Navigation\n\nYou can use the `Project` and `Database` navigation tabs on the left side of the window to explore the models\nin your project.',
    ],
    ...Object.entries(acceptedValues).map(
      ([name, values]) =>
        [
          pkg,
          `${name}_definition`,
          `One of the following values:\n\n| ${name} | definition |\n|---|---|\n${values.map((value) => `| ${value} | ${capitalised(readable(value))} |`).join('\n')}`,
        ] as [string, string, string],
    ),
  ];
  return blocks.map(([packageName, name, contents]) => [
    `doc.${packageName}.${name}`,
    {
      name,
      resource_type: 'doc',
      package_name: packageName,
      path: name === '__overview__' ? 'overview.md' : 'docs.md',
      original_file_path: name === '__overview__' ? 'docs/overview.md' : 'models/docs.md',
      unique_id: `doc.${packageName}.${name}`,
      block_contents: contents,
    },
  ]);
}

/** The order `dbt build` runs things in: seeds, then per model its unit tests, the model, its tests. */
function* buildOrder(plan: ProjectPlan): Generator<number> {
  const testsByAttached = new Map<number, TestPlan[]>();
  for (const test of plan.tests) {
    if (test.kind !== 'singular') {
      const list = testsByAttached.get(test.attached) ?? [];
      list.push(test);
      testsByAttached.set(test.attached, list);
    }
  }
  const unitsByModel = new Map<number, UnitTestPlan[]>();
  for (const unit of plan.unitTests) {
    unitsByModel.set(unit.model, [...(unitsByModel.get(unit.model) ?? []), unit]);
  }
  for (const source of plan.sources) {
    for (const test of testsByAttached.get(source.id) ?? []) yield test.id;
  }
  for (const seed of plan.seeds) {
    yield seed.id;
    for (const test of testsByAttached.get(seed.id) ?? []) yield test.id;
  }
  let snapshotsDone = false;
  for (const model of plan.models) {
    if (!snapshotsDone && model.layer !== 'staging') {
      snapshotsDone = true;
      for (const snapshot of plan.snapshots) yield snapshot.id;
    }
    for (const unit of unitsByModel.get(model.id) ?? []) yield unit.id;
    if (model.materialization !== 'ephemeral') {
      yield model.id;
    }
    for (const test of testsByAttached.get(model.id) ?? []) yield test.id;
  }
  if (!snapshotsDone) {
    for (const snapshot of plan.snapshots) yield snapshot.id;
  }
  for (const test of plan.tests) {
    if (test.kind === 'singular') yield test.id;
  }
}

function executionSeconds(plan: ProjectPlan, id: number, random: Random): number {
  switch (plan.kinds[id]) {
    case 'model': {
      const materialization = plan.models[plan.slot[id]!]!.materialization;
      return materialization === 'view'
        ? 0.3 + random.next() * 1.5
        : materialization === 'incremental'
          ? 3 + random.next() * 80
          : 2 + random.next() * 50;
    }
    case 'seed':
      return 1 + random.next() * 4;
    case 'snapshot':
      return 4 + random.next() * 30;
    case 'unit_test':
      return 0.5 + random.next() * 1.5;
    default:
      return 0.2 + random.next() * 4;
  }
}

function adapterResponse(
  plan: ProjectPlan,
  id: number,
  rows: number,
  random: Random,
): { response: Record<string, unknown>; message: string } {
  const kind = plan.kinds[id];
  const model = plan.model(id);
  const isView = model?.materialization === 'view';
  switch (plan.adapter) {
    case 'snowflake': {
      const message = 'SUCCESS 1';
      return {
        response: {
          _message: message,
          code: 'SUCCESS',
          rows_affected: 1,
          query_id: `01b${random.hex(5)}-0${random.hex(3)}-${random.hex(4)}-0000-${random.hex(12)}`,
        },
        message,
      };
    }
    case 'bigquery': {
      const code = isView ? 'CREATE VIEW' : kind === 'seed' ? 'INSERT' : 'CREATE TABLE';
      const message = isView
        ? code
        : `${code} (${rows.toLocaleString('en-US')} rows, ${(rows / 9000).toFixed(1)} MiB processed)`;
      return {
        response: {
          _message: message,
          code,
          rows_affected: isView ? 0 : rows,
          bytes_processed: isView ? 0 : rows * 118,
          bytes_billed: isView ? 0 : Math.max(10_485_760, rows * 118),
          location: 'US',
          project_id: plan.profile.database,
          job_id: random.uuid(),
          slot_ms: isView ? 0 : random.int(100, 900_000),
        },
        message,
      };
    }
    case 'databricks':
    case 'duckdb': {
      return { response: { _message: 'OK', code: null, rows_affected: -1 }, message: 'OK' };
    }
    default: {
      const [code, message] = isView
        ? ['CREATE VIEW', 'CREATE VIEW']
        : kind === 'seed' || model?.materialization === 'incremental'
          ? ['INSERT', `INSERT 0 ${rows}`]
          : kind === 'snapshot'
            ? ['MERGE', `MERGE ${rows}`]
            : ['SELECT', `SELECT ${rows}`];
      return { response: { _message: message, code, rows_affected: isView ? -1 : rows }, message };
    }
  }
}

async function writeRunResults(
  plan: ProjectPlan,
  path: string,
  invocations: InvocationIds,
): Promise<{ results: number; failing: number; finishedAt: number }> {
  const writer = await ArtifactWriter.open(path);
  const threads = new Array<number>(8).fill(RUN_STARTED_AT + 1_500);
  let results = 0;
  let failing = 0;
  let finishedAt = RUN_STARTED_AT;
  const items = function* () {
    for (const id of buildOrder(plan)) {
      const random = Random.for(plan.seed, 30, id);
      const thread = threads.indexOf(Math.min(...threads));
      const compileStart = threads[thread]! + random.int(1, 40);
      const compileEnd = compileStart + random.int(3, 60);
      const executeStart = compileEnd + random.int(0, 3);
      const seconds = executionSeconds(plan, id, random);
      const executeEnd = executeStart + seconds * 1000;
      threads[thread] = executeEnd;
      finishedAt = Math.max(finishedAt, executeEnd);
      const timing = [
        {
          name: 'compile',
          started_at: isoMicros(compileStart, random),
          completed_at: isoMicros(compileEnd, random),
        },
        {
          name: 'execute',
          started_at: isoMicros(executeStart, random),
          completed_at: isoMicros(executeEnd, random),
        },
      ];
      const kind = plan.kinds[id];
      results += 1;
      const base = {
        timing,
        thread_id: `Thread-${thread + 1} (worker)`,
        execution_time: (executeEnd - compileStart) / 1000 + random.next() / 1e4,
      };
      if (kind === 'test') {
        const test = plan.tests[plan.slot[id]!]!;
        const failed = test.failures > 0;
        failing += failed ? 1 : 0;
        yield {
          status: failed ? 'fail' : 'pass',
          ...base,
          adapter_response: {},
          message: failed
            ? `Got ${test.failures} result${test.failures === 1 ? '' : 's'}, configured to fail if != 0`
            : null,
          failures: test.failures,
          unique_id: test.uid,
          compiled: true,
          compiled_code: testSql(plan, test).compiled,
          relation_name: null,
          batch_results: null,
        };
      } else if (kind === 'unit_test') {
        yield {
          status: 'pass',
          ...base,
          adapter_response: {},
          message: null,
          failures: 0,
          unique_id: plan.uids[id],
          compiled: true,
          compiled_code: `-- Build actual result given inputs\nwith dbt_internal_unit_test_actual as (\n  select * from (select 1 as id) as __dbt_sbq\n)\nselect * from dbt_internal_unit_test_actual`,
          relation_name: null,
          batch_results: null,
        };
      } else {
        const rows = kind === 'seed' ? plan.seeds[plan.slot[id]!]!.rows : random.int(100, 5_000_000);
        const { response, message } = adapterResponse(plan, id, rows, random);
        const node = kind === 'model' ? plan.models[plan.slot[id]!]! : undefined;
        yield {
          status: 'success',
          ...base,
          adapter_response: response,
          message,
          failures: null,
          unique_id: plan.uids[id],
          compiled: kind !== 'seed',
          compiled_code:
            kind === 'model'
              ? modelSql(plan, node!).compiled
              : kind === 'snapshot'
                ? String(snapshotNode(plan, plan.snapshots[plan.slot[id]!]!).compiled_code)
                : null,
          relation_name: plan.relationOf(id),
          batch_results: null,
        };
      }
    }
  };
  const random = Random.for(plan.seed, 31);
  await writer.write(
    `{"metadata": ${pythonJson(metadata('run-results', 6, invocations.build, RUN_STARTED_AT, random))}, "results": `,
  );
  await writeArray(writer, items());
  const args = {
    invocation_command: 'dbt build --target prod',
    which: 'build',
    target: 'prod',
    select: [],
    exclude: [],
    resource_types: [],
    exclude_resource_types: [],
    indirect_selection: 'eager',
    vars: {},
    defer: false,
    favor_state: false,
    full_refresh: false,
    fail_fast: false,
    show_resource_report: false,
    empty: false,
    store_failures: false,
    warn_error_options: { error: [], warn: [], silence: [] },
    log_format: 'json',
    log_level: 'info',
    log_path: '/home/runner/work/analytics/analytics/logs',
    profiles_dir: '/home/runner/.dbt',
    project_dir: '/home/runner/work/analytics/analytics',
    partial_parse: true,
    static_parser: true,
    write_json: true,
    send_anonymous_usage_stats: false,
    introspect: true,
    populate_cache: true,
    printer_width: 80,
    version_check: true,
    use_colors: false,
    quiet: false,
    print: true,
    macro_debugging: false,
    cache_selected_only: false,
    strict_mode: false,
    require_explicit_package_overrides_for_builtin_materializations: true,
    require_resource_names_without_spaces: true,
    source_freshness_run_project_hooks: true,
  };
  // elapsed_time and args come after the results, as dbt writes them; the clock is known only now.
  await writer.write(
    `, "elapsed_time": ${(finishedAt - RUN_STARTED_AT) / 1000}, "args": ${pythonJson(args)}}`,
  );
  await writer.close();
  return { results, failing, finishedAt };
}

function catalogStats(plan: ProjectPlan, isView: boolean, random: Random): Record<string, unknown> {
  const hasStats = {
    id: 'has_stats',
    label: 'Has Stats?',
    value: false,
    include: false,
    description: 'Indicates whether there are statistics for this table',
  };
  if (isView) {
    return { has_stats: hasStats };
  }
  const rows = random.int(10, 50_000_000);
  if (plan.adapter === 'snowflake') {
    const modified = new Date(RUN_STARTED_AT - random.int(0, 86_400_000));
    return {
      bytes: {
        id: 'bytes',
        label: 'Approximate Size',
        value: rows * random.int(60, 400),
        include: true,
        description: 'Approximate size of the table as reported by Snowflake',
      },
      last_modified: {
        id: 'last_modified',
        label: 'Last Modified',
        value: `${modified.toISOString().slice(0, 16).replace('T', ' ')}UTC`,
        include: true,
        description: 'The timestamp for last update/change',
      },
      row_count: {
        id: 'row_count',
        label: 'Row Count',
        value: rows,
        include: true,
        description: 'An approximate count of rows in this table',
      },
      has_stats: { ...hasStats, value: true },
    };
  }
  if (plan.adapter === 'bigquery') {
    return {
      num_bytes: {
        id: 'num_bytes',
        label: 'Approximate Size',
        value: rows * random.int(60, 400),
        include: true,
        description: 'Approximate size of table as reported by BigQuery',
      },
      num_rows: {
        id: 'num_rows',
        label: '# Rows',
        value: rows,
        include: true,
        description: 'Approximate count of rows in this table',
      },
      has_stats: { ...hasStats, value: true },
    };
  }
  return { has_stats: hasStats };
}

function catalogTable(
  plan: ProjectPlan,
  uid: string,
  database: string,
  schema: string,
  name: string,
  columns: Column[],
  isView: boolean,
  random: Random,
): Record<string, unknown> {
  const upper = plan.profile.warehouseCase;
  const entries: Record<string, unknown> = {};
  columns.forEach((column, index) => {
    const columnName = upper(column.name);
    entries[columnName] = {
      type: plan.profile.types[column.kind],
      index: index + 1,
      name: columnName,
      comment: null,
    };
  });
  return {
    metadata: {
      type: isView ? plan.profile.viewType : plan.profile.tableType,
      schema: upper(schema),
      name: upper(name),
      database: upper(database),
      comment: null,
      owner: plan.adapter === 'snowflake' ? 'TRANSFORMER' : plan.adapter === 'postgres' ? 'dbt' : null,
    },
    columns: entries,
    stats: catalogStats(plan, isView, random),
    unique_id: uid,
  };
}

async function writeCatalog(
  plan: ProjectPlan,
  path: string,
  invocations: InvocationIds,
  generatedAt: number,
): Promise<{ nodes: number; sources: number; columns: number }> {
  const writer = await ArtifactWriter.open(path);
  let columns = 0;
  const random = Random.for(plan.seed, 40);
  await writer.write(
    `{"metadata": ${pythonJson(metadata('catalog', 1, invocations.docs, generatedAt, random))}, "nodes": `,
  );
  const nodes = await writeObject(
    writer,
    (function* () {
      for (const seed of plan.seeds) {
        columns += seed.columns.length;
        yield [
          plan.uids[seed.id]!,
          catalogTable(
            plan,
            plan.uids[seed.id]!,
            plan.profile.database,
            plan.schemaOf(seed.id),
            seed.name,
            seed.columns,
            false,
            Random.for(plan.seed, 41, seed.id),
          ),
        ] as const;
      }
      for (const model of plan.models) {
        if (model.materialization === 'ephemeral') {
          continue;
        }
        const all = [...model.columns, ...model.extraColumns];
        columns += all.length;
        yield [
          plan.uids[model.id]!,
          catalogTable(
            plan,
            plan.uids[model.id]!,
            plan.profile.database,
            model.schema,
            model.name,
            all,
            model.materialization === 'view',
            Random.for(plan.seed, 41, model.id),
          ),
        ] as const;
      }
      for (const snapshot of plan.snapshots) {
        columns += snapshot.columns.length;
        yield [
          plan.uids[snapshot.id]!,
          catalogTable(
            plan,
            plan.uids[snapshot.id]!,
            plan.profile.database,
            'snapshots',
            snapshot.name,
            snapshot.columns,
            false,
            Random.for(plan.seed, 41, snapshot.id),
          ),
        ] as const;
      }
    })(),
  );
  await writer.write(', "sources": ');
  const sources = await writeObject(
    writer,
    (function* () {
      for (const source of plan.sources) {
        columns += source.columns.length;
        yield [
          plan.uids[source.id]!,
          catalogTable(
            plan,
            plan.uids[source.id]!,
            plan.profile.rawDatabase,
            source.schema,
            source.table,
            source.columns,
            false,
            Random.for(plan.seed, 41, source.id),
          ),
        ] as const;
      }
    })(),
  );
  await writer.write(', "errors": null}');
  await writer.close();
  return { nodes, sources, columns };
}

const periodMs: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

async function writeSources(
  plan: ProjectPlan,
  path: string,
  invocations: InvocationIds,
  startedAt: number,
): Promise<number> {
  const writer = await ArtifactWriter.open(path);
  const random = Random.for(plan.seed, 50);
  let clock = startedAt + 1_200;
  const threads = 8;
  await writer.write(
    `{"metadata": ${pythonJson(metadata('sources', 3, invocations.freshness, startedAt + 60_000, random))}, "results": `,
  );
  const count = await writeArray(
    writer,
    (function* () {
      let index = 0;
      for (const source of plan.sources) {
        if (!source.freshness) {
          continue;
        }
        const itemRandom = Random.for(plan.seed, 51, source.index);
        const uid = plan.uids[source.id]!;
        const roll = itemRandom.next();
        if (roll < 0.02) {
          yield {
            unique_id: uid,
            error: `Database Error in source ${source.table} (${`models/staging/${source.sourceName}/_${source.sourceName}__sources.yml`})\n  002003 (42S02): SQL compilation error:\n  Object '${plan.profile.warehouseCase(source.schema)}.${plan.profile.warehouseCase(source.table)}' does not exist or not authorized.`,
            status: 'runtime error',
          };
          continue;
        }
        const warnMs = source.freshness.warn[0] * periodMs[source.freshness.warn[1]]!;
        const errorMs = source.freshness.error[0] * periodMs[source.freshness.error[1]]!;
        const status = roll < 0.82 ? 'pass' : roll < 0.94 ? 'warn' : 'error';
        const ageMs =
          status === 'pass'
            ? itemRandom.next() * warnMs
            : status === 'warn'
              ? warnMs + itemRandom.next() * (errorMs - warnMs)
              : errorMs + itemRandom.next() * errorMs * 3;
        const start = clock + (index % threads) * 7;
        const end = start + itemRandom.int(150, 2_500);
        clock += itemRandom.int(20, 200);
        index += 1;
        yield {
          unique_id: uid,
          max_loaded_at: new Date(end - ageMs).toISOString().replace('Z', '+00:00'),
          snapshotted_at: new Date(end).toISOString().replace('Z', '+00:00'),
          max_loaded_at_time_ago_in_s: ageMs / 1000,
          status,
          criteria: {
            warn_after: { count: source.freshness.warn[0], period: source.freshness.warn[1] },
            error_after: { count: source.freshness.error[0], period: source.freshness.error[1] },
            filter: null,
          },
          adapter_response: {},
          timing: [
            {
              name: 'compile',
              started_at: isoMicros(start, itemRandom),
              completed_at: isoMicros(start + 2, itemRandom),
            },
            {
              name: 'execute',
              started_at: isoMicros(start + 3, itemRandom),
              completed_at: isoMicros(end, itemRandom),
            },
          ],
          thread_id: `Thread-${(index % threads) + 1} (worker)`,
          execution_time: (end - start) / 1000,
        };
      }
    })(),
  );
  await writer.write(`, "elapsed_time": ${(clock - startedAt) / 1000}}`);
  await writer.close();
  return count;
}

/** Writes manifest.json, catalog.json, run_results.json and sources.json into `outputDirectory`. */
export async function generateDbtProject(options: DbtProjectOptions): Promise<GeneratedDbtProject> {
  if (!Number.isInteger(options.models) || options.models < 1) {
    throw new Error(`models must be a whole number >= 1, got ${options.models}`);
  }
  const adapter = options.adapter ?? 'snowflake';
  if (!DBT_ADAPTERS.includes(adapter)) {
    throw new Error(`adapter must be one of ${DBT_ADAPTERS.join(', ')}, got ${adapter}`);
  }
  const seed = options.seed ?? 1;
  const projectName = options.projectName ?? 'acme_analytics';
  const plan = planProject({
    models: options.models,
    seed,
    adapter,
    failingTests: Math.max(0, Math.floor(options.failingTests ?? 10)),
    projectName,
  });
  const directory = resolve(options.outputDirectory);
  await mkdir(directory, { recursive: true });
  const files: DbtProjectFiles = {
    manifest: join(directory, 'manifest.json'),
    catalog: join(directory, 'catalog.json'),
    runResults: join(directory, 'run_results.json'),
    sources: join(directory, 'sources.json'),
  };
  const ids = Random.for(seed, 60);
  const invocations: InvocationIds = {
    build: ids.uuid(),
    docs: ids.uuid(),
    freshness: ids.uuid(),
    userId: ids.uuid(),
  };

  // run_results first: its clock says when the build finished, which the manifest's generated_at follows.
  const run = await writeRunResults(plan, files.runResults, invocations);
  await writeManifest(plan, files.manifest, invocations, run.finishedAt);
  const catalog = await writeCatalog(plan, files.catalog, invocations, run.finishedAt + 45_000);
  const freshness = await writeSources(plan, files.sources, invocations, run.finishedAt + 90_000);

  const bytes = {} as Record<keyof DbtProjectFiles, number>;
  for (const key of Object.keys(files) as (keyof DbtProjectFiles)[]) {
    bytes[key] = (await stat(files[key])).size;
  }
  const documented =
    plan.models.reduce((sum, model) => sum + model.columns.length, 0) +
    plan.seeds.reduce((sum, seed) => sum + (seed.documented ? seed.columns.length : 0), 0) +
    plan.sources.reduce((sum, source) => sum + source.documented, 0);
  return {
    files,
    bytes,
    seed,
    adapter,
    projectName,
    invocationId: invocations.build,
    counts: {
      models: plan.models.length,
      ephemeralModels: plan.models.filter((model) => model.materialization === 'ephemeral').length,
      sources: plan.sources.length,
      seeds: plan.seeds.length,
      snapshots: plan.snapshots.length,
      tests: plan.tests.length,
      singularTests: plan.tests.filter((test) => test.kind === 'singular').length,
      unitTests: plan.unitTests.length,
      columns: documented,
      catalogColumns: catalog.columns,
      catalogNodes: catalog.nodes,
      catalogSources: catalog.sources,
      exposures: plan.exposures.length,
      macros: plan.macros.length,
      semanticModels: plan.semanticModels.length,
      metrics: plan.metrics.length,
      savedQueries: plan.savedQueries.length,
      groups: plan.groups.length,
      runResults: run.results,
      failingTests: run.failing,
      freshnessResults: freshness,
    },
  };
}

export function describeDbtProject(project: GeneratedDbtProject): string {
  const megabytes = (value: number) => `${(value / 1024 / 1024).toFixed(1)} MB`;
  const { counts, bytes } = project;
  return [
    `manifest ${megabytes(bytes.manifest)}, catalog ${megabytes(bytes.catalog)}, run_results ${megabytes(bytes.runResults)}, sources ${megabytes(bytes.sources)}`,
    `${counts.models} models (${counts.ephemeralModels} ephemeral), ${counts.sources} sources, ${counts.seeds} seeds, ` +
      `${counts.snapshots} snapshots, ${counts.tests} tests (${counts.singularTests} singular, ${counts.failingTests} failing), ` +
      `${counts.unitTests} unit tests, ${counts.columns} documented columns (${counts.catalogColumns} in the catalog), ` +
      `${counts.exposures} exposures, ${counts.semanticModels} semantic models, ${counts.metrics} metrics, ` +
      `${counts.macros} macros, ${counts.runResults} run results, ${counts.freshnessResults} freshness results`,
  ].join('\n');
}

// `node bench/dist/src/lib/dbt-project.generator.js --models 10000 --out /tmp/x [--seed 1] [--adapter snowflake]
//  [--failing-tests 10] [--check]`: writes a project for a human to look at or upload by hand.
async function main(argv: string[]): Promise<void> {
  const { options } = parseArguments(argv, new Set());
  if (options.has('help')) {
    process.stdout.write(
      'Usage: node bench/dist/src/lib/dbt-project.generator.js --models N --out DIR [--seed S] ' +
        `[--adapter ${DBT_ADAPTERS.join('|')}] [--failing-tests N] [--check]\n`,
    );
    return;
  }
  const started = performance.now();
  const project = await generateDbtProject({
    models: options.number('models', 1_000, { min: 1 }),
    seed: options.number('seed', 1),
    adapter: options.string('adapter', 'snowflake') as DbtAdapter,
    failingTests: options.number('failing-tests', 10, { min: 0 }),
    outputDirectory: options.string('out', join(process.cwd(), 'dbt-project')),
  });
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(
    `${describeDbtProject(project)}\ngenerated in ${seconds.toFixed(1)} s into ${resolve(options.string('out', 'dbt-project'))} ` +
      `(peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB)\n`,
  );
  if (options.boolean('check')) {
    const { checkDbtProject } = await import('./dbt-project.validator.js');
    const problems = await checkDbtProject(project);
    process.stdout.write(
      problems.length === 0
        ? 'check: ok\n'
        : `check: ${problems.length} problem(s)\n${problems.slice(0, 50).join('\n')}\n`,
    );
    if (problems.length > 0) {
      process.exitCode = 1;
    }
  }
  const unused = options.unused();
  if (unused.length > 0) {
    process.stderr.write(`warning: unknown option(s): ${unused.map((name) => `--${name}`).join(', ')}\n`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
