import { randomUUID } from 'node:crypto';
import { FakeUpstream, reply, type FakeRequest, type FakeResponse } from './fake-upstream.js';

// A fake ClickHouse HTTP interface on 127.0.0.1 (port 8123 style): the SQL in the POST body (or `query=`),
// settings as URL parameters (`database`, `default_format`, `log_comment`, `param_<name>`), users
// authenticated by `X-ClickHouse-User`/`X-ClickHouse-Key` (or Basic auth, or `user`/`password` parameters),
// and answers in the `JSON` (`{meta, data, rows, statistics}`, 64-bit integers quoted) and `JSONEachRow`
// formats. Errors are ClickHouse's own text, `Code: 516. DB::Exception: …: Authentication failed…
// (AUTHENTICATION_FAILED) (version …)`, with the HTTP status and `X-ClickHouse-Exception-Code` header the
// server sends for that code.
//
// There is no SQL engine behind it. A query is answered by the system table it reads (system.tables,
// system.columns, system.query_log, or `SELECT 1`), with the select list projected (column names,
// `toUnixTimestamp64Micro(col)`, `toUnixTimestamp(col)`, `AS` aliases) so a misspelt column fails as it
// would on a server. Filters that matter for correctness come from the bound `{name:Type}` parameters only:
// system.tables/system.columns by `{databases:Array(String)}`, system.query_log by `{since_us:Int64}`,
// `{until_us:Int64}` (query_start_time_microseconds window), the keyset `{after_us:Int64}`/`{after_id:String}`,
// `{own_comment:String}` (log_comment excluded) and `{own_marker:String}` (query prefix excluded); `type =
// 'QueryFinish'` and `is_initial_query` apply when the query says so, and a literal `LIMIT n`. A placeholder
// without its `param_` value is error 456, as on a server. Like ClickHouse, the fake writes every query it
// runs into its own query_log (a QueryStart and a QueryFinish row) with the request's log_comment.

export interface FakeClickHouseUser {
  name: string;
  password: string;
  /** Tables this user may not read (`system.query_log`): error 497 ACCESS_DENIED. */
  deniedTables?: string[];
}

export interface FakeClickHouseColumn {
  name: string;
  type: string;
  comment?: string;
}

export interface FakeClickHouseTable {
  database: string;
  name: string;
  /** Default MergeTree. */
  engine?: string;
  comment?: string;
  totalRows?: number | null;
  totalBytes?: number | null;
  /** system.tables.as_select of views and materialized views. */
  asSelect?: string;
  modifiedAt?: Date;
  columns: FakeClickHouseColumn[];
}

export interface FakeClickHouseQuery {
  queryId?: string;
  query: string;
  startTime: Date;
  durationMs?: number;
  /** Default QueryFinish. */
  type?: 'QueryStart' | 'QueryFinish' | 'ExceptionBeforeStart' | 'ExceptionWhileProcessing';
  /** Default true; false for the sub-queries a distributed query sends to shards. */
  isInitialQuery?: boolean;
  user?: string;
  currentDatabase?: string;
  /** Select, Insert, Create, … Default Select. */
  queryKind?: string;
  /** `db.table` entries. */
  tables?: string[];
  normalizedQueryHash?: string;
  logComment?: string;
  httpUserAgent?: string;
  clientName?: string;
  resultRows?: number;
  writtenRows?: number;
}

export interface FakeClickHouseOptions {
  /** Default one user `default` with an empty password. */
  users?: FakeClickHouseUser[];
  /** Server version in error texts. Default 24.8.4.13. */
  version?: string;
}

/** A query as it was received, for assertions. */
export interface FakeClickHouseRequest {
  sql: string;
  user: string;
  settings: Record<string, string>;
  parameters: Record<string, string>;
  format: string;
}

type Cell = string | number | boolean | null | Date | readonly string[];

interface TableData {
  types: Record<string, string>;
  rows: Record<string, Cell>[];
}

class ClickHouseException extends Error {
  constructor(
    readonly code: number,
    readonly codeName: string,
    message: string,
  ) {
    super(message);
  }
}

