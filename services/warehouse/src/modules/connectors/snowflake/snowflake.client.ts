import { createHash, createPrivateKey, createPublicKey, randomUUID, type KeyObject } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { gunzipSync } from 'node:zlib';
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
import type { SnowflakeColumnType, SnowflakeResultPage, SnowflakeStatement } from './snowflake.mapper.js';

// The Snowflake SQL API v2 client: the only code of the Snowflake connector that speaks HTTP. It submits a
// statement (prefixed with our marker, tagged with our query tag, values as bindings), polls its handle with
// backoff while Snowflake answers 202, reads every result partition, and cancels the statement when the
// caller aborts or stops reading before it finished. Failures become WarehouseErrors without secrets.

const VENDOR = 'snowflake';
const RUNNING_STATUS = 202;
const SQL_ERROR_STATUS = 422;
// Snowflake accepts JWTs valid for at most one hour; a fresh one is signed a few minutes before that.
const JWT_LIFETIME_SECONDS = 3_600;
const JWT_RENEW_BEFORE_SECONDS = 300;
const CANCEL_TIMEOUT_MS = 5_000;
export const SNOWFLAKE_QUERY_TAG = 'cartograph';

export type SnowflakeCredentials =
  | { readonly type: 'key-pair'; readonly privateKey: string; readonly privateKeyPassphrase?: string }
  | { readonly type: 'programmatic-access-token'; readonly token: string }
  | { readonly type: 'oauth'; readonly token: string };

export interface SnowflakeClientOptions {
  readonly baseUrl: string;
  /** Account identifier (`myorg-myaccount`, `xy12345.us-east-1`), for JWT claims. */
  readonly account: string;
  readonly user: string;
  readonly warehouse: string;
  readonly role: string;
  readonly credentials: SnowflakeCredentials;
  /** Per HTTP request. */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  /** First wait between status polls; doubles up to `maxPollIntervalMs`. */
  readonly pollIntervalMs: number;
  readonly maxPollIntervalMs: number;
  /** Snowflake cancels a statement running longer than this. */
  readonly statementTimeoutSeconds: number;
  readonly retry?: Partial<RetryOptions>;
}

/** A statement Snowflake rejected (HTTP 422): `code` and `sqlState` tell why. */
export class SnowflakeStatementError extends WarehouseError {
  constructor(
    readonly code: string,
    readonly sqlState: string,
    message: string,
  ) {
    super('invalid', message);
    this.name = 'SnowflakeStatementError';
  }
}

interface StatementBody {
  code?: string;
  sqlState?: string;
  message?: string;
  statementHandle?: string;
  resultSetMetaData?: {
    numRows?: number;
    rowType?: { name: string; type: string; scale?: number | null }[];
    partitionInfo?: { rowCount?: number }[];
  };
  data?: (string | null)[][];
}

export class SnowflakeClient {
  readonly #options: SnowflakeClientOptions;
  readonly #http: VendorHttpClient;
  readonly #secrets: string[];
  #privateKey: KeyObject | undefined;
  #jwt: { token: string; renewAt: number } | undefined;

