import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { Agent, request as undiciRequest, type Dispatcher } from 'undici';
import { Secret } from '../secrets/secret.js';
import { isSensitiveHeaderName, isSensitiveParameterName, redactedExcerpt, redactedPath } from './redact.js';
import {
  decideRetry,
  isIdempotentMethod,
  parseRetryAfter,
  resolveRetryOptions,
  type RetryOptions,
} from './retry-policy.js';
import {
  sharedTokenBucketRegistry,
  sleep,
  type TokenBucketOptions,
  type TokenBucketRegistry,
} from './token-bucket.js';
import {
  errorCodeForStatus,
  VendorHttpError,
  type VendorHttpErrorCode,
  type VendorHttpErrorReason,
} from './vendor-http-error.js';

// The HTTP client every connector uses to reach a vendor (only `*.client.ts` files call it, DESIGN §1).
// It owns what each connector would otherwise get subtly wrong: timeouts at every stage, retries with
// backoff and `Retry-After`, a client-side rate limit, errors with the GraphQL codes of DESIGN §6, and the
// guarantee that credentials never appear in an error or a log payload (DESIGN §5).

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';
export type HeaderValue = string | Secret;
export type QueryValue =
  string | number | boolean | null | undefined | readonly (string | number | boolean)[];

export interface VendorHttpTimeouts {
  /** TCP + TLS connection. Default 10 s. Client-wide when a `dispatcher` is given. */
  connectMs: number;
  /** From sending the request to the end of the response headers. Default 30 s. */
  headersMs: number;
  /** Longest silence between two chunks of the body (not the whole body). Default 30 s. */
  bodyMs: number;
  /** Whole attempt: to the end of the body, or to the headers for `stream`. 0 disables. Default 120 s. */
  attemptMs: number;
}

export const DEFAULT_TIMEOUTS: Readonly<VendorHttpTimeouts> = Object.freeze({
  connectMs: 10_000,
  headersMs: 30_000,
  bodyMs: 30_000,
  attemptMs: 120_000,
});

/** Bodies read into memory are capped, so a hostile or broken upstream cannot exhaust it. */
export const DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

export interface RateLimitOptions extends TokenBucketOptions {
  /** Requests with the same key share one bucket (an account id, a token hint). */
  key: string;
}

/** A limiter shared beyond one process (e.g. `RedisTokenBucket`): one token is taken before every attempt. */
export interface RateLimiter {
  /** Waits for a token; resolves to the time waited in milliseconds. */
  take(signal?: AbortSignal): Promise<number>;
}

/** Reported after every attempt, for metrics and logs. Holds no header, query string or body. */
export interface VendorHttpAttempt {
  vendor: string;
  method: string;
  /** URL path without query string, registered secrets removed. */
  path: string;
  /** The caller's name for the endpoint (`list-runs`), a low-cardinality metric label. */
  operation: string | undefined;
  /** 1 for the first attempt. */
  attempt: number;
  /** Response status; undefined when there was no response (timeout, network). */
  status: number | undefined;
  durationMs: number;
  /** Time spent waiting for a rate-limit token before this attempt. */
  rateLimitWaitMs: number;
  outcome: 'success' | 'retry' | 'failure';
  /** Wait before the next attempt, when `outcome` is `retry`. */
  retryInMs: number | undefined;
  errorCode: VendorHttpErrorCode | undefined;
  reason: VendorHttpErrorReason | undefined;
  causeCode: string | undefined;
}

