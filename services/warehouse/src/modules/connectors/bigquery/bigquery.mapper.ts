import {
  OWN_QUERY_MARKER,
  type CrawledColumn,
  type CrawledTable,
  type CrawledTableKind,
  type EngineTable,
  type HistoryRecord,
} from '../warehouse-connector.js';

// Pure: the GoogleSQL the BigQuery connector sends (region-qualified INFORMATION_SCHEMA views, values as named
// query parameters) and how `jobs.query` rows become crawl and history records. No I/O here.

/** A named query parameter (`@name` in the SQL). */
export interface BigQueryParameter {
  readonly name: string;
  readonly type: 'STRING' | 'TIMESTAMP' | 'INT64';
  readonly value: string;
}

export interface BigQueryStatement {
  readonly sql: string;
  readonly parameters: readonly BigQueryParameter[];
}

/** A `schema.fields` entry of a query response. */
export interface BigQueryField {
  readonly name: string;
  readonly type: string;
  readonly mode?: string;
  readonly fields?: readonly BigQueryField[];
}

/** One page of a query result in the REST row format (`{f: [{v}]}`). */
export interface BigQueryResultPage {
  readonly fields: readonly BigQueryField[];
  readonly rows: readonly unknown[];
}

export type BigQueryRow = Readonly<Record<string, unknown>>;

/** Labels put on every job we run, so our jobs can be told apart in JOBS views and billing. */
export const OWN_JOB_LABELS: Readonly<Record<string, string>> = { app: 'cartograph' };

/** `region-us` → `US`, `region-europe-west1` → `europe-west1`: the `location` of jobs reading that region. */
export function regionLocation(region: string): string {
  const location = region.replace(/^region-/i, '');
  return /^(us|eu)$/i.test(location) ? location.toUpperCase() : location.toLowerCase();
}

/** `` `project`.`region-us`.INFORMATION_SCHEMA.VIEW ``; both parts are validated names, never user values. */
function view(project: string, region: string, name: string): string {
  return `\`${project}\`.\`${region.toLowerCase()}\`.INFORMATION_SCHEMA.${name}`;
}

export const REACH_STATEMENT: BigQueryStatement = { sql: 'SELECT 1 AS ok', parameters: [] };

export function schemataProbe(project: string, region: string): BigQueryStatement {
  return { sql: `SELECT schema_name FROM ${view(project, region, 'SCHEMATA')} LIMIT 1`, parameters: [] };
}

export function jobsProbe(project: string, region: string, since: Date): BigQueryStatement {
  return {
    sql: `SELECT job_id FROM ${view(project, region, 'JOBS_BY_PROJECT')} WHERE creation_time >= @since LIMIT 1`,
    parameters: [timestamp('since', since)],
  };
}

/**
 * Every table and view of a project in one region, with its description (TABLE_OPTIONS), size (TABLE_STORAGE)
 * and view text (VIEWS): one job per project and region instead of a tables.get call per table.
 */
export function tablesStatement(project: string, region: string): BigQueryStatement {
  const on = (alias: string): string =>
    `${alias}.table_schema = t.table_schema AND ${alias}.table_name = t.table_name`;
  return {
    sql:
      'SELECT t.table_catalog, t.table_schema, t.table_name, t.table_type, t.creation_time, o.option_value AS description,' +
      ' s.total_rows, s.total_logical_bytes, s.storage_last_modified_time, v.view_definition' +
      ` FROM ${view(project, region, 'TABLES')} t` +
      ` LEFT JOIN ${view(project, region, 'TABLE_OPTIONS')} o ON ${on('o')} AND o.option_name = 'description'` +
      ` LEFT JOIN ${view(project, region, 'TABLE_STORAGE')} s ON s.project_id = t.table_catalog AND ${on('s')}` +
      ` LEFT JOIN ${view(project, region, 'VIEWS')} v ON ${on('v')}` +
      ' ORDER BY t.table_schema, t.table_name',
    parameters: [],
  };
}

/** Top-level columns with their descriptions (COLUMN_FIELD_PATHS has them; COLUMNS does not). */
export function columnsStatement(project: string, region: string): BigQueryStatement {
  return {
    sql:
      'SELECT c.table_schema, c.table_name, c.column_name, c.ordinal_position, c.is_nullable, c.data_type, p.description' +
      ` FROM ${view(project, region, 'COLUMNS')} c` +
      ` LEFT JOIN ${view(project, region, 'COLUMN_FIELD_PATHS')} p` +
      ' ON p.table_schema = c.table_schema AND p.table_name = c.table_name AND p.field_path = c.column_name' +
      ' ORDER BY c.table_schema, c.table_name, c.ordinal_position',
    parameters: [],
  };
}

export interface BigQueryHistoryQuery {
  readonly project: string;
  readonly region: string;
  readonly since: Date;
  readonly until: Date;
  readonly limit?: number;
}

