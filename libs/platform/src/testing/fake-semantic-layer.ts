import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import {
  Bool,
  Decimal,
  Float64,
  Int64,
  makeData,
  makeVector,
  Table,
  tableToIPC,
  Timestamp,
  TimeUnit,
  Utf8,
  vectorFromArray,
  type Vector,
} from 'apache-arrow';
import {
  buildSchema,
  execute,
  GraphQLError,
  GraphQLScalarType,
  Kind,
  parse,
  validate,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type ValueNode,
} from 'graphql';
import {
  FakeUpstream,
  reply,
  type FakeDelayOptions,
  type FakeRequest,
  type FakeResponse,
} from './fake-upstream.js';

// A fake dbt Semantic Layer GraphQL API (research/semantic-layer.md §1–§3) on 127.0.0.1, built on
// FakeUpstream. Incoming documents are parsed, validated and executed by graphql-js against an SDL that
// mirrors the documented schema, so a malformed document or a missing variable gets a real validation error,
// worded as the Python server words it (single quotes: `Variable '$environmentId' of required type 'BigInt!'
// was not provided.`). It serves metadata from a seeded semantic model, runs queries through
// PENDING → RUNNING → COMPILED → SUCCESSFUL (or FAILED) over a configurable number of polls, and answers each
// page with rows aggregated from a seeded dataset, as base64 Arrow IPC streams or pandas JSON. Filters are
// recorded but not evaluated: a test asserts the `where` it received (`fake.queries`), not filtered rows.
//
// HTTP statuses: GraphQL-level errors (validation, unknown metric, unknown environment) are 200 with
// `{data: null, errors}` as in the recorded responses; a bad token is 401 `User is not authorized`; a body
// that is not a GraphQL request is 400; 429 and 5xx come only from scripted faults.

export const FAKE_SEMANTIC_LAYER_SCHEMA = /* GraphQL */ `
  scalar BigInt
  scalar JSON

  enum QueryStatus {
    PENDING
    RUNNING
    COMPILED
    SUCCESSFUL
    FAILED
    LOG_ONLY
  }
  enum PandasJsonOrient {
    SPLIT
    RECORDS
    INDEX
    COLUMNS
    VALUES
    TABLE
  }
  enum TimeGranularity {
    NANOSECOND
    MICROSECOND
    MILLISECOND
    SECOND
    MINUTE
    HOUR
    DAY
    WEEK
    MONTH
    QUARTER
    YEAR
  }
  enum DatePart {
    DOY
    DOW
    DAY
    MONTH
    QUARTER
    YEAR
  }
  enum MetricType {
    SIMPLE
    RATIO
    CUMULATIVE
    DERIVED
    CONVERSION
  }
  enum DimensionType {
    CATEGORICAL
    TIME
  }
  enum EntityType {
    PRIMARY
    UNIQUE
    FOREIGN
    NATURAL
  }
  enum AggregationType {
    SUM
    MIN
    MAX
    COUNT
    COUNT_DISTINCT
    SUM_BOOLEAN
    AVERAGE
    PERCENTILE
    MEDIAN
  }
  enum SqlEngine {
    BIGQUERY
    DATABRICKS
    DUCKDB
    POSTGRES
    REDSHIFT
    SNOWFLAKE
    TRINO
  }

  input MetricInput {
    name: String!
    alias: String
  }
  input GroupByInput {
    name: String!
    grain: TimeGranularity
    timeGranularity: String
    datePart: DatePart
  }
  input WhereInput {
    sql: String!
  }
  input OrderByInput {
    metric: MetricInput
    groupBy: GroupByInput
    descending: Boolean! = false
  }

  type WhereFilter {
    whereSqlTemplate: String!
  }
  type MetricConfig {
    meta: JSON!
  }
  type FileSlice {
    filename: String!
    content: String!
    startLineNumber: Int!
    endLineNumber: Int!
  }
  type Metadata {
    repoFilePath: String!
    fileSlice: FileSlice
  }
  type DimensionTypeParams {
    timeGranularity: TimeGranularity
  }
  type MetricInputMeasure {
    name: String!
    alias: String
    filter: WhereFilter
  }
  type InputMetric {
    name: String!
    alias: String
    filter: WhereFilter
  }
  type MetricTypeParams {
    measure: MetricInputMeasure
    inputMeasures: [MetricInputMeasure!]!
    numerator: InputMetric
    denominator: InputMetric
    expr: String
    metrics: [InputMetric!]
  }
  type Dimension {
    name: String!
    qualifiedName: String!
    label: String
    description: String
    type: DimensionType!
    typeParams: DimensionTypeParams
    isPartition: Boolean!
    expr: String
    queryableGranularities: [TimeGranularity!]!
    queryableTimeGranularities: [String!]!
    metadata: Metadata
  }
  type Entity {
    name: String!
    description: String
    type: EntityType!
    role: String
    expr: String
  }
  type Measure {
    name: String!
    agg: AggregationType!
    aggTimeDimension: String
    expr: String!
  }
  type Metric {
    name: String!
    label: String
    description: String
    type: MetricType!
    typeParams: MetricTypeParams!
    filter: WhereFilter
    requiresMetricTime: Boolean!
    queryableGranularities: [TimeGranularity!]!
    queryableTimeGranularities: [String!]!
    dimensions: [Dimension!]!
    entities: [Entity!]!
    measures: [Measure!]!
    config: MetricConfig
    metadata: Metadata
  }
  type SavedQueryMetricParam {
    name: String!
  }
  type SavedQueryGroupByParam {
    name: String!
    grain: TimeGranularity
    timeGranularity: String
    datePart: DatePart
  }
  type SavedQueryQueryParams {
    metrics: [SavedQueryMetricParam!]!
    groupBy: [SavedQueryGroupByParam!]!
    where: WhereFilter
  }
  type SavedQuery {
    name: String!
    label: String
    description: String
    metadata: Metadata
    queryParams: SavedQueryQueryParams!
  }
  type EnvironmentInfo {
    dialect: SqlEngine!
    hasMetricsDefined: Boolean
    dialectSupportedBySlg: Boolean
  }
  type MetricResultPage {
    items: [Metric!]!
    pageNum: Int!
    pageSize: Int
    totalItems: Int!
    totalPages: Int!
  }
  type QueryResult {
    queryId: String!
    status: QueryStatus!
    sql: String
    error: String
    errorType: String
    totalPages: Int
    arrowResult: String
    jsonResult(orient: PandasJsonOrient! = TABLE, encoded: Boolean! = true): String
  }
  type CreateQueryResult {
    queryId: String!
  }
  type CompileSqlResult {
    queryId: String!
    sql: String!
  }

  type Query {
    metrics(environmentId: BigInt!, search: String): [Metric!]!
    metricsPaginated(
      environmentId: BigInt!
      search: String
      pageNum: Int! = 1
      pageSize: Int
    ): MetricResultPage!
    dimensions(environmentId: BigInt!, metrics: [MetricInput!]!, search: String): [Dimension!]!
    entities(environmentId: BigInt!, metrics: [MetricInput!]!): [Entity!]!
    measures(environmentId: BigInt!, metrics: [MetricInput!]!): [Measure!]!
    savedQueries(environmentId: BigInt!): [SavedQuery!]!
    savedQuery(environmentId: BigInt!, savedQueryName: String!): SavedQuery
    environmentInfo(environmentId: BigInt!): EnvironmentInfo!
    query(environmentId: BigInt!, queryId: String!, pageNum: Int! = 1): QueryResult!
  }

  type Mutation {
    createQuery(
      environmentId: BigInt!
      savedQuery: String
      metrics: [MetricInput!]
      groupBy: [GroupByInput!]
      where: [WhereInput!]
      orderBy: [OrderByInput!]
      limit: Int
      readCache: Boolean
    ): CreateQueryResult!
    compileSql(
      environmentId: BigInt!
      savedQuery: String
      metrics: [MetricInput!]
      groupBy: [GroupByInput!]
      where: [WhereInput!]
      orderBy: [OrderByInput!]
      limit: Int
      readCache: Boolean
    ): CompileSqlResult!
  }
`;

