import { createPrivateKey, randomUUID, type KeyObject } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { SignJWT } from 'jose';
import {
  createVendorHttpClient,
  isVendorHttpError,
  redactSecrets,
  type RetryOptions,
  type VendorHttpClient,
  type VendorHttpResponse,
} from '@cartograph/platform/http';
import { Secret } from '@cartograph/platform/secrets';
import { OWN_QUERY_MARKER, WarehouseError } from '../warehouse-connector.js';
import {
  OWN_JOB_LABELS,
  type BigQueryField,
  type BigQueryResultPage,
  type BigQueryStatement,
} from './bigquery.mapper.js';

// The BigQuery REST client: the only code of the BigQuery connector that speaks HTTP. It trades the service
// account key for an OAuth access token (JWT-bearer grant at the key's token_uri, cached until shortly before
// it expires), runs statements with `jobs.query` (marker prefix, our labels, named parameters, a request id),
// polls `jobs.getQueryResults` with backoff until the job is complete, follows `pageToken`, and cancels the job
// when the caller aborts or stops reading before it finished. Failures become WarehouseErrors without secrets.

const VENDOR = 'bigquery';
const SCOPE = 'https://www.googleapis.com/auth/bigquery';
const ASSERTION_LIFETIME_SECONDS = 3_600;
// A token is renewed this long before Google says it expires, so no request goes out with a dying one.
const TOKEN_RENEW_BEFORE_MS = 5 * 60_000;
const CANCEL_TIMEOUT_MS = 5_000;
const API_ERROR_STATUSES = [400, 401, 403, 404];

export interface BigQueryServiceAccountKey {
  readonly type?: string;
  readonly project_id?: string;
  readonly private_key_id?: string;
  readonly private_key: string;
  readonly client_email: string;
  readonly token_uri: string;
}

export interface BigQueryClientOptions {
  /** `https://bigquery.googleapis.com/bigquery/v2/`. */
  readonly baseUrl: string;
  /** The project jobs run in (and are billed to). */
  readonly projectId: string;
  readonly key: BigQueryServiceAccountKey;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  readonly pollIntervalMs: number;
  readonly maxPollIntervalMs: number;
  /** Rows per page asked for (`maxResults`). */
  readonly pageSize: number;
  /** How long one jobs.query / getQueryResults call waits for the job server-side (`timeoutMs`). */
  readonly jobWaitMs: number;
  readonly retry?: Partial<RetryOptions>;
}

/** A BigQuery error answer: `reason` (`accessDenied`, `invalidQuery`, `notFound`…) says why. */
export class BigQueryApiError extends WarehouseError {
  constructor(
    kind: WarehouseError['kind'],
    readonly status: number,
    readonly reason: string,
    message: string,
    fix?: string,
  ) {
    super(kind, message, fix);
    this.name = 'BigQueryApiError';
  }
}

interface QueryResponse {
  jobComplete?: boolean;
  jobReference?: { projectId?: string; jobId?: string; location?: string };
  schema?: { fields?: BigQueryField[] };
  rows?: unknown[];
  pageToken?: string;
}

interface ErrorResponse {
  error?: {
    code?: number;
    message?: string;
    errors?: { reason?: string; message?: string }[];
    status?: string;
  };
  error_description?: string;
}

export class BigQueryClient {
  readonly #options: BigQueryClientOptions;
  readonly #http: VendorHttpClient;
  readonly #secrets: string[];
  #privateKey: KeyObject | undefined;
  #token: { value: string; renewAt: number } | undefined;
  #tokenRequest: Promise<string> | undefined;

