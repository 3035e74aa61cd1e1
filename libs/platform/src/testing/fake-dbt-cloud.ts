import type { IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import {
  Kind,
  parse,
  valueFromASTUntyped,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { Agent } from 'undici';
import {
  FakeUpstream,
  isFakeResponse,
  reply,
  type FakeDelayOptions,
  type FakeRequest,
  type FakeResponse,
} from './fake-upstream.js';

// A fake dbt Cloud (Admin API v2/v3 + Discovery GraphQL API) on 127.0.0.1, built on FakeUpstream. It serves
// the current wire shapes of research/dbt.md §9/§11 (integer ids and statuses, space-separated run
// timestamps, `T`-separated job timestamps, the `{status, data, extra}` envelope) from a scenario that a test
// configures, and reproduces the behaviours a client gets wrong: trailing-slash redirects, the 5-minute 429
// cooldown, 404s that mean "no permission", cell-based accounts refused on the legacy host, per-step
// artifacts where the final `dbt docs generate` step replaces run_results.json.
//
// Legacy host simulation: the fake decides by the request's `Host` header. A request whose host name is a
// legacy multi-tenant host (`cloud.getdbt.com`, `emea.dbt.com`, `au.dbt.com`, or their `metadata.` Discovery
// hosts) is answered `401 Invalid token.` when the token belongs to a `cellBased` account, exactly as the real
// legacy host does. A client under test points its access URL at `http://cloud.getdbt.com` and sends its
// requests through `cloud.dispatcher()`, which connects every host name to this fake; the client can then
// only tell the situation apart by the host it used, as in production.

export type FakeDbtRunStatus = 1 | 2 | 3 | 10 | 20 | 30;

export interface FakeDbtTokenAccess {
  /** Projects the token may read: all of the account's, or a list of project ids (a per-project Job Viewer). */
  projects: 'all' | readonly number[];
  /** false: a "Metadata Only" token, refused (403) by the Admin API. Default true. */
  adminApi?: boolean;
  /** false: a token without the Metadata Only permission, refused (403) by the Discovery API. Default true. */
  discoveryApi?: boolean;
}

export interface FakeDbtAccountOptions {
  id: number;
  name: string;
  tokens: Record<string, FakeDbtTokenAccess>;
  /** A cell-based account (ACCOUNT_PREFIX.us1.dbt.com): its tokens get `401 Invalid token.` on legacy hosts. */
  cellBased?: boolean;
  /** `developer` is the free plan: every API answers `401 The API is not accessible to unpaid accounts.` */
  plan?: 'developer' | 'team' | 'enterprise';
}

export interface FakeDbtProjectOptions {
  id: number;
  name: string;
  /** Account of the project; default the account registered last. */
  accountId?: number;
  /** `connection.type`: postgres, redshift, snowflake, bigquery, adapter. Default snowflake. */
  connectionType?: string;
  /** `connection.adapter_version` for `adapter` connections (databricks_v0, trino_v0, …). */
  adapterVersion?: string | null;
  description?: string | null;
  docsJobId?: number | null;
  freshnessJobId?: number | null;
  dbtProjectSubdirectory?: string | null;
  /** 1: deleted. Default 1 (active); 2 hides it from default lists. */
  state?: 1 | 2;
}

export interface FakeDbtEnvironmentOptions {
  id: number;
  projectId: number;
  name: string;
  deploymentType?: 'production' | 'staging' | null;
  type?: 'deployment' | 'development';
  dbtVersion?: string;
  state?: 1 | 2;
}

export interface FakeDbtJobOptions {
  id: number;
  projectId: number;
  environmentId: number;
  name: string;
  generateDocs?: boolean;
  runGenerateSources?: boolean;
  executeSteps?: readonly string[];
  cron?: string | null;
  /** 1 active (default), 2 deleted. */
  state?: 1 | 2;
  jobType?: 'ci' | 'scheduled' | 'other' | 'merge';
  description?: string;
  createdAt?: Date | string;
}

/** An artifact body: objects are served as JSON, strings and buffers as they are. */
export type FakeDbtArtifact = object | string | Buffer;

export interface FakeDbtRunStepOptions {
  /** `Invoke dbt with \`dbt build\``, `Clone Git Repository`, … */
  name: string;
  /** Default: success, except the last given step of an errored (20) or cancelled (30) run. */
  status?: FakeDbtRunStatus;
  /** Files the step wrote to `target/` (`run_results.json`, `manifest.json`, `catalog.json`, `sources.json`). */
  artifacts?: Record<string, FakeDbtArtifact>;
  logs?: string;
}

export interface FakeDbtRunOptions {
  id: number;
  jobId: number;
  status: FakeDbtRunStatus;
  createdAt: Date | string;
  startedAt?: Date | string | null;
  finishedAt?: Date | string | null;
  gitSha?: string | null;
  gitBranch?: string | null;
  dbtVersion?: string;
  statusMessage?: string | null;
  /** The dbt steps, in order. Default: one `Invoke dbt with \`<cmd>\`` step per job execute step. */
  steps?: readonly FakeDbtRunStepOptions[];
  /**
   * Prepend `Clone Git Repository`, `Create Profile from Connection <Type>` and `Invoke dbt with \`dbt deps\``
   * (no artifacts), so dbt commands start at step 4 as in real runs. Default true.
   */
  setupSteps?: boolean;
  /**
   * Files of the `dbt docs generate` step the fake appends when the job has `generateDocs` and `steps` has
   * none: `catalog.json` here; `manifest.json` defaults to the last step's, `run_results.json` to the last
   * step's results rewritten as dbt docs generate writes them (all success, `args.which = "generate"`).
   */
  docsArtifacts?: Record<string, FakeDbtArtifact>;
  /** Default: the job generates docs and the run succeeded. */
  hasDocsGenerated?: boolean;
  /** Default: some step wrote `sources.json`. */
  hasSourcesGenerated?: boolean;
  /** false: the run kept no artifacts (the list is `data: null`). Default true. */
  artifactsSaved?: boolean;
  triggerCause?: string;
  triggerCauseCategory?: string;
}

export interface FakeDbtFailOptions {
  /** A concrete path, a route pattern (`/api/v2/accounts/:accountId/runs/`), or a RegExp on the path. */
  path?: string | RegExp;
  method?: string;
  status: number;
  /** Number of matching requests to fail; default 1. `Infinity` until `stop()`. */
  times?: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface FakeDbtRateLimitOptions {
  requestsPerMinute: number;
  /** Window the requests are counted in; default one minute. */
  windowMs?: number;
}

/** A request as the fake answered it. */
export interface FakeDbtRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  searchParams: URLSearchParams;
  /** The `Host` header (with port when the client sent one). */
  host: string | undefined;
  /** Lower-case names, as Node gives them. */
  headers: IncomingHttpHeaders;
  /** The token of the `Authorization` header, if any. */
  token: string | undefined;
  api: 'admin' | 'discovery' | 'other';
  /** Route pattern that served it. */
  route: string | undefined;
  body: unknown;
  /** Status the fake answered with. */
  status: number;
  receivedAt: Date;
  answeredAt: Date;
}

/** Applied-state nodes as the Discovery API returns them (camelCase, `executionInfo`, …). */
export type FakeDiscoveryNode = Record<string, unknown>;

const ADMIN_NOT_FOUND_MESSAGE =
  'The requested resource was not found. Please check that you have the proper permissions.';
const UNPAID_MESSAGE = 'The API is not accessible to unpaid accounts.';
const LEGACY_HOSTS = new Set([
  'cloud.getdbt.com',
  'emea.dbt.com',
  'au.dbt.com',
  'metadata.cloud.getdbt.com',
  'metadata.emea.dbt.com',
  'metadata.au.dbt.com',
]);
const STATUS_HUMANIZED: Record<number, string> = {
  1: 'Queued',
  2: 'Starting',
  3: 'Running',
  10: 'Success',
  20: 'Error',
  30: 'Cancelled',
};
const STATUS_COLORS: Record<number, string> = {
  1: 'gray',
  2: 'gray',
  3: 'blue',
  10: 'green',
  20: 'red',
  30: 'gray',
};
const TERMINAL_STATUSES = new Set([10, 20, 30]);
const DISCOVERY_MAX_FIRST = 500;
const ADMIN_MAX_LIMIT = 100;
const DOCS_STEP_NAME = 'Invoke dbt with `dbt docs generate`';

interface AccountState {
  id: number;
  name: string;
  tokens: Map<string, FakeDbtTokenAccess>;
  cellBased: boolean;
  plan: 'developer' | 'team' | 'enterprise';
}

interface StepState {
  index: number;
  name: string;
  status: FakeDbtRunStatus;
  artifacts: Map<string, FakeDbtArtifact>;
  logs: string;
}

interface RunState {
  options: FakeDbtRunOptions;
  steps: StepState[];
  hasDocsGenerated: boolean;
  hasSourcesGenerated: boolean;
}

interface DiscoveryState {
  models: FakeDiscoveryNode[];
  sources: FakeDiscoveryNode[];
  tests: FakeDiscoveryNode[];
  seeds: FakeDiscoveryNode[];
  snapshots: FakeDiscoveryNode[];
  exposures: FakeDiscoveryNode[];
}

interface Caller {
  token: string;
  account: AccountState;
  access: FakeDbtTokenAccess;
}

interface ScriptedFault {
  options: FakeDbtFailOptions;
  remaining: number;
}

type Api = FakeDbtRequest['api'];
type Handler = (request: FakeRequest, caller: Caller) => FakeResponse;
type Wire = Record<string, unknown>;

/** Thrown inside a handler to answer with the Admin API error envelope. */
class AdminError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Thrown inside a Discovery resolver: the field becomes null and the message goes to `errors`. */
class DiscoveryFieldError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

export class FakeDbtCloud {
  /** The underlying generic fake, for scripted connection resets and other low-level faults. */
  readonly upstream = new FakeUpstream();
  /** Every request, in order, with the status the fake answered. */
  readonly requests: FakeDbtRequest[] = [];
  /** Scenario setters for the Discovery API's applied state, per environment. */
  readonly discovery = {
    environmentModels: (environmentId: number, nodes: readonly FakeDiscoveryNode[]): FakeDbtCloud =>
      this.#setDiscovery(environmentId, 'models', nodes),
    environmentSources: (environmentId: number, nodes: readonly FakeDiscoveryNode[]): FakeDbtCloud =>
      this.#setDiscovery(environmentId, 'sources', nodes),
    environmentTests: (environmentId: number, nodes: readonly FakeDiscoveryNode[]): FakeDbtCloud =>
      this.#setDiscovery(environmentId, 'tests', nodes),
    environmentSeeds: (environmentId: number, nodes: readonly FakeDiscoveryNode[]): FakeDbtCloud =>
      this.#setDiscovery(environmentId, 'seeds', nodes),
    environmentSnapshots: (environmentId: number, nodes: readonly FakeDiscoveryNode[]): FakeDbtCloud =>
      this.#setDiscovery(environmentId, 'snapshots', nodes),
    environmentExposures: (environmentId: number, nodes: readonly FakeDiscoveryNode[]): FakeDbtCloud =>
      this.#setDiscovery(environmentId, 'exposures', nodes),
  };

  readonly #accounts = new Map<number, AccountState>();
  readonly #projects = new Map<number, FakeDbtProjectOptions & { accountId: number }>();
  readonly #environments = new Map<number, FakeDbtEnvironmentOptions>();
  readonly #jobs = new Map<number, FakeDbtJobOptions>();
  readonly #runs = new Map<number, RunState>();
  readonly #discovery = new Map<number, DiscoveryState>();
  readonly #agents: Agent[] = [];
  #faults: ScriptedFault[] = [];
  #rateLimit: FakeDbtRateLimitOptions | undefined;
  #hits: number[] = [];
  #cooldownMs = 5 * 60_000;
  #cooldownUntil = 0;

  constructor() {
    this.#registerRoutes();
  }

  /** Starts listening on 127.0.0.1; returns the base URL (`http://127.0.0.1:PORT`), Admin and Discovery alike. */
  start(): Promise<string> {
    return this.upstream.start();
  }

  async stop(): Promise<void> {
    const agents = this.#agents.splice(0);
    await Promise.all(agents.map((agent) => agent.close()));
    await this.upstream.stop();
  }

  get baseUrl(): string {
    return this.upstream.baseUrl;
  }

  /** The Discovery endpoint on this server (`<baseUrl>/graphql`). */
  get discoveryUrl(): string {
    return `${this.baseUrl}/graphql`;
  }

  /**
   * An undici dispatcher that connects every host name to this fake, so a client can use a real-looking
   * access URL (`http://cloud.getdbt.com`) and the fake sees that `Host`. Closed by `stop()`.
   */
  dispatcher(): Agent {
    const port = Number(new URL(this.baseUrl).port);
    const agent = new Agent({
      connect: (_options, callback) => {
        const socket = connect({ host: '127.0.0.1', port });
        const onError = (error: Error): void => callback(error, null);
        socket.once('error', onError);
        socket.once('connect', () => {
          socket.off('error', onError);
          callback(null, socket);
        });
      },
    });
    this.#agents.push(agent);
    return agent;
  }

  // ---- scenario ------------------------------------------------------------------------------------------

  account(options: FakeDbtAccountOptions): this {
    this.#accounts.set(options.id, {
      id: options.id,
      name: options.name,
      tokens: new Map(Object.entries(options.tokens)),
      cellBased: options.cellBased ?? false,
      plan: options.plan ?? 'enterprise',
    });
    return this;
  }

  project(options: FakeDbtProjectOptions): this {
    const accountId = options.accountId ?? [...this.#accounts.keys()].at(-1);
    if (accountId === undefined) throw new Error('FakeDbtCloud.project: register an account first');
    this.#projects.set(options.id, { ...options, accountId });
    return this;
  }

  environment(options: FakeDbtEnvironmentOptions): this {
    this.#requireProject(options.projectId, 'environment');
    this.#environments.set(options.id, options);
    return this;
  }

  job(options: FakeDbtJobOptions): this {
    this.#requireProject(options.projectId, 'job');
    if (!this.#environments.has(options.environmentId)) {
      throw new Error(`FakeDbtCloud.job: unknown environment ${options.environmentId}`);
    }
    this.#jobs.set(options.id, options);
    return this;
  }

  run(options: FakeDbtRunOptions): this {
    const job = this.#jobs.get(options.jobId);
    if (!job) throw new Error(`FakeDbtCloud.run: unknown job ${options.jobId}`);
    const project = this.#projects.get(job.projectId)!;
    const given: FakeDbtRunStepOptions[] = options.steps
      ? [...options.steps]
      : (job.executeSteps ?? ['dbt build']).map((command) => ({ name: `Invoke dbt with \`${command}\`` }));
    // A queued or starting run has no steps yet; a running one is in its last given step; an errored or
    // cancelled one stopped at its last given step.
    const started = options.status !== 1 && options.status !== 2;
    const steps: StepState[] = [];
    const add = (step: FakeDbtRunStepOptions, status: FakeDbtRunStatus): void => {
      steps.push({
        index: steps.length + 1,
        name: step.name,
        status: step.status ?? status,
        artifacts: new Map(Object.entries(step.artifacts ?? {})),
        logs: step.logs ?? `${step.name}\n`,
      });
    };
    if (started && (options.setupSteps ?? true)) {
      add({ name: 'Clone Git Repository' }, 10);
      add(
        { name: `Create Profile from Connection ${capitalise(project.connectionType ?? 'snowflake')}` },
        10,
      );
      add({ name: 'Invoke dbt with `dbt deps`' }, 10);
    }
    if (started) {
      given.forEach((step, position) => add(step, position === given.length - 1 ? options.status : 10));
    }
    const hasDocsStep = given.some((step) => step.name === DOCS_STEP_NAME);
    const hasDocsGenerated = options.hasDocsGenerated ?? (!!job.generateDocs && options.status === 10);
    if (started && job.generateDocs && !hasDocsStep && (hasDocsGenerated || options.docsArtifacts)) {
      add({ name: DOCS_STEP_NAME, artifacts: docsStepArtifacts(given, options.docsArtifacts) }, 10);
    }
    const hasSourcesGenerated =
      options.hasSourcesGenerated ?? steps.some((step) => step.artifacts.has('sources.json'));
    this.#runs.set(options.id, { options, steps, hasDocsGenerated, hasSourcesGenerated });
    return this;
  }

  // ---- faults --------------------------------------------------------------------------------------------

  /**
   * Counts requests per window (all APIs together); past `requestsPerMinute` the fake answers 429 and enters
   * the cooldown. `rateLimit(undefined)` removes the limit.
   */
  rateLimit(options: FakeDbtRateLimitOptions | undefined): this {
    this.#rateLimit = options;
    this.#hits = [];
    return this;
  }

  /** Length of the window after a 429 during which every request gets 429 (dbt Cloud: 5 minutes). */
  cooldown429(ms: number = 5 * 60_000): this {
    this.#cooldownMs = ms;
    return this;
  }

  /** Whether the fake is in a 429 cooldown now. */
  get coolingDown(): boolean {
    return Date.now() < this.#cooldownUntil;
  }

  /** Answers matching requests with `status` (a 429 also starts the cooldown). */
  fail(options: FakeDbtFailOptions): this {
    this.#faults.push({ options, remaining: options.times ?? 1 });
    return this;
  }

  /** Slows responses down (see FakeUpstream.delay); `delay(0)` removes every delay. */
  delay(ms: number, options: FakeDelayOptions = {}): this {
    this.upstream.delay(ms, options);
    return this;
  }

  /** Requests for a method and a concrete path, a route pattern (`:id`, `*`) or a RegExp. */
  requestsTo(method: string, path: string | RegExp): FakeDbtRequest[] {
    const upperMethod = method.toUpperCase();
    const matches = pathMatcher(path);
    return this.requests.filter(
      (request) => request.method === upperMethod && (matches(request.path) || request.route === path),
    );
  }

  /** Forgets the request log, faults, delays and the cooldown; keeps the scenario. */
  resetRequests(): void {
    this.requests.length = 0;
    this.upstream.reset();
    this.#faults = [];
    this.#hits = [];
    this.#cooldownUntil = 0;
  }

  // ---- pipeline ------------------------------------------------------------------------------------------

  #register(method: string, pattern: string, api: 'admin' | 'discovery', handler: Handler): void {
    this.#registerRaw(method, pattern, api, (request) => {
      const caller = this.#authenticate(request, api);
      return isFakeResponse(caller) ? caller : handler(request, caller);
    });
  }

  /** Every route goes through here: cooldown, scripted faults, rate limit, then the handler; all logged. */
  #registerRaw(
    method: string,
    pattern: string,
    api: Api,
    handler: (request: FakeRequest) => FakeResponse,
  ): void {
    this.upstream.route(method, pattern, (request) => {
      const response = this.#answer(request, api, handler);
      this.requests.push({
        method: request.method,
        path: request.path,
        query: request.query,
        searchParams: request.searchParams,
        host: request.headers.host,
        headers: request.headers,
        token: tokenOf(request),
        api,
        route: request.route,
        body: request.body,
        status: response.status,
        receivedAt: request.receivedAt,
        answeredAt: new Date(),
      });
      return response;
    });
  }

  #answer(request: FakeRequest, api: Api, handler: (request: FakeRequest) => FakeResponse): FakeResponse {
    const now = Date.now();
    if (now < this.#cooldownUntil) return this.#tooManyRequests(api, now);
    const fault = this.#takeFault(request);
    if (fault) {
      if (fault.status === 429) return this.#startCooldown(api, now, fault);
      return reply.status(
        fault.status,
        fault.body ?? errorBody(api, fault.status, defaultMessage(fault.status)),
        fault.headers ?? {},
      );
    }
    if (this.#rateLimit) {
      const windowMs = this.#rateLimit.windowMs ?? 60_000;
      this.#hits = this.#hits.filter((hit) => hit > now - windowMs);
      this.#hits.push(now);
      if (this.#hits.length > this.#rateLimit.requestsPerMinute) return this.#startCooldown(api, now);
    }
    try {
      return handler(request);
    } catch (error) {
      if (error instanceof AdminError) {
        return reply.json(errorBody(api, error.status, error.message), error.status);
      }
      throw error;
    }
  }

  #startCooldown(api: Api, now: number, fault?: FakeDbtFailOptions): FakeResponse {
    this.#cooldownUntil = now + this.#cooldownMs;
    // The cooldown is the penalty: afterwards the window starts empty.
    this.#hits = [];
    return this.#tooManyRequests(api, now, fault);
  }

  #tooManyRequests(api: Api, now: number, fault?: FakeDbtFailOptions): FakeResponse {
    const seconds = Math.max(1, Math.ceil((this.#cooldownUntil - now) / 1000));
    return reply.status(
      429,
      fault?.body ?? errorBody(api, 429, 'Too many requests. Please try again later.'),
      { 'retry-after': String(seconds), ...fault?.headers },
    );
  }

  #takeFault(request: FakeRequest): FakeDbtFailOptions | undefined {
    const index = this.#faults.findIndex(
      ({ options }) =>
        (!options.method || options.method.toUpperCase() === request.method) &&
        (!options.path || pathMatcher(options.path)(request.path) || options.path === request.route),
    );
    if (index === -1) return undefined;
    const fault = this.#faults[index]!;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.#faults.splice(index, 1);
    return fault.options;
  }

  #authenticate(request: FakeRequest, api: Api): Caller | FakeResponse {
    const token = tokenOf(request);
    const unauthorized = (message: string): FakeResponse =>
      reply.json(errorBody(api, 401, message), 401, { 'www-authenticate': 'Token' });
    if (!token) return unauthorized('Invalid token.');
    let found: Caller | undefined;
    for (const account of this.#accounts.values()) {
      const access = account.tokens.get(token);
      if (access) found = { token, account, access };
    }
    if (!found) return unauthorized('Invalid token.');
    // The legacy multi-tenant host does not know the tokens of cell-based accounts.
    if (found.account.cellBased && LEGACY_HOSTS.has(hostName(request.headers.host))) {
      return unauthorized('Invalid token.');
    }
    if (found.account.plan === 'developer') return unauthorized(UNPAID_MESSAGE);
    if (api === 'admin' && found.access.adminApi === false) {
      return reply.json(errorBody(api, 403, 'You do not have permission to perform this action.'), 403);
    }
    if (api === 'discovery' && found.access.discoveryApi === false) {
      return reply.json(errorBody(api, 403, 'Forbidden: the token lacks the Metadata Only permission.'), 403);
    }
    return found;
  }

  // ---- routes --------------------------------------------------------------------------------------------

  #registerRoutes(): void {
    for (const version of ['v2', 'v3']) {
      const base = `/api/${version}/accounts`;
      this.#register('GET', `${base}/`, 'admin', (request, caller) =>
        this.#list(request, caller, [this.#accountWire(caller.account)], { orderBy: 'id' }),
      );
      this.#register('GET', `${base}/:accountId/`, 'admin', (request, caller) =>
        envelope(this.#accountWire(this.#account(request, caller))),
      );
      this.#register('GET', `${base}/:accountId/projects/`, 'admin', (request, caller) => {
        const account = this.#account(request, caller);
        const projects = [...this.#projects.values()]
          .filter((project) => project.accountId === account.id && canRead(caller, project.id))
          .map((project) => this.#projectWire(project.id, request));
        return this.#list(request, caller, projects, { state: true });
      });
      this.#register('GET', `${base}/:accountId/projects/:projectId/`, 'admin', (request, caller) => {
        this.#account(request, caller);
        return envelope(this.#projectWire(this.#readableProject(request, caller).id, request));
      });
      this.#register('GET', `${base}/:accountId/environments/`, 'admin', (request, caller) => {
        const account = this.#account(request, caller);
        return this.#list(request, caller, this.#environmentWires(account, caller), {
          state: true,
          filters: ['project_id', 'deployment_type', 'type'],
        });
      });
      this.#register('GET', `${base}/:accountId/environments/:environmentId/`, 'admin', (request, caller) => {
        this.#account(request, caller);
        return envelope(
          this.#environmentWire(this.#readableEnvironment(request.params.environmentId, caller)),
        );
      });
    }
    const v3 = '/api/v3/accounts/:accountId';
    this.#register('GET', `${v3}/projects/:projectId/environments/`, 'admin', (request, caller) => {
      const account = this.#account(request, caller);
      const project = this.#readableProject(request, caller);
      const environments = this.#environmentWires(account, caller).filter(
        (environment) => environment.project_id === project.id,
      );
      return this.#list(request, caller, environments, { state: true, filters: ['deployment_type', 'type'] });
    });
    this.#register(
      'GET',
      `${v3}/projects/:projectId/environments/:environmentId/`,
      'admin',
      (request, caller) => {
        this.#account(request, caller);
        const project = this.#readableProject(request, caller);
        const environment = this.#readableEnvironment(request.params.environmentId, caller);
        if (environment.projectId !== project.id) throw new AdminError(404, ADMIN_NOT_FOUND_MESSAGE);
        return envelope(this.#environmentWire(environment));
      },
    );

    const v2 = '/api/v2/accounts/:accountId';
    this.#register('GET', `${v2}/jobs/`, 'admin', (request, caller) => {
      const account = this.#account(request, caller);
      this.#checkProjectFilter(request, caller);
      const jobs = [...this.#jobs.values()]
        .filter(
          (job) =>
            this.#projects.get(job.projectId)?.accountId === account.id && canRead(caller, job.projectId),
        )
        .map((job) => this.#jobWire(job, request));
      return this.#list(request, caller, jobs, {
        state: true,
        filters: ['project_id', 'environment_id', 'name__icontains'],
      });
    });
    this.#register('GET', `${v2}/jobs/:jobId/`, 'admin', (request, caller) => {
      this.#account(request, caller);
      return envelope(this.#jobWire(this.#readableJob(request.params.jobId, caller), request));
    });
    this.#register('POST', `${v2}/jobs/:jobId/run/`, 'admin', (request, caller) => {
      this.#account(request, caller);
      const job = this.#readableJob(request.params.jobId, caller);
      const id = Math.max(0, ...this.#runs.keys()) + 1;
      const cause = (request.body as { cause?: unknown } | undefined)?.cause;
      this.run({
        id,
        jobId: job.id,
        status: 1,
        createdAt: new Date(),
        steps: [],
        setupSteps: false,
        triggerCause: typeof cause === 'string' ? cause : 'api',
        triggerCauseCategory: 'api',
      });
      return envelope(this.#runWire(this.#runs.get(id)!, request, new Set(['trigger', 'job'])));
    });
    this.#register('GET', `${v2}/jobs/:jobId/artifacts/*`, 'admin', (request, caller) => {
      this.#account(request, caller);
      const job = this.#readableJob(request.params.jobId, caller);
      const path = request.params['*']!;
      // "The latest artifact for that job": the newest successful run whose last step has the file.
      const run = [...this.#runs.values()]
        .filter((candidate) => candidate.options.jobId === job.id && candidate.options.status === 10)
        .sort((left, right) => right.options.id - left.options.id)
        .find((candidate) => artifactAt(candidate, candidate.steps.length, path) !== undefined);
      if (!run) throw new AdminError(404, ADMIN_NOT_FOUND_MESSAGE);
      return artifactResponse(path, artifactAt(run, run.steps.length, path)!);
    });
    this.#register('GET', `${v2}/runs/`, 'admin', (request, caller) => {
      const account = this.#account(request, caller);
      this.#checkProjectFilter(request, caller);
      const include = new Set(listValues(request.searchParams, 'include_related') ?? []);
      const runs = [...this.#runs.values()]
        .filter((run) => {
          const job = this.#jobs.get(run.options.jobId)!;
          return (
            this.#projects.get(job.projectId)?.accountId === account.id && canRead(caller, job.projectId)
          );
        })
        .map((run) => this.#runWire(run, request, include));
      return this.#list(request, caller, runs, {
        filters: [
          'project_id',
          'environment_id',
          'job_definition_id',
          'status',
          'status__in',
          'id__gt',
          'id__lt',
          'has_docs_generated',
          'has_sources_generated',
        ],
      });
    });
    this.#register('GET', `${v2}/runs/:runId/`, 'admin', (request, caller) => {
      this.#account(request, caller);
      const run = this.#readableRun(request.params.runId, caller);
      const include = new Set(listValues(request.searchParams, 'include_related') ?? []);
      return envelope(this.#runWire(run, request, include));
    });
    this.#register('GET', `${v2}/runs/:runId/artifacts/*`, 'admin', (request, caller) => {
      this.#account(request, caller);
      const run = this.#readableRun(request.params.runId, caller);
      const step = stepOf(request, run);
      const path = request.params['*']!;
      if (path === '') {
        // The list: `data: null` (not `[]`) when the run kept nothing, as dbt-mcp found.
        const paths = run.options.artifactsSaved === false ? [] : artifactPathsAt(run, step);
        return envelope(paths.length === 0 ? null : paths);
      }
      const artifact = run.options.artifactsSaved === false ? undefined : artifactAt(run, step, path);
      if (artifact === undefined) throw new AdminError(404, ADMIN_NOT_FOUND_MESSAGE);
      return artifactResponse(path, artifact);
    });

    this.#register('POST', '/graphql', 'discovery', (request, caller) => this.#graphql(request, caller));
    this.#register('POST', '/graphql/', 'discovery', (request, caller) => this.#graphql(request, caller));

    // Unknown paths. Django's APPEND_SLASH: a GET without the slash is redirected; a POST cannot be, so the
    // client follows as GET and the POST-only endpoint answers 405 — which the fake answers directly.
    this.#registerRaw('GET', '/api/*', 'other', (request) => {
      if (!request.path.endsWith('/')) {
        const search = request.searchParams.toString();
        return reply.empty(301, { location: `${request.path}/${search ? `?${search}` : ''}` });
      }
      return reply.json(errorBody('admin', 404, 'The requested resource was not found.'), 404);
    });
    this.#registerRaw('POST', '/api/*', 'other', (request) => {
      if (!request.path.endsWith('/')) return reply.json({ detail: 'Method "GET" not allowed.' }, 405);
      return reply.json(errorBody('admin', 404, 'The requested resource was not found.'), 404);
    });
  }

  // ---- admin helpers -------------------------------------------------------------------------------------

  #account(request: FakeRequest, caller: Caller): AccountState {
    const accountId = Number(request.params.accountId);
    if (accountId !== caller.account.id) throw new AdminError(404, ADMIN_NOT_FOUND_MESSAGE);
    return caller.account;
  }

  #readableProject(request: FakeRequest, caller: Caller): FakeDbtProjectOptions & { accountId: number } {
    const project = this.#projects.get(Number(request.params.projectId));
    if (!project || project.accountId !== caller.account.id || !canRead(caller, project.id)) {
      throw new AdminError(404, ADMIN_NOT_FOUND_MESSAGE);
    }
    return project;
  }

  #readableEnvironment(id: string | undefined, caller: Caller): FakeDbtEnvironmentOptions {
    const environment = this.#environments.get(Number(id));
    if (!environment || !this.#ownsProject(caller, environment.projectId)) {
      throw new AdminError(404, ADMIN_NOT_FOUND_MESSAGE);
    }
    return environment;
  }

  #readableJob(id: string | undefined, caller: Caller): FakeDbtJobOptions {
    const job = this.#jobs.get(Number(id));
    if (!job || !this.#ownsProject(caller, job.projectId)) throw new AdminError(404, ADMIN_NOT_FOUND_MESSAGE);
    return job;
  }

  #readableRun(id: string | undefined, caller: Caller): RunState {
    const run = this.#runs.get(Number(id));
    if (!run || !this.#ownsProject(caller, this.#jobs.get(run.options.jobId)!.projectId)) {
      throw new AdminError(404, ADMIN_NOT_FOUND_MESSAGE);
    }
    return run;
  }

  #ownsProject(caller: Caller, projectId: number): boolean {
    return this.#projects.get(projectId)?.accountId === caller.account.id && canRead(caller, projectId);
  }

  /** A list filtered on a project the token cannot read is a 404, like a detail request. */
  #checkProjectFilter(request: FakeRequest, caller: Caller): void {
    for (const value of listValues(request.searchParams, 'project_id') ?? []) {
      const projectId = Number(value);
      if (this.#projects.has(projectId) && !this.#ownsProject(caller, projectId)) {
        throw new AdminError(404, ADMIN_NOT_FOUND_MESSAGE);
      }
    }
  }

  #requireProject(projectId: number, what: string): void {
    if (!this.#projects.has(projectId)) throw new Error(`FakeDbtCloud.${what}: unknown project ${projectId}`);
  }

  #list(
    request: FakeRequest,
    caller: Caller,
    items: Wire[],
    options: { state?: boolean; filters?: readonly string[]; orderBy?: string },
  ): FakeResponse {
    const params = request.searchParams;
    const applied: Record<string, unknown> = {};
    let selected = items;
    if (options.state) {
      const state = params.get('state') ?? 'active';
      applied.state = state;
      if (state === 'active' || state === '1') selected = selected.filter((item) => item.state === 1);
      else if (state === 'deleted' || state === '2') selected = selected.filter((item) => item.state === 2);
      else if (state !== 'all') throw new AdminError(400, `Invalid state filter: ${state}`);
    }
    for (const filter of options.filters ?? []) {
      const values = listValues(params, filter);
      if (values === undefined) continue;
      const result = applyFilter(selected, filter, values);
      applied[filter] = result.echo;
      selected = result.items;
    }
    const orderBy = params.get('order_by') ?? options.orderBy ?? 'id';
    const field = orderBy.replace(/^-/, '');
    if (selected.length > 0 && !(field in selected[0]!)) {
      throw new AdminError(400, `Invalid order_by field: ${orderBy}`);
    }
    const sorted = [...selected].sort((left, right) => {
      const order = compareValues(left[field], right[field]);
      const byId = compareValues(left.id, right.id);
      return (orderBy.startsWith('-') ? -order : order) || byId;
    });
    const limit = clampLimit(params.get('limit'));
    const page = request.paginate(sorted, { pageSize: limit, style: 'offset' });
    return reply.json({
      status: successStatus(),
      data: page.items,
      extra: {
        filters: { ...applied, limit: page.limit, offset: page.offset, account_id: caller.account.id },
        order_by: orderBy,
        pagination: { count: page.items.length, total_count: page.total },
      },
    });
  }

  // ---- wire shapes ---------------------------------------------------------------------------------------

  #accountWire(account: AccountState): Wire {
    return {
      id: account.id,
      name: account.name,
      state: 1,
      plan: account.plan,
      pending_cancel: false,
      run_slots: 5,
      developer_seats: 4,
      read_only_seats: 50,
      locked: false,
      identifier: `act${account.id}`,
      docs_job_id: null,
      freshness_job_id: null,
      created_at: tTimestamp(new Date('2021-09-06T07:41:12.146Z')),
      updated_at: tTimestamp(new Date('2024-03-07T06:05:33.350Z')),
    };
  }

  #projectWire(projectId: number, request: FakeRequest): Wire {
    const project = this.#projects.get(projectId)!;
    const include = new Set(listValues(request.searchParams, 'include_related') ?? []);
    const connectionType = project.connectionType ?? 'snowflake';
    const connectionId = project.id * 10 + 1;
    const repositoryId = project.id * 10 + 2;
    return {
      id: project.id,
      name: project.name,
      description: project.description ?? null,
      account_id: project.accountId,
      connection_id: connectionId,
      repository_id: repositoryId,
      semantic_layer_config_id: null,
      skipped_setup: false,
      state: project.state ?? 1,
      dbt_project_subdirectory: project.dbtProjectSubdirectory ?? null,
      docs_job_id: project.docsJobId ?? null,
      freshness_job_id: project.freshnessJobId ?? null,
      type: 0,
      created_at: spaceTimestamp(new Date('2021-04-14T20:23:00.395Z')),
      updated_at: spaceTimestamp(new Date('2024-11-16T16:32:43.960Z')),
      connection: {
        id: connectionId,
        account_id: project.accountId,
        project_id: project.id,
        name: capitalise(connectionType),
        type: connectionType,
        adapter_version: project.adapterVersion ?? (connectionType === 'adapter' ? 'databricks_v0' : null),
        state: 1,
      },
      repository: include.has('repository')
        ? {
            id: repositoryId,
            account_id: project.accountId,
            project_id: project.id,
            full_name: `acme/${project.name}`,
            remote_url: `git://github.com/acme/${project.name}.git`,
            remote_backend: 'github',
            state: 1,
          }
        : null,
      environments: include.has('environments')
        ? [...this.#environments.values()]
            .filter((environment) => environment.projectId === project.id)
            .map((environment) => this.#environmentWire(environment))
        : null,
      docs_job: null,
      freshness_job: null,
    };
  }

  #environmentWires(account: AccountState, caller: Caller): Wire[] {
    return [...this.#environments.values()]
      .filter(
        (environment) =>
          this.#projects.get(environment.projectId)?.accountId === account.id &&
          canRead(caller, environment.projectId),
      )
      .map((environment) => this.#environmentWire(environment));
  }

  #environmentWire(environment: FakeDbtEnvironmentOptions): Wire {
    const project = this.#projects.get(environment.projectId)!;
    const type = environment.type ?? 'deployment';
    return {
      id: environment.id,
      account_id: project.accountId,
      project_id: environment.projectId,
      connection_id: environment.projectId * 10 + 1,
      repository_id: environment.projectId * 10 + 2,
      credentials_id: environment.id * 10 + 3,
      created_by_id: null,
      name: environment.name,
      type,
      deployment_type: type === 'development' ? null : (environment.deploymentType ?? null),
      use_custom_branch: false,
      custom_branch: null,
      dbt_version: environment.dbtVersion ?? 'versionless',
      raw_dbt_version: environment.dbtVersion ?? 'versionless',
      supports_docs: type === 'deployment',
      dbt_project_subdirectory: project.dbtProjectSubdirectory ?? null,
      state: environment.state ?? 1,
      created_at: tTimestamp(new Date('2021-11-16T16:26:02.542Z')),
      updated_at: tTimestamp(new Date('2024-11-16T16:26:02.542Z')),
    };
  }

  #jobWire(job: FakeDbtJobOptions, request: FakeRequest): Wire {
    const project = this.#projects.get(job.projectId)!;
    const createdAt = toDate(job.createdAt ?? new Date('2023-01-02T03:04:05.678Z'));
    const include = new Set(listValues(request.searchParams, 'include_related') ?? []);
    const runs = [...this.#runs.values()]
      .filter((run) => run.options.jobId === job.id)
      .sort((left, right) => right.options.id - left.options.id);
    const cron = job.cron ?? null;
    return {
      id: job.id,
      account_id: project.accountId,
      project_id: job.projectId,
      environment_id: job.environmentId,
      name: job.name,
      description: job.description ?? '',
      dbt_version: null,
      execute_steps: [...(job.executeSteps ?? ['dbt build'])],
      generate_docs: job.generateDocs ?? false,
      run_generate_sources: job.runGenerateSources ?? false,
      generate_sources: job.runGenerateSources ?? false,
      state: job.state ?? 1,
      job_type: job.jobType ?? (cron ? 'scheduled' : 'other'),
      triggers: {
        github_webhook: false,
        git_provider_webhook: false,
        schedule: cron !== null,
        on_merge: false,
        custom_branch_only: false,
      },
      schedule: {
        cron: cron ?? '0 * * * *',
        date: cron ? { type: 'custom_cron', cron } : { type: 'every_day' },
        time: { type: 'every_hour', interval: 1 },
      },
      settings: { threads: 4, target_name: 'default' },
      execution: { timeout_seconds: 0 },
      deferring_job_definition_id: null,
      deferring_environment_id: null,
      lifecycle_webhooks: false,
      lifecycle_webhooks_url: null,
      is_deferrable: false,
      triggers_on_draft_pr: false,
      job_completion_trigger_condition: null,
      cron_humanized: cron ? `Custom cron: ${cron}` : 'Never',
      next_run: null,
      next_run_humanized: null,
      created_at: tTimestamp(createdAt),
      updated_at: tTimestamp(createdAt),
      most_recent_run:
        include.has('most_recent_run') && runs[0] ? this.#runWire(runs[0], request, new Set()) : undefined,
      most_recent_completed_run: include.has('most_recent_completed_run')
        ? (() => {
            const completed = runs.find((run) => TERMINAL_STATUSES.has(run.options.status));
            return completed ? this.#runWire(completed, request, new Set()) : null;
          })()
        : undefined,
    };
  }

  #runWire(run: RunState, request: FakeRequest, include: ReadonlySet<string>): Wire {
    const { options } = run;
    const job = this.#jobs.get(options.jobId)!;
    const project = this.#projects.get(job.projectId)!;
    const createdAt = toDate(options.createdAt);
    const startedAt = options.startedAt ? toDate(options.startedAt) : null;
    const finishedAt = options.finishedAt ? toDate(options.finishedAt) : null;
    const status = options.status;
    const complete = TERMINAL_STATUSES.has(status);
    const end = finishedAt ?? new Date();
    const triggerId = options.id * 10 + 7;
    const host = request.headers.host ?? '127.0.0.1';
    return {
      id: options.id,
      trigger_id: triggerId,
      account_id: project.accountId,
      environment_id: job.environmentId,
      project_id: job.projectId,
      job_definition_id: job.id,
      status,
      dbt_version: options.dbtVersion ?? 'versionless',
      git_branch: options.gitBranch ?? 'main',
      git_sha: options.gitSha ?? null,
      status_message: options.statusMessage ?? null,
      owner_thread_id: null,
      executed_by_thread_id: complete ? `dbt-run-${options.id}-abcde` : null,
      deferring_run_id: null,
      artifacts_saved: complete && options.artifactsSaved !== false,
      artifact_s3_path: complete ? `prod/runs/${options.id}/artifacts/target` : null,
      has_docs_generated: run.hasDocsGenerated,
      has_sources_generated: run.hasSourcesGenerated,
      notifications_sent: complete,
      blocked_by: [],
      created_at: spaceTimestamp(createdAt),
      updated_at: spaceTimestamp(finishedAt ?? startedAt ?? createdAt),
      dequeued_at: startedAt ? spaceTimestamp(startedAt) : null,
      started_at: startedAt ? spaceTimestamp(startedAt) : null,
      finished_at: finishedAt ? spaceTimestamp(finishedAt) : null,
      last_checked_at: null,
      last_heartbeat_at: null,
      should_start_at: null,
      trigger: include.has('trigger') ? this.#triggerWire(run, triggerId, createdAt) : null,
      job: include.has('job') ? this.#jobWire(job, request) : null,
      environment: include.has('environment')
        ? this.#environmentWire(this.#environments.get(job.environmentId)!)
        : null,
      run_steps: include.has('run_steps')
        ? run.steps.map((step) => this.#stepWire(run, step, startedAt))
        : [],
      status_humanized: STATUS_HUMANIZED[status],
      in_progress: !complete,
      is_complete: complete,
      is_success: status === 10,
      is_error: status === 20,
      is_cancelled: status === 30,
      is_running: status === 3,
      href: `http://${host}/deploy/${project.accountId}/projects/${project.id}/runs/${options.id}/`,
      duration: hms(end.getTime() - createdAt.getTime()),
      queued_duration: hms((startedAt ?? end).getTime() - createdAt.getTime()),
      run_duration: startedAt ? hms(end.getTime() - startedAt.getTime()) : '00:00:00',
      duration_humanized: humanDuration(end.getTime() - createdAt.getTime()),
      queued_duration_humanized: humanDuration((startedAt ?? end).getTime() - createdAt.getTime()),
      run_duration_humanized: startedAt ? humanDuration(end.getTime() - startedAt.getTime()) : '0 minutes',
      created_at_humanized: 'some time ago',
      finished_at_humanized: finishedAt ? 'some time ago' : null,
      retrying_run_id: null,
      can_retry: status === 20,
      retry_not_supported_reason: status === 20 ? null : 'RETRY_NOT_FAILED_RUN',
      job_id: job.id,
      is_running_or_queued: !complete,
    };
  }

  #triggerWire(run: RunState, id: number, createdAt: Date): Wire {
    const cause = run.options.triggerCause ?? 'Kicked off by schedule';
    return {
      id,
      cause,
      job_definition_id: run.options.jobId,
      git_branch: null,
      git_sha: null,
      azure_pull_request_id: null,
      github_pull_request_id: null,
      gitlab_merge_request_id: null,
      schema_override: null,
      dbt_version_override: null,
      threads_override: null,
      target_name_override: null,
      generate_docs_override: null,
      timeout_seconds_override: null,
      steps_override: null,
      created_at: spaceTimestamp(createdAt),
      cause_humanized: cause,
      cause_category: run.options.triggerCauseCategory ?? 'scheduled',
      job: null,
    };
  }

  #stepWire(run: RunState, step: StepState, runStartedAt: Date | null): Wire {
    // Steps share the run's time span evenly: plausible timestamps without asking tests for them.
    const start = runStartedAt ?? toDate(run.options.createdAt);
    const end = run.options.finishedAt ? toDate(run.options.finishedAt) : start;
    const slice = Math.max(0, end.getTime() - start.getTime()) / Math.max(1, run.steps.length);
    const stepStart = new Date(start.getTime() + slice * (step.index - 1));
    const stepEnd = new Date(stepStart.getTime() + slice);
    return {
      id: run.options.id * 100 + step.index,
      run_id: run.options.id,
      account_id: this.#projects.get(this.#jobs.get(run.options.jobId)!.projectId)!.accountId,
      index: step.index,
      status: step.status,
      name: step.name,
      logs: step.logs,
      debug_logs: '',
      log_level: 'info',
      log_location: 'db',
      log_path: null,
      debug_log_path: null,
      log_archive_type: 'db_flushed',
      truncated_debug_logs: null,
      created_at: spaceTimestamp(stepStart),
      updated_at: spaceTimestamp(stepEnd),
      started_at: spaceTimestamp(stepStart),
      finished_at: TERMINAL_STATUSES.has(step.status) ? spaceTimestamp(stepEnd) : null,
      status_color: STATUS_COLORS[step.status],
      status_humanized: STATUS_HUMANIZED[step.status],
      duration: hms(stepEnd.getTime() - stepStart.getTime()),
      duration_humanized: humanDuration(stepEnd.getTime() - stepStart.getTime()),
    };
  }

  // ---- discovery -----------------------------------------------------------------------------------------

  #setDiscovery(
    environmentId: number,
    kind: keyof DiscoveryState,
    nodes: readonly FakeDiscoveryNode[],
  ): this {
    let state = this.#discovery.get(environmentId);
    if (!state) {
      state = { models: [], sources: [], tests: [], seeds: [], snapshots: [], exposures: [] };
      this.#discovery.set(environmentId, state);
    }
    state[kind] = [...nodes];
    return this;
  }

  #graphql(request: FakeRequest, caller: Caller): FakeResponse {
    const body = request.body as
      { query?: unknown; variables?: unknown; operationName?: unknown } | undefined;
    if (!body || typeof body !== 'object' || typeof body.query !== 'string') {
      return reply.json({ errors: [{ message: 'Must provide query string.' }] }, 400);
    }
    let document: DocumentNode;
    try {
      document = parse(body.query);
    } catch (error) {
      return reply.json({ errors: [{ message: (error as Error).message }] }, 400);
    }
    const operations = document.definitions.filter(
      (definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION,
    );
    const operation =
      typeof body.operationName === 'string'
        ? operations.find((candidate) => candidate.name?.value === body.operationName)
        : operations[0];
    if (!operation || operation.operation !== 'query') {
      return reply.json({ errors: [{ message: 'Only query operations are supported.' }] }, 400);
    }
    const fragments = new Map(
      document.definitions
        .filter(
          (definition): definition is FragmentDefinitionNode => definition.kind === Kind.FRAGMENT_DEFINITION,
        )
        .map((fragment) => [fragment.name.value, fragment]),
    );
    const context: GraphqlContext = {
      variables: (body.variables && typeof body.variables === 'object' ? body.variables : {}) as Record<
        string,
        unknown
      >,
      fragments,
      errors: [],
    };
    const root: Wire = {
      __typename: 'Query',
      environment: (args: Record<string, unknown>) => this.#discoveryEnvironment(Number(args.id), caller),
    };
    for (const field of collectFields(operation.selectionSet, fragments)) {
      const name = field.name.value;
      if (name !== '__typename' && !(name in root)) {
        return reply.json(
          {
            errors: [
              {
                message: `Cannot query field "${name}" on type "Query".`,
                extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
              },
            ],
          },
          400,
        );
      }
    }
    const data = resolveSelection(root, operation.selectionSet, context, []);
    return reply.json(context.errors.length > 0 ? { data, errors: context.errors } : { data });
  }

  #discoveryEnvironment(environmentId: number, caller: Caller): Wire {
    const environment = this.#environments.get(environmentId);
    if (!environment || !this.#ownsProject(caller, environment.projectId)) {
      throw new DiscoveryFieldError(`Environment ${environmentId} not found or not accessible.`, 'NOT_FOUND');
    }
    const project = this.#projects.get(environment.projectId)!;
    const state = this.#discovery.get(environmentId) ?? {
      models: [],
      sources: [],
      tests: [],
      seeds: [],
      snapshots: [],
      exposures: [],
    };
    const defaults = (resourceType: string) => (node: FakeDiscoveryNode) => ({
      resourceType,
      accountId: project.accountId,
      projectId: project.id,
      environmentId,
      name: typeof node.uniqueId === 'string' ? node.uniqueId.split('.').at(-1) : null,
      ...node,
    });
    const connection =
      (kind: keyof DiscoveryState, resourceType: string) =>
      (args: Record<string, unknown>): Wire =>
        relayConnection(state[kind].map(defaults(resourceType)), args);
    const applied: Wire = {
      __typename: 'AppliedState',
      lastUpdatedAt: new Date().toISOString(),
      latestGitSha: null,
      models: connection('models', 'Model'),
      sources: connection('sources', 'Source'),
      tests: connection('tests', 'Test'),
      seeds: connection('seeds', 'Seed'),
      snapshots: connection('snapshots', 'Snapshot'),
      exposures: connection('exposures', 'Exposure'),
      resourceCounts: {
        model: state.models.length,
        source: state.sources.length,
        test: state.tests.length,
        seed: state.seeds.length,
        snapshot: state.snapshots.length,
        exposure: state.exposures.length,
      },
    };
    return {
      __typename: 'Environment',
      id: environmentId,
      dbtProjectName: project.name,
      adapterType: project.connectionType ?? 'snowflake',
      applied,
      definition: { ...applied, __typename: 'DefinitionState' },
    };
  }
}