const HTTP_STATUS_BY_CODE: Record<number, number> = {
  192: 401,
  193: 401,
  194: 401,
  516: 401,
  497: 403,
  164: 403,
  60: 404,
  81: 404,
  62: 400,
  47: 400,
  456: 400,
  73: 400,
};

export class FakeClickHouse {
  readonly upstream = new FakeUpstream();
  readonly tables: FakeClickHouseTable[] = [];
  /** Queries that reached the SQL stage (authenticated), in order. */
  readonly received: FakeClickHouseRequest[] = [];
  readonly #users: FakeClickHouseUser[];
  readonly #version: string;
  readonly #log: FakeClickHouseLoggedQuery[] = [];

  constructor(options: FakeClickHouseOptions = {}) {
    this.#users = options.users ?? [{ name: 'default', password: '' }];
    this.#version = options.version ?? '24.8.4.13';
    this.upstream.route('POST', '/', (request) => this.#handle(request));
    this.upstream.route('GET', '/', (request) => this.#handle(request));
    this.upstream.route('GET', '/ping', () => reply.text('Ok.\n'));
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

  addTables(...tables: FakeClickHouseTable[]): this {
    this.tables.push(...tables);
    return this;
  }

  /** Adds rows to system.query_log; returns their query ids. */
  addQueries(...queries: FakeClickHouseQuery[]): string[] {
    return queries.map((query) => {
      const stored = loggedQuery(query);
      this.#log.push(stored);
      return stored.queryId;
    });
  }

  /** Rows of system.query_log, the fake's own included. */
  get queryLogRows(): readonly FakeClickHouseLoggedQuery[] {
    return this.#log;
  }

  /** Answers the next `count` queries with an HTTP status and ClickHouse's text for it (429, 503…). */
  failNext(count: number, status: number, text?: string): this {
    this.upstream.failNext(count, {
      status,
      headers: { 'content-type': 'text/plain; charset=UTF-8' },
      body:
        text ??
        (status === 429
          ? 'Too Many Requests'
          : `Code: 202. DB::Exception: Too many simultaneous queries. Maximum: 100. (TOO_MANY_SIMULTANEOUS_QUERIES) (version ${this.#version})`),
    });
    return this;
  }

  #handle(request: FakeRequest): FakeResponse {
    try {
      const user = this.#authenticate(request);
      const settings = Object.fromEntries(
        [...request.searchParams].filter(([name]) => !name.startsWith('param_') && name !== 'query'),
      );
      const parameters = Object.fromEntries(
        [...request.searchParams]
          .filter(([name]) => name.startsWith('param_'))
          .map(([name, value]) => [name.slice('param_'.length), value]),
      );
      const body = request.method === 'POST' ? request.rawBody.toString('utf8') : '';
      let sql = [request.query.query ?? '', body].filter((part) => part !== '').join('\n');
      const formatMatch = /\bFORMAT\s+(\w+)\s*;?\s*$/i.exec(sql);
      const format = formatMatch?.[1] ?? settings.default_format ?? 'TabSeparated';
      if (formatMatch) sql = sql.slice(0, formatMatch.index);
      this.received.push({ sql, user: user.name, settings, parameters, format });
      const queryId =
        request.headers['x-clickhouse-query-id']?.toString() ?? settings.query_id ?? randomUUID();
      const startTime = new Date();
      const result = this.#run(sql, parameters, user);
      this.#recordOwn(sql, user.name, settings, startTime, queryId, result.tablesRead);
      return this.#format(result, format, queryId);
    } catch (error) {
      if (!(error instanceof ClickHouseException)) throw error;
      const text = `Code: ${error.code}. DB::Exception: ${error.message}. (${error.codeName}) (version ${this.#version})\n`;
      return reply.text(text, HTTP_STATUS_BY_CODE[error.code] ?? 500, {
        'x-clickhouse-exception-code': String(error.code),
      });
    }
  }

  #authenticate(request: FakeRequest): FakeClickHouseUser {
    let name = request.headers['x-clickhouse-user']?.toString();
    let password = request.headers['x-clickhouse-key']?.toString();
    const authorization = request.headers.authorization?.toString();
    if (name === undefined && authorization?.startsWith('Basic ')) {
      const decoded = Buffer.from(authorization.slice(6), 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      name = decoded.slice(0, colon);
      password = decoded.slice(colon + 1);
    }
    name ??= request.query.user ?? 'default';
    password ??= request.query.password ?? '';
    const user = this.#users.find((candidate) => candidate.name === name);
    if (!user || user.password !== password) {
      throw new ClickHouseException(
        516,
        'AUTHENTICATION_FAILED',
        `${name}: Authentication failed: password is incorrect, or there is no user with such name`,
      );
    }
    return user;
  }

  #run(
    sql: string,
    parameters: Record<string, string>,
    user: FakeClickHouseUser,
  ): { meta: { name: string; type: string }[]; data: Record<string, Cell>[]; tablesRead: string[] } {
    const code = sql.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/--[^\n]*/g, ' ');
    const values = bindParameters(code, parameters);
    const lower = code.toLowerCase();
    const table = ['system.query_log', 'system.columns', 'system.tables'].find((name) =>
      new RegExp(`\\b${name.replace('.', '\\.')}\\b`).test(lower),
    );
    if (table && user.deniedTables?.includes(table)) {
      throw new ClickHouseException(
        497,
        'ACCESS_DENIED',
        `${user.name}: Not enough privileges. To execute this query, it's necessary to have the grant SELECT ON ${table}`,
      );
    }
    let source: TableData;
    if (table === 'system.query_log') source = this.#queryLog(lower, values);
    else if (table === 'system.columns') source = this.#columns(values);
    else if (table === 'system.tables') source = this.#tablesData(values);
    else if (/^\s*select\s+1\s*;?\s*$/.test(lower)) source = { types: { '1': 'UInt8' }, rows: [{ '1': 1 }] };
    else {
      throw new ClickHouseException(
        62,
        'SYNTAX_ERROR',
        'Syntax error: the fake ClickHouse does not know this query',
      );
    }
    const limit = /\blimit\s+(\d+)\s*;?\s*$/.exec(lower);
    const rows = limit ? source.rows.slice(0, Number(limit[1])) : source.rows;
    const projected = project(code, source, rows);
    return { ...projected, tablesRead: table ? [table] : [] };
  }

