import {
  OWN_QUERY_MARKER,
  type CrawledColumn,
  type CrawledTable,
  type CrawledTableKind,
  type EngineTable,
  type HistoryRecord,
} from '../warehouse-connector.js';

// Pure: the Databricks SQL the connector sends (Unity Catalog system tables, values as named parameters) and
// how Statement Execution API results (JSON_ARRAY: every value a string) become crawl and history records.

/** A named statement parameter (`:name` in the SQL). */
export interface DatabricksParameter {
  readonly name: string;
  readonly value: string;
  readonly type: 'STRING' | 'TIMESTAMP' | 'INT';
}

export interface DatabricksStatement {
  readonly sql: string;
  readonly parameters: readonly DatabricksParameter[];
}

/** A `manifest.schema.columns` entry. */
export interface DatabricksColumnType {
  readonly name: string;
  readonly typeName: string;
}

export interface DatabricksResultPage {
  readonly columns: readonly DatabricksColumnType[];
  readonly rows: readonly (readonly (string | null)[])[];
}

export type DatabricksRow = Readonly<Record<string, unknown>>;

/** Catalogs not crawled unless the include list names them. */
const INTERNAL_CATALOGS = new Set(['system', '__databricks_internal']);

export const CONTEXT_STATEMENT: DatabricksStatement = {
  sql: 'SELECT current_user() AS principal',
  parameters: [],
};
export const TABLES_PROBE: DatabricksStatement = {
  sql: 'SELECT table_catalog FROM system.information_schema.tables LIMIT 1',
  parameters: [],
};
export const QUERY_HISTORY_PROBE: DatabricksStatement = {
  sql: 'SELECT statement_id FROM system.query.history LIMIT 1',
  parameters: [],
};
export const TABLE_LINEAGE_PROBE: DatabricksStatement = {
  sql: 'SELECT statement_id FROM system.access.table_lineage LIMIT 1',
  parameters: [],
};
export const CATALOGS_STATEMENT: DatabricksStatement = {
  sql: 'SELECT catalog_name FROM system.information_schema.catalogs ORDER BY catalog_name',
  parameters: [],
};

const IN_CATALOG = "WHERE table_catalog = :catalog AND table_schema <> 'information_schema'";

export function tablesStatement(catalog: string): DatabricksStatement {
  return {
    sql: `SELECT table_catalog, table_schema, table_name, table_type, comment, created, last_altered FROM system.information_schema.tables ${IN_CATALOG} ORDER BY table_schema, table_name`,
    parameters: [{ name: 'catalog', value: catalog, type: 'STRING' }],
  };
}

export function columnsStatement(catalog: string): DatabricksStatement {
  return {
    sql: `SELECT table_schema, table_name, column_name, ordinal_position, is_nullable, full_data_type, comment FROM system.information_schema.columns ${IN_CATALOG} ORDER BY table_schema, table_name, ordinal_position`,
    parameters: [{ name: 'catalog', value: catalog, type: 'STRING' }],
  };
}

export function viewsStatement(catalog: string): DatabricksStatement {
  return {
    sql: `SELECT table_schema, table_name, view_definition FROM system.information_schema.views ${IN_CATALOG}`,
    parameters: [{ name: 'catalog', value: catalog, type: 'STRING' }],
  };
}

export interface DatabricksHistoryQuery {
  readonly since: Date;
  readonly until: Date;
  readonly limit?: number;
  /** Join system.access.table_lineage by statement id for the engine's lineage. */
  readonly withLineage: boolean;
}

/**
 * Finished statements of system.query.history in [since, until), oldest first, without ours. With lineage, the
 * table_lineage rows of each statement (joined on statement_id, events from `since` on, since lineage is
 * written when the statement runs) are folded into one list of sources and one of targets per statement;
 * path-only rows (no table name) are left out.
 */
