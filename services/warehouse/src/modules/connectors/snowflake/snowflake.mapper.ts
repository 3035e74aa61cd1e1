import {
  OWN_QUERY_MARKER,
  type CrawledColumn,
  type CrawledTable,
  type CrawledTableKind,
  type EngineTable,
  type HistoryRecord,
} from '../warehouse-connector.js';

// Pure: the statements the Snowflake connector sends and how their SQL API (jsonv2) results become crawl and
// history records. No I/O here; the client sends what these functions build.

/** A SQL API binding (`bindings: {"1": {type, value}}`); values are always sent as text. */
export interface SnowflakeBinding {
  readonly type: 'TEXT' | 'FIXED';
  readonly value: string;
}

/** A statement without our marker (the client prefixes it) and its positional bindings, in `?` order. */
export interface SnowflakeStatement {
  readonly sql: string;
  readonly bindings: readonly SnowflakeBinding[];
}

/** A `resultSetMetaData.rowType` entry, as far as decoding needs it. */
export interface SnowflakeColumnType {
  readonly name: string;
  readonly type: string;
  readonly scale?: number | null;
}

/** One partition of a result: rows of strings (jsonv2) with the result's column types. */
export interface SnowflakeResultPage {
  readonly columns: readonly SnowflakeColumnType[];
  readonly rows: readonly (readonly (string | null)[])[];
}

export type SnowflakeRow = Readonly<Record<string, unknown>>;

/** QUERY_TEXT longer than this is cut by Snowflake. */
const QUERY_TEXT_LIMIT = 100_000;
const SYSTEM_DATABASE = 'SNOWFLAKE';

export const CONTEXT_STATEMENT: SnowflakeStatement = {
  sql: 'SELECT CURRENT_ACCOUNT() AS ACCOUNT_NAME, CURRENT_USER() AS USER_NAME, CURRENT_ROLE() AS ROLE_NAME, CURRENT_WAREHOUSE() AS WAREHOUSE_NAME',
  bindings: [],
};

export const QUERY_HISTORY_PROBE: SnowflakeStatement = {
  sql: 'SELECT 1 FROM SNOWFLAKE.ACCOUNT_USAGE.QUERY_HISTORY LIMIT 1',
  bindings: [],
};

export const ACCESS_HISTORY_PROBE: SnowflakeStatement = {
  sql: 'SELECT 1 FROM SNOWFLAKE.ACCOUNT_USAGE.ACCESS_HISTORY LIMIT 1',
  bindings: [],
};

export const SHOW_DATABASES_STATEMENT: SnowflakeStatement = { sql: 'SHOW DATABASES', bindings: [] };

/** `"name"` with inner quotes doubled: identifiers cannot be bound, so they are quoted exactly as stored. */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function tablesStatement(database: string): SnowflakeStatement {
  return {
    sql: `SELECT TABLE_SCHEMA, TABLE_NAME, TABLE_TYPE, ROW_COUNT, BYTES, COMMENT, CREATED, LAST_ALTERED FROM ${quoteIdentifier(database)}.INFORMATION_SCHEMA.TABLES WHERE TABLE_SCHEMA <> 'INFORMATION_SCHEMA' ORDER BY TABLE_SCHEMA, TABLE_NAME`,
    bindings: [],
  };
}

export function columnsStatement(database: string): SnowflakeStatement {
  return {
    sql: `SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, ORDINAL_POSITION, DATA_TYPE, IS_NULLABLE, CHARACTER_MAXIMUM_LENGTH, NUMERIC_PRECISION, NUMERIC_SCALE, COMMENT FROM ${quoteIdentifier(database)}.INFORMATION_SCHEMA.COLUMNS WHERE TABLE_SCHEMA <> 'INFORMATION_SCHEMA' ORDER BY TABLE_SCHEMA, TABLE_NAME, ORDINAL_POSITION`,
    bindings: [],
  };
}

export function viewsStatement(database: string): SnowflakeStatement {
  return {
    sql: `SELECT TABLE_SCHEMA, TABLE_NAME, VIEW_DEFINITION FROM ${quoteIdentifier(database)}.INFORMATION_SCHEMA.VIEWS WHERE TABLE_SCHEMA <> 'INFORMATION_SCHEMA'`,
    bindings: [],
  };
}

export interface SnowflakeHistoryQuery {
  readonly since: Date;
  readonly until: Date;
  readonly limit?: number;
  /** Join ACCESS_HISTORY for engine lineage (Enterprise edition and above). */
  readonly withAccessHistory: boolean;
}

