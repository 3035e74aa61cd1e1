import { randomBytes, randomUUID } from 'node:crypto';
import {
  FakeUpstream,
  reply,
  type FakeDelayOptions,
  type FakeRequest,
  type FakeResponse,
} from './fake-upstream.js';

// A fake Databricks SQL Statement Execution API (2.0) and workspace OAuth token endpoint on 127.0.0.1, built on
// FakeUpstream. It holds Unity Catalog metadata (catalogs, tables with columns and comments, view text), rows
// of system.query.history and system.access.table_lineage, and answers statements by recognising the system
// table they read. The history window, the catalog filter, the text exclusion and LIMIT come from the named
// `parameters` only; a literal in their place is refused, so a test proves the connector binds.
//
// Wire shapes: `status.state` PENDING until a statement was polled `pollsBeforeResult` times, then SUCCEEDED
// with `manifest` and the first chunk inline (`result.data_array`, every value a string, `next_chunk_index`),
// further chunks at `…/result/chunks/{n}`; FAILED with `status.error`; HTTP errors as `{error_code, message}`.

export type FakeDatabricksTableType =
  'MANAGED' | 'EXTERNAL' | 'VIEW' | 'MATERIALIZED_VIEW' | 'STREAMING_TABLE' | 'FOREIGN';

export interface FakeDatabricksColumn {
  name: string;
  /** `full_data_type`: `bigint`, `decimal(10,2)`, `struct<a:int>`… */
  type: string;
  nullable?: boolean;
  comment?: string | null;
}

export interface FakeDatabricksTable {
  catalog: string;
  schema: string;
  name: string;
  type?: FakeDatabricksTableType;
  comment?: string | null;
  created?: Date | string;
  lastAltered?: Date | string;
  viewDefinition?: string;
  columns: readonly FakeDatabricksColumn[];
}

export interface FakeDatabricksQuery {
  id: string;
  text: string;
  startTime: Date | string;
  endTime?: Date | string;
  /** Default FINISHED. */
  status?: 'FINISHED' | 'FAILED' | 'CANCELED';
  user?: string;
  statementType?: string;
  clientApplication?: string | null;
  sessionId?: string | null;
  warehouseId?: string;
  producedRows?: number;
  querySource?: Record<string, unknown> | null;
  /** Rows of system.access.table_lineage for this statement, as `catalog.schema.table` names. */
  lineage?: { sources?: readonly string[]; targets?: readonly string[] };
}

export interface FakeDatabricksOptions {
  /** Rows per result chunk. Default 1,000. */
  rowsPerChunk?: number;
  /** Status polls answered PENDING before a statement succeeds. Default 0. */
  pollsBeforeResult?: number;
  /** The SQL warehouse statements must name. Default `abcdef0123456789`. */
  warehouseId?: string;
}

/** A statement as the fake received it. */
export interface FakeDatabricksStatement {
  id: string;
  /** Exactly as sent. */
  sql: string;
  parameters: Record<string, { value: string | null; type: string | undefined }>;
  warehouseId: string | undefined;
  principal: string;
  waitTimeout: string | undefined;
  onWaitTimeout: string | undefined;
  cancelled: boolean;
  /** `status.error.message` when it failed. */
  error: string | undefined;
}

export type FakeDatabricksPrivilege = 'system.query' | 'system.access' | 'warehouse';

export interface FakeDatabricksFailOptions {
  times?: number;
  retryAfterSeconds?: number;
  method?: string;
  path?: string;
}

interface Column {
  name: string;
  type: string;
}

interface StatementState extends FakeDatabricksStatement {
  columns: Column[];
  rows: (string | null)[][];
  pollsLeft: number;
}

type Row = Record<string, unknown>;

class StatementError {
  constructor(readonly message: string) {}
}

class HttpError {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly message: string,
  ) {}
}

const STATEMENTS = '/api/2.0/sql/statements';
export const FAKE_DATABRICKS_TOKEN_PATH = '/oidc/v1/token';
const COLUMN_TYPES: Record<string, string> = {
  start_time: 'TIMESTAMP',
  end_time: 'TIMESTAMP',
  created: 'TIMESTAMP',
  last_altered: 'TIMESTAMP',
  total_duration_ms: 'LONG',
  produced_rows: 'LONG',
  ordinal_position: 'INT',
};

