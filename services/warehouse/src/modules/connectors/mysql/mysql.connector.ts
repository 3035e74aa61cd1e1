import { normalizeInstance } from '@cartograph/catalog-model';
import { redactSecrets } from '@cartograph/platform/http';
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
import { MysqlClient } from './mysql.client.js';
import {
  GeneralLogMapper,
  SESSION_COMMANDS,
  isSystemDatabase,
  mapMysqlTable,
  mysqlHistoryChecks,
  mysqlPlatformCheck,
  quoteAccount,
  toMysqlTimestamp,
  type GeneralLogRow,
  type MysqlColumnRow,
  type MysqlHistoryProbe,
  type MysqlPlatform,
  type MysqlTableRow,
  type SessionDefaults,
} from './mysql.mapper.js';
import {
  COLUMNS_SQL,
  DATABASES_SQL,
  FRESH_STATISTICS_SQL,
  GENERAL_LOG_SQL,
  IDENTITY_SQL,
  LOG_PRIVILEGE_SQL,
  LOG_SETTINGS_SQL,
  SESSION_LOOKBACK_SQL,
  TABLES_SQL,
  VIEWS_SQL,
} from './mysql.queries.js';

const databaseName = z
  .string({ error: 'a database name must be a string' })
  .trim()
  .min(1, { error: 'a database name must not be empty' });

export const mysqlSettingsSchema = z.strictObject(
  {
    host: z
      .string({ error: 'host is required: the server name or IP address' })
      .trim()
      .min(1, { error: 'host is required: the server name or IP address' }),
    port: z
      .number({ error: 'port must be a number' })
      .int({ error: 'port must be a whole number' })
      .min(1, { error: 'port must be between 1 and 65535' })
      .max(65535, { error: 'port must be between 1 and 65535' })
      .default(3306),
    /** Crawl only these databases; when absent, every database the account can see (the name filter still applies). */
    databases: z
      .array(databaseName, { error: 'databases must be a list of database names' })
      .min(1, { error: 'databases, when given, must name at least one database' })
      .optional(),
    /** disable, prefer, require, verify-ca, verify-full: MySQL's DISABLED … VERIFY_IDENTITY. */
    sslMode: z
      .enum(['disable', 'prefer', 'require', 'verify-ca', 'verify-full'], {
        error: 'sslMode must be one of disable, prefer, require, verify-ca, verify-full',
      })
      .default('prefer'),
    /** PEM certificate(s) of the authority that signed the server's certificate, for verify-ca and verify-full. */
    sslRootCertificate: z
      .string({ error: 'sslRootCertificate must be PEM text' })
      .trim()
      .min(1, { error: 'sslRootCertificate must not be empty when given' })
      .optional(),
    connectTimeoutSeconds: z
      .number({ error: 'connectTimeoutSeconds must be a number' })
      .int({ error: 'connectTimeoutSeconds must be a whole number of seconds' })
      .min(1, { error: 'connectTimeoutSeconds must be between 1 and 300' })
      .max(300, { error: 'connectTimeoutSeconds must be between 1 and 300' })
      .default(10),
    /**
     * How far before a history window to look for the default database of a session whose first statement in
     * the window comes without one (its Connect, Init DB or USE is older).
     */
    historyLookbackHours: z
      .number({ error: 'historyLookbackHours must be a number' })
      .min(0, { error: 'historyLookbackHours must be between 0 and 168' })
      .max(168, { error: 'historyLookbackHours must be between 0 and 168' })
      .default(24),
  },
  {
    error: (issue) =>
      issue.code === 'unrecognized_keys' ? `unknown setting: ${issue.keys.join(', ')}` : undefined,
  },
);

export const mysqlCredentialsSchema = z.strictObject(
  {
    user: z
      .string({ error: 'user is required: the account to connect as' })
      .trim()
      .min(1, { error: 'user is required: the account to connect as' }),
    password: z.string({ error: 'password must be a string' }).default(''),
  },
  {
    error: (issue) =>
      issue.code === 'unrecognized_keys' ? `unknown credential: ${issue.keys.join(', ')}` : undefined,
  },
);

