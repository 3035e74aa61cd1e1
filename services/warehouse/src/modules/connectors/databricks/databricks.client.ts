import { setTimeout as sleep } from 'node:timers/promises';
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
import type { DatabricksColumnType, DatabricksResultPage, DatabricksStatement } from './databricks.mapper.js';

// The Databricks SQL Statement Execution API client: the only code of the Databricks connector that speaks
// HTTP. It submits a statement to the SQL warehouse (our marker first, values as named parameters, results
// inline as JSON arrays), polls while it is PENDING or RUNNING with backoff, follows `next_chunk_index`, and
// cancels the statement when the caller aborts or stops reading before it finished. A personal access token
// is sent as it is; a service principal's OAuth secret is traded for a token at /oidc/v1/token, cached
// until shortly before it expires. Failures become WarehouseErrors without secrets.

const VENDOR = 'databricks';
const CANCEL_TIMEOUT_MS = 5_000;
const TOKEN_RENEW_BEFORE_MS = 5 * 60_000;
const RUNNING_STATES = new Set(['PENDING', 'RUNNING']);

export type DatabricksCredentials =
  | { readonly type: 'personal-access-token'; readonly token: string }
  | { readonly type: 'oauth-m2m'; readonly clientId: string; readonly clientSecret: string };

export interface DatabricksClientOptions {
  /** `https://<workspace host>`. */
  readonly baseUrl: string;
  readonly warehouseId: string;
  readonly credentials: DatabricksCredentials;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  readonly pollIntervalMs: number;
  readonly maxPollIntervalMs: number;
  /** How long the submit waits for the result before answering PENDING: 0, or 5–50 seconds. */
  readonly waitTimeoutSeconds: number;
  readonly retry?: Partial<RetryOptions>;
}

/** A statement the warehouse ran and rejected (`status.state: FAILED`). */
export class DatabricksStatementError extends WarehouseError {
  constructor(
    readonly errorCode: string,
    message: string,
  ) {
    super('invalid', message);
    this.name = 'DatabricksStatementError';
  }
}

interface StatementResponse {
  statement_id?: string;
  status?: { state?: string; error?: { error_code?: string; message?: string } };
  manifest?: { schema?: { columns?: { name: string; type_name?: string; type_text?: string }[] } };
  result?: ChunkResponse;
}

interface ChunkResponse {
  data_array?: (string | null)[][];
  next_chunk_index?: number;
}

export class DatabricksClient {
  readonly #options: DatabricksClientOptions;
  readonly #http: VendorHttpClient;
  readonly #secrets: string[];
  #token: { value: string; renewAt: number } | undefined;
  #tokenRequest: Promise<string> | undefined;

