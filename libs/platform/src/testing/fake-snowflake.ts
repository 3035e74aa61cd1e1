import { createHash, createPublicKey, randomUUID, type KeyObject } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { decodeJwt, jwtVerify } from 'jose';
import {
  FakeUpstream,
  reply,
  type FakeDelayOptions,
  type FakeRequest,
  type FakeResponse,
} from './fake-upstream.js';

// A fake Snowflake SQL API v2 on 127.0.0.1, built on FakeUpstream. It holds a small account (databases,
// tables with columns and comments, ACCOUNT_USAGE query and access history) and answers the statements a
// connector sends by recognising which system view they read: SHOW DATABASES, <db>.INFORMATION_SCHEMA.TABLES /
// COLUMNS / VIEWS, SNOWFLAKE.ACCOUNT_USAGE.QUERY_HISTORY (optionally joined with ACCESS_HISTORY) and the
// CURRENT_*() context functions. The history window, the text exclusion and LIMIT are taken from the bound
// parameters only: a value spliced into the SQL text is refused, so a test proves the connector binds.
//
// Wire shapes follow the SQL API: 200 with `resultSetMetaData` (jsonv2, every value a string) and the first
// partition inline, 202 `333334` while running, `?partition=N` for the others (gzip when accepted), 422 with
// `code`/`sqlState` for SQL errors, `POST …/cancel`. Key-pair JWTs are verified with the public key the test
// registered (issuer fingerprint, signature, expiry); OAuth and programmatic access tokens are compared.

export type FakeSnowflakeTableType =
  'BASE TABLE' | 'VIEW' | 'MATERIALIZED VIEW' | 'EXTERNAL TABLE' | 'TEMPORARY TABLE' | 'EVENT TABLE';

export interface FakeSnowflakeColumn {
  name: string;
  /** INFORMATION_SCHEMA.COLUMNS.DATA_TYPE: `NUMBER`, `TEXT`, `TIMESTAMP_NTZ`, `VARIANT`… */
  type: string;
  precision?: number;
  scale?: number;
  /** Character length of TEXT columns. */
  length?: number;
  nullable?: boolean;
  comment?: string | null;
}

export interface FakeSnowflakeTable {
  database: string;
  schema: string;
  name: string;
  type?: FakeSnowflakeTableType;
  comment?: string | null;
  rowCount?: number | null;
  bytes?: number | null;
  created?: Date | string;
  lastAltered?: Date | string;
  viewDefinition?: string | null;
  columns: readonly FakeSnowflakeColumn[];
}

/** An object of ACCESS_HISTORY, as `DB.SCHEMA.NAME`, or with its domain (`Table`, `View`, `Stage`…). */
export type FakeSnowflakeObject = string | { name: string; domain: string };

export interface FakeSnowflakeQuery {
  id: string;
  text: string;
  startTime: Date | string;
  endTime?: Date | string;
  user?: string;
  role?: string;
  warehouse?: string;
  database?: string | null;
  schema?: string | null;
  sessionId?: number;
  /** QUERY_TYPE; default `SELECT`. */
  type?: string;
  /** EXECUTION_STATUS; default `SUCCESS`. */
  status?: 'SUCCESS' | 'FAIL' | 'INCIDENT';
  tag?: string;
  parameterizedHash?: string | null;
  rowsProduced?: number;
  /** ACCESS_HISTORY.DIRECT_OBJECTS_ACCESSED; no access history row when both lists are absent. */
  accessed?: readonly FakeSnowflakeObject[];
  /** ACCESS_HISTORY.OBJECTS_MODIFIED. */
  modified?: readonly FakeSnowflakeObject[];
}

export interface FakeSnowflakeUser {
  /** Public key (PEM or KeyObject) for key-pair JWTs. */
  publicKey?: string | KeyObject;
  /** OAuth access tokens and programmatic access tokens of the user. */
  tokens?: readonly string[];
  /** Role used when a statement names none. */
  defaultRole?: string;
}

export interface FakeSnowflakeOptions {
  /** Account identifier as written in JWT issuers (`MYORG-MYACCOUNT`, or the locator `XY12345`). */
  account: string;
  /** Rows per result partition; small values make a test cross partitions. Default 1,000. */
  rowsPerPartition?: number;
  /** Status polls answered 202 before a statement's result is ready. Default 0 (answer at once). */
  pollsBeforeResult?: number;
  /** `standard` has no ACCESS_HISTORY. Default `enterprise`. */
  edition?: 'standard' | 'enterprise';
}

/** A statement as the fake received it. */
export interface FakeSnowflakeStatement {
  handle: string;
  /** The statement text exactly as sent. */
  sql: string;
  bindings: Record<string, { type: string; value: unknown }>;
  user: string;
  role: string | undefined;
  warehouse: string | undefined;
  database: string | undefined;
  parameters: Record<string, unknown>;
  /** Snowflake error code when the statement failed. */
  errorCode: string | undefined;
  cancelled: boolean;
}