  constructor(options: SnowflakeClientOptions) {
    this.#options = options;
    const credentials = options.credentials;
    this.#secrets = [
      credentials.type === 'key-pair' ? credentials.privateKey : credentials.token,
      ...(credentials.type === 'key-pair' && credentials.privateKeyPassphrase
        ? [credentials.privateKeyPassphrase]
        : []),
    ];
    this.#http = createVendorHttpClient({
      vendor: VENDOR,
      baseUrl: options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`,
      headers: { accept: 'application/json', 'user-agent': 'cartograph-warehouse/1.0' },
      secrets: this.#secrets,
      timeouts: { headersMs: options.timeoutMs, bodyMs: options.timeoutMs, attemptMs: options.timeoutMs * 2 },
      retry: options.retry,
    });
  }

  /**
   * Runs one statement and yields its result partition by partition. Ending the iteration early, or aborting
   * the signal, cancels the statement if it still runs.
   */
  async *execute(statement: SnowflakeStatement): AsyncGenerator<SnowflakeResultPage> {
    const signal = this.#options.signal;
    let handle: string | undefined;
    let finished = false;
    try {
      let response = await this.#send('submit-statement', {
        method: 'POST',
        path: 'api/v2/statements',
        query: { requestId: randomUUID() },
        json: this.#body(statement),
      });
      let body = response.json<StatementBody>();
      handle = body.statementHandle;
      let interval = this.#options.pollIntervalMs;
      while (response.status === RUNNING_STATUS) {
        if (!handle) throw this.#unexpected('a running statement without a statementHandle');
        await this.#wait(interval);
        interval = Math.min(interval * 2, this.#options.maxPollIntervalMs);
        response = await this.#send('statement-status', {
          method: 'GET',
          path: `api/v2/statements/${handle}`,
        });
        body = response.json<StatementBody>();
      }
      finished = true;
      if (response.status === SQL_ERROR_STATUS) throw this.#statementError(body);
      const columns: SnowflakeColumnType[] = (body.resultSetMetaData?.rowType ?? []).map((column) => ({
        name: column.name,
        type: column.type,
        scale: column.scale ?? null,
      }));
      yield { columns, rows: body.data ?? [] };
      const partitions = body.resultSetMetaData?.partitionInfo?.length ?? 1;
      for (let partition = 1; partition < partitions; partition++) {
        signal?.throwIfAborted();
        const page = await this.#send('statement-partition', {
          method: 'GET',
          path: `api/v2/statements/${handle}`,
          query: { partition },
          headers: { 'accept-encoding': 'gzip' },
        });
        if (page.status === SQL_ERROR_STATUS) throw this.#statementError(page.json<StatementBody>());
        yield { columns, rows: decodePartition(page).data ?? [] };
      }
    } finally {
      if (handle && !finished) await this.#cancel(handle);
    }
  }

  async close(): Promise<void> {
    await this.#http.close();
  }

  #body(statement: SnowflakeStatement): Record<string, unknown> {
    const bindings: Record<string, { type: string; value: string }> = {};
    statement.bindings.forEach((binding, index) => {
      bindings[String(index + 1)] = { type: binding.type, value: binding.value };
    });
    return {
      statement: `${OWN_QUERY_MARKER} ${statement.sql}`,
      timeout: this.#options.statementTimeoutSeconds,
      warehouse: this.#options.warehouse,
      role: this.#options.role,
      ...(statement.bindings.length > 0 ? { bindings } : {}),
      parameters: { query_tag: SNOWFLAKE_QUERY_TAG, timezone: 'UTC' },
    };
  }

  async #send(
    operation: string,
    request: {
      method: 'GET' | 'POST';
      path: string;
      query?: Record<string, string | number>;
      json?: unknown;
      headers?: Record<string, string>;
    },
    options: { signal?: AbortSignal | null; retry?: false; timeoutMs?: number } = {},
  ): Promise<VendorHttpResponse> {
    const authorization = await this.#authorization();
    try {
      return await this.#http.request({
        ...request,
        headers: { ...request.headers, ...authorization },
        operation,
        // Every statement we send is a read and carries a request id, so Snowflake runs a repeated submit once.
        idempotent: true,
        allowStatuses: [SQL_ERROR_STATUS],
        signal: options.signal === null ? undefined : (options.signal ?? this.#options.signal),
        ...(options.retry === false ? { retry: false } : {}),
        ...(options.timeoutMs
          ? { timeouts: { attemptMs: options.timeoutMs, headersMs: options.timeoutMs } }
          : {}),
      });
    } catch (error) {
      throw this.#translate(error);
    }
  }

  /** Best effort: the caller is already leaving (abort, early return, failure), so errors are swallowed. */
  async #cancel(handle: string): Promise<void> {
    try {
      await this.#send(
        'cancel-statement',
        { method: 'POST', path: `api/v2/statements/${handle}/cancel`, json: {} },
        { signal: null, retry: false, timeoutMs: Math.min(this.#options.timeoutMs, CANCEL_TIMEOUT_MS) },
      );
    } catch {
      // Snowflake also stops the statement at its `timeout`.
    }
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

  async #authorization(): Promise<Record<string, string | Secret>> {
    const credentials = this.#options.credentials;
    if (credentials.type === 'key-pair') {
      return {
        authorization: new Secret(`Bearer ${await this.#keyPairJwt(credentials)}`),
        'x-snowflake-authorization-token-type': 'KEYPAIR_JWT',
      };
    }
    return {
      authorization: new Secret(`Bearer ${credentials.token}`),
      'x-snowflake-authorization-token-type':
        credentials.type === 'oauth' ? 'OAUTH' : 'PROGRAMMATIC_ACCESS_TOKEN',
    };
  }

  async #keyPairJwt(credentials: Extract<SnowflakeCredentials, { type: 'key-pair' }>): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    if (this.#jwt && now < this.#jwt.renewAt) return this.#jwt.token;
    const privateKey = this.#readPrivateKey(credentials);
    const qualifiedUser = `${jwtAccount(this.#options.account)}.${this.#options.user.toUpperCase()}`;
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
      .setIssuer(`${qualifiedUser}.${publicKeyFingerprint(privateKey)}`)
      .setSubject(qualifiedUser)
      .setIssuedAt(now)
      .setExpirationTime(now + JWT_LIFETIME_SECONDS)
      .sign(privateKey);
    this.#jwt = { token, renewAt: now + JWT_LIFETIME_SECONDS - JWT_RENEW_BEFORE_SECONDS };
    return token;
  }

  #readPrivateKey(credentials: Extract<SnowflakeCredentials, { type: 'key-pair' }>): KeyObject {
    if (this.#privateKey) return this.#privateKey;
    try {
      this.#privateKey = createPrivateKey({
        key: credentials.privateKey,
        format: 'pem',
        ...(credentials.privateKeyPassphrase ? { passphrase: credentials.privateKeyPassphrase } : {}),
      });
    } catch {
      // The crypto error may quote the key material, so none of it is passed on.
      throw new WarehouseError(
        'auth',
        `The private key of Snowflake user ${this.#options.user} could not be read: it must be an RSA key in PEM (PKCS#8) form${credentials.privateKeyPassphrase ? ' and the passphrase must match it' : ''}.`,
      );
    }
    if (this.#privateKey.asymmetricKeyType !== 'rsa') {
      throw new WarehouseError(
        'auth',
        `The private key of Snowflake user ${this.#options.user} is not an RSA key; Snowflake key-pair authentication needs RSA.`,
      );
    }
    return this.#privateKey;
  }

  #statementError(body: StatementBody): SnowflakeStatementError {
    const message = this.#redact(body.message ?? 'the statement failed').trim();
    return new SnowflakeStatementError(
      body.code ?? 'unknown',
      body.sqlState ?? 'unknown',
      `Snowflake rejected a statement (code ${body.code ?? 'unknown'}, SQLSTATE ${body.sqlState ?? 'unknown'}): ${message}`,
    );
  }

  #unexpected(what: string): WarehouseError {
    return new WarehouseError('unavailable', `Snowflake answered with ${what}.`);
  }

  #redact(text: string): string {
    return redactSecrets(text, this.#secrets);
  }

  #translate(error: unknown): unknown {
    if (!isVendorHttpError(error)) return error;
    const detail = vendorMessage(error.bodyExcerpt);
    const where = `Snowflake account ${this.#options.account}`;
    const suffix = detail ? `: ${this.#redact(detail)}` : '';
    switch (error.status) {
      case 401:
        return new WarehouseError(
          'auth',
          `${where} refused the credential of user ${this.#options.user} (HTTP 401)${suffix}. ${credentialHint(this.#options.credentials.type)}`,
        );
      case 403:
        return new WarehouseError(
          'permission',
          `${where} refused user ${this.#options.user} with role ${this.#options.role} (HTTP 403)${suffix}.`,
          `GRANT ROLE ${this.#options.role} TO USER ${this.#options.user}`,
        );
      case 429:
        return new WarehouseError(
          'rate_limited',
          `${where} kept answering 429 Too Many Requests after ${error.attempts} attempts${suffix}.`,
        );
      default:
        return new WarehouseError(
          'unavailable',
          `${where} could not be reached: ${this.#redact(error.message)}`,
        );
    }
  }
}