  #tablesData(values: Record<string, unknown>): TableData {
    const databases = values.databases as string[] | undefined;
    return {
      types: {
        database: 'String',
        name: 'String',
        engine: 'String',
        comment: 'String',
        total_rows: 'Nullable(UInt64)',
        total_bytes: 'Nullable(UInt64)',
        as_select: 'String',
        is_temporary: 'UInt8',
        metadata_modification_time: 'DateTime',
      },
      rows: this.#sortedTables()
        .filter((table) => databases === undefined || databases.includes(table.database))
        .map((table) => ({
          database: table.database,
          name: table.name,
          engine: table.engine ?? 'MergeTree',
          comment: table.comment ?? '',
          total_rows: table.totalRows === undefined ? null : table.totalRows,
          total_bytes: table.totalBytes === undefined ? null : table.totalBytes,
          as_select: table.asSelect ?? '',
          is_temporary: 0,
          metadata_modification_time: table.modifiedAt ?? new Date('2024-01-01T00:00:00Z'),
        })),
    };
  }

  #columns(values: Record<string, unknown>): TableData {
    const databases = values.databases as string[] | undefined;
    return {
      types: {
        database: 'String',
        table: 'String',
        name: 'String',
        type: 'String',
        comment: 'String',
        position: 'UInt64',
        default_kind: 'String',
      },
      rows: this.#sortedTables()
        .filter((table) => databases === undefined || databases.includes(table.database))
        .flatMap((table) =>
          table.columns.map((column, index) => ({
            database: table.database,
            table: table.name,
            name: column.name,
            type: column.type,
            comment: column.comment ?? '',
            position: index + 1,
            default_kind: '',
          })),
        ),
    };
  }

  #queryLog(lower: string, values: Record<string, unknown>): TableData {
    const micros = (name: string): number | undefined =>
      values[name] === undefined ? undefined : Number(values[name]) / 1000;
    const since = micros('since_us');
    const until = micros('until_us');
    const after = micros('after_us');
    const afterId = values.after_id as string | undefined;
    const ownComment = values.own_comment as string | undefined;
    const ownMarker = values.own_marker as string | undefined;
    const finishedOnly = /type\s*=\s*'queryfinish'/.test(lower);
    const initialOnly = /\bis_initial_query\b/.test(lower);
    const rows = this.#log
      .filter((query) => !finishedOnly || query.type === 'QueryFinish')
      .filter((query) => !initialOnly || query.isInitialQuery)
      .filter((query) => since === undefined || query.startTime.getTime() >= since)
      .filter((query) => until === undefined || query.startTime.getTime() < until)
      .filter(
        (query) =>
          after === undefined ||
          query.startTime.getTime() > after ||
          (query.startTime.getTime() === after && query.queryId > (afterId ?? '')),
      )
      .filter((query) => ownComment === undefined || query.logComment !== ownComment)
      .filter((query) => ownMarker === undefined || !query.query.startsWith(ownMarker))
      .sort(
        (left, right) =>
          left.startTime.getTime() - right.startTime.getTime() ||
          (left.queryId < right.queryId ? -1 : left.queryId > right.queryId ? 1 : 0),
      )
      .map((query) => ({
        type: query.type,
        event_date: query.startTime,
        event_time: new Date(query.startTime.getTime() + query.durationMs),
        query_start_time: query.startTime,
        query_start_time_microseconds: query.startTime,
        query_duration_ms: query.durationMs,
        is_initial_query: query.isInitialQuery ? 1 : 0,
        query_id: query.queryId,
        query: query.query,
        normalized_query_hash: query.normalizedQueryHash,
        query_kind: query.queryKind,
        current_database: query.currentDatabase,
        databases: [...new Set(query.tables.map((table) => table.split('.')[0]!))],
        tables: query.tables,
        user: query.user,
        log_comment: query.logComment,
        http_user_agent: query.httpUserAgent,
        client_name: query.clientName,
        result_rows: query.resultRows,
        written_rows: query.writtenRows,
      }));
    return {
      types: {
        type: "Enum8('QueryStart' = 1, 'QueryFinish' = 2, 'ExceptionBeforeStart' = 3, 'ExceptionWhileProcessing' = 4)",
        event_date: 'Date',
        event_time: 'DateTime',
        query_start_time: 'DateTime',
        query_start_time_microseconds: 'DateTime64(6)',
        query_duration_ms: 'UInt64',
        is_initial_query: 'UInt8',
        query_id: 'String',
        query: 'String',
        normalized_query_hash: 'UInt64',
        query_kind: 'LowCardinality(String)',
        current_database: 'String',
        databases: 'Array(LowCardinality(String))',
        tables: 'Array(LowCardinality(String))',
        user: 'String',
        log_comment: 'String',
        http_user_agent: 'String',
        client_name: 'String',
        result_rows: 'UInt64',
        written_rows: 'UInt64',
      },
      rows,
    };
  }

  #sortedTables(): FakeClickHouseTable[] {
    return [...this.tables].sort((left, right) =>
      left.database === right.database
        ? left.name < right.name
          ? -1
          : left.name > right.name
            ? 1
            : 0
        : left.database < right.database
          ? -1
          : 1,
    );
  }

  #recordOwn(
    sql: string,
    user: string,
    settings: Record<string, string>,
    startTime: Date,
    queryId: string,
    tablesRead: string[],
  ): void {
    const common = {
      queryId,
      query: sql,
      startTime,
      user,
      currentDatabase: settings.database ?? 'default',
      tables: tablesRead,
      logComment: settings.log_comment ?? '',
      httpUserAgent: 'fake',
    };
    this.#log.push(
      loggedQuery({ ...common, type: 'QueryStart' }),
      loggedQuery({ ...common, type: 'QueryFinish' }),
    );
  }

  #format(
    result: { meta: { name: string; type: string }[]; data: Record<string, Cell>[] },
    format: string,
    queryId: string,
  ): FakeResponse {
    const headers = { 'x-clickhouse-query-id': queryId, 'x-clickhouse-format': format };
    const encodeRow = (row: Record<string, Cell>): Record<string, unknown> =>
      Object.fromEntries(result.meta.map(({ name, type }) => [name, encodeValue(row[name] ?? null, type)]));
    if (format === 'JSON') {
      return reply.json(
        {
          meta: result.meta,
          data: result.data.map(encodeRow),
          rows: result.data.length,
          statistics: { elapsed: 0.000_8, rows_read: result.data.length, bytes_read: 1024 },
        },
        200,
        { ...headers, 'content-type': 'application/json; charset=UTF-8' },
      );
    }
    if (format === 'JSONEachRow') {
      const text = result.data.map((row) => `${JSON.stringify(encodeRow(row))}\n`).join('');
      return reply.text(text, 200, { ...headers, 'content-type': 'application/x-ndjson; charset=UTF-8' });
    }
    throw new ClickHouseException(
      73,
      'UNKNOWN_FORMAT',
      `Unknown format ${format} (the fake speaks JSON and JSONEachRow)`,
    );
  }
}

