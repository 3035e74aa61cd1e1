import {
  OWN_QUERY_MARKER,
  type CrawledColumn,
  type CrawledTable,
  type CrawledTableKind,
  type HistoryRecord,
} from '../warehouse-connector.js';
import type { RedshiftRow, RedshiftValue } from './redshift.client.js';

// Pure mapping of Redshift system-view rows (SVV_ALL_TABLES, SVV_ALL_COLUMNS, SVV_TABLE_INFO, PG_VIEWS,
// SYS_QUERY_HISTORY, SYS_QUERY_TEXT) into connector records. No I/O: fixture-tested in the spec beside it.

/** SYS_QUERY_HISTORY.query_text and each SYS_QUERY_TEXT row hold at most this many characters. */
export const REDSHIFT_QUERY_TEXT_CHUNK = 4000;

const BYTES_PER_BLOCK = 1024 * 1024;

/** `2024-03-01 10:00:00.123456` (UTC, microseconds) for a `CAST(:since AS TIMESTAMP)` parameter. */
export function formatRedshiftTimestamp(date: Date): string {
  return `${date.toISOString().slice(0, 23).replace('T', ' ')}000`;
}

/** Redshift timestamps carry no zone; system views store UTC. Microseconds beyond milliseconds are dropped. */
export function parseRedshiftTimestamp(value: RedshiftValue | undefined): Date | null {
  if (typeof value !== 'string' || value === '') return null;
  const match = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.(\d+))?/.exec(value);
  if (!match) return null;
  const [, date, time, fraction = ''] = match;
  const parsed = new Date(`${date}T${time}.${fraction.padEnd(3, '0').slice(0, 3)}Z`);
  return Number.isNaN(parsed.getTime()) ? null : parsed;
}

function text(value: RedshiftValue | undefined): string | null {
  if (value === null || value === undefined) return null;
  return String(value);
}

function nonEmptyText(value: RedshiftValue | undefined): string | null {
  const result = text(value);
  return result === null || result.trim() === '' ? null : result;
}

function numberOf(value: RedshiftValue | undefined): number | null {
  if (value === null || value === undefined || value === '') return null;
  const result = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(result) ? result : null;
}

/** SVV_ALL_TABLES.table_type → kind. */
export function redshiftTableKind(tableType: RedshiftValue | undefined): CrawledTableKind {
  switch (String(tableType ?? '').toUpperCase()) {
    case 'TABLE':
      return 'table';
    case 'VIEW':
      return 'view';
    case 'MATERIALIZED VIEW':
      return 'materialized_view';
    case 'EXTERNAL TABLE':
      return 'external';
    case 'LOCAL TEMPORARY':
    case 'TEMPORARY':
      return 'temporary';
    default:
      return 'other';
  }
}

/** SVV_ALL_COLUMNS splits the type; `character varying` + 256 → `character varying(256)`. */
export function redshiftColumnType(row: RedshiftRow): string {
  const dataType = String(row.data_type ?? '');
  const length = numberOf(row.character_maximum_length);
  const precision = numberOf(row.numeric_precision);
  const scale = numberOf(row.numeric_scale);
  if (
    /^(character|character varying|char|varchar|nchar|nvarchar|bpchar)$/i.test(dataType) &&
    length !== null
  ) {
    return `${dataType}(${length})`;
  }
  if (/^(numeric|decimal)$/i.test(dataType) && precision !== null) {
    return `${dataType}(${precision},${scale ?? 0})`;
  }
  return dataType;
}

export function redshiftColumn(row: RedshiftRow): CrawledColumn {
  const nullable = text(row.is_nullable);
  return {
    name: String(row.column_name),
    type: redshiftColumnType(row),
    position: numberOf(row.ordinal_position) ?? 0,
    nullable: nullable === null ? undefined : nullable.toUpperCase() === 'YES',
    comment: nonEmptyText(row.remarks),
  };
}

/** The key of a table in maps built from different views: `database\0schema\0name`. */
export function redshiftTableKey(database: unknown, schema: unknown, name: unknown): string {
  return `${String(database)}\u0000${String(schema)}\u0000${String(name)}`;
}

export interface RedshiftTableExtras {
  /** SVV_TABLE_INFO row (`tbl_rows`, `size` in 1 MB blocks). */
  readonly info?: RedshiftRow;
  /** PG_VIEWS.definition. */
  readonly viewDefinition?: string | null;
}