export interface VendorHttpClientOptions {
  /** Short vendor name for errors and metrics (`dbt-cloud`, `hex`). */
  vendor: string;
  /** Request paths are appended to its path: base `…/api/v2/` + `accounts/1/` → `…/api/v2/accounts/1/`. */
  baseUrl: string | URL;
  /** Sent with every request to the base URL's origin. Credential headers are registered as secrets. */
  headers?: Readonly<Record<string, HeaderValue>>;
  /** Values to remove from every error and hook payload (tokens, passwords), beyond credential headers. */
  secrets?: readonly (string | Secret)[];
  timeouts?: Partial<VendorHttpTimeouts>;
  retry?: Partial<RetryOptions>;
  rateLimit?: RateLimitOptions;
  /** Replaces `rateLimit` with a limiter of the caller's (a Redis bucket shared by every worker). */
  rateLimiter?: RateLimiter;
  /** Default: the process-wide `sharedTokenBucketRegistry`. */
  rateLimitRegistry?: TokenBucketRegistry;
  /** Called after every attempt; exceptions it throws are ignored. */
  onAttempt?: (attempt: VendorHttpAttempt) => void;
  /** Replaces the client's own undici `Agent` (then `connectMs` is the dispatcher's business). */
  dispatcher?: Dispatcher;
  /** Cap for bodies read into memory. Default 32 MiB; use `stream` for larger downloads. */
  maxResponseBytes?: number;
  /** Redirects followed for GET and HEAD. Default 0: a 3xx is returned as an error. */
  maxRedirects?: number;
}

export interface VendorRequestOptions {
  method?: HttpMethod;
  /** Relative to the base URL (may hold a query string), or an absolute URL (e.g. a `next` link). */
  path: string;
  query?: Readonly<Record<string, QueryValue>>;
  /** Merged over the default headers (case-insensitive); `undefined` removes a default header. */
  headers?: Readonly<Record<string, HeaderValue | undefined>>;
  body?: string | Uint8Array;
  /** Serialised as the body, with `content-type: application/json`. */
  json?: unknown;
  timeouts?: Partial<VendorHttpTimeouts>;
  /** Overrides the client's retry options; `false` disables retries. */
  retry?: Partial<RetryOptions> | false;
  /**
   * Whether the request may be repeated. Default: true for GET, HEAD, OPTIONS, PUT, DELETE. Set it on a
   * POST that is safe to repeat (a GraphQL query, a request carrying an idempotency key).
   */
  idempotent?: boolean;
  /** Overrides the client's rate limit; `false` skips it. */
  rateLimit?: RateLimitOptions | false;
  signal?: AbortSignal;
  /** Non-success statuses returned to the caller instead of thrown (e.g. `[404]`). */
  allowStatuses?: readonly number[];
  /** Endpoint name reported to `onAttempt`. */
  operation?: string;
  /** Extra values to redact for this request. */
  secrets?: readonly (string | Secret)[];
  maxResponseBytes?: number;
}

export type VendorJsonRequestOptions = Omit<VendorRequestOptions, 'path' | 'method' | 'body' | 'json'>;

interface ResponseContext {
  vendor: string;
  method: string;
  path: string;
  secrets: readonly string[];
}

/** A response read into memory. */
export class VendorHttpResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  /** Attempts it took, the successful one included. */
  readonly attempts: number;
  readonly #context: ResponseContext;

  constructor(
    status: number,
    headers: IncomingHttpHeaders,
    body: Buffer,
    attempts: number,
    context: ResponseContext,
  ) {
    this.status = status;
    this.headers = headers;
    this.body = body;
    this.attempts = attempts;
    this.#context = context;
  }

  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  text(): string {
    return this.body.toString('utf8');
  }

  /** Parses the body as JSON; an empty body gives undefined. Invalid JSON throws a `VendorHttpError`. */
  json<T = unknown>(): T {
    const text = this.text();
    if (text.trim() === '') return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new VendorHttpError({
        code: 'UPSTREAM_UNAVAILABLE',
        reason: 'invalid_response',
        vendor: this.#context.vendor,
        method: this.#context.method,
        path: this.#context.path,
        status: this.status,
        attempts: this.attempts,
        detail: `returned HTTP ${this.status} with a body that is not JSON`,
        bodyExcerpt: redactedExcerpt(text.slice(0, 4096), this.#context.secrets),
      });
    }
  }
}

/** A response whose body is left to the caller, for large downloads. Consume or destroy `body`. */
export interface VendorHttpStream {
  status: number;
  headers: IncomingHttpHeaders;
  body: Readable;
  attempts: number;
}

