import { randomUUID } from 'node:crypto';
import {
  awsEpochSeconds,
  decodeAwsNextToken,
  encodeAwsNextToken,
  FakeAwsError,
  FakeAwsJsonService,
  type FakeAwsCredentials,
} from './fake-aws-json.js';

// A fake Redshift Data API on 127.0.0.1: the JSON 1.1 protocol (`X-Amz-Target: RedshiftData.<Operation>`),
// SigV4-checked, with the asynchronous statement life cycle (ExecuteStatement → DescribeStatement through
// SUBMITTED, PICKED, STARTED to FINISHED/FAILED/ABORTED → GetStatementResult pages by NextToken,
// CancelStatement) and the typed `Records` of the real API.
//
// Behind the protocol is no SQL engine: a statement is answered by what it reads. The fake recognises the
// system relations a catalog reads (SVV_ALL_TABLES, SVV_ALL_COLUMNS, SVV_TABLE_INFO, PG_VIEWS, SYS_QUERY_HISTORY,
// SYS_QUERY_TEXT, PG_USER, SVV_USER_GRANTS) and serves them from a scenario; `answer()` adds others. It does
// apply what matters for correctness from the statement's bound `Parameters`, never from its text:
// SYS_QUERY_HISTORY is filtered by `:since`/`:until` (start_time window, when given), the keyset
// `:after_time`/`:after_id` and the LIKE pattern `:own_marker` (excluded), SYS_QUERY_TEXT by the placeholders
// in `query_id IN (…)`, and every result by a literal `LIMIT n`.
// A placeholder without a parameter is a ValidationException, so a client that splices values fails here.
//
// Like Redshift, every statement the fake runs lands in its own query history, and users without
// superuser or the `sys:monitor`/`sys:operator` role see only their own rows in the SYS views.

export interface FakeRedshiftColumn {
  name: string;
  /** Type text as Redshift shows it: `integer`, `character varying(256)`, `numeric(18,2)`. */
  type: string;
  nullable?: boolean;
  remarks?: string | null;
}

export interface FakeRedshiftTable {
  database: string;
  schema: string;
  name: string;
  /** SVV_ALL_TABLES.table_type. Default `TABLE`. */
  type?: 'TABLE' | 'VIEW' | 'EXTERNAL TABLE';
  remarks?: string | null;
  columns: FakeRedshiftColumn[];
  /** SVV_TABLE_INFO.tbl_rows (tables of the connected database only). */
  rows?: number;
  /** SVV_TABLE_INFO.size, in 1 MB blocks. */
  sizeMb?: number;
  /** PG_VIEWS.definition for views. */
  definition?: string;
}

export interface FakeRedshiftQuery {
  /** Default: the next id. */
  queryId?: number;
  /** Full text; SYS_QUERY_HISTORY.query_text gets its first 4,000 characters, SYS_QUERY_TEXT all chunks. */
  text: string;
  startTime: Date;
  endTime?: Date;
  /** User name; default the first user. */
  user?: string;
  sessionId?: number;
  transactionId?: number;
  database?: string;
  /** SELECT, INSERT, CTAS, DDL, … Default SELECT. */
  queryType?: string;
  /** Default `default`, as Redshift shows a statement without query group. */
  label?: string;
  /** Default success. */
  status?: 'success' | 'failed' | 'canceled' | 'running';
  returnedRows?: number;
  /** Sequences missing from SYS_QUERY_TEXT (the view lost them), to test truncation. */
  missingChunks?: number[];
}

export interface FakeRedshiftUser {
  id: number;
  name: string;
  superuser?: boolean;
  /** Roles granted (`sys:monitor`, `sys:operator`). */
  roles?: string[];
  /** Relations whose reading fails with `permission denied for relation …`. */
  deniedRelations?: string[];
}

export interface FakeRedshiftDataOptions {
  region?: string;
  accountId?: string;
  credentials: FakeAwsCredentials[];
  /** Provisioned cluster identifiers that exist. Default `['analytics']`. */
  clusters?: string[];
  /** Serverless workgroups that exist. Default `['analytics-wg']`. */
  workgroups?: string[];
  /** Default one superuser `awsuser` (id 100). */
  users?: FakeRedshiftUser[];
  /** Secrets Manager secret ARN → database user. */
  secretUsers?: Record<string, string>;
  /** Rows per GetStatementResult page. Default 1,000. */
  resultPageSize?: number;
  /** DescribeStatement calls before a statement reports its final status. Default 3. */
  describeCallsUntilFinished?: number;
}