export interface FakeSnowflakeFailOptions {
  /** Number of matching requests to fail; default 1. */
  times?: number;
  /** `Retry-After` seconds (429 and 503). */
  retryAfterSeconds?: number;
  method?: string;
  /** A path or route pattern (`/api/v2/statements/:handle`); default every route. */
  path?: string;
  body?: unknown;
}

interface Caller {
  user: string;
}

interface ResultColumn {
  name: string;
  type: string;
}

interface Result {
  columns: ResultColumn[];
  rows: (string | null)[][];
}

interface StatementState extends FakeSnowflakeStatement {
  result: Result | SqlError;
  pollsLeft: number;
  requestId: string;
  createdOn: number;
}

class SqlError {
  constructor(
    readonly code: string,
    readonly sqlState: string,
    readonly message: string,
  ) {}
}

type Row = Record<string, unknown>;

const STATEMENTS = '/api/v2/statements';
const SUCCESS_CODE = '090001';
const RUNNING_CODE = '333334';
const CANCELLED_CODE = '000604';
const WAREHOUSE_MESSAGE =
  "No active warehouse selected in the current session.  Select an active warehouse with the 'use warehouse' command.\n";

// Result column types of the views the fake serves (SQL API rowType `type`).
const COLUMN_TYPES: Record<string, string> = {
  ROW_COUNT: 'fixed',
  BYTES: 'fixed',
  CREATED: 'timestamp_ltz',
  LAST_ALTERED: 'timestamp_ltz',
  ORDINAL_POSITION: 'fixed',
  CHARACTER_MAXIMUM_LENGTH: 'fixed',
  NUMERIC_PRECISION: 'fixed',
  NUMERIC_SCALE: 'fixed',
  START_TIME: 'timestamp_ltz',
  END_TIME: 'timestamp_ltz',
  QUERY_START_TIME: 'timestamp_ltz',
  TOTAL_ELAPSED_TIME: 'fixed',
  ROWS_PRODUCED: 'fixed',
  SESSION_ID: 'fixed',
  DIRECT_OBJECTS_ACCESSED: 'array',
  BASE_OBJECTS_ACCESSED: 'array',
  OBJECTS_MODIFIED: 'array',
  RETENTION_TIME: 'text',
  CREATED_ON: 'timestamp_ltz',
};

export class FakeSnowflake {
  /** The underlying generic fake, for resets, delays and request records. */
  readonly upstream = new FakeUpstream();
  /** Every statement submitted, in order. */
  readonly statements: FakeSnowflakeStatement[] = [];
  /** Handles of statements cancelled through `POST …/cancel`. */
  readonly cancelled: string[] = [];
  rowsPerPartition: number;
  pollsBeforeResult: number;

  readonly #account: string;
  #edition: 'standard' | 'enterprise';
  readonly #users = new Map<string, FakeSnowflakeUser>();
  readonly #expiredTokens = new Set<string>();
  readonly #databases = new Map<string, { comment: string | null }>();
  readonly #tables: FakeSnowflakeTable[] = [];
  readonly #queries: FakeSnowflakeQuery[] = [];
  readonly #states = new Map<string, StatementState>();
  readonly #revoked = new Set<'account-usage' | 'warehouse-usage'>();

  constructor(options: FakeSnowflakeOptions) {
    this.#account = options.account.toUpperCase();
    this.rowsPerPartition = options.rowsPerPartition ?? 1_000;
    this.pollsBeforeResult = options.pollsBeforeResult ?? 0;
    this.#edition = options.edition ?? 'enterprise';
    this.#registerRoutes();
  }

  start(): Promise<string> {
    return this.upstream.start();
  }

  stop(): Promise<void> {
    return this.upstream.stop();
  }

  get baseUrl(): string {
    return this.upstream.baseUrl;
  }

  // ---- scenario ------------------------------------------------------------------------------------------

  user(name: string, user: FakeSnowflakeUser): this {
    this.#users.set(name.toUpperCase(), user);
    return this;
  }

  /** Makes an OAuth or programmatic access token answer 401 "expired" from now on. */
  expireToken(token: string): this {
    this.#expiredTokens.add(token);
    return this;
  }

  database(name: string, options: { comment?: string | null } = {}): this {
    this.#databases.set(name, { comment: options.comment ?? null });
    return this;
  }