export class FakeDatabricks {
  readonly upstream = new FakeUpstream();
  readonly statements: FakeDatabricksStatement[] = [];
  /** Statement ids cancelled through `POST …/cancel`. */
  readonly cancelled: string[] = [];
  tokenRequests = 0;
  rowsPerChunk: number;
  pollsBeforeResult: number;
  readonly warehouseId: string;

  readonly #tokens = new Map<string, { principal: string; expiresAt: number }>();
  readonly #clients = new Map<string, { secret: string; principal: string }>();
  readonly #catalogs = new Map<string, string | null>();
  readonly #tables: FakeDatabricksTable[] = [];
  readonly #queries: FakeDatabricksQuery[] = [];
  readonly #states = new Map<string, StatementState>();
  readonly #revoked = new Set<FakeDatabricksPrivilege>();
  readonly #disabledSchemas = new Set<string>();

  constructor(options: FakeDatabricksOptions = {}) {
    this.rowsPerChunk = options.rowsPerChunk ?? 1_000;
    this.pollsBeforeResult = options.pollsBeforeResult ?? 0;
    this.warehouseId = options.warehouseId ?? 'abcdef0123456789';
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

  /** A personal access token of a principal (user e-mail or service principal application id). */
  personalAccessToken(token: string, principal: string): this {
    this.#tokens.set(token, { principal, expiresAt: Number.POSITIVE_INFINITY });
    return this;
  }

  /** A service principal's OAuth secret, for the client-credentials grant at /oidc/v1/token. */
  oauthClient(clientId: string, secret: string, principal = clientId): this {
    this.#clients.set(clientId, { secret, principal });
    return this;
  }

  /** The token (a PAT, or every OAuth token when omitted) answers 401 from now on. */
  expireToken(token?: string): this {
    for (const [value, entry] of this.#tokens)
      if (token === undefined || value === token) entry.expiresAt = 0;
    return this;
  }

  catalog(name: string, comment: string | null = null): this {
    this.#catalogs.set(name, comment);
    return this;
  }

  table(table: FakeDatabricksTable): this {
    if (!this.#catalogs.has(table.catalog)) this.catalog(table.catalog);
    this.#tables.push(table);
    return this;
  }

  query(...queries: FakeDatabricksQuery[]): this {
    this.#queries.push(...queries);
    return this;
  }

  /** Takes SELECT on a system schema, or CAN USE on the warehouse, from every principal. */
  revoke(privilege: FakeDatabricksPrivilege): this {
    this.#revoked.add(privilege);
    return this;
  }

  /** The metastore admin has not enabled the system schema (`query`, `access`): its tables do not exist. */
  disableSystemSchema(schema: 'query' | 'access'): this {
    this.#disabledSchemas.add(schema);
    return this;
  }

  failNext(status: number, options: FakeDatabricksFailOptions = {}): this {
    const headers: Record<string, string> =
      options.retryAfterSeconds === undefined ? {} : { 'retry-after': String(options.retryAfterSeconds) };
    const code =
      status === 429 ? 'REQUEST_LIMIT_EXCEEDED' : status >= 500 ? 'TEMPORARILY_UNAVAILABLE' : 'BAD_REQUEST';
    this.upstream.failNext(
      options.times ?? 1,
      { status, headers, body: { error_code: code, message: `Injected ${code}` } },
      { method: options.method, path: options.path },
    );
    return this;
  }

  delay(ms: number, options: FakeDelayOptions = {}): this {
    this.upstream.delay(ms, options);
    return this;
  }

  // ---- routes --------------------------------------------------------------------------------------------

  #registerRoutes(): void {
    this.upstream.route('POST', FAKE_DATABRICKS_TOKEN_PATH, (request) => this.#token(request));
    this.upstream.route('POST', STATEMENTS, (request) =>
      this.#authenticated(request, (principal) => this.#submit(request, principal)),
    );
    this.upstream.route('GET', `${STATEMENTS}/:id`, (request) =>
      this.#authenticated(request, () => this.#answer(this.#state(request), true)),
    );
    this.upstream.route('GET', `${STATEMENTS}/:id/result/chunks/:index`, (request) =>
      this.#authenticated(request, () => this.#chunk(request)),
    );
    this.upstream.route('POST', `${STATEMENTS}/:id/cancel`, (request) =>
      this.#authenticated(request, () => {
        const state = this.#state(request);
        state.cancelled = true;
        this.cancelled.push(state.id);
        return reply.json({});
      }),
    );
  }

  #token(request: FakeRequest): FakeResponse {
    this.tokenRequests += 1;
    const basic = /^Basic\s+(\S+)$/i.exec(String(request.headers.authorization ?? ''));
    const [clientId, secret] = basic ? Buffer.from(basic[1]!, 'base64').toString('utf8').split(':') : [];
    const form = new URLSearchParams(
      typeof request.body === 'string' ? request.body : request.rawBody.toString('utf8'),
    );
    const client = clientId ? this.#clients.get(clientId) : undefined;
    if (!client || client.secret !== secret) {
      return reply.json({ error: 'invalid_client', error_description: 'Client authentication failed' }, 401);
    }
    if (form.get('grant_type') !== 'client_credentials') {
      return reply.json(
        { error: 'unsupported_grant_type', error_description: 'grant_type must be client_credentials' },
        400,
      );
    }
    const token = `eyJfake.${randomBytes(24).toString('base64url')}`;
    this.#tokens.set(token, { principal: client.principal, expiresAt: Date.now() + 3_600_000 });
    return reply.json({
      access_token: token,
      token_type: 'Bearer',
      expires_in: 3600,
      scope: form.get('scope') ?? 'all-apis',
    });
  }

