import { vocabulary } from './dataset-generator.js';
import { Random } from './dbt-project.generator.js';

/**
 * A synthetic warehouse query history: what a history ingester reads from Snowflake QUERY_HISTORY, BigQuery
 * JOBS, Redshift SYS_QUERY_HISTORY… Deterministic for a seed. Mostly SELECTs (filters, joins, CTEs, windows, IN
 * lists, unions) over a few thousand tables, plus INSERT…SELECT, CTAS, MERGE, UPDATE, DELETE, session statements
 * (USE, SET, SHOW, transactions), temp-table scripts, some unparsable junk, and a share of texts carrying a Hex,
 * dbt or Looker comment. Most rows repeat an earlier query shape with new literals, as BI tools and schedulers do.
 */

export const SQL_HISTORY_PLATFORMS = [
  'snowflake',
  'bigquery',
  'redshift',
  'databricks',
  'postgres',
  'mysql',
  'clickhouse',
] as const;
export type SqlHistoryPlatform = (typeof SQL_HISTORY_PLATFORMS)[number];

export interface QueryHistoryRow {
  readonly queryId: string;
  readonly platform: SqlHistoryPlatform;
  readonly text: string;
  readonly startedAt: Date;
  readonly user: string;
  readonly defaultDatabase: string | null;
  readonly defaultSchema: string | null;
  readonly sessionId: string;
}

export interface SqlHistoryOptions {
  /** Rows to produce. */
  readonly rows: number;
  /** Same seed, same rows. Default 1. */
  readonly seed?: number;
  /** Share of rows that repeat an earlier query shape with new literals, 0..1. Default 0.95. */
  readonly repeatRatio?: number;
  /** Share per platform; default: the mix below. */
  readonly platformWeights?: Partial<Record<SqlHistoryPlatform, number>>;
  /** Tables per platform. Default 600 (≈ 4,000 over all platforms). */
  readonly tablesPerPlatform?: number;
  /** Time of the first row; rows follow at a steady rate. Default 2026-03-12T00:00:00Z. */
  readonly start?: Date;
}

/** The platform mix of a typical customer base of a catalog. */
const DEFAULT_PLATFORM_WEIGHTS: Record<SqlHistoryPlatform, number> = {
  snowflake: 30,
  bigquery: 20,
  redshift: 15,
  databricks: 12,
  postgres: 10,
  mysql: 8,
  clickhouse: 5,
};

const COLUMNS = [
  'id',
  'customer_id',
  'account_id',
  'order_id',
  'user_id',
  'created_at',
  'updated_at',
  'status',
  'amount',
  'total',
  'quantity',
  'price',
  'currency',
  'country',
  'region',
  'channel',
  'email',
  'name',
  'plan',
  'event_name',
  'event_ts',
  'is_active',
  'score',
  'category',
] as const;

const STATUSES = ['active', 'completed', 'pending', 'refunded', 'canceled', 'trial', 'churned'];
const COUNTRIES = ['US', 'DE', 'FR', 'GB', 'JP', 'BR', 'IN', 'CA', 'AU', 'NL'];

interface Table {
  /** Database (project, catalog) — absent for two-level platforms. */
  readonly database: string | null;
  readonly schema: string;
  readonly name: string;
  readonly columns: readonly string[];
}

interface PlatformCatalog {
  readonly platform: SqlHistoryPlatform;
  readonly databases: readonly string[];
  readonly tables: readonly Table[];
  readonly users: readonly string[];
}

/** A query shape: its structure is fixed, `render` draws new literals each time. */
interface Shape {
  readonly platform: SqlHistoryPlatform;
  readonly defaultDatabase: string | null;
  readonly defaultSchema: string | null;
  readonly user: string;
  /** Rows the shape emits together (a temp-table script is several history rows of one session). */
  render(random: Random): string[];
}