/**
 * Successful query jobs of one project and region, oldest first by creation_time: it partitions the view, so
 * the window prunes, and it is what `startedAt` reports so the watermark and the order agree. Script parents
 * are left out (their child jobs carry the statements).
 */
export function historyStatement(query: BigQueryHistoryQuery): BigQueryStatement {
  const parameters: BigQueryParameter[] = [
    timestamp('since', query.since),
    timestamp('until', query.until),
    { name: 'own_marker', type: 'STRING', value: OWN_QUERY_MARKER },
  ];
  let sql =
    'SELECT job_id, project_id, user_email, creation_time, start_time, end_time, statement_type, query, cache_hit,' +
    ' destination_table, referenced_tables, labels, session_info.session_id AS session_id,' +
    ' query_info.query_hashes.normalized_literals AS query_hash' +
    ` FROM ${view(query.project, query.region, 'JOBS_BY_PROJECT')}` +
    " WHERE creation_time >= @since AND creation_time < @until AND job_type = 'QUERY' AND state = 'DONE'" +
    " AND error_result IS NULL AND IFNULL(statement_type, '') != 'SCRIPT' AND NOT STARTS_WITH(query, @own_marker)" +
    ' ORDER BY creation_time, job_id';
  if (query.limit !== undefined) {
    sql += ' LIMIT @row_limit';
    parameters.push({
      name: 'row_limit',
      type: 'INT64',
      value: String(Math.max(0, Math.floor(query.limit))),
    });
  }
  return { sql, parameters };
}

function timestamp(name: string, value: Date): BigQueryParameter {
  return { name, type: 'TIMESTAMP', value: value.toISOString() };
}

// ---- decoding ----------------------------------------------------------------------------------------------

/** Rows of a page as objects keyed by field name; RECORDs become objects, REPEATED fields arrays. */
export function decodeRows(page: BigQueryResultPage): BigQueryRow[] {
  return page.rows.map((row) => decodeRecord(row, page.fields));
}

function decodeRecord(row: unknown, fields: readonly BigQueryField[]): Record<string, unknown> {
  const cells = ((row as { f?: { v?: unknown }[] } | null)?.f ?? []) as { v?: unknown }[];
  const record: Record<string, unknown> = {};
  fields.forEach((field, index) => {
    record[field.name] = decodeField(cells[index]?.v ?? null, field);
  });
  return record;
}

function decodeField(value: unknown, field: BigQueryField): unknown {
  if (field.mode === 'REPEATED') {
    if (!Array.isArray(value)) return [];
    return value.map((item) => decodeScalar((item as { v?: unknown })?.v ?? null, field));
  }
  return decodeScalar(value, field);
}

function decodeScalar(value: unknown, field: BigQueryField): unknown {
  if (value === null || value === undefined) return null;
  switch (field.type.toUpperCase()) {
    case 'RECORD':
    case 'STRUCT':
      return decodeRecord(value, field.fields ?? []);
    case 'INTEGER':
    case 'INT64':
    case 'FLOAT':
    case 'FLOAT64':
    case 'NUMERIC':
    case 'BIGNUMERIC':
      return Number(value);
    case 'BOOLEAN':
    case 'BOOL':
      return value === 'true' || value === true;
    case 'TIMESTAMP':
      return parseBigQueryTimestamp(String(value));
    default:
      return value;
  }
}

