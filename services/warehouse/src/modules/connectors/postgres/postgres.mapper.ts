import { redactSecrets } from '@cartograph/platform/http';
import {
  OWN_QUERY_MARKER,
  WarehouseError,
  type ConnectionCheckItem,
  type CrawledColumn,
  type CrawledTable,
  type CrawledTableKind,
  type HistoryRecord,
} from '../warehouse-connector.js';

// Pure: catalog and pg_stat_statements rows → connector records, probe results → check items, driver errors →
// WarehouseError. The SQL that produces these rows is in postgres.queries.ts.

/**
 * The schema unqualified names resolve to. pg_stat_statements keeps no search_path, so history records assume
 * Postgres' default (`"$user", public`, where a `"$user"` schema rarely exists).
 */
export const POSTGRES_DEFAULT_SCHEMA = 'public';

/** Schemas Postgres keeps for itself; never crawled. */
export function isSystemSchema(schema: string): boolean {
  return (
    schema === 'pg_catalog' ||
    schema === 'information_schema' ||
    schema === 'pg_toast' ||
    schema.startsWith('pg_temp_') ||
    schema.startsWith('pg_toast_temp_')
  );
}

/** One pg_class row as the relations query returns it. */
export interface PostgresRelationRow {
  readonly oid: string;
  readonly schema: string;
  readonly name: string;
  /** pg_class.relkind: r table, p partitioned table, v view, m materialized view, f foreign table. */
  readonly relkind: string;
  readonly comment: string | null;
  /** reltuples, summed over the leaf partitions of a partitioned table; -1 when never analysed (PG ≥ 14). */
  readonly row_estimate: number | string | null;
  readonly bytes: number | string | null;
  readonly view_definition: string | null;
}

/** One pg_attribute row as the columns query returns it. */
export interface PostgresColumnRow {
  readonly relation_oid: string;
  readonly name: string;
  readonly type: string;
  readonly not_null: boolean;
  readonly comment: string | null;
}

export function relationKindOf(relkind: string): CrawledTableKind | null {
  switch (relkind) {
    case 'r':
    case 'p':
      return 'table';
    case 'v':
      return 'view';
    case 'm':
      return 'materialized_view';
    case 'f':
      return 'external';
    default:
      return null;
  }
}

function toNumber(value: number | string | null | undefined): number | null {
  if (value === null || value === undefined) return null;
  const number = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(number) ? number : null;
}

/** Columns in pg_attribute order, numbered 1… without the gaps dropped columns leave in attnum. */
export function mapPostgresColumns(rows: readonly PostgresColumnRow[]): CrawledColumn[] {
  return rows.map((row, index) => ({
    name: row.name,
    type: row.type,
    position: index + 1,
    nullable: !row.not_null,
    comment: row.comment ?? null,
  }));
}

export function groupColumnsByRelation(rows: readonly PostgresColumnRow[]): Map<string, PostgresColumnRow[]> {
  const byRelation = new Map<string, PostgresColumnRow[]>();
  for (const row of rows) {
    const list = byRelation.get(row.relation_oid);
    if (list) list.push(row);
    else byRelation.set(row.relation_oid, [row]);
  }
  return byRelation;
}

/** A relation with its columns (in attnum order); null for kinds that are not tables or views. */
export function mapPostgresRelation(
  database: string,
  relation: PostgresRelationRow,
  columns: readonly PostgresColumnRow[],
): CrawledTable | null {
  const kind = relationKindOf(relation.relkind);
  if (!kind) return null;
  const holdsRows = kind === 'table' || kind === 'materialized_view';
  const estimate = toNumber(relation.row_estimate);
  return {
    database,
    schema: relation.schema,
    name: relation.name,
    kind,
    comment: relation.comment ?? null,
    columns: mapPostgresColumns(columns),
    // reltuples is -1 until the first VACUUM or ANALYZE: unknown, not empty.
    rowCount: holdsRows && estimate !== null && estimate >= 0 ? Math.round(estimate) : null,
    bytes: holdsRows ? toNumber(relation.bytes) : null,
    viewDefinition:
      kind === 'view' || kind === 'materialized_view' ? (relation.view_definition ?? null) : null,
    // Postgres records neither when a relation was created nor when it was last changed.
    createdAt: null,
    alteredAt: null,
  };
}