// ---- scenario types --------------------------------------------------------------------------------------

export interface FakeSemanticLayerDimension {
  /** The qualified (dunder) name: `metric_time`, `customer__region`. */
  name: string;
  label?: string | null;
  description?: string | null;
  /** Default CATEGORICAL; `metric_time` and names given a `timeGranularity` default to TIME. */
  type?: 'CATEGORICAL' | 'TIME';
  /** Finest grain of a TIME dimension, lower case; default `day`. */
  timeGranularity?: string;
  isPartition?: boolean;
  expr?: string | null;
}

export interface FakeSemanticLayerEntity {
  name: string;
  type?: 'PRIMARY' | 'UNIQUE' | 'FOREIGN' | 'NATURAL';
  description?: string | null;
  role?: string | null;
  expr?: string | null;
}

export interface FakeSemanticLayerMeasure {
  name: string;
  agg?: string;
  aggTimeDimension?: string | null;
  expr?: string;
}

export interface FakeSemanticLayerMetric {
  name: string;
  label?: string | null;
  description?: string | null;
  type?: 'SIMPLE' | 'RATIO' | 'CUMULATIVE' | 'DERIVED' | 'CONVERSION';
  /** Names of the dimensions (and `metric_time`) the metric can be grouped by. */
  dimensions: readonly string[];
  /** Names of the entities the metric can be grouped by. */
  entities?: readonly string[];
  measures?: readonly FakeSemanticLayerMeasure[];
  requiresMetricTime?: boolean;
  filter?: string | null;
  meta?: Record<string, unknown>;
  /**
   * Arrow type of the metric column: `float64` (default), `int64`, or `decimal` (decimal128(38, scale),
   * as warehouses return SUMs of NUMBER columns).
   */
  resultType?: 'float64' | 'int64' | 'decimal';
  decimalScale?: number;
}

export interface FakeSemanticLayerSavedQuery {
  name: string;
  label?: string | null;
  description?: string | null;
  metrics: readonly string[];
  groupBy: readonly (string | { name: string; grain?: string })[];
  where?: string | null;
}

export interface FakeSemanticLayerEnvironmentOptions {
  id: number | string;
  /** Service tokens that may use this environment. */
  tokens: readonly string[];
  dialect?: 'BIGQUERY' | 'DATABRICKS' | 'DUCKDB' | 'POSTGRES' | 'REDSHIFT' | 'SNOWFLAKE' | 'TRINO';
  metrics?: readonly FakeSemanticLayerMetric[];
  dimensions?: readonly FakeSemanticLayerDimension[];
  entities?: readonly FakeSemanticLayerEntity[];
  savedQueries?: readonly FakeSemanticLayerSavedQuery[];
  /**
   * The dataset queries aggregate: each row holds dimension and entity values by name (time dimensions as ISO
   * strings or Dates) and metric values by metric name (numbers; SUM is the aggregation).
   */
  rows?: readonly Record<string, unknown>[];
  /** Answer column names upper case, as Snowflake does. */
  uppercaseColumns?: boolean;
}

export interface FakeSemanticLayerQueryBehaviour {
  /** Non-terminal answers before the terminal one (PENDING, RUNNING…, COMPILED). Default 2. */
  pollsBeforeDone?: number;
  /** The query stays RUNNING until this long after creation (see `releaseSlowQueries`). Default 0. */
  runningForMs?: number;
  /** End FAILED with this error instead of SUCCESSFUL. */
  fail?: string;
  errorType?: string;
  /** Rows per page; default 1024 as the real API. */
  pageSize?: number;
}

export interface FakeSemanticLayerFailOptions {
  status: number;
  /** Number of requests to answer with this status; default 1. */
  times?: number;
  /** Only requests selecting this root field (`createQuery`, `query`, …). */
  field?: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** `Retry-After` of a 429; default 1 second. */
  retryAfterSeconds?: number;
}

/** An HTTP request as the fake answered it. */
export interface FakeSemanticLayerRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The bearer token, if any. */
  token: string | undefined;
  query: string | undefined;
  operationName: string | undefined;
  variables: Record<string, unknown>;
  /** Root fields the executed operation selects (`createQuery`, `query`, `metrics`…). */
  rootFields: string[];
  status: number;
  /** Messages of the GraphQL errors answered, if any. */
  errors: string[];
  receivedAt: Date;
  /**
   * Milliseconds the fake spent answering (parsing, execution, Arrow or JSON encoding), without injected
   * delays; 0 until answered. A benchmark subtracts it to see what a client of the fake adds.
   */
  servedMs: number;
}

/** A `createQuery` or `compileSql` as the fake resolved it, with its arguments after variable coercion. */
export interface FakeSemanticLayerQueryRecord {
  queryId: string;
  kind: 'createQuery' | 'compileSql';
  environmentId: string;
  arguments: {
    savedQuery: string | null;
    metrics: { name: string; alias?: string | null }[] | null;
    groupBy:
      | { name: string; grain?: string | null; timeGranularity?: string | null; datePart?: string | null }[]
      | null;
    where: { sql: string }[] | null;
    orderBy: Record<string, unknown>[] | null;
    limit: number | null;
    readCache: boolean | null;
  };
  /** Number of `query` polls received for it. */
  polls: number;
  sql: string;
}

// ---- internal state --------------------------------------------------------------------------------------

interface ColumnPlan {
  name: string;
  kind: 'time' | 'dimension' | 'metric';
  source: string;
  grain?: string;
  datePart?: string;
  metric?: FakeSemanticLayerMetric;
}

