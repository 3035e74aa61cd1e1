import {
  CancelStatementCommand,
  DescribeStatementCommand,
  ExecuteStatementCommand,
  GetStatementResultCommand,
  RedshiftDataClient,
  type DescribeStatementResponse,
  type Field,
} from '@aws-sdk/client-redshift-data';
import { redactSecrets, sleep } from '@cartograph/platform/http';
import { Secret } from '@cartograph/platform/secrets';
import { OWN_QUERY_MARKER, WarehouseError } from '../warehouse-connector.js';

// The Redshift Data API: statements run asynchronously (ExecuteStatement → DescribeStatement until FINISHED →
// GetStatementResult pages), over SigV4-signed JSON that the AWS SDK signs and retries (throttling and 5xx,
// with its own backoff). Every value reaches Redshift as a named parameter (`:since`), never inside the SQL.

export interface RedshiftTarget {
  readonly clusterIdentifier?: string;
  readonly workgroupName?: string;
  readonly database: string;
  readonly dbUser?: string;
  readonly secretArn?: string;
}

export interface RedshiftAwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: Secret;
  readonly sessionToken?: Secret;
}

export interface RedshiftDataApiOptions {
  readonly region: string;
  /** Overrides the regional endpoint (tests, VPC endpoints). */
  readonly endpoint?: string;
  /** Static credentials; absent: the SDK's default chain (environment, instance or task role). */
  readonly credentials?: RedshiftAwsCredentials;
  readonly target: RedshiftTarget;
  /** SDK attempts per API call, the first included; throttling and 5xx are retried with backoff. */
  readonly maxAttempts: number;
  readonly requestTimeoutMs: number;
  /** First wait between DescribeStatement calls; doubles up to `maxPollIntervalMs`. */
  readonly pollIntervalMs: number;
  readonly maxPollIntervalMs: number;
  /** A statement still running after this long is cancelled. */
  readonly statementTimeoutMs: number;
  readonly signal?: AbortSignal;
}

export type RedshiftValue = string | number | boolean | null;
export type RedshiftRow = Readonly<Record<string, RedshiftValue>>;

/** Names the statements in the Data API's own list (ListStatements), so an operator can tell ours apart. */
const STATEMENT_NAME = 'cartograph';

const AUTH_ERRORS = new Set([
  'ExpiredTokenException',
  'ExpiredToken',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'IncompleteSignature',
  'InvalidClientTokenId',
  'MissingAuthenticationTokenException',
  'SignatureDoesNotMatch',
]);
const THROTTLING_ERRORS = new Set([
  'ThrottlingException',
  'TooManyRequestsException',
  'ActiveStatementsExceededException',
  'ActiveSessionsExceededException',
  'ActiveWaitingRequestsExceededException',
]);
const UNAVAILABLE_ERRORS = new Set([
  'InternalServerException',
  'DatabaseConnectionException',
  'QueryTimeoutException',
  'TimeoutError',
  'ServiceUnavailable',
]);

export const REDSHIFT_DATA_API_FIX =
  'Allow the IAM identity redshift-data:ExecuteStatement, redshift-data:DescribeStatement, ' +
  'redshift-data:GetStatementResult and redshift-data:CancelStatement, plus redshift:GetClusterCredentials ' +
  '(cluster with dbUser), redshift-serverless:GetCredentials (workgroup) or secretsmanager:GetSecretValue ' +
  '(secretArn)';

export class RedshiftDataApi {
  readonly #client: RedshiftDataClient;
  readonly #options: RedshiftDataApiOptions;
  readonly #secrets: string[];

