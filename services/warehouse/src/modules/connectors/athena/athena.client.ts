import {
  AthenaClient,
  BatchGetQueryExecutionCommand,
  GetWorkGroupCommand,
  ListDatabasesCommand,
  ListQueryExecutionsCommand,
  ListTableMetadataCommand,
  type Database,
  type QueryExecution,
  type TableMetadata,
  type WorkGroup,
} from '@aws-sdk/client-athena';
import { redactSecrets } from '@cartograph/platform/http';
import type { Secret } from '@cartograph/platform/secrets';
import { WarehouseError } from '../warehouse-connector.js';

// The Athena API (SigV4-signed JSON, signed and retried by the AWS SDK). Athena has no SQL-visible history or
// information schema worth a query's cost and latency: the catalog comes from ListDatabases/ListTableMetadata
// and the history from ListQueryExecutions/BatchGetQueryExecution, so reading never runs a query.

export interface AthenaAwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: Secret;
  readonly sessionToken?: Secret;
}

export interface AthenaApiOptions {
  readonly region: string;
  readonly endpoint?: string;
  /** Static credentials; absent: the SDK's default chain (environment, instance or task role). */
  readonly credentials?: AthenaAwsCredentials;
  readonly workGroup: string;
  readonly maxAttempts: number;
  readonly requestTimeoutMs: number;
  readonly signal?: AbortSignal;
}

/** The API's own maximum for page sizes and batch lookups. */
export const ATHENA_PAGE_SIZE = 50;

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
const THROTTLING_ERRORS = new Set(['ThrottlingException', 'TooManyRequestsException']);

export class AthenaApi {
  readonly #client: AthenaClient;
  readonly #options: AthenaApiOptions;
  readonly #secrets: string[];

  constructor(options: AthenaApiOptions) {
    this.#options = options;
    const { credentials } = options;
    this.#secrets = credentials
      ? [credentials.secretAccessKey.reveal(), credentials.sessionToken?.reveal() ?? '']
      : [];
    this.#client = new AthenaClient({
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

  async getWorkGroup(): Promise<WorkGroup | undefined> {
    const output = await this.#send('GetWorkGroup', () =>
      this.#client.send(new GetWorkGroupCommand({ WorkGroup: this.#options.workGroup }), this.#abort()),
    );
    return output.WorkGroup;
  }

  async *databases(catalog: string, maxResults = ATHENA_PAGE_SIZE): AsyncGenerator<Database> {
    let nextToken: string | undefined;
    do {
      const page = await this.#send('ListDatabases', () =>
        this.#client.send(
          new ListDatabasesCommand({
            CatalogName: catalog,
            MaxResults: maxResults,
            NextToken: nextToken,
            WorkGroup: this.#options.workGroup,
          }),
          this.#abort(),
        ),
      );
      yield* page.DatabaseList ?? [];
      nextToken = page.NextToken || undefined;
    } while (nextToken);
  }

  async *tables(catalog: string, database: string): AsyncGenerator<TableMetadata> {
    let nextToken: string | undefined;
    do {
      const page = await this.#send('ListTableMetadata', () =>
        this.#client.send(
          new ListTableMetadataCommand({
            CatalogName: catalog,
            DatabaseName: database,
            MaxResults: ATHENA_PAGE_SIZE,
            NextToken: nextToken,
            WorkGroup: this.#options.workGroup,
          }),
          this.#abort(),
        ),
      );
      yield* page.TableMetadataList ?? [];
      nextToken = page.NextToken || undefined;
    } while (nextToken);
  }

  /** One page of query execution ids of the workgroup, newest first. */
  async queryExecutionIds(
    nextToken: string | undefined,
    maxResults = ATHENA_PAGE_SIZE,
  ): Promise<{ ids: string[]; nextToken: string | undefined }> {
    const page = await this.#send('ListQueryExecutions', () =>
      this.#client.send(
        new ListQueryExecutionsCommand({
          WorkGroup: this.#options.workGroup,
          MaxResults: maxResults,
          NextToken: nextToken,
        }),
        this.#abort(),
      ),
    );
    return { ids: page.QueryExecutionIds ?? [], nextToken: page.NextToken || undefined };
  }

  /** Executions of up to 50 ids; ids the API could not process are returned apart. */
  async queryExecutions(
    ids: readonly string[],
  ): Promise<{ executions: QueryExecution[]; unprocessed: string[] }> {
    const output = await this.#send('BatchGetQueryExecution', () =>
      this.#client.send(new BatchGetQueryExecutionCommand({ QueryExecutionIds: [...ids] }), this.#abort()),
    );
    return {
      executions: output.QueryExecutions ?? [],
      unprocessed: (output.UnprocessedQueryExecutionIds ?? [])
        .map((item) => item.QueryExecutionId)
        .filter((id): id is string => id !== undefined),
    };
  }

  close(): void {
    this.#client.destroy();
  }

  #abort(): { abortSignal?: AbortSignal } {
    return this.#options.signal ? { abortSignal: this.#options.signal } : {};
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
    const details = error as {
      name?: string;
      message?: string;
      code?: string;
      $metadata?: { httpStatusCode?: number; attempts?: number };
    };
    const name = details.name ?? 'Error';
    const status = details.$metadata?.httpStatusCode;
    const attempts = details.$metadata?.attempts;
    const where = `Athena ${operation} (workgroup ${this.#options.workGroup}, region ${this.#options.region})`;
    const message = redactSecrets(`${name}: ${details.message ?? 'no message'}`, this.#secrets);
    const tries = attempts && attempts > 1 ? ` after ${attempts} attempts` : '';
    if (AUTH_ERRORS.has(name)) {
      return new WarehouseError(
        'auth',
        `${where} refused the AWS credentials: ${message}. Renew the access key or session token.`,
      );
    }
    if (name === 'AccessDeniedException') {
      const action =
        /not authorized to perform: (\S+)/.exec(details.message ?? '')?.[1] ?? `athena:${operation}`;
      return new WarehouseError(
        'permission',
        `${where} was denied: ${message}`,
        `Allow ${action} to the IAM identity`,
      );
    }
    if (THROTTLING_ERRORS.has(name))
      return new WarehouseError('rate_limited', `${where} was throttled${tries}: ${message}`);
    if (name === 'InternalServerException' || (status !== undefined && status >= 500)) {
      return new WarehouseError('unavailable', `${where} failed${tries}: ${message}`);
    }
    if (status === undefined) {
      const cause = details.code ? ` (${details.code})` : '';
      return new WarehouseError('unavailable', `${where} could not be reached${cause}: ${message}`);
    }
    return new WarehouseError('invalid', `${where} rejected the request: ${message}`);
  }
}
