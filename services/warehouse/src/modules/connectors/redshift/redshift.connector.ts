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
import { RedshiftDataApi, type RedshiftRow } from './redshift.client.js';
import {
  formatRedshiftTimestamp,
  reassembleRedshiftText,
  redshiftHistoryRecord,
  redshiftTable,
  redshiftTableKey,
  REDSHIFT_QUERY_TEXT_CHUNK,
  type QueryTextChunk,
} from './redshift.mapper.js';

// Redshift through the Data API (no network path to the cluster needed, IAM instead of passwords). Crawl reads
// SVV_ALL_TABLES/SVV_ALL_COLUMNS (their `remarks` are the table and column comments), SVV_TABLE_INFO for rows
// and sizes and PG_VIEWS for view SQL; history reads SYS_QUERY_HISTORY (provisioned and serverless) with the
// full text reassembled from SYS_QUERY_TEXT.

const AWS_REGION = /^[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d$/;

export const redshiftSettingsSchema = z
  .object({
    region: z
      .string({ error: 'region is required (the AWS region of the cluster, e.g. us-east-1)' })
      .trim()
      .regex(AWS_REGION, 'region must be an AWS region such as us-east-1'),
    clusterIdentifier: z
      .string()
      .trim()
      .min(1, 'clusterIdentifier must not be empty')
      .optional()
      .describe('Provisioned cluster identifier; give it or workgroupName'),
    workgroupName: z
      .string()
      .trim()
      .min(1, 'workgroupName must not be empty')
      .optional()
      .describe('Redshift Serverless workgroup; give it or clusterIdentifier'),
    database: z
      .string({ error: 'database is required (the database the Data API connects to, e.g. dev)' })
      .trim()
      .min(1, 'database is required (the database the Data API connects to, e.g. dev)'),
    dbUser: z
      .string()
      .trim()
      .min(1, 'dbUser must not be empty')
      .optional()
      .describe('Database user for temporary credentials (provisioned clusters without secretArn)'),
    host: z
      .string()
      .trim()
      .min(1, 'host must not be empty')
      .optional()
      .describe('Endpoint host dbt and BI tools use; becomes the instance of dataset ids'),
    accountId: z
      .string()
      .trim()
      .regex(/^\d{12}$/, 'accountId must be the 12-digit AWS account id')
      .optional(),
    endpoint: z
      .url('endpoint must be a URL such as https://redshift-data.us-east-1.amazonaws.com')
      .optional(),
    maxAttempts: z.int().min(1, 'maxAttempts must be at least 1').max(10).default(4),
    pollIntervalMs: z.int().min(1).max(60_000).default(250),
    maxPollIntervalMs: z.int().min(1).max(300_000).default(5_000),
    statementTimeoutMs: z.int().min(1_000).default(600_000),
    historyPageSize: z.int().min(1).max(100_000).default(1_000),
  })
  .superRefine((settings, context) => {
    if ((settings.clusterIdentifier === undefined) === (settings.workgroupName === undefined)) {
      context.addIssue({
        code: 'custom',
        path: ['clusterIdentifier'],
        message: 'give exactly one of clusterIdentifier (provisioned) or workgroupName (serverless)',
      });
    }
    if (settings.workgroupName !== undefined && settings.dbUser !== undefined) {
      context.addIssue({
        code: 'custom',
        path: ['dbUser'],
        message:
          'dbUser works only with a provisioned cluster; serverless uses your IAM identity or secretArn',
      });
    }
  });

export type RedshiftSettings = z.output<typeof redshiftSettingsSchema>;

export const redshiftCredentialsSchema = z
  .object({
    accessKeyId: z
      .string()
      .trim()
      .min(16, 'accessKeyId must be an AWS access key id (AKIA… or ASIA…)')
      .optional(),
    secretAccessKey: z.string().min(1, 'secretAccessKey must not be empty').optional(),
    sessionToken: z.string().min(1, 'sessionToken must not be empty').optional(),
    secretArn: z
      .string()
      .trim()
      .regex(/^arn:aws[a-z-]*:secretsmanager:/, 'secretArn must be a Secrets Manager secret ARN')
      .optional(),
  })
  .superRefine((credentials, context) => {
    if ((credentials.accessKeyId === undefined) !== (credentials.secretAccessKey === undefined)) {
      context.addIssue({
        code: 'custom',
        path: [credentials.accessKeyId === undefined ? 'accessKeyId' : 'secretAccessKey'],
        message: 'accessKeyId and secretAccessKey go together',
      });
    }
    if (credentials.sessionToken !== undefined && credentials.accessKeyId === undefined) {
      context.addIssue({ code: 'custom', path: ['sessionToken'], message: 'sessionToken needs accessKeyId' });
    }
    if (credentials.accessKeyId === undefined && credentials.secretArn === undefined) {
      context.addIssue({
        code: 'custom',
        path: ['accessKeyId'],
        message:
          'give AWS access keys, or a secretArn (the AWS identity then comes from the server environment)',
      });
    }
  });

export type RedshiftCredentials = z.output<typeof redshiftCredentialsSchema>;

const EXCLUDED_SCHEMAS = `schema_name NOT IN ('pg_catalog', 'information_schema', 'pg_internal', 'pg_automv')
  AND schema_name NOT LIKE 'pg_temp%'`;

const TABLES_SQL = `SELECT database_name, schema_name, table_name, table_type, remarks
FROM svv_all_tables
WHERE ${EXCLUDED_SCHEMAS}
ORDER BY database_name, schema_name, table_name`;

const COLUMNS_SQL = `SELECT database_name, schema_name, table_name, column_name, ordinal_position, is_nullable,
  data_type, character_maximum_length, numeric_precision, numeric_scale, remarks
FROM svv_all_columns
WHERE ${EXCLUDED_SCHEMAS}
ORDER BY database_name, schema_name, table_name, ordinal_position`;

// Both cover only the connected database; SVV_TABLE_INFO shows only tables the user may read.
const TABLE_INFO_SQL = `SELECT "database", "schema", "table", tbl_rows, size FROM svv_table_info`;
const VIEWS_SQL = `SELECT schemaname, viewname, definition FROM pg_views
WHERE schemaname NOT IN ('pg_catalog', 'information_schema')`;

const USERS_SQL = `SELECT usesysid, usename FROM pg_user`;

function historySql(pageSize: number, afterKey: boolean): string {
  const keyset = afterKey
    ? `\n  AND (start_time > CAST(:after_time AS TIMESTAMP)
    OR (start_time = CAST(:after_time AS TIMESTAMP) AND query_id > CAST(:after_id AS BIGINT)))`
    : '';
  return `SELECT query_id, user_id, session_id, transaction_id, database_name, query_type, query_label, status,
  start_time, end_time, elapsed_time, returned_rows, query_text
FROM sys_query_history
WHERE status = 'success'
  AND start_time >= CAST(:since AS TIMESTAMP)
  AND start_time < CAST(:until AS TIMESTAMP)
  AND query_text NOT LIKE :own_marker${keyset}
ORDER BY start_time, query_id
LIMIT ${pageSize}`;
}

/** Query ids per SYS_QUERY_TEXT statement, each one a bound parameter. */
const TEXT_BATCH_SIZE = 100;

function queryTextSql(count: number): string {
  const placeholders = Array.from({ length: count }, (_, index) => `:q${index}`).join(', ');
  return `SELECT query_id, sequence, text FROM sys_query_text
WHERE query_id IN (${placeholders})
ORDER BY query_id, sequence`;
}

const MONITOR_ROLES = new Set(['sys:monitor', 'sys:operator', 'sys:superuser']);

/**
 * The instance of dataset ids: the `host` setting when given (the endpoint dbt profiles use); for serverless
 * with `accountId`, the endpoint host `<workgroup>.<account>.<region>.redshift-serverless.amazonaws.com`;
 * otherwise `<cluster or workgroup>.<region>`, stable for the connection but not a host dbt knows.
 */
export function redshiftInstance(settings: RedshiftSettings): string {
  if (settings.host) return settings.host.toLowerCase();
  if (settings.workgroupName && settings.accountId) {
    return `${settings.workgroupName}.${settings.accountId}.${settings.region}.redshift-serverless.amazonaws.com`.toLowerCase();
  }
  return `${settings.clusterIdentifier ?? settings.workgroupName}.${settings.region}`.toLowerCase();
}

export const redshiftConnectorDefinition: WarehouseConnectorDefinition<
  RedshiftSettings,
  RedshiftCredentials
> = {
  platform: 'redshift',
  settingsSchema: redshiftSettingsSchema,
  credentialsSchema: redshiftCredentialsSchema,
  instanceOf: redshiftInstance,
  create: (context) => new RedshiftConnector(context),
};

export class RedshiftConnector implements WarehouseConnector {
  readonly #api: RedshiftDataApi;
  readonly #settings: RedshiftSettings;

  constructor(context: ConnectorContext<RedshiftSettings, RedshiftCredentials>) {
    const { settings, credentials } = context;
    this.#settings = settings;
    if (settings.clusterIdentifier && !settings.dbUser && !credentials.secretArn) {
      throw new WarehouseError(
        'invalid',
        `Redshift cluster ${settings.clusterIdentifier} needs a dbUser setting or a secretArn credential to log in`,
      );
    }
    this.#api = new RedshiftDataApi({
      region: settings.region,
      endpoint: settings.endpoint,
      credentials:
        credentials.accessKeyId && credentials.secretAccessKey
          ? {
              accessKeyId: credentials.accessKeyId,
              secretAccessKey: new Secret(credentials.secretAccessKey),
              sessionToken: credentials.sessionToken ? new Secret(credentials.sessionToken) : undefined,
            }
          : undefined,
      target: {
        clusterIdentifier: settings.clusterIdentifier,
        workgroupName: settings.workgroupName,
        database: settings.database,
        dbUser: settings.dbUser,
        secretArn: credentials.secretArn,
      },
      maxAttempts: settings.maxAttempts,
      requestTimeoutMs: context.timeoutMs,
      pollIntervalMs: settings.pollIntervalMs,
      maxPollIntervalMs: settings.maxPollIntervalMs,
      statementTimeoutMs: settings.statementTimeoutMs,
      signal: context.signal,
    });
  }

  async check(): Promise<ConnectionCheck> {
    const checks: ConnectionCheckItem[] = [];
    const reach = await this.#checkStep('reach', () => this.#api.queryAll('SELECT 1'));
    checks.push(reach);
    if (!reach.ok) {
      const skipped = 'not checked: the Data API could not run a statement';
      checks.push({ name: 'schema-read', ok: false, message: skipped });
      checks.push({ name: 'history-read', ok: false, message: skipped });
      return { ok: false, checks };
    }
    checks.push(
      await this.#checkStep('schema-read', () =>
        this.#api.queryAll(`SELECT table_name FROM svv_all_tables LIMIT 1`),
      ),
    );
    checks.push(await this.#checkHistory());
    return { ok: checks.every((check) => check.ok), checks };
  }

  async #checkHistory(): Promise<ConnectionCheckItem> {
    const read = await this.#checkStep('history-read', () =>
      this.#api.queryAll(`SELECT query_id FROM sys_query_history LIMIT 1`),
    );
    if (!read.ok) return read;
    // SYS views never refuse a SELECT: without superuser or a monitoring role they quietly show only the
    // user's own statements, which would make lineage look empty.
    try {
      const [user] = await this.#api.queryAll(
        `SELECT usename, usesuper FROM pg_user WHERE usename = current_user`,
      );
      const roles = await this.#api.queryAll(
        `SELECT role_name FROM svv_user_grants WHERE user_name = current_user`,
      );
      const userName = String(user?.usename ?? this.#settings.dbUser ?? '<user>');
      const seesAll =
        user?.usesuper === true || roles.some((row) => MONITOR_ROLES.has(String(row.role_name)));
      if (seesAll) return { name: 'history-read', ok: true };
      return {
        name: 'history-read',
        ok: false,
        message: `user ${userName} can read SYS_QUERY_HISTORY but sees only its own statements (${this.#api.location})`,
        fix: `GRANT ROLE sys:monitor TO "${userName}"`,
      };
    } catch (error) {
      return failedCheck('history-read', error);
    }
  }

  async #checkStep(name: string, run: () => Promise<unknown>): Promise<ConnectionCheckItem> {
    try {
      await run();
      return { name, ok: true };
    } catch (error) {
      return failedCheck(name, error);
    }
  }

  async *crawl(filter: NameFilter): AsyncIterable<CrawledTable> {
    const tables = new Map<string, RedshiftRow>();
    for await (const row of this.#api.query(TABLES_SQL)) {
      if (filter.accepts(String(row.database_name), String(row.schema_name))) {
        tables.set(redshiftTableKey(row.database_name, row.schema_name, row.table_name), row);
      }
    }
    if (tables.size === 0) return;
    const infos = await this.#tableInfos();
    const views = new Map<string, string>();
    for await (const row of this.#api.query(VIEWS_SQL)) {
      views.set(
        redshiftTableKey(this.#settings.database, row.schemaname, row.viewname),
        String(row.definition ?? ''),
      );
    }
    const build = (key: string, columns: RedshiftRow[]): CrawledTable =>
      redshiftTable(tables.get(key)!, columns, {
        info: infos.get(key),
        viewDefinition: views.get(key) ?? null,
      });

    // Columns arrive ordered by table, so each table is complete when the next one starts.
    let currentKey: string | undefined;
    let columns: RedshiftRow[] = [];
    for await (const row of this.#api.query(COLUMNS_SQL)) {
      const key = redshiftTableKey(row.database_name, row.schema_name, row.table_name);
      if (key !== currentKey) {
        if (currentKey !== undefined && tables.has(currentKey)) {
          yield build(currentKey, columns);
          tables.delete(currentKey);
        }
        currentKey = key;
        columns = [];
      }
      if (tables.has(key)) columns.push(row);
    }
    if (currentKey !== undefined && tables.has(currentKey)) {
      yield build(currentKey, columns);
      tables.delete(currentKey);
    }
    for (const key of [...tables.keys()]) yield build(key, []);
  }

  async #tableInfos(): Promise<Map<string, RedshiftRow>> {
    const infos = new Map<string, RedshiftRow>();
    try {
      for await (const row of this.#api.query(TABLE_INFO_SQL)) {
        infos.set(redshiftTableKey(row.database, row.schema, row.table), row);
      }
    } catch (error) {
      // Sizes are a nicety; a user who may not read SVV_TABLE_INFO still gets tables and columns.
      if (!(error instanceof WarehouseError && error.kind === 'permission')) throw error;
    }
    return infos;
  }

  async *readHistory(window: HistoryWindow): AsyncIterable<HistoryRecord> {
    const users = await this.#users();
    const pageSize = this.#settings.historyPageSize;
    let remaining = window.limit ?? Number.POSITIVE_INFINITY;
    let after: { time: string; id: string } | undefined;
    while (remaining > 0) {
      const parameters: Record<string, string> = {
        since: formatRedshiftTimestamp(window.since),
        until: formatRedshiftTimestamp(window.until),
        own_marker: `${OWN_QUERY_MARKER}%`,
        ...(after ? { after_time: after.time, after_id: after.id } : {}),
      };
      const rows = await this.#api.queryAll(historySql(pageSize, after !== undefined), parameters);
      const texts = await this.#fullTexts(rows);
      for (const row of rows) {
        const record = redshiftHistoryRecord(row, users, texts.get(String(row.query_id)));
        if (!record) continue;
        yield record;
        remaining -= 1;
        if (remaining <= 0) return;
      }
      if (rows.length < pageSize) return;
      const last = rows[rows.length - 1]!;
      after = { time: String(last.start_time), id: String(last.query_id) };
    }
  }

  async #users(): Promise<Map<number, string>> {
    const users = new Map<number, string>();
    try {
      for await (const row of this.#api.query(USERS_SQL))
        users.set(Number(row.usesysid), String(row.usename));
    } catch (error) {
      // Without names the records carry the numeric user id instead.
      if (!(error instanceof WarehouseError && error.kind === 'permission')) throw error;
    }
    return users;
  }

  /** Full texts of the rows whose 4,000-character query_text may be cut. */
  async #fullTexts(rows: readonly RedshiftRow[]): Promise<Map<string, { text: string; truncated: boolean }>> {
    const long = rows.filter((row) => String(row.query_text ?? '').length >= REDSHIFT_QUERY_TEXT_CHUNK);
    const chunks = new Map<string, QueryTextChunk[]>();
    for (let start = 0; start < long.length; start += TEXT_BATCH_SIZE) {
      const batch = long.slice(start, start + TEXT_BATCH_SIZE);
      const parameters = Object.fromEntries(batch.map((row, index) => [`q${index}`, String(row.query_id)]));
      for await (const row of this.#api.query(queryTextSql(batch.length), parameters)) {
        const id = String(row.query_id);
        const list = chunks.get(id) ?? [];
        list.push({ sequence: Number(row.sequence), text: String(row.text ?? '') });
        chunks.set(id, list);
      }
    }
    return new Map(
      long.map((row) => {
        const id = String(row.query_id);
        return [id, reassembleRedshiftText(String(row.query_text ?? ''), chunks.get(id) ?? [])];
      }),
    );
  }

  async close(): Promise<void> {
    this.#api.close();
  }
}

function failedCheck(name: string, error: unknown): ConnectionCheckItem {
  if (error instanceof WarehouseError) {
    return { name, ok: false, message: error.message, ...(error.fix ? { fix: error.fix } : {}) };
  }
  return { name, ok: false, message: error instanceof Error ? error.message : String(error) };
}
