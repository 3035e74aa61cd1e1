import { randomUUID } from 'node:crypto';
import {
  awsEpochSeconds,
  decodeAwsNextToken,
  encodeAwsNextToken,
  FakeAwsError,
  FakeAwsJsonService,
  type FakeAwsCredentials,
} from './fake-aws-json.js';

// A fake Amazon Athena API on 127.0.0.1: the JSON 1.1 protocol (`X-Amz-Target: AmazonAthena.<Operation>`),
// SigV4-checked, serving the catalog calls (ListDatabases, ListTableMetadata) and the query history calls
// (ListQueryExecutions, newest first; BatchGetQueryExecution, at most 50 ids) plus GetWorkGroup, with the
// limits of the real API (MaxResults ≤ 50, NextToken pages, unknown ids reported as unprocessed) and its
// errors (InvalidRequestException, MetadataException, ThrottlingException, ExpiredTokenException,
// AccessDeniedException through the shared AWS plumbing).

export interface FakeAthenaColumn {
  name: string;
  type: string;
  comment?: string;
}

export interface FakeAthenaTable {
  name: string;
  /** Glue table type. Default EXTERNAL_TABLE. */
  tableType?: 'EXTERNAL_TABLE' | 'VIRTUAL_VIEW' | 'MANAGED_TABLE' | 'GOVERNED';
  columns: FakeAthenaColumn[];
  partitionKeys?: FakeAthenaColumn[];
  /** Table parameters: `comment`, `numRows`, `totalSize`, `recordCount`, `classification`… */
  parameters?: Record<string, string>;
  createTime?: Date;
}

export interface FakeAthenaDatabase {
  /** Default AwsDataCatalog. */
  catalog?: string;
  name: string;
  description?: string;
  tables: FakeAthenaTable[];
}

export interface FakeAthenaQueryExecution {
  id?: string;
  query: string;
  submittedAt: Date;
  completedAt?: Date;
  /** Default primary. */
  workGroup?: string;
  /** Default SUCCEEDED. */
  state?: 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';
  /** Default DML. */
  statementType?: 'DML' | 'DDL' | 'UTILITY';
  substatementType?: string;
  database?: string;
  catalog?: string;
  totalExecutionMs?: number;
  dataScannedBytes?: number;
}

export interface FakeAthenaOptions {
  region?: string;
  accountId?: string;
  credentials: FakeAwsCredentials[];
  /** Workgroups that exist. Default `['primary']`; a `disabled` one answers GetWorkGroup with State DISABLED. */
  workGroups?: string[];
  disabledWorkGroups?: string[];
  /** Page size cap of the list calls (the API's own is 50). */
  pageSize?: number;
}

const API_MAXIMUM = 50;

export class FakeAthena {
  readonly service: FakeAwsJsonService;
  readonly databases: FakeAthenaDatabase[] = [];
  readonly #executions: (FakeAthenaQueryExecution & { id: string })[] = [];
  readonly #options: FakeAthenaOptions;

  constructor(options: FakeAthenaOptions) {
    this.#options = options;
    this.service = new FakeAwsJsonService({
      targetPrefix: 'AmazonAthena',
      signingName: 'athena',
      actionPrefix: 'athena',
      region: options.region,
      accountId: options.accountId,
      credentials: options.credentials,
    });
    this.service
      .operation('GetWorkGroup', (input) => this.#getWorkGroup(input))
      .operation('ListDatabases', (input) => this.#listDatabases(input))
      .operation('ListTableMetadata', (input) => this.#listTableMetadata(input))
      .operation('ListQueryExecutions', (input) => this.#listQueryExecutions(input))
      .operation('BatchGetQueryExecution', (input) => this.#batchGetQueryExecution(input));
  }

  start(): Promise<string> {
    return this.service.start();
  }

  stop(): Promise<void> {
    return this.service.stop();
  }

  get endpoint(): string {
    return this.service.endpoint;
  }

  addDatabases(...databases: FakeAthenaDatabase[]): this {
    this.databases.push(...databases);
    return this;
  }

  /** Adds query executions; returns their ids. */
  addQueryExecutions(...executions: FakeAthenaQueryExecution[]): string[] {
    return executions.map((execution) => {
      const id = execution.id ?? randomUUID();
      this.#executions.push({ ...execution, id });
      return id;
    });
  }

  /** Query executions as added, any order. */
  get executions(): readonly (FakeAthenaQueryExecution & { id: string })[] {
    return this.#executions;
  }

  #workGroupOf(name: unknown): string {
    const workGroup = typeof name === 'string' && name !== '' ? name : 'primary';
    if (!(this.#options.workGroups ?? ['primary']).includes(workGroup)) {
      throw new FakeAwsError('InvalidRequestException', `WorkGroup ${workGroup} is not found.`, 400, {
        AthenaErrorCode: 'INVALID_INPUT',
      });
    }
    return workGroup;
  }

  #maxResults(value: unknown, minimum = 1): number {
    if (value === undefined) return API_MAXIMUM;
    if (typeof value !== 'number' || value < minimum || value > API_MAXIMUM) {
      throw new FakeAwsError(
        'InvalidRequestException',
        `1 validation error detected: Value '${String(value)}' at 'maxResults' failed to satisfy constraint: ` +
          `Member must have value less than or equal to ${API_MAXIMUM}`,
      );
    }
    return value;
  }

  #page<T>(
    items: readonly T[],
    input: Record<string, unknown>,
    minimum = 1,
  ): { items: T[]; nextToken?: string } {
    const limit = Math.min(
      this.#maxResults(input.MaxResults, minimum),
      this.#options.pageSize ?? API_MAXIMUM,
    );
    const offset = decodeAwsNextToken(input.NextToken, 'InvalidRequestException');
    const page = items.slice(offset, offset + limit);
    const next = offset + page.length;
    return { items: page, nextToken: next < items.length ? encodeAwsNextToken(next) : undefined };
  }

  #getWorkGroup(input: Record<string, unknown>): unknown {
    const name = this.#workGroupOf(input.WorkGroup);
    return {
      WorkGroup: {
        Name: name,
        State: this.#options.disabledWorkGroups?.includes(name) ? 'DISABLED' : 'ENABLED',
        Configuration: {
          ResultConfiguration: { OutputLocation: `s3://athena-results-${this.service.accountId}/` },
          EnforceWorkGroupConfiguration: false,
          EngineVersion: { SelectedEngineVersion: 'AUTO', EffectiveEngineVersion: 'Athena engine version 3' },
        },
        CreationTime: awsEpochSeconds(new Date('2023-01-01T00:00:00Z')),
      },
    };
  }

  #catalogDatabases(catalog: unknown): FakeAthenaDatabase[] {
    const name = String(catalog ?? '');
    const databases = this.databases.filter(
      (database) => (database.catalog ?? 'AwsDataCatalog').toLowerCase() === name.toLowerCase(),
    );
    if (databases.length === 0 && name.toLowerCase() !== 'awsdatacatalog') {
      throw new FakeAwsError('MetadataException', `Catalog ${name} was not found.`);
    }
    return databases;
  }

  #listDatabases(input: Record<string, unknown>): unknown {
    const { items, nextToken } = this.#page(this.#catalogDatabases(input.CatalogName), input);
    return {
      DatabaseList: items.map((database) => ({
        Name: database.name,
        Description: database.description,
        Parameters: {},
      })),
      NextToken: nextToken,
    };
  }