  table(table: FakeSnowflakeTable): this {
    if (!this.#databases.has(table.database)) this.database(table.database);
    this.#tables.push(table);
    return this;
  }

  query(...queries: FakeSnowflakeQuery[]): this {
    this.#queries.push(...queries);
    return this;
  }

  edition(edition: 'standard' | 'enterprise'): this {
    this.#edition = edition;
    return this;
  }

  /**
   * Takes a privilege from every role: `account-usage` (IMPORTED PRIVILEGES on the SNOWFLAKE database) or
   * `warehouse-usage` (USAGE on the warehouse, without which no statement reading a table runs).
   */
  revoke(privilege: 'account-usage' | 'warehouse-usage'): this {
    this.#revoked.add(privilege);
    return this;
  }

  /** Answers the next matching requests with an HTTP error in Snowflake's shape. */
  failNext(status: number, options: FakeSnowflakeFailOptions = {}): this {
    const headers: Record<string, string> =
      options.retryAfterSeconds === undefined ? {} : { 'retry-after': String(options.retryAfterSeconds) };
    this.upstream.failNext(
      options.times ?? 1,
      {
        status,
        headers,
        body: options.body ?? { code: String(390000 + status), message: httpMessage(status) },
      },
      { method: options.method, path: options.path },
    );
    return this;
  }

  /** Slows responses down (see FakeUpstream.delay). */
  delay(ms: number, options: FakeDelayOptions = {}): this {
    this.upstream.delay(ms, options);
    return this;
  }

  // ---- routes --------------------------------------------------------------------------------------------

  #registerRoutes(): void {
    this.upstream.route('POST', STATEMENTS, (request) =>
      this.#authenticated(request, (caller) => this.#submit(request, caller)),
    );
    this.upstream.route('GET', `${STATEMENTS}/:handle`, (request) =>
      this.#authenticated(request, () => this.#status(request)),
    );
    this.upstream.route('POST', `${STATEMENTS}/:handle/cancel`, (request) =>
      this.#authenticated(request, () => this.#cancel(request)),
    );
  }

