import { Transform, type Readable, type TransformCallback } from 'node:stream';
import {
  createVendorHttpClient,
  isVendorHttpError,
  paginate,
  paginateByOffset,
  type RetryOptions,
  type TokenBucketRegistry,
  type VendorHttpAttempt,
  type VendorHttpClient,
  type VendorHttpClientOptions,
  type VendorHttpError,
} from '@cartograph/platform/http';
import { Secret } from '@cartograph/platform/secrets';
import { dbtCloudEndpoints, isLegacyHost, type DbtCloudEndpoints } from './dbt-cloud-hosts.js';
import { DbtCloudError } from './dbt-cloud.error.js';
import {
  cloudId,
  DISCOVERY_PING_QUERY,
  ENVIRONMENT_MODELS_QUERY,
  environmentModelsVariables,
  jobListQuery,
  mapAccount,
  mapEnvironment,
  mapJob,
  mapModelExecution,
  mapProject,
  mapRun,
  pageQuery,
  readArtifactPaths,
  readEnvelopeData,
  readGraphqlErrors,
  readListPage,
  readModelsPage,
  readUpstreamMessage,
  RUN_DETAIL_QUERY,
  runListQuery,
  stepQuery,
  type CloudEnvironment,
  type CloudJob,
  type CloudModelExecution,
  type CloudProject,
  type CloudQuery,
  type CloudRun,
  type CloudRunFilter,
} from './dbt-cloud.mapper.js';

export { DbtCloudError, type DbtCloudErrorCode } from './dbt-cloud.error.js';

// The dbt Cloud client (Admin API v2/v3 + Discovery API). The only file of the service that speaks HTTP to
// dbt Cloud (DESIGN §1); field names stay in the mapper. It adds to the platform's vendor client what dbt
// Cloud needs (research/dbt.md §8–§13):
// - a 429 starts a cooldown (5 minutes by default, as dbt Cloud documents) shared by every client of the
//   account in this process; requests wait it out instead of earning a second 429, and the request that got
//   the 429 is repeated once after it;
// - separate token buckets for the Admin API and the Discovery API, whose limits differ;
// - errors in DESIGN §6 codes whose messages tell the user what to change (cell-based access URL, token
//   permissions, plan), never containing the token.

const VENDOR = 'dbt-cloud';
const ADMIN_PAGE_SIZE = 100;
const DEFAULT_REQUESTS_PER_MINUTE = 1_000;
const DISCOVERY_REQUESTS_PER_MINUTE = 500;
const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_COOLDOWN_MS = 5 * 60_000;
const PERMISSIONS_HINT =
  'The token needs the Job Viewer (Admin API) and Metadata Only (Discovery API) permissions';

export interface DbtCloudConnection {
  accountId: string | number;
  /** The account's access URL (`https://ACCOUNT_PREFIX.us1.dbt.com`, or a legacy host). */
  accessUrl: string;
  /** Overrides the Discovery endpoint derived from the access URL. */
  discoveryUrl?: string | null;
  /** A service token or personal access token. */
  token: string | Secret;
}

export interface DbtCloudClientOptions {
  /** Admin API requests per minute at most (dbt Cloud allows 5,000 per account). Default 1,000. */
  requestsPerMinute?: number;
  /** Discovery API requests per minute at most (dbt Cloud allows 500). Default min(500, requestsPerMinute). */
  discoveryRequestsPerMinute?: number;
  /** Wait for response headers, and longest silence inside a body. Default 30 s. */
  timeoutMs?: number;
  /** Pause after a 429 before the next request (longer when `Retry-After` says so). Default 5 minutes. */
  cooldownMs?: number;
  /** Retries of 5xx answers, timeouts and network errors (429s are handled by the cooldown). */
  retry?: Partial<Pick<RetryOptions, 'maxAttempts' | 'baseDelayMs' | 'maxDelayMs' | 'maxTotalDelayMs'>>;
  /** Cancels waits and requests (a job being stopped). */
  signal?: AbortSignal;
  /** Replaces the HTTP agent (tests route every host name to a fake with it). */
  dispatcher?: VendorHttpClientOptions['dispatcher'];
  /** Default: the process-wide registry, so all clients of one account share its rate. */
  rateLimitRegistry?: TokenBucketRegistry;
  /** Called after every HTTP attempt, for metrics. */
  onAttempt?: (attempt: VendorHttpAttempt) => void;
}