export type FakeRedshiftCell = string | number | boolean | null | Date;

export interface FakeRedshiftResult {
  /** Column names and Redshift type names (`int8`, `varchar`, `bool`, `timestamp`, `float8`). */
  columns: { name: string; typeName: string }[];
  rows: FakeRedshiftCell[][];
}

export interface FakeRedshiftStatement {
  id: string;
  sql: string;
  parameters: Record<string, string>;
  user: string;
  database: string;
  clusterIdentifier?: string;
  workgroupName?: string;
  status: 'SUBMITTED' | 'PICKED' | 'STARTED' | 'FINISHED' | 'FAILED' | 'ABORTED';
  error?: string;
  result?: FakeRedshiftResult;
  createdAt: Date;
  cancelled: boolean;
  describeCalls: number;
}

/** A query as SYS_QUERY_HISTORY holds it, defaults filled in. */
export type FakeRedshiftStoredQuery = Required<Omit<FakeRedshiftQuery, 'endTime' | 'missingChunks'>> &
  Pick<FakeRedshiftQuery, 'endTime' | 'missingChunks'>;

/** Thrown by an `answer()` handler to make the statement FAILED with this error text. */
export class FakeRedshiftSqlError extends Error {}

export type FakeRedshiftAnswer = (statement: FakeRedshiftStatement) => FakeRedshiftResult | undefined;

const CHUNK_LENGTH = 4000;
const MONITOR_ROLES = new Set(['sys:monitor', 'sys:operator', 'sys:superuser']);
const PROGRESS: FakeRedshiftStatement['status'][] = ['SUBMITTED', 'PICKED', 'STARTED'];

export class FakeRedshiftData {
  readonly service: FakeAwsJsonService;
  readonly tables: FakeRedshiftTable[] = [];
  readonly queries: FakeRedshiftStoredQuery[] = [];
  /** Every statement received, in order. */
  readonly statements: FakeRedshiftStatement[] = [];
  readonly #options: FakeRedshiftDataOptions;
  readonly #users: FakeRedshiftUser[];
  readonly #answers: { pattern: RegExp; answer: FakeRedshiftAnswer }[] = [];
  readonly #hanging: RegExp[] = [];
  #nextQueryId = 1000;
  #nextSessionId = 1;

