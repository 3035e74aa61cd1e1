import { Secret } from '@cartograph/platform/secrets';
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
import { AthenaApi } from './athena.client.js';
import {
  ATHENA_DEFAULT_CATALOG,
  athenaHistoryRecord,
  athenaTable,
  inAscendingOrder,
} from './athena.mapper.js';

// Athena through its API: the catalog (databases, tables, columns, comments, statistics) from the data catalog
// calls, history from the workgroup's query executions (about 45 days are kept). Nothing runs a query, so
// reading costs no scanned bytes.

const AWS_REGION = /^[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d$/;

export const athenaSettingsSchema = z.object({
  region: z
    .string({ error: 'region is required (the AWS region of the workgroup, e.g. us-east-1)' })
    .trim()
    .regex(AWS_REGION, 'region must be an AWS region such as us-east-1'),
  workGroup: z.string().trim().min(1, 'workGroup must not be empty').default('primary'),
  catalog: z.string().trim().min(1, 'catalog must not be empty').default(ATHENA_DEFAULT_CATALOG),
  outputLocation: z
    .string()
    .trim()
    .regex(/^s3:\/\/[^/]+/, 'outputLocation must be an S3 URL such as s3://bucket/athena-results/')
    .optional()
    .describe(
      'Query result location, for workgroups without one; reading the catalog and history needs none',
    ),
  accountId: z
    .string()
    .trim()
    .regex(/^\d{12}$/, 'accountId must be the 12-digit AWS account id')
    .optional()
    .describe('Tells apart two accounts in one region in dataset ids'),
  endpoint: z.url('endpoint must be a URL such as https://athena.us-east-1.amazonaws.com').optional(),
  maxAttempts: z.int().min(1, 'maxAttempts must be at least 1').max(10).default(4),
});

export type AthenaSettings = z.output<typeof athenaSettingsSchema>;

export const athenaCredentialsSchema = z
  .object({
    accessKeyId: z
      .string()
      .trim()
      .min(16, 'accessKeyId must be an AWS access key id (AKIA… or ASIA…)')
      .optional(),
    secretAccessKey: z.string().min(1, 'secretAccessKey must not be empty').optional(),
    sessionToken: z.string().min(1, 'sessionToken must not be empty').optional(),
  })
  .superRefine((credentials, context) => {
    if ((credentials.accessKeyId === undefined) !== (credentials.secretAccessKey === undefined)) {
      context.addIssue({
        code: 'custom',
        path: [credentials.accessKeyId === undefined ? 'accessKeyId' : 'secretAccessKey'],
        message:
          'accessKeyId and secretAccessKey go together (leave both out to use the server’s AWS identity)',
      });
    }
    if (credentials.sessionToken !== undefined && credentials.accessKeyId === undefined) {
      context.addIssue({ code: 'custom', path: ['sessionToken'], message: 'sessionToken needs accessKeyId' });
    }
  });

export type AthenaCredentials = z.output<typeof athenaCredentialsSchema>;

/**
 * The instance of dataset ids: the region (ids then read `athena.<region>.amazonaws.com`), prefixed with the
 * account id when the setting is given. The catalog is not part of it: it is already the first name part.
 */
export function athenaInstance(settings: AthenaSettings): string {
  return settings.accountId ? `${settings.accountId}.${settings.region}` : settings.region;
}

export const athenaConnectorDefinition: WarehouseConnectorDefinition<AthenaSettings, AthenaCredentials> = {
  platform: 'athena',
  settingsSchema: athenaSettingsSchema,
  credentialsSchema: athenaCredentialsSchema,
  instanceOf: athenaInstance,
  create: (context) => new AthenaConnector(context),
};

export class AthenaConnector implements WarehouseConnector {
  readonly #api: AthenaApi;
  readonly #settings: AthenaSettings;

  constructor(context: ConnectorContext<AthenaSettings, AthenaCredentials>) {
    const { settings, credentials } = context;
    this.#settings = settings;
    this.#api = new AthenaApi({
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
      workGroup: settings.workGroup,
      maxAttempts: settings.maxAttempts,
      requestTimeoutMs: context.timeoutMs,
      signal: context.signal,
    });
  }

  async check(): Promise<ConnectionCheck> {
    const { workGroup, catalog } = this.#settings;
    const reach = await step('reach', async () => {
      const found = await this.#api.getWorkGroup();
      if (found?.State === 'DISABLED') {
        throw new WarehouseError(
          'invalid',
          `Athena workgroup ${workGroup} is disabled`,
          `Enable workgroup ${workGroup} or choose another one`,
        );
      }
    });
    if (!reach.ok) {
      const skipped = 'not checked: the workgroup could not be read';
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
        async () => {
          for await (const database of this.#api.databases(catalog, 1)) {
            for await (const table of this.#api.tables(catalog, database.Name ?? '')) {
              void table;
              break;
            }
            break;
          }
        },
        'Allow athena:ListDatabases and athena:ListTableMetadata, plus glue:GetDatabases and glue:GetTables on the ' +
          `catalog ${catalog}, to the IAM identity`,
      ),
      await step(
        'history-read',
        async () => {
          const { ids } = await this.#api.queryExecutionIds(undefined, 1);
          if (ids.length > 0) await this.#api.queryExecutions(ids);
        },
        `Allow athena:ListQueryExecutions and athena:BatchGetQueryExecution on workgroup ${workGroup} to the IAM identity`,
      ),
    ];
    return { ok: checks.every((check) => check.ok), checks };
  }

  async *crawl(filter: NameFilter): AsyncIterable<CrawledTable> {
    const { catalog } = this.#settings;
    for await (const database of this.#api.databases(catalog)) {
      const name = database.Name ?? '';
      if (!filter.accepts(catalog, name)) continue;
      for await (const table of this.#api.tables(catalog, name)) yield athenaTable(catalog, name, table);
    }
  }

  /**
   * Walks the workgroup's executions newest first until a page is entirely older than `since`, then yields the
   * window in ascending order, so the whole window is held in memory (at most what Athena keeps: ~45 days).
   */
  async *readHistory(window: HistoryWindow): AsyncIterable<HistoryRecord> {
    const records = new Map<string, HistoryRecord>();
    let nextToken: string | undefined;
    do {
      const page = await this.#api.queryExecutionIds(nextToken);
      if (page.ids.length === 0) break;
      const { executions, unprocessed } = await this.#api.queryExecutions(page.ids);
      // Ids the API could not look up this time get one more try; ones it does not know are gone for good.
      if (unprocessed.length > 0)
        executions.push(...(await this.#api.queryExecutions(unprocessed)).executions);
      let newest: Date | undefined;
      for (const execution of executions) {
        const submitted = execution.Status?.SubmissionDateTime;
        if (submitted && (!newest || submitted > newest)) newest = submitted;
        const record = athenaHistoryRecord(execution, window);
        if (record) records.set(record.queryId, record);
      }
      if (!newest || newest < window.since) break;
      nextToken = page.nextToken;
    } while (nextToken);
    const ordered = inAscendingOrder(records.values());
    yield* window.limit === undefined ? ordered : ordered.slice(0, window.limit);
  }

  async close(): Promise<void> {
    this.#api.close();
  }
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