  #authenticated(request: FakeRequest, handler: (principal: string) => FakeResponse): FakeResponse {
    const match = /^Bearer\s+(\S+)$/i.exec(String(request.headers.authorization ?? ''));
    const token = match ? this.#tokens.get(match[1]!) : undefined;
    if (!token) return reply.json({ error_code: 'UNAUTHENTICATED', message: 'Invalid access token.' }, 401);
    if (token.expiresAt <= Date.now()) {
      return reply.json(
        { error_code: 'UNAUTHENTICATED', message: 'Invalid access token. The token has expired.' },
        401,
      );
    }
    try {
      return handler(token.principal);
    } catch (error) {
      if (error instanceof HttpError)
        return reply.json({ error_code: error.code, message: error.message }, error.status);
      throw error;
    }
  }

  #state(request: FakeRequest): StatementState {
    const state = this.#states.get(request.params.id!);
    if (!state)
      throw new HttpError(404, 'RESOURCE_DOES_NOT_EXIST', `Statement ${request.params.id} not found.`);
    return state;
  }

  #submit(request: FakeRequest, principal: string): FakeResponse {
    const body = (request.body ?? {}) as Record<string, unknown>;
    if (typeof body.statement !== 'string')
      throw new HttpError(400, 'INVALID_PARAMETER_VALUE', 'statement is required.');
    if (body.warehouse_id !== this.warehouseId) {
      throw new HttpError(
        400,
        'INVALID_PARAMETER_VALUE',
        `Warehouse ${String(body.warehouse_id)} does not exist.`,
      );
    }
    if (this.#revoked.has('warehouse')) {
      throw new HttpError(
        403,
        'PERMISSION_DENIED',
        `User ${principal} does not have permission to use SQL warehouse ${this.warehouseId}.`,
      );
    }
    const parameters: StatementState['parameters'] = {};
    for (const parameter of (body.parameters ?? []) as {
      name?: string;
      value?: string | null;
      type?: string;
    }[]) {
      if (parameter.name)
        parameters[parameter.name] = { value: parameter.value ?? null, type: parameter.type };
    }
    const state: StatementState = {
      id: `01ef${randomUUID().replace(/-/g, '').slice(4)}`,
      sql: body.statement,
      parameters,
      warehouseId: body.warehouse_id,
      principal,
      waitTimeout: typeof body.wait_timeout === 'string' ? body.wait_timeout : undefined,
      onWaitTimeout: typeof body.on_wait_timeout === 'string' ? body.on_wait_timeout : undefined,
      cancelled: false,
      error: undefined,
      columns: [],
      rows: [],
      pollsLeft: this.pollsBeforeResult,
    };
    try {
      const result = this.#execute(state, principal);
      state.columns = result.columns;
      state.rows = result.rows;
    } catch (error) {
      if (!(error instanceof StatementError)) throw error;
      state.error = error.message;
    }
    this.#states.set(state.id, state);
    this.statements.push(state);
    return this.#answer(state, false);
  }

  #answer(state: StatementState, poll: boolean): FakeResponse {
    if (state.cancelled) return reply.json({ statement_id: state.id, status: { state: 'CANCELED' } });
    if (state.pollsLeft > 0) {
      if (poll) state.pollsLeft -= 1;
      return reply.json({ statement_id: state.id, status: { state: poll ? 'RUNNING' : 'PENDING' } });
    }
    if (state.error !== undefined) {
      return reply.json({
        statement_id: state.id,
        status: { state: 'FAILED', error: { error_code: 'BAD_REQUEST', message: state.error } },
      });
    }
    const chunks = this.#chunks(state);
    return reply.json({
      statement_id: state.id,
      status: { state: 'SUCCEEDED' },
      manifest: {
        format: 'JSON_ARRAY',
        schema: {
          column_count: state.columns.length,
          columns: state.columns.map((column, position) => ({
            name: column.name,
            type_text: column.type,
            type_name: column.type,
            position,
          })),
        },
        total_chunk_count: chunks.length,
        chunks: chunks.map((chunk, index) => ({
          chunk_index: index,
          row_offset: index * this.rowsPerChunk,
          row_count: chunk.length,
        })),
        total_row_count: state.rows.length,
        truncated: false,
      },
      result: this.#chunkBody(state, chunks, 0),
    });
  }

  #chunk(request: FakeRequest): FakeResponse {
    const state = this.#state(request);
    const chunks = this.#chunks(state);
    const index = Number(request.params.index);
    if (
      state.pollsLeft > 0 ||
      state.error !== undefined ||
      !Number.isInteger(index) ||
      index < 0 ||
      index >= chunks.length
    ) {
      throw new HttpError(
        400,
        'INVALID_PARAMETER_VALUE',
        `Chunk ${request.params.index} of statement ${state.id} does not exist.`,
      );
    }
    return reply.json(this.#chunkBody(state, chunks, index));
  }

  #chunks(state: StatementState): (string | null)[][][] {
    const chunks: (string | null)[][][] = [];
    for (let start = 0; start < state.rows.length; start += this.rowsPerChunk) {
      chunks.push(state.rows.slice(start, start + this.rowsPerChunk));
    }
    return chunks.length === 0 ? [[]] : chunks;
  }

  #chunkBody(state: StatementState, chunks: (string | null)[][][], index: number): Row {
    const next = index + 1 < chunks.length ? index + 1 : undefined;
    return {
      chunk_index: index,
      row_offset: index * this.rowsPerChunk,
      row_count: chunks[index]!.length,
      data_array: chunks[index],
      ...(next === undefined
        ? {}
        : {
            next_chunk_index: next,
            next_chunk_internal_link: `${STATEMENTS}/${state.id}/result/chunks/${next}`,
          }),
    };
  }

  // ---- SQL -----------------------------------------------------------------------------------------------

  #execute(state: StatementState, principal: string): { columns: Column[]; rows: (string | null)[][] } {
    const sql = stripComments(state.sql).trim();
    const bound = (name: string): unknown => {
      const parameter = state.parameters[name];
      if (!parameter)
        throw new StatementError(
          `[UNBOUND_SQL_PARAMETER] Found the unbound parameter: ${name}. SQLSTATE: 42P02`,
        );
      return parameter.value;
    };
    const tables = [...sql.matchAll(/\bsystem\s*\.\s*(\w+)\s*\.\s*(\w+)/gi)].map((match) => [
      match[1]!.toLowerCase(),
      match[2]!.toLowerCase(),
    ]);
    for (const [schema, table] of tables) {
      if (this.#disabledSchemas.has(schema!)) {
        throw new StatementError(
          `[TABLE_OR_VIEW_NOT_FOUND] The table or view \`system\`.\`${schema}\`.\`${table}\` cannot be found. SQLSTATE: 42P01`,
        );
      }
      if (this.#revoked.has(`system.${schema}` as FakeDatabricksPrivilege)) {
        throw new StatementError(
          `[INSUFFICIENT_PERMISSIONS] Insufficient privileges: User does not have SELECT on Table 'system.${schema}.${table}'. SQLSTATE: 42501`,
        );
      }
    }
    const main = /\bFROM\s+system\s*\.\s*(\w+)\s*\.\s*(\w+)/i.exec(
      sql.replace(/^WITH\b[\s\S]*?\)\s*(?=SELECT\b)/i, ''),
    );
    if (!main) {
      if (/\bFROM\b/i.test(sql.replace(/^WITH\b[\s\S]*?\)\s*(?=SELECT\b)/i, ''))) {
        throw new StatementError(
          '[PARSE_SYNTAX_ERROR] The fake Databricks does not know this statement. SQLSTATE: 42601',
        );
      }
      return project(sql, [{ principal, user_name: principal }], bound);
    }
    const view = `${main[1]!.toLowerCase()}.${main[2]!.toLowerCase()}`;
    const catalog = boundEquality(sql, 'table_catalog', bound);
    const inCatalog = (table: FakeDatabricksTable): boolean =>
      catalog === undefined || table.catalog === catalog;
    const sorted = [...this.#tables].sort(
      (left, right) =>
        left.catalog.localeCompare(right.catalog) ||
        left.schema.localeCompare(right.schema) ||
        left.name.localeCompare(right.name),
    );
    switch (view) {
      case 'information_schema.catalogs':
        return project(
          sql,
          [...this.#catalogs]
            .sort(([left], [right]) => left.localeCompare(right))
            .map(([name, comment]) => ({ catalog_name: name, comment })),
          bound,
        );
      case 'information_schema.tables':
        return project(
          sql,
          sorted.filter(inCatalog).map((table) => ({
            table_catalog: table.catalog,
            table_schema: table.schema,
            table_name: table.name,
            table_type: table.type ?? 'MANAGED',
            comment: table.comment ?? null,
            created: toDate(table.created ?? '2024-01-01T00:00:00Z'),
            last_altered: toDate(table.lastAltered ?? table.created ?? '2024-01-01T00:00:00Z'),
            data_source_format: table.type === 'VIEW' ? null : 'DELTA',
          })),
          bound,
        );
      case 'information_schema.views':
        return project(
          sql,
          sorted
            .filter(
              (table) => inCatalog(table) && (table.type === 'VIEW' || table.type === 'MATERIALIZED_VIEW'),
            )
            .map((table) => ({
              table_catalog: table.catalog,
              table_schema: table.schema,
              table_name: table.name,
              view_definition: table.viewDefinition ?? null,
            })),
          bound,
        );
      case 'information_schema.columns':
        return project(
          sql,
          sorted.filter(inCatalog).flatMap((table) =>
            table.columns.map((column, index) => ({
              table_catalog: table.catalog,
              table_schema: table.schema,
              table_name: table.name,
              column_name: column.name,
              // Databricks numbers columns from 0.
              ordinal_position: index,
              is_nullable: column.nullable === false ? 'NO' : 'YES',
              data_type: column.type.replace(/[<(].*$/, '').toUpperCase(),
              full_data_type: column.type,
              comment: column.comment ?? null,
            })),
          ),
          bound,
        );
      case 'query.history':
        return this.#history(sql, bound);
      case 'access.table_lineage':
        return project(
          sql,
          this.#queries.flatMap((query) =>
            [...(query.lineage?.sources ?? []), ...(query.lineage?.targets ?? [])].map(() => ({
              statement_id: query.id,
            })),
          ),
          bound,
        );
      default:
        throw new StatementError(
          `[TABLE_OR_VIEW_NOT_FOUND] The table or view \`system\`.\`${main[1]}\`.\`${main[2]}\` cannot be found. SQLSTATE: 42P01`,
        );
    }
  }

  #history(sql: string, bound: (name: string) => unknown): { columns: Column[]; rows: (string | null)[][] } {
    const since = boundComparison(sql, 'start_time', '>=', bound);
    const until = boundComparison(sql, 'start_time', '<', bound);
    const sinceTime = since === undefined ? undefined : parseTime(since);
    const untilTime = until === undefined ? undefined : parseTime(until);
    const finishedOnly = /\bexecution_status\s*=\s*'FINISHED'/i.test(sql);
    const excluded = excludedPrefix(sql, bound);
    const withLineage = /\bsystem\s*\.\s*access\s*\.\s*table_lineage\b/i.test(sql);
    const queries = this.#queries
      .filter((query) => {
        const start = toDate(query.startTime).getTime();
        if (sinceTime !== undefined && start < sinceTime) return false;
        if (untilTime !== undefined && start >= untilTime) return false;
        if (finishedOnly && (query.status ?? 'FINISHED') !== 'FINISHED') return false;
        return !(excluded && excluded(query.text));
      })
      .sort(
        (left, right) =>
          toDate(left.startTime).getTime() - toDate(right.startTime).getTime() ||
          left.id.localeCompare(right.id),
      );
    const names = (list: readonly string[] | undefined): unknown[] | null =>
      list && list.length > 0
        ? list.map((name) => {
            const [catalog, schema, table] = name.split('.');
            return { catalog, schema, name: table };
          })
        : null;
    const rows = queries.map((query) => {
      const start = toDate(query.startTime);
      const end = toDate(query.endTime ?? start);
      const lineage = withLineage && query.lineage !== undefined;
      return {
        statement_id: query.id,
        session_id: query.sessionId ?? null,
        executed_by: query.user ?? 'analyst@example.com',
        executed_as: query.user ?? 'analyst@example.com',
        statement_text: query.text,
        statement_type: query.statementType ?? 'SELECT',
        client_application: query.clientApplication ?? null,
        execution_status: query.status ?? 'FINISHED',
        start_time: start,
        end_time: end,
        total_duration_ms: end.getTime() - start.getTime(),
        produced_rows: query.producedRows ?? 0,
        query_source:
          query.querySource === undefined || query.querySource === null ? null : query.querySource,
        warehouse_id: query.warehouseId ?? this.warehouseId,
        ...(withLineage
          ? {
              lineage_sources: lineage ? (names(query.lineage?.sources) ?? []) : null,
              lineage_targets: lineage ? (names(query.lineage?.targets) ?? []) : null,
            }
          : {}),
      };
    });
    return project(sql, rows, bound);
  }
}