export type MysqlSettings = z.output<typeof mysqlSettingsSchema>;
export type MysqlCredentials = z.output<typeof mysqlCredentialsSchema>;

/** general_log rows mapped together; each batch needs at most one look-back query. */
const HISTORY_BATCH_SIZE = 1000;
/** Threads per look-back query, and rows it may return. */
const LOOKBACK_THREADS = 500;
const LOOKBACK_ROWS = 10_000;

const LIKE_ESCAPE = /[\\%_]/g;
const markerPattern = `${OWN_QUERY_MARKER.replace(LIKE_ESCAPE, (character) => `\\${character}`)}%`;

function hostAndPort(settings: MysqlSettings): string {
  const host =
    settings.host.includes(':') && !settings.host.startsWith('[') ? `[${settings.host}]` : settings.host;
  return `${host}:${settings.port}`;
}

const isOn = (value: unknown): boolean =>
  value === 1 || value === '1' || String(value).toUpperCase() === 'ON';

/**
 * MySQL and MariaDB: crawls information_schema and reads history from mysql.general_log. The platform is the
 * one the connection was created as (the definition); check() compares it with the server's VERSION().
 */
export class MysqlConnector implements WarehouseConnector {
  private readonly openClients = new Set<MysqlClient>();

  constructor(
    private readonly platform: MysqlPlatform,
    private readonly context: ConnectorContext<MysqlSettings, MysqlCredentials>,
  ) {}

  async check(): Promise<ConnectionCheck> {
    const checks: ConnectionCheckItem[] = [];
    let client: MysqlClient;
    try {
      client = await this.open();
    } catch (error) {
      return { ok: false, checks: [this.failedItem('reach', error)] };
    }
    try {
      const [identity] = await client.query<{ version: string; account: string }>(IDENTITY_SQL);
      checks.push({ name: 'reach', ok: true });
      checks.push(mysqlPlatformCheck(this.platform, identity?.version ?? ''));
      const account = identity?.account ?? this.context.credentials.user;
      checks.push(await this.checkStep('schema-read', () => this.checkSchemaRead(client, account)));
      try {
        checks.push(...mysqlHistoryChecks(await this.probeHistory(client, account)));
      } catch (error) {
        checks.push(this.failedItem('history-read', error));
      }
    } catch (error) {
      checks.push(this.failedItem('reach', error));
    } finally {
      await this.release(client);
    }
    return { ok: checks.every((check) => check.ok), checks };
  }

  /**
   * Databases are the one namespace level: the filter is asked `accepts(database)` and then
   * `accepts(database, database)`, the way the records carry the database in both slots.
   */
  async *crawl(filter: NameFilter): AsyncIterable<CrawledTable> {
    const client = await this.open();
    try {
      if (this.platform === 'mysql') {
        await client.query(FRESH_STATISTICS_SQL).catch(() => undefined);
      }
      const databases = (
        this.context.settings.databases ??
        (await client.query<{ name: string }>(DATABASES_SQL)).map((row) => row.name)
      ).filter(
        (database) =>
          !isSystemDatabase(database) && filter.accepts(database) && filter.accepts(database, database),
      );
      for (const database of databases) {
        const tables = await client.query<MysqlTableRow>(TABLES_SQL, [database]);
        if (tables.length === 0) continue;
        const columns = new Map<string, MysqlColumnRow[]>();
        for (const column of await client.query<MysqlColumnRow>(COLUMNS_SQL, [database])) {
          const list = columns.get(column.table_name);
          if (list) list.push(column);
          else columns.set(column.table_name, [column]);
        }
        const views = new Map(
          (
            await client.query<{ table_name: string; view_definition: string | null }>(VIEWS_SQL, [database])
          ).map((view) => [view.table_name, view.view_definition]),
        );
        for (const table of tables) {
          const crawled = mapMysqlTable(
            table,
            columns.get(table.table_name) ?? [],
            views.get(table.table_name),
          );
          if (crawled) yield crawled;
        }
      }
    } finally {
      await this.release(client);
    }
  }