interface RequestPlan {
  vendor: string;
  method: HttpMethod;
  url: URL;
  path: string;
  headers: Record<string, string>;
  body: string | Uint8Array | undefined;
  timeouts: VendorHttpTimeouts;
  retry: RetryOptions;
  mayRepeat: boolean;
  rateLimit: RateLimitOptions | undefined;
  rateLimiter: RateLimiter | undefined;
  signal: AbortSignal | undefined;
  allowStatuses: ReadonlySet<number>;
  operation: string | undefined;
  secrets: string[];
  maxResponseBytes: number;
  dispatcher: Dispatcher;
}

type AttemptResult =
  | { kind: 'response'; status: number; headers: IncomingHttpHeaders; body?: Buffer; stream?: Readable }
  | { kind: 'status'; status: number; headers: IncomingHttpHeaders; excerpt: string }
  | { kind: 'failure'; reason: VendorHttpErrorReason; causeCode: string | undefined; detail: string };

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const TIMEOUT_CAUSE_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
]);
// Errors that say our request is wrong, not that the network failed: repeating them cannot help.
const INVALID_REQUEST_CAUSE_CODES = new Set([
  'UND_ERR_INVALID_ARG',
  'UND_ERR_NOT_SUPPORTED',
  'UND_ERR_DESTROYED',
  'UND_ERR_CLOSED',
  'ERR_INVALID_URL',
  'ERR_INVALID_ARG_TYPE',
  'ERR_INVALID_ARG_VALUE',
]);
const EXCERPT_READ_BYTES = 16 * 1024;

class ResponseTooLargeError extends Error {}

/** Abort reason of an attempt that ran out of time. */
class AttemptTimeout {
  constructor(
    readonly causeCode: string,
    readonly detail: string,
  ) {}
}

function headersTimeoutDetail(headersMs: number): string {
  return `timed out waiting for the response headers after ${headersMs} ms`;
}

function bodyTimeoutDetail(bodyMs: number): string {
  return `timed out reading the response body (no data for ${bodyMs} ms)`;
}

export function createVendorHttpClient(options: VendorHttpClientOptions): VendorHttpClient {
  return new VendorHttpClient(options);
}

export class VendorHttpClient {
  readonly vendor: string;
  readonly baseUrl: URL;
  readonly #defaultHeaders: Record<string, string>;
  readonly #secrets = new Set<string>();
  readonly #timeouts: VendorHttpTimeouts;
  readonly #retry: Partial<RetryOptions>;
  readonly #rateLimit: RateLimitOptions | undefined;
  readonly #rateLimiter: RateLimiter | undefined;
  readonly #registry: TokenBucketRegistry;
  readonly #onAttempt: ((attempt: VendorHttpAttempt) => void) | undefined;
  readonly #dispatcher: Dispatcher | undefined;
  // One agent per connect timeout, because undici sets the connect timeout on the agent, not the request.
  readonly #agents = new Map<number, Agent>();
  readonly #maxResponseBytes: number;
  readonly #maxRedirects: number;