/** One pg_stat_statements row joined with pg_database and pg_roles. */
export interface PostgresStatementRow {
  readonly dbid: string;
  readonly userid: string;
  readonly queryid: string | null;
  readonly query: string | null;
  readonly calls: number | string;
  readonly mean_exec_time: number | string | null;
  readonly database_name: string | null;
  readonly user_name: string | null;
}

/** What pg_stat_statements shows instead of the text of statements the reading role may not see. */
export const INSUFFICIENT_PRIVILEGE_TEXT = '<insufficient privilege>';

/** Skips whitespace and comments at the start of a statement (Postgres nests block comments). */
export function withoutLeadingComments(text: string): string {
  let index = 0;
  for (;;) {
    while (index < text.length && /\s/.test(text[index]!)) index += 1;
    if (text.startsWith('--', index)) {
      const end = text.indexOf('\n', index);
      if (end < 0) return '';
      index = end + 1;
    } else if (text.startsWith('/*', index)) {
      let depth = 0;
      while (index < text.length) {
        if (text.startsWith('/*', index)) {
          depth += 1;
          index += 2;
        } else if (text.startsWith('*/', index)) {
          depth -= 1;
          index += 2;
          if (depth === 0) break;
        } else {
          index += 1;
        }
      }
      if (depth > 0) return '';
    } else {
      return text.slice(index);
    }
  }
}

/** Statements that never carry lineage: transaction control, session settings, maintenance, notifications. */
const noiseKeywords = new Set([
  'ABORT',
  'BEGIN',
  'CHECKPOINT',
  'CLOSE',
  'COMMIT',
  'DEALLOCATE',
  'DISCARD',
  'END',
  'FETCH',
  'LISTEN',
  'LOCK',
  'NOTIFY',
  'RELEASE',
  'RESET',
  'ROLLBACK',
  'SAVEPOINT',
  'SET',
  'SHOW',
  'START',
  'UNLISTEN',
  'VACUUM',
]);

export function isNoiseStatement(text: string): boolean {
  const keyword = /^[a-z_]+/i.exec(withoutLeadingComments(text))?.[0]?.toUpperCase();
  return keyword === undefined || noiseKeywords.has(keyword);
}

/**
 * One aggregated statement → a history record, or null for rows that are ours, hidden from the reading role,
 * or noise. `startedAt` is the time of reading and `calls` the cumulative count, as the contract says for
 * aggregated sources; `durationMs` is the mean execution time over those calls.
 */
export function mapPostgresStatement(row: PostgresStatementRow, readAt: Date): HistoryRecord | null {
  const text = row.query;
  if (row.queryid === null || text === null || text === INSUFFICIENT_PRIVILEGE_TEXT) return null;
  if (withoutLeadingComments(text).length === 0) return null;
  if (text.trimStart().startsWith(OWN_QUERY_MARKER) || isNoiseStatement(text)) return null;
  return {
    queryId: `${row.dbid}:${row.userid}:${row.queryid}`,
    text,
    startedAt: readAt,
    user: row.user_name ?? null,
    defaultDatabase: row.database_name ?? null,
    defaultSchema: POSTGRES_DEFAULT_SCHEMA,
    engineFingerprint: row.queryid,
    durationMs: toNumber(row.mean_exec_time),
    calls: toNumber(row.calls) ?? 0,
  };
}

/** An identifier as it has to be written in SQL: bare when Postgres would read it back unchanged. */
export function quotePostgresIdentifier(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replaceAll('"', '""')}"`;
}

/** What `check()` found out about reading pg_stat_statements in the connection's database. */
export interface PostgresHistoryProbe {
  readonly database: string;
  readonly user: string;
  /** The server has the extension's files (pg_available_extensions). */
  readonly extensionAvailable: boolean;
  /** `CREATE EXTENSION pg_stat_statements` ran in `database`. */
  readonly extensionInstalled: boolean;
  /** shared_preload_libraries; null when the role may not read it. */
  readonly preloadLibraries: string | null;
  /** Superuser, or a member of pg_read_all_stats: sees every role's statement text. */
  readonly readsAllStatements: boolean;
  /** What a test read of the view answered when it failed. */
  readonly readError: { readonly code?: string; readonly message: string } | null;
}

function preloads(libraries: string): boolean {
  return libraries
    .split(',')
    .map((library) => library.trim().replace(/^"|"$/g, ''))
    .some((library) => library === 'pg_stat_statements');
}

/** Postgres' SQLSTATE for "pg_stat_statements must be loaded via shared_preload_libraries". */
const NOT_LOADED_STATE = '55000';