// ---- GraphQL (loose) -----------------------------------------------------------------------------------

interface GraphqlContext {
  variables: Record<string, unknown>;
  fragments: Map<string, FragmentDefinitionNode>;
  errors: { message: string; path: (string | number)[]; extensions: { code: string } }[];
}

function collectFields(
  selectionSet: SelectionSetNode,
  fragments: Map<string, FragmentDefinitionNode>,
): FieldNode[] {
  const fields: FieldNode[] = [];
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) fields.push(selection);
    else if (selection.kind === Kind.INLINE_FRAGMENT) {
      fields.push(...collectFields(selection.selectionSet, fragments));
    } else {
      const fragment = fragments.get(selection.name.value);
      if (fragment) fields.push(...collectFields(fragment.selectionSet, fragments));
    }
  }
  return fields;
}

/** Resolves a selection against plain objects; functions are field resolvers taking the arguments. */
function resolveSelection(
  value: Wire,
  selectionSet: SelectionSetNode,
  context: GraphqlContext,
  path: (string | number)[],
): Wire {
  const result: Wire = {};
  for (const field of collectFields(selectionSet, context.fragments)) {
    const key = field.alias?.value ?? field.name.value;
    const name = field.name.value;
    if (name === '__typename') {
      result[key] = value.__typename ?? 'Object';
      continue;
    }
    let fieldValue = value[name];
    if (typeof fieldValue === 'function') {
      const args = Object.fromEntries(
        (field.arguments ?? []).map((argument) => [
          argument.name.value,
          valueFromASTUntyped(argument.value, context.variables),
        ]),
      );
      try {
        fieldValue = (fieldValue as (args: Record<string, unknown>) => unknown)(args);
      } catch (error) {
        if (!(error instanceof DiscoveryFieldError)) throw error;
        context.errors.push({
          message: error.message,
          path: [...path, key],
          extensions: { code: error.code },
        });
        result[key] = null;
        continue;
      }
    }
    result[key] = completeValue(fieldValue, field.selectionSet, context, [...path, key]);
  }
  return result;
}