  constructor(options: FakeRedshiftDataOptions) {
    this.#options = options;
    this.#users = options.users ?? [{ id: 100, name: 'awsuser', superuser: true }];
    this.service = new FakeAwsJsonService({
      targetPrefix: 'RedshiftData',
      signingName: 'redshift-data',
      actionPrefix: 'redshift-data',
      region: options.region,
      accountId: options.accountId,
      credentials: options.credentials,
    });
    this.service
      .operation('ExecuteStatement', (input) => this.#execute(input))
      .operation('DescribeStatement', (input) => this.#describe(input))
      .operation('GetStatementResult', (input) => this.#result(input))
      .operation('CancelStatement', (input) => this.#cancel(input));
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

  addTables(...tables: FakeRedshiftTable[]): this {
    this.tables.push(...tables);
    return this;
  }

  /** Adds statements to SYS_QUERY_HISTORY / SYS_QUERY_TEXT; returns their query ids. */
  addQueries(...queries: FakeRedshiftQuery[]): number[] {
    return queries.map((query) => {
      const queryId = query.queryId ?? this.#nextQueryId++;
      this.queries.push({
        queryId,
        text: query.text,
        startTime: query.startTime,
        endTime: query.endTime ?? new Date(query.startTime.getTime() + 1000),
        user: query.user ?? this.#users[0]!.name,
        sessionId: query.sessionId ?? this.#nextSessionId++,
        transactionId: query.transactionId ?? queryId,
        database: query.database ?? 'dev',
        queryType: query.queryType ?? 'SELECT',
        label: query.label ?? 'default',
        status: query.status ?? 'success',
        returnedRows: query.returnedRows ?? 0,
        missingChunks: query.missingChunks,
      });
      return queryId;
    });
  }

  /** Answers statements whose SQL matches with the handler (checked before the built-in relations). */
  answer(pattern: RegExp, answer: FakeRedshiftAnswer): this {
    this.#answers.push({ pattern, answer });
    return this;
  }

  /** Statements whose SQL matches stay STARTED until cancelled. */
  hang(pattern: RegExp): this {
    this.#hanging.push(pattern);
    return this;
  }

  /** The SQL of every statement received, in order. */
  get executedSql(): string[] {
    return this.statements.map((statement) => statement.sql);
  }

  get cancelledStatements(): FakeRedshiftStatement[] {
    return this.statements.filter((statement) => statement.cancelled);
  }

  #execute(input: Record<string, unknown>): unknown {
    const sql = typeof input.Sql === 'string' ? input.Sql : '';
    if (sql.trim() === '') throw new FakeAwsError('ValidationException', 'Sql must not be empty.');
    const clusterIdentifier = optionalText(input.ClusterIdentifier);
    const workgroupName = optionalText(input.WorkgroupName);
    const dbUser = optionalText(input.DbUser);
    const secretArn = optionalText(input.SecretArn);
    if ((clusterIdentifier === undefined) === (workgroupName === undefined)) {
      throw new FakeAwsError(
        'ValidationException',
        'Either ClusterIdentifier or WorkgroupName must be specified, but not both.',
      );
    }
    if (
      clusterIdentifier !== undefined &&
      !(this.#options.clusters ?? ['analytics']).includes(clusterIdentifier)
    ) {
      throw new FakeAwsError('ValidationException', `Cluster ${clusterIdentifier} not found.`);
    }
    if (
      workgroupName !== undefined &&
      !(this.#options.workgroups ?? ['analytics-wg']).includes(workgroupName)
    ) {
      throw new FakeAwsError('ValidationException', `Workgroup ${workgroupName} not found.`);
    }
    if (workgroupName !== undefined && dbUser !== undefined) {
      throw new FakeAwsError('ValidationException', 'DbUser is not supported for Redshift Serverless.');
    }
    if (clusterIdentifier !== undefined && dbUser === undefined && secretArn === undefined) {
      throw new FakeAwsError('ValidationException', 'Either DbUser or SecretArn must be specified.');
    }
    const database = optionalText(input.Database);
    if (database === undefined) throw new FakeAwsError('ValidationException', 'Database must be specified.');
    let user = dbUser ?? this.#users[0]!.name;
    if (secretArn !== undefined) {
      const secretUser = this.#options.secretUsers?.[secretArn];
      if (secretUser === undefined) {
        throw new FakeAwsError('ValidationException', 'Secrets Manager can’t find the specified secret.');
      }
      user = secretUser;
    }
    const parameters = readParameters(input.Parameters);
    for (const placeholder of placeholdersOf(sql)) {
      if (!(placeholder in parameters)) {
        throw new FakeAwsError(
          'ValidationException',
          `The parameter ${placeholder} is referenced in the SQL but has no value in Parameters.`,
        );
      }
    }

    const statement: FakeRedshiftStatement = {
      id: randomUUID(),
      sql,
      parameters,
      user,
      database,
      clusterIdentifier,
      workgroupName,
      status: 'SUBMITTED',
      createdAt: new Date(),
      cancelled: false,
      describeCalls: 0,
    };
    this.statements.push(statement);
    const userRecord = this.#users.find((candidate) => candidate.name === user);
    try {
      if (!userRecord)
        throw new FakeRedshiftSqlError(`FATAL: password authentication failed for user "${user}"`);
      statement.result = this.#run(statement, userRecord);
    } catch (error) {
      if (!(error instanceof FakeRedshiftSqlError)) throw error;
      statement.error = error.message;
    }
    // Like Redshift, the statement itself becomes part of the query history.
    if (userRecord) {
      this.addQueries({
        text: sql,
        startTime: statement.createdAt,
        user,
        database,
        status: statement.error ? 'failed' : 'success',
      });
    }
    return {
      Id: statement.id,
      ClusterIdentifier: clusterIdentifier,
      WorkgroupName: workgroupName,
      Database: database,
      DbUser: dbUser,
      SecretArn: secretArn,
      CreatedAt: awsEpochSeconds(statement.createdAt),
    };
  }

  #describe(input: Record<string, unknown>): unknown {
    const statement = this.#statement(input.Id);
    statement.describeCalls += 1;
    this.#advance(statement);
    return {
      Id: statement.id,
      Status: statement.status,
      Error: statement.status === 'FAILED' ? statement.error : undefined,
      HasResultSet: statement.status === 'FINISHED' && statement.result !== undefined,
      ResultRows: statement.status === 'FINISHED' ? (statement.result?.rows.length ?? -1) : -1,
      Duration: 1_000_000,
      CreatedAt: awsEpochSeconds(statement.createdAt),
      UpdatedAt: awsEpochSeconds(new Date()),
      QueryString: statement.sql,
      Database: statement.database,
      ClusterIdentifier: statement.clusterIdentifier,
      WorkgroupName: statement.workgroupName,
      QueryParameters: Object.entries(statement.parameters).map(([name, value]) => ({ name, value })),
    };
  }

  #advance(statement: FakeRedshiftStatement): void {
    if (statement.cancelled) {
      statement.status = 'ABORTED';
      return;
    }
    if (this.#hanging.some((pattern) => pattern.test(statement.sql))) {
      statement.status = 'STARTED';
      return;
    }
    const until = this.#options.describeCallsUntilFinished ?? 3;
    statement.status =
      statement.describeCalls >= until
        ? statement.error
          ? 'FAILED'
          : 'FINISHED'
        : PROGRESS[Math.min(statement.describeCalls - 1, PROGRESS.length - 1)]!;
  }

  #result(input: Record<string, unknown>): unknown {
    const statement = this.#statement(input.Id);
    if (statement.status !== 'FINISHED' || !statement.result) {
      throw new FakeAwsError(
        'ResourceNotFoundException',
        'Query does not have result. Please check query status with DescribeStatement.',
      );
    }
    const { columns, rows } = statement.result;
    const pageSize = this.#options.resultPageSize ?? 1000;
    const offset = decodeAwsNextToken(input.NextToken);
    const page = rows.slice(offset, offset + pageSize);
    const next = offset + page.length;
    return {
      Records: page.map((row) => row.map((cell, index) => encodeField(cell, columns[index]!.typeName))),
      ColumnMetadata: columns.map((column) => ({
        name: column.name,
        label: column.name,
        typeName: column.typeName,
        nullable: 1,
      })),
      TotalNumRows: rows.length,
      NextToken: next < rows.length ? encodeAwsNextToken(next) : undefined,
    };
  }

  #cancel(input: Record<string, unknown>): unknown {
    const statement = this.#statement(input.Id);
    if (statement.status === 'FINISHED' || statement.status === 'FAILED' || statement.status === 'ABORTED') {
      throw new FakeAwsError(
        'ValidationException',
        `Could not cancel a query that is already in ${statement.status} status.`,
      );
    }
    statement.cancelled = true;
    statement.status = 'ABORTED';
    return { Status: true };
  }

  #statement(id: unknown): FakeRedshiftStatement {
    const statement = this.statements.find((candidate) => candidate.id === id);
    if (!statement) throw new FakeAwsError('ResourceNotFoundException', 'Query does not exist.');
    return statement;
  }

  #run(statement: FakeRedshiftStatement, user: FakeRedshiftUser): FakeRedshiftResult | undefined {
    for (const { pattern, answer } of this.#answers) {
      if (pattern.test(statement.sql)) return answer(statement);
    }
    const sql = withoutComments(statement.sql).toLowerCase();
    for (const relation of user.deniedRelations ?? []) {
      if (new RegExp(`\\b${relation.toLowerCase()}\\b`).test(sql)) {
        throw new FakeRedshiftSqlError(`ERROR: permission denied for relation ${relation.toLowerCase()}`);
      }
    }
    const limit = /\blimit\s+(\d+)/.exec(sql);
    const limited = (result: FakeRedshiftResult): FakeRedshiftResult =>
      limit ? { ...result, rows: result.rows.slice(0, Number(limit[1])) } : result;
    if (/\bsys_query_text\b/.test(sql)) return limited(this.#queryText(statement, user));
    if (/\bsys_query_history\b/.test(sql)) return limited(this.#queryHistory(statement, user));
    if (/\bsvv_all_columns\b/.test(sql)) return limited(this.#allColumns());
    if (/\bsvv_all_tables\b/.test(sql)) return limited(this.#allTables());
    if (/\bsvv_table_info\b/.test(sql)) return limited(this.#tableInfo(statement));
    if (/\bpg_views\b/.test(sql)) return limited(this.#views(statement));
    if (/\bsvv_user_grants\b/.test(sql)) return limited(this.#grants(sql, user));
    if (/\bpg_user\b/.test(sql)) return limited(this.#pgUser(sql, user));
    if (/^\s*select\s+1\s*;?\s*$/.test(sql))
      return { columns: [{ name: '?column?', typeName: 'int4' }], rows: [[1]] };
    throw new FakeRedshiftSqlError('ERROR: syntax error (the fake Redshift does not know this statement)');
  }

  #visibleQueries(user: FakeRedshiftUser): FakeRedshiftStoredQuery[] {
    const seesAll = user.superuser === true || (user.roles ?? []).some((role) => MONITOR_ROLES.has(role));
    return this.queries.filter((query) => seesAll || query.user === user.name);
  }

  #userId(name: string): number {
    return this.#users.find((user) => user.name === name)?.id ?? 1;
  }

  #queryHistory(statement: FakeRedshiftStatement, user: FakeRedshiftUser): FakeRedshiftResult {
    const since = 'since' in statement.parameters ? timestampParameter(statement, 'since') : -Infinity;
    const until = 'until' in statement.parameters ? timestampParameter(statement, 'until') : Infinity;
    const afterTime =
      'after_time' in statement.parameters ? timestampParameter(statement, 'after_time') : undefined;
    const afterId = statement.parameters.after_id;
    const ownMarker = statement.parameters.own_marker;
    const successOnly = /status\s*=\s*'success'/.test(statement.sql.toLowerCase());
    const rows = this.#visibleQueries(user)
      .filter((query) => !successOnly || query.status === 'success')
      .filter((query) => query.startTime.getTime() >= since && query.startTime.getTime() < until)
      .filter((query) => {
        if (afterTime === undefined) return true;
        const start = query.startTime.getTime();
        return start > afterTime || (start === afterTime && query.queryId > Number(afterId));
      })
      .filter(
        (query) => ownMarker === undefined || !likePattern(ownMarker).test(query.text.slice(0, CHUNK_LENGTH)),
      )
      .sort(
        (left, right) => left.startTime.getTime() - right.startTime.getTime() || left.queryId - right.queryId,
      )
      .map((query) => [
        this.#userId(query.user),
        query.queryId,
        query.label,
        query.transactionId,
        query.sessionId,
        query.database,
        query.queryType,
        query.status,
        query.startTime,
        query.endTime ?? null,
        ((query.endTime?.getTime() ?? query.startTime.getTime()) - query.startTime.getTime()) * 1000,
        query.returnedRows,
        query.text.slice(0, CHUNK_LENGTH),
      ]);
    return {
      columns: [
        { name: 'user_id', typeName: 'int4' },
        { name: 'query_id', typeName: 'int8' },
        { name: 'query_label', typeName: 'varchar' },
        { name: 'transaction_id', typeName: 'int8' },
        { name: 'session_id', typeName: 'int4' },
        { name: 'database_name', typeName: 'varchar' },
        { name: 'query_type', typeName: 'varchar' },
        { name: 'status', typeName: 'varchar' },
        { name: 'start_time', typeName: 'timestamp' },
        { name: 'end_time', typeName: 'timestamp' },
        { name: 'elapsed_time', typeName: 'int8' },
        { name: 'returned_rows', typeName: 'int8' },
        { name: 'query_text', typeName: 'varchar' },
      ],
      rows,
    };
  }

  #queryText(statement: FakeRedshiftStatement, user: FakeRedshiftUser): FakeRedshiftResult {
    const list = /query_id\s+in\s*\(([^)]*)\)/i.exec(statement.sql);
    if (!list) throw new FakeRedshiftSqlError('ERROR: the fake reads SYS_QUERY_TEXT by query_id IN (…) only');
    const ids = new Set(
      list[1]!.split(',').map((item) => {
        const placeholder = /^\s*:([a-z_][a-z0-9_]*)\s*$/i.exec(item);
        if (!placeholder)
          throw new FakeRedshiftSqlError(`ERROR: query ids must be bound parameters, got ${item.trim()}`);
        return Number(statement.parameters[placeholder[1]!]);
      }),
    );
    const rows: FakeRedshiftCell[][] = [];
    for (const query of this.#visibleQueries(user)
      .filter((candidate) => ids.has(candidate.queryId))
      .sort((left, right) => left.queryId - right.queryId)) {
      for (let sequence = 0; sequence * CHUNK_LENGTH < query.text.length; sequence++) {
        if (query.missingChunks?.includes(sequence)) continue;
        rows.push([
          this.#userId(query.user),
          query.queryId,
          query.transactionId,
          query.sessionId,
          query.startTime,
          sequence,
          query.text.slice(sequence * CHUNK_LENGTH, (sequence + 1) * CHUNK_LENGTH),
        ]);
      }
    }
    return {
      columns: [
        { name: 'user_id', typeName: 'int4' },
        { name: 'query_id', typeName: 'int8' },
        { name: 'transaction_id', typeName: 'int8' },
        { name: 'session_id', typeName: 'int4' },
        { name: 'start_time', typeName: 'timestamp' },
        { name: 'sequence', typeName: 'int4' },
        { name: 'text', typeName: 'varchar' },
      ],
      rows,
    };
  }

  #sortedTables(): FakeRedshiftTable[] {
    return [...this.tables].sort((left, right) =>
      compareTexts([left.database, left.schema, left.name], [right.database, right.schema, right.name]),
    );
  }

  #allTables(): FakeRedshiftResult {
    return {
      columns: [
        { name: 'database_name', typeName: 'varchar' },
        { name: 'schema_name', typeName: 'varchar' },
        { name: 'table_name', typeName: 'varchar' },
        { name: 'table_type', typeName: 'varchar' },
        { name: 'table_acl', typeName: 'varchar' },
        { name: 'remarks', typeName: 'varchar' },
      ],
      rows: this.#sortedTables().map((table) => [
        table.database,
        table.schema,
        table.name,
        table.type ?? 'TABLE',
        null,
        table.remarks ?? null,
      ]),
    };
  }

  #allColumns(): FakeRedshiftResult {
    const rows: FakeRedshiftCell[][] = [];
    for (const table of this.#sortedTables()) {
      table.columns.forEach((column, index) => {
        const { dataType, length, precision, scale } = splitType(column.type);
        rows.push([
          table.database,
          table.schema,
          table.name,
          column.name,
          index + 1,
          null,
          column.nullable === false ? 'NO' : 'YES',
          dataType,
          length,
          precision,
          scale,
          column.remarks ?? null,
        ]);
      });
    }
    return {
      columns: [
        { name: 'database_name', typeName: 'varchar' },
        { name: 'schema_name', typeName: 'varchar' },
        { name: 'table_name', typeName: 'varchar' },
        { name: 'column_name', typeName: 'varchar' },
        { name: 'ordinal_position', typeName: 'int4' },
        { name: 'column_default', typeName: 'varchar' },
        { name: 'is_nullable', typeName: 'varchar' },
        { name: 'data_type', typeName: 'varchar' },
        { name: 'character_maximum_length', typeName: 'int4' },
        { name: 'numeric_precision', typeName: 'int4' },
        { name: 'numeric_scale', typeName: 'int4' },
        { name: 'remarks', typeName: 'varchar' },
      ],
      rows,
    };
  }

  #tableInfo(statement: FakeRedshiftStatement): FakeRedshiftResult {
    return {
      columns: [
        { name: 'database', typeName: 'varchar' },
        { name: 'schema', typeName: 'varchar' },
        { name: 'table', typeName: 'varchar' },
        { name: 'tbl_rows', typeName: 'numeric' },
        { name: 'size', typeName: 'int8' },
      ],
      rows: this.#sortedTables()
        .filter((table) => table.database === statement.database && (table.type ?? 'TABLE') === 'TABLE')
        .filter((table) => table.rows !== undefined || table.sizeMb !== undefined)
        .map((table) => [table.database, table.schema, table.name, table.rows ?? 0, table.sizeMb ?? 0]),
    };
  }

  #views(statement: FakeRedshiftStatement): FakeRedshiftResult {
    return {
      columns: [
        { name: 'schemaname', typeName: 'name' },
        { name: 'viewname', typeName: 'name' },
        { name: 'definition', typeName: 'text' },
      ],
      rows: this.#sortedTables()
        .filter((table) => table.database === statement.database && table.definition !== undefined)
        .map((table) => [table.schema, table.name, table.definition!]),
    };
  }

  #pgUser(sql: string, user: FakeRedshiftUser): FakeRedshiftResult {
    const users = /\bcurrent_user\b/.test(sql) ? [user] : this.#users;
    return {
      columns: [
        { name: 'usename', typeName: 'name' },
        { name: 'usesysid', typeName: 'int4' },
        { name: 'usesuper', typeName: 'bool' },
      ],
      rows: users.map((candidate) => [candidate.name, candidate.id, candidate.superuser === true]),
    };
  }

  #grants(sql: string, user: FakeRedshiftUser): FakeRedshiftResult {
    const users = /\bcurrent_user\b/.test(sql) ? [user] : this.#users;
    return {
      columns: [
        { name: 'user_id', typeName: 'int4' },
        { name: 'user_name', typeName: 'name' },
        { name: 'role_id', typeName: 'int4' },
        { name: 'role_name', typeName: 'name' },
        { name: 'admin_option', typeName: 'bool' },
      ],
      rows: users.flatMap((candidate) =>
        (candidate.roles ?? []).map((role, index) => [
          candidate.id,
          candidate.name,
          500 + index,
          role,
          false,
        ]),
      ),
    };
  }
}