/**
 * Successful statements of ACCOUNT_USAGE.QUERY_HISTORY in [since, until), oldest first, without ours; with
 * ACCESS_HISTORY's direct objects (what the SQL named, views included) and modified objects when available.
 * Every value is a binding; the access-history side is bounded by the same window so its scan stays small.
 */
export function historyStatement(query: SnowflakeHistoryQuery): SnowflakeStatement {
  const since = text(query.since.toISOString());
  const until = text(query.until.toISOString());
  const columns = [
    'q.QUERY_ID',
    'q.QUERY_TEXT',
    'q.QUERY_TYPE',
    'q.DATABASE_NAME',
    'q.SCHEMA_NAME',
    'q.SESSION_ID',
    'q.USER_NAME',
    'q.ROLE_NAME',
    'q.WAREHOUSE_NAME',
    'q.START_TIME',
    'q.END_TIME',
    'q.TOTAL_ELAPSED_TIME',
    'q.ROWS_PRODUCED',
    'q.QUERY_TAG',
    'q.QUERY_PARAMETERIZED_HASH',
    ...(query.withAccessHistory ? ['a.DIRECT_OBJECTS_ACCESSED', 'a.OBJECTS_MODIFIED'] : []),
  ];
  const bindings: SnowflakeBinding[] = [];
  let join = '';
  if (query.withAccessHistory) {
    join =
      ' LEFT JOIN SNOWFLAKE.ACCOUNT_USAGE.ACCESS_HISTORY a ON a.QUERY_ID = q.QUERY_ID AND a.QUERY_START_TIME >= TO_TIMESTAMP_LTZ(?) AND a.QUERY_START_TIME < TO_TIMESTAMP_LTZ(?)';
    bindings.push(since, until);
  }
  bindings.push(since, until, text(OWN_QUERY_MARKER));
  let sql =
    `SELECT ${columns.join(', ')} FROM SNOWFLAKE.ACCOUNT_USAGE.QUERY_HISTORY q${join}` +
    " WHERE q.EXECUTION_STATUS = 'SUCCESS' AND q.START_TIME >= TO_TIMESTAMP_LTZ(?) AND q.START_TIME < TO_TIMESTAMP_LTZ(?)" +
    ' AND NOT STARTSWITH(q.QUERY_TEXT, ?) ORDER BY q.START_TIME, q.QUERY_ID';
  if (query.limit !== undefined) {
    sql += ' LIMIT ?';
    bindings.push({ type: 'FIXED', value: String(Math.max(0, Math.floor(query.limit))) });
  }
  return { sql, bindings };
}

function text(value: string): SnowflakeBinding {
  return { type: 'TEXT', value };
}

// ---- decoding ----------------------------------------------------------------------------------------------

/** Rows of a jsonv2 page as objects keyed by upper-case column name, values decoded by column type. */
export function decodeRows(page: SnowflakeResultPage): SnowflakeRow[] {
  const names = page.columns.map((column) => column.name.toUpperCase());
  return page.rows.map((values) => {
    const row: Record<string, unknown> = {};
    names.forEach((name, index) => {
      row[name] = decodeValue(values[index] ?? null, page.columns[index]!);
    });
    return row;
  });
}

/**
 * One jsonv2 value: numbers as decimal text, timestamps as `seconds.nanoseconds` (TIMESTAMP_TZ adds the offset
 * after a space), dates as days since the epoch, semi-structured values as JSON text.
 */
export function decodeValue(value: string | null, column: SnowflakeColumnType): unknown {
  if (value === null) return null;
  const type = column.type.toLowerCase();
  if (type === 'fixed' || type === 'real') {
    const number = Number(value);
    return Number.isNaN(number) ? value : number;
  }
  if (type === 'boolean') return value === 'true' || value === '1';
  if (type.startsWith('timestamp')) return parseSnowflakeTimestamp(value);
  if (type === 'date') return /^-?\d+$/.test(value) ? new Date(Number(value) * 86_400_000) : new Date(value);
  if (type === 'array' || type === 'object' || type === 'variant') {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      return value;
    }
  }
  return value;
}