function completeValue(
  value: unknown,
  selectionSet: SelectionSetNode | undefined,
  context: GraphqlContext,
  path: (string | number)[],
): unknown {
  if (value === undefined || value === null) return null;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) {
    return value.map((item, index) => completeValue(item, selectionSet, context, [...path, index]));
  }
  if (typeof value === 'object' && selectionSet) {
    return resolveSelection(value as Wire, selectionSet, context, path);
  }
  return value;
}

function relayConnection(nodes: Wire[], args: Record<string, unknown>): Wire {
  const first = args.first === undefined || args.first === null ? 100 : Number(args.first);
  if (!Number.isInteger(first) || first < 0) {
    throw new DiscoveryFieldError(
      `"first" must be a non-negative integer, got ${String(args.first)}.`,
      'BAD_USER_INPUT',
    );
  }
  if (first > DISCOVERY_MAX_FIRST) {
    throw new DiscoveryFieldError(
      `"first" must be at most ${DISCOVERY_MAX_FIRST}, got ${first}.`,
      'BAD_USER_INPUT',
    );
  }
  let start = 0;
  if (typeof args.after === 'string' && args.after !== '') {
    const match = /^cursor:(\d+)$/.exec(Buffer.from(args.after, 'base64').toString('utf8'));
    if (!match)
      throw new DiscoveryFieldError(`Invalid cursor ${JSON.stringify(args.after)}.`, 'BAD_USER_INPUT');
    start = Number(match[1]) + 1;
  }
  const filtered = filterNodes(nodes, args.filter);
  const slice = filtered.slice(start, start + first);
  const edges = slice.map((node, index) => ({
    __typename: 'Edge',
    cursor: Buffer.from(`cursor:${start + index}`, 'utf8').toString('base64'),
    node,
  }));
  return {
    __typename: 'Connection',
    totalCount: filtered.length,
    pageInfo: {
      __typename: 'PageInfo',
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
      hasNextPage: start + slice.length < filtered.length,
      hasPreviousPage: start > 0,
    },
    edges,
  };
}