function optionalText(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function readParameters(value: unknown): Record<string, string> {
  if (value === undefined) return {};
  if (!Array.isArray(value)) throw new FakeAwsError('ValidationException', 'Parameters must be a list.');
  const parameters: Record<string, string> = {};
  for (const item of value as { name?: unknown; value?: unknown }[]) {
    if (typeof item.name !== 'string' || typeof item.value !== 'string' || item.value === '') {
      throw new FakeAwsError('ValidationException', 'Each parameter needs a name and a non-empty value.');
    }
    if (item.name in parameters) {
      throw new FakeAwsError('ValidationException', `The parameter ${item.name} is given twice.`);
    }
    parameters[item.name] = item.value;
  }
  return parameters;
}

/** `:name` placeholders outside string literals and comments, not `::type` casts. */
function placeholdersOf(sql: string): Set<string> {
  const code = withoutComments(sql).replace(/'(?:[^']|'')*'/g, "''");
  return new Set([...code.matchAll(/(?<![:\w]):([A-Za-z_][A-Za-z0-9_]*)/g)].map((match) => match[1]!));
}

function withoutComments(sql: string): string {
  return sql.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/--[^\n]*/g, ' ');
}

function timestampParameter(statement: FakeRedshiftStatement, name: string): number {
  const value = statement.parameters[name];
  const match = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?)$/.exec(value ?? '');
  if (!match) {
    throw new FakeRedshiftSqlError(`ERROR: invalid input syntax for type timestamp: "${value ?? ''}"`);
  }
  const [, date, time] = match;
  const [whole, fraction = ''] = time!.split('.');
  return Date.parse(`${date}T${whole}.${fraction.padEnd(3, '0').slice(0, 3)}Z`);
}