  async #authenticated(
    request: FakeRequest,
    handler: (caller: Caller) => FakeResponse,
  ): Promise<FakeResponse> {
    const caller = await this.#authenticate(request);
    return 'user' in caller ? handler(caller) : caller;
  }

  async #authenticate(request: FakeRequest): Promise<Caller | FakeResponse> {
    const unauthorized = (code: string, message: string): FakeResponse =>
      reply.json({ code, message: `${message} [${randomUUID()}]` }, 401);
    const match = /^Bearer\s+(\S+)$/i.exec(String(request.headers.authorization ?? ''));
    if (!match) return unauthorized('390101', 'Authorization header not found in the request data.');
    const token = match[1]!;
    const tokenType = String(
      request.headers['x-snowflake-authorization-token-type'] ?? 'OAUTH',
    ).toUpperCase();
    if (tokenType === 'KEYPAIR_JWT') {
      let claims: { iss?: unknown; sub?: unknown };
      try {
        claims = decodeJwt(token);
      } catch {
        return unauthorized('390144', 'JWT token is invalid.');
      }
      const issuer = /^([^.]+)\.([^.]+)\.SHA256:(.+)$/.exec(String(claims.iss ?? ''));
      if (!issuer || issuer[1] !== this.#account || claims.sub !== `${issuer[1]}.${issuer[2]}`) {
        return unauthorized('390144', 'JWT token is invalid.');
      }
      const user = this.#users.get(issuer[2]!);
      if (!user?.publicKey) return unauthorized('390144', 'JWT token is invalid.');
      const publicKey = typeof user.publicKey === 'string' ? createPublicKey(user.publicKey) : user.publicKey;
      if (publicKeyFingerprint(publicKey) !== issuer[3])
        return unauthorized('390144', 'JWT token is invalid.');
      try {
        await jwtVerify(token, publicKey, { algorithms: ['RS256'] });
      } catch {
        return unauthorized('390144', 'JWT token is invalid.');
      }
      return { user: issuer[2]! };
    }
    for (const [name, user] of this.#users) {
      if (!user.tokens?.includes(token)) continue;
      if (this.#expiredTokens.has(token)) {
        return tokenType === 'PROGRAMMATIC_ACCESS_TOKEN'
          ? unauthorized('394400', 'Programmatic access token is expired.')
          : unauthorized('390318', 'OAuth access token expired.');
      }
      return { user: name };
    }
    return unauthorized('390303', 'Invalid OAuth access token.');
  }

  #submit(request: FakeRequest, caller: Caller): FakeResponse {
    const body = (request.body ?? {}) as Record<string, unknown>;
    if (typeof body.statement !== 'string') {
      return reply.json(
        { code: '391902', message: 'Unable to parse the request body: statement is missing.' },
        400,
      );
    }
    const requestId = request.query.requestId ?? randomUUID();
    // A repeated request id (a client retry) gets the statement it already started, as Snowflake documents.
    const repeated = [...this.#states.values()].find((state) => state.requestId === requestId);
    if (repeated) return this.#answer(repeated, request);
    const user = this.#users.get(caller.user);
    const state: StatementState = {
      handle: randomUUID(),
      sql: body.statement,
      bindings: (body.bindings ?? {}) as StatementState['bindings'],
      user: caller.user,
      role: typeof body.role === 'string' ? body.role : user?.defaultRole,
      warehouse: typeof body.warehouse === 'string' ? body.warehouse : undefined,
      database: typeof body.database === 'string' ? body.database : undefined,
      parameters: (body.parameters ?? {}) as Record<string, unknown>,
      errorCode: undefined,
      cancelled: false,
      result: new SqlError('000000', '00000', 'not run'),
      pollsLeft: this.pollsBeforeResult,
      requestId,
      createdOn: Date.now(),
    };
    try {
      state.result = this.#execute(state);
    } catch (error) {
      if (!(error instanceof SqlError)) throw error;
      state.result = error;
      state.errorCode = error.code;
    }
    this.#states.set(state.handle, state);
    this.statements.push(state);
    return this.#answer(state, request);
  }

  #status(request: FakeRequest): FakeResponse {
    const state = this.#states.get(request.params.handle!);
    if (!state) return reply.json({ code: '333333', message: 'Statement not found.' }, 404);
    if (request.query.partition !== undefined && request.query.partition !== '0') {
      return this.#partition(state, request);
    }
    return this.#answer(state, request);
  }

  #cancel(request: FakeRequest): FakeResponse {
    const state = this.#states.get(request.params.handle!);
    if (!state) return reply.json({ code: '333333', message: 'Statement not found.' }, 404);
    state.cancelled = true;
    this.cancelled.push(state.handle);
    return reply.json({
      code: CANCELLED_CODE,
      sqlState: '57014',
      message: 'SQL execution canceled',
      statementHandle: state.handle,
      statementStatusUrl: `${STATEMENTS}/${state.handle}`,
    });
  }

  #answer(state: StatementState, request: FakeRequest): FakeResponse {
    const statusUrl = `${STATEMENTS}/${state.handle}?requestId=${state.requestId}`;
    if (state.cancelled) {
      return reply.json(
        {
          code: CANCELLED_CODE,
          sqlState: '57014',
          message: 'SQL execution canceled',
          statementHandle: state.handle,
        },
        422,
      );
    }
    // The submit answers "running" too, then each status poll uses up one of the polls.
    if (state.pollsLeft > 0) {
      if (request.method === 'GET') state.pollsLeft -= 1;
      return reply.json(
        {
          code: RUNNING_CODE,
          message:
            'Asynchronous execution in progress. Use provided query id to perform query monitoring and management.',
          statementHandle: state.handle,
          statementStatusUrl: statusUrl,
        },
        202,
      );
    }
    if (state.result instanceof SqlError) {
      return reply.json(
        {
          code: state.result.code,
          sqlState: state.result.sqlState,
          message: state.result.message,
          statementHandle: state.handle,
          statementStatusUrl: statusUrl,
        },
        422,
      );
    }
    const { columns, rows } = state.result;
    const partitions = partitionRows(rows, this.rowsPerPartition);
    return reply.json({
      resultSetMetaData: {
        numRows: rows.length,
        format: 'jsonv2',
        partitionInfo: partitions.map((partition) => ({
          rowCount: partition.length,
          uncompressedSize: Buffer.byteLength(JSON.stringify(partition)),
        })),
        rowType: columns.map((column) => ({
          name: column.name,
          database: '',
          schema: '',
          table: '',
          type: column.type,
          nullable: true,
          byteLength: column.type === 'text' ? 16_777_216 : null,
          length: column.type === 'text' ? 16_777_216 : null,
          precision: column.type === 'fixed' ? 38 : null,
          scale: column.type === 'fixed' ? 0 : column.type.startsWith('timestamp') ? 9 : null,
          collation: null,
        })),
      },
      data: partitions[0] ?? [],
      code: SUCCESS_CODE,
      statementStatusUrl: statusUrl,
      requestId: state.requestId,
      sqlState: '00000',
      statementHandle: state.handle,
      message: 'Statement executed successfully.',
      createdOn: state.createdOn,
    });
  }

  #partition(state: StatementState, request: FakeRequest): FakeResponse {
    if (state.result instanceof SqlError || state.pollsLeft > 0) return this.#answer(state, request);
    const index = Number(request.query.partition);
    const partitions = partitionRows(state.result.rows, this.rowsPerPartition);
    if (!Number.isInteger(index) || index < 0 || index >= partitions.length) {
      return reply.json(
        { code: '391908', message: `Invalid partition number ${request.query.partition}.` },
        422,
      );
    }
    const body = Buffer.from(JSON.stringify({ data: partitions[index] }));
    // Snowflake compresses the partitions after the first; a client that does not accept gzip gets plain JSON.
    if (/\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''))) {
      return reply.status(200, gzipSync(body), {
        'content-type': 'application/json',
        'content-encoding': 'gzip',
      });
    }
    return reply.status(200, body, { 'content-type': 'application/json' });
  }

  // ---- SQL -----------------------------------------------------------------------------------------------

  #execute(state: StatementState): Result {
    const sql = numberPlaceholders(stripComments(state.sql)).trim();
    const bound = (placeholder: string): unknown => {
      const binding = state.bindings[placeholder.slice(1)];
      if (!binding)
        throw new SqlError('002049', '42601', `SQL compilation error: Bind variable ${placeholder} not set.`);
      return binding.value;
    };
    if (/^SHOW\s+DATABASES\b/i.test(sql)) return this.#showDatabases();
    const from = /\bFROM\b/i.test(sql);
    if (!from) return this.#context(sql, state);
    if (this.#revoked.has('warehouse-usage') || !state.warehouse) {
      throw new SqlError('000606', '57P03', WAREHOUSE_MESSAGE);
    }
    if (/\bSNOWFLAKE\s*\.\s*ACCOUNT_USAGE\b/i.test(sql)) {
      if (this.#revoked.has('account-usage')) {
        throw new SqlError(
          '002003',
          '02000',
          "SQL compilation error:\nDatabase 'SNOWFLAKE' does not exist or not authorized.",
        );
      }
      const withAccess = /\bACCOUNT_USAGE\s*\.\s*ACCESS_HISTORY\b/i.test(sql);
      if (withAccess && this.#edition === 'standard') {
        throw new SqlError(
          '002003',
          '02000',
          "SQL compilation error:\nObject 'SNOWFLAKE.ACCOUNT_USAGE.ACCESS_HISTORY' does not exist or not authorized.",
        );
      }
      if (/\bACCOUNT_USAGE\s*\.\s*QUERY_HISTORY\b/i.test(sql)) return this.#history(sql, bound, withAccess);
      if (withAccess) return project(sql, this.#accessRows(), bound);
    }
    const view =
      /(?:"((?:[^"]|"")+)"|([A-Za-z_][\w$]*))\s*\.\s*INFORMATION_SCHEMA\s*\.\s*(TABLES|COLUMNS|VIEWS)\b/i.exec(
        sql,
      );
    if (view) {
      const database = view[1] !== undefined ? view[1].replace(/""/g, '"') : view[2]!.toUpperCase();
      if (!this.#databases.has(database)) {
        throw new SqlError(
          '002003',
          '02000',
          `SQL compilation error:\nDatabase '${database}' does not exist or not authorized.`,
        );
      }
      return project(sql, this.#informationSchema(database, view[3]!.toUpperCase()), bound);
    }
    throw new SqlError(
      '001003',
      '42000',
      'SQL compilation error:\nsyntax error: the fake Snowflake does not know this statement.',
    );
  }

  #showDatabases(): Result {
    const columns = [
      'created_on',
      'name',
      'is_default',
      'is_current',
      'origin',
      'owner',
      'comment',
      'options',
      'retention_time',
      'kind',
    ];
    const rows = [...this.#databases].map(([name, database]) => [
      '1716806536.179000000',
      name,
      'N',
      'N',
      '',
      'SYSADMIN',
      database.comment ?? '',
      '',
      '1',
      'STANDARD',
    ]);
    return {
      columns: columns.map((name) => ({ name, type: name === 'created_on' ? 'timestamp_ltz' : 'text' })),
      rows,
    };
  }

  #context(sql: string, state: StatementState): Result {
    const names = selectItems(sql);
    const values: Row = {
      'CURRENT_ACCOUNT()': this.#account,
      'CURRENT_USER()': state.user,
      'CURRENT_ROLE()': state.role ?? null,
      'CURRENT_WAREHOUSE()': this.#revoked.has('warehouse-usage')
        ? null
        : (state.warehouse?.toUpperCase() ?? null),
      'CURRENT_VERSION()': '9.14.0',
    };
    const columns = names.map((item) => ({
      name: item.name,
      type: /^\d+$/.test(item.expression) ? 'fixed' : 'text',
    }));
    const row = names.map((item) => {
      const key = item.expression.replace(/\s+/g, '').toUpperCase();
      if (key in values) return encode(values[key], 'text');
      if (/^\d+$/.test(key)) return key;
      throw new SqlError(
        '000904',
        '42000',
        `SQL compilation error: error line 1 at position 7\ninvalid identifier '${item.expression}'`,
      );
    });
    return { columns, rows: [row] };
  }

  #informationSchema(database: string, view: string): Row[] {
    const tables = this.#tables.filter((table) => table.database === database);
    if (view === 'TABLES') {
      return tables.map((table) => ({
        TABLE_CATALOG: table.database,
        TABLE_SCHEMA: table.schema,
        TABLE_NAME: table.name,
        TABLE_TYPE: table.type ?? 'BASE TABLE',
        IS_TRANSIENT: 'NO',
        ROW_COUNT: isView(table) ? null : (table.rowCount ?? null),
        BYTES: isView(table) ? null : (table.bytes ?? null),
        COMMENT: table.comment ?? null,
        CREATED: toDate(table.created ?? '2024-01-01T00:00:00Z'),
        LAST_ALTERED: toDate(table.lastAltered ?? table.created ?? '2024-01-01T00:00:00Z'),
      }));
    }
    if (view === 'VIEWS') {
      return tables.filter(isView).map((table) => ({
        TABLE_CATALOG: table.database,
        TABLE_SCHEMA: table.schema,
        TABLE_NAME: table.name,
        VIEW_DEFINITION: table.viewDefinition ?? null,
        IS_SECURE: 'NO',
        COMMENT: table.comment ?? null,
      }));
    }
    return tables.flatMap((table) =>
      table.columns.map((column, index) => ({
        TABLE_CATALOG: table.database,
        TABLE_SCHEMA: table.schema,
        TABLE_NAME: table.name,
        COLUMN_NAME: column.name,
        ORDINAL_POSITION: index + 1,
        DATA_TYPE: column.type,
        IS_NULLABLE: column.nullable === false ? 'NO' : 'YES',
        CHARACTER_MAXIMUM_LENGTH: column.length ?? null,
        NUMERIC_PRECISION: column.precision ?? null,
        NUMERIC_SCALE: column.scale ?? null,
        COMMENT: column.comment ?? null,
      })),
    );
  }

  #history(sql: string, bound: (placeholder: string) => unknown, withAccess: boolean): Result {
    const since = boundComparison(sql, 'START_TIME', '>=', bound);
    const until = boundComparison(sql, 'START_TIME', '<', bound);
    const sinceTime = since === undefined ? undefined : parseBoundTime(since);
    const untilTime = until === undefined ? undefined : parseBoundTime(until);
    const successOnly = /\bEXECUTION_STATUS\s*=\s*'SUCCESS'/i.test(sql);
    const excluded = excludedPrefix(sql, bound);
    const queries = this.#queries
      .filter((query) => {
        const start = toDate(query.startTime).getTime();
        if (sinceTime !== undefined && start < sinceTime) return false;
        if (untilTime !== undefined && start >= untilTime) return false;
        if (successOnly && (query.status ?? 'SUCCESS') !== 'SUCCESS') return false;
        return !(excluded && excluded(query.text));
      })
      .sort(
        (left, right) =>
          toDate(left.startTime).getTime() - toDate(right.startTime).getTime() ||
          left.id.localeCompare(right.id),
      );
    const rows = queries.map((query) => {
      const start = toDate(query.startTime);
      const end = toDate(query.endTime ?? start);
      const row: Row = {
        QUERY_ID: query.id,
        QUERY_TEXT: query.text,
        QUERY_TYPE: query.type ?? 'SELECT',
        DATABASE_NAME: query.database ?? null,
        SCHEMA_NAME: query.schema ?? null,
        SESSION_ID: query.sessionId ?? 1_000_001,
        USER_NAME: query.user ?? 'ANALYST',
        ROLE_NAME: query.role ?? 'ANALYST',
        WAREHOUSE_NAME: query.warehouse ?? 'COMPUTE_WH',
        EXECUTION_STATUS: query.status ?? 'SUCCESS',
        START_TIME: start,
        END_TIME: end,
        TOTAL_ELAPSED_TIME: end.getTime() - start.getTime(),
        ROWS_PRODUCED: query.rowsProduced ?? 0,
        QUERY_TAG: query.tag ?? '',
        QUERY_HASH: createHash('md5').update(query.text).digest('hex'),
        QUERY_PARAMETERIZED_HASH: query.parameterizedHash ?? null,
      };
      if (withAccess) Object.assign(row, accessColumns(query));
      return row;
    });
    return project(sql, rows, bound);
  }

  #accessRows(): Row[] {
    return this.#queries
      .filter((query) => query.accessed !== undefined || query.modified !== undefined)
      .map((query) => ({
        QUERY_ID: query.id,
        QUERY_START_TIME: toDate(query.startTime),
        ...accessColumns(query),
      }));
  }
}