/** Yields `rows` history rows. */
export function* generateQueryHistory(options: SqlHistoryOptions): Generator<QueryHistoryRow> {
  const seed = options.seed ?? 1;
  const repeatRatio = options.repeatRatio ?? 0.95;
  const random = new Random(seed);
  const weights = { ...DEFAULT_PLATFORM_WEIGHTS, ...options.platformWeights };
  const platforms = SQL_HISTORY_PLATFORMS.filter((platform) => (weights[platform] ?? 0) > 0);
  const totalWeight = platforms.reduce((sum, platform) => sum + weights[platform]!, 0);
  const catalogs = new Map(
    platforms.map((platform) => [
      platform,
      buildCatalog(platform, Random.for(seed, platforms.indexOf(platform)), options.tablesPerPlatform ?? 600),
    ]),
  );
  const shapes: Shape[] = [];
  const start = (options.start ?? new Date('2026-03-12T00:00:00Z')).getTime();
  let produced = 0;
  let sessionCounter = 0;
  while (produced < options.rows) {
    let shape: Shape;
    if (shapes.length > 0 && random.chance(repeatRatio)) {
      // Popular shapes repeat more: pick from the recent half twice as often.
      shape = random.chance(0.5)
        ? shapes[shapes.length - 1 - random.int(0, Math.min(shapes.length - 1, 200))]!
        : random.pick(shapes);
    } else {
      let draw = random.next() * totalWeight;
      let platform = platforms[0]!;
      for (const candidate of platforms) {
        draw -= weights[candidate]!;
        if (draw < 0) {
          platform = candidate;
          break;
        }
      }
      shape = newShape(catalogs.get(platform)!, random);
      shapes.push(shape);
    }
    sessionCounter += 1;
    const sessionId = `s-${seed}-${sessionCounter}`;
    for (const text of shape.render(random)) {
      if (produced >= options.rows) break;
      produced += 1;
      yield {
        queryId: `q-${seed}-${produced}`,
        platform: shape.platform,
        text,
        startedAt: new Date(start + produced * 250),
        user: shape.user,
        defaultDatabase: shape.defaultDatabase,
        defaultSchema: shape.defaultSchema,
        sessionId,
      };
    }
  }
}

function buildCatalog(platform: SqlHistoryPlatform, random: Random, tableCount: number): PlatformCatalog {
  const twoLevel = platform === 'mysql' || platform === 'clickhouse';
  const databases =
    platform === 'bigquery'
      ? ['acme-prod', 'acme-analytics-2', 'acme-raw']
      : platform === 'databricks'
        ? ['main', 'hive_metastore', 'dev']
        : ['analytics', 'raw', 'sandbox'];
  const tables: Table[] = [];
  const seen = new Set<string>();
  while (tables.length < tableCount) {
    const prefix = random.pick(vocabulary.prefixes);
    const domain = random.pick(vocabulary.domains);
    const entity = random.pick(vocabulary.entities);
    const name = `${prefix}_${domain ? `${domain}_` : ''}${entity}${random.pick(vocabulary.suffixes)}`;
    const schema = random.pick(vocabulary.schemas);
    const database = twoLevel ? null : random.pick(databases);
    const key = `${database}.${schema}.${name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    tables.push({ database, schema, name, columns: random.sample(COLUMNS, random.int(6, 14)) });
  }
  const users = Array.from({ length: 40 }, (_, index) =>
    index < 6
      ? ['hex_service', 'dbt_prod', 'looker', 'airflow', 'fivetran', 'tableau'][index]!
      : `analyst_${index}`,
  );
  return { platform, databases, tables, users };
}

// ---------------------------------------------------------------------------------------------------------------
// Rendering helpers

/** How one platform writes names and a few functions. */
interface Dialect {
  name(table: Table, qualification: 1 | 2 | 3): string;
  dateTrunc(column: string): string;
  daysAgo(days: number): string;
}

function dialectOf(platform: SqlHistoryPlatform, random: Random): Dialect {
  const upper = platform === 'snowflake' && random.chance(0.4);
  const fold = (text: string): string => (upper ? text.toUpperCase() : text);
  switch (platform) {
    case 'bigquery':
      return {
        name: (table, qualification) =>
          qualification === 3
            ? `\`${table.database}.${table.schema}.${table.name}\``
            : `${table.schema}.${table.name}`,
        dateTrunc: (column) => `DATE_TRUNC(${column}, MONTH)`,
        daysAgo: (days) => `DATE_SUB(CURRENT_DATE(), INTERVAL ${days} DAY)`,
      };
    case 'mysql':
      return {
        name: (table, qualification) =>
          qualification === 1 ? `\`${table.name}\`` : `${table.schema}.\`${table.name}\``,
        dateTrunc: (column) => `DATE_FORMAT(${column}, '%Y-%m-01')`,
        daysAgo: (days) => `CURDATE() - INTERVAL ${days} DAY`,
      };
    case 'clickhouse':
      return {
        name: (table, qualification) => (qualification === 1 ? table.name : `${table.schema}.${table.name}`),
        dateTrunc: (column) => `toStartOfMonth(${column})`,
        daysAgo: (days) => `today() - ${days}`,
      };
    default:
      return {
        name: (table, qualification) =>
          fold(
            qualification === 3
              ? `${table.database}.${table.schema}.${table.name}`
              : qualification === 2
                ? `${table.schema}.${table.name}`
                : table.name,
          ),
        dateTrunc: (column) => `DATE_TRUNC('month', ${column})`,
        daysAgo: (days) =>
          platform === 'snowflake' || platform === 'redshift'
            ? `DATEADD(day, -${days}, CURRENT_DATE)`
            : platform === 'databricks'
              ? `date_sub(current_date(), ${days})`
              : `CURRENT_DATE - INTERVAL '${days} days'`,
      };
  }
}