  /**
   * Statements from mysql.general_log with since ≤ event_time < until, in event_time order (Query and
   * Execute rows; our own marker, USE/SET/SHOW/transaction control and driver chatter left out). Fails with
   * the fix when the log is off, not written to the table, or not readable.
   */
  async *readHistory(window: HistoryWindow): AsyncIterable<HistoryRecord> {
    const client = await this.open();
    let lookbackClient: MysqlClient | undefined;
    let drained = false;
    try {
      const [identity] = await client.query<{ account: string }>(IDENTITY_SQL);
      const failing = mysqlHistoryChecks(
        await this.probeHistory(client, identity?.account ?? this.context.credentials.user),
      ).filter((check) => !check.ok);
      if (failing.length > 0) {
        throw new WarehouseError(
          'permission',
          failing.map((check) => check.message).join(' '),
          failing.map((check) => check.fix).join(' '),
        );
      }
      const mapper = new GeneralLogMapper();
      const lookback = async (threads: readonly string[]): Promise<GeneralLogRow[]> => {
        lookbackClient ??= await this.open();
        const hours = this.context.settings.historyLookbackHours;
        const from = new Date(window.since.getTime() - hours * 3_600_000);
        return lookbackClient.query<GeneralLogRow>(SESSION_LOOKBACK_SQL, [
          toMysqlTimestamp(from),
          toMysqlTimestamp(window.since),
          threads,
          LOOKBACK_ROWS,
        ]);
      };
      const rows = client.stream<GeneralLogRow>(GENERAL_LOG_SQL, [
        toMysqlTimestamp(window.since),
        toMysqlTimestamp(window.until),
        markerPattern,
      ]);
      let batch: GeneralLogRow[] = [];
      let emitted = 0;
      const limit = window.limit ?? Number.POSITIVE_INFINITY;
      const iterator = rows[Symbol.asyncIterator]();
      for (;;) {
        const next = await iterator.next();
        if (!next.done) batch.push(next.value);
        if (batch.length >= HISTORY_BATCH_SIZE || (next.done && batch.length > 0)) {
          await seedSessions(
            batch,
            mapper.defaults,
            lookback,
            this.context.settings.historyLookbackHours > 0,
          );
          for (const row of batch) {
            const record = mapper.map(row);
            if (!record) continue;
            yield record;
            emitted += 1;
            if (emitted >= limit) {
              await iterator.return?.();
              return;
            }
          }
          batch = [];
        }
        if (next.done) break;
      }
      drained = true;
    } finally {
      // A result left half-read keeps the connection busy; only a drained one can be closed politely.
      if (drained) await this.release(client);
      else this.discard(client);
      if (lookbackClient) await this.release(lookbackClient);
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.openClients].map((client) => this.release(client)));
  }

  private async checkStep(
    name: string,
    step: () => Promise<ConnectionCheckItem>,
  ): Promise<ConnectionCheckItem> {
    try {
      return await step();
    } catch (error) {
      return this.failedItem(name, error);
    }
  }

  private async checkSchemaRead(client: MysqlClient, account: string): Promise<ConnectionCheckItem> {
    const visible = (await client.query<{ name: string }>(DATABASES_SQL))
      .map((row) => row.name)
      .filter((database) => !isSystemDatabase(database));
    const wanted = this.context.settings.databases;
    const missing = wanted
      ? wanted.filter((database) => !visible.some((name) => name.toLowerCase() === database.toLowerCase()))
      : visible.length === 0
        ? ['<database>']
        : [];
    if (missing.length === 0) return { name: 'schema-read', ok: true };
    return {
      name: 'schema-read',
      ok: false,
      message: wanted
        ? `These configured databases do not exist or the account may not see them: ${missing.join(', ')}`
        : 'The account sees no database besides the system ones, so there is nothing to crawl.',
      fix: missing
        .map((database) => {
          const target = database === '<database>' ? database : `\`${database.replaceAll('`', '``')}\``;
          return `GRANT SELECT, SHOW VIEW ON ${target}.* TO ${quoteAccount(account)};`;
        })
        .join(' '),
    };
  }

  private async probeHistory(client: MysqlClient, account: string): Promise<MysqlHistoryProbe> {
    const [settings] = await client.query<{ general_log: unknown; log_output: string }>(LOG_SETTINGS_SQL);
    let readError: string | null = null;
    try {
      await client.query(LOG_PRIVILEGE_SQL);
    } catch (error) {
      readError = error instanceof Error ? error.message : String(error);
    }
    return {
      account,
      generalLog: isOn(settings?.general_log),
      logOutput: String(settings?.log_output ?? ''),
      readError,
    };
  }

  private failedItem(name: string, error: unknown): ConnectionCheckItem {
    if (error instanceof WarehouseError) {
      return { name, ok: false, message: error.message, ...(error.fix ? { fix: error.fix } : {}) };
    }
    const detail = error instanceof Error ? error.message : String(error);
    return {
      name,
      ok: false,
      message: redactSecrets(`Unexpected error while checking: ${detail}`, [
        this.context.credentials.password,
      ]),
    };
  }

  private async open(): Promise<MysqlClient> {
    const { settings, credentials, timeoutMs, signal } = this.context;
    const client = await MysqlClient.connect({
      platform: this.platform,
      host: settings.host,
      port: settings.port,
      user: credentials.user,
      password: credentials.password,
      sslMode: settings.sslMode,
      sslRootCertificate: settings.sslRootCertificate,
      connectTimeoutMs: settings.connectTimeoutSeconds * 1000,
      queryTimeoutMs: timeoutMs,
      signal,
    });
    this.openClients.add(client);
    return client;
  }

  private async release(client: MysqlClient): Promise<void> {
    this.openClients.delete(client);
    await client.close();
  }

  private discard(client: MysqlClient): void {
    this.openClients.delete(client);
    client.destroy();
  }
}