// ---- helpers -------------------------------------------------------------------------------------------

/** `SHA256:` fingerprint of a public key as Snowflake shows it (base64 of the SHA-256 of the DER SPKI). */
function publicKeyFingerprint(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('base64');
}

function httpMessage(status: number): string {
  if (status === 401) return 'Authentication token has expired.  The user must authenticate again.';
  if (status === 403) return 'Role is not authorized for this operation.';
  if (status === 429) return 'Too many requests. Please retry after some time.';
  if (status >= 500) return 'Service is temporarily unavailable.';
  return `Request failed with status ${status}.`;
}

function isView(table: FakeSnowflakeTable): boolean {
  return table.type === 'VIEW' || table.type === 'MATERIALIZED VIEW';
}

function accessColumns(query: FakeSnowflakeQuery): Row {
  if (query.accessed === undefined && query.modified === undefined) {
    return { DIRECT_OBJECTS_ACCESSED: null, BASE_OBJECTS_ACCESSED: null, OBJECTS_MODIFIED: null };
  }
  const objects = (list: readonly FakeSnowflakeObject[] | undefined, modified: boolean): unknown[] =>
    (list ?? []).map((object) => {
      const { name, domain } = typeof object === 'string' ? { name: object, domain: 'Table' } : object;
      return {
        columns: modified
          ? [{ baseSources: [], columnName: 'ID', directSources: [] }]
          : [{ columnId: 1, columnName: 'ID' }],
        objectDomain: domain,
        objectId: Number.parseInt(createHash('md5').update(name).digest('hex').slice(0, 8), 16),
        objectName: name,
      };
    });
  const accessed = objects(query.accessed, false);
  return {
    DIRECT_OBJECTS_ACCESSED: accessed,
    BASE_OBJECTS_ACCESSED: accessed,
    OBJECTS_MODIFIED: objects(query.modified, true),
  };
}