  constructor(options: RedshiftDataApiOptions) {
    this.#options = options;
    const { credentials } = options;
    this.#secrets = credentials
      ? [credentials.secretAccessKey.reveal(), credentials.sessionToken?.reveal() ?? '']
      : [];
    this.#client = new RedshiftDataClient({
      region: options.region,
      endpoint: options.endpoint,
      maxAttempts: options.maxAttempts,
      requestHandler: {
        requestTimeout: options.requestTimeoutMs,
        connectionTimeout: options.requestTimeoutMs,
      },
      credentials: credentials
        ? {
            accessKeyId: credentials.accessKeyId,
            secretAccessKey: credentials.secretAccessKey.reveal(),
            sessionToken: credentials.sessionToken?.reveal(),
          }
        : undefined,
    });
  }

  /** Where statements run, for messages: `cluster analytics, database dev`. */
  get location(): string {
    const { target } = this.#options;
    const server = target.clusterIdentifier
      ? `cluster ${target.clusterIdentifier}`
      : `workgroup ${target.workgroupName ?? ''}`;
    return `${server}, database ${target.database}`;
  }

  /** Runs one statement (prefixed with OWN_QUERY_MARKER) and yields its rows, page by page. */
  async *query(sql: string, parameters: Readonly<Record<string, string>> = {}): AsyncGenerator<RedshiftRow> {
    const id = await this.#execute(sql, parameters);
    const description = await this.#waitFor(id);
    if (!description.HasResultSet) return;
    let nextToken: string | undefined;
    do {
      const page = await this.#send('GetStatementResult', () =>
        this.#client.send(new GetStatementResultCommand({ Id: id, NextToken: nextToken }), {
          abortSignal: this.#options.signal,
        }),
      );
      const names = (page.ColumnMetadata ?? []).map((column, index) => column.name ?? `column${index}`);
      for (const record of page.Records ?? []) {
        const row: Record<string, RedshiftValue> = {};
        record.forEach((field, index) => {
          row[names[index] ?? `column${index}`] = fieldValue(field);
        });
        yield row;
      }
      nextToken = page.NextToken || undefined;
    } while (nextToken);
  }

  async queryAll(sql: string, parameters: Readonly<Record<string, string>> = {}): Promise<RedshiftRow[]> {
    const rows: RedshiftRow[] = [];
    for await (const row of this.query(sql, parameters)) rows.push(row);
    return rows;
  }

  close(): void {
    this.#client.destroy();
  }

  async #execute(sql: string, parameters: Readonly<Record<string, string>>): Promise<string> {
    const { target } = this.#options;
    const entries = Object.entries(parameters);
    const output = await this.#send('ExecuteStatement', () =>
      this.#client.send(
        new ExecuteStatementCommand({
          Sql: `${OWN_QUERY_MARKER}\n${sql}`,
          Parameters: entries.length > 0 ? entries.map(([name, value]) => ({ name, value })) : undefined,
          ClusterIdentifier: target.clusterIdentifier,
          WorkgroupName: target.workgroupName,
          Database: target.database,
          DbUser: target.dbUser,
          SecretArn: target.secretArn,
          StatementName: STATEMENT_NAME,
        }),
        // Not aborted mid-flight: the statement may already run, and only its id lets us cancel it.
      ),
    );
    if (!output.Id) {
      throw new WarehouseError(
        'unavailable',
        `Redshift ExecuteStatement (${this.location}) returned no statement id`,
      );
    }
    if (this.#options.signal?.aborted) {
      await this.#cancel(output.Id);
      throw this.#options.signal.reason;
    }
    return output.Id;
  }

  async #waitFor(id: string): Promise<DescribeStatementResponse> {
    const { signal, pollIntervalMs, maxPollIntervalMs, statementTimeoutMs } = this.#options;
    const deadline = Date.now() + statementTimeoutMs;
    let delay = pollIntervalMs;
    try {
      for (;;) {
        await sleep(delay, signal);
        const description = await this.#send('DescribeStatement', () =>
          this.#client.send(new DescribeStatementCommand({ Id: id }), { abortSignal: signal }),
        );
        if (description.Status === 'FINISHED') return description;
        if (description.Status === 'FAILED') throw this.#statementError(description.Error ?? 'unknown error');
        if (description.Status === 'ABORTED') {
          throw new WarehouseError(
            'unavailable',
            `Redshift statement ${id} (${this.location}) was cancelled`,
          );
        }
        if (Date.now() > deadline) {
          await this.#cancel(id);
          throw new WarehouseError(
            'unavailable',
            `Redshift statement ${id} (${this.location}) was still ${description.Status ?? 'running'} after ` +
              `${statementTimeoutMs} ms and was cancelled`,
          );
        }
        delay = Math.min(maxPollIntervalMs, delay * 2);
      }
    } catch (error) {
      // An abandoned statement would go on using the cluster; cancelling it is the caller's intent.
      if (signal?.aborted) await this.#cancel(id);
      throw error;
    }
  }

  async #cancel(id: string): Promise<void> {
    try {
      await this.#client.send(new CancelStatementCommand({ Id: id }));
    } catch {
      // Already finished, or unreachable: either way nothing more can be done for it.
    }
  }

  async #send<T>(operation: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (this.#options.signal?.aborted) throw this.#options.signal.reason;
      throw this.#apiError(error, operation);
    }
  }

  #apiError(error: unknown, operation: string): WarehouseError {
    if (error instanceof WarehouseError) return error;
    const details = error as {
      name?: string;
      message?: string;
      code?: string;
      $metadata?: { httpStatusCode?: number; attempts?: number };
    };
    const name = details.name ?? 'Error';
    const status = details.$metadata?.httpStatusCode;
    const attempts = details.$metadata?.attempts;
    const where = `Redshift Data API ${operation} (${this.location}, region ${this.#options.region})`;
    const message = redactSecrets(`${name}: ${details.message ?? 'no message'}`, this.#secrets);
    const tries = attempts && attempts > 1 ? ` after ${attempts} attempts` : '';
    if (AUTH_ERRORS.has(name)) {
      return new WarehouseError(
        'auth',
        `${where} refused the AWS credentials: ${message}. Renew the access key or session token.`,
      );
    }
    if (name === 'AccessDeniedException') {
      return new WarehouseError('permission', `${where} was denied: ${message}`, REDSHIFT_DATA_API_FIX);
    }
    if (THROTTLING_ERRORS.has(name))
      return new WarehouseError('rate_limited', `${where} was throttled${tries}: ${message}`);
    if (UNAVAILABLE_ERRORS.has(name) || (status !== undefined && status >= 500)) {
      return new WarehouseError('unavailable', `${where} failed${tries}: ${message}`);
    }
    if (status === undefined) {
      // No HTTP answer at all: refused connection, DNS, TLS.
      const cause = details.code ? ` (${details.code})` : '';
      return new WarehouseError('unavailable', `${where} could not be reached${cause}: ${message}`);
    }
    return new WarehouseError('invalid', `${where} rejected the request: ${message}`);
  }

  #statementError(error: string): WarehouseError {
    const text = redactSecrets(error, this.#secrets);
    const where = `Redshift statement (${this.location})`;
    const relation = /permission denied for (?:relation|table|view|schema) (\S+)/i.exec(text)?.[1];
    if (relation !== undefined) {
      const user = this.#options.target.dbUser ?? '<user>';
      const fix = /^(sys|stl|svl|stv|svv)_/i.test(relation)
        ? `GRANT ROLE sys:monitor TO "${user}"`
        : `GRANT SELECT ON ${relation} TO "${user}"`;
      return new WarehouseError('permission', `${where} failed: ${text}`, fix);
    }
    if (
      /password authentication failed|IAM Authentication|not authorized to get credentials|does not exist.*user|user .* does not exist/i.test(
        text,
      )
    ) {
      return new WarehouseError('auth', `${where} could not log in: ${text}`);
    }
    return new WarehouseError('invalid', `${where} failed: ${text}`);
  }
}

function fieldValue(field: Field): RedshiftValue {
  if (field.isNull) return null;
  if (field.stringValue !== undefined) return field.stringValue;
  if (field.longValue !== undefined) return field.longValue;
  if (field.doubleValue !== undefined) return field.doubleValue;
  if (field.booleanValue !== undefined) return field.booleanValue;
  if (field.blobValue !== undefined) return Buffer.from(field.blobValue).toString('base64');
  return null;
}
