import { normalizeInstance } from '@cartograph/catalog-model';
import { z } from 'zod';
import {
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
import { SnowflakeClient, SnowflakeStatementError, type SnowflakeCredentials } from './snowflake.client.js';
import {
  ACCESS_HISTORY_PROBE,
  columnsStatement,
  CONTEXT_STATEMENT,
  decodeRows,
  historyStatement,
  mapDatabaseNames,
  mapHistoryRow,
  mapTables,
  QUERY_HISTORY_PROBE,
  SHOW_DATABASES_STATEMENT,
  tablesStatement,
  viewsStatement,
  type SnowflakeRow,
  type SnowflakeStatement,
} from './snowflake.mapper.js';

// Snowflake: schemas from each database's INFORMATION_SCHEMA, history from ACCOUNT_USAGE.QUERY_HISTORY with
// engine lineage from ACCESS_HISTORY (Enterprise edition and above; on Standard edition the history is read
// without it, which the connector finds out once and remembers). Everything goes through the SQL API v2.

const identifierText = (field: string, example: string) =>
  z
    .string({ error: `${field} is required, e.g. ${example}` })
    .trim()
    .min(1, { error: `${field} must not be empty, e.g. ${example}` });

export const snowflakeSettingsSchema = z.object({
  account: identifierText(
    'account (the Snowflake account identifier)',
    'myorg-myaccount or xy12345.us-east-1',
  ).regex(/^[A-Za-z0-9_.-]+$/, {
    error: 'account must be an account identifier such as myorg-myaccount or xy12345.us-east-1, not a URL',
  }),
  user: identifierText('user', 'CARTOGRAPH_SERVICE'),
  warehouse: identifierText('warehouse (the virtual warehouse that runs our queries)', 'COMPUTE_WH'),
  role: identifierText('role', 'CARTOGRAPH_READER'),
  /** Databases to crawl, as Snowflake stores them; default every database the role sees. */
  databases: z
    .array(z.string().trim().min(1, { error: 'databases must not contain empty names' }))
    .optional(),
  /** Default `https://<account>.snowflakecomputing.com`. */
  baseUrl: z
    .url({ error: 'baseUrl must be an http(s) URL such as https://myorg-myaccount.snowflakecomputing.com' })
    .optional(),
  pollIntervalMs: z.number().int().min(1).max(60_000).optional(),
  maxPollIntervalMs: z.number().int().min(1).max(300_000).optional(),
  statementTimeoutSeconds: z.number().int().min(1).max(604_800).optional(),
});

export type SnowflakeSettings = z.output<typeof snowflakeSettingsSchema>;

export const snowflakeCredentialsSchema: z.ZodType<SnowflakeCredentials> = z.discriminatedUnion(
  'type',
  [
    z.object({
      type: z.literal('key-pair'),
      privateKey: z
        .string({ error: 'privateKey is required: the PEM private key whose public key is set on the user' })
        .refine((value) => /-----BEGIN (?:ENCRYPTED )?PRIVATE KEY-----/.test(value), {
          error:
            'privateKey must be a PEM PKCS#8 key (-----BEGIN PRIVATE KEY----- or -----BEGIN ENCRYPTED PRIVATE KEY-----)',
        }),
      privateKeyPassphrase: z
        .string()
        .min(1, { error: 'privateKeyPassphrase must not be empty when given' })
        .optional(),
    }),
    z.object({
      type: z.literal('programmatic-access-token'),
      token: z.string({ error: 'token is required' }).min(1, { error: 'token must not be empty' }),
    }),
    z.object({
      type: z.literal('oauth'),
      token: z.string({ error: 'token is required' }).min(1, { error: 'token must not be empty' }),
    }),
  ],
  { error: 'credentials.type must be key-pair, programmatic-access-token or oauth' },
);

export const snowflakeConnectorDefinition: WarehouseConnectorDefinition<
  SnowflakeSettings,
  SnowflakeCredentials
> = {
  platform: 'snowflake',
  settingsSchema: snowflakeSettingsSchema,
  credentialsSchema: snowflakeCredentialsSchema,
  instanceOf: (settings) => normalizeInstance('snowflake', settings.account),
  create: (context) => new SnowflakeConnector(context),
};

export function snowflakeBaseUrl(settings: Pick<SnowflakeSettings, 'account' | 'baseUrl'>): string {
  return settings.baseUrl ?? `https://${settings.account.toLowerCase()}.snowflakecomputing.com`;
}

class SnowflakeConnector implements WarehouseConnector {
  readonly #settings: SnowflakeSettings;
  readonly #client: SnowflakeClient;
  /** Whether ACCESS_HISTORY can be read; unknown until the first history read or check. */
  #accessHistory: boolean | undefined;

  constructor(context: ConnectorContext<SnowflakeSettings, SnowflakeCredentials>) {
    const settings = context.settings;
    this.#settings = settings;
    this.#client = new SnowflakeClient({
      baseUrl: snowflakeBaseUrl(settings),
      account: settings.account,
      user: settings.user,
      warehouse: settings.warehouse,
      role: settings.role,
      credentials: context.credentials,
      timeoutMs: context.timeoutMs,
      signal: context.signal,
      pollIntervalMs: settings.pollIntervalMs ?? 250,
      maxPollIntervalMs: settings.maxPollIntervalMs ?? 5_000,
      statementTimeoutSeconds: settings.statementTimeoutSeconds ?? 3_600,
    });
  }

  async check(): Promise<ConnectionCheck> {
    const checks: ConnectionCheckItem[] = [];
    const finish = (): ConnectionCheck => ({ ok: checks.every((check) => check.ok), checks });
    let context: SnowflakeRow | undefined;
    try {
      context = (await this.#rows(CONTEXT_STATEMENT))[0];
      checks.push({ name: 'reach', ok: true });
    } catch (error) {
      checks.push(failedCheck('reach', error));
      return finish();
    }
    const warehouse = context?.WAREHOUSE_NAME;
    checks.push(
      typeof warehouse === 'string' && warehouse !== ''
        ? { name: 'warehouse-usage', ok: true }
        : {
            name: 'warehouse-usage',
            ok: false,
            message: `Role ${this.#settings.role} cannot use warehouse ${this.#settings.warehouse} (CURRENT_WAREHOUSE() is NULL): it does not exist or the role lacks USAGE on it.`,
            fix: this.#warehouseGrant(),
          },
    );
    try {
      await this.#rows(SHOW_DATABASES_STATEMENT);
      checks.push({ name: 'schema-read', ok: true });
    } catch (error) {
      checks.push(failedCheck('schema-read', this.#explain(error)));
    }
    try {
      await this.#rows(QUERY_HISTORY_PROBE);
      checks.push({ name: 'history-read', ok: true });
    } catch (error) {
      checks.push(failedCheck('history-read', this.#explain(error)));
    }
    try {
      await this.#rows(ACCESS_HISTORY_PROBE);
      this.#accessHistory = true;
      checks.push({ name: 'engine-lineage', ok: true });
    } catch (error) {
      if (!isMissingAccessHistory(error)) {
        checks.push(failedCheck('engine-lineage', this.#explain(error)));
      } else {
        this.#accessHistory = false;
        // Optional: without it lineage comes from parsing the SQL text, so the connection still works.
        checks.push({
          name: 'engine-lineage',
          ok: true,
          message:
            'SNOWFLAKE.ACCOUNT_USAGE.ACCESS_HISTORY is not available (Standard edition, or no access to it): lineage will be parsed from the SQL text.',
        });
      }
    }
    return finish();
  }

  async *crawl(filter: NameFilter): AsyncIterable<CrawledTable> {
    const databases = mapDatabaseNames(await this.#rows(SHOW_DATABASES_STATEMENT), this.#settings.databases);
    for (const database of databases) {
      if (!filter.accepts(database)) continue;
      try {
        const [tables, columns, views] = [
          await this.#rows(tablesStatement(database)),
          await this.#rows(columnsStatement(database)),
          await this.#rows(viewsStatement(database)),
        ];
        const accepted = (row: SnowflakeRow): boolean => filter.accepts(database, String(row.TABLE_SCHEMA));
        yield* mapTables(database, tables.filter(accepted), columns.filter(accepted), views.filter(accepted));
      } catch (error) {
        throw this.#explain(error, database);
      }
    }
  }

  async *readHistory(window: HistoryWindow): AsyncIterable<HistoryRecord> {
    const withAccessHistory = this.#accessHistory !== false;
    let produced = false;
    try {
      for await (const record of this.#history(window, withAccessHistory)) {
        produced = true;
        yield record;
      }
    } catch (error) {
      if (!withAccessHistory || produced || !isMissingAccessHistory(error)) throw this.#explain(error);
      this.#accessHistory = false;
      try {
        yield* this.#history(window, false);
      } catch (retryError) {
        throw this.#explain(retryError);
      }
    }
  }

  async close(): Promise<void> {
    await this.#client.close();
  }

  async *#history(window: HistoryWindow, withAccessHistory: boolean): AsyncIterable<HistoryRecord> {
    const statement = historyStatement({ ...window, withAccessHistory });
    for await (const page of this.#client.execute(statement)) {
      for (const row of decodeRows(page)) {
        const record = mapHistoryRow(row);
        if (record) yield record;
      }
    }
    if (withAccessHistory) this.#accessHistory = true;
  }

  async #rows(statement: SnowflakeStatement): Promise<SnowflakeRow[]> {
    const rows: SnowflakeRow[] = [];
    for await (const page of this.#client.execute(statement)) rows.push(...decodeRows(page));
    return rows;
  }

  #warehouseGrant(): string {
    return `GRANT USAGE ON WAREHOUSE ${this.#settings.warehouse} TO ROLE ${this.#settings.role}`;
  }

  /** Turns the SQL errors that mean a missing grant into `permission` errors that name the grant. */
  #explain(error: unknown, database?: string): unknown {
    if (!(error instanceof SnowflakeStatementError)) return error;
    const role = this.#settings.role;
    if (error.code === '000606') {
      return new WarehouseError(
        'permission',
        `Role ${role} cannot run statements on warehouse ${this.#settings.warehouse}: it does not exist, is suspended without auto-resume, or the role lacks USAGE on it.`,
        this.#warehouseGrant(),
      );
    }
    if (error.code === '002003' && /'SNOWFLAKE'|SNOWFLAKE\.ACCOUNT_USAGE/i.test(error.message)) {
      return new WarehouseError(
        'permission',
        `Role ${role} cannot read SNOWFLAKE.ACCOUNT_USAGE (query history): ${error.message}`,
        `GRANT IMPORTED PRIVILEGES ON DATABASE SNOWFLAKE TO ROLE ${role}`,
      );
    }
    if (error.code === '002003' && database !== undefined) {
      return new WarehouseError(
        'permission',
        `Role ${role} cannot read the INFORMATION_SCHEMA of database ${database}: ${error.message}`,
        `GRANT USAGE ON DATABASE ${database} TO ROLE ${role}; GRANT USAGE ON ALL SCHEMAS IN DATABASE ${database} TO ROLE ${role}; GRANT REFERENCES ON ALL TABLES IN DATABASE ${database} TO ROLE ${role}`,
      );
    }
    return error;
  }
}

function isMissingAccessHistory(error: unknown): boolean {
  return (
    error instanceof SnowflakeStatementError &&
    /ACCESS_HISTORY/i.test(error.message) &&
    /does not exist|not authorized|Enterprise/i.test(error.message)
  );
}

function failedCheck(name: string, error: unknown): ConnectionCheckItem {
  if (error instanceof WarehouseError) {
    return { name, ok: false, message: error.message, ...(error.fix ? { fix: error.fix } : {}) };
  }
  throw error;
}
