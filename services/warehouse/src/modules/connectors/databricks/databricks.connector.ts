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
import {
  DatabricksClient,
  DatabricksStatementError,
  type DatabricksCredentials,
} from './databricks.client.js';
import {
  CATALOGS_STATEMENT,
  columnsStatement,
  CONTEXT_STATEMENT,
  decodeRows,
  historyStatement,
  mapCatalogNames,
  mapHistoryRow,
  mapTables,
  QUERY_HISTORY_PROBE,
  TABLE_LINEAGE_PROBE,
  TABLES_PROBE,
  tablesStatement,
  viewsStatement,
  type DatabricksRow,
  type DatabricksStatement,
} from './databricks.mapper.js';

// Databricks (Unity Catalog): schemas from system.information_schema, history from system.query.history with
// the engine's lineage from system.access.table_lineage joined by statement id. When table_lineage cannot be
// read (the `access` system schema not enabled, or no SELECT on it) history is read without it; the connector
// finds that out once and remembers it. Everything runs on one SQL warehouse through the Statement API.

export const databricksSettingsSchema = z.object({
  /** Workspace host, e.g. `adb-1234567890123456.7.azuredatabricks.net` or `dbc-a1b2c3d4-e5f6.cloud.databricks.com`. */
  host: z
    .string({ error: 'host is required: the workspace host, e.g. dbc-a1b2c3d4-e5f6.cloud.databricks.com' })
    .trim()
    .transform((value) => value.replace(/^https?:\/\//i, '').replace(/\/+$/, ''))
    .pipe(
      z.string().regex(/^[A-Za-z0-9.-]+(?::\d+)?$/, {
        error: 'host must be the workspace host name, e.g. dbc-a1b2c3d4-e5f6.cloud.databricks.com',
      }),
    ),
  warehouseId: z
    .string({ error: 'warehouseId is required: the id of the SQL warehouse that runs our queries' })
    .trim()
    .regex(/^[A-Za-z0-9]+$/, {
      error: 'warehouseId must be the SQL warehouse id (letters and digits), e.g. 1234567890abcdef',
    }),
  /** Catalogs to crawl; default every catalog the principal can see except `system`. */
  catalogs: z.array(z.string().trim().min(1, { error: 'catalogs must not contain empty names' })).optional(),
  /** Default `https://<host>`. */
  baseUrl: z.url({ error: 'baseUrl must be an http(s) URL' }).optional(),
  pollIntervalMs: z.number().int().min(1).max(60_000).optional(),
  maxPollIntervalMs: z.number().int().min(1).max(300_000).optional(),
  /** How long a submit waits for the result: 0, or 5–50 seconds. Default 10. */
  waitTimeoutSeconds: z
    .number()
    .int()
    .refine((value) => value === 0 || (value >= 5 && value <= 50), {
      error: 'waitTimeoutSeconds must be 0 or between 5 and 50',
    })
    .optional(),
});

export type DatabricksSettings = z.output<typeof databricksSettingsSchema>;

export const databricksCredentialsSchema: z.ZodType<DatabricksCredentials> = z.discriminatedUnion(
  'type',
  [
    z.object({
      type: z.literal('personal-access-token'),
      token: z.string({ error: 'token is required' }).trim().min(1, { error: 'token must not be empty' }),
    }),
    z.object({
      type: z.literal('oauth-m2m'),
      clientId: z
        .string({ error: 'clientId is required: the service principal application id' })
        .trim()
        .min(1),
      clientSecret: z
        .string({ error: 'clientSecret is required: an OAuth secret of the service principal' })
        .min(1),
    }),
  ],
  { error: 'credentials.type must be personal-access-token or oauth-m2m' },
);

export const databricksConnectorDefinition: WarehouseConnectorDefinition<
  DatabricksSettings,
  DatabricksCredentials
> = {
  platform: 'databricks',
  settingsSchema: databricksSettingsSchema as z.ZodType<DatabricksSettings>,
  credentialsSchema: databricksCredentialsSchema,
  instanceOf: (settings) => normalizeInstance('databricks', settings.host),
  create: (context) => new DatabricksConnector(context),
};

class DatabricksConnector implements WarehouseConnector {
  readonly #settings: DatabricksSettings;
  readonly #client: DatabricksClient;
  #principal = 'the principal';
  /** Whether system.access.table_lineage can be read; unknown until the first history read or check. */
  #lineage: boolean | undefined;

  constructor(context: ConnectorContext<DatabricksSettings, DatabricksCredentials>) {
    const settings = context.settings;
    this.#settings = settings;
    if (context.credentials.type === 'oauth-m2m') this.#principal = context.credentials.clientId;
    this.#client = new DatabricksClient({
      baseUrl: settings.baseUrl ?? `https://${settings.host}`,
      warehouseId: settings.warehouseId,
      credentials: context.credentials,
      timeoutMs: context.timeoutMs,
      signal: context.signal,
      pollIntervalMs: settings.pollIntervalMs ?? 250,
      maxPollIntervalMs: settings.maxPollIntervalMs ?? 5_000,
      waitTimeoutSeconds: settings.waitTimeoutSeconds ?? 10,
    });
  }

  async check(): Promise<ConnectionCheck> {
    const checks: ConnectionCheckItem[] = [];
    try {
      const [context] = await this.#rows(CONTEXT_STATEMENT);
      if (typeof context?.principal === 'string') this.#principal = context.principal;
      checks.push({ name: 'reach', ok: true });
    } catch (error) {
      checks.push(failedCheck('reach', error));
      return { ok: false, checks };
    }
    for (const [name, probe] of [
      ['schema-read', TABLES_PROBE],
      ['history-read', QUERY_HISTORY_PROBE],
    ] as const) {
      try {
        await this.#rows(probe);
        checks.push({ name, ok: true });
      } catch (error) {
        checks.push(failedCheck(name, this.#explain(error)));
      }
    }
    try {
      await this.#rows(TABLE_LINEAGE_PROBE);
      this.#lineage = true;
      checks.push({ name: 'engine-lineage', ok: true });
    } catch (error) {
      if (!(error instanceof DatabricksStatementError)) {
        checks.push(failedCheck('engine-lineage', error));
        return { ok: false, checks };
      }
      this.#lineage = false;
      // Optional: without it lineage is parsed from the statement text.
      checks.push({
        name: 'engine-lineage',
        ok: true,
        message: `system.access.table_lineage cannot be read, so lineage will be parsed from the SQL text: ${error.message}`,
        fix: this.#grant('access', 'table_lineage'),
      });
    }
    return { ok: checks.every((check) => check.ok), checks };
  }

  async *crawl(filter: NameFilter): AsyncIterable<CrawledTable> {
    let catalogs: string[];
    try {
      catalogs = mapCatalogNames(await this.#rows(CATALOGS_STATEMENT), this.#settings.catalogs);
    } catch (error) {
      throw this.#explain(error);
    }
    for (const catalog of catalogs) {
      if (!filter.accepts(catalog)) continue;
      try {
        const tables = await this.#rows(tablesStatement(catalog));
        const columns = await this.#rows(columnsStatement(catalog));
        const views = await this.#rows(viewsStatement(catalog));
        const accepted = (row: DatabricksRow): boolean => filter.accepts(catalog, String(row.table_schema));
        yield* mapTables(catalog, tables.filter(accepted), columns.filter(accepted), views.filter(accepted));
      } catch (error) {
        throw this.#explain(error);
      }
    }
  }

  async *readHistory(window: HistoryWindow): AsyncIterable<HistoryRecord> {
    const withLineage = this.#lineage !== false;
    let produced = false;
    try {
      for await (const record of this.#history(window, withLineage)) {
        produced = true;
        yield record;
      }
    } catch (error) {
      if (!withLineage || produced || !isLineageUnavailable(error)) throw this.#explain(error);
      this.#lineage = false;
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

  async *#history(window: HistoryWindow, withLineage: boolean): AsyncIterable<HistoryRecord> {
    for await (const page of this.#client.execute(historyStatement({ ...window, withLineage }))) {
      for (const row of decodeRows(page)) {
        const record = mapHistoryRow(row);
        if (record) yield record;
      }
    }
    if (withLineage) this.#lineage = true;
  }

  async #rows(statement: DatabricksStatement): Promise<DatabricksRow[]> {
    const rows: DatabricksRow[] = [];
    for await (const page of this.#client.execute(statement)) rows.push(...decodeRows(page));
    return rows;
  }

  #grant(schema: string, table: string): string {
    const principal = `\`${this.#principal}\``;
    return `GRANT USE CATALOG ON CATALOG system TO ${principal}; GRANT USE SCHEMA ON SCHEMA system.${schema} TO ${principal}; GRANT SELECT ON TABLE system.${schema}.${table} TO ${principal}`;
  }

  /** Turns statement failures that mean a missing grant or a disabled system schema into `permission` errors. */
  #explain(error: unknown): unknown {
    if (!(error instanceof DatabricksStatementError)) return error;
    const table = /system`?\.`?(\w+)`?\.`?(\w+)/i.exec(error.message);
    if (!table) return error;
    const [schema, name] = [table[1]!.toLowerCase(), table[2]!.toLowerCase()];
    if (/TABLE_OR_VIEW_NOT_FOUND/.test(error.message) && schema !== 'information_schema') {
      return new WarehouseError(
        'permission',
        `system.${schema}.${name} does not exist in this workspace: the \`${schema}\` system schema is not enabled, or ${this.#principal} cannot see it. ${error.message}`,
        `A metastore admin enables it (databricks system-schemas enable <metastore-id> ${schema}), then: ${this.#grant(schema, name)}`,
      );
    }
    if (/INSUFFICIENT_PERMISSIONS|PERMISSION_DENIED/i.test(error.message)) {
      return new WarehouseError(
        'permission',
        `${this.#principal} cannot read system.${schema}.${name}: ${error.message}`,
        this.#grant(schema, name),
      );
    }
    return error;
  }
}

function isLineageUnavailable(error: unknown): boolean {
  return error instanceof DatabricksStatementError && /table_lineage/i.test(error.message);
}

function failedCheck(name: string, error: unknown): ConnectionCheckItem {
  if (error instanceof WarehouseError)
    return { name, ok: false, message: error.message, ...(error.fix ? { fix: error.fix } : {}) };
  throw error;
}
