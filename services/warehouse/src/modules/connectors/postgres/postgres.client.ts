import type { ConnectionOptions } from 'node:tls';
import pg from 'pg';
import { OWN_QUERY_MARKER, WarehouseError } from '../warehouse-connector.js';
import { warehouseErrorFromPostgres } from './postgres.mapper.js';
import { sleep } from '@cartograph/platform/http';

export type PostgresSslMode = 'disable' | 'prefer' | 'require' | 'verify-ca' | 'verify-full';

export interface PostgresClientOptions {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
  readonly password: string;
  readonly sslMode: PostgresSslMode;
  /** PEM certificates to trust for verify-ca / verify-full, instead of the system's. */
  readonly sslRootCertificate?: string;
  readonly connectTimeoutMs: number;
  /** Per-statement timeout, enforced by the server (statement_timeout) and by the driver. */
  readonly statementTimeoutMs: number;
  readonly signal?: AbortSignal;
}

const CONNECT_ATTEMPTS = 3;
const RETRY_DELAY_MS = 250;

function tlsOptions(options: PostgresClientOptions): false | ConnectionOptions {
  switch (options.sslMode) {
    case 'disable':
      return false;
    case 'prefer':
    case 'require':
      // libpq's require encrypts without checking the certificate; so does a preferred TLS connection.
      return { rejectUnauthorized: false };
    case 'verify-ca':
      return {
        rejectUnauthorized: true,
        ...(options.sslRootCertificate ? { ca: options.sslRootCertificate } : {}),
        checkServerIdentity: () => undefined,
      };
    case 'verify-full':
      return {
        rejectUnauthorized: true,
        ...(options.sslRootCertificate ? { ca: options.sslRootCertificate } : {}),
      };
  }
}

/**
 * One connection to one database. Every statement goes out with OWN_QUERY_MARKER in front, so history
 * readers (ours included) can leave our own queries out, and every failure comes back as a WarehouseError
 * whose message names the server and never the password.
 */
export class PostgresClient {
  private closed = false;
  private readonly abortListener = () => void this.close();

  private constructor(
    private readonly client: pg.Client,
    private readonly options: PostgresClientOptions,
  ) {
    options.signal?.addEventListener('abort', this.abortListener, { once: true });
  }

  get database(): string {
    return this.options.database;
  }

  /** Connects, retrying a refused or dropped connection twice; `prefer` falls back to plain TCP like libpq. */
  static async connect(options: PostgresClientOptions): Promise<PostgresClient> {
    let lastError: WarehouseError | undefined;
    for (let attempt = 1; attempt <= CONNECT_ATTEMPTS; attempt += 1) {
      options.signal?.throwIfAborted();
      try {
        return await PostgresClient.connectOnce(options, tlsOptions(options));
      } catch (error) {
        if (options.sslMode === 'prefer' && /does not support SSL/i.test(String(error))) {
          try {
            return await PostgresClient.connectOnce(options, false);
          } catch (plainError) {
            error = plainError;
          }
        }
        lastError = warehouseErrorFromPostgres(error, PostgresClient.errorContext(options));
        if (lastError.kind !== 'unavailable') throw lastError;
      }
      if (attempt < CONNECT_ATTEMPTS) await sleep(RETRY_DELAY_MS * 2 ** (attempt - 1));
    }
    throw lastError!;
  }

  private static async connectOnce(
    options: PostgresClientOptions,
    ssl: false | ConnectionOptions,
  ): Promise<PostgresClient> {
    const client = new pg.Client({
      host: options.host,
      port: options.port,
      database: options.database,
      user: options.user,
      // Always a string: an absent password would make the driver fall back to PGPASSWORD or ~/.pgpass.
      password: options.password,
      ssl,
      connectionTimeoutMillis: options.connectTimeoutMs,
      statement_timeout: options.statementTimeoutMs,
      // The driver's own timer catches a server that stops answering altogether.
      query_timeout: options.statementTimeoutMs + 5_000,
      application_name: 'cartograph',
    });
    // An idle connection that the server drops emits 'error'; without a listener that would crash the process.
    client.on('error', () => undefined);
    try {
      await client.connect();
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    return new PostgresClient(client, options);
  }

  private static errorContext(options: PostgresClientOptions) {
    return {
      host: options.host,
      port: options.port,
      database: options.database,
      secrets: [options.password],
    };
  }

  /** Runs one statement (prefixed with OWN_QUERY_MARKER) and returns its rows. */
  async query<Row>(sql: string, parameters: readonly unknown[] = []): Promise<Row[]> {
    this.options.signal?.throwIfAborted();
    try {
      const result = await this.client.query(`${OWN_QUERY_MARKER} ${sql}`, parameters as unknown[]);
      return result.rows as Row[];
    } catch (error) {
      throw warehouseErrorFromPostgres(error, PostgresClient.errorContext(this.options));
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.options.signal?.removeEventListener('abort', this.abortListener);
    await this.client.end().catch(() => undefined);
  }
}