export interface DbtCloudCheck {
  accountName: string;
  /** Projects the token can read. */
  projectCount: number;
  discoveryReachable: boolean;
  /** Why the Discovery API did not answer, when it did not. */
  discoveryError?: string;
}

export interface DbtCloudArtifactOptions {
  /** 1-based run step (`CloudRunStep.index`); default the last step. */
  step?: number;
  /** Larger artifacts fail with BAD_USER_INPUT instead of being downloaded. */
  maxBytes: number;
}

export type DbtCloudId = string | number;

export interface DbtCloudClient {
  readonly accountId: string;
  readonly endpoints: Readonly<DbtCloudEndpoints>;
  /** HTTP attempts sent so far (retries included). */
  readonly requestCount: number;
  /** Reads the account and its projects, and tells whether the Discovery API answers the token. */
  check(): Promise<DbtCloudCheck>;
  projects(): AsyncIterable<CloudProject>;
  environments(projectId: DbtCloudId): Promise<CloudEnvironment[]>;
  jobs(filter?: { projectId?: DbtCloudId; environmentId?: DbtCloudId }): AsyncIterable<CloudJob>;
  /** Runs, 100 per request, ordered by id unless `orderBy` says otherwise. */
  runs(filter?: CloudRunFilter): AsyncIterable<CloudRun>;
  /** One run with its steps and trigger. */
  run(runId: DbtCloudId): Promise<CloudRun>;
  /** Artifact paths of a run step (default the last); null when dbt Cloud kept none (`data: null`). */
  artifactPaths(runId: DbtCloudId, step?: number): Promise<string[] | null>;
  /** Streams one artifact (not buffered); null when dbt Cloud has no such file (404). */
  artifact(runId: DbtCloudId, path: string, options: DbtCloudArtifactOptions): Promise<Readable | null>;
  /** Models of the environment's applied state with their latest execution, 500 per Discovery request. */
  environmentModels(environmentId: DbtCloudId): AsyncIterable<CloudModelExecution>;
  /** Closes the client's connections. */
  close(): Promise<void>;
}

export function createDbtCloudClient(
  connection: DbtCloudConnection,
  options: DbtCloudClientOptions = {},
): DbtCloudClient {
  return new HttpDbtCloudClient(connection, options);
}

// Until when each account (access host + account id) is in a 429 cooldown, shared by the clients of this
// process, as the token buckets are: a second client would otherwise walk into the same cooldown.
const cooldowns = new Map<string, number>();

interface CallContext {
  api: 'admin' | 'discovery';
  operation: string;
  /** What was asked for, in the user's words (`run 42`), for NOT_FOUND messages. */
  subject: string;
}

class HttpDbtCloudClient implements DbtCloudClient {
  readonly accountId: string;
  readonly endpoints: Readonly<DbtCloudEndpoints>;
  readonly #token: string;
  readonly #admin: VendorHttpClient;
  readonly #discovery: VendorHttpClient;
  readonly #cooldownKey: string;
  readonly #cooldownMs: number;
  readonly #signal: AbortSignal | undefined;
  #requestCount = 0;