function stringLiteral(random: Random, values: readonly string[]): string {
  return `'${random.pick(values)}'`;
}

function dateLiteral(random: Random): string {
  return `'2026-${String(random.int(1, 12)).padStart(2, '0')}-${String(random.int(1, 28)).padStart(2, '0')}'`;
}

function filterOn(column: string, alias: string, random: Random): string {
  const qualified = `${alias}.${column}`;
  if (column.endsWith('_at') || column.endsWith('_ts')) return `${qualified} >= ${dateLiteral(random)}`;
  if (column === 'status') return `${qualified} = ${stringLiteral(random, STATUSES)}`;
  if (column === 'country') return `${qualified} = ${stringLiteral(random, COUNTRIES)}`;
  if (column === 'is_active') return `${qualified} = ${random.chance(0.5) ? 'TRUE' : 'FALSE'}`;
  return `${qualified} > ${random.int(0, 10_000)}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Shapes

type ShapeKind =
  | 'select_filter'
  | 'select_join'
  | 'select_cte'
  | 'select_in_list'
  | 'select_window'
  | 'select_union'
  | 'insert_select'
  | 'ctas'
  | 'merge'
  | 'update'
  | 'delete'
  | 'temp_script'
  | 'session'
  | 'junk';

const SHAPE_WEIGHTS: readonly [ShapeKind, number][] = [
  ['select_filter', 22],
  ['select_join', 20],
  ['select_cte', 10],
  ['select_in_list', 6],
  ['select_window', 5],
  ['select_union', 3],
  ['insert_select', 8],
  ['ctas', 4],
  ['merge', 4],
  ['update', 3],
  ['delete', 3],
  ['temp_script', 2],
  ['session', 8],
  ['junk', 2],
];
const SHAPE_TOTAL = SHAPE_WEIGHTS.reduce((sum, [, weight]) => sum + weight, 0);

function newShape(catalog: PlatformCatalog, random: Random): Shape {
  let draw = random.next() * SHAPE_TOTAL;
  let kind: ShapeKind = 'select_filter';
  for (const [candidate, weight] of SHAPE_WEIGHTS) {
    draw -= weight;
    if (draw < 0) {
      kind = candidate;
      break;
    }
  }
  const platform = catalog.platform;
  const home = random.pick(catalog.tables);
  const twoLevel = platform === 'mysql' || platform === 'clickhouse';
  const defaultDatabase = twoLevel ? null : (home.database ?? null);
  const defaultSchema = home.schema;
  const dialect = dialectOf(platform, random);
  const qualification = (): 1 | 2 | 3 => {
    const pick = random.int(1, 10);
    if (twoLevel) return pick <= 3 ? 1 : 2;
    if (platform === 'bigquery') return pick <= 2 ? 2 : 3;
    return pick <= 2 ? 1 : pick <= 5 ? 2 : 3;
  };
  // Names of tables in the default schema may be written with fewer parts.
  const nameOf = (table: Table): string => {
    const level = qualification();
    if (level === 1 && table.schema !== defaultSchema) return dialect.name(table, twoLevel ? 2 : 3);
    if (level === 2 && !twoLevel && table.database !== defaultDatabase) return dialect.name(table, 3);
    return dialect.name(table, level);
  };
  const tables = random.sample(catalog.tables, 4);
  const [first, second, third, fourth] = tables as [Table, Table, Table, Table];
  const columnsOf = (table: Table, count: number): string[] => random.sample(table.columns, count);
  const comment = commentFor(random, catalog);
  const user = comment.user ?? random.pick(catalog.users);
  const render = shapeRenderer(kind, {
    platform,
    dialect,
    random,
    first,
    second,
    third,
    fourth,
    nameOf,
    columnsOf,
  });
  return {
    platform,
    defaultDatabase,
    defaultSchema,
    user,
    render: (rowRandom) => render(rowRandom).map((text) => comment.decorate(text, rowRandom)),
  };
}

interface ShapeParts {
  readonly platform: SqlHistoryPlatform;
  readonly dialect: Dialect;
  readonly random: Random;
  readonly first: Table;
  readonly second: Table;
  readonly third: Table;
  readonly fourth: Table;
  nameOf(table: Table): string;
  columnsOf(table: Table, count: number): string[];
}

/** Fixes a shape's structure (tables, columns, clauses) now; returns how to render it with fresh literals. */
function shapeRenderer(kind: ShapeKind, parts: ShapeParts): (random: Random) => string[] {
  const { platform, dialect, random, first, second, third, fourth, nameOf, columnsOf } = parts;
  const a = nameOf(first);
  const b = nameOf(second);
  const c = nameOf(third);
  const target = nameOf(fourth);
  const firstColumns = columnsOf(first, random.int(2, 5));
  const secondColumns = columnsOf(second, random.int(1, 3));
  const filterColumn = random.pick(first.columns);
  const joinKey = random.pick(['id', 'customer_id', 'account_id', 'order_id', 'user_id']);
  const limit = random.chance(0.4) ? ` LIMIT ${random.pick([10, 100, 500, 1000])}` : '';
  const projection = firstColumns.map((column) => `a.${column}`).join(', ');
  switch (kind) {
    case 'select_filter': {
      const secondFilter = random.pick(first.columns);
      return (r) => [
        `SELECT ${projection} FROM ${a} a WHERE ${filterOn(filterColumn, 'a', r)} AND ${filterOn(secondFilter, 'a', r)}${limit}`,
      ];
    }
    case 'select_join': {
      const measure = random.pick(first.columns);
      const period = random.pick(first.columns);
      return (r) => [
        `SELECT ${dialect.dateTrunc(`a.${period}`)} AS period, b.${secondColumns[0]}, COUNT(*) AS n, SUM(a.${measure}) AS total_${measure}\n` +
          `FROM ${a} a\nJOIN ${b} b ON b.${joinKey} = a.${joinKey}\nLEFT JOIN ${c} c ON c.id = b.id\n` +
          `WHERE ${filterOn(filterColumn, 'a', r)} AND a.created_at >= ${dialect.daysAgo(r.int(1, 90))}\nGROUP BY 1, 2\nORDER BY 3 DESC${limit}`,
      ];
    }
    case 'select_cte':
      return (r) => [
        `WITH recent AS (\n  SELECT ${projection}, a.${joinKey} AS join_key FROM ${a} a WHERE ${filterOn(filterColumn, 'a', r)}\n), ` +
          `ranked AS (\n  SELECT r.*, b.${secondColumns[0]} AS detail FROM recent r JOIN ${b} b ON b.${joinKey} = r.join_key\n)\n` +
          `SELECT detail, COUNT(*) AS n FROM ranked GROUP BY detail HAVING COUNT(*) > ${r.int(1, 50)}`,
      ];
    case 'select_in_list': {
      const size = random.int(3, 60);
      return (r) => [
        `SELECT ${projection} FROM ${a} a WHERE a.${joinKey} IN (${Array.from({ length: size }, () => r.int(1, 1_000_000)).join(', ')})`,
      ];
    }
    case 'select_window': {
      const summed = random.pick(first.columns);
      return (r) => [
        `SELECT a.${joinKey}, a.created_at, ROW_NUMBER() OVER (PARTITION BY a.${joinKey} ORDER BY a.created_at DESC) AS rn, ` +
          `SUM(a.${summed}) OVER (PARTITION BY a.${joinKey}) AS running FROM ${a} a WHERE ${filterOn(filterColumn, 'a', r)}`,
      ];
    }
    case 'select_union':
      return (r) => [
        `SELECT id, '${first.name}' AS origin FROM ${a} WHERE created_at >= ${dateLiteral(r)} UNION ALL SELECT id, '${second.name}' AS origin FROM ${b} WHERE created_at >= ${dateLiteral(r)}`,
      ];
    case 'insert_select':
      return (r) => [
        `INSERT INTO ${target} (${firstColumns.join(', ')})\nSELECT ${projection} FROM ${a} a JOIN ${b} b ON b.${joinKey} = a.${joinKey} WHERE ${filterOn(filterColumn, 'a', r)}`,
      ];
    case 'ctas': {
      const create = platform === 'snowflake' ? 'CREATE OR REPLACE TRANSIENT TABLE' : 'CREATE TABLE';
      const engine = platform === 'clickhouse' ? ' ENGINE = MergeTree ORDER BY tuple()' : '';
      return (r) => [
        `${create} ${target}${engine} AS SELECT ${projection}, b.${secondColumns[0]} FROM ${a} a LEFT JOIN ${b} b ON b.${joinKey} = a.${joinKey} WHERE ${filterOn(filterColumn, 'a', r)}`,
      ];
    }
    case 'merge':
      if (platform === 'mysql' || platform === 'clickhouse') {
        return (r) => [
          `INSERT INTO ${target} (id, status) SELECT a.id, a.status FROM ${a} a WHERE ${filterOn(filterColumn, 'a', r)} ON DUPLICATE KEY UPDATE status = VALUES(status)`,
        ];
      }
      return (r) => [
        `MERGE INTO ${target} t USING (SELECT id, status, amount FROM ${a} WHERE updated_at >= ${dateLiteral(r)}) s ON t.id = s.id\n` +
          `WHEN MATCHED THEN UPDATE SET status = s.status, amount = s.amount\nWHEN NOT MATCHED THEN INSERT (id, status, amount) VALUES (s.id, s.status, s.amount)`,
      ];
    case 'update':
      if (platform === 'mysql') {
        return (r) => [
          `UPDATE ${target} t JOIN ${a} a ON a.id = t.id SET t.status = a.status WHERE a.updated_at >= ${dateLiteral(r)}`,
        ];
      }
      return (r) => [
        `UPDATE ${target} SET status = ${stringLiteral(r, STATUSES)}, updated_at = CURRENT_TIMESTAMP WHERE id IN (SELECT id FROM ${a} WHERE ${filterOn(filterColumn, a, r)})`,
      ];
    case 'delete':
      return (r) => [
        `DELETE FROM ${target} WHERE created_at < ${dateLiteral(r)} AND status = ${stringLiteral(r, STATUSES)}`,
      ];
    case 'temp_script': {
      const temp =
        platform === 'redshift'
          ? '#staged'
          : platform === 'bigquery'
            ? 'staged'
            : `tmp_${first.name.slice(0, 20)}`;
      const createTemp =
        platform === 'mysql' || platform === 'clickhouse'
          ? `CREATE TEMPORARY TABLE ${temp} AS`
          : `CREATE TEMP TABLE ${temp} AS`;
      if (platform === 'databricks') {
        return (r) => [
          `CREATE OR REPLACE TEMP VIEW ${temp} AS SELECT ${projection} FROM ${a} a WHERE ${filterOn(filterColumn, 'a', r)}`,
          `INSERT INTO ${target} SELECT * FROM ${temp}`,
        ];
      }
      return (r) => [
        `${createTemp} SELECT ${projection} FROM ${a} a WHERE ${filterOn(filterColumn, 'a', r)}`,
        `INSERT INTO ${target} SELECT t.* FROM ${temp} t JOIN ${b} b ON b.id = t.${firstColumns[0]}`,
      ];
    }
    case 'session':
      return (r) => [sessionStatement(platform, first, r)];
    case 'junk':
      return (r) => [junkStatement(r, a)];
  }
}

function sessionStatement(platform: SqlHistoryPlatform, table: Table, random: Random): string {
  const choices: string[] = ['COMMIT', 'ROLLBACK'];
  switch (platform) {
    case 'snowflake':
      choices.push(
        `USE WAREHOUSE reporting_wh`,
        `SHOW TABLES IN SCHEMA ${table.database}.${table.schema}`,
        `ALTER SESSION SET QUERY_TAG = 'job_${random.int(1, 99)}'`,
        'BEGIN',
      );
      break;
    case 'bigquery':
      choices.push(`SELECT * FROM \`${table.database}\`.${table.schema}.INFORMATION_SCHEMA.TABLES`);
      break;
    case 'mysql':
    case 'clickhouse':
      choices.push(
        `USE ${table.schema}`,
        `SET NAMES utf8mb4`,
        'SHOW TABLES',
        `SET @limit = ${random.int(1, 100)}`,
      );
      break;
    default:
      choices.push(`SET search_path TO ${table.schema}`, 'BEGIN', `SHOW search_path`);
  }
  return random.pick(choices);
}