export function historyStatement(query: DatabricksHistoryQuery): DatabricksStatement {
  const parameters: DatabricksParameter[] = [
    { name: 'since', value: query.since.toISOString(), type: 'TIMESTAMP' },
    { name: 'until', value: query.until.toISOString(), type: 'TIMESTAMP' },
    { name: 'own_marker', value: OWN_QUERY_MARKER, type: 'STRING' },
  ];
  const struct = (side: 'source' | 'target'): string =>
    `collect_set(CASE WHEN ${side}_table_name IS NOT NULL THEN named_struct('catalog', ${side}_table_catalog, 'schema', ${side}_table_schema, 'name', ${side}_table_name) END)`;
  const lineage = query.withLineage
    ? `WITH lineage AS (SELECT statement_id, ${struct('source')} AS sources, ${struct('target')} AS targets` +
      ' FROM system.access.table_lineage WHERE event_time >= :since AND statement_id IS NOT NULL GROUP BY statement_id) '
    : '';
  const columns = [
    'h.statement_id',
    'h.session_id',
    'h.executed_by',
    'h.statement_text',
    'h.statement_type',
    'h.client_application',
    'h.start_time',
    'h.end_time',
    'h.total_duration_ms',
    'h.produced_rows',
    'to_json(h.query_source) AS query_source',
    'h.compute.warehouse_id AS warehouse_id',
    ...(query.withLineage
      ? ['to_json(l.sources) AS lineage_sources', 'to_json(l.targets) AS lineage_targets']
      : []),
  ];
  let sql =
    `${lineage}SELECT ${columns.join(', ')} FROM system.query.history h` +
    (query.withLineage ? ' LEFT JOIN lineage l ON l.statement_id = h.statement_id' : '') +
    " WHERE h.execution_status = 'FINISHED' AND h.start_time >= :since AND h.start_time < :until" +
    ' AND NOT startswith(h.statement_text, :own_marker) ORDER BY h.start_time, h.statement_id';
  if (query.limit !== undefined) {
    sql += ' LIMIT :row_limit';
    parameters.push({ name: 'row_limit', value: String(Math.max(0, Math.floor(query.limit))), type: 'INT' });
  }
  return { sql, parameters };
}

// ---- decoding ----------------------------------------------------------------------------------------------

/** Rows as objects keyed by lower-case column name, values decoded by `type_name`. */
export function decodeRows(page: DatabricksResultPage): DatabricksRow[] {
  return page.rows.map((values) => {
    const row: Record<string, unknown> = {};
    page.columns.forEach((column, index) => {
      row[column.name.toLowerCase()] = decodeValue(values[index] ?? null, column.typeName);
    });
    return row;
  });
}

export function decodeValue(value: string | null, typeName: string): unknown {
  if (value === null) return null;
  switch (typeName.toUpperCase()) {
    case 'INT':
    case 'LONG':
    case 'SHORT':
    case 'BYTE':
    case 'FLOAT':
    case 'DOUBLE':
    case 'DECIMAL':
      return Number(value);
    case 'BOOLEAN':
      return value === 'true';
    case 'TIMESTAMP':
    case 'TIMESTAMP_NTZ':
    case 'DATE': {
      const date = new Date(
        /[zZ]|[+-]\d\d:?\d\d$/.test(value) || typeName.toUpperCase() === 'DATE' ? value : `${value}Z`,
      );
      return Number.isNaN(date.getTime()) ? null : date;
    }
    default:
      return value;
  }
}

// ---- crawl ---------------------------------------------------------------------------------------------

export function mapCatalogNames(rows: readonly DatabricksRow[], include?: readonly string[]): string[] {
  const names = rows
    .map((row) => stringOrNull(row.catalog_name))
    .filter((name): name is string => name !== null);
  if (include && include.length > 0) {
    // Unity Catalog names are case-insensitive and stored in lower case.
    return names.filter((name) => include.some((wanted) => wanted.toLowerCase() === name.toLowerCase()));
  }
  return names.filter((name) => !INTERNAL_CATALOGS.has(name));
}

export function tableKind(tableType: string | null): CrawledTableKind {
  switch ((tableType ?? '').toUpperCase()) {
    case 'MANAGED':
    case 'STREAMING_TABLE':
    case 'MANAGED_SHALLOW_CLONE':
      return 'table';
    case 'EXTERNAL':
    case 'EXTERNAL_SHALLOW_CLONE':
    case 'FOREIGN':
      return 'external';
    case 'VIEW':
    case 'METRIC_VIEW':
      return 'view';
    case 'MATERIALIZED_VIEW':
      return 'materialized_view';
    default:
      return 'other';
  }
}