/** The filters the ingester uses: `uniqueIds`, `lastRunStatus` (models), `status` (tests). */
function filterNodes(nodes: Wire[], filter: unknown): Wire[] {
  if (!filter || typeof filter !== 'object') return nodes;
  const { uniqueIds, lastRunStatus, status } = filter as Record<string, unknown>;
  return nodes.filter((node) => {
    if (Array.isArray(uniqueIds) && !uniqueIds.includes(node.uniqueId)) return false;
    const executionInfo = (node.executionInfo ?? {}) as Wire;
    if (typeof lastRunStatus === 'string' && executionInfo.lastRunStatus !== lastRunStatus) return false;
    if (typeof status === 'string' && executionInfo.lastRunStatus !== status) return false;
    return true;
  });
}

// ---- helpers -------------------------------------------------------------------------------------------

function tokenOf(request: FakeRequest): string | undefined {
  const header = request.headers.authorization;
  const match = /^(?:token|bearer)\s+(\S+)\s*$/i.exec(typeof header === 'string' ? header : '');
  return match?.[1];
}

function hostName(host: string | undefined): string {
  return (host ?? '').replace(/:\d+$/, '').toLowerCase();
}

function canRead(caller: Caller, projectId: number): boolean {
  return caller.access.projects === 'all' || caller.access.projects.includes(projectId);
}