  #listTableMetadata(input: Record<string, unknown>): unknown {
    const database = this.#catalogDatabases(input.CatalogName).find(
      (candidate) => candidate.name === input.DatabaseName,
    );
    if (!database) {
      throw new FakeAwsError('MetadataException', `Database ${String(input.DatabaseName)} was not found.`);
    }
    const { items, nextToken } = this.#page(database.tables, input);
    return {
      TableMetadataList: items.map((table) => ({
        Name: table.name,
        CreateTime: awsEpochSeconds(table.createTime ?? new Date('2024-01-01T00:00:00Z')),
        TableType: table.tableType ?? 'EXTERNAL_TABLE',
        Columns: table.columns.map(columnOutput),
        PartitionKeys: (table.partitionKeys ?? []).map(columnOutput),
        Parameters: table.parameters ?? {},
      })),
      NextToken: nextToken,
    };
  }

  #listQueryExecutions(input: Record<string, unknown>): unknown {
    const workGroup = this.#workGroupOf(input.WorkGroup);
    const newestFirst = this.#executions
      .filter((execution) => (execution.workGroup ?? 'primary') === workGroup)
      .sort((left, right) => right.submittedAt.getTime() - left.submittedAt.getTime());
    const { items, nextToken } = this.#page(newestFirst, input, 0);
    return { QueryExecutionIds: items.map((execution) => execution.id), NextToken: nextToken };
  }

  #batchGetQueryExecution(input: Record<string, unknown>): unknown {
    const ids = input.QueryExecutionIds;
    if (!Array.isArray(ids) || ids.length === 0 || ids.length > API_MAXIMUM) {
      throw new FakeAwsError(
        'InvalidRequestException',
        `QueryExecutionIds must hold between 1 and ${API_MAXIMUM} ids.`,
      );
    }
    const found = ids
      .map((id) => this.#executions.find((execution) => execution.id === id))
      .filter((execution) => execution !== undefined);
    const unknown = ids.filter((id) => !found.some((execution) => execution.id === id));
    return {
      QueryExecutions: found.map((execution) => ({
        QueryExecutionId: execution.id,
        Query: execution.query,
        StatementType: execution.statementType ?? 'DML',
        SubstatementType: execution.substatementType,
        QueryExecutionContext:
          execution.database || execution.catalog
            ? { Database: execution.database, Catalog: execution.catalog }
            : undefined,
        Status: {
          State: execution.state ?? 'SUCCEEDED',
          SubmissionDateTime: awsEpochSeconds(execution.submittedAt),
          CompletionDateTime: execution.completedAt ? awsEpochSeconds(execution.completedAt) : undefined,
        },
        Statistics: {
          TotalExecutionTimeInMillis: execution.totalExecutionMs ?? 1500,
          EngineExecutionTimeInMillis: Math.max(0, (execution.totalExecutionMs ?? 1500) - 200),
          DataScannedInBytes: execution.dataScannedBytes ?? 0,
        },
        WorkGroup: execution.workGroup ?? 'primary',
        EngineVersion: { SelectedEngineVersion: 'AUTO', EffectiveEngineVersion: 'Athena engine version 3' },
      })),
      UnprocessedQueryExecutionIds: unknown.map((id) => ({
        QueryExecutionId: id,
        ErrorCode: 'INVALID_INPUT',
        ErrorMessage: `QueryExecution ${String(id)} was not found`,
      })),
    };
  }
}

function columnOutput(column: FakeAthenaColumn): Record<string, unknown> {
  return { Name: column.name, Type: column.type, Comment: column.comment };
}
