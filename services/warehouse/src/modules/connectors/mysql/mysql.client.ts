import type { Readable } from 'node:stream';
import mysql, { type QueryValues } from 'mysql2';
import { OWN_QUERY_MARKER, WarehouseError } from '../warehouse-connector.js';
import { warehouseErrorFromMysql, type MysqlPlatform } from './mysql.mapper.js';
import { UTC_SESSION_SQL } from './mysql.queries.js';
import { sleep } from '@cartograph/platform/http';

export type MysqlSslMode = 'disable' | 'prefer' | 'require' | 'verify-ca' | 'verify-full';

export interface MysqlClientOptions {
  readonly platform: MysqlPlatform;
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly sslMode: MysqlSslMode;
  /** PEM certificates to trust for verify-ca / verify-full, instead of the system's. */
  readonly sslRootCertificate?: string;
  readonly connectTimeoutMs: number;
  /** Per-query timeout enforced by the driver (not applied to streamed reads, which may run long). */
  readonly queryTimeoutMs: number;
  readonly signal?: AbortSignal;
}

const CONNECT_ATTEMPTS = 3;
const RETRY_DELAY_MS = 250;

function sslOptions(options: MysqlClientOptions): mysql.SslOptions | undefined {
  const ca = options.sslRootCertificate ? { ca: options.sslRootCertificate } : {};
  switch (options.sslMode) {
    case 'disable':
      return undefined;
    case 'prefer':
    case 'require':
      // MySQL's PREFERRED and REQUIRED encrypt without checking the certificate.
      return { rejectUnauthorized: false };
    case 'verify-ca':
      return { rejectUnauthorized: true, verifyIdentity: false, ...ca };
    case 'verify-full':
      return { rejectUnauthorized: true, verifyIdentity: true, ...ca };
  }
}

/**
 * One connection to a MySQL or MariaDB server, in UTC. Every statement goes out with OWN_QUERY_MARKER in
 * front, so history readers can leave our own queries out, and every failure comes back as a WarehouseError
 * whose message names the server and never the password.
 */
export class MysqlClient {
  private closed = false;
  private readonly abortListener = () => this.destroy();

  private constructor(
    private readonly connection: mysql.Connection,
    private readonly options: MysqlClientOptions,
  ) {
    options.signal?.addEventListener('abort', this.abortListener, { once: true });
  }

  /** Connects, retrying a refused or dropped connection twice; `prefer` falls back to plain TCP. */
  static async connect(options: MysqlClientOptions): Promise<MysqlClient> {
    let lastError: WarehouseError | undefined;
    for (let attempt = 1; attempt <= CONNECT_ATTEMPTS; attempt += 1) {
      options.signal?.throwIfAborted();
      try {
        return await MysqlClient.connectOnce(options, sslOptions(options));
      } catch (error) {
        if (
          options.sslMode === 'prefer' &&
          (error as { code?: unknown }).code === 'HANDSHAKE_NO_SSL_SUPPORT'
        ) {
          try {
            return await MysqlClient.connectOnce(options, undefined);
          } catch (plainError) {
            error = plainError;
          }
        }
        lastError = warehouseErrorFromMysql(error, MysqlClient.errorContext(options));
        if (lastError.kind !== 'unavailable') throw lastError;
      }
      if (attempt < CONNECT_ATTEMPTS) await sleep(RETRY_DELAY_MS * 2 ** (attempt - 1));
    }
    throw lastError!;
  }

  private static async connectOnce(
    options: MysqlClientOptions,
    ssl: mysql.SslOptions | undefined,
  ): Promise<MysqlClient> {
    const connection = mysql.createConnection({
      host: options.host,
      port: options.port,
      user: options.user,
      password: options.password,
      ...(ssl ? { ssl } : {}),
      connectTimeout: options.connectTimeoutMs,
      charset: 'utf8mb4',
      // DATETIME values (information_schema CREATE_TIME…) are read in the session's UTC.
      timezone: 'Z',
      supportBigNumbers: true,
      bigNumberStrings: true,
      multipleStatements: false,
    });
    // A connection the server drops emits 'error'; without a listener that would crash the process.
    connection.on('error', () => undefined);
    try {
      await new Promise<void>((resolve, reject) =>
        connection.connect((error) => (error ? reject(error) : resolve())),
      );
    } catch (error) {
      connection.destroy();
      throw error;
    }
    const client = new MysqlClient(connection, options);
    try {
      await client.query(UTC_SESSION_SQL);
    } catch (error) {
      client.destroy();
      throw error;
    }
    return client;
  }

  private static errorContext(options: MysqlClientOptions) {
    return {
      platform: options.platform,
      host: options.host,
      port: options.port,
      secrets: [options.password],
    };
  }

  /** Runs one statement (prefixed with OWN_QUERY_MARKER); `?` placeholders are bound by the driver. */
  async query<Row>(sql: string, parameters: readonly unknown[] = []): Promise<Row[]> {
    this.options.signal?.throwIfAborted();
    try {
      const [rows] = await this.connection
        .promise()
        .query({ sql: `${OWN_QUERY_MARKER} ${sql}`, timeout: this.options.queryTimeoutMs }, [
          ...parameters,
        ] as QueryValues);
      return rows as Row[];
    } catch (error) {
      throw warehouseErrorFromMysql(error, MysqlClient.errorContext(this.options));
    }
  }

  /**
   * Streams the rows of one statement with back-pressure. Breaking out of the loop early leaves the
   * connection mid-result, so the caller must `destroy()` it rather than `close()` it then.
   */
  async *stream<Row>(sql: string, parameters: readonly unknown[] = []): AsyncIterable<Row> {
    this.options.signal?.throwIfAborted();
    const rows: Readable = this.connection
      .query(`${OWN_QUERY_MARKER} ${sql}`, [...parameters] as QueryValues)
      .stream({ highWaterMark: 1000 });
    try {
      for await (const row of rows) yield row as Row;
    } catch (error) {
      throw warehouseErrorFromMysql(error, MysqlClient.errorContext(this.options));
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.options.signal?.removeEventListener('abort', this.abortListener);
    await this.connection
      .promise()
      .end()
      .catch(() => this.connection.destroy());
  }

  /** Drops the connection at once (after an abandoned stream, or on abort). */
  destroy(): void {
    if (this.closed) return;
    this.closed = true;
    this.options.signal?.removeEventListener('abort', this.abortListener);
    this.connection.destroy();
  }
}