  constructor(options: DatabricksClientOptions) {
    this.#options = options;
    const credentials = options.credentials;
    this.#secrets =
      credentials.type === 'personal-access-token' ? [credentials.token] : [credentials.clientSecret];
    this.#http = createVendorHttpClient({
      vendor: VENDOR,
      baseUrl: options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`,
      headers: { accept: 'application/json', 'user-agent': 'cartograph-warehouse/1.0' },
      secrets: this.#secrets,
      timeouts: {
        headersMs: options.timeoutMs + options.waitTimeoutSeconds * 1000,
        bodyMs: options.timeoutMs,
        attemptMs: options.timeoutMs * 2 + options.waitTimeoutSeconds * 1000,
      },
      retry: options.retry,
    });
  }

  /** Runs one statement and yields its result chunk by chunk; early exit or abort cancels it if it runs. */
  async *execute(statement: DatabricksStatement): AsyncGenerator<DatabricksResultPage> {
    let statementId: string | undefined;
    let finished = false;
    try {
      let response = await this.#call<StatementResponse>('submit-statement', {
        method: 'POST',
        path: 'api/2.0/sql/statements',
        json: {
          warehouse_id: this.#options.warehouseId,
          statement: `${OWN_QUERY_MARKER} ${statement.sql}`,
          wait_timeout: `${this.#options.waitTimeoutSeconds}s`,
          on_wait_timeout: 'CONTINUE',
          disposition: 'INLINE',
          format: 'JSON_ARRAY',
          parameters: statement.parameters.map((parameter) => ({
            name: parameter.name,
            value: parameter.value,
            type: parameter.type,
          })),
        },
      });
      statementId = response.statement_id;
      let interval = this.#options.pollIntervalMs;
      while (RUNNING_STATES.has(response.status?.state ?? '')) {
        if (!statementId)
          throw new WarehouseError(
            'unavailable',
            'Databricks answered a running statement without statement_id.',
          );
        await this.#wait(interval);
        interval = Math.min(interval * 2, this.#options.maxPollIntervalMs);
        response = await this.#call<StatementResponse>('statement-status', {
          method: 'GET',
          path: `api/2.0/sql/statements/${encodeURIComponent(statementId)}`,
        });
      }
      finished = true;
      const state = response.status?.state;
      if (state === 'FAILED') {
        const error = response.status?.error;
        throw new DatabricksStatementError(
          error?.error_code ?? 'UNKNOWN',
          `Databricks rejected a statement on SQL warehouse ${this.#options.warehouseId}: ${this.#redact(error?.message ?? 'no reason given')}`,
        );
      }
      if (state !== 'SUCCEEDED') {
        throw new WarehouseError(
          'unavailable',
          `Databricks ended a statement on SQL warehouse ${this.#options.warehouseId} as ${state ?? 'unknown'}.`,
        );
      }
      const columns: DatabricksColumnType[] = (response.manifest?.schema?.columns ?? []).map((column) => ({
        name: column.name,
        typeName: column.type_name ?? column.type_text ?? 'STRING',
      }));
      let chunk: ChunkResponse | undefined = response.result;
      yield { columns, rows: chunk?.data_array ?? [] };
      while (chunk?.next_chunk_index !== undefined && statementId) {
        this.#options.signal?.throwIfAborted();
        chunk = await this.#call<ChunkResponse>('statement-chunk', {
          method: 'GET',
          path: `api/2.0/sql/statements/${encodeURIComponent(statementId)}/result/chunks/${chunk.next_chunk_index}`,
        });
        yield { columns, rows: chunk.data_array ?? [] };
      }
    } finally {
      if (statementId && !finished) await this.#cancel(statementId);
    }
  }

  async close(): Promise<void> {
    await this.#http.close();
  }

  async #cancel(statementId: string): Promise<void> {
    try {
      await this.#http.request({
        method: 'POST',
        path: `api/2.0/sql/statements/${encodeURIComponent(statementId)}/cancel`,
        headers: { authorization: new Secret(`Bearer ${await this.#accessToken()}`) },
        operation: 'cancel-statement',
        retry: false,
        timeouts: { attemptMs: Math.min(this.#options.timeoutMs, CANCEL_TIMEOUT_MS) },
      });
    } catch {
      // Best effort: the caller is already leaving.
    }
  }

  /** One API call; with OAuth, a 401 renews the token once (it may have been revoked early). */
  async #call<T>(
    operation: string,
    request: { method: 'GET' | 'POST'; path: string; json?: unknown },
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const token = await this.#accessToken();
      let response: VendorHttpResponse;
      try {
        response = await this.#http.request({
          ...request,
          headers: { authorization: new Secret(`Bearer ${token}`) },
          operation,
          // Every statement we send is a read, so a repeated submit does no harm.
          idempotent: true,
          allowStatuses: [400, 401, 403, 404],
          signal: this.#options.signal,
        });
      } catch (error) {
        throw this.#translate(error);
      }
      if (response.status === 401 && attempt === 1 && this.#options.credentials.type === 'oauth-m2m') {
        this.#token = undefined;
        continue;
      }
      if (response.status >= 400) throw this.#apiError(response);
      return response.json<T>();
    }
  }

  async #accessToken(): Promise<string> {
    const credentials = this.#options.credentials;
    if (credentials.type === 'personal-access-token') return credentials.token;
    if (this.#token && Date.now() < this.#token.renewAt) return this.#token.value;
    this.#tokenRequest ??= this.#fetchToken(credentials).finally(() => {
      this.#tokenRequest = undefined;
    });
    return this.#tokenRequest;
  }

  async #fetchToken(credentials: Extract<DatabricksCredentials, { type: 'oauth-m2m' }>): Promise<string> {
    let response: VendorHttpResponse;
    try {
      response = await this.#http.request({
        method: 'POST',
        path: 'oidc/v1/token',
        body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'all-apis' }).toString(),
        headers: {
          authorization: new Secret(
            `Basic ${Buffer.from(`${credentials.clientId}:${credentials.clientSecret}`).toString('base64')}`,
          ),
          'content-type': 'application/x-www-form-urlencoded',
        },
        operation: 'oauth-token',
        idempotent: true,
        allowStatuses: [400, 401, 403],
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
        `Databricks refused the OAuth secret of service principal ${credentials.clientId}: ${this.#redact(reason).replace(/\.+$/, '')}. Check the client id and create a new secret if it expired.`,
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

  async #wait(ms: number): Promise<void> {
    const signal = this.#options.signal;
    try {
      await sleep(ms, undefined, signal ? { signal } : undefined);
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      throw error;
    }
  }

  #apiError(response: VendorHttpResponse): WarehouseError {
    const body = safeJson<{ error_code?: string; message?: string }>(response);
    const message = this.#redact(body?.message ?? `HTTP ${response.status}`);
    const code = body?.error_code ?? String(response.status);
    const where = `Databricks workspace ${new URL(this.#options.baseUrl).host}`;
    if (response.status === 401) {
      const hint =
        this.#options.credentials.type === 'personal-access-token'
          ? 'The personal access token is invalid, expired or revoked: create a new one.'
          : 'The OAuth token was refused: check the service principal and its secret.';
      return new WarehouseError(
        'auth',
        `${where} refused the credential (HTTP 401 ${code}): ${message.replace(/\.+$/, '')}. ${hint}`,
      );
    }
    if (response.status === 403) {
      return new WarehouseError(
        'permission',
        `${where} denied access (${code}): ${message}`,
        `Give the principal the CAN USE permission on SQL warehouse ${this.#options.warehouseId}`,
      );
    }
    return new WarehouseError('invalid', `${where} rejected a request (${code}): ${message}`);
  }

  #redact(text: string): string {
    return redactSecrets(text, this.#secrets);
  }

  #translate(error: unknown): unknown {
    if (!isVendorHttpError(error)) return error;
    const where = `Databricks workspace ${new URL(this.#options.baseUrl).host}`;
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