/** The grant or setting that makes pg_stat_statements readable, as one `history-read` check item. */
export function postgresHistoryCheck(probe: PostgresHistoryProbe): ConnectionCheckItem {
  const name = 'history-read';
  const database = quotePostgresIdentifier(probe.database);
  const createExtension = `CREATE EXTENSION pg_stat_statements; (as a superuser, in database ${database})`;
  const notLoaded =
    (probe.preloadLibraries !== null && !preloads(probe.preloadLibraries)) ||
    probe.readError?.code === NOT_LOADED_STATE;
  if (!probe.extensionAvailable && !probe.extensionInstalled) {
    return {
      name,
      ok: false,
      message:
        'The pg_stat_statements extension is not installed on the server, so there is no query history to read.',
      fix: `Install the Postgres contrib package on the server, set shared_preload_libraries = 'pg_stat_statements' in postgresql.conf, restart the server, then run ${createExtension}`,
    };
  }
  if (notLoaded) {
    const current = probe.preloadLibraries?.trim() ?? '';
    const libraries = current === '' ? 'pg_stat_statements' : `${current}, pg_stat_statements`;
    return {
      name,
      ok: false,
      message: `pg_stat_statements is not loaded by the server (shared_preload_libraries = '${current}'), so it records no queries.`,
      fix: `Set shared_preload_libraries = '${libraries}' (ALTER SYSTEM SET shared_preload_libraries = '${libraries}'; or postgresql.conf, or the managed service's parameter group), restart the server, then run ${createExtension}`,
    };
  }
  if (!probe.extensionInstalled) {
    return {
      name,
      ok: false,
      message: `The pg_stat_statements extension is not created in database ${database}, where this connection reads query history.`,
      fix: createExtension,
    };
  }
  if (probe.readError) {
    return {
      name,
      ok: false,
      message: `Reading pg_stat_statements in database ${database} failed: ${probe.readError.message}`,
      fix: `GRANT pg_read_all_stats TO ${quotePostgresIdentifier(probe.user)};`,
    };
  }
  if (!probe.readsAllStatements) {
    return {
      name,
      ok: false,
      message: `Role ${quotePostgresIdentifier(probe.user)} sees only the text of its own statements; pg_stat_statements shows other roles' statements as ${INSUFFICIENT_PRIVILEGE_TEXT}, so their lineage would be missing.`,
      fix: `GRANT pg_read_all_stats TO ${quotePostgresIdentifier(probe.user)};`,
    };
  }
  return { name, ok: true };
}

/** Where a driver error happened, for messages. */
export interface PostgresErrorContext {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  /** Values that must never reach a message (the password). */
  readonly secrets: readonly (string | null | undefined)[];
}

const unavailableCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);

/**
 * A pg driver or server error → WarehouseError. SQLSTATE classes: 28 (authorization) → auth, 42501 →
 * permission, 08/53/57/58 (connection, resources, operator intervention, system) → unavailable; network
 * errors and client-side timeouts → unavailable; everything else → invalid.
 */
export function warehouseErrorFromPostgres(error: unknown, context: PostgresErrorContext): WarehouseError {
  if (error instanceof WarehouseError) return error;
  const where = `Postgres at ${context.host}:${context.port}, database ${JSON.stringify(context.database)}`;
  const code =
    typeof error === 'object' && error !== null && 'code' in error
      ? String((error as { code: unknown }).code)
      : '';
  const rawMessage = error instanceof Error ? error.message : String(error);
  const message = redactSecrets(rawMessage || code || 'unknown error', context.secrets);
  const say = (text: string): string => redactSecrets(text, context.secrets);
  if (code.startsWith('28')) {
    return new WarehouseError('auth', say(`${where} refused the credentials: ${message}`));
  }
  if (code === '3D000') {
    return new WarehouseError('invalid', say(`${where}: ${message}`));
  }
  if (code === '42501') {
    return new WarehouseError('permission', say(`${where}: ${message}`));
  }
  if (
    unavailableCodes.has(code) ||
    /^(08|53|57|58)/.test(code) ||
    /timeout|timed out|terminated|Connection ended|not queryable/i.test(rawMessage)
  ) {
    return new WarehouseError('unavailable', say(`${where} is unavailable: ${message}`));
  }
  return new WarehouseError('invalid', say(`${where} rejected a query: ${message}`));
}