/** The account part of JWT claims: upper case, without region or cloud (`xy12345.us-east-1` → `XY12345`). */
export function jwtAccount(account: string): string {
  return account.trim().split('.')[0]!.toUpperCase();
}

/** `SHA256:<base64 of the SHA-256 of the DER public key>`, as `DESC USER` shows RSA_PUBLIC_KEY_FP. */
export function publicKeyFingerprint(privateKey: KeyObject): string {
  const der = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  return `SHA256:${createHash('sha256').update(der).digest('base64')}`;
}

function credentialHint(type: SnowflakeCredentials['type']): string {
  if (type === 'key-pair') {
    return 'Check that the private key matches the RSA_PUBLIC_KEY set on the user (ALTER USER … SET RSA_PUBLIC_KEY) and that the account identifier and user name are right.';
  }
  if (type === 'oauth') return 'The OAuth access token is invalid or expired: issue a new one.';
  return 'The programmatic access token is invalid, expired or revoked: generate a new one for the user.';
}

function vendorMessage(excerpt: string | undefined): string | undefined {
  if (!excerpt) return undefined;
  const match = /"message"\s*:\s*"((?:[^"\\]|\\.)*)"/.exec(excerpt);
  return match
    ? match[1]!
        .replace(/\\n/g, ' ')
        .replace(/\\"/g, '"')
        .replace(/\s*\[[0-9a-f-]{36}\]/, '')
    : undefined;
}

function decodePartition(response: VendorHttpResponse): StatementBody {
  const encoding = String(response.headers['content-encoding'] ?? '').toLowerCase();
  const raw = encoding.includes('gzip') ? gunzipSync(response.body) : response.body;
  try {
    return JSON.parse(raw.toString('utf8')) as StatementBody;
  } catch {
    throw new WarehouseError('unavailable', 'Snowflake answered a result partition that is not JSON.');
  }
}
