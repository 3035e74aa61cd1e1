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
import { PostgresClient } from './postgres.client.js';
import {
  groupColumnsByRelation,
  isSystemSchema,
  mapPostgresRelation,
  mapPostgresStatement,
  postgresHistoryCheck,
  quotePostgresIdentifier,
  type PostgresColumnRow,
  type PostgresHistoryProbe,
  type PostgresRelationRow,
  type PostgresStatementRow,
} from './postgres.mapper.js';
import {
  COLUMNS_SQL,
  DATABASES_SQL,
  EXTENSION_SQL,
  IDENTITY_SQL,
  PRELOAD_LIBRARIES_SQL,
  RELATIONS_SQL,
  SCHEMAS_SQL,
  startsWithPattern,
  statementColumnsSql,
  statementsSql,
} from './postgres.queries.js';

const databaseName = z
  .string({ error: 'a database name must be a string' })
  .trim()
  .min(1, { error: 'a database name must not be empty' });

export const postgresSettingsSchema = z.strictObject(
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
      .default(5432),
    /** The database to connect to first; query history (pg_stat_statements) is read there. */
    database: databaseName.default('postgres'),
    /** Crawl only these databases; when absent, every database the role may connect to (the name filter still applies). */
    databases: z
      .array(databaseName, { error: 'databases must be a list of database names' })
      .min(1, { error: 'databases, when given, must name at least one database' })
      .optional(),
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
  },
  {
    error: (issue) =>
      issue.code === 'unrecognized_keys' ? `unknown setting: ${issue.keys.join(', ')}` : undefined,
  },
);

export const postgresCredentialsSchema = z.strictObject(
  {
    user: z
      .string({ error: 'user is required: the role to connect as' })
      .trim()
      .min(1, { error: 'user is required: the role to connect as' }),
    /** Empty for servers that trust the connection (trust, peer over TCP proxies, IAM proxies). */
    password: z.string({ error: 'password must be a string' }).default(''),
  },
  {
    error: (issue) =>
      issue.code === 'unrecognized_keys' ? `unknown credential: ${issue.keys.join(', ')}` : undefined,
  },
);

export type PostgresSettings = z.output<typeof postgresSettingsSchema>;
export type PostgresCredentials = z.output<typeof postgresCredentialsSchema>;

/** How many relations one catalog query returns; their columns come in a second query. */
const RELATION_PAGE_SIZE = 500;

/** `host:port`, with IPv6 literals bracketed so the port stays separable. */
function hostAndPort(settings: PostgresSettings): string {
  const host =
    settings.host.includes(':') && !settings.host.startsWith('[') ? `[${settings.host}]` : settings.host;
  return `${host}:${settings.port}`;
}

/**
 * PostgreSQL: crawls pg_catalog of every database the role may connect to (or the configured list) and reads
 * aggregated query history from pg_stat_statements in the connection's `database`. Every statement carries
 * OWN_QUERY_MARKER, and statements carrying it are left out of history.
 */
export class PostgresConnector implements WarehouseConnector {
  private readonly openClients = new Set<PostgresClient>();

  constructor(private readonly context: ConnectorContext<PostgresSettings, PostgresCredentials>) {}

  async check(): Promise<ConnectionCheck> {
    const checks: ConnectionCheckItem[] = [];
    const { settings } = this.context;
    let client: PostgresClient;
    try {
      client = await this.open(settings.database);
    } catch (error) {
      checks.push(failedItem('reach', error, [this.context.credentials.password]));
      return { ok: false, checks };
    }
    try {
      const [identity] = await client.query<{ user: string }>(IDENTITY_SQL);
      checks.push({ name: 'reach', ok: true });
      const user = identity?.user ?? this.context.credentials.user;
      checks.push(await this.checkStep('schema-read', () => this.checkSchemaRead(client)));
      checks.push(await this.checkStep('history-read', () => this.checkHistoryRead(client, user)));
    } catch (error) {
      checks.push(failedItem('reach', error, [this.context.credentials.password]));
    } finally {
      await this.release(client);
    }
    return { ok: checks.every((check) => check.ok), checks };
  }