  constructor(options: BigQueryClientOptions) {
    this.#options = options;
    this.#secrets = [options.key.private_key];
    this.#http = createVendorHttpClient({
      vendor: VENDOR,
      baseUrl: options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`,
      headers: { accept: 'application/json', 'user-agent': 'cartograph-warehouse/1.0' },
      secrets: this.#secrets,
      timeouts: {
        headersMs: options.timeoutMs + options.jobWaitMs,
        bodyMs: options.timeoutMs,
        attemptMs: options.timeoutMs * 2 + options.jobWaitMs,
      },
      retry: options.retry,
    });
  }

  get serviceAccount(): string {
    return this.#options.key.client_email;
  }

  /**
   * Runs one statement in `location` and yields its result page by page. Ending the iteration early, or
   * aborting the signal, cancels the job if it still runs.
   */
  async *query(statement: BigQueryStatement, location: string): AsyncGenerator<BigQueryResultPage> {
    const project = this.#options.projectId;
    let jobId: string | undefined;
    let complete = false;
    try {
      let response = await this.#call<QueryResponse>('jobs-query', {
        method: 'POST',
        path: `projects/${encodeURIComponent(project)}/queries`,
        json: {
          query: `${OWN_QUERY_MARKER} ${statement.sql}`,
          useLegacySql: false,
          location,
          labels: OWN_JOB_LABELS,
          parameterMode: 'NAMED',
          queryParameters: statement.parameters.map((parameter) => ({
            name: parameter.name,
            parameterType: { type: parameter.type },
            parameterValue: { value: parameter.value },
          })),
          maxResults: this.#options.pageSize,
          timeoutMs: this.#options.jobWaitMs,
          formatOptions: { useInt64Timestamp: true },
          // Makes the POST safe to repeat: BigQuery runs one job per request id.
          requestId: randomUUID(),
        },
      });
      jobId = response.jobReference?.jobId;
      let interval = this.#options.pollIntervalMs;
      while (response.jobComplete !== true) {
        if (!jobId)
          throw new WarehouseError(
            'unavailable',
            'BigQuery answered an incomplete job without a jobReference.',
          );
        await this.#wait(interval);
        interval = Math.min(interval * 2, this.#options.maxPollIntervalMs);
        response = await this.#results(jobId, location, undefined);
      }
      complete = true;
      const fields = response.schema?.fields ?? [];
      yield { fields, rows: response.rows ?? [] };
      while (response.pageToken && jobId) {
        this.#options.signal?.throwIfAborted();
        response = await this.#results(jobId, location, response.pageToken);
        yield { fields: response.schema?.fields ?? fields, rows: response.rows ?? [] };
      }
    } finally {
      if (jobId && !complete) await this.#cancel(jobId, location);
    }
  }

  async close(): Promise<void> {
    await this.#http.close();
  }

  #results(jobId: string, location: string, pageToken: string | undefined): Promise<QueryResponse> {
    return this.#call<QueryResponse>('jobs-get-query-results', {
      method: 'GET',
      path: `projects/${encodeURIComponent(this.#options.projectId)}/queries/${encodeURIComponent(jobId)}`,
      query: {
        location,
        maxResults: this.#options.pageSize,
        timeoutMs: this.#options.jobWaitMs,
        'formatOptions.useInt64Timestamp': true,
        ...(pageToken ? { pageToken } : {}),
      },
    });
  }

