import { Secret } from '@cartograph/platform/secrets';
import { z } from 'zod';
import {
  OWN_QUERY_MARKER,
  WarehouseError,
  type ConnectionCheck,
  type ConnectionCheckItem,
  type ConnectorContext,
  type CrawledTable,
  type HistoryRecord,
  type HistoryWindow,
  type NameFilter,
  type WarehouseConnector,
  type WarehouseConnectorDefinition,
} from '../warehouse-connector.js';
import { ClickHouseHttp, type ClickHouseParameter, type ClickHouseRow } from './clickhouse.client.js';
import { CLICKHOUSE_LOG_COMMENT, clickHouseHistoryRecord, clickHouseTable } from './clickhouse.mapper.js';

// ClickHouse over its HTTP interface. Crawl streams system.tables and system.columns; history reads
// system.query_log (finished, initial queries only), whose `tables` and `query_kind` give engine lineage and
// `normalized_query_hash` the fingerprint. Reads the local server's log: on a cluster, point the connection at
// each replica or use a server that collects the logs (clusterAllReplicas is not used).

export const clickHouseSettingsSchema = z
  .object({
    host: z
      .string({ error: 'host is required (the server name, e.g. ch.example.com)' })
      .trim()
      .min(1, 'host is required (the server name, e.g. ch.example.com)')
      .regex(
        /^[^/:?#@\s]+$|^\[[0-9a-fA-F:]+\]$/,
        'host must be a bare server name, without scheme, port or path',
      ),
    port: z
      .int()
      .min(1, 'port must be between 1 and 65535')
      .max(65535, 'port must be between 1 and 65535')
      .optional(),
    secure: z.boolean().default(true),
    user: z.string().trim().min(1, 'user must not be empty').default('default'),
    databases: z
      .array(z.string().min(1, 'databases must not contain empty names'))
      .optional()
      .describe('Databases to crawl and read history of; absent: all but system'),
    endpoint: z.url('endpoint must be a URL such as https://ch.example.com:8443').optional(),
    maxAttempts: z.int().min(1, 'maxAttempts must be at least 1').max(10).default(4),
    retryBaseDelayMs: z.int().min(1).max(60_000).default(250),
    historyPageSize: z.int().min(1).max(100_000).default(1_000),
  })
  .transform((settings) => ({ ...settings, port: settings.port ?? (settings.secure ? 8443 : 8123) }));

export type ClickHouseSettings = z.output<typeof clickHouseSettingsSchema>;

export const clickHouseCredentialsSchema = z.object({
  // The `default` user of a fresh server has an empty password, so empty is allowed.
  password: z.string({ error: 'password is required (may be empty for a passwordless user)' }),
});

export type ClickHouseCredentials = z.output<typeof clickHouseCredentialsSchema>;

const SYSTEM_DATABASES = `('system', 'INFORMATION_SCHEMA', 'information_schema')`;

function databaseFilter(settings: ClickHouseSettings): {
  clause: string;
  parameters: Record<string, ClickHouseParameter>;
} {
  if (!settings.databases) return { clause: '', parameters: {} };
  return {
    clause: '\n  AND database IN {databases:Array(String)}',
    parameters: { databases: settings.databases },
  };
}

function tablesSql(clause: string): string {
  return `SELECT database, name, engine, comment, total_rows, total_bytes, as_select,
  toUnixTimestamp(metadata_modification_time) AS modified_at
FROM system.tables
WHERE NOT is_temporary AND database NOT IN ${SYSTEM_DATABASES}${clause}
ORDER BY database, name`;
}

function columnsSql(clause: string): string {
  return `SELECT database, table, name, type, comment, position
FROM system.columns
WHERE database NOT IN ${SYSTEM_DATABASES}${clause}
ORDER BY database, table, position`;
}

// The window is on the start time (records must come in ascending startedAt); event_date and event_time
// (the finish, never before the start) only let the server skip old parts of the log.
function historySql(pageSize: number, afterKey: boolean): string {
  const keyset = afterKey
    ? `\n  AND (query_start_time_microseconds, query_id) > (fromUnixTimestamp64Micro({after_us:Int64}), {after_id:String})`
    : '';
  return `SELECT query_id, query, user, current_database, query_kind, normalized_query_hash, tables,
  toUnixTimestamp64Micro(query_start_time_microseconds) AS start_us, query_duration_ms, result_rows, written_rows,
  log_comment, http_user_agent, client_name
FROM system.query_log
WHERE type = 'QueryFinish' AND is_initial_query
  AND event_date >= toDate(fromUnixTimestamp64Micro({since_us:Int64})) - 1
  AND event_time >= toDateTime(intDiv({since_us:Int64}, 1000000))
  AND query_start_time_microseconds >= fromUnixTimestamp64Micro({since_us:Int64})
  AND query_start_time_microseconds < fromUnixTimestamp64Micro({until_us:Int64})
  AND log_comment != {own_comment:String}
  AND NOT startsWith(query, {own_marker:String})${keyset}
ORDER BY query_start_time_microseconds, query_id
LIMIT ${pageSize}`;
}

function microseconds(date: Date): bigint {
  return BigInt(date.getTime()) * 1000n;
}

/** host:port, the instance of dataset ids (default ports are dropped when ids are built). */
export function clickHouseInstance(settings: ClickHouseSettings): string {
  return `${settings.host}:${settings.port}`.toLowerCase();
}

export const clickHouseConnectorDefinition: WarehouseConnectorDefinition<
  ClickHouseSettings,
  ClickHouseCredentials
> = {
  platform: 'clickhouse',
  settingsSchema: clickHouseSettingsSchema,
  credentialsSchema: clickHouseCredentialsSchema,
  instanceOf: clickHouseInstance,
  create: (context) => new ClickHouseConnector(context),
};

export class ClickHouseConnector implements WarehouseConnector {
  readonly #http: ClickHouseHttp;
  readonly #settings: ClickHouseSettings;

  constructor(context: ConnectorContext<ClickHouseSettings, ClickHouseCredentials>) {
    const { settings, credentials } = context;
    this.#settings = settings;
    this.#http = new ClickHouseHttp({
      baseUrl:
        settings.endpoint ?? `${settings.secure ? 'https' : 'http'}://${settings.host}:${settings.port}/`,
      server: `${settings.host}:${settings.port}`,
      user: settings.user,
      password: new Secret(credentials.password),
      timeoutMs: context.timeoutMs,
      maxAttempts: settings.maxAttempts,
      retryBaseDelayMs: settings.retryBaseDelayMs,
      signal: context.signal,
    });
  }

  async check(): Promise<ConnectionCheck> {
    const user = this.#settings.user;
    const reach = await step('reach', () => this.#http.query('SELECT 1'));
    if (!reach.ok) {
      const skipped = 'not checked: the server could not run a query';
      return {
        ok: false,
        checks: [
          reach,
          { name: 'schema-read', ok: false, message: skipped },
          { name: 'history-read', ok: false, message: skipped },
        ],
      };
    }
    const checks = [
      reach,
      await step(
        'schema-read',
        () => this.#http.query('SELECT database, name FROM system.tables LIMIT 1'),
        `GRANT SELECT ON system.tables TO ${user}; GRANT SELECT ON system.columns TO ${user}`,
      ),
      await step(
        'history-read',
        () => this.#http.query('SELECT query_id FROM system.query_log LIMIT 1'),
        `GRANT SELECT ON system.query_log TO ${user}`,
      ),
    ];
    return { ok: checks.every((check) => check.ok), checks };
  }

  async *crawl(filter: NameFilter): AsyncIterable<CrawledTable> {
    const { clause, parameters } = databaseFilter(this.#settings);
    const tables = new Map<string, ClickHouseRow>();
    for await (const row of this.#http.stream(tablesSql(clause), parameters)) {
      const database = String(row.database);
      // Two levels: the database is both the database and the schema of a dataset.
      if (filter.accepts(database, database)) tables.set(tableKey(row.database, row.name), row);
    }
    if (tables.size === 0) return;
    let currentKey: string | undefined;
    let columns: ClickHouseRow[] = [];
    for await (const row of this.#http.stream(columnsSql(clause), parameters)) {
      const key = tableKey(row.database, row.table);
      if (key !== currentKey) {
        if (currentKey !== undefined && tables.has(currentKey)) {
          yield clickHouseTable(tables.get(currentKey)!, columns);
          tables.delete(currentKey);
        }
        currentKey = key;
        columns = [];
      }
      if (tables.has(key)) columns.push(row);
    }
    if (currentKey !== undefined && tables.has(currentKey)) {
      yield clickHouseTable(tables.get(currentKey)!, columns);
      tables.delete(currentKey);
    }
    for (const row of tables.values()) yield clickHouseTable(row, []);
  }

  async *readHistory(window: HistoryWindow): AsyncIterable<HistoryRecord> {
    const pageSize = this.#settings.historyPageSize;
    let remaining = window.limit ?? Number.POSITIVE_INFINITY;
    let after: { startMicroseconds: string; queryId: string } | undefined;
    const databases = this.#settings.databases ? new Set(this.#settings.databases) : undefined;
    while (remaining > 0) {
      const parameters: Record<string, ClickHouseParameter> = {
        since_us: microseconds(window.since),
        until_us: microseconds(window.until),
        own_comment: CLICKHOUSE_LOG_COMMENT,
        own_marker: OWN_QUERY_MARKER,
        ...(after ? { after_us: after.startMicroseconds, after_id: after.queryId } : {}),
      };
      const { data } = await this.#http.query(historySql(pageSize, after !== undefined), parameters);
      for (const row of data) {
        const record = clickHouseHistoryRecord(row);
        if (!record || (databases && !touchesAny(row, databases))) continue;
        yield record;
        remaining -= 1;
        if (remaining <= 0) return;
      }
      if (data.length < pageSize) return;
      const last = data[data.length - 1]!;
      after = { startMicroseconds: String(last.start_us), queryId: String(last.query_id) };
    }
  }

  close(): Promise<void> {
    return this.#http.close();
  }
}

/** With a databases setting, history keeps queries run in or touching one of them. */
function touchesAny(row: ClickHouseRow, databases: ReadonlySet<string>): boolean {
  if (databases.has(String(row.current_database))) return true;
  const tables = Array.isArray(row.tables) ? row.tables.map(String) : [];
  return tables.some((table) => databases.has(table.split('.')[0]!));
}

function tableKey(database: unknown, name: unknown): string {
  return `${String(database)}\u0000${String(name)}`;
}

async function step(name: string, run: () => Promise<unknown>, fix?: string): Promise<ConnectionCheckItem> {
  try {
    await run();
    return { name, ok: true };
  } catch (error) {
    if (!(error instanceof WarehouseError)) throw error;
    const grant = error.kind === 'permission' ? (fix ?? error.fix) : error.fix;
    return { name, ok: false, message: error.message, ...(grant ? { fix: grant } : {}) };
  }
}