/** Int64 microseconds (`formatOptions.useInt64Timestamp`) or float seconds (`1.7145576E9`) → Date. */
export function parseBigQueryTimestamp(value: string): Date | null {
  if (/^-?\d+$/.test(value)) return new Date(Number(BigInt(value) / 1000n));
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return new Date(Math.round(seconds * 1000));
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

// ---- crawl ---------------------------------------------------------------------------------------------

export function tableKind(tableType: string | null): CrawledTableKind {
  switch ((tableType ?? '').toUpperCase()) {
    case 'BASE TABLE':
    case 'CLONE':
    case 'SNAPSHOT':
      return 'table';
    case 'VIEW':
      return 'view';
    case 'MATERIALIZED VIEW':
      return 'materialized_view';
    case 'EXTERNAL':
      return 'external';
    default:
      return 'other';
  }
}

/**
 * TABLE_OPTIONS.option_value is a GoogleSQL literal: `"text"` with escapes (or raw / triple-quoted forms).
 * Returns the text it denotes.
 */
export function optionText(value: unknown): string | null {
  if (typeof value !== 'string' || value === '') return null;
  const raw = /^[rR](["'])([\s\S]*)\1$/.exec(value);
  if (raw) return raw[2]!;
  const triple = /^("""|''')([\s\S]*)\1$/.exec(value);
  const quoted = triple ? triple[2]! : /^(["'])([\s\S]*)\1$/.exec(value)?.[2];
  if (quoted === undefined) return value;
  return quoted.replace(/\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)/g, (_match, escape: string) => {
    if (escape.startsWith('u') || escape.startsWith('x'))
      return String.fromCharCode(Number.parseInt(escape.slice(1), 16));
    return (
      ({ n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'" } as Record<string, string>)[escape] ??
      escape
    );
  });
}

/** Tables of one project and region with their columns, in the order of `tables`. */
export function mapTables(tables: readonly BigQueryRow[], columns: readonly BigQueryRow[]): CrawledTable[] {
  const key = (row: BigQueryRow): string => JSON.stringify([row.table_schema, row.table_name]);
  const columnsByTable = new Map<string, CrawledColumn[]>();
  for (const row of columns) {
    const list = columnsByTable.get(key(row)) ?? [];
    list.push({
      name: String(row.column_name),
      type: String(row.data_type ?? 'UNKNOWN'),
      position: typeof row.ordinal_position === 'number' ? row.ordinal_position : list.length + 1,
      nullable:
        row.is_nullable === null || row.is_nullable === undefined ? undefined : row.is_nullable === 'YES',
      comment: stringOrNull(row.description),
    });
    columnsByTable.set(key(row), list);
  }
  return tables.map((row) => ({
    database: String(row.table_catalog),
    schema: String(row.table_schema),
    name: String(row.table_name),
    kind: tableKind(stringOrNull(row.table_type)),
    comment: optionText(row.description),
    columns: (columnsByTable.get(key(row)) ?? []).sort((left, right) => left.position - right.position),
    rowCount: numberOrNull(row.total_rows),
    bytes: numberOrNull(row.total_logical_bytes),
    viewDefinition: stringOrNull(row.view_definition),
    createdAt: dateOrNull(row.creation_time),
    alteredAt: dateOrNull(row.storage_last_modified_time),
  }));
}

// ---- history -------------------------------------------------------------------------------------------

/** A JOBS_BY_PROJECT row as a history record; undefined for our own jobs. */
export function mapJobRow(row: BigQueryRow): HistoryRecord | undefined {
  const text = stringOrNull(row.query) ?? '';
  const labels = labelTags(row.labels);
  if (text.startsWith(OWN_QUERY_MARKER)) return undefined;
  if (Object.entries(OWN_JOB_LABELS).every(([key, value]) => labels[key] === value)) return undefined;
  const startedAt = dateOrNull(row.creation_time);
  if (!startedAt) return undefined;
  const started = dateOrNull(row.start_time);
  const endedAt = dateOrNull(row.end_time);
  return {
    queryId: String(row.job_id),
    text,
    startedAt,
    endedAt,
    durationMs: started && endedAt ? endedAt.getTime() - started.getTime() : null,
    user: stringOrNull(row.user_email),
    role: null,
    sessionId: stringOrNull(row.session_id),
    // An unqualified `dataset.table` resolves in the project that ran the job.
    defaultDatabase: stringOrNull(row.project_id),
    defaultSchema: null,
    statementType: stringOrNull(row.statement_type),
    engineFingerprint: stringOrNull(row.query_hash),
    engineLineage: row.cache_hit === true ? null : jobLineage(row),
    textTruncated: false,
    rowsProduced: null,
    tags: labels,
  };
}

/**
 * referenced_tables are the sources and destination_table the target, except the anonymous dataset (`_…`) a
 * plain SELECT writes its result to; partition decorators (`table$20240101`) are removed.
 */
export function jobLineage(row: BigQueryRow): HistoryRecord['engineLineage'] {
  const target = tableReference(row.destination_table);
  const targets = target && !target.schema?.startsWith('_') ? [target] : [];
  const targetKeys = new Set(targets.map(tableKey));
  const seen = new Set<string>();
  const sources: EngineTable[] = [];
  for (const reference of Array.isArray(row.referenced_tables) ? row.referenced_tables : []) {
    const table = tableReference(reference);
    if (!table || targetKeys.has(tableKey(table)) || seen.has(tableKey(table))) continue;
    seen.add(tableKey(table));
    sources.push(table);
  }
  return { sources, targets };
}

function tableReference(value: unknown): EngineTable | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { project_id, dataset_id, table_id } = value as Record<string, unknown>;
  if (typeof table_id !== 'string' || table_id === '') return undefined;
  return {
    database: typeof project_id === 'string' ? project_id : null,
    schema: typeof dataset_id === 'string' ? dataset_id : null,
    name: table_id.replace(/\$.*$/, ''),
  };
}

function labelTags(value: unknown): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const label of Array.isArray(value) ? value : []) {
    const { key, value: labelValue } = (label ?? {}) as { key?: unknown; value?: unknown };
    if (typeof key === 'string') tags[key] = typeof labelValue === 'string' ? labelValue : '';
  }
  return tags;
}

function tableKey(table: EngineTable): string {
  return JSON.stringify([table.database, table.schema, table.name]);
}

function stringOrNull(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const text = String(value);
  return text === '' ? null : text;
}

function numberOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function dateOrNull(value: unknown): Date | null {
  return value instanceof Date && !Number.isNaN(value.getTime()) ? value : null;
}
