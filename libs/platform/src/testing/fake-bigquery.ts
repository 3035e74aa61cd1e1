import { createPublicKey, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import { jwtVerify } from 'jose';
import {
  FakeUpstream,
  reply,
  type FakeDelayOptions,
  type FakeRequest,
  type FakeResponse,
} from './fake-upstream.js';

// A fake BigQuery REST API v2 and Google OAuth token endpoint on 127.0.0.1, built on FakeUpstream. It holds
// datasets (with a location), tables with columns and descriptions, and INFORMATION_SCHEMA.JOBS_BY_PROJECT
// rows, and answers `jobs.query` / `jobs.getQueryResults` by recognising the region-qualified INFORMATION_SCHEMA
// view a statement reads (TABLES joined with TABLE_OPTIONS / TABLE_STORAGE / VIEWS, COLUMNS joined with
// COLUMN_FIELD_PATHS, SCHEMATA, JOBS_BY_PROJECT). The jobs window, the text exclusion and LIMIT are read from the
// named query parameters only; a literal in their place is refused, so a test proves the client binds.
//
// Wire shapes: `jobComplete: false` until a job has been polled `pollsBeforeResult` times, `rows: [{f: [{v}]}]`
// with RECORD and REPEATED values nested as BigQuery nests them, `pageToken` pages of `pageSize` rows,
// timestamps as int64 microseconds when `formatOptions.useInt64Timestamp` is set (float seconds otherwise),
// errors as `{error: {code, message, errors: [{reason}], status}}`. The token endpoint takes the JWT-bearer
// grant and verifies the assertion's signature with the public key registered for the service account.

export interface FakeBigQueryColumn {
  name: string;
  /** INFORMATION_SCHEMA.COLUMNS.data_type: `STRING`, `INT64`, `STRUCT<a INT64>`, `ARRAY<STRING>`… */
  type: string;
  nullable?: boolean;
  description?: string | null;
}

export type FakeBigQueryTableType =
  'BASE TABLE' | 'VIEW' | 'MATERIALIZED VIEW' | 'EXTERNAL' | 'CLONE' | 'SNAPSHOT';

export interface FakeBigQueryTable {
  project: string;
  dataset: string;
  name: string;
  type?: FakeBigQueryTableType;
  description?: string | null;
  rowCount?: number;
  bytes?: number;
  created?: Date | string;
  lastModified?: Date | string;
  viewDefinition?: string;
  columns: readonly FakeBigQueryColumn[];
}

/** `project.dataset.table`. */
export type FakeBigQueryTableName = string;

export interface FakeBigQueryJob {
  id: string;
  project: string;
  /** Location of the job, e.g. `US`, `EU`, `us-east1`; default `US`. */
  location?: string;
  query: string;
  creationTime: Date | string;
  startTime?: Date | string;
  endTime?: Date | string;
  user?: string;
  /** Default `QUERY`. */
  jobType?: 'QUERY' | 'LOAD' | 'EXTRACT' | 'COPY';
  /** Default `DONE`. */
  state?: 'PENDING' | 'RUNNING' | 'DONE';
  /** An error_result message: the job failed. */
  error?: string;
  statementType?: string;
  referenced?: readonly FakeBigQueryTableName[];
  destination?: FakeBigQueryTableName;
  labels?: Record<string, string>;
  sessionId?: string;
  queryHash?: string;
  cacheHit?: boolean;
}

export interface FakeBigQueryOptions {
  /** Rows per result page at most (`maxResults` is capped to it). Default 1,000. */
  pageSize?: number;
  /** getQueryResults calls answered `jobComplete: false` before a job is done. Default 0. */
  pollsBeforeResult?: number;
  /** Lifetime of the access tokens the token endpoint issues. Default 3,600 s. */
  tokenLifetimeSeconds?: number;
}

export interface FakeBigQueryServiceAccount {
  publicKey: string | KeyObject;
  /** Projects the account may run jobs in; default every project. */
  projects?: readonly string[];
}

/** A `jobs.query` request as the fake received it. */
export interface FakeBigQueryQuery {
  jobId: string;
  project: string;
  location: string | undefined;
  /** The statement text exactly as sent. */
  sql: string;
  parameters: Record<string, { type: string; value: unknown }>;
  labels: Record<string, string>;
  serviceAccount: string;
  cancelled: boolean;
  /** `reason` of the error the job ended with. */
  errorReason: string | undefined;
}

export type FakeBigQueryPermission = 'bigquery.jobs.listAll' | 'bigquery.tables.get' | 'bigquery.jobs.create';

export interface FakeBigQueryFailOptions {
  times?: number;
  retryAfterSeconds?: number;
  method?: string;
  /** A path or route pattern; default every route. */
  path?: string;
  /** `reason` in the error body (e.g. `rateLimitExceeded` with a 403). */
  reason?: string;
}

interface FieldSchema {
  name: string;
  type: string;
  mode: 'NULLABLE' | 'REPEATED' | 'REQUIRED';
  fields?: FieldSchema[];
}

interface JobState extends FakeBigQueryQuery {
  fields: FieldSchema[];
  rows: Row[];
  error: BigQueryError | undefined;
  pollsLeft: number;
  int64Timestamps: boolean;
}

type Row = Record<string, unknown>;

class BigQueryError {
  constructor(
    readonly code: number,
    readonly reason: string,
    readonly message: string,
  ) {}
}

const API = '/bigquery/v2/projects/:project';
export const FAKE_BIGQUERY_TOKEN_PATH = '/token';
const TABLE_REFERENCE_FIELDS: FieldSchema[] = [
  { name: 'project_id', type: 'STRING', mode: 'NULLABLE' },
  { name: 'dataset_id', type: 'STRING', mode: 'NULLABLE' },
  { name: 'table_id', type: 'STRING', mode: 'NULLABLE' },
];
const FIELD_TYPES: Record<string, Omit<FieldSchema, 'name'>> = {
  creation_time: { type: 'TIMESTAMP', mode: 'NULLABLE' },
  start_time: { type: 'TIMESTAMP', mode: 'NULLABLE' },
  end_time: { type: 'TIMESTAMP', mode: 'NULLABLE' },
  storage_last_modified_time: { type: 'TIMESTAMP', mode: 'NULLABLE' },
  total_rows: { type: 'INTEGER', mode: 'NULLABLE' },
  total_logical_bytes: { type: 'INTEGER', mode: 'NULLABLE' },
  ordinal_position: { type: 'INTEGER', mode: 'NULLABLE' },
  total_bytes_processed: { type: 'INTEGER', mode: 'NULLABLE' },
  cache_hit: { type: 'BOOLEAN', mode: 'NULLABLE' },
  destination_table: { type: 'RECORD', mode: 'NULLABLE', fields: TABLE_REFERENCE_FIELDS },
  referenced_tables: { type: 'RECORD', mode: 'REPEATED', fields: TABLE_REFERENCE_FIELDS },
  labels: {
    type: 'RECORD',
    mode: 'REPEATED',
    fields: [
      { name: 'key', type: 'STRING', mode: 'NULLABLE' },
      { name: 'value', type: 'STRING', mode: 'NULLABLE' },
    ],
  },
  error_result: {
    type: 'RECORD',
    mode: 'NULLABLE',
    fields: [
      { name: 'reason', type: 'STRING', mode: 'NULLABLE' },
      { name: 'message', type: 'STRING', mode: 'NULLABLE' },
    ],
  },
};

export class FakeBigQuery {
  readonly upstream = new FakeUpstream();
  /** Every `jobs.query` request, in order. */
  readonly queries: FakeBigQueryQuery[] = [];
  /** Job ids cancelled through `jobs.cancel`. */
  readonly cancelled: string[] = [];
  /** Token requests answered, successful or not. */
  tokenRequests = 0;
  pageSize: number;
  pollsBeforeResult: number;
  tokenLifetimeSeconds: number;

  readonly #accounts = new Map<string, FakeBigQueryServiceAccount>();
  readonly #disabledAccounts = new Set<string>();
  readonly #tokens = new Map<string, { account: string; expiresAt: number }>();
  readonly #datasets = new Map<string, string>();
  readonly #tables: FakeBigQueryTable[] = [];
  readonly #jobs: FakeBigQueryJob[] = [];
  readonly #states = new Map<string, JobState>();
  readonly #revoked = new Set<FakeBigQueryPermission>();

  constructor(options: FakeBigQueryOptions = {}) {
    this.pageSize = options.pageSize ?? 1_000;
    this.pollsBeforeResult = options.pollsBeforeResult ?? 0;
    this.tokenLifetimeSeconds = options.tokenLifetimeSeconds ?? 3_600;
    this.#registerRoutes();
  }

  start(): Promise<string> {
    return this.upstream.start();
  }

  stop(): Promise<void> {
    return this.upstream.stop();
  }

  get baseUrl(): string {
    return this.upstream.baseUrl;
  }

  /** The `token_uri` to put in a service-account key. */
  get tokenUri(): string {
    return this.upstream.url(FAKE_BIGQUERY_TOKEN_PATH);
  }

  // ---- scenario ------------------------------------------------------------------------------------------

  serviceAccount(email: string, account: FakeBigQueryServiceAccount): this {
    this.#accounts.set(email, account);
    return this;
  }

  /** The account's key is deleted or disabled: the token endpoint answers `invalid_grant`. */
  disableServiceAccount(email: string): this {
    this.#disabledAccounts.add(email);
    return this;
  }

  /** Every access token issued so far answers 401 from now on. */
  expireAccessTokens(): this {
    for (const token of this.#tokens.values()) token.expiresAt = 0;
    return this;
  }

  dataset(project: string, dataset: string, location = 'US'): this {
    this.#datasets.set(`${project}.${dataset}`, location);
    return this;
  }

  table(table: FakeBigQueryTable): this {
    if (!this.#datasets.has(`${table.project}.${table.dataset}`)) this.dataset(table.project, table.dataset);
    this.#tables.push(table);
    return this;
  }

  job(...jobs: FakeBigQueryJob[]): this {
    this.#jobs.push(...jobs);
    return this;
  }

  /** Takes an IAM permission from every service account. */
  revoke(permission: FakeBigQueryPermission): this {
    this.#revoked.add(permission);
    return this;
  }

  failNext(status: number, options: FakeBigQueryFailOptions = {}): this {
    const headers: Record<string, string> =
      options.retryAfterSeconds === undefined ? {} : { 'retry-after': String(options.retryAfterSeconds) };
    const reason =
      options.reason ?? (status === 429 ? 'rateLimitExceeded' : status >= 500 ? 'backendError' : 'failed');
    this.upstream.failNext(
      options.times ?? 1,
      { status, headers, body: errorBody(new BigQueryError(status, reason, `Injected ${reason}`)) },
      { method: options.method, path: options.path },
    );
    return this;
  }

  delay(ms: number, options: FakeDelayOptions = {}): this {
    this.upstream.delay(ms, options);
    return this;
  }

  // ---- routes --------------------------------------------------------------------------------------------

  #registerRoutes(): void {
    this.upstream.route('POST', FAKE_BIGQUERY_TOKEN_PATH, (request) => this.#token(request));
    this.upstream.route('POST', `${API}/queries`, (request) =>
      this.#authenticated(request, (account) => this.#query(request, account)),
    );
    this.upstream.route('GET', `${API}/queries/:jobId`, (request) =>
      this.#authenticated(request, () => this.#results(request)),
    );
    this.upstream.route('POST', `${API}/jobs/:jobId/cancel`, (request) =>
      this.#authenticated(request, () => this.#cancel(request)),
    );
  }

  async #token(request: FakeRequest): Promise<FakeResponse> {
    this.tokenRequests += 1;
    const form = new URLSearchParams(
      typeof request.body === 'string' ? request.body : request.rawBody.toString('utf8'),
    );
    const invalid = (error: string, description: string): FakeResponse =>
      reply.json({ error, error_description: description }, 400);
    if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
      return invalid('unsupported_grant_type', 'Invalid grant_type.');
    }
    const assertion = form.get('assertion') ?? '';
    const payload = decodePayload(assertion);
    const email = typeof payload?.iss === 'string' ? payload.iss : '';
    const account = this.#accounts.get(email);
    if (!account || this.#disabledAccounts.has(email))
      return invalid('invalid_grant', 'Invalid JWT Signature.');
    const publicKey =
      typeof account.publicKey === 'string' ? createPublicKey(account.publicKey) : account.publicKey;
    try {
      await jwtVerify(assertion, publicKey, {
        algorithms: ['RS256'],
        audience: this.tokenUri,
        issuer: email,
      });
    } catch {
      return invalid('invalid_grant', 'Invalid JWT Signature.');
    }
    if (typeof payload?.scope !== 'string' || !payload.scope.includes('https://www.googleapis.com/auth/')) {
      return invalid('invalid_scope', 'Invalid OAuth scope or ID token audience provided.');
    }
    const token = `ya29.${randomBytes(24).toString('base64url')}`;
    this.#tokens.set(token, { account: email, expiresAt: Date.now() + this.tokenLifetimeSeconds * 1000 });
    return reply.json({ access_token: token, expires_in: this.tokenLifetimeSeconds, token_type: 'Bearer' });
  }

  #authenticated(request: FakeRequest, handler: (account: string) => FakeResponse): FakeResponse {
    const match = /^Bearer\s+(\S+)$/i.exec(String(request.headers.authorization ?? ''));
    const token = match ? this.#tokens.get(match[1]!) : undefined;
    if (!token || token.expiresAt <= Date.now()) {
      return reply.json(
        errorBody(
          new BigQueryError(
            401,
            'authError',
            'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
          ),
        ),
        401,
        { 'www-authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"' },
      );
    }
    try {
      return handler(token.account);
    } catch (error) {
      if (error instanceof BigQueryError) return reply.json(errorBody(error), error.code);
      throw error;
    }
  }

  #query(request: FakeRequest, account: string): FakeResponse {
    const project = request.params.project!;
    const body = (request.body ?? {}) as Record<string, unknown>;
    const allowed = this.#accounts.get(account)?.projects;
    if (this.#revoked.has('bigquery.jobs.create') || (allowed && !allowed.includes(project))) {
      throw new BigQueryError(
        403,
        'accessDenied',
        `Access Denied: Project ${project}: User does not have bigquery.jobs.create permission in project ${project}.`,
      );
    }
    if (typeof body.query !== 'string')
      throw new BigQueryError(400, 'invalid', 'Required parameter is missing: query');
    if (body.useLegacySql !== false) {
      throw new BigQueryError(
        400,
        'invalidQuery',
        'The fake BigQuery only speaks GoogleSQL: set useLegacySql to false.',
      );
    }
    const requestId = typeof body.requestId === 'string' ? body.requestId : undefined;
    const repeated = requestId ? this.#states.get(requestId) : undefined;
    if (repeated) return this.#answer(repeated, request, true);
    const parameters: FakeBigQueryQuery['parameters'] = {};
    for (const parameter of (body.queryParameters ?? []) as {
      name?: string;
      parameterType?: { type?: string };
      parameterValue?: { value?: unknown };
    }[]) {
      if (parameter.name) {
        parameters[parameter.name] = {
          type: parameter.parameterType?.type ?? 'STRING',
          value: parameter.parameterValue?.value,
        };
      }
    }
    const state: JobState = {
      jobId: `job_${randomUUID().replace(/-/g, '')}`,
      project,
      location: typeof body.location === 'string' ? body.location : undefined,
      sql: body.query,
      parameters,
      labels: (body.labels ?? {}) as Record<string, string>,
      serviceAccount: account,
      cancelled: false,
      errorReason: undefined,
      fields: [],
      rows: [],
      error: undefined,
      pollsLeft: this.pollsBeforeResult,
      int64Timestamps:
        (body.formatOptions as { useInt64Timestamp?: boolean } | undefined)?.useInt64Timestamp === true,
    };
    try {
      const result = this.#execute(state);
      state.fields = result.fields;
      state.rows = result.rows;
    } catch (error) {
      if (!(error instanceof BigQueryError)) throw error;
      state.error = error;
      state.errorReason = error.reason;
    }
    this.#states.set(state.jobId, state);
    if (requestId) this.#states.set(requestId, state);
    this.queries.push(state);
    return this.#answer(state, request, true);
  }

  #results(request: FakeRequest): FakeResponse {
    const state = this.#states.get(request.params.jobId!);
    if (!state || state.project !== request.params.project) {
      throw new BigQueryError(
        404,
        'notFound',
        `Not found: Job ${request.params.project}:${request.params.jobId}`,
      );
    }
    return this.#answer(state, request, false);
  }

  #cancel(request: FakeRequest): FakeResponse {
    const state = this.#states.get(request.params.jobId!);
    if (!state)
      throw new BigQueryError(
        404,
        'notFound',
        `Not found: Job ${request.params.project}:${request.params.jobId}`,
      );
    state.cancelled = true;
    this.cancelled.push(state.jobId);
    return reply.json({
      kind: 'bigquery#jobCancelResponse',
      job: {
        kind: 'bigquery#job',
        id: `${state.project}:${state.location ?? 'US'}.${state.jobId}`,
        jobReference: { projectId: state.project, jobId: state.jobId, location: state.location ?? 'US' },
        status: { state: 'RUNNING' },
      },
    });
  }

  #answer(state: JobState, request: FakeRequest, submitted: boolean): FakeResponse {
    const jobReference = { projectId: state.project, jobId: state.jobId, location: state.location ?? 'US' };
    const kind = submitted ? 'bigquery#queryResponse' : 'bigquery#getQueryResultsResponse';
    if (state.cancelled)
      throw new BigQueryError(400, 'stopped', 'Job execution was cancelled: User requested cancellation');
    if (state.pollsLeft > 0) {
      if (!submitted) state.pollsLeft -= 1;
      return reply.json({ kind, jobReference, jobComplete: false });
    }
    if (state.error) throw state.error;
    const body = (submitted ? request.body : request.query) as Record<string, unknown> | undefined;
    const requested = Number(body?.maxResults ?? Number.NaN);
    const limit = requested > 0 ? Math.min(requested, this.pageSize) : this.pageSize;
    const offset = submitted ? 0 : decodePageToken(request.query.pageToken);
    const page = state.rows.slice(offset, offset + limit);
    const next = offset + page.length;
    const int64 = submitted
      ? state.int64Timestamps
      : request.query['formatOptions.useInt64Timestamp'] === 'true';
    return reply.json({
      kind,
      schema: { fields: state.fields },
      jobReference,
      totalRows: String(state.rows.length),
      ...(next < state.rows.length ? { pageToken: encodePageToken(next) } : {}),
      rows: page.map((row) => encodeRow(row, state.fields, int64)),
      totalBytesProcessed: '10485760',
      jobComplete: true,
      cacheHit: false,
    });
  }

  // ---- SQL -----------------------------------------------------------------------------------------------

  #execute(state: JobState): { fields: FieldSchema[]; rows: Row[] } {
    const sql = stripComments(state.sql).trim();
    const bound = (name: string): unknown => {
      const parameter = state.parameters[name];
      if (!parameter)
        throw new BigQueryError(400, 'invalidQuery', `Query parameter '${name}' not found at [1:1]`);
      return parameter.value;
    };
    const view =
      /\bFROM\s+`?(?:([\w.:-]+?)`?\s*\.\s*`?)?(region-[\w-]+)`?\s*\.\s*`?INFORMATION_SCHEMA`?\s*\.\s*`?(\w+)`?/i.exec(
        sql,
      );
    if (!view) {
      if (!/\bFROM\b/i.test(sql)) return project(sql, [{}], bound);
      throw new BigQueryError(400, 'invalidQuery', 'The fake BigQuery does not know this statement.');
    }
    const project_ = view[1] ?? state.project;
    const location = regionLocation(view[2]!);
    if (state.location && state.location.toLowerCase() !== location.toLowerCase()) {
      throw new BigQueryError(
        404,
        'notFound',
        `Not found: Dataset ${project_}:${view[2]}.INFORMATION_SCHEMA was not found in location ${state.location}`,
      );
    }
    const tableName = view[3]!.toUpperCase();
    const where = `${project_}:${view[2]}.INFORMATION_SCHEMA.${tableName}`;
    const datasets = [...this.#datasets]
      .filter(
        ([key, datasetLocation]) =>
          key.startsWith(`${project_}.`) && datasetLocation.toLowerCase() === location.toLowerCase(),
      )
      .map(([key]) => key.slice(project_.length + 1));
    const tables = this.#tables
      .filter((table) => table.project === project_ && datasets.includes(table.dataset))
      .sort(
        (left, right) => left.dataset.localeCompare(right.dataset) || left.name.localeCompare(right.name),
      );
    switch (tableName) {
      case 'SCHEMATA':
        return project(
          sql,
          datasets.map((dataset) => ({ catalog_name: project_, schema_name: dataset, location })),
          bound,
        );
      case 'TABLES':
        if (/TABLE_STORAGE/i.test(sql) && this.#revoked.has('bigquery.tables.get')) {
          throw new BigQueryError(
            403,
            'accessDenied',
            `Access Denied: Table ${project_}:${view[2]}.INFORMATION_SCHEMA.TABLE_STORAGE: User does not have permission bigquery.tables.get.`,
          );
        }
        return project(
          sql,
          tables.map((table) => tableRow(table)),
          bound,
        );
      case 'COLUMNS':
        return project(
          sql,
          tables.flatMap((table) =>
            table.columns.map((column, index) => ({
              table_catalog: table.project,
              table_schema: table.dataset,
              table_name: table.name,
              column_name: column.name,
              ordinal_position: index + 1,
              is_nullable: column.nullable === false ? 'NO' : 'YES',
              data_type: column.type,
              description: column.description ?? null,
            })),
          ),
          bound,
        );
      case 'JOBS':
      case 'JOBS_BY_PROJECT':
        if (this.#revoked.has('bigquery.jobs.listAll')) {
          throw new BigQueryError(
            403,
            'accessDenied',
            `Access Denied: Table ${where}: User does not have permission to query table ${where}, or perhaps it does not exist. Permission bigquery.jobs.listAll denied.`,
          );
        }
        return this.#jobsRows(sql, project_, location, bound);
      default:
        throw new BigQueryError(
          404,
          'notFound',
          `Not found: Table ${where} was not found in location ${location}`,
        );
    }
  }

  #jobsRows(
    sql: string,
    projectId: string,
    location: string,
    bound: (name: string) => unknown,
  ): { fields: FieldSchema[]; rows: Row[] } {
    const since = boundComparison(sql, 'creation_time', '>=', bound);
    const until = boundComparison(sql, 'creation_time', '<', bound);
    const sinceTime = since === undefined ? undefined : parseTime(since);
    const untilTime = until === undefined ? undefined : parseTime(until);
    const queryOnly = /\bjob_type\s*=\s*'QUERY'/i.test(sql);
    const doneOnly = /\bstate\s*=\s*'DONE'/i.test(sql);
    const noErrors = /\berror_result\s+IS\s+NULL/i.test(sql);
    const excluded = excludedPrefix(sql, bound);
    const jobs = this.#jobs
      .filter((job) => {
        const created = toDate(job.creationTime).getTime();
        if (job.project !== projectId || (job.location ?? 'US').toLowerCase() !== location.toLowerCase())
          return false;
        if (sinceTime !== undefined && created < sinceTime) return false;
        if (untilTime !== undefined && created >= untilTime) return false;
        if (queryOnly && (job.jobType ?? 'QUERY') !== 'QUERY') return false;
        if (doneOnly && (job.state ?? 'DONE') !== 'DONE') return false;
        if (noErrors && job.error !== undefined) return false;
        return !(excluded && excluded(job.query));
      })
      .sort(
        (left, right) =>
          toDate(left.creationTime).getTime() - toDate(right.creationTime).getTime() ||
          left.id.localeCompare(right.id),
      );
    const reference = (name: string | undefined): Row | null => {
      if (!name) return null;
      const [project_, dataset, table] = name.split('.');
      return { project_id: project_, dataset_id: dataset, table_id: table };
    };
    const rows = jobs.map((job) => {
      const creation = toDate(job.creationTime);
      const start = toDate(job.startTime ?? creation);
      return {
        job_id: job.id,
        project_id: job.project,
        user_email: job.user ?? 'analyst@example.com',
        creation_time: creation,
        start_time: start,
        end_time: toDate(job.endTime ?? start),
        job_type: job.jobType ?? 'QUERY',
        statement_type: job.statementType ?? 'SELECT',
        query: job.query,
        state: job.state ?? 'DONE',
        error_result: job.error ? { reason: 'invalidQuery', message: job.error } : null,
        cache_hit: job.cacheHit ?? false,
        total_bytes_processed: 1024,
        destination_table: reference(job.destination) ?? {
          project_id: job.project,
          dataset_id: `_${'0'.repeat(8)}anon`,
          table_id: `anon${job.id.replace(/\W/g, '')}`,
        },
        referenced_tables: (job.referenced ?? []).map(reference),
        labels: Object.entries(job.labels ?? {}).map(([key, value]) => ({ key, value })),
        session_id: job.sessionId ?? null,
        normalized_literals: job.queryHash ?? null,
      };
    });
    return project(sql, rows, bound);
  }
}