/** `1716806536.179000000`, `1716806536.179000000 1440` (TIMESTAMP_TZ) or ISO text → Date; null if unreadable. */
export function parseSnowflakeTimestamp(value: string): Date | null {
  const epoch = /^(-?\d+)(?:\.(\d{1,9}))?(?:\s+\d+)?$/.exec(value.trim());
  if (epoch) {
    const fraction = (epoch[2] ?? '').padEnd(3, '0').slice(0, 3);
    const seconds = Number(epoch[1]);
    const milliseconds = Number(fraction);
    return new Date(seconds * 1000 + (seconds < 0 && milliseconds > 0 ? -milliseconds : milliseconds));
  }
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

// ---- crawl ---------------------------------------------------------------------------------------------

/** Database names of a SHOW DATABASES result (`name` column), without the shared SNOWFLAKE database. */
export function mapDatabaseNames(rows: readonly SnowflakeRow[], include?: readonly string[]): string[] {
  const names = rows.map((row) => stringOrNull(row.NAME)).filter((name): name is string => name !== null);
  if (include && include.length > 0) {
    // An unquoted name in the include list is meant as Snowflake folds it (upper case).
    return names.filter((name) => include.some((wanted) => wanted === name || wanted.toUpperCase() === name));
  }
  return names.filter((name) => name !== SYSTEM_DATABASE);
}

export function tableKind(tableType: string | null): CrawledTableKind {
  switch ((tableType ?? '').toUpperCase()) {
    case 'BASE TABLE':
    case 'DYNAMIC TABLE':
    case 'EVENT TABLE':
      return 'table';
    case 'VIEW':
      return 'view';
    case 'MATERIALIZED VIEW':
      return 'materialized_view';
    case 'EXTERNAL TABLE':
      return 'external';
    case 'TEMPORARY TABLE':
    case 'LOCAL TEMPORARY':
      return 'temporary';
    default:
      return 'other';
  }
}

/** `NUMBER(38,0)`, `VARCHAR(255)`, `TIMESTAMP_NTZ`: the DDL spelling of an INFORMATION_SCHEMA.COLUMNS row. */
export function columnType(row: SnowflakeRow): string {
  const dataType = stringOrNull(row.DATA_TYPE) ?? 'UNKNOWN';
  const precision = numberOrNull(row.NUMERIC_PRECISION);
  const scale = numberOrNull(row.NUMERIC_SCALE);
  const length = numberOrNull(row.CHARACTER_MAXIMUM_LENGTH);
  if (dataType === 'NUMBER' && precision !== null) return `NUMBER(${precision},${scale ?? 0})`;
  if (dataType === 'TEXT' && length !== null) return `VARCHAR(${length})`;
  if (dataType === 'BINARY' && length !== null) return `BINARY(${length})`;
  return dataType;
}

/** Tables of one database with their columns and view definitions, in the order of `tables`. */
export function mapTables(
  database: string,
  tables: readonly SnowflakeRow[],
  columns: readonly SnowflakeRow[],
  views: readonly SnowflakeRow[],
): CrawledTable[] {
  const key = (row: SnowflakeRow): string => JSON.stringify([row.TABLE_SCHEMA, row.TABLE_NAME]);
  const columnsByTable = new Map<string, CrawledColumn[]>();
  for (const row of columns) {
    const list = columnsByTable.get(key(row)) ?? [];
    list.push({
      name: String(row.COLUMN_NAME),
      type: columnType(row),
      position: numberOrNull(row.ORDINAL_POSITION) ?? list.length + 1,
      nullable:
        row.IS_NULLABLE === null || row.IS_NULLABLE === undefined ? undefined : row.IS_NULLABLE === 'YES',
      comment: stringOrNull(row.COMMENT),
    });
    columnsByTable.set(key(row), list);
  }
  const definitions = new Map(views.map((row) => [key(row), stringOrNull(row.VIEW_DEFINITION)]));
  return tables.map((row) => ({
    database,
    schema: String(row.TABLE_SCHEMA),
    name: String(row.TABLE_NAME),
    kind: tableKind(stringOrNull(row.TABLE_TYPE)),
    comment: stringOrNull(row.COMMENT),
    columns: (columnsByTable.get(key(row)) ?? []).sort((left, right) => left.position - right.position),
    rowCount: numberOrNull(row.ROW_COUNT),
    bytes: numberOrNull(row.BYTES),
    viewDefinition: definitions.get(key(row)) ?? null,
    createdAt: dateOrNull(row.CREATED),
    alteredAt: dateOrNull(row.LAST_ALTERED),
  }));
}

// ---- history -------------------------------------------------------------------------------------------

/** A QUERY_HISTORY (+ ACCESS_HISTORY) row as a history record; undefined for our own statements. */
export function mapHistoryRow(row: SnowflakeRow): HistoryRecord | undefined {
  const queryText = stringOrNull(row.QUERY_TEXT) ?? '';
  if (queryText.startsWith(OWN_QUERY_MARKER)) return undefined;
  const startedAt = dateOrNull(row.START_TIME);
  if (!startedAt) return undefined;
  const tags: Record<string, string> = {};
  const queryTag = stringOrNull(row.QUERY_TAG);
  if (queryTag) tags.query_tag = queryTag;
  const warehouse = stringOrNull(row.WAREHOUSE_NAME);
  if (warehouse) tags.warehouse = warehouse;
  const sessionId = row.SESSION_ID;
  return {
    queryId: String(row.QUERY_ID),
    text: queryText,
    startedAt,
    endedAt: dateOrNull(row.END_TIME),
    durationMs: numberOrNull(row.TOTAL_ELAPSED_TIME),
    user: stringOrNull(row.USER_NAME),
    role: stringOrNull(row.ROLE_NAME),
    sessionId: sessionId === null || sessionId === undefined ? null : String(sessionId),
    defaultDatabase: stringOrNull(row.DATABASE_NAME),
    defaultSchema: stringOrNull(row.SCHEMA_NAME),
    statementType: stringOrNull(row.QUERY_TYPE)?.toUpperCase() ?? null,
    engineFingerprint: stringOrNull(row.QUERY_PARAMETERIZED_HASH),
    engineLineage: engineLineage(row),
    textTruncated: queryText.length >= QUERY_TEXT_LIMIT,
    rowsProduced: numberOrNull(row.ROWS_PRODUCED),
    tags,
  };
}

/**
 * Sources are DIRECT_OBJECTS_ACCESSED (what the statement named, views kept as views), targets OBJECTS_MODIFIED;
 * stages, functions and other non-table objects are left out, and a target read by its own statement (MERGE,
 * INSERT … SELECT FROM itself) is not its own source. Null when the statement has no ACCESS_HISTORY row.
 */
export function engineLineage(row: SnowflakeRow): HistoryRecord['engineLineage'] {
  const accessed = row.DIRECT_OBJECTS_ACCESSED;
  const modified = row.OBJECTS_MODIFIED;
  if ((accessed === null || accessed === undefined) && (modified === null || modified === undefined))
    return null;
  const targets = accessObjects(modified);
  const targetKeys = new Set(targets.map(tableKey));
  const sources = accessObjects(accessed).filter((table) => !targetKeys.has(tableKey(table)));
  return { sources: unique(sources), targets: unique(targets) };
}

function accessObjects(value: unknown): EngineTable[] {
  const list = typeof value === 'string' ? safeParse(value) : value;
  if (!Array.isArray(list)) return [];
  return list.flatMap((object: unknown) => {
    if (typeof object !== 'object' || object === null) return [];
    const { objectDomain, objectName } = object as { objectDomain?: unknown; objectName?: unknown };
    if (typeof objectName !== 'string' || !/table|view/i.test(String(objectDomain ?? ''))) return [];
    const table = parseObjectName(objectName);
    return table ? [table] : [];
  });
}

/** `DB.SCHEMA.NAME` as ACCESS_HISTORY writes it; a part in double quotes may itself hold dots. */
export function parseObjectName(objectName: string): EngineTable | undefined {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let index = 0; index < objectName.length; index++) {
    const character = objectName[index]!;
    if (character === '"') {
      if (quoted && objectName[index + 1] === '"') {
        current += '"';
        index += 1;
      } else {
        quoted = !quoted;
      }
    } else if (character === '.' && !quoted) {
      parts.push(current);
      current = '';
    } else {
      current += character;
    }
  }
  parts.push(current);
  if (parts.some((part) => part === '') || parts.length > 3) return undefined;
  const [name, schema, database] = [...parts].reverse();
  return { database: database ?? null, schema: schema ?? null, name: name! };
}

function tableKey(table: EngineTable): string {
  return JSON.stringify([table.database, table.schema, table.name]);
}

function unique(tables: EngineTable[]): EngineTable[] {
  const seen = new Map<string, EngineTable>();
  for (const table of tables) seen.set(tableKey(table), table);
  return [...seen.values()];
}

function safeParse(value: string): unknown {
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return undefined;
  }
}

function stringOrNull(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const text = String(value);
  return text === '' ? null : text;
}

function numberOrNull(value: unknown): number | null {
  if (value === null || value === undefined || value === '') return null;
  const number = Number(value);
  return Number.isFinite(number) ? number : null;
}

function dateOrNull(value: unknown): Date | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value;
  if (typeof value === 'string') return parseSnowflakeTimestamp(value);
  return null;
}