interface QueryState {
  record: FakeSemanticLayerQueryRecord;
  environment: EnvironmentState;
  behaviour: Required<
    Pick<FakeSemanticLayerQueryBehaviour, 'pollsBeforeDone' | 'runningForMs' | 'pageSize'>
  > &
    FakeSemanticLayerQueryBehaviour;
  createdAt: number;
  released: boolean;
  columns: ColumnPlan[];
  rows: Record<string, unknown>[] | undefined;
  orderBy: { column: string; descending: boolean }[];
  limit: number | null;
}

interface EnvironmentState {
  id: string;
  options: FakeSemanticLayerEnvironmentOptions;
  dimensions: Map<string, FakeSemanticLayerDimension>;
  metrics: Map<string, FakeSemanticLayerMetric>;
  entities: Map<string, FakeSemanticLayerEntity>;
  savedQueries: Map<string, FakeSemanticLayerSavedQuery>;
}

interface Context {
  token: string;
}

type Arguments = Record<string, any>;
type Wire = Record<string, unknown>;

const STANDARD_GRAINS = [
  'nanosecond',
  'microsecond',
  'millisecond',
  'second',
  'minute',
  'hour',
  'day',
  'week',
  'month',
  'quarter',
  'year',
];
const DAY_OR_COARSER = ['day', 'week', 'month', 'quarter', 'year'];
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

let schemaCache: GraphQLSchema | undefined;

/** The SDL as an executable schema, with a BigInt scalar that accepts whole numbers and digit strings only. */
function fakeSchema(): GraphQLSchema {
  if (schemaCache) return schemaCache;
  const schema = buildSchema(FAKE_SEMANTIC_LAYER_SCHEMA);
  const bigInt = schema.getType('BigInt') as GraphQLScalarType;
  const coerce = (value: unknown): string => {
    if (
      (typeof value === 'number' && Number.isSafeInteger(value)) ||
      (typeof value === 'string' && /^-?\d+$/.test(value))
    ) {
      return String(value);
    }
    throw new GraphQLError(`BigInt cannot represent value: ${JSON.stringify(value)}`);
  };
  Object.assign(bigInt, {
    serialize: coerce,
    parseValue: coerce,
    parseLiteral: (node: ValueNode) => {
      if (node.kind === Kind.INT || node.kind === Kind.STRING) return coerce(node.value);
      throw new GraphQLError(`BigInt cannot represent a non-integer value`, { nodes: node });
    },
  });
  schemaCache = schema;
  return schema;
}

/** graphql-core (the Python library the Semantic Layer runs on) quotes names with single quotes. */
function pythonStyle(message: string): string {
  return message.replace(/"/g, "'");
}

function tokenOf(headers: IncomingHttpHeaders): string | undefined {
  const header = headers.authorization;
  const match = /^bearer\s+(\S+)\s*$/i.exec(typeof header === 'string' ? header : '');
  return match?.[1];
}

function queryId(): string {
  const bytes = randomBytes(27);
  return Array.from(bytes, (byte) => BASE62[byte % 62]).join('');
}

/** Distance for "did you mean" suggestions. */
function editDistance(left: string, right: string): number {
  const previous = Array.from({ length: right.length + 1 }, (_, index) => index);
  for (let row = 1; row <= left.length; row += 1) {
    let diagonal = previous[0]!;
    previous[0] = row;
    for (let column = 1; column <= right.length; column += 1) {
      const above = previous[column]!;
      previous[column] = Math.min(
        above + 1,
        previous[column - 1]! + 1,
        diagonal + (left[row - 1] === right[column - 1] ? 0 : 1),
      );
      diagonal = above;
    }
  }
  return previous[right.length]!;
}

function suggestions(name: string, candidates: Iterable<string>): string {
  const ranked = [...candidates]
    .map((candidate) => ({ candidate, distance: editDistance(name, candidate) }))
    .sort((left, right) => left.distance - right.distance || left.candidate.localeCompare(right.candidate))
    .slice(0, 6)
    .map(({ candidate }) => `'${candidate}'`);
  return `[${ranked.join(', ')}]`;
}

function toMilliseconds(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'number') return value;
  const text = String(value);
  // Wall-clock values: read them as UTC so the fake does not depend on the machine's time zone.
  const normalized = /[zZ]|[+-]\d\d:?\d\d$/.test(text) || text.length <= 10 ? text : `${text}Z`;
  const milliseconds = Date.parse(normalized);
  if (Number.isNaN(milliseconds)) throw new Error(`FakeSemanticLayer: ${JSON.stringify(text)} is not a time`);
  return milliseconds;
}

function truncate(milliseconds: number, grain: string): number {
  const date = new Date(milliseconds);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth();
  switch (grain) {
    case 'year':
      return Date.UTC(year, 0, 1);
    case 'quarter':
      return Date.UTC(year, month - (month % 3), 1);
    case 'month':
      return Date.UTC(year, month, 1);
    case 'week': {
      // ISO weeks start on Monday, as MetricFlow's DATE_TRUNC('week', …) on most engines.
      const day = Date.UTC(year, month, date.getUTCDate());
      const weekday = (new Date(day).getUTCDay() + 6) % 7;
      return day - weekday * 86_400_000;
    }
    case 'day':
      return Date.UTC(year, month, date.getUTCDate());
    case 'hour':
      return milliseconds - (milliseconds % 3_600_000);
    case 'minute':
      return milliseconds - (milliseconds % 60_000);
    case 'second':
      return milliseconds - (milliseconds % 1000);
    default:
      return milliseconds;
  }
}

function datePartOf(milliseconds: number, part: string): number {
  const date = new Date(milliseconds);
  switch (part) {
    case 'year':
      return date.getUTCFullYear();
    case 'quarter':
      return Math.floor(date.getUTCMonth() / 3) + 1;
    case 'month':
      return date.getUTCMonth() + 1;
    case 'day':
      return date.getUTCDate();
    case 'dow':
      return ((date.getUTCDay() + 6) % 7) + 1;
    default: {
      const start = Date.UTC(date.getUTCFullYear(), 0, 1);
      return Math.floor((milliseconds - start) / 86_400_000) + 1;
    }
  }
}

function compareValues(left: unknown, right: unknown): number {
  if (left === right) return 0;
  // Nulls last, as most warehouses sort ascending.
  if (left === null || left === undefined) return 1;
  if (right === null || right === undefined) return -1;
  if (typeof left === 'number' && typeof right === 'number') return left - right;
  return String(left) < String(right) ? -1 : 1;
}

export class FakeSemanticLayer {
  /** The underlying generic fake, for connection resets and delays. */
  readonly upstream = new FakeUpstream();
  /** Every request, in order, with the status the fake answered. */
  readonly requests: FakeSemanticLayerRequest[] = [];
  /** Every `createQuery` and `compileSql`, in order. */
  readonly queries: FakeSemanticLayerQueryRecord[] = [];