// ---- helpers -------------------------------------------------------------------------------------------

function tableRow(table: FakeBigQueryTable): Row {
  const view = table.type === 'VIEW' || table.type === 'MATERIALIZED VIEW';
  return {
    table_catalog: table.project,
    table_schema: table.dataset,
    table_name: table.name,
    table_type: table.type ?? 'BASE TABLE',
    creation_time: toDate(table.created ?? '2024-01-01T00:00:00Z'),
    // TABLE_OPTIONS.option_value holds the description as a GoogleSQL string literal.
    option_value: table.description ? JSON.stringify(table.description) : null,
    total_rows: view ? null : (table.rowCount ?? 0),
    total_logical_bytes: view ? null : (table.bytes ?? 0),
    storage_last_modified_time: view
      ? null
      : toDate(table.lastModified ?? table.created ?? '2024-01-01T00:00:00Z'),
    view_definition: view ? (table.viewDefinition ?? null) : null,
  };
}

function errorBody(error: BigQueryError): unknown {
  const status: Record<number, string> = {
    400: 'INVALID_ARGUMENT',
    401: 'UNAUTHENTICATED',
    403: 'PERMISSION_DENIED',
    404: 'NOT_FOUND',
    429: 'RESOURCE_EXHAUSTED',
    500: 'INTERNAL',
    503: 'UNAVAILABLE',
  };
  return {
    error: {
      code: error.code,
      message: error.message,
      errors: [{ message: error.message, domain: 'global', reason: error.reason }],
      status: status[error.code] ?? 'UNKNOWN',
    },
  };
}