function partitionRows<T>(rows: readonly T[], size: number): T[][] {
  const partitions: T[][] = [];
  for (let start = 0; start < rows.length; start += Math.max(1, size)) {
    partitions.push(rows.slice(start, start + Math.max(1, size)));
  }
  return partitions.length === 0 ? [[]] : partitions;
}

function toDate(value: Date | string): Date {
  return value instanceof Date ? value : new Date(value);
}

/** A jsonv2 value: every value a string; timestamps as `seconds.nanoseconds`, arrays and objects as JSON. */
function encode(value: unknown, type: string): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) {
    const ms = value.getTime();
    const seconds = Math.floor(ms / 1000);
    return `${seconds}.${String((ms - seconds * 1000) * 1_000_000).padStart(9, '0')}`;
  }
  if (type === 'array' || type === 'object' || type === 'variant' || typeof value === 'object') {
    return JSON.stringify(value, null, 2);
  }
  return String(value);
}

/** Removes comments, keeping string literals and quoted identifiers intact. */
function stripComments(sql: string): string {
  let result = '';
  for (let index = 0; index < sql.length;) {
    const character = sql[index]!;
    if (character === "'" || character === '"') {
      const end = closingQuote(sql, index);
      result += sql.slice(index, end);
      index = end;
    } else if (sql.startsWith('/*', index)) {
      const end = sql.indexOf('*/', index + 2);
      index = end === -1 ? sql.length : end + 2;
      result += ' ';
    } else if (sql.startsWith('--', index)) {
      const end = sql.indexOf('\n', index);
      index = end === -1 ? sql.length : end;
    } else {
      result += character;
      index += 1;
    }
  }
  return result;
}