/** One SVV_ALL_TABLES row, its SVV_ALL_COLUMNS rows and the extras of the connected database. */
export function redshiftTable(
  tableRow: RedshiftRow,
  columnRows: readonly RedshiftRow[],
  extras: RedshiftTableExtras = {},
): CrawledTable {
  const sizeBlocks = numberOf(extras.info?.size);
  return {
    database: String(tableRow.database_name),
    schema: String(tableRow.schema_name),
    name: String(tableRow.table_name),
    kind: redshiftTableKind(tableRow.table_type),
    comment: nonEmptyText(tableRow.remarks),
    columns: columnRows.map(redshiftColumn).sort((left, right) => left.position - right.position),
    rowCount: numberOf(extras.info?.tbl_rows),
    bytes: sizeBlocks === null ? null : sizeBlocks * BYTES_PER_BLOCK,
    viewDefinition: extras.viewDefinition ?? null,
  };
}

export interface QueryTextChunk {
  readonly sequence: number;
  readonly text: string;
}

/**
 * The full statement from SYS_QUERY_TEXT chunks, concatenated in `sequence` order exactly as stored: a chunk
 * boundary may fall inside a token and a chunk may end in spaces that belong to the statement, so nothing is
 * trimmed. Without chunks the 4,000-character `query_text` is used. `truncated` when that text is as long as
 * a chunk but no chunks came back, or when a sequence is missing (the text then ends before the gap).
 */
export function reassembleRedshiftText(
  historyText: string,
  chunks: readonly QueryTextChunk[],
): { text: string; truncated: boolean } {
  if (chunks.length === 0) {
    return { text: historyText, truncated: historyText.length >= REDSHIFT_QUERY_TEXT_CHUNK };
  }
  const ordered = [...chunks].sort((left, right) => left.sequence - right.sequence);
  // Only the unbroken run from sequence 0 is the statement's text; a text with a hole would parse wrongly.
  const gap = ordered.findIndex((chunk, index) => chunk.sequence !== index);
  const contiguous = gap === -1 ? ordered : ordered.slice(0, gap);
  const text = contiguous.map((chunk) => chunk.text).join('');
  const truncated = gap !== -1;
  // A view that lost its first chunks still has the first 4,000 characters in the history row.
  if (text.length < historyText.length) return { text: historyText, truncated: true };
  return { text, truncated };
}

/** Our own statements start with the marker (the Data API keeps the leading comment). */
export function isOwnQuery(text: string): boolean {
  return text.trimStart().startsWith(OWN_QUERY_MARKER);
}

/**
 * One SYS_QUERY_HISTORY row → record; undefined for our own statements. `users` maps user_id → name (from
 * PG_USER), `fullText` is the reassembled text when the row's text is cut.
 */
export function redshiftHistoryRecord(
  row: RedshiftRow,
  users: ReadonlyMap<number, string>,
  fullText?: { text: string; truncated: boolean },
): HistoryRecord | undefined {
  const historyText = text(row.query_text) ?? '';
  const { text: statement, truncated } = fullText ?? reassembleRedshiftText(historyText, []);
  if (isOwnQuery(statement)) return undefined;
  const startedAt = parseRedshiftTimestamp(row.start_time);
  if (!startedAt) return undefined;
  const userId = numberOf(row.user_id);
  const elapsedMicroseconds = numberOf(row.elapsed_time);
  const label = nonEmptyText(row.query_label);
  const tags: Record<string, string> = {};
  // `default` is what Redshift shows for statements without a query group.
  if (label !== null && label !== 'default') tags.queryLabel = label;
  const transactionId = text(row.transaction_id);
  if (transactionId !== null) tags.transactionId = transactionId;
  return {
    queryId: String(row.query_id),
    text: statement,
    startedAt,
    endedAt: parseRedshiftTimestamp(row.end_time),
    durationMs: elapsedMicroseconds === null ? null : Math.round(elapsedMicroseconds / 1000),
    user: userId === null ? null : (users.get(userId) ?? String(userId)),
    sessionId: text(row.session_id),
    defaultDatabase: nonEmptyText(row.database_name),
    statementType: nonEmptyText(row.query_type)?.toUpperCase() ?? null,
    textTruncated: truncated,
    rowsProduced: numberOf(row.returned_rows),
    tags,
  };
}
