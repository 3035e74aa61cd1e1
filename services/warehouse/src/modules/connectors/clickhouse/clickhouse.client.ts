import { createInterface } from 'node:readline';
import { createVendorHttpClient, isVendorHttpError, type VendorHttpClient } from '@cartograph/platform/http';
import type { Secret } from '@cartograph/platform/secrets';
import { OWN_QUERY_MARKER, WarehouseError } from '../warehouse-connector.js';
import { CLICKHOUSE_LOG_COMMENT } from './clickhouse.mapper.js';

// The ClickHouse HTTP interface: the SQL in the POST body, settings and `{name:Type}` parameter values as URL
// parameters (`param_<name>`), so values never become part of the SQL text. Every query carries our marker
// comment and the `log_comment` setting, which system.query_log records, so history reading can skip it.

export type ClickHouseParameter = string | number | bigint | readonly string[];
export type ClickHouseRow = Readonly<Record<string, unknown>>;

export interface ClickHouseJsonResult {
  readonly meta: readonly { readonly name: string; readonly type: string }[];
  readonly data: readonly ClickHouseRow[];
  readonly rows: number;
}

export interface ClickHouseHttpOptions {
  readonly baseUrl: string;
  /** `host:port`, for messages. */
  readonly server: string;
  readonly user: string;
  readonly password: Secret;
  readonly timeoutMs: number;
  readonly maxAttempts: number;
  readonly retryBaseDelayMs: number;
  readonly signal?: AbortSignal;
}

/** Error codes (`Code: N.`) that mean the login itself was refused. */
const AUTH_CODES = new Set([192, 193, 194, 516]);
const ACCESS_DENIED_CODES = new Set([497, 164]);
const OVERLOAD_CODES = new Set([202, 203, 241, 159, 209, 210]);

export class ClickHouseHttp {
  readonly #http: VendorHttpClient;
  readonly #options: ClickHouseHttpOptions;

  constructor(options: ClickHouseHttpOptions) {
    this.#options = options;
    this.#http = createVendorHttpClient({
      vendor: 'clickhouse',
      baseUrl: options.baseUrl,
      headers: { 'X-ClickHouse-User': options.user, 'X-ClickHouse-Key': options.password },
      secrets: [options.password],
      timeouts: { headersMs: options.timeoutMs, bodyMs: options.timeoutMs, attemptMs: 0 },
      // 500 is also what a failing query answers (memory limit, bad data); repeating it would not help.
      retry: {
        maxAttempts: options.maxAttempts,
        baseDelayMs: options.retryBaseDelayMs,
        retryStatuses: [429, 502, 503, 504],
      },
    });
  }

  get server(): string {
    return this.#options.server;
  }

  /** Runs a read query in the JSON format and returns the whole answer. */
  async query(
    sql: string,
    parameters: Readonly<Record<string, ClickHouseParameter>> = {},
  ): Promise<ClickHouseJsonResult> {
    try {
      const response = await this.#http.request({
        method: 'POST',
        path: '/',
        query: this.#settings('JSON', parameters),
        body: `${OWN_QUERY_MARKER}\n${sql}`,
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        idempotent: true,
        signal: this.#options.signal,
        operation: 'query',
      });
      return response.json<ClickHouseJsonResult>();
    } catch (error) {
      throw this.#error(error);
    }
  }

  /** Runs a read query in JSONEachRow and yields rows as they arrive, so large results stay out of memory. */
  async *stream(
    sql: string,
    parameters: Readonly<Record<string, ClickHouseParameter>> = {},
  ): AsyncGenerator<ClickHouseRow> {
    let body;
    try {
      ({ body } = await this.#http.stream({
        method: 'POST',
        path: '/',
        query: this.#settings('JSONEachRow', parameters),
        body: `${OWN_QUERY_MARKER}\n${sql}`,
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        idempotent: true,
        signal: this.#options.signal,
        operation: 'stream',
      }));
    } catch (error) {
      throw this.#error(error);
    }
    const lines = createInterface({ input: body, crlfDelay: Number.POSITIVE_INFINITY });
    try {
      for await (const line of lines) {
        if (line.trim() === '') continue;
        // Once the status line is sent, ClickHouse reports a failure by writing the exception into the body.
        if (!line.startsWith('{')) throw this.#exceptionText(line, undefined);
        yield JSON.parse(line) as ClickHouseRow;
      }
    } finally {
      lines.close();
      body.destroy();
    }
  }

  close(): Promise<void> {
    return this.#http.close();
  }

  #settings(
    format: string,
    parameters: Readonly<Record<string, ClickHouseParameter>>,
  ): Record<string, string> {
    const query: Record<string, string> = {
      default_format: format,
      log_comment: CLICKHOUSE_LOG_COMMENT,
      // Keeps 64-bit integers exact: JSON numbers would lose precision past 2^53.
      output_format_json_quote_64bit_integers: '1',
      // An aborted sync closes the connection; the server then stops the query instead of finishing it.
      cancel_http_readonly_queries_on_client_close: '1',
    };
    for (const [name, value] of Object.entries(parameters)) query[`param_${name}`] = parameterText(value);
    return query;
  }

  #error(error: unknown): unknown {
    if (this.#options.signal?.aborted) return this.#options.signal.reason;
    if (error instanceof WarehouseError) return error;
    if (!isVendorHttpError(error)) return error;
    if (error.status === undefined) {
      return new WarehouseError(
        'unavailable',
        `ClickHouse at ${this.server} could not be reached after ${error.attempts} attempt(s): ${error.message}`,
      );
    }
    return this.#exceptionText(error.bodyExcerpt ?? '', error.status, error.attempts);
  }

  #exceptionText(text: string, status: number | undefined, attempts = 1): WarehouseError {
    const code = Number(/Code:\s*(\d+)/.exec(text)?.[1] ?? Number.NaN);
    const detail = text.trim() === '' ? `HTTP ${status ?? '?'}` : text.trim();
    const where = `ClickHouse at ${this.server} (user ${this.#options.user})`;
    if (AUTH_CODES.has(code) || status === 401) {
      return new WarehouseError('auth', `${where} refused the login: ${detail}`);
    }
    if (ACCESS_DENIED_CODES.has(code) || status === 403) {
      const grant = /necessary to have the grant (.+?) ON ([\w.`*]+)/.exec(text);
      const fix = grant
        ? `GRANT ${grant[1]!.replace(/\(.*\)/, '')} ON ${grant[2]!.replace(/\.$/, '')} TO ${this.#options.user}`
        : undefined;
      return new WarehouseError('permission', `${where} denied the query: ${detail}`, fix);
    }
    if (status === 429)
      return new WarehouseError(
        'rate_limited',
        `${where} kept answering 429 after ${attempts} attempts: ${detail}`,
      );
    if (OVERLOAD_CODES.has(code) || (status !== undefined && status >= 500)) {
      return new WarehouseError('unavailable', `${where} failed after ${attempts} attempt(s): ${detail}`);
    }
    return new WarehouseError('invalid', `${where} rejected the query: ${detail}`);
  }
}

/**
 * A `param_<name>` value in ClickHouse's escaped text format: strings escape backslash, tab and newline;
 * arrays are written as literals with quoted, escaped items.
 */
export function parameterText(value: ClickHouseParameter): string {
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'string') return escapeText(value);
  return `[${value.map((item) => `'${item.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`).join(',')}]`;
}

function escapeText(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}