/** A row of the fake system.query_log. */
export interface FakeClickHouseLoggedQuery {
  queryId: string;
  query: string;
  startTime: Date;
  durationMs: number;
  type: NonNullable<FakeClickHouseQuery['type']>;
  isInitialQuery: boolean;
  user: string;
  currentDatabase: string;
  queryKind: string;
  tables: string[];
  normalizedQueryHash: string;
  logComment: string;
  httpUserAgent: string;
  clientName: string;
  resultRows: number;
  writtenRows: number;
}

function loggedQuery(query: FakeClickHouseQuery): FakeClickHouseLoggedQuery {
  return {
    queryId: query.queryId ?? randomUUID(),
    query: query.query,
    startTime: query.startTime,
    durationMs: query.durationMs ?? 25,
    type: query.type ?? 'QueryFinish',
    isInitialQuery: query.isInitialQuery ?? true,
    user: query.user ?? 'default',
    currentDatabase: query.currentDatabase ?? 'default',
    queryKind: query.queryKind ?? 'Select',
    tables: query.tables ?? [],
    normalizedQueryHash: query.normalizedQueryHash ?? String(BigInt.asUintN(64, BigInt(hashOf(query.query)))),
    logComment: query.logComment ?? '',
    httpUserAgent: query.httpUserAgent ?? '',
    clientName: query.clientName ?? '',
    resultRows: query.resultRows ?? 0,
    writtenRows: query.writtenRows ?? 0,
  };
}