  async *crawl(filter: NameFilter): AsyncIterable<CrawledTable> {
    const { settings } = this.context;
    const main = await this.open(settings.database);
    try {
      const databases = (
        settings.databases ?? (await main.query<{ name: string }>(DATABASES_SQL)).map((row) => row.name)
      ).filter((database) => filter.accepts(database));
      for (const database of databases) {
        const client = database === settings.database ? main : await this.open(database);
        try {
          yield* this.crawlDatabase(client, filter);
        } finally {
          if (client !== main) await this.release(client);
        }
      }
    } finally {
      await this.release(main);
    }
  }

  /**
   * pg_stat_statements is cumulative and has no per-execution times, so the window's bounds do not select
   * anything: every call returns the current totals with `startedAt` = the server's time of reading, and
   * the sync counts the growth of `calls`. A `limit` that cuts the list loses nothing for good, since the
   * next read returns the grown totals.
   */
  async *readHistory(window: HistoryWindow): AsyncIterable<HistoryRecord> {
    const client = await this.open(this.context.settings.database);
    try {
      const rows = await this.readStatements(client, window.limit);
      for (const row of rows) {
        const record = mapPostgresStatement(row, new Date(row.read_at));
        if (record) yield record;
      }
    } finally {
      await this.release(client);
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.openClients].map((client) => this.release(client)));
  }

  private async *crawlDatabase(client: PostgresClient, filter: NameFilter): AsyncIterable<CrawledTable> {
    const schemas = (await client.query<{ name: string }>(SCHEMAS_SQL))
      .map((row) => row.name)
      .filter((schema) => !isSystemSchema(schema) && filter.accepts(client.database, schema));
    if (schemas.length === 0) return;
    let after: [string, string] = ['', ''];
    for (;;) {
      const relations = await client.query<PostgresRelationRow>(RELATIONS_SQL, [
        schemas,
        after[0],
        after[1],
        RELATION_PAGE_SIZE,
      ]);
      if (relations.length === 0) return;
      const columns = groupColumnsByRelation(
        await client.query<PostgresColumnRow>(COLUMNS_SQL, [relations.map((relation) => relation.oid)]),
      );
      for (const relation of relations) {
        const table = mapPostgresRelation(client.database, relation, columns.get(relation.oid) ?? []);
        if (table) yield table;
      }
      if (relations.length < RELATION_PAGE_SIZE) return;
      const last = relations[relations.length - 1]!;
      after = [last.schema, last.name];
    }
  }

  private async readStatements(
    client: PostgresClient,
    limit: number | undefined,
  ): Promise<(PostgresStatementRow & { read_at: Date | string })[]> {
    const [extension] = await client.query<{ schema: string | null }>(EXTENSION_SQL);
    if (!extension?.schema) {
      const probe = await this.probeHistory(client, this.context.credentials.user);
      const item = postgresHistoryCheck(probe);
      throw new WarehouseError('permission', item.message ?? 'pg_stat_statements is not readable', item.fix);
    }
    const qualifiedView = `${quotePostgresIdentifier(extension.schema)}.pg_stat_statements`;
    const columns = new Set(
      (await client.query<{ name: string }>(statementColumnsSql(qualifiedView))).map((row) => row.name),
    );
    const sql = statementsSql({
      qualifiedView,
      hasToplevel: columns.has('toplevel'),
      meanTimeColumn: columns.has('mean_exec_time') ? 'mean_exec_time' : 'mean_time',
    });
    try {
      return await client.query(sql, [startsWithPattern(OWN_QUERY_MARKER), limit ?? null]);
    } catch (error) {
      if (error instanceof WarehouseError && error.kind === 'invalid') {
        // "must be loaded via shared_preload_libraries" and permission errors: say what to change.
        const item = postgresHistoryCheck(await this.probeHistory(client, this.context.credentials.user));
        if (!item.ok) throw new WarehouseError('permission', item.message ?? error.message, item.fix);
      }
      throw error;
    }
  }

  private async checkStep(
    name: string,
    step: () => Promise<ConnectionCheckItem>,
  ): Promise<ConnectionCheckItem> {
    try {
      return await step();
    } catch (error) {
      return failedItem(name, error, [this.context.credentials.password]);
    }
  }

  private async checkSchemaRead(client: PostgresClient): Promise<ConnectionCheckItem> {
    const { databases } = this.context.settings;
    if (!databases) {
      const visible = await client.query<{ name: string }>(DATABASES_SQL);
      return visible.length > 0
        ? { name: 'schema-read', ok: true }
        : {
            name: 'schema-read',
            ok: false,
            message: 'The role may connect to no database, so there is nothing to crawl.',
            fix: `GRANT CONNECT ON DATABASE <database> TO ${quotePostgresIdentifier(this.context.credentials.user)};`,
          };
    }
    const visible = new Set((await client.query<{ name: string }>(DATABASES_SQL)).map((row) => row.name));
    const missing = databases.filter((database) => !visible.has(database));
    return missing.length === 0
      ? { name: 'schema-read', ok: true }
      : {
          name: 'schema-read',
          ok: false,
          message: `These configured databases do not exist or the role may not connect to them: ${missing.join(', ')}`,
          fix: missing
            .map(
              (database) =>
                `GRANT CONNECT ON DATABASE ${quotePostgresIdentifier(database)} TO ${quotePostgresIdentifier(this.context.credentials.user)};`,
            )
            .join(' '),
        };
  }

  private async checkHistoryRead(client: PostgresClient, user: string): Promise<ConnectionCheckItem> {
    return postgresHistoryCheck(await this.probeHistory(client, user));
  }

  private async probeHistory(client: PostgresClient, user: string): Promise<PostgresHistoryProbe> {
    const [extension] = await client.query<{
      schema: string | null;
      available: boolean;
      reads_all_statements: boolean;
    }>(EXTENSION_SQL);
    let preloadLibraries: string | null = null;
    try {
      const [setting] = await client.query<{ libraries: string }>(PRELOAD_LIBRARIES_SQL);
      preloadLibraries = setting?.libraries ?? null;
    } catch {
      // Only superusers and pg_read_all_settings may read it; the read below tells the same story.
    }
    let readError: PostgresHistoryProbe['readError'] = null;
    if (extension?.schema) {
      try {
        await client.query(
          `SELECT 1 FROM ${quotePostgresIdentifier(extension.schema)}.pg_stat_statements LIMIT 1`,
        );
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        readError = {
          code: /must be loaded via "?shared_preload_libraries/i.test(message) ? '55000' : undefined,
          message,
        };
      }
    }
    return {
      database: client.database,
      user,
      extensionAvailable: extension?.available ?? false,
      extensionInstalled: Boolean(extension?.schema),
      preloadLibraries,
      readsAllStatements: extension?.reads_all_statements ?? false,
      readError,
    };
  }

  private async open(database: string): Promise<PostgresClient> {
    const { settings, credentials, timeoutMs, signal } = this.context;
    const client = await PostgresClient.connect({
      host: settings.host,
      port: settings.port,
      database,
      user: credentials.user,
      password: credentials.password,
      sslMode: settings.sslMode,
      sslRootCertificate: settings.sslRootCertificate,
      connectTimeoutMs: settings.connectTimeoutSeconds * 1000,
      statementTimeoutMs: timeoutMs,
      signal,
    });
    this.openClients.add(client);
    return client;
  }

  private async release(client: PostgresClient): Promise<void> {
    this.openClients.delete(client);
    await client.close();
  }
}

function failedItem(name: string, error: unknown, secrets: readonly string[]): ConnectionCheckItem {
  if (error instanceof WarehouseError) {
    return { name, ok: false, message: error.message, ...(error.fix ? { fix: error.fix } : {}) };
  }
  const detail = error instanceof Error ? error.message : String(error);
  return { name, ok: false, message: redactSecrets(`Unexpected error while checking: ${detail}`, secrets) };
}

export const postgresConnectorDefinition: WarehouseConnectorDefinition<
  PostgresSettings,
  PostgresCredentials
> = {
  platform: 'postgres',
  settingsSchema: postgresSettingsSchema,
  credentialsSchema: postgresCredentialsSchema,
  instanceOf: (settings) => normalizeInstance('postgres', hostAndPort(settings)),
  create: (context) => new PostgresConnector(context),
};