function likePattern(pattern: string): RegExp {
  const source = [...pattern]
    .map((character) =>
      character === '%'
        ? '[\\s\\S]*'
        : character === '_'
          ? '[\\s\\S]'
          : character.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join('');
  return new RegExp(`^${source}$`);
}

function splitType(type: string): {
  dataType: string;
  length: number | null;
  precision: number | null;
  scale: number | null;
} {
  const match = /^(.*?)\((\d+)(?:,\s*(\d+))?\)$/.exec(type.trim());
  if (!match) return { dataType: type, length: null, precision: null, scale: null };
  const [, dataType, first, second] = match;
  if (/^(numeric|decimal)$/i.test(dataType!)) {
    return { dataType: dataType!, length: null, precision: Number(first), scale: Number(second ?? 0) };
  }
  return { dataType: dataType!, length: Number(first), precision: null, scale: null };
}

function compareTexts(left: string[], right: string[]): number {
  for (let index = 0; index < left.length; index++) {
    if (left[index]! < right[index]!) return -1;
    if (left[index]! > right[index]!) return 1;
  }
  return 0;
}

/** `2024-03-01 10:00:00.123000`: how the Data API sends a timestamp column. */
export function redshiftTimestampText(date: Date): string {
  return `${date.toISOString().slice(0, 23).replace('T', ' ')}000`;
}

function encodeField(cell: FakeRedshiftCell, typeName: string): Record<string, unknown> {
  if (cell === null) return { isNull: true };
  if (cell instanceof Date) return { stringValue: redshiftTimestampText(cell) };
  if (typeof cell === 'boolean') return { booleanValue: cell };
  if (typeof cell === 'number') {
    if (typeName === 'float4' || typeName === 'float8') return { doubleValue: cell };
    if (typeName === 'numeric') return { stringValue: String(cell) };
    return { longValue: cell };
  }
  return { stringValue: cell };
}