function hashOf(text: string): number {
  let hash = 0;
  for (const character of text) hash = (Math.imul(hash, 31) + character.charCodeAt(0)) | 0;
  return hash >>> 0;
}

/** Parses `param_<name>` values by the `{name:Type}` placeholders; a missing value is error 456. */
function bindParameters(sql: string, parameters: Record<string, string>): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const match of sql.matchAll(/\{\s*([A-Za-z_]\w*)\s*:\s*([^}]+?)\s*\}/g)) {
    const [, name, type] = match as unknown as [string, string, string];
    const raw = parameters[name];
    if (raw === undefined) {
      throw new ClickHouseException(456, 'UNKNOWN_QUERY_PARAMETER', `Substitution \`${name}\` is not set`);
    }
    values[name] = parseParameter(raw, type, name);
  }
  return values;
}

function parseParameter(raw: string, type: string, name: string): unknown {
  const cannotParse = (): never => {
    throw new ClickHouseException(
      26,
      'CANNOT_PARSE_QUOTED_STRING',
      `Value ${raw} cannot be parsed as ${type} for query parameter '${name}'`,
    );
  };
  if (/^U?Int\d+$/.test(type)) {
    if (!/^-?\d+$/.test(raw)) cannotParse();
    return BigInt(raw);
  }
  if (type === 'String') return unescapeTsv(raw);
  if (type === 'Array(String)') {
    const trimmed = raw.trim();
    if (!trimmed.startsWith('[') || !trimmed.endsWith(']')) cannotParse();
    const items: string[] = [];
    const pattern = /'((?:[^'\\]|\\.)*)'/g;
    for (const match of trimmed.slice(1, -1).matchAll(pattern)) items.push(match[1]!.replace(/\\(.)/g, '$1'));
    return items;
  }
  return raw;
}

/** Parameter values use the escaped (TSV) text format: `\\`, `\n`, `\t`, `\'`. */
function unescapeTsv(text: string): string {
  return text.replace(/\\(.)/g, (_, character: string) =>
    character === 'n'
      ? '\n'
      : character === 't'
        ? '\t'
        : character === 'r'
          ? '\r'
          : character === '0'
            ? '\0'
            : character,
  );
}