/** Tables of one catalog with columns (positions made 1-based; Databricks counts from 0) and view text. */
export function mapTables(
  catalog: string,
  tables: readonly DatabricksRow[],
  columns: readonly DatabricksRow[],
  views: readonly DatabricksRow[],
): CrawledTable[] {
  const key = (row: DatabricksRow): string => JSON.stringify([row.table_schema, row.table_name]);
  const columnsByTable = new Map<string, CrawledColumn[]>();
  for (const row of columns) {
    const list = columnsByTable.get(key(row)) ?? [];
    list.push({
      name: String(row.column_name),
      type: String(row.full_data_type ?? row.data_type ?? 'unknown'),
      position: typeof row.ordinal_position === 'number' ? row.ordinal_position + 1 : list.length + 1,
      nullable:
        row.is_nullable === null || row.is_nullable === undefined ? undefined : row.is_nullable === 'YES',
      comment: stringOrNull(row.comment),
    });
    columnsByTable.set(key(row), list);
  }
  const definitions = new Map(views.map((row) => [key(row), stringOrNull(row.view_definition)]));
  return tables.map((row) => ({
    database: catalog,
    schema: String(row.table_schema),
    name: String(row.table_name),
    kind: tableKind(stringOrNull(row.table_type)),
    comment: stringOrNull(row.comment),
    columns: (columnsByTable.get(key(row)) ?? []).sort((left, right) => left.position - right.position),
    // information_schema has no sizes; DESCRIBE DETAIL per table would, at one statement per table.
    rowCount: null,
    bytes: null,
    viewDefinition: definitions.get(key(row)) ?? null,
    createdAt: dateOrNull(row.created),
    alteredAt: dateOrNull(row.last_altered),
  }));
}

// ---- history -------------------------------------------------------------------------------------------

/** A system.query.history row (with its folded lineage) as a history record; undefined for ours. */
export function mapHistoryRow(row: DatabricksRow): HistoryRecord | undefined {
  const text = stringOrNull(row.statement_text) ?? '';
  if (text.startsWith(OWN_QUERY_MARKER)) return undefined;
  const startedAt = dateOrNull(row.start_time);
  if (!startedAt) return undefined;
  const tags: Record<string, string> = {};
  const client = stringOrNull(row.client_application);
  if (client) tags.client_application = client;
  const warehouse = stringOrNull(row.warehouse_id);
  if (warehouse) tags.warehouse_id = warehouse;
  Object.assign(tags, querySourceTags(row.query_source));
  return {
    queryId: String(row.statement_id),
    text,
    startedAt,
    endedAt: dateOrNull(row.end_time),
    durationMs: typeof row.total_duration_ms === 'number' ? row.total_duration_ms : null,
    user: stringOrNull(row.executed_by),
    role: null,
    sessionId: stringOrNull(row.session_id),
    defaultDatabase: null,
    defaultSchema: null,
    statementType: stringOrNull(row.statement_type)?.toUpperCase() ?? null,
    engineFingerprint: null,
    engineLineage: engineLineage(row),
    textTruncated: false,
    rowsProduced: typeof row.produced_rows === 'number' ? row.produced_rows : null,
    tags,
  };
}

/** Null when the statement has no table_lineage rows (or lineage was not read); self-reads are not sources. */
export function engineLineage(row: DatabricksRow): HistoryRecord['engineLineage'] {
  const sources = tableList(row.lineage_sources);
  const targets = tableList(row.lineage_targets);
  if (sources === undefined && targets === undefined) return null;
  const targetKeys = new Set((targets ?? []).map(tableKey));
  return {
    sources: (sources ?? []).filter((table) => !targetKeys.has(tableKey(table))),
    targets: targets ?? [],
  };
}

/** `query_source` flattened: `query_source.dashboard_id`, `query_source.job_info.job_id`, … (non-null leaves). */
export function querySourceTags(value: unknown): Record<string, string> {
  const source = typeof value === 'string' ? safeParse(value) : value;
  const tags: Record<string, string> = {};
  const walk = (node: unknown, path: string): void => {
    if (node === null || node === undefined) return;
    if (typeof node === 'object' && !Array.isArray(node)) {
      for (const [key, child] of Object.entries(node)) walk(child, `${path}.${key}`);
    } else {
      tags[path] = typeof node === 'string' ? node : JSON.stringify(node);
    }
  };
  walk(source, 'query_source');
  return tags;
}

function tableList(value: unknown): EngineTable[] | undefined {
  const list = typeof value === 'string' ? safeParse(value) : value;
  if (!Array.isArray(list)) return undefined;
  const seen = new Map<string, EngineTable>();
  for (const item of list) {
    const { catalog, schema, name } = (item ?? {}) as Record<string, unknown>;
    if (typeof name !== 'string' || name === '') continue;
    const table = {
      database: typeof catalog === 'string' ? catalog : null,
      schema: typeof schema === 'string' ? schema : null,
      name,
    };
    seen.set(tableKey(table), table);
  }
  return [...seen.values()];
}

function tableKey(table: EngineTable): string {
  return JSON.stringify([table.database, table.schema, table.name]);
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

function dateOrNull(value: unknown): Date | null {
  return value instanceof Date && !Number.isNaN(value.getTime()) ? value : null;
}
