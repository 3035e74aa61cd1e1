import {
  OWN_QUERY_MARKER,
  type CrawledColumn,
  type CrawledTable,
  type CrawledTableKind,
  type EngineTable,
  type HistoryRecord,
} from '../warehouse-connector.js';
import type { ClickHouseRow } from './clickhouse.client.js';

// Pure mapping of ClickHouse system tables (system.tables, system.columns, system.query_log) into connector
// records. ClickHouse has two levels (database.table): a record's database and schema are both the
// ClickHouse database, which is how dataset ids of two-level platforms are built.

/** Engines that read data kept outside ClickHouse. */
const EXTERNAL_ENGINES = new Set([
  'S3',
  'S3Queue',
  'URL',
  'HDFS',
  'File',
  'MySQL',
  'PostgreSQL',
  'MongoDB',
  'Redis',
  'ODBC',
  'JDBC',
  'Kafka',
  'RabbitMQ',
  'NATS',
  'AzureBlobStorage',
  'AzureQueue',
  'DeltaLake',
  'Hudi',
  'Iceberg',
  'IcebergS3',
  'Hive',
  'SQLite',
  'ExternalDistributed',
  'MaterializedPostgreSQL',
]);

/** Internal tables of a query's external data and temporary tables: never lineage. */
const INTERNAL_DATABASES = new Set(['_temporary_and_external_tables']);

export function clickHouseTableKind(engine: unknown): CrawledTableKind {
  const name = String(engine ?? '');
  if (name === 'View' || name === 'LiveView' || name === 'WindowView') return 'view';
  if (name === 'MaterializedView') return 'materialized_view';
  if (EXTERNAL_ENGINES.has(name)) return 'external';
  if (name === 'Dictionary' || name === '') return 'other';
  return 'table';
}

/** A UInt64 arrives as a quoted string; null stays null. */
export function clickHouseNumber(value: unknown): number | null {
  if (value === null || value === undefined || value === '') return null;
  const result = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(result) ? result : null;
}

function nonEmpty(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}