function closingQuote(sql: string, start: number): number {
  const quote = sql[start]!;
  for (let index = start + 1; index < sql.length; index++) {
    if (sql[index] === '\\' && quote === "'") {
      index += 1;
    } else if (sql[index] === quote) {
      if (sql[index + 1] === quote) index += 1;
      else return index + 1;
    }
  }
  return sql.length;
}

/** Rewrites positional `?` placeholders (outside literals) as `:1`, `:2`…, the numbered form. */
function numberPlaceholders(sql: string): string {
  let result = '';
  let count = 0;
  for (let index = 0; index < sql.length;) {
    const character = sql[index]!;
    if (character === "'" || character === '"') {
      const end = closingQuote(sql, index);
      result += sql.slice(index, end);
      index = end;
    } else {
      result += character === '?' ? `:${++count}` : character;
      index += 1;
    }
  }
  return result;
}

/** Splits at top-level commas (outside parentheses and quotes). */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let index = 0; index < text.length; index++) {
    const character = text[index]!;
    if (character === "'" || character === '"') index = closingQuote(text, index) - 1;
    else if (character === '(') depth += 1;
    else if (character === ')') depth -= 1;
    else if (character === ',' && depth === 0) {
      parts.push(text.slice(start, index));
      start = index + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((part) => part.trim()).filter((part) => part !== '');
}

/** The items of the top-level SELECT list with their output names (alias, or the last name part). */
function selectItems(sql: string): { expression: string; name: string }[] {
  const select = /^\s*SELECT\s+(?:DISTINCT\s+)?/i.exec(sql);
  if (!select)
    throw new SqlError('001003', '42000', 'SQL compilation error:\nsyntax error: expected SELECT.');
  let depth = 0;
  let end = sql.length;
  for (let index = select[0].length; index < sql.length; index++) {
    const character = sql[index]!;
    if (character === "'" || character === '"') index = closingQuote(sql, index) - 1;
    else if (character === '(') depth += 1;
    else if (character === ')') depth -= 1;
    else if (depth === 0 && /^FROM\b/i.test(sql.slice(index)) && /\s/.test(sql[index - 1] ?? ' ')) {
      end = index;
      break;
    }
  }
  return splitTopLevel(sql.slice(select[0].length, end)).map((expression) => {
    const alias = /\s+AS\s+("?)([\w$]+)\1\s*$/i.exec(expression);
    if (alias) return { expression: expression.slice(0, alias.index).trim(), name: alias[2]!.toUpperCase() };
    const column = /(?:^|\.)("?)([\w$]+)\1\s*$/.exec(expression);
    return { expression, name: (column?.[2] ?? expression).toUpperCase() };
  });
}

/** Keeps the columns the SELECT list names, in its order, as a jsonv2 result; LIMIT from a binding or literal. */
function project(sql: string, rows: Row[], bound: (placeholder: string) => unknown): Result {
  const items = selectItems(sql);
  const limit = /\bLIMIT\s+(:\d+|\d+)\s*$/i.exec(sql.trim());
  const limited =
    limit === null ? rows : rows.slice(0, Number(limit[1]!.startsWith(':') ? bound(limit[1]!) : limit[1]));
  const sourceName = (item: { expression: string; name: string }): string => {
    const column = /(?:^|\.)("?)([\w$]+)\1$/.exec(item.expression.trim());
    return (column?.[2] ?? item.expression).toUpperCase();
  };
  for (const item of items) {
    if (/^\d+$/.test(item.expression)) continue;
    const name = sourceName(item);
    if (rows.length > 0 && !(name in rows[0]!)) {
      throw new SqlError(
        '000904',
        '42000',
        `SQL compilation error: error line 1 at position 7\ninvalid identifier '${item.expression}'`,
      );
    }
  }
  return {
    columns: items.map((item) => ({
      name: item.name,
      type: /^\d+$/.test(item.expression) ? 'fixed' : (COLUMN_TYPES[sourceName(item)] ?? 'text'),
    })),
    rows: limited.map((row) =>
      items.map((item) =>
        /^\d+$/.test(item.expression)
          ? item.expression
          : encode(row[sourceName(item)], COLUMN_TYPES[sourceName(item)] ?? 'text'),
      ),
    ),
  };
}

/**
 * The bound value a column is compared with (`START_TIME >= TO_TIMESTAMP_LTZ(?)`), undefined when the SQL has no
 * such comparison. A literal on the right side is refused: values must come as bindings.
 */
function boundComparison(
  sql: string,
  column: string,
  operator: '>=' | '<',
  bound: (placeholder: string) => unknown,
): unknown {
  const operatorPattern = operator === '<' ? '<(?![=>])' : '>=';
  const match = new RegExp(
    `(?:^|[^\\w.])(?:\\w+\\.)?${column}\\s*${operatorPattern}\\s*(?:TO_TIMESTAMP(?:_\\w+)?\\s*\\(\\s*)?(:\\d+|[^\\s)]+)`,
    'i',
  ).exec(sql);
  if (!match) return undefined;
  const operand = match[1]!;
  if (!operand.startsWith(':')) {
    throw new SqlError(
      '002049',
      '42601',
      `The fake Snowflake requires ${column} to be compared with a bind variable, got ${operand}.`,
    );
  }
  return bound(operand);
}

function parseBoundTime(value: unknown): number {
  const text = String(value);
  const time = /^\d+$/.test(text) ? Number(BigInt(text) / 1_000_000n) : Date.parse(text);
  if (Number.isNaN(time)) throw new SqlError('100035', '22007', `Timestamp '${text}' is not recognized`);
  return time;
}

/** The QUERY_TEXT exclusion (`NOT STARTSWITH(QUERY_TEXT, ?)` or `QUERY_TEXT NOT LIKE ?`) as a predicate. */
function excludedPrefix(
  sql: string,
  bound: (placeholder: string) => unknown,
): ((text: string) => boolean) | undefined {
  const startsWith = /NOT\s+STARTSWITH\s*\(\s*(?:\w+\.)?QUERY_TEXT\s*,\s*(:\d+|'[^']*')\s*\)/i.exec(sql);
  if (startsWith) {
    const operand = startsWith[1]!;
    if (!operand.startsWith(':'))
      throw new SqlError(
        '002049',
        '42601',
        'The fake Snowflake requires the excluded prefix as a bind variable.',
      );
    const prefix = String(bound(operand));
    return (text) => text.startsWith(prefix);
  }
  const like = /(?:\w+\.)?QUERY_TEXT\s+NOT\s+I?LIKE\s+(:\d+|'[^']*')/i.exec(sql);
  if (like) {
    const operand = like[1]!;
    if (!operand.startsWith(':'))
      throw new SqlError(
        '002049',
        '42601',
        'The fake Snowflake requires the LIKE pattern as a bind variable.',
      );
    const pattern = String(bound(operand))
      .split(/(%|_)/)
      .map((part) => (part === '%' ? '.*' : part === '_' ? '.' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('');
    const matcher = new RegExp(`^${pattern}$`, 's');
    return (text) => matcher.test(text);
  }
  return undefined;
}