  readonly #environments = new Map<string, EnvironmentState>();
  readonly #queries = new Map<string, QueryState>();
  #defaultBehaviour: FakeSemanticLayerQueryBehaviour = {};
  #scriptedBehaviours: { behaviour: FakeSemanticLayerQueryBehaviour; remaining: number }[] = [];
  #faults: { options: FakeSemanticLayerFailOptions; remaining: number }[] = [];

  constructor() {
    this.upstream.route('POST', '/api/graphql', (request) => this.#handle(request));
  }

  /** Starts listening on 127.0.0.1; returns the base URL. The endpoint is `graphqlUrl`. */
  start(): Promise<string> {
    return this.upstream.start();
  }

  stop(): Promise<void> {
    return this.upstream.stop();
  }

  get baseUrl(): string {
    return this.upstream.baseUrl;
  }

  /** `<baseUrl>/api/graphql`, as `https://semantic-layer.cloud.getdbt.com/api/graphql`. */
  get graphqlUrl(): string {
    return `${this.baseUrl}/api/graphql`;
  }

  // ---- scenario ------------------------------------------------------------------------------------------

  environment(options: FakeSemanticLayerEnvironmentOptions): this {
    const id = String(options.id);
    const dimensions = new Map((options.dimensions ?? []).map((dimension) => [dimension.name, dimension]));
    const metrics = new Map((options.metrics ?? []).map((metric) => [metric.name, metric]));
    for (const metric of metrics.values()) {
      for (const name of metric.dimensions) {
        if (!dimensions.has(name)) {
          if (name !== 'metric_time') {
            throw new Error(
              `FakeSemanticLayer.environment: metric ${metric.name} lists unknown dimension ${name}`,
            );
          }
          dimensions.set(name, { name, type: 'TIME', description: 'The metric time' });
        }
      }
    }
    this.#environments.set(id, {
      id,
      options,
      dimensions,
      metrics,
      entities: new Map((options.entities ?? []).map((entity) => [entity.name, entity])),
      savedQueries: new Map((options.savedQueries ?? []).map((saved) => [saved.name, saved])),
    });
    return this;
  }

  /**
   * How later queries behave. With `times`, only the next `times` queries; otherwise every later query that
   * no `times` behaviour claims.
   */
  queryBehaviour(behaviour: FakeSemanticLayerQueryBehaviour, options: { times?: number } = {}): this {
    if (options.times === undefined) this.#defaultBehaviour = behaviour;
    else this.#scriptedBehaviours.push({ behaviour, remaining: options.times });
    return this;
  }

  /** Ends the `runningForMs` wait of every query created so far. */
  releaseSlowQueries(): this {
    for (const state of this.#queries.values()) state.released = true;
    return this;
  }

  /** Answers matching requests with an HTTP status (a 429 carries `Retry-After`). */
  fail(options: FakeSemanticLayerFailOptions): this {
    this.#faults.push({ options, remaining: options.times ?? 1 });
    return this;
  }

  /** Slows responses down (see FakeUpstream.delay); `delay(0)` removes every delay. */
  delay(ms: number, options: FakeDelayOptions = {}): this {
    this.upstream.delay(ms, options);
    return this;
  }

  /** Requests whose operation selected a root field (`createQuery`, `query`, `metrics`…). */
  requestsFor(field: string): FakeSemanticLayerRequest[] {
    return this.requests.filter((request) => request.rootFields.includes(field));
  }

  /** Forgets requests, recorded queries' logs and faults; keeps the scenario and the queries themselves. */
  resetRequests(): void {
    this.requests.length = 0;
    this.upstream.reset();
    this.#faults = [];
  }

  // ---- HTTP ----------------------------------------------------------------------------------------------

  async #handle(request: FakeRequest): Promise<FakeResponse> {
    const body = request.body as
      { query?: unknown; variables?: unknown; operationName?: unknown } | undefined;
    const record: FakeSemanticLayerRequest = {
      method: request.method,
      path: request.path,
      headers: request.headers,
      token: tokenOf(request.headers),
      query: typeof body?.query === 'string' ? body.query : undefined,
      operationName: typeof body?.operationName === 'string' ? body.operationName : undefined,
      variables:
        body?.variables && typeof body.variables === 'object'
          ? (body.variables as Record<string, unknown>)
          : {},
      rootFields: [],
      status: 0,
      errors: [],
      receivedAt: request.receivedAt,
      servedMs: 0,
    };
    this.requests.push(record);
    const started = performance.now();
    const response = await this.#answer(record);
    record.status = response.status;
    record.servedMs = performance.now() - started;
    return response;
  }

  async #answer(record: FakeSemanticLayerRequest): Promise<FakeResponse> {
    let document: DocumentNode | undefined;
    let syntaxError: GraphQLError | undefined;
    if (record.query !== undefined) {
      try {
        document = parse(record.query);
        record.rootFields = rootFieldsOf(document, record.operationName);
      } catch (error) {
        syntaxError = error as GraphQLError;
      }
    }
    const fault = this.#takeFault(record.rootFields);
    if (fault) {
      const headers: Record<string, string> = { ...fault.headers };
      if (fault.status === 429) headers['retry-after'] ??= String(fault.retryAfterSeconds ?? 1);
      const message = fault.status === 429 ? 'Too many requests' : `Service unavailable (${fault.status})`;
      return reply.json(fault.body ?? { data: null, errors: [{ message }] }, fault.status, headers);
    }
    const token = record.token;
    const known =
      token !== undefined &&
      [...this.#environments.values()].some((environment) => environment.options.tokens.includes(token));
    if (!known) {
      record.errors.push('User is not authorized');
      return reply.json({ data: null, errors: [{ message: 'User is not authorized' }] }, 401);
    }
    if (record.query === undefined) {
      record.errors.push('Must provide query string.');
      return reply.json({ data: null, errors: [{ message: 'Must provide query string.' }] }, 400);
    }
    if (!document) return this.#errors(record, [syntaxError!]);
    const schema = fakeSchema();
    const validationErrors = validate(schema, document);
    if (validationErrors.length > 0) return this.#errors(record, validationErrors);
    const result = (await execute({
      schema,
      document,
      rootValue: this.#rootValue(),
      contextValue: { token } satisfies Context,
      variableValues: record.variables,
      operationName: record.operationName,
    })) as ExecutionResult;
    const errors = (result.errors ?? []).map((error) => {
      const json: Wire = { ...error.toJSON() };
      // Request errors (variables, operation) have no path; their wording comes from graphql-core.
      if (!error.path) json.message = pythonStyle(error.message);
      return json;
    });
    record.errors.push(...errors.map((error) => String(error.message)));
    const data = result.data ?? null;
    return reply.json(errors.length > 0 ? { data, errors } : { data });
  }

  #errors(record: FakeSemanticLayerRequest, errors: readonly GraphQLError[]): FakeResponse {
    const wire = errors.map((error) => {
      const json: Wire = { ...error.toJSON() };
      json.message = pythonStyle(error.message);
      return json;
    });
    record.errors.push(...wire.map((error) => String(error.message)));
    return reply.json({ data: null, errors: wire });
  }

  #takeFault(rootFields: string[]): FakeSemanticLayerFailOptions | undefined {
    const index = this.#faults.findIndex(
      ({ options }) => !options.field || rootFields.includes(options.field),
    );
    if (index === -1) return undefined;
    const fault = this.#faults[index]!;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.#faults.splice(index, 1);
    return fault.options;
  }

  // ---- resolvers -----------------------------------------------------------------------------------------

  #rootValue(): Wire {
    return {
      metrics: (args: Arguments, context: Context) => {
        const environment = this.#environment(args.environmentId, context);
        return this.#searchMetrics(environment, args.search).map((metric) =>
          this.#metricWire(environment, metric),
        );
      },
      metricsPaginated: (args: Arguments, context: Context) => {
        const environment = this.#environment(args.environmentId, context);
        const all = this.#searchMetrics(environment, args.search);
        const pageSize = Math.max(1, args.pageSize ?? 100);
        const pageNum = Math.max(1, args.pageNum);
        return {
          items: all
            .slice((pageNum - 1) * pageSize, pageNum * pageSize)
            .map((metric) => this.#metricWire(environment, metric)),
          pageNum,
          pageSize,
          totalItems: all.length,
          totalPages: Math.ceil(all.length / pageSize),
        };
      },
      dimensions: (args: Arguments, context: Context) => {
        const environment = this.#environment(args.environmentId, context);
        const names = this.#commonNames(environment, args.metrics, (metric) => metric.dimensions);
        const search = typeof args.search === 'string' ? args.search.toLowerCase() : '';
        return names
          .filter((name) => name.includes(search))
          .map((name) => this.#dimensionWire(environment.dimensions.get(name)!));
      },
      entities: (args: Arguments, context: Context) => {
        const environment = this.#environment(args.environmentId, context);
        return this.#commonNames(environment, args.metrics, (metric) => metric.entities ?? [])
          .map((name) => environment.entities.get(name))
          .filter((entity): entity is FakeSemanticLayerEntity => entity !== undefined)
          .map(entityWire);
      },
      measures: (args: Arguments, context: Context) => {
        const environment = this.#environment(args.environmentId, context);
        const metrics = (args.metrics as { name: string }[]).map(({ name }) =>
          this.#metric(environment, name),
        );
        return metrics.flatMap((metric) => (metric.measures ?? []).map(measureWire));
      },
      savedQueries: (args: Arguments, context: Context) => {
        const environment = this.#environment(args.environmentId, context);
        return [...environment.savedQueries.values()].map(savedQueryWire);
      },
      savedQuery: (args: Arguments, context: Context) => {
        const environment = this.#environment(args.environmentId, context);
        const saved = environment.savedQueries.get(args.savedQueryName);
        return saved ? savedQueryWire(saved) : null;
      },
      environmentInfo: (args: Arguments, context: Context) => {
        const environment = this.#environment(args.environmentId, context);
        return {
          dialect: environment.options.dialect ?? 'SNOWFLAKE',
          hasMetricsDefined: environment.metrics.size > 0,
          dialectSupportedBySlg: true,
        };
      },
      query: (args: Arguments, context: Context) => this.#poll(args, context),
      createQuery: (args: Arguments, context: Context) => ({
        queryId: this.#create('createQuery', args, context).record.queryId,
      }),
      compileSql: (args: Arguments, context: Context) => {
        const state = this.#create('compileSql', args, context);
        return { queryId: state.record.queryId, sql: state.record.sql };
      },
    };
  }

  #environment(environmentId: string, context: Context): EnvironmentState {
    const environment = this.#environments.get(String(environmentId));
    if (!environment || !environment.options.tokens.includes(context.token)) {
      throw new GraphQLError(`Environment ${environmentId} was not found or the token cannot access it.`, {
        extensions: { code: 'NOT_FOUND' },
      });
    }
    return environment;
  }

  #metric(environment: EnvironmentState, name: string): FakeSemanticLayerMetric {
    const metric = environment.metrics.get(name);
    if (!metric) {
      throw new GraphQLError(
        `The given input does not exactly match any known metrics. Input: '${name}'. Suggestions: ${suggestions(name, environment.metrics.keys())}`,
        { extensions: { code: 'INVALID_ARGUMENT' } },
      );
    }
    return metric;
  }

  #searchMetrics(environment: EnvironmentState, search: unknown): FakeSemanticLayerMetric[] {
    const text = typeof search === 'string' ? search.toLowerCase() : '';
    return [...environment.metrics.values()].filter((metric) => metric.name.includes(text));
  }

  /** Names every given metric has (the API answers the intersection for a metric set). */
  #commonNames(
    environment: EnvironmentState,
    metrics: { name: string }[],
    namesOf: (metric: FakeSemanticLayerMetric) => readonly string[],
  ): string[] {
    const sets = metrics.map(({ name }) => namesOf(this.#metric(environment, name)));
    if (sets.length === 0) return [];
    return sets[0]!.filter((name) => sets.every((set) => set.includes(name)));
  }

  #metricWire(environment: EnvironmentState, metric: FakeSemanticLayerMetric): Wire {
    const grains = DAY_OR_COARSER;
    return {
      name: metric.name,
      label: metric.label ?? null,
      description: metric.description ?? null,
      type: metric.type ?? 'SIMPLE',
      typeParams: {
        measure: metric.measures?.[0] ? { name: metric.measures[0].name, alias: null, filter: null } : null,
        inputMeasures: (metric.measures ?? []).map((measure) => ({
          name: measure.name,
          alias: null,
          filter: null,
        })),
        numerator: null,
        denominator: null,
        expr: null,
        metrics: null,
      },
      filter: metric.filter ? { whereSqlTemplate: metric.filter } : null,
      requiresMetricTime: metric.requiresMetricTime ?? false,
      queryableGranularities: metric.dimensions.includes('metric_time')
        ? grains.map((grain) => grain.toUpperCase())
        : [],
      queryableTimeGranularities: metric.dimensions.includes('metric_time') ? grains : [],
      dimensions: () =>
        metric.dimensions.map((name) => this.#dimensionWire(environment.dimensions.get(name)!)),
      entities: () =>
        (metric.entities ?? [])
          .map((name) => environment.entities.get(name))
          .filter((entity): entity is FakeSemanticLayerEntity => entity !== undefined)
          .map(entityWire),
      measures: () => (metric.measures ?? []).map(measureWire),
      config: { meta: metric.meta ?? {} },
      metadata: null,
    };
  }

  #dimensionWire(dimension: FakeSemanticLayerDimension): Wire {
    const time = isTimeDimension(dimension);
    const finest = dimension.timeGranularity ?? 'day';
    const grains = time ? STANDARD_GRAINS.slice(STANDARD_GRAINS.indexOf(finest)) : [];
    const parts = dimension.name.split('__');
    return {
      name: parts.at(-1),
      qualifiedName: dimension.name,
      label: dimension.label ?? null,
      description: dimension.description ?? null,
      type: time ? 'TIME' : 'CATEGORICAL',
      typeParams: time ? { timeGranularity: finest.toUpperCase() } : null,
      isPartition: dimension.isPartition ?? false,
      expr: dimension.expr ?? null,
      queryableGranularities: grains.map((grain) => grain.toUpperCase()),
      queryableTimeGranularities: grains,
      metadata: null,
    };
  }

  // ---- queries -------------------------------------------------------------------------------------------

  #create(kind: 'createQuery' | 'compileSql', args: Arguments, context: Context): QueryState {
    const environment = this.#environment(args.environmentId, context);
    const argumentsRecord: FakeSemanticLayerQueryRecord['arguments'] = {
      savedQuery: args.savedQuery ?? null,
      metrics: args.metrics ?? null,
      groupBy: args.groupBy ?? null,
      where: args.where ?? null,
      orderBy: args.orderBy ?? null,
      limit: args.limit ?? null,
      readCache: args.readCache ?? null,
    };
    let metricNames = (args.metrics ?? []).map((metric: { name: string }) => metric.name) as string[];
    let groupBy = (args.groupBy ?? []) as {
      name: string;
      grain?: string | null;
      timeGranularity?: string | null;
      datePart?: string | null;
    }[];
    if (args.savedQuery) {
      const saved = environment.savedQueries.get(args.savedQuery);
      if (!saved) {
        throw new GraphQLError(
          `Saved query '${args.savedQuery}' does not exist. Suggestions: ${suggestions(args.savedQuery, environment.savedQueries.keys())}`,
          { extensions: { code: 'INVALID_ARGUMENT' } },
        );
      }
      if (args.metrics || args.groupBy) {
        throw new GraphQLError('metrics and groupBy must be null when savedQuery is given.', {
          extensions: { code: 'INVALID_ARGUMENT' },
        });
      }
      metricNames = [...saved.metrics];
      groupBy = saved.groupBy.map((item) => (typeof item === 'string' ? { name: item } : item));
    }
    if (metricNames.length === 0 && groupBy.length === 0) {
      throw new GraphQLError('At least one metric or group-by item is required.', {
        extensions: { code: 'INVALID_ARGUMENT' },
      });
    }
    const metrics = metricNames.map((name) => this.#metric(environment, name));
    const columns: ColumnPlan[] = groupBy.map((item) => this.#groupByColumn(environment, metrics, item));
    for (const metric of metrics)
      columns.push({ name: metric.name, kind: 'metric', source: metric.name, metric });
    const orderBy = ((args.orderBy ?? []) as Arguments[]).map((item) => {
      const target = item.metric
        ? columns.find((column) => column.kind === 'metric' && column.name === item.metric.name)
        : item.groupBy
          ? columns.find(
              (column) =>
                column.kind !== 'metric' &&
                column.source === item.groupBy.name &&
                (!(item.groupBy.timeGranularity ?? item.groupBy.grain) ||
                  column.grain === String(item.groupBy.timeGranularity ?? item.groupBy.grain).toLowerCase()),
            )
          : undefined;
      if (!target) {
        throw new GraphQLError(
          `Order by item ${JSON.stringify(item)} does not match a metric or group-by item of the query.`,
          { extensions: { code: 'INVALID_ARGUMENT' } },
        );
      }
      return { column: target.name, descending: item.descending === true };
    });
    const uppercase = environment.options.uppercaseColumns ?? false;
    for (const column of columns) if (uppercase) column.name = column.name.toUpperCase();
    for (const item of orderBy) if (uppercase) item.column = item.column.toUpperCase();
    const scripted = this.#scriptedBehaviours[0];
    const behaviour = scripted ? scripted.behaviour : this.#defaultBehaviour;
    if (scripted && --scripted.remaining <= 0) this.#scriptedBehaviours.shift();
    const record: FakeSemanticLayerQueryRecord = {
      queryId: queryId(),
      kind,
      environmentId: environment.id,
      arguments: argumentsRecord,
      polls: 0,
      sql: compileSql(columns, (args.where ?? []) as { sql: string }[], orderBy, args.limit ?? null),
    };
    const state: QueryState = {
      record,
      environment,
      behaviour: { pollsBeforeDone: 2, runningForMs: 0, pageSize: 1024, ...behaviour },
      createdAt: Date.now(),
      released: false,
      columns,
      rows: undefined,
      orderBy,
      limit: args.limit ?? null,
    };
    this.queries.push(record);
    this.#queries.set(record.queryId, state);
    return state;
  }

  #groupByColumn(
    environment: EnvironmentState,
    metrics: FakeSemanticLayerMetric[],
    item: { name: string; grain?: string | null; timeGranularity?: string | null; datePart?: string | null },
  ): ColumnPlan {
    let name = item.name.toLowerCase();
    let grain = (item.timeGranularity ?? item.grain ?? undefined)?.toLowerCase();
    // `metric_time__month` names the grain in the name.
    const suffix = /^(.+)__([a-z]+)$/.exec(name);
    if (
      suffix &&
      !environment.dimensions.has(name) &&
      environment.dimensions.has(suffix[1]!) &&
      STANDARD_GRAINS.includes(suffix[2]!)
    ) {
      name = suffix[1]!;
      grain ??= suffix[2];
    }
    const dimension = environment.dimensions.get(name);
    const entity = environment.entities.get(name);
    const valid =
      metrics.length === 0
        ? dimension !== undefined || entity !== undefined
        : metrics.every(
            (metric) => metric.dimensions.includes(name) || (metric.entities ?? []).includes(name),
          );
    if (!valid) {
      const candidates = new Set(
        metrics.flatMap((metric) => [...metric.dimensions, ...(metric.entities ?? [])]),
      );
      throw new GraphQLError(
        `The given input does not exactly match any known dimensions or entities of the queried metrics. Input: '${item.name}'. ` +
          `Suggestions: ${suggestions(name, metrics.length === 0 ? environment.dimensions.keys() : candidates)}`,
        { extensions: { code: 'INVALID_ARGUMENT' } },
      );
    }
    if (dimension && isTimeDimension(dimension)) {
      if (item.datePart) {
        const part = item.datePart.toLowerCase();
        return { name: `${name}__extract_${part}`, kind: 'time', source: name, datePart: part };
      }
      const finest = dimension.timeGranularity ?? 'day';
      const effective = grain ?? finest;
      return { name: `${name}__${effective}`, kind: 'time', source: name, grain: effective };
    }
    return { name, kind: 'dimension', source: name };
  }

  #poll(args: Arguments, context: Context): Wire {
    const environment = this.#environment(args.environmentId, context);
    const state = this.#queries.get(args.queryId);
    if (!state || state.environment !== environment) {
      throw new GraphQLError(`Query ${args.queryId} was not found.`, { extensions: { code: 'NOT_FOUND' } });
    }
    const poll = state.record.polls;
    state.record.polls += 1;
    const { pollsBeforeDone, runningForMs } = state.behaviour;
    const waited = state.released || Date.now() - state.createdAt >= runningForMs;
    const base = {
      queryId: state.record.queryId,
      error: null,
      errorType: null,
      totalPages: null,
      arrowResult: null,
      jsonResult: () => null,
    };
    if (poll < pollsBeforeDone || !waited) {
      const status = waited && poll === pollsBeforeDone - 1 ? 'COMPILED' : poll === 0 ? 'PENDING' : 'RUNNING';
      return { ...base, status, sql: status === 'COMPILED' ? state.record.sql : null };
    }
    if (state.behaviour.fail !== undefined) {
      return {
        ...base,
        status: 'FAILED',
        sql: state.record.sql,
        error: state.behaviour.fail,
        errorType: state.behaviour.errorType ?? 'QUERY_FAILED',
      };
    }
    const rows = this.#rows(state);
    const pageSize = state.behaviour.pageSize;
    const totalPages = Math.max(1, Math.ceil(rows.length / pageSize));
    const pageNum = args.pageNum as number;
    if (pageNum < 1 || pageNum > totalPages) {
      throw new GraphQLError(`Page ${pageNum} does not exist: the query has ${totalPages} page(s).`, {
        extensions: { code: 'INVALID_ARGUMENT' },
      });
    }
    const page = rows.slice((pageNum - 1) * pageSize, pageNum * pageSize);
    return {
      ...base,
      status: 'SUCCESSFUL',
      sql: state.record.sql,
      totalPages,
      arrowResult: () => arrowPage(state.columns, page),
      jsonResult: (jsonArgs: { orient: string; encoded: boolean }) =>
        jsonPage(state.columns, page, jsonArgs.orient, jsonArgs.encoded),
    };
  }

  /** The query's rows: the dataset grouped by the group-by columns, metrics summed, ordered and limited. */
  #rows(state: QueryState): Record<string, unknown>[] {
    if (state.rows) return state.rows;
    const groupColumns = state.columns.filter((column) => column.kind !== 'metric');
    const metricColumns = state.columns.filter((column) => column.kind === 'metric');
    const groups = new Map<string, Record<string, unknown>>();
    for (const source of state.environment.options.rows ?? []) {
      if (
        metricColumns.length > 0 &&
        metricColumns.every((column) => typeof source[column.source] !== 'number')
      )
        continue;
      const key: Record<string, unknown> = {};
      for (const column of groupColumns) {
        const value = source[column.source] ?? null;
        if (column.kind === 'time') {
          const milliseconds = toMilliseconds(value);
          key[column.name] =
            milliseconds === null
              ? null
              : column.datePart
                ? datePartOf(milliseconds, column.datePart)
                : truncate(milliseconds, column.grain!);
        } else {
          key[column.name] = value instanceof Date ? value.toISOString() : value;
        }
      }
      const keyText = JSON.stringify(
        groupColumns.map((column) => key[column.name]),
        (_name, value: unknown) => (typeof value === 'bigint' ? `${value}n` : value),
      );
      let group = groups.get(keyText);
      if (!group) {
        group = { ...key };
        for (const column of metricColumns) group[column.name] = null;
        groups.set(keyText, group);
      }
      for (const column of metricColumns) {
        const value = source[column.source];
        if (typeof value === 'number')
          group[column.name] = ((group[column.name] as number | null) ?? 0) + value;
      }
    }
    let rows = [...groups.values()];
    const order =
      state.orderBy.length > 0
        ? state.orderBy
        : groupColumns.map((column) => ({ column: column.name, descending: false }));
    rows.sort((left, right) => {
      for (const { column, descending } of order) {
        const compared = compareValues(left[column], right[column]);
        if (compared !== 0) return descending ? -compared : compared;
      }
      return 0;
    });
    if (state.limit !== null) rows = rows.slice(0, state.limit);
    state.rows = rows;
    return rows;
  }
}