function successStatus(): Wire {
  return { code: 200, is_success: true, user_message: 'Success!', developer_message: '' };
}

function envelope(data: unknown): FakeResponse {
  return reply.json({ status: successStatus(), data });
}

function errorBody(api: Api, status: number, message: string): unknown {
  if (api === 'discovery') return { data: null, errors: [{ message }] };
  return {
    status: { code: status, is_success: false, user_message: message, developer_message: null },
    data: null,
  };
}

function defaultMessage(status: number): string {
  if (status === 401) return 'Invalid token.';
  if (status === 403) return 'You do not have permission to perform this action.';
  if (status === 404) return ADMIN_NOT_FOUND_MESSAGE;
  if (status === 429) return 'Too many requests. Please try again later.';
  if (status >= 500) return 'An unexpected error occurred. Please try again later.';
  return `Request failed with status ${status}.`;
}

function pathMatcher(path: string | RegExp): (candidate: string) => boolean {
  if (path instanceof RegExp) return (candidate) => path.test(candidate);
  if (!/(^|\/)(:|\*)/.test(path)) return (candidate) => candidate === path;
  const source = path
    .split('/')
    .map((segment) =>
      segment === '*'
        ? '.*'
        : segment.startsWith(':')
          ? '[^/]+'
          : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join('/');
  const matcher = new RegExp(`^${source}$`);
  return (candidate) => matcher.test(candidate);
}

/**
 * Values of a list parameter in the four styles clients use (research §9): `[10,20]` JSON text, `a,b`,
 * `['a','b']` Python repr, repeated keys. Undefined when the parameter is absent.
 */
export function listValues(params: URLSearchParams, name: string): string[] | undefined {
  const raw = params.getAll(name);
  if (raw.length === 0) return undefined;
  return raw
    .flatMap((value) => {
      const text = value.trim();
      const inner = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
      return inner.split(',');
    })
    .map((value) =>
      value
        .trim()
        .replace(/^['"]|['"]$/g, '')
        .trim(),
    )
    .filter((value) => value !== '');
}

function applyFilter(items: Wire[], filter: string, values: string[]): { items: Wire[]; echo: unknown } {
  const integers = (): number[] => {
    const numbers = values.map(Number);
    if (numbers.some((number) => !Number.isInteger(number))) {
      throw new AdminError(400, `Invalid value for ${filter}: ${values.join(',')}`);
    }
    return numbers;
  };
  const boolean = (): boolean => {
    const value = values[0]!.toLowerCase();
    if (!['true', 'false', '1', '0'].includes(value)) {
      throw new AdminError(400, `Invalid value for ${filter}: ${values[0]}`);
    }
    return value === 'true' || value === '1';
  };
  switch (filter) {
    case 'project_id':
    case 'environment_id':
    case 'job_definition_id':
    case 'status':
    case 'status__in': {
      const field = filter === 'status__in' ? 'status' : filter;
      const wanted = integers();
      return {
        items: items.filter((item) => wanted.includes(item[field] as number)),
        echo: filter.endsWith('__in') || wanted.length > 1 ? wanted : wanted[0],
      };
    }
    case 'id__gt':
    case 'id__lt': {
      const [bound] = integers();
      const greater = filter === 'id__gt';
      return {
        items: items.filter((item) =>
          greater ? (item.id as number) > bound! : (item.id as number) < bound!,
        ),
        echo: bound,
      };
    }
    case 'has_docs_generated':
    case 'has_sources_generated': {
      const wanted = boolean();
      return { items: items.filter((item) => item[filter] === wanted), echo: wanted };
    }
    case 'name__icontains': {
      const needle = values.join(',').toLowerCase();
      return {
        items: items.filter((item) => String(item.name).toLowerCase().includes(needle)),
        echo: needle,
      };
    }
    default:
      return { items: items.filter((item) => values.includes(String(item[filter]))), echo: values.join(',') };
  }
}

function clampLimit(value: string | null): number {
  const limit = Number.parseInt(value ?? '', 10);
  return limit > 0 ? Math.min(limit, ADMIN_MAX_LIMIT) : ADMIN_MAX_LIMIT;
}

/** Postgres order: NULLs sort last ascending (so first descending); timestamps as instants. */
function compareValues(left: unknown, right: unknown): number {
  if (left === right) return 0;
  if (left === null || left === undefined) return 1;
  if (right === null || right === undefined) return -1;
  if (typeof left === 'number' && typeof right === 'number') return left - right;
  const leftTime = typeof left === 'string' ? Date.parse(left.replace(' ', 'T')) : Number.NaN;
  const rightTime = typeof right === 'string' ? Date.parse(right.replace(' ', 'T')) : Number.NaN;
  if (!Number.isNaN(leftTime) && !Number.isNaN(rightTime)) return leftTime - rightTime;
  return String(left).localeCompare(String(right));
}

function stepOf(request: FakeRequest, run: RunState): number {
  const value = request.query.step;
  if (value === undefined || value === '') return run.steps.length;
  const step = Number(value);
  if (!Number.isInteger(step) || step < 1 || step > run.steps.length) {
    throw new AdminError(404, ADMIN_NOT_FOUND_MESSAGE);
  }
  return step;
}

/**
 * Files of `target/` after step `step`: steps share one target directory, so a later step's file replaces an
 * earlier one (the docs step's run_results.json replaces the build's), and earlier files stay visible.
 */
function artifactPathsAt(run: RunState, step: number): string[] {
  const paths = new Set<string>();
  for (const state of run.steps.slice(0, step)) for (const path of state.artifacts.keys()) paths.add(path);
  return [...paths].sort();
}

function artifactAt(run: RunState, step: number, path: string): FakeDbtArtifact | undefined {
  for (const state of run.steps.slice(0, step).reverse()) {
    const artifact = state.artifacts.get(path);
    if (artifact !== undefined) return artifact;
  }
  return undefined;
}

function artifactResponse(path: string, artifact: FakeDbtArtifact): FakeResponse {
  const contentType = path.endsWith('.json') ? 'application/json' : 'text/plain; charset=utf-8';
  const body =
    Buffer.isBuffer(artifact) || typeof artifact === 'string' ? artifact : JSON.stringify(artifact);
  return reply.status(200, body, { 'content-type': contentType });
}

/** What `dbt docs generate` leaves in target/: its own run_results (all success), the manifest, the catalog. */
function docsStepArtifacts(
  steps: readonly FakeDbtRunStepOptions[],
  extra: Record<string, FakeDbtArtifact> | undefined,
): Record<string, FakeDbtArtifact> {
  const last = [...steps].reverse().find((step) => step.artifacts?.['run_results.json'] !== undefined);
  const artifacts: Record<string, FakeDbtArtifact> = {};
  const withManifest = [...steps].reverse().find((step) => step.artifacts?.['manifest.json'] !== undefined);
  if (withManifest) artifacts['manifest.json'] = withManifest.artifacts!['manifest.json']!;
  const runResults = last?.artifacts?.['run_results.json'];
  if (runResults !== undefined) artifacts['run_results.json'] = docsRunResults(runResults);
  return { ...artifacts, ...extra };
}

function docsRunResults(buildRunResults: FakeDbtArtifact): FakeDbtArtifact {
  let parsed: unknown;
  try {
    parsed =
      Buffer.isBuffer(buildRunResults) || typeof buildRunResults === 'string'
        ? JSON.parse(buildRunResults.toString())
        : buildRunResults;
  } catch {
    return buildRunResults;
  }
  const source = parsed as { metadata?: Wire; results?: Wire[]; args?: Wire; elapsed_time?: number };
  return {
    metadata: source.metadata ?? {},
    results: (source.results ?? []).map((result) => ({
      ...result,
      status: 'success',
      message: null,
      failures: null,
      adapter_response: {},
    })),
    elapsed_time: source.elapsed_time ?? 1,
    args: { ...(source.args ?? {}), which: 'generate' },
  };
}

function toDate(value: Date | string): Date {
  if (value instanceof Date) return value;
  const date = new Date(value.replace(' ', 'T'));
  if (Number.isNaN(date.getTime())) throw new Error(`FakeDbtCloud: invalid timestamp ${value}`);
  return date;
}

/** Runs: `2024-05-27 10:42:16.179000+00:00`. */
function spaceTimestamp(date: Date): string {
  const iso = date.toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}000+00:00`;
}

/** Jobs and environments: `2024-05-27T10:42:16.179000+00:00`. */
function tTimestamp(date: Date): string {
  return `${date.toISOString().slice(0, 23)}000+00:00`;
}

/** `HH:MM:SS`, hours unbounded (`24:00:36`), as dbt Cloud formats durations. */
function hms(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const pad = (value: number): string => String(value).padStart(2, '0');
  return `${pad(Math.floor(total / 3600))}:${pad(Math.floor((total % 3600) / 60))}:${pad(total % 60)}`;
}

function humanDuration(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.floor(seconds / 60);
  return minutes < 60 ? `${minutes} minutes, ${seconds % 60} seconds` : `${Math.floor(minutes / 60)} hours`;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