/**
 * Gives every thread of the batch whose session started before the window (its first row here is a
 * statement, not a Connect/Change user/Init DB) the default database of its last session change before it.
 */
async function seedSessions(
  batch: readonly GeneralLogRow[],
  defaults: SessionDefaults,
  lookback: (threads: readonly string[]) => Promise<GeneralLogRow[]>,
  enabled: boolean,
): Promise<void> {
  const firstCommand = new Map<string, string>();
  for (const row of batch) {
    const thread = String(row.thread_id);
    if (!firstCommand.has(thread)) firstCommand.set(thread, row.command_type);
  }
  const unknown = [...firstCommand]
    .filter(
      ([thread, command]) =>
        !defaults.knows(thread) && !(SESSION_COMMANDS as readonly string[]).includes(command),
    )
    .map(([thread]) => thread);
  for (const thread of unknown) defaults.set(thread, null);
  if (!enabled) return;
  for (let start = 0; start < unknown.length; start += LOOKBACK_THREADS) {
    const rows = await lookback(unknown.slice(start, start + LOOKBACK_THREADS));
    // Newest first from the query (so the limit keeps the latest); applied oldest first.
    for (const row of [...rows].reverse()) defaults.apply(row);
  }
}

function definitionFor(
  platform: MysqlPlatform,
): WarehouseConnectorDefinition<MysqlSettings, MysqlCredentials> {
  return {
    platform,
    settingsSchema: mysqlSettingsSchema,
    credentialsSchema: mysqlCredentialsSchema,
    instanceOf: (settings) => normalizeInstance(platform, hostAndPort(settings)),
    create: (context) => new MysqlConnector(platform, context),
  };
}

/** A MySQL server (dataset ids `mysql://…`). */
export const mysqlConnectorDefinition = definitionFor('mysql');
/** A MariaDB server (dataset ids `mariadb://…`); same settings and behaviour. */
export const mariadbConnectorDefinition = definitionFor('mariadb');