function junkStatement(random: Random, table: string): string {
  return random.pick([
    `SELEC * FORM ${table}`,
    `SELECT FROM WHERE ${random.int(1, 9)}`,
    `CALL refresh_everything(${random.int(1, 9)})`,
    `EXPLAIN SELECT * FROM ${table}`,
    `SELECT ((( 1 FROM ${table}`,
    `create procedure p() begin select ${random.int(1, 9)}; end`,
  ]);
}

// ---------------------------------------------------------------------------------------------------------------
// Comments BI tools and dbt add

interface Comment {
  readonly user: string | null;
  decorate(text: string, random: Random): string;
}

function commentFor(random: Random, catalog: PlatformCatalog): Comment {
  const draw = random.next();
  if (draw < 0.1) {
    const projectId = random.chance(0.8) ? uuid(random) : `proj_${random.int(1, 500)}`;
    const projectName = random.pick([
      'Weekly revenue',
      'Churn {cohorts}',
      'Growth "north star"',
      'Ops board',
    ]);
    const context = random.pick(['SCHEDULED_RUN', 'APP_VIEW', 'LOGIC_VIEW']);
    const urlKind = random.chance(0.7) ? 'hex' : 'app';
    const workspace = random.pick(['acme', 'acme-data', 'finance-team']);
    return {
      user: 'hex_service',
      // The structure is fixed with the shape; only per-run values (cell, trace, user) are drawn per row.
      decorate: (text, r) =>
        `${text}\n-- Hex query metadata: ${JSON.stringify({
          categories: ['Reporting'],
          cell_type: 'SQL',
          connection: 'Warehouse',
          context,
          project_id: projectId,
          project_name: projectName,
          project_url: `https://app.hex.tech/${workspace}/${urlKind}/${projectId}/draft/logic?selectedCellId=${uuid(r)}`,
          status: 'In development',
          trace_id: r.hex(32),
          user_email: `analyst${r.int(1, 40)}@acme.com`,
        })
          .replaceAll('","', '", "')
          .replaceAll('":', '": ')}`,
    };
  }
  if (draw < 0.18) {
    const node = `model.acme.${random.pick(catalog.tables).name}`;
    return {
      user: 'dbt_prod',
      decorate: (text, r) =>
        `/* ${JSON.stringify({ app: 'dbt', dbt_version: '1.9.4', profile_name: 'acme', target_name: 'prod', node_id: node, invocation_id: uuid(r) })} */\n${text}`,
    };
  }
  if (draw < 0.2) {
    return {
      user: 'looker',
      decorate: (text, r) =>
        `-- Looker Query Context '${JSON.stringify({ user_id: r.int(1, 300), history_slug: r.hex(12), instance_slug: 'acme' })}'\n${text}`,
    };
  }
  return { user: null, decorate: (text) => text };
}

function uuid(random: Random): string {
  const hex = random.hex(32);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