// ---- wire helpers ----------------------------------------------------------------------------------------

function isTimeDimension(dimension: FakeSemanticLayerDimension): boolean {
  return (
    dimension.type === 'TIME' ||
    (dimension.type === undefined &&
      (dimension.name === 'metric_time' || dimension.timeGranularity !== undefined))
  );
}

function entityWire(entity: FakeSemanticLayerEntity): Wire {
  return {
    name: entity.name,
    description: entity.description ?? null,
    type: entity.type ?? 'PRIMARY',
    role: entity.role ?? null,
    expr: entity.expr ?? null,
  };
}

function measureWire(measure: FakeSemanticLayerMeasure): Wire {
  return {
    name: measure.name,
    agg: measure.agg ?? 'SUM',
    aggTimeDimension: measure.aggTimeDimension ?? null,
    expr: measure.expr ?? measure.name,
  };
}

function savedQueryWire(saved: FakeSemanticLayerSavedQuery): Wire {
  return {
    name: saved.name,
    label: saved.label ?? null,
    description: saved.description ?? null,
    metadata: null,
    queryParams: {
      metrics: saved.metrics.map((name) => ({ name })),
      groupBy: saved.groupBy.map((item) => {
        const { name, grain } = typeof item === 'string' ? { name: item, grain: undefined } : item;
        return {
          name,
          grain: grain && STANDARD_GRAINS.includes(grain) ? grain.toUpperCase() : null,
          timeGranularity: grain ?? null,
          datePart: null,
        };
      }),
      where: saved.where ? { whereSqlTemplate: saved.where } : null,
    },
  };
}