function decodePayload(jwt: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >;
  } catch {
    return undefined;
  }
}

function regionLocation(region: string): string {
  const location = region.replace(/^region-/i, '');
  return /^(us|eu)$/i.test(location) ? location.toUpperCase() : location.toLowerCase();
}

function encodePageToken(offset: number): string {
  return Buffer.from(`page:${offset}`).toString('base64url');
}

function decodePageToken(token: string | undefined): number {
  if (!token) return 0;
  const match = /^page:(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (!match) throw new BigQueryError(400, 'invalid', `Invalid page token ${token}`);
  return Number(match[1]);
}

function toDate(value: Date | string): Date {
  return value instanceof Date ? value : new Date(value);
}

function parseTime(value: unknown): number {
  const time = Date.parse(String(value));
  if (Number.isNaN(time))
    throw new BigQueryError(400, 'invalidQuery', `Invalid TIMESTAMP parameter value ${String(value)}`);
  return time;
}

/** A value in the REST row format: `{v: …}`, RECORDs as `{f: […]}`, REPEATED as arrays of `{v}`. */
function encodeValue(
  value: unknown,
  field: FieldSchema,
  int64Timestamps: boolean,
  repeatedItem = false,
): unknown {
  if (value === null || value === undefined) return field.mode === 'REPEATED' && !repeatedItem ? [] : null;
  if (field.mode === 'REPEATED' && !repeatedItem) {
    return (value as unknown[]).map((item) => ({ v: encodeValue(item, field, int64Timestamps, true) }));
  }
  if (field.type === 'RECORD') {
    return {
      f: (field.fields ?? []).map((child) => ({
        v: encodeValue((value as Row)[child.name], child, int64Timestamps),
      })),
    };
  }
  if (value instanceof Date) {
    return int64Timestamps ? String(value.getTime() * 1000) : (value.getTime() / 1000).toExponential();
  }
  return String(value);
}

function encodeRow(row: Row, fields: FieldSchema[], int64Timestamps: boolean): unknown {
  return { f: fields.map((field) => ({ v: encodeValue(row[field.name], field, int64Timestamps) })) };
}

function stripComments(sql: string): string {
  let result = '';
  for (let index = 0; index < sql.length;) {
    const character = sql[index]!;
    if (character === "'" || character === '"' || character === '`') {
      const end = closingQuote(sql, index);
      result += sql.slice(index, end);
      index = end;
    } else if (sql.startsWith('/*', index)) {
      const end = sql.indexOf('*/', index + 2);
      index = end === -1 ? sql.length : end + 2;
      result += ' ';
    } else if (sql.startsWith('--', index) || character === '#') {
      const end = sql.indexOf('\n', index);
      index = end === -1 ? sql.length : end;
    } else {
      result += character;
      index += 1;
    }
  }
  return result;
}

function closingQuote(sql: string, start: number): number {
  const quote = sql[start]!;
  for (let index = start + 1; index < sql.length; index++) {
    if (sql[index] === '\\') index += 1;
    else if (sql[index] === quote) return index + 1;
  }
  return sql.length;
}

function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let index = 0; index < text.length; index++) {
    const character = text[index]!;
    if (character === "'" || character === '"' || character === '`') index = closingQuote(text, index) - 1;
    else if (character === '(' || character === '<') depth += 1;
    else if (character === ')' || character === '>') depth -= 1;
    else if (character === ',' && depth === 0) {
      parts.push(text.slice(start, index));
      start = index + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((part) => part.trim()).filter((part) => part !== '');
}

function selectItems(sql: string): { source: string; name: string; literal?: string }[] {
  const select = /^\s*SELECT\s+(?:DISTINCT\s+)?/i.exec(sql);
  if (!select) throw new BigQueryError(400, 'invalidQuery', 'Syntax error: Expected SELECT');
  let depth = 0;
  let end = sql.length;
  for (let index = select[0].length; index < sql.length; index++) {
    const character = sql[index]!;
    if (character === "'" || character === '"' || character === '`') index = closingQuote(sql, index) - 1;
    else if (character === '(') depth += 1;
    else if (character === ')') depth -= 1;
    else if (depth === 0 && /^FROM\b/i.test(sql.slice(index)) && /\s/.test(sql[index - 1] ?? ' ')) {
      end = index;
      break;
    }
  }
  return splitTopLevel(sql.slice(select[0].length, end)).map((expression) => {
    const alias = /\s+AS\s+`?(\w+)`?\s*$/i.exec(expression);
    const body = alias ? expression.slice(0, alias.index).trim() : expression;
    const column = /(?:^|\.)`?(\w+)`?$/.exec(body);
    const source = (column?.[1] ?? body).toLowerCase();
    const literal = /^\d+$/.test(body) ? body : undefined;
    return { source, name: alias?.[1] ?? (literal ? `f0_` : source), ...(literal ? { literal } : {}) };
  });
}

function project(
  sql: string,
  rows: Row[],
  bound: (name: string) => unknown,
): { fields: FieldSchema[]; rows: Row[] } {
  const items = selectItems(sql);
  const limit = /\bLIMIT\s+(@\w+|\d+)\s*$/i.exec(sql.trim());
  const limited =
    limit === null
      ? rows
      : rows.slice(0, Number(limit[1]!.startsWith('@') ? bound(limit[1]!.slice(1)) : limit[1]));
  for (const item of items) {
    if (item.literal === undefined && rows.length > 0 && !(item.source in rows[0]!)) {
      throw new BigQueryError(400, 'invalidQuery', `Unrecognized name: ${item.source} at [1:8]`);
    }
  }
  const fields = items.map((item) => ({
    name: item.name,
    ...(item.literal !== undefined
      ? { type: 'INTEGER', mode: 'NULLABLE' as const }
      : (FIELD_TYPES[item.source] ?? { type: 'STRING', mode: 'NULLABLE' as const })),
  }));
  return {
    fields,
    rows: limited.map((row) =>
      Object.fromEntries(items.map((item) => [item.name, item.literal ?? row[item.source]])),
    ),
  };
}

function boundComparison(
  sql: string,
  column: string,
  operator: '>=' | '<',
  bound: (name: string) => unknown,
): unknown {
  const operatorPattern = operator === '<' ? '<(?![=>])' : '>=';
  const match = new RegExp(
    `(?:^|[^\\w.])(?:\\w+\\.)?${column}\\s*${operatorPattern}\\s*(@\\w+|[^\\s)]+)`,
    'i',
  ).exec(sql);
  if (!match) return undefined;
  const operand = match[1]!;
  if (!operand.startsWith('@')) {
    throw new BigQueryError(
      400,
      'invalidQuery',
      `The fake BigQuery requires ${column} to be compared with a query parameter, got ${operand}.`,
    );
  }
  return bound(operand.slice(1));
}

function excludedPrefix(
  sql: string,
  bound: (name: string) => unknown,
): ((text: string) => boolean) | undefined {
  const match = /NOT\s+STARTS_WITH\s*\(\s*(?:\w+\.)?query\s*,\s*(@\w+|'[^']*')\s*\)/i.exec(sql);
  if (!match) return undefined;
  if (!match[1]!.startsWith('@'))
    throw new BigQueryError(
      400,
      'invalidQuery',
      'The fake BigQuery requires the excluded prefix as a query parameter.',
    );
  const prefix = String(bound(match[1]!.slice(1)));
  return (text) => text.startsWith(prefix);
}