  async #cancel(jobId: string, location: string): Promise<void> {
    try {
      const token = await this.#accessToken();
      await this.#http.request({
        method: 'POST',
        path: `projects/${encodeURIComponent(this.#options.projectId)}/jobs/${encodeURIComponent(jobId)}/cancel`,
        query: { location },
        headers: { authorization: new Secret(`Bearer ${token}`) },
        operation: 'jobs-cancel',
        retry: false,
        timeouts: { attemptMs: Math.min(this.#options.timeoutMs, CANCEL_TIMEOUT_MS) },
      });
    } catch {
      // Best effort: the caller is already leaving, and BigQuery stops the job at its own timeout.
    }
  }

  /** One API call with the access token; a 401 renews the token once (it may have been revoked early). */
  async #call<T>(
    operation: string,
    request: {
      method: 'GET' | 'POST';
      path: string;
      json?: unknown;
      query?: Record<string, string | number | boolean>;
    },
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const token = await this.#accessToken();
      let response: VendorHttpResponse;
      try {
        response = await this.#http.request({
          ...request,
          headers: { authorization: new Secret(`Bearer ${token}`) },
          operation,
          // Reads only, and jobs.query carries a request id: repeating is safe.
          idempotent: true,
          allowStatuses: API_ERROR_STATUSES,
          signal: this.#options.signal,
        });
      } catch (error) {
        throw this.#translate(error);
      }
      if (response.status === 401 && attempt === 1) {
        this.#token = undefined;
        continue;
      }
      if (response.status >= 400) throw this.#apiError(response);
      return response.json<T>();
    }
  }

  /** The cached token, or one fetch shared by every caller that needs a new one at the same time. */
  async #accessToken(): Promise<string> {
    if (this.#token && Date.now() < this.#token.renewAt) return this.#token.value;
    this.#tokenRequest ??= this.#fetchToken().finally(() => {
      this.#tokenRequest = undefined;
    });
    return this.#tokenRequest;
  }

  async #fetchToken(): Promise<string> {
    const key = this.#options.key;
    const now = Math.floor(Date.now() / 1000);
    const assertion = await new SignJWT({ scope: SCOPE })
      .setProtectedHeader({
        alg: 'RS256',
        typ: 'JWT',
        ...(key.private_key_id ? { kid: key.private_key_id } : {}),
      })
      .setIssuer(key.client_email)
      .setAudience(key.token_uri)
      .setIssuedAt(now)
      .setExpirationTime(now + ASSERTION_LIFETIME_SECONDS)
      .sign(this.#readPrivateKey());
    let response: VendorHttpResponse;
    try {
      response = await this.#http.request({
        method: 'POST',
        path: key.token_uri,
        body: new URLSearchParams({
          grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
          assertion,
        }).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        operation: 'oauth-token',
        idempotent: true,
        allowStatuses: [400, 401, 403],
        secrets: [assertion],
        signal: this.#options.signal,
      });
    } catch (error) {
      throw this.#translate(error);
    }
    const body = safeJson<{
      access_token?: string;
      expires_in?: number;
      error?: string;
      error_description?: string;
    }>(response);
    if (response.status >= 400 || !body?.access_token) {
      const reason =
        [body?.error, body?.error_description].filter(Boolean).join(': ') || `HTTP ${response.status}`;
      throw new WarehouseError(
        'auth',
        `Google refused the service account key of ${key.client_email}${key.private_key_id ? ` (key id ${key.private_key_id})` : ''}: ${this.#redact(reason).replace(/\.+$/, '')}. The key may have been deleted or disabled, or the account removed: create a new key.`,
      );
    }
    this.#http.addSecret(body.access_token);
    const lifetimeMs = (body.expires_in ?? 3_600) * 1000;
    this.#token = {
      value: body.access_token,
      renewAt: Date.now() + Math.max(0, lifetimeMs - TOKEN_RENEW_BEFORE_MS),
    };
    return body.access_token;
  }

  #readPrivateKey(): KeyObject {
    if (this.#privateKey) return this.#privateKey;
    try {
      this.#privateKey = createPrivateKey({ key: this.#options.key.private_key, format: 'pem' });
    } catch {
      // The crypto error may quote the key material, so none of it is passed on.
      throw new WarehouseError(
        'auth',
        `The private_key of service account ${this.#options.key.client_email} could not be read: it must be the PEM key of the downloaded JSON key file.`,
      );
    }
    return this.#privateKey;
  }

  async #wait(ms: number): Promise<void> {
    const signal = this.#options.signal;
    try {
      await sleep(ms, undefined, signal ? { signal } : undefined);
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      throw error;
    }
  }

  #apiError(response: VendorHttpResponse): BigQueryApiError {
    const body = safeJson<ErrorResponse>(response);
    const reason = body?.error?.errors?.[0]?.reason ?? body?.error?.status ?? 'unknown';
    const message = this.#redact(body?.error?.message ?? `HTTP ${response.status}`);
    const where = `BigQuery (project ${this.#options.projectId}, service account ${this.serviceAccount})`;
    if (response.status === 401) {
      return new BigQueryApiError('auth', 401, reason, `${where} refused the access token: ${message}`);
    }
    if (response.status === 403 && /rateLimitExceeded|quotaExceeded/i.test(reason)) {
      return new BigQueryApiError(
        'rate_limited',
        403,
        reason,
        `${where} is over a rate limit or quota (${reason}): ${message}`,
      );
    }
    if (response.status === 403) {
      return new BigQueryApiError('permission', 403, reason, `${where} denied access: ${message}`);
    }
    return new BigQueryApiError(
      'invalid',
      response.status,
      reason,
      `${where} rejected a query (${reason}): ${message}`,
    );
  }

  #redact(text: string): string {
    return redactSecrets(text, this.#secrets);
  }

  #translate(error: unknown): unknown {
    if (!isVendorHttpError(error)) return error;
    const where = `BigQuery (project ${this.#options.projectId})`;
    if (error.status === 429) {
      return new WarehouseError(
        'rate_limited',
        `${where} kept answering 429 Too Many Requests after ${error.attempts} attempts.`,
      );
    }
    return new WarehouseError('unavailable', `${where} could not be reached: ${this.#redact(error.message)}`);
  }
}

function safeJson<T>(response: VendorHttpResponse): T | undefined {
  try {
    return response.json<T>();
  } catch {
    return undefined;
  }
}