function rootFieldsOf(document: DocumentNode, operationName: string | undefined): string[] {
  const operations = document.definitions.filter(
    (definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION,
  );
  const operation = operationName
    ? operations.find((candidate) => candidate.name?.value === operationName)
    : operations[0];
  if (!operation) return [];
  return operation.selectionSet.selections.flatMap((selection) =>
    selection.kind === Kind.FIELD ? [selection.name.value] : [],
  );
}

/** Readable SQL in MetricFlow's layout; templates of the filters become column names. */
function compileSql(
  columns: ColumnPlan[],
  where: { sql: string }[],
  orderBy: { column: string; descending: boolean }[],
  limit: number | null,
): string {
  const select = columns.map((column) => {
    if (column.kind === 'metric') return `SUM(${column.source}) AS ${column.name}`;
    if (column.kind === 'time') {
      return column.datePart
        ? `EXTRACT(${column.datePart} FROM ${column.source}) AS ${column.name}`
        : `DATE_TRUNC('${column.grain}', ${column.source}) AS ${column.name}`;
    }
    return `${column.source} AS ${column.name}`;
  });
  const lines = ['SELECT', `  ${select.join('\n  , ')}`, 'FROM fake_semantic_layer.dataset'];
  if (where.length > 0) {
    const rendered = where.map(
      ({ sql }) => `(${sql.replace(/\{\{\s*\w+\(\s*['"]([^'"]+)['"][^}]*\}\}/g, '$1')})`,
    );
    lines.push(`WHERE ${rendered.join(' AND ')}`);
  }
  const groups = columns.filter((column) => column.kind !== 'metric').map((column) => column.name);
  if (groups.length > 0) lines.push(`GROUP BY\n  ${groups.join('\n  , ')}`);
  if (orderBy.length > 0) {
    lines.push(
      `ORDER BY ${orderBy.map((item) => `${item.column}${item.descending ? ' DESC' : ''}`).join(', ')}`,
    );
  }
  if (limit !== null) lines.push(`LIMIT ${limit}`);
  return lines.join('\n');
}

function validity(values: readonly unknown[]): { nullBitmap: Uint8Array; nullCount: number } {
  const nullBitmap = new Uint8Array(Math.max(1, Math.ceil(values.length / 8)));
  let nullCount = 0;
  values.forEach((value, index) => {
    if (value === null || value === undefined) nullCount += 1;
    else nullBitmap[index >> 3]! |= 1 << (index % 8);
  });
  return { nullBitmap, nullCount };
}

function arrowVector(column: ColumnPlan, values: unknown[]): Vector {
  const length = values.length;
  if (column.kind === 'time' && !column.datePart) {
    const data = new BigInt64Array(
      values.map((value) => (typeof value === 'number' ? BigInt(value) * 1000n : 0n)),
    );
    return makeVector(
      makeData({ type: new Timestamp(TimeUnit.MICROSECOND), length, data, ...validity(values) }),
    );
  }
  if (column.kind === 'metric') {
    const resultType = column.metric?.resultType ?? 'float64';
    if (resultType === 'decimal') {
      const scale = column.metric?.decimalScale ?? 0;
      const words = new Uint32Array(length * 4);
      values.forEach((value, index) => {
        let unsigned = BigInt.asUintN(
          128,
          typeof value === 'number' ? BigInt(Math.round(value * 10 ** scale)) : 0n,
        );
        for (let word = 0; word < 4; word += 1) {
          words[index * 4 + word] = Number(unsigned & 0xffff_ffffn);
          unsigned >>= 32n;
        }
      });
      return makeVector(
        makeData({ type: new Decimal(scale, 38, 128), length, data: words, ...validity(values) }),
      );
    }
    if (resultType === 'int64') {
      const data = new BigInt64Array(
        values.map((value) => (typeof value === 'number' ? BigInt(Math.round(value)) : 0n)),
      );
      return makeVector(makeData({ type: new Int64(), length, data, ...validity(values) }));
    }
    return vectorFromArray(
      values.map((value) => (typeof value === 'number' ? value : null)),
      new Float64(),
    );
  }
  const present = values.filter((value) => value !== null && value !== undefined);
  if (present.length > 0 && present.every((value) => typeof value === 'boolean')) {
    return vectorFromArray(values as (boolean | null)[], new Bool());
  }
  if (
    present.length > 0 &&
    present.every(
      (value) => typeof value === 'bigint' || (typeof value === 'number' && Number.isInteger(value)),
    )
  ) {
    const data = new BigInt64Array(
      values.map((value) => (value === null || value === undefined ? 0n : BigInt(value as number | bigint))),
    );
    return makeVector(makeData({ type: new Int64(), length, data, ...validity(values) }));
  }
  if (present.length > 0 && present.every((value) => typeof value === 'number')) {
    return vectorFromArray(values as (number | null)[], new Float64());
  }
  return vectorFromArray(
    values.map((value) => (value === null || value === undefined ? null : String(value))),
    new Utf8(),
  );
}

/** One page as a base64 Arrow IPC stream, the shape of `arrowResult`. */
function arrowPage(columns: ColumnPlan[], rows: Record<string, unknown>[]): string {
  const vectors: Record<string, Vector> = {};
  for (const column of columns)
    vectors[column.name] = arrowVector(
      column,
      rows.map((row) => row[column.name] ?? null),
    );
  return Buffer.from(tableToIPC(new Table(vectors), 'stream')).toString('base64');
}

function pandasType(column: ColumnPlan, values: unknown[]): string {
  if (column.kind === 'time' && !column.datePart) return 'datetime';
  if (column.kind === 'metric') return column.metric?.resultType === 'int64' ? 'integer' : 'number';
  const present = values.filter((value) => value !== null && value !== undefined);
  if (present.length > 0 && present.every((value) => typeof value === 'boolean')) return 'boolean';
  if (
    present.length > 0 &&
    present.every((value) => typeof value === 'number' || typeof value === 'bigint')
  ) {
    return present.every((value) => typeof value === 'bigint' || Number.isInteger(value))
      ? 'integer'
      : 'number';
  }
  return 'string';
}

/** One page as pandas `DataFrame.to_json(orient)`: ISO times for TABLE, epoch milliseconds otherwise. */
function jsonPage(
  columns: ColumnPlan[],
  rows: Record<string, unknown>[],
  orient: string,
  encoded: boolean,
): string {
  const types = columns.map((column) =>
    pandasType(
      column,
      rows.map((row) => row[column.name]),
    ),
  );
  const valueOf = (row: Record<string, unknown>, index: number, iso: boolean): unknown => {
    const value = row[columns[index]!.name] ?? null;
    if (value === null) return null;
    if (types[index] === 'datetime')
      return iso ? new Date(value as number).toISOString().slice(0, -1) : value;
    if (typeof value === 'bigint') return Number(value);
    return value;
  };
  const names = columns.map((column) => column.name);
  const records = (iso: boolean): Record<string, unknown>[] =>
    rows.map((row) => Object.fromEntries(names.map((name, index) => [name, valueOf(row, index, iso)])));
  let frame: unknown;
  switch (orient) {
    case 'TABLE':
      frame = {
        schema: {
          fields: [
            { name: 'index', type: 'integer' },
            ...names.map((name, index) => ({ name, type: types[index] })),
          ],
          primaryKey: ['index'],
          pandas_version: '1.4.0',
        },
        data: records(true).map((record, index) => ({ index, ...record })),
      };
      break;
    case 'RECORDS':
      frame = records(false);
      break;
    case 'SPLIT':
      frame = {
        columns: names,
        index: rows.map((_row, index) => index),
        data: records(false).map((record) => Object.values(record)),
      };
      break;
    case 'VALUES':
      frame = records(false).map((record) => Object.values(record));
      break;
    case 'INDEX':
      frame = Object.fromEntries(records(false).map((record, index) => [String(index), record]));
      break;
    default:
      frame = Object.fromEntries(
        names.map((name) => [
          name,
          Object.fromEntries(records(false).map((record, index) => [String(index), record[name]])),
        ]),
      );
  }
  const text = JSON.stringify(frame);
  return encoded ? Buffer.from(text).toString('base64') : text;
}