export function clickHouseColumn(row: ClickHouseRow): CrawledColumn {
  const type = String(row.type ?? '');
  return {
    name: String(row.name),
    type,
    position: clickHouseNumber(row.position) ?? 0,
    // ClickHouse columns are NOT NULL unless their type is Nullable(…).
    nullable: /^(LowCardinality\()?Nullable\(/.test(type),
    comment: nonEmpty(row.comment),
  };
}

/** One system.tables row and its system.columns rows. */
export function clickHouseTable(tableRow: ClickHouseRow, columnRows: readonly ClickHouseRow[]): CrawledTable {
  const kind = clickHouseTableKind(tableRow.engine);
  const database = String(tableRow.database);
  const modifiedSeconds = clickHouseNumber(tableRow.modified_at);
  return {
    database,
    schema: database,
    name: String(tableRow.name),
    kind,
    comment: nonEmpty(tableRow.comment),
    columns: columnRows.map(clickHouseColumn).sort((left, right) => left.position - right.position),
    rowCount: clickHouseNumber(tableRow.total_rows),
    bytes: clickHouseNumber(tableRow.total_bytes),
    viewDefinition: kind === 'view' || kind === 'materialized_view' ? nonEmpty(tableRow.as_select) : null,
    alteredAt: modifiedSeconds === null ? null : new Date(modifiedSeconds * 1000),
  };
}

/** `db.table` from query_log.tables; the table name keeps any further dots. */
export function clickHouseEngineTable(qualified: string): EngineTable | undefined {
  const dot = qualified.indexOf('.');
  if (dot <= 0 || dot === qualified.length - 1) return undefined;
  const database = qualified.slice(0, dot);
  if (INTERNAL_DATABASES.has(database)) return undefined;
  return { database, schema: database, name: qualified.slice(dot + 1) };
}

/**
 * Lineage from query_log: `tables` lists every table a query touched without saying which one it wrote.
 * - `Select`: all of them are sources.
 * - `Insert`/`Create` touching exactly one table: that table is the target (INSERT … VALUES, CREATE TABLE).
 * - `Insert`/`Create` touching several: the written one cannot be told apart here, so no engine lineage;
 *   the SQL parser decides, which is better than a guess that would override it.
 * - Everything else (Alter, Drop, Rename, System, …): no engine lineage.
 */
export function clickHouseEngineLineage(
  queryKind: string | null,
  tables: readonly string[],
): HistoryRecord['engineLineage'] {
  const touched = tables
    .map(clickHouseEngineTable)
    .filter((table): table is EngineTable => table !== undefined);
  if (queryKind === 'Select') return { sources: touched, targets: [] };
  if ((queryKind === 'Insert' || queryKind === 'Create') && touched.length === 1) {
    return { sources: [], targets: touched };
  }
  return null;
}

/** The `log_comment` setting of our own queries: the JSON inside OWN_QUERY_MARKER. */
export const CLICKHOUSE_LOG_COMMENT = OWN_QUERY_MARKER.replace(/^\/\*\s*|\s*\*\/$/g, '');

/** query_log keeps at most `log_queries_cut_to_length` characters of a query (100,000 by default). */
export const CLICKHOUSE_LOGGED_QUERY_LENGTH = 100_000;

export function isOwnClickHouseQuery(text: string, logComment: unknown): boolean {
  return text.trimStart().startsWith(OWN_QUERY_MARKER) || logComment === CLICKHOUSE_LOG_COMMENT;
}

/** Microseconds since the epoch (Int64 as a quoted string) → Date, keeping millisecond precision. */
export function clickHouseMicrosecondsToDate(value: unknown): Date | null {
  if (typeof value !== 'string' && typeof value !== 'number') return null;
  const text = String(value);
  if (!/^-?\d+$/.test(text)) return null;
  return new Date(Number(BigInt(text) / 1000n));
}

/** One system.query_log row (as selected by the connector) → record; undefined for our own queries. */
export function clickHouseHistoryRecord(row: ClickHouseRow): HistoryRecord | undefined {
  const text = String(row.query ?? '');
  if (isOwnClickHouseQuery(text, row.log_comment)) return undefined;
  const startedAt = clickHouseMicrosecondsToDate(row.start_us);
  if (!startedAt) return undefined;
  const durationMs = clickHouseNumber(row.query_duration_ms);
  const queryKind = nonEmpty(row.query_kind);
  const tables = Array.isArray(row.tables) ? row.tables.map(String) : [];
  const database = nonEmpty(row.current_database);
  const tags: Record<string, string> = {};
  const logComment = nonEmpty(row.log_comment);
  const userAgent = nonEmpty(row.http_user_agent);
  const clientName = nonEmpty(row.client_name);
  if (logComment !== null) tags.logComment = logComment;
  if (userAgent !== null) tags.httpUserAgent = userAgent;
  if (clientName !== null) tags.clientName = clientName;
  const written = clickHouseNumber(row.written_rows);
  return {
    queryId: String(row.query_id),
    text,
    startedAt,
    endedAt: durationMs === null ? null : new Date(startedAt.getTime() + durationMs),
    durationMs,
    user: nonEmpty(row.user),
    // Two-level platform: the current database is the default for both levels.
    defaultDatabase: database,
    defaultSchema: database,
    statementType: queryKind?.toUpperCase() ?? null,
    engineFingerprint: row.normalized_query_hash === undefined ? null : String(row.normalized_query_hash),
    engineLineage: clickHouseEngineLineage(queryKind, tables),
    textTruncated: text.length >= CLICKHOUSE_LOGGED_QUERY_LENGTH,
    rowsProduced: queryKind === 'Select' ? clickHouseNumber(row.result_rows) : (written ?? null),
    tags,
  };
}