// ---- helpers -------------------------------------------------------------------------------------------

function toDate(value: Date | string): Date {
  return value instanceof Date ? value : new Date(value);
}

function parseTime(value: unknown): number {
  const time = Date.parse(String(value));
  if (Number.isNaN(time))
    throw new StatementError(`[INVALID_TIMESTAMP] Cannot parse ${String(value)} as a timestamp.`);
  return time;
}

/** JSON_ARRAY format: every value a string; timestamps ISO, structs and arrays JSON text. */
function encode(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function stripComments(sql: string): string {
  let result = '';
  for (let index = 0; index < sql.length;) {
    const character = sql[index]!;
    if (character === "'" || character === '"' || character === '`') {
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
    if (sql[index] === '\\') index += 1;
    else if (sql[index] === quote) return index + 1;
  }
  return sql.length;
}

function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let index = 0; index < text.length; index++) {
    const character = text[index]!;
    if (character === "'" || character === '"' || character === '`') index = closingQuote(text, index) - 1;
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

/** Items of the main SELECT list (after a leading WITH clause): output name and the column it reads. */
function selectItems(sql: string): { name: string; source: string; literal?: string }[] {
  let depth = 0;
  let selectEnd = -1;
  let end = sql.length;
  for (let index = 0; index < sql.length; index++) {
    const character = sql[index]!;
    if (character === "'" || character === '"' || character === '`') {
      index = closingQuote(sql, index) - 1;
      continue;
    }
    if (character === '(') depth += 1;
    else if (character === ')') depth -= 1;
    else if (depth === 0 && /\s|^/.test(sql[index - 1] ?? ' ')) {
      if (selectEnd === -1 && /^SELECT\s/i.test(sql.slice(index))) selectEnd = index + 'SELECT'.length;
      else if (selectEnd !== -1 && /^FROM\b/i.test(sql.slice(index))) {
        end = index;
        break;
      }
    }
  }
  if (selectEnd === -1)
    throw new StatementError('[PARSE_SYNTAX_ERROR] Syntax error: expected SELECT. SQLSTATE: 42601');
  return splitTopLevel(sql.slice(selectEnd, end)).map((expression) => {
    const alias = /\s+AS\s+`?(\w+)`?\s*$/i.exec(expression);
    const body = alias ? expression.slice(0, alias.index).trim() : expression;
    const column = /(?:^|\.)`?(\w+)`?$/.exec(body);
    const literal = /^\d+$/.test(body) ? body : undefined;
    const source = (column?.[1] ?? alias?.[1] ?? body).toLowerCase();
    return { name: (alias?.[1] ?? source).toLowerCase(), source, ...(literal ? { literal } : {}) };
  });
}

function project(
  sql: string,
  rows: Row[],
  bound: (name: string) => unknown,
): { columns: Column[]; rows: (string | null)[][] } {
  const items = selectItems(sql);
  const limit = /\bLIMIT\s+(:\w+|\d+)\s*$/i.exec(sql.trim());
  const limited =
    limit === null
      ? rows
      : rows.slice(0, Number(limit[1]!.startsWith(':') ? bound(limit[1]!.slice(1)) : limit[1]));
  const key = (row: Row, item: { name: string; source: string }): string | undefined =>
    item.name in row ? item.name : item.source in row ? item.source : undefined;
  for (const item of items) {
    if (item.literal === undefined && rows.length > 0 && key(rows[0]!, item) === undefined) {
      throw new StatementError(
        `[UNRESOLVED_COLUMN.WITH_SUGGESTION] A column with name \`${item.source}\` cannot be resolved. SQLSTATE: 42703`,
      );
    }
  }
  return {
    columns: items.map((item) => ({
      name: item.name,
      type: item.literal ? 'INT' : (COLUMN_TYPES[item.source] ?? COLUMN_TYPES[item.name] ?? 'STRING'),
    })),
    rows: limited.map((row) =>
      items.map((item) =>
        item.literal !== undefined ? item.literal : encode(row[key(row, item) ?? item.source]),
      ),
    ),
  };
}

function boundComparison(
  sql: string,
  column: string,
  operator: '>=' | '<',
  bound: (name: string) => unknown,
): unknown {
  const operatorPattern = operator === '<' ? '<(?![=>])' : '>=';
  const match = new RegExp(
    `(?:^|[^\\w.])(?:\\w+\\.)?${column}\\s*${operatorPattern}\\s*(:\\w+|[^\\s)]+)`,
    'i',
  ).exec(sql);
  if (!match) return undefined;
  const operand = match[1]!;
  if (!operand.startsWith(':')) {
    throw new StatementError(
      `The fake Databricks requires ${column} to be compared with a named parameter, got ${operand}.`,
    );
  }
  return bound(operand.slice(1));
}

function boundEquality(sql: string, column: string, bound: (name: string) => unknown): unknown {
  const match = new RegExp(`(?:^|[^\\w.])(?:\\w+\\.)?${column}\\s*=\\s*(:\\w+|'[^']*')`, 'i').exec(sql);
  if (!match) return undefined;
  if (!match[1]!.startsWith(':')) {
    throw new StatementError(
      `The fake Databricks requires ${column} to be compared with a named parameter, got ${match[1]}.`,
    );
  }
  return bound(match[1]!.slice(1));
}

function excludedPrefix(
  sql: string,
  bound: (name: string) => unknown,
): ((text: string) => boolean) | undefined {
  const match = /NOT\s+startswith\s*\(\s*(?:\w+\.)?statement_text\s*,\s*(:\w+|'[^']*')\s*\)/i.exec(sql);
  if (!match) return undefined;
  if (!match[1]!.startsWith(':'))
    throw new StatementError('The fake Databricks requires the excluded prefix as a named parameter.');
  const prefix = String(bound(match[1]!.slice(1)));
  return (text) => text.startsWith(prefix);
}