  constructor(connection: DbtCloudConnection, options: DbtCloudClientOptions) {
    const accountId = cloudId(connection.accountId);
    if (accountId === null) {
      throw new DbtCloudError(
        'BAD_USER_INPUT',
        `The dbt Cloud account id must be a number, got ${JSON.stringify(connection.accountId)}`,
      );
    }
    this.accountId = accountId;
    this.endpoints = Object.freeze(dbtCloudEndpoints(connection.accessUrl, connection.discoveryUrl));
    this.#token = Secret.reveal(connection.token);
    if (this.#token.trim() === '') throw new DbtCloudError('BAD_USER_INPUT', 'The dbt Cloud token is empty');
    this.#cooldownMs = options.cooldownMs ?? DEFAULT_COOLDOWN_MS;
    this.#cooldownKey = `${this.endpoints.adminBaseUrl}/${accountId}`;
    this.#signal = options.signal;
    const requestsPerMinute = options.requestsPerMinute ?? DEFAULT_REQUESTS_PER_MINUTE;
    const discoveryRequestsPerMinute =
      options.discoveryRequestsPerMinute ?? Math.min(DISCOVERY_REQUESTS_PER_MINUTE, requestsPerMinute);
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const common = {
      vendor: VENDOR,
      headers: { authorization: new Secret(`Token ${this.#token}`) },
      secrets: [this.#token],
      timeouts: { headersMs: timeoutMs, bodyMs: timeoutMs, attemptMs: Math.max(120_000, timeoutMs * 4) },
      // 429 is left out: a 5-minute Retry-After is longer than any retry budget, and the cooldown below
      // handles it for every request of the account, not just this one.
      retry: { ...options.retry, retryStatuses: [408, 500, 502, 503, 504] },
      dispatcher: options.dispatcher,
      rateLimitRegistry: options.rateLimitRegistry,
      onAttempt: (attempt: VendorHttpAttempt) => {
        this.#requestCount += 1;
        options.onAttempt?.(attempt);
      },
    } satisfies Partial<VendorHttpClientOptions>;
    // burst 1: requests are spaced evenly, so no window of a minute ever holds more than the rate.
    this.#admin = createVendorHttpClient({
      ...common,
      baseUrl: `${this.endpoints.adminBaseUrl}/`,
      rateLimit: { key: `${this.#cooldownKey}/admin`, tokensPerSecond: requestsPerMinute / 60, burst: 1 },
    });
    this.#discovery = createVendorHttpClient({
      ...common,
      baseUrl: this.endpoints.discoveryUrl,
      rateLimit: {
        key: `${this.#cooldownKey}/discovery`,
        tokensPerSecond: discoveryRequestsPerMinute / 60,
        burst: 1,
      },
    });
  }

  get requestCount(): number {
    return this.#requestCount;
  }

  async check(): Promise<DbtCloudCheck> {
    const account = mapAccount(
      readEnvelopeData(
        await this.#adminGet(
          this.#v3(''),
          {},
          { operation: 'get-account', subject: `account ${this.accountId}` },
        ),
      ),
    );
    const projects = readListPage(
      await this.#adminGet(this.#v3('projects/'), pageQuery(0, 1), {
        operation: 'list-projects',
        subject: `projects of account ${this.accountId}`,
      }),
    );
    let discoveryError: string | undefined;
    try {
      await this.#discoveryQuery(
        DISCOVERY_PING_QUERY,
        {},
        { operation: 'discovery-ping', subject: 'the Discovery API' },
      );
    } catch (error) {
      // A rate limit says nothing about reachability; everything else means the Discovery API is not usable.
      if (error instanceof DbtCloudError && error.code === 'RATE_LIMITED') throw error;
      discoveryError = error instanceof DbtCloudError ? error.message : 'the Discovery API did not answer';
    }
    return {
      accountName: account.name,
      projectCount: projects.totalCount ?? projects.items.length,
      discoveryReachable: discoveryError === undefined,
      ...(discoveryError === undefined ? {} : { discoveryError }),
    };
  }

  projects(): AsyncIterable<CloudProject> {
    return this.#list(this.#v3('projects/'), {}, mapProject, {
      operation: 'list-projects',
      subject: `projects of account ${this.accountId}`,
    });
  }

  async environments(projectId: DbtCloudId): Promise<CloudEnvironment[]> {
    const project = this.#id(projectId, 'project');
    const environments: CloudEnvironment[] = [];
    for await (const environment of this.#list(
      this.#v3(`projects/${project}/environments/`),
      {},
      mapEnvironment,
      {
        operation: 'list-environments',
        subject: `project ${project}`,
      },
    )) {
      environments.push(environment);
    }
    return environments;
  }

  jobs(filter: { projectId?: DbtCloudId; environmentId?: DbtCloudId } = {}): AsyncIterable<CloudJob> {
    return this.#list(this.#v2('jobs/'), jobListQuery(filter), mapJob, {
      operation: 'list-jobs',
      subject: filter.projectId !== undefined ? `jobs of project ${filter.projectId}` : 'jobs',
    });
  }

  runs(filter: CloudRunFilter = {}): AsyncIterable<CloudRun> {
    return this.#list(this.#v2('runs/'), runListQuery(filter), (raw) => mapRun(raw), {
      operation: 'list-runs',
      subject: filter.jobId !== undefined ? `runs of job ${filter.jobId}` : 'runs',
    });
  }

  async run(runId: DbtCloudId): Promise<CloudRun> {
    const run = this.#id(runId, 'run');
    const body = await this.#adminGet(this.#v2(`runs/${run}/`), RUN_DETAIL_QUERY, {
      operation: 'get-run',
      subject: `run ${run}`,
    });
    return this.#mapped(() => mapRun(readEnvelopeData(body), { withSteps: true }));
  }

  async artifactPaths(runId: DbtCloudId, step?: number): Promise<string[] | null> {
    const run = this.#id(runId, 'run');
    const body = await this.#adminGet(this.#v2(`runs/${run}/artifacts/`), stepQuery(this.#step(step)), {
      operation: 'list-artifacts',
      subject: `run ${run}`,
    });
    return this.#mapped(() => readArtifactPaths(body));
  }

  async artifact(
    runId: DbtCloudId,
    path: string,
    options: DbtCloudArtifactOptions,
  ): Promise<Readable | null> {
    const run = this.#id(runId, 'run');
    const step = this.#step(options.step);
    const subject = `${path} of run ${run}${step === undefined ? '' : ` step ${step}`}`;
    const context: CallContext = { api: 'admin', operation: 'get-artifact', subject };
    const response = await this.#call(context, () =>
      this.#admin.stream({
        path: this.#v2(`runs/${run}/artifacts/${artifactPath(path)}`),
        query: stepQuery(step),
        allowStatuses: [404],
        operation: context.operation,
        signal: this.#signal,
      }),
    );
    if (response.status === 404) {
      discard(response.body);
      return null;
    }
    const length = Number(response.headers['content-length']);
    if (Number.isFinite(length) && length > options.maxBytes) {
      discard(response.body);
      throw tooLarge(subject, options.maxBytes);
    }
    return limitBytes(response.body, options.maxBytes, subject, this.#token);
  }

  environmentModels(environmentId: DbtCloudId): AsyncIterable<CloudModelExecution> {
    const environment = this.#id(environmentId, 'environment');
    const context: CallContext = {
      api: 'discovery',
      operation: 'discovery-models',
      subject: `environment ${environment}`,
    };
    const pages = paginate({
      signal: this.#signal,
      fetchPage: async (after: string | undefined) => {
        const body = await this.#discoveryQuery(
          ENVIRONMENT_MODELS_QUERY,
          environmentModelsVariables(environment, after),
          context,
        );
        const page = this.#mapped(() => readModelsPage(body));
        if (!page.environmentFound) {
          throw new DbtCloudError(
            'NOT_FOUND',
            `dbt Cloud's Discovery API has no environment ${environment} for this token. It may not exist, or the token may lack permission on its project. ${PERMISSIONS_HINT}`,
            { operation: context.operation, secrets: [this.#token] },
          );
        }
        return { ...page, models: this.#mapped(() => page.nodes.map(mapModelExecution)) };
      },
      getItems: (page) => page.models,
      getNextCursor: (page) => (page.hasNextPage ? page.endCursor : undefined),
    });
    return this.#guarded(pages, context);
  }

  async close(): Promise<void> {
    await Promise.all([this.#admin.close(), this.#discovery.close()]);
  }

  // ---- plumbing ----------------------------------------------------------------------------------------

  #v2(path: string): string {
    return `api/v2/accounts/${this.accountId}/${path}`;
  }

  #v3(path: string): string {
    return `api/v3/accounts/${this.accountId}/${path}`;
  }

  #id(value: DbtCloudId, what: string): string {
    const id = cloudId(value);
    if (id === null)
      throw new DbtCloudError('BAD_USER_INPUT', `Not a dbt Cloud ${what} id: ${JSON.stringify(value)}`);
    return id;
  }

  #step(step: number | undefined): number | undefined {
    if (step === undefined) return undefined;
    if (!Number.isInteger(step) || step < 1) {
      throw new DbtCloudError('BAD_USER_INPUT', `A run step is a positive integer, got ${step}`);
    }
    return step;
  }

  #list<T>(
    path: string,
    query: CloudQuery,
    map: (raw: unknown) => T,
    context: Omit<CallContext, 'api'>,
  ): AsyncIterable<T> {
    const items = paginateByOffset({
      pageSize: ADMIN_PAGE_SIZE,
      signal: this.#signal,
      fetchPage: async (offset, limit) => {
        const body = await this.#adminGet(path, { ...query, ...pageQuery(offset, limit) }, context);
        return this.#mapped(() => {
          const page = readListPage(body);
          return { items: page.items.map(map), totalCount: page.totalCount };
        });
      },
      getItems: (page) => page.items,
      getTotal: (page) => page.totalCount,
    });
    return this.#guarded(items, { ...context, api: 'admin' });
  }

  /** Turns errors of the paging helpers (a repeating cursor) into DbtCloudErrors. */
  async *#guarded<T>(source: AsyncIterable<T>, context: CallContext): AsyncGenerator<T, void, undefined> {
    try {
      yield* source;
    } catch (error) {
      throw this.#toError(error, context);
    }
  }

  #adminGet(path: string, query: CloudQuery, context: Omit<CallContext, 'api'>): Promise<unknown> {
    return this.#call({ ...context, api: 'admin' }, () =>
      this.#admin.getJson(path, { query, operation: context.operation, signal: this.#signal }),
    );
  }

  async #discoveryQuery(
    query: string,
    variables: Record<string, unknown>,
    context: Omit<CallContext, 'api'>,
  ): Promise<unknown> {
    const full: CallContext = { ...context, api: 'discovery' };
    const body = await this.#call(full, () =>
      this.#discovery.postJson(
        this.endpoints.discoveryUrl,
        { query, variables },
        // A GraphQL query changes nothing: safe to repeat after a timeout or a 5xx.
        { idempotent: true, operation: context.operation, signal: this.#signal },
      ),
    );
    const errors = readGraphqlErrors(body);
    const data = (body as { data?: Record<string, unknown> | null } | undefined)?.data;
    // A null environment is reported by the caller as NOT_FOUND; any other GraphQL error fails the call.
    const onlyMissingEnvironment = data?.environment === null;
    if (errors.length > 0 && !onlyMissingEnvironment) {
      const first = errors[0]!;
      const ours = first.code === 'GRAPHQL_VALIDATION_FAILED' || first.code === 'BAD_USER_INPUT';
      throw new DbtCloudError(
        ours ? 'INTERNAL' : 'UPSTREAM_UNAVAILABLE',
        `dbt Cloud's Discovery API failed on ${context.subject}: ${first.message}`,
        { operation: context.operation, upstreamMessage: first.message, secrets: [this.#token] },
      );
    }
    return body;
  }

  /**
   * Runs one request under the account's 429 cooldown: waits while it lasts, starts it on a 429, and repeats
   * the request once after it. Translates failures into DbtCloudErrors.
   */
  async #call<T>(context: CallContext, send: () => Promise<T>): Promise<T> {
    for (let rateLimited = 0; ;) {
      await this.#waitForCooldown();
      try {
        return await send();
      } catch (error) {
        if (isVendorHttpError(error) && error.status === 429) {
          const pauseMs = Math.max(this.#cooldownMs, error.retryAfterMs ?? 0);
          cooldowns.set(
            this.#cooldownKey,
            Math.max(cooldowns.get(this.#cooldownKey) ?? 0, Date.now() + pauseMs),
          );
          rateLimited += 1;
          if (rateLimited < 2) continue;
        }
        throw this.#toError(error, context);
      }
    }
  }

  async #waitForCooldown(): Promise<void> {
    const until = cooldowns.get(this.#cooldownKey);
    if (until === undefined) return;
    const waitMs = until - Date.now();
    if (waitMs <= 0) {
      cooldowns.delete(this.#cooldownKey);
      return;
    }
    await sleep(waitMs, this.#signal);
  }

  #mapped<T>(map: () => T): T {
    try {
      return map();
    } catch (error) {
      if (error instanceof DbtCloudError) throw error;
      throw new DbtCloudError('UPSTREAM_UNAVAILABLE', 'dbt Cloud sent an unexpected response', {
        cause: error,
      });
    }
  }

  #toError(error: unknown, context: CallContext): unknown {
    if (error instanceof DbtCloudError) return error;
    const secrets = [this.#token];
    if (!isVendorHttpError(error)) {
      if (this.#signal?.aborted && error === this.#signal.reason) return error;
      if (error instanceof Error && error.name === 'PaginationError') {
        return new DbtCloudError(
          'UPSTREAM_UNAVAILABLE',
          `dbt Cloud paged ${context.subject} inconsistently: ${error.message}`,
          {
            operation: context.operation,
            secrets,
          },
        );
      }
      return error;
    }
    const upstreamMessage = readUpstreamMessage(error.bodyExcerpt);
    const details = {
      status: error.status,
      upstreamMessage,
      retryAfterMs: error.retryAfterMs,
      operation: context.operation,
      secrets,
      cause: error,
    };
    // The host this call used is all the client knows: a legacy host answering 401 is the cell-based symptom.
    const url = context.api === 'admin' ? this.endpoints.adminBaseUrl : this.endpoints.discoveryUrl;
    const host = new URL(url).host;
    const said = upstreamMessage ?? `HTTP ${error.status}`;
    switch (error.status) {
      case 401:
        return new DbtCloudError(
          'UPSTREAM_AUTH_FAILED',
          unauthorizedMessage(upstreamMessage, host, isLegacyHost(url)),
          details,
        );
      case 403:
        return new DbtCloudError(
          'FORBIDDEN',
          `dbt Cloud refused access to ${context.subject} (${said}). ${PERMISSIONS_HINT}`,
          details,
        );
      case 404:
        return new DbtCloudError(
          'NOT_FOUND',
          `dbt Cloud found no ${context.subject} (${said}). It may not exist, or the token may lack permission on its project. ${PERMISSIONS_HINT}`,
          details,
        );
      case 429:
        return new DbtCloudError(
          'RATE_LIMITED',
          `dbt Cloud's rate limit was reached again after a ${Math.round(this.#cooldownMs / 1000)} s pause; another client is probably using this account's quota. Try again later`,
          { ...details, retryAfterMs: Math.max(this.#cooldownMs, error.retryAfterMs ?? 0) },
        );
      default:
        break;
    }
    if (error.code === 'UPSTREAM_UNAVAILABLE') {
      return new DbtCloudError(
        'UPSTREAM_UNAVAILABLE',
        `dbt Cloud is unavailable: ${unavailableDetail(error)}. Try again later`,
        details,
      );
    }
    if (error.status === 400 || error.status === 422) {
      // Our request was refused: on the Discovery API it is our query, on the Admin API a filter we built.
      return new DbtCloudError(
        'INTERNAL',
        `dbt Cloud rejected the request for ${context.subject} (${said})`,
        details,
      );
    }
    return new DbtCloudError(
      'INTERNAL',
      `dbt Cloud answered ${context.subject} unexpectedly (${said})`,
      details,
    );
  }
}

function unauthorizedMessage(upstreamMessage: string | undefined, host: string, legacyHost: boolean): string {
  if (upstreamMessage && /unpaid|not accessible/i.test(upstreamMessage)) {
    return `dbt Cloud refused API access (${upstreamMessage}). The dbt Cloud APIs need a paid plan (Starter or Enterprise); the Developer plan has no API access`;
  }
  const said = upstreamMessage ?? 'Invalid token.';
  if (legacyHost) {
    return `dbt Cloud rejected the token (${said}). If your account is cell-based, use its access URL (https://ACCOUNT_PREFIX.<region>.dbt.com), not ${host}`;
  }
  return `dbt Cloud rejected the token (${said}). Check that the token is active and belongs to this account, and that the access URL is the one in Account settings`;
}

function unavailableDetail(error: VendorHttpError): string {
  const attempts = error.attempts === 1 ? '1 attempt' : `${error.attempts} attempts`;
  const what =
    error.reason === 'status'
      ? `failed with HTTP ${error.status}`
      : error.reason === 'timeout'
        ? 'timed out'
        : error.reason === 'network'
          ? 'could not connect'
          : 'sent an invalid response';
  return `${error.method} ${error.path} ${what} after ${attempts}`;
}

/** Artifact paths are relative (`run/shop/models/a.sql`): each segment encoded, no way out of the run. */
function artifactPath(path: string): string {
  const segments = path.split('/');
  if (path === '' || segments.some((segment) => segment === '' || segment === '.' || segment === '..')) {
    throw new DbtCloudError('BAD_USER_INPUT', `Not an artifact path: ${JSON.stringify(path)}`);
  }
  return segments.map(encodeURIComponent).join('/');
}

/** Drops a body we will not read; undici reports the abort as an error, which nobody needs. */
function discard(body: Readable): void {
  body.on('error', () => undefined);
  body.destroy();
}

function tooLarge(subject: string, maxBytes: number): DbtCloudError {
  return new DbtCloudError(
    'BAD_USER_INPUT',
    `The dbt Cloud artifact ${subject} is larger than the ${maxBytes} bytes allowed`,
  );
}

/** Passes the body through, failing it once more than `maxBytes` went by; errors become DbtCloudErrors. */
function limitBytes(body: Readable, maxBytes: number, subject: string, token: string): Readable {
  let received = 0;
  const limiter = new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      received += chunk.length;
      if (received > maxBytes) callback(tooLarge(subject, maxBytes));
      else callback(null, chunk);
    },
  });
  body.on('error', (error: Error & { code?: string }) => {
    limiter.destroy(
      new DbtCloudError(
        'UPSTREAM_UNAVAILABLE',
        `dbt Cloud stopped sending ${subject}${error.code ? ` (${error.code})` : ''}. Try again later`,
        { secrets: [token], cause: error },
      ),
    );
  });
  // A consumer that stops reading early must not leave the connection open.
  limiter.on('close', () => body.destroy());
  body.pipe(limiter);
  return limiter;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