  constructor(options: VendorHttpClientOptions) {
    if (!options.vendor) throw new TypeError('VendorHttpClient needs a vendor name');
    this.vendor = options.vendor;
    this.baseUrl = new URL(options.baseUrl.toString());
    if (this.baseUrl.search || this.baseUrl.hash) {
      throw new TypeError(`${options.vendor}: baseUrl must not hold a query string or fragment`);
    }
    this.#defaultHeaders = {};
    for (const [name, value] of Object.entries(options.headers ?? {})) {
      this.#defaultHeaders[name.toLowerCase()] = this.#revealHeader(name, value, this.#secrets);
    }
    for (const secret of options.secrets ?? []) addSecret(this.#secrets, Secret.reveal(secret));
    this.#timeouts = { ...DEFAULT_TIMEOUTS, ...definedValues(options.timeouts) };
    // Resolved now so that invalid options fail at construction, not on the first request.
    resolveRetryOptions(options.retry);
    this.#retry = options.retry ?? {};
    this.#rateLimit = options.rateLimit;
    this.#rateLimiter = options.rateLimiter;
    this.#registry = options.rateLimitRegistry ?? sharedTokenBucketRegistry;
    this.#onAttempt = options.onAttempt;
    this.#dispatcher = options.dispatcher;
    this.#maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    this.#maxRedirects = options.maxRedirects ?? 0;
  }

  /** Registers a value to redact from errors and hook payloads (e.g. a token obtained after construction). */
  addSecret(secret: string | Secret): void {
    addSecret(this.#secrets, Secret.reveal(secret));
  }

  /** Sends a request and reads the body into memory. Non-success statuses throw unless allowed. */
  async request(options: VendorRequestOptions): Promise<VendorHttpResponse> {
    const plan = this.#plan(options);
    const { result, attempts } = await this.#execute(plan, 'buffer');
    return new VendorHttpResponse(result.status, result.headers, result.body ?? Buffer.alloc(0), attempts, {
      vendor: plan.vendor,
      method: plan.method,
      path: plan.path,
      secrets: plan.secrets,
    });
  }

  /**
   * Sends a request and returns as soon as the headers arrive, leaving the body to the caller (downloads
   * larger than `maxResponseBytes`). Retries cover the attempt up to the headers only.
   */
  async stream(options: VendorRequestOptions): Promise<VendorHttpStream> {
    const plan = this.#plan(options);
    const { result, attempts } = await this.#execute(plan, 'stream');
    return { status: result.status, headers: result.headers, body: result.stream!, attempts };
  }

  async getJson<T = unknown>(path: string, options: VendorJsonRequestOptions = {}): Promise<T> {
    const response = await this.request({
      ...options,
      path,
      method: 'GET',
      headers: withAcceptJson(options.headers),
    });
    return response.json<T>();
  }

  /** POSTs a JSON body. Not retried unless `idempotent: true` (a repeated POST may act twice). */
  async postJson<T = unknown>(
    path: string,
    body: unknown,
    options: VendorJsonRequestOptions = {},
  ): Promise<T> {
    const response = await this.request({
      ...options,
      path,
      method: 'POST',
      json: body,
      headers: withAcceptJson(options.headers),
    });
    return response.json<T>();
  }

  /** Closes the connections of the client's own agents. */
  async close(): Promise<void> {
    const agents = [...this.#agents.values()];
    this.#agents.clear();
    await Promise.all(agents.map((agent) => agent.close()));
  }

  #plan(options: VendorRequestOptions): RequestPlan {
    const method = (
      options.method ?? (options.json !== undefined ? 'POST' : 'GET')
    ).toUpperCase() as HttpMethod;
    const url = this.#buildUrl(options.path, options.query);
    const secrets = new Set(this.#secrets);
    for (const secret of options.secrets ?? []) addSecret(secrets, Secret.reveal(secret));
    for (const [name, value] of url.searchParams) {
      if (isSensitiveParameterName(name)) addSecret(secrets, value);
    }

    // Credentials in the default headers are meant for the vendor's origin only: an absolute URL elsewhere
    // (a pre-signed download link) must not receive them.
    const sameOrigin = url.origin === this.baseUrl.origin;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(this.#defaultHeaders)) {
      if (sameOrigin || !isSensitiveHeaderName(name)) headers[name] = value;
    }
    for (const [name, value] of Object.entries(options.headers ?? {})) {
      if (value === undefined) delete headers[name.toLowerCase()];
      else headers[name.toLowerCase()] = this.#revealHeader(name, value, secrets);
    }

    let body = options.body;
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers['content-type'] ??= 'application/json';
    }

    const retry =
      options.retry === false
        ? resolveRetryOptions(this.#retry, { maxAttempts: 1 })
        : resolveRetryOptions(this.#retry, options.retry);
    const timeouts: VendorHttpTimeouts = { ...this.#timeouts, ...definedValues(options.timeouts) };
    const secretList = [...secrets];
    return {
      vendor: this.vendor,
      method,
      url,
      path: redactedPath(url, secretList),
      headers,
      body,
      timeouts,
      retry,
      mayRepeat: options.idempotent ?? isIdempotentMethod(method),
      rateLimit: options.rateLimit === false ? undefined : (options.rateLimit ?? this.#rateLimit),
      rateLimiter: options.rateLimit === false ? undefined : this.#rateLimiter,
      signal: options.signal,
      allowStatuses: new Set(options.allowStatuses ?? []),
      operation: options.operation,
      secrets: secretList,
      maxResponseBytes: options.maxResponseBytes ?? this.#maxResponseBytes,
      dispatcher: this.#dispatcherFor(timeouts.connectMs),
    };
  }

  async #execute(
    plan: RequestPlan,
    mode: 'buffer' | 'stream',
  ): Promise<{ result: Extract<AttemptResult, { kind: 'response' }>; attempts: number }> {
    let totalDelayMs = 0;
    for (let attempt = 1; ; attempt++) {
      const rateLimitWaitMs = plan.rateLimiter
        ? await plan.rateLimiter.take(plan.signal)
        : plan.rateLimit
          ? await this.#registry
              .bucket(`${plan.vendor}:${plan.rateLimit.key}`, plan.rateLimit)
              .take(plan.signal)
          : 0;
      const startedAt = performance.now();
      const result = await this.#attempt(plan, mode);
      const durationMs = Math.round(performance.now() - startedAt);
      const status = result.kind === 'failure' ? undefined : result.status;
      const report = (fields: Partial<VendorHttpAttempt> & Pick<VendorHttpAttempt, 'outcome'>): void =>
        this.#report({
          vendor: plan.vendor,
          method: plan.method,
          path: plan.path,
          operation: plan.operation,
          attempt,
          status,
          durationMs,
          rateLimitWaitMs,
          retryInMs: undefined,
          errorCode: undefined,
          reason: undefined,
          causeCode: undefined,
          ...fields,
        });

      if (result.kind === 'response') {
        report({ outcome: 'success' });
        return { result, attempts: attempt };
      }

      const failure = this.#describeFailure(result, plan.retry);
      const retryAfterMs =
        result.kind === 'status' ? parseRetryAfter(result.headers['retry-after']) : undefined;
      const decision = decideRetry(
        { attempt, totalDelayMs, retryable: plan.mayRepeat && failure.retryable, retryAfterMs },
        plan.retry,
      );
      const errorFields = { errorCode: failure.code, reason: failure.reason, causeCode: failure.causeCode };
      if (!decision.retry) {
        report({ outcome: 'failure', ...errorFields });
        throw new VendorHttpError({
          code: failure.code,
          reason: failure.reason,
          causeCode: failure.causeCode,
          detail: failure.detail,
          vendor: plan.vendor,
          method: plan.method,
          path: plan.path,
          status,
          attempts: attempt,
          retryAfterMs,
          bodyExcerpt: result.kind === 'status' && result.excerpt ? result.excerpt : undefined,
        });
      }
      report({ outcome: 'retry', retryInMs: decision.delayMs, ...errorFields });
      await sleep(decision.delayMs, plan.signal);
      totalDelayMs += decision.delayMs;
    }
  }

  #describeFailure(
    result: Exclude<AttemptResult, { kind: 'response' }>,
    retry: RetryOptions,
  ): {
    code: VendorHttpErrorCode;
    reason: VendorHttpErrorReason;
    causeCode: string | undefined;
    detail: string;
    retryable: boolean;
  } {
    if (result.kind === 'status') {
      return {
        code: errorCodeForStatus(result.status),
        reason: 'status',
        causeCode: undefined,
        detail: `failed with HTTP ${result.status}`,
        retryable: retry.retryStatuses.includes(result.status),
      };
    }
    const { reason, causeCode, detail } = result;
    if (reason === 'timeout')
      return { code: 'UPSTREAM_UNAVAILABLE', reason, causeCode, detail, retryable: retry.retryOnTimeout };
    if (reason === 'network') {
      return {
        code: 'UPSTREAM_UNAVAILABLE',
        reason,
        causeCode,
        detail,
        retryable: retry.retryOnNetworkError,
      };
    }
    return { code: 'INTERNAL', reason, causeCode, detail, retryable: false };
  }

  async #attempt(plan: RequestPlan, mode: 'buffer' | 'stream'): Promise<AttemptResult> {
    const deadline = new AbortController();
    const signal = plan.signal ? AbortSignal.any([plan.signal, deadline.signal]) : deadline.signal;
    const { attemptMs, headersMs, bodyMs, connectMs } = plan.timeouts;
    // undici enforces headers and body timeouts too, but on a coarse timer (up to a second late); these
    // precise timers make the configured values what callers and tests observe.
    const expire = (ms: number, timeout: AttemptTimeout): NodeJS.Timeout | undefined =>
      ms > 0 ? setTimeout(() => deadline.abort(timeout), ms) : undefined;
    const attemptTimer = expire(
      attemptMs,
      new AttemptTimeout('ATTEMPT_TIMEOUT', `timed out after ${attemptMs} ms`),
    );
    let phaseTimer: NodeJS.Timeout | undefined;
    try {
      let url = plan.url;
      let headers = plan.headers;
      for (let redirects = 0; ; redirects++) {
        phaseTimer = expire(
          headersMs,
          new AttemptTimeout('UND_ERR_HEADERS_TIMEOUT', headersTimeoutDetail(headersMs)),
        );
        const response = await undiciRequest(url, {
          method: plan.method,
          headers,
          body: plan.body ?? null,
          signal,
          headersTimeout: headersMs,
          bodyTimeout: bodyMs,
          dispatcher: plan.dispatcher,
        });
        clearTimeout(phaseTimer);
        const location = response.headers.location;
        if (
          REDIRECT_STATUSES.has(response.statusCode) &&
          typeof location === 'string' &&
          redirects < this.#maxRedirects &&
          (plan.method === 'GET' || plan.method === 'HEAD')
        ) {
          response.body.resume();
          const next = new URL(location, url);
          if (next.origin !== url.origin) headers = withoutCredentialHeaders(headers);
          url = next;
          continue;
        }
        const accepted =
          (response.statusCode >= 200 && response.statusCode < 300) ||
          plan.allowStatuses.has(response.statusCode);
        if (!accepted) {
          const text = await readExcerpt(response.body);
          return {
            kind: 'status',
            status: response.statusCode,
            headers: response.headers,
            excerpt: redactedExcerpt(text, plan.secrets),
          };
        }
        if (mode === 'stream') {
          return {
            kind: 'response',
            status: response.statusCode,
            headers: response.headers,
            stream: response.body,
          };
        }
        phaseTimer = expire(bodyMs, new AttemptTimeout('UND_ERR_BODY_TIMEOUT', bodyTimeoutDetail(bodyMs)));
        const body = await readLimited(response.body, plan.maxResponseBytes, phaseTimer);
        return { kind: 'response', status: response.statusCode, headers: response.headers, body };
      }
    } catch (error) {
      // A cancelled caller gets its own abort reason, as with fetch: it is not a vendor failure.
      if (plan.signal?.aborted) throw plan.signal.reason;
      const timeout = deadline.signal.reason as unknown;
      if (timeout instanceof AttemptTimeout) {
        return { kind: 'failure', reason: 'timeout', causeCode: timeout.causeCode, detail: timeout.detail };
      }
      if (error instanceof ResponseTooLargeError) {
        return {
          kind: 'failure',
          reason: 'response_too_large',
          causeCode: undefined,
          detail: `returned a body larger than ${plan.maxResponseBytes} bytes; use stream() for large downloads`,
        };
      }
      return classifyError(error, { connectMs, headersMs, bodyMs });
    } finally {
      clearTimeout(attemptTimer);
      clearTimeout(phaseTimer);
    }
  }

  #report(attempt: VendorHttpAttempt): void {
    if (!this.#onAttempt) return;
    try {
      this.#onAttempt(attempt);
    } catch {
      // A broken metrics hook must not fail the vendor call it observes.
    }
  }

  #buildUrl(path: string, query: VendorRequestOptions['query']): URL {
    let url: URL;
    if (/^https?:\/\//i.test(path)) {
      url = new URL(path);
    } else {
      const queryStart = path.indexOf('?');
      const pathPart = queryStart === -1 ? path : path.slice(0, queryStart);
      url = new URL(this.baseUrl);
      const basePath = url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`;
      url.pathname = basePath + pathPart.replace(/^\/+/, '');
      url.search = queryStart === -1 ? '' : path.slice(queryStart);
    }
    for (const [name, value] of Object.entries(query ?? {})) {
      if (value === undefined || value === null) continue;
      const values = Array.isArray(value) ? value : [value];
      for (const item of values) url.searchParams.append(name, String(item));
    }
    return url;
  }

  #revealHeader(name: string, value: HeaderValue, secrets: Set<string>): string {
    const revealed = Secret.reveal(value);
    if (value instanceof Secret || isSensitiveHeaderName(name)) {
      for (const part of credentialParts(revealed)) addSecret(secrets, part);
    }
    return revealed;
  }

  #dispatcherFor(connectMs: number): Dispatcher {
    if (this.#dispatcher) return this.#dispatcher;
    let agent = this.#agents.get(connectMs);
    if (!agent) {
      agent = new Agent({ connect: { timeout: connectMs } });
      this.#agents.set(connectMs, agent);
    }
    return agent;
  }
}

function classifyError(
  error: unknown,
  timeouts: Pick<VendorHttpTimeouts, 'connectMs' | 'headersMs' | 'bodyMs'>,
): Extract<AttemptResult, { kind: 'failure' }> {
  const causeCode =
    typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : undefined;
  if (causeCode && TIMEOUT_CAUSE_CODES.has(causeCode)) {
    const detail =
      causeCode === 'UND_ERR_CONNECT_TIMEOUT'
        ? `timed out connecting after ${timeouts.connectMs} ms`
        : causeCode === 'UND_ERR_HEADERS_TIMEOUT'
          ? headersTimeoutDetail(timeouts.headersMs)
          : causeCode === 'UND_ERR_BODY_TIMEOUT'
            ? bodyTimeoutDetail(timeouts.bodyMs)
            : 'timed out';
    return { kind: 'failure', reason: 'timeout', causeCode, detail };
  }
  if (causeCode && INVALID_REQUEST_CAUSE_CODES.has(causeCode)) {
    // The low-level message is not copied: it may quote a header value.
    return {
      kind: 'failure',
      reason: 'invalid_request',
      causeCode,
      detail: `could not be sent (${causeCode})`,
    };
  }
  return {
    kind: 'failure',
    reason: 'network',
    causeCode,
    detail: `failed: connection error${causeCode ? ` (${causeCode})` : ''}`,
  };
}

/** Reads the whole body, refreshing the idle timer on every chunk. */
async function readLimited(
  body: Readable,
  maxBytes: number,
  idleTimer: NodeJS.Timeout | undefined,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    idleTimer?.refresh();
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > maxBytes) {
      body.destroy();
      throw new ResponseTooLargeError();
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks, size);
}

/** Reads the start of an error body for the message; the rest is dropped with the connection. */
async function readExcerpt(body: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      const buffer = chunk as Buffer;
      chunks.push(buffer);
      size += buffer.length;
      if (size >= EXCERPT_READ_BYTES) {
        body.destroy();
        break;
      }
    }
  } catch {
    // The status is what matters; a body cut short only shortens the excerpt.
  }
  return Buffer.concat(chunks).subarray(0, EXCERPT_READ_BYTES).toString('utf8');
}

function addSecret(secrets: Set<string>, value: string | undefined): void {
  if (value && value.trim().length > 0) secrets.add(value);
}

/** The whole header value, the credential after the scheme, and for Basic the decoded user:password. */
function credentialParts(value: string): string[] {
  const parts = [value];
  const match = /^([A-Za-z-]+)\s+(\S+)$/.exec(value.trim());
  if (match) {
    const [, scheme, credential] = match as unknown as [string, string, string];
    parts.push(credential);
    if (scheme.toLowerCase() === 'basic') {
      const decoded = Buffer.from(credential, 'base64').toString('utf8');
      parts.push(decoded);
      const colon = decoded.indexOf(':');
      if (colon !== -1) parts.push(decoded.slice(colon + 1));
    }
  }
  return parts;
}

function withoutCredentialHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !isSensitiveHeaderName(name)));
}

function withAcceptJson(headers: VendorRequestOptions['headers']): VendorRequestOptions['headers'] {
  const hasAccept = Object.keys(headers ?? {}).some((name) => name.toLowerCase() === 'accept');
  return hasAccept ? headers : { accept: 'application/json', ...headers };
}

function definedValues<T extends object>(value: Partial<T> | undefined): Partial<T> {
  return Object.fromEntries(
    Object.entries(value ?? {}).filter(([, item]) => item !== undefined),
  ) as Partial<T>;
}
