import type { Column, QueryExecution, TableMetadata } from '@aws-sdk/client-athena';
import {
  OWN_QUERY_MARKER,
  type CrawledColumn,
  type CrawledTable,
  type CrawledTableKind,
  type HistoryRecord,
  type HistoryWindow,
} from '../warehouse-connector.js';

// Pure mapping of Athena API shapes (TableMetadata, QueryExecution) into connector records.

/** The catalog a query runs against when its QueryExecutionContext names none. */
export const ATHENA_DEFAULT_CATALOG = 'AwsDataCatalog';

/** Statement types that can carry lineage; UTILITY (SHOW, DESCRIBE, EXPLAIN) cannot. */
const LINEAGE_STATEMENT_TYPES = new Set(['DML', 'DDL']);

/**
 * Glue table types. Every Athena table keeps its data in S3, so `EXTERNAL_TABLE` is the ordinary table here,
 * not an "external" one as in a warehouse with its own storage.
 */
export function athenaTableKind(tableType: string | undefined): CrawledTableKind {
  switch ((tableType ?? '').toUpperCase()) {
    case 'EXTERNAL_TABLE':
    case 'MANAGED_TABLE':
    case 'GOVERNED':
      return 'table';
    case 'VIRTUAL_VIEW':
      return 'view';
    case 'MATERIALIZED_VIEW':
      return 'materialized_view';
    default:
      return 'other';
  }
}

function numberParameter(parameters: Record<string, string>, ...names: string[]): number | null {
  for (const name of names) {
    const value = Number(parameters[name]);
    // Glue writes -1 when the statistic was never computed.
    if (parameters[name] !== undefined && Number.isFinite(value) && value >= 0) return value;
  }
  return null;
}

function column(item: Column, position: number): CrawledColumn {
  return {
    name: item.Name ?? '',
    type: item.Type ?? '',
    position,
    comment: item.Comment && item.Comment.trim() !== '' ? item.Comment : null,
  };
}

/**
 * One ListTableMetadata entry. Columns, then partition keys (which Athena shows last). Rows and bytes come from
 * the table statistics Glue crawlers or ANALYZE leave in the parameters (`numRows`/`recordCount`,
 * `totalSize`/`sizeKey`); a view's SQL is not part of this API, so `viewDefinition` stays null.
 */
export function athenaTable(catalog: string, database: string, table: TableMetadata): CrawledTable {
  const parameters = table.Parameters ?? {};
  const columns = [...(table.Columns ?? []), ...(table.PartitionKeys ?? [])].map((item, index) =>
    column(item, index + 1),
  );
  const lastDdlSeconds = numberParameter(parameters, 'transient_lastDdlTime');
  return {
    database: catalog,
    schema: database,
    name: table.Name ?? '',
    kind: athenaTableKind(table.TableType),
    comment: parameters.comment && parameters.comment.trim() !== '' ? parameters.comment : null,
    columns,
    rowCount: numberParameter(parameters, 'numRows', 'recordCount'),
    bytes: numberParameter(parameters, 'totalSize', 'sizeKey'),
    viewDefinition: null,
    createdAt: table.CreateTime ?? null,
    alteredAt: lastDdlSeconds === null ? null : new Date(lastDdlSeconds * 1000),
  };
}

export function isOwnAthenaQuery(text: string): boolean {
  return text.trimStart().startsWith(OWN_QUERY_MARKER);
}

/**
 * One execution → record, or undefined when it is not history we keep: not SUCCEEDED, a UTILITY statement,
 * outside the window, or our own.
 */
export function athenaHistoryRecord(
  execution: QueryExecution,
  window: HistoryWindow,
): HistoryRecord | undefined {
  const startedAt = execution.Status?.SubmissionDateTime;
  const text = execution.Query ?? '';
  if (!execution.QueryExecutionId || !startedAt) return undefined;
  if (execution.Status?.State !== 'SUCCEEDED') return undefined;
  if (!LINEAGE_STATEMENT_TYPES.has(execution.StatementType ?? '')) return undefined;
  if (startedAt < window.since || startedAt >= window.until) return undefined;
  if (isOwnAthenaQuery(text)) return undefined;
  const statistics = execution.Statistics;
  const tags: Record<string, string> = {};
  if (execution.WorkGroup) tags.workGroup = execution.WorkGroup;
  if (execution.StatementType) tags.statementClass = execution.StatementType;
  if (statistics?.DataScannedInBytes !== undefined)
    tags.dataScannedBytes = String(statistics.DataScannedInBytes);
  const engine = execution.EngineVersion?.EffectiveEngineVersion;
  if (engine) tags.engineVersion = engine;
  return {
    queryId: execution.QueryExecutionId,
    text,
    startedAt,
    endedAt: execution.Status?.CompletionDateTime ?? null,
    durationMs: statistics?.TotalExecutionTimeInMillis ?? statistics?.EngineExecutionTimeInMillis ?? null,
    // Athena does not record who ran a query; CloudTrail does.
    user: null,
    defaultDatabase: execution.QueryExecutionContext?.Catalog ?? ATHENA_DEFAULT_CATALOG,
    defaultSchema: execution.QueryExecutionContext?.Database ?? null,
    statementType: (execution.SubstatementType ?? execution.StatementType ?? '').toUpperCase() || null,
    textTruncated: false,
    tags,
  };
}

/** Ascending `startedAt`, ties by id, as the contract wants; Athena lists newest first. */
export function inAscendingOrder(records: Iterable<HistoryRecord>): HistoryRecord[] {
  return [...records].sort(
    (left, right) =>
      left.startedAt.getTime() - right.startedAt.getTime() ||
      (left.queryId < right.queryId ? -1 : left.queryId > right.queryId ? 1 : 0),
  );
}
