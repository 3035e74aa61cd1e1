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
import { BigQueryApiError, BigQueryClient, type BigQueryServiceAccountKey } from './bigquery.client.js';
import {
  columnsStatement,
  decodeRows,
  historyStatement,
  jobsProbe,
  mapJobRow,
  mapTables,
  REACH_STATEMENT,
  regionLocation,
  schemataProbe,
  tablesStatement,
  type BigQueryRow,
  type BigQueryStatement,
} from './bigquery.mapper.js';

// BigQuery: schemas from the region-qualified INFORMATION_SCHEMA views (one job per project and region for
// tables and one for columns, instead of a tables.get call per table), history from
// INFORMATION_SCHEMA.JOBS_BY_PROJECT with the engine's referenced_tables / destination_table as lineage.

const projectId = z
  .string({ error: 'a project id is required, e.g. my-analytics-project' })
  .trim()
  .regex(/^(?:[a-z][a-z0-9.-]*:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$/, {
    error:
      'a project id has 6–30 lower-case letters, digits or hyphens (e.g. my-analytics-project), optionally after a domain prefix (example.com:my-project)',
  });

export const bigQuerySettingsSchema = z.object({
  /** The project our query jobs run in and are billed to. */
  projectId,
  /** Projects to crawl and read history from; default `projectId` alone. */
  projects: z
    .array(projectId)
    .min(1, { error: 'projects must name at least one project when given' })
    .optional(),
  regions: z
    .array(
      z
        .string()
        .trim()
        .toLowerCase()
        .regex(/^region-[a-z0-9-]+$/, {
          error: 'each region must look like region-us, region-eu or region-europe-west1',
        }),
      { error: 'regions is required: the dataset locations to read, e.g. ["region-us"]' },
    )
    .min(1, { error: 'regions must name at least one region, e.g. region-us' }),
  /** Default `https://bigquery.googleapis.com/bigquery/v2/`. */
  baseUrl: z
    .url({ error: 'baseUrl must be an http(s) URL such as https://bigquery.googleapis.com/bigquery/v2/' })
    .optional(),
  pollIntervalMs: z.number().int().min(1).max(60_000).optional(),
  maxPollIntervalMs: z.number().int().min(1).max(300_000).optional(),
  /** Rows per result page. Default 10,000. */
  pageSize: z.number().int().min(1).max(100_000).optional(),
  /** How long each jobs.query / getQueryResults call waits for the job server-side. Default 10 s. */
  jobWaitMs: z.number().int().min(0).max(60_000).optional(),
});

export type BigQuerySettings = z.output<typeof bigQuerySettingsSchema>;

const serviceAccountKeySchema = z.object(
  {
    type: z
      .literal('service_account', { error: 'serviceAccountKey.type must be "service_account"' })
      .optional(),
    project_id: z.string().optional(),
    private_key_id: z.string().optional(),
    private_key: z
      .string({ error: 'serviceAccountKey.private_key is required' })
      .refine((value) => value.includes('PRIVATE KEY-----'), {
        error: 'serviceAccountKey.private_key must be a PEM private key',
      }),
    client_email: z.email({ error: 'serviceAccountKey.client_email must be the service account e-mail' }),
    token_uri: z
      .url({ error: 'serviceAccountKey.token_uri must be a URL' })
      .default('https://oauth2.googleapis.com/token'),
  },
  { error: 'serviceAccountKey must be the JSON key file of a service account' },
);

export const bigQueryCredentialsSchema = z.object({
  /** The JSON key file of the service account, as text or parsed. */
  serviceAccountKey: z.preprocess((value) => {
    if (typeof value !== 'string') return value;
    try {
      return JSON.parse(value) as unknown;
    } catch {
      return value;
    }
  }, serviceAccountKeySchema),
});

export interface BigQueryCredentials {
  readonly serviceAccountKey: BigQueryServiceAccountKey;
}

export const bigQueryConnectorDefinition: WarehouseConnectorDefinition<
  BigQuerySettings,
  BigQueryCredentials
> = {
  platform: 'bigquery',
  settingsSchema: bigQuerySettingsSchema,
  credentialsSchema: bigQueryCredentialsSchema as z.ZodType<BigQueryCredentials>,
  // BigQuery ids carry the project as their first part, so the instance is always `default`.
  instanceOf: (settings) => normalizeInstance('bigquery', settings.projectId),
  create: (context) => new BigQueryConnector(context),
};

const DEFAULT_BASE_URL = 'https://bigquery.googleapis.com/bigquery/v2/';
const ROLE_FOR_JOBS = 'roles/bigquery.resourceViewer';

class BigQueryConnector implements WarehouseConnector {
  readonly #settings: BigQuerySettings;
  readonly #client: BigQueryClient;

  constructor(context: ConnectorContext<BigQuerySettings, BigQueryCredentials>) {
    const settings = context.settings;
    this.#settings = settings;
    this.#client = new BigQueryClient({
      baseUrl: settings.baseUrl ?? DEFAULT_BASE_URL,
      projectId: settings.projectId,
      key: context.credentials.serviceAccountKey,
      timeoutMs: context.timeoutMs,
      signal: context.signal,
      pollIntervalMs: settings.pollIntervalMs ?? 250,
      maxPollIntervalMs: settings.maxPollIntervalMs ?? 5_000,
      pageSize: settings.pageSize ?? 10_000,
      jobWaitMs: settings.jobWaitMs ?? 10_000,
    });
  }

  get #projects(): string[] {
    return this.#settings.projects ?? [this.#settings.projectId];
  }

  async check(): Promise<ConnectionCheck> {
    const checks: ConnectionCheckItem[] = [];
    try {
      await this.#rows(REACH_STATEMENT, regionLocation(this.#settings.regions[0]!));
      checks.push({ name: 'reach', ok: true });
    } catch (error) {
      checks.push(failedCheck('reach', this.#explain(error, 'run query jobs', this.#settings.projectId)));
      return { ok: false, checks };
    }
    const schemaFailures: ConnectionCheckItem[] = [];
    const historyFailures: ConnectionCheckItem[] = [];
    const since = new Date(Date.now() - 3_600_000);
    for (const project of this.#projects) {
      for (const region of this.#settings.regions) {
        try {
          await this.#rows(schemataProbe(project, region), regionLocation(region));
        } catch (error) {
          schemaFailures.push(
            failedCheck('schema-read', this.#explain(error, `read ${region} datasets`, project)),
          );
        }
        try {
          await this.#rows(jobsProbe(project, region, since), regionLocation(region));
        } catch (error) {
          historyFailures.push(
            failedCheck('history-read', this.#explain(error, `read ${region} jobs`, project)),
          );
        }
      }
    }
    checks.push(combine('schema-read', schemaFailures), combine('history-read', historyFailures));
    return { ok: checks.every((check) => check.ok), checks };
  }

  async *crawl(filter: NameFilter): AsyncIterable<CrawledTable> {
    for (const project of this.#projects) {
      if (!filter.accepts(project)) continue;
      for (const region of this.#settings.regions) {
        const location = regionLocation(region);
        try {
          const tables = await this.#rows(tablesStatement(project, region), location);
          const columns = await this.#rows(columnsStatement(project, region), location);
          const accepted = (row: BigQueryRow): boolean => filter.accepts(project, String(row.table_schema));
          yield* mapTables(tables.filter(accepted), columns.filter(accepted));
        } catch (error) {
          throw this.#explain(error, `read ${region} tables`, project);
        }
      }
    }
  }

  /** One job per project and region; their ordered streams are merged so records come oldest first. */
  async *readHistory(window: HistoryWindow): AsyncIterable<HistoryRecord> {
    const streams = this.#projects.flatMap((project) =>
      this.#settings.regions.map((region) => this.#jobs(project, region, window)[Symbol.asyncIterator]()),
    );
    const closeAll = async (): Promise<void> => {
      await Promise.all(streams.map((stream) => stream.return?.(undefined).catch(() => undefined)));
    };
    // Settled, not Promise.all: when one job fails the others must still be closed (and cancelled if running).
    const settled = await Promise.allSettled(streams.map((stream) => stream.next()));
    const failed = settled.find((result) => result.status === 'rejected');
    if (failed) {
      await closeAll();
      throw failed.reason;
    }
    const heads = settled.map(
      (result) => (result as PromiseFulfilledResult<IteratorResult<HistoryRecord>>).value,
    );
    let remaining = window.limit ?? Number.POSITIVE_INFINITY;
    try {
      while (remaining > 0) {
        let oldest = -1;
        heads.forEach((head, index) => {
          if (head.done) return;
          const current = heads[oldest];
          if (oldest === -1 || (current && !current.done && head.value.startedAt < current.value.startedAt))
            oldest = index;
        });
        if (oldest === -1) break;
        const head = heads[oldest]!;
        if (head.done) break;
        yield head.value;
        remaining -= 1;
        heads[oldest] = await streams[oldest]!.next();
      }
    } finally {
      await closeAll();
    }
  }

  async close(): Promise<void> {
    await this.#client.close();
  }

  async *#jobs(project: string, region: string, window: HistoryWindow): AsyncIterable<HistoryRecord> {
    try {
      const statement = historyStatement({ project, region, ...window });
      for await (const page of this.#client.query(statement, regionLocation(region))) {
        for (const row of decodeRows(page)) {
          const record = mapJobRow(row);
          if (record) yield record;
        }
      }
    } catch (error) {
      throw this.#explain(error, `read ${region} jobs`, project);
    }
  }

  async #rows(statement: BigQueryStatement, location: string): Promise<BigQueryRow[]> {
    const rows: BigQueryRow[] = [];
    for await (const page of this.#client.query(statement, location)) rows.push(...decodeRows(page));
    return rows;
  }

  /** Adds the IAM role that fixes a permission error, by what was being done. */
  #explain(error: unknown, action: string, project: string): unknown {
    if (!(error instanceof BigQueryApiError) || error.kind !== 'permission') return error;
    const member = `serviceAccount:${this.#client.serviceAccount}`;
    if (/jobs/.test(action) && !/jobs\.create/.test(error.message)) {
      return new WarehouseError(
        'permission',
        `Service account ${this.#client.serviceAccount} cannot ${action} of project ${project}: reading INFORMATION_SCHEMA.JOBS_BY_PROJECT needs the bigquery.jobs.listAll permission. ${error.message}`,
        `gcloud projects add-iam-policy-binding ${project} --member=${member} --role=${ROLE_FOR_JOBS}`,
      );
    }
    if (/jobs\.create/.test(error.message) || action === 'run query jobs') {
      return new WarehouseError(
        'permission',
        `Service account ${this.#client.serviceAccount} cannot run query jobs in project ${this.#settings.projectId} (bigquery.jobs.create). ${error.message}`,
        `gcloud projects add-iam-policy-binding ${this.#settings.projectId} --member=${member} --role=roles/bigquery.jobUser`,
      );
    }
    return new WarehouseError(
      'permission',
      `Service account ${this.#client.serviceAccount} cannot ${action} of project ${project}: it needs bigquery.tables.list and bigquery.tables.get. ${error.message}`,
      `gcloud projects add-iam-policy-binding ${project} --member=${member} --role=roles/bigquery.metadataViewer`,
    );
  }
}

function failedCheck(name: string, error: unknown): ConnectionCheckItem {
  if (error instanceof WarehouseError)
    return { name, ok: false, message: error.message, ...(error.fix ? { fix: error.fix } : {}) };
  throw error;
}

function combine(name: string, failures: ConnectionCheckItem[]): ConnectionCheckItem {
  if (failures.length === 0) return { name, ok: true };
  const fixes = [...new Set(failures.map((failure) => failure.fix).filter((fix): fix is string => !!fix))];
  return {
    name,
    ok: false,
    message: failures.map((failure) => failure.message).join(' '),
    ...(fixes.length > 0 ? { fix: fixes.join('; ') } : {}),
  };
}