/** The select list: plain columns, `toUnixTimestamp64Micro(col)`, `toUnixTimestamp(col)`, `* `, with `AS`. */
function project(
  sql: string,
  source: TableData,
  rows: Record<string, Cell>[],
): { meta: { name: string; type: string }[]; data: Record<string, Cell>[] } {
  const list = /^\s*select\s+([\s\S]*?)\s+from\s/i.exec(sql)?.[1];
  if (list === undefined) {
    return { meta: Object.entries(source.types).map(([name, type]) => ({ name, type })), data: rows };
  }
  const items = splitTopLevel(list).map((item) => {
    const aliasMatch = /^([\s\S]*?)\s+as\s+`?(\w+)`?$/i.exec(item.trim());
    const expression = (aliasMatch?.[1] ?? item).trim();
    const alias = aliasMatch?.[2];
    const unknown = (identifier: string): never => {
      throw new ClickHouseException(
        47,
        'UNKNOWN_IDENTIFIER',
        `Missing columns: '${identifier}' while processing query`,
      );
    };
    const column = /^`?(\w+)`?$/.exec(expression)?.[1];
    if (column !== undefined) {
      if (!(column in source.types)) unknown(column);
      return {
        name: alias ?? column,
        type: source.types[column]!,
        value: (row: Record<string, Cell>) => row[column] ?? null,
      };
    }
    const call = /^(toUnixTimestamp64Micro|toUnixTimestamp)\(\s*`?(\w+)`?\s*\)$/.exec(expression);
    if (call) {
      const [, functionName, argument] = call as unknown as [string, string, string];
      if (!(argument in source.types)) unknown(argument);
      const micro = functionName === 'toUnixTimestamp64Micro';
      return {
        name: alias ?? expression,
        type: micro ? 'Int64' : 'UInt32',
        value: (row: Record<string, Cell>) => {
          const date = row[argument];
          if (!(date instanceof Date)) return null;
          return micro ? date.getTime() * 1000 : Math.floor(date.getTime() / 1000);
        },
      };
    }
    throw new ClickHouseException(
      47,
      'UNKNOWN_IDENTIFIER',
      `The fake ClickHouse cannot evaluate ${expression}`,
    );
  });
  return {
    meta: items.map(({ name, type }) => ({ name, type })),
    data: rows.map((row) => Object.fromEntries(items.map((item) => [item.name, item.value(row)]))),
  };
}

function splitTopLevel(list: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let current = '';
  let quote: string | undefined;
  for (const character of list) {
    if (quote) {
      if (character === quote) quote = undefined;
    } else if (character === "'" || character === '`') quote = character;
    else if (character === '(') depth++;
    else if (character === ')') depth--;
    else if (character === ',' && depth === 0) {
      items.push(current);
      current = '';
      continue;
    }
    current += character;
  }
  if (current.trim() !== '') items.push(current);
  return items;
}

function pad(value: number, length = 2): string {
  return String(value).padStart(length, '0');
}

/** JSON output as ClickHouse writes it: 64-bit integers quoted, dates as text in the server zone (UTC here). */
function encodeValue(value: Cell, type: string): unknown {
  if (value === null) return null;
  const base = type.replace(/^Nullable\((.*)\)$/, '$1').replace(/^LowCardinality\((.*)\)$/, '$1');
  if (value instanceof Date) {
    const date = `${value.getUTCFullYear()}-${pad(value.getUTCMonth() + 1)}-${pad(value.getUTCDate())}`;
    if (base === 'Date') return date;
    const time = `${pad(value.getUTCHours())}:${pad(value.getUTCMinutes())}:${pad(value.getUTCSeconds())}`;
    if (base.startsWith('DateTime64')) return `${date} ${time}.${pad(value.getUTCMilliseconds(), 3)}000`;
    return `${date} ${time}`;
  }
  if (/^U?Int(64|128|256)$/.test(base)) {
    return typeof value === 'number' && Number.isInteger(value) ? BigInt(value).toString() : String(value);
  }
  return value;
}
