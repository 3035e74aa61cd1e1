import { createVendorHttpClient, isVendorHttpError, type VendorHttpClient } from '@cartograph/platform/http';
import { Secret } from '@cartograph/platform/secrets';
import {
  COMPILE_SQL_MUTATION,
  CREATE_QUERY_MUTATION,
  DIMENSIONS_QUERY,
  ENTITIES_QUERY,
  METRICS_QUERY,
  QUERY_RESULT_ARROW_QUERY,
  SAVED_QUERIES_QUERY,
  environmentVariables,
  metricSetVariables,
  metricsVariables,
  queryResultVariables,
  type MetricQueryVariables,
  type SemanticLayerDimension,
  type SemanticLayerEntity,
  type SemanticLayerMetric,
  type SemanticLayerQueryResult,
  type SemanticLayerSavedQuery,
} from '@cartograph/semantic-layer';
import { SemanticLayerUpstreamError } from './semantic-layer-upstream.error.js';

// The only file of the service that speaks HTTP to the dbt Semantic Layer GraphQL API (DESIGN §1). Documents
// are the library's constants; every value travels in the variables (research §0.2).

const VENDOR = 'dbt-semantic-layer';
/** dbt's partner integration guide asks integrations to name themselves. */
const PARTNER_SOURCE = 'cartograph';
/** The Semantic Layer answers this for a token it refuses (the Python SDK maps exactly this text). */
const UNAUTHORIZED_MESSAGE = /not authorized|unauthori[sz]ed|invalid credentials/i;

export interface SemanticLayerClientOptions {
  /** `https://semantic-layer.cloud.getdbt.com` or a cell/single-tenant host; `/api/graphql` is appended. */
  host: string;
  environmentId: string;
  token: string | Secret;
  timeoutMs: number;
}

interface GraphqlEnvelope<T> {
  data?: T | null;
  errors?: { message?: string }[];
}

export class SemanticLayerClient {
  readonly environmentId: string;
  readonly #http: VendorHttpClient;
  readonly #token: string;

  constructor(options: SemanticLayerClientOptions) {
    this.environmentId = options.environmentId;
    this.#token = options.token instanceof Secret ? options.token.reveal() : options.token;
    this.#http = createVendorHttpClient({
      vendor: VENDOR,
      baseUrl: `${options.host.replace(/\/+$/, '')}/api/`,
      headers: {
        authorization: new Secret(`Bearer ${this.#token}`),
        'x-dbt-partner-source': PARTNER_SOURCE,
      },
      secrets: [this.#token],
      timeouts: { headersMs: options.timeoutMs, bodyMs: options.timeoutMs, attemptMs: options.timeoutMs },
      retry: { maxAttempts: 3, baseDelayMs: 200, maxDelayMs: 2_000 },
    });
  }

  async metrics(search?: string): Promise<SemanticLayerMetric[]> {
    const data = await this.#call<{ metrics: SemanticLayerMetric[] }>(
      'metrics',
      METRICS_QUERY,
      metricsVariables(this.environmentId, search),
    );
    return data.metrics;
  }

  async dimensions(metrics: readonly string[]): Promise<SemanticLayerDimension[]> {
    const data = await this.#call<{ dimensions: SemanticLayerDimension[] }>(
      'dimensions',
      DIMENSIONS_QUERY,
      metricSetVariables(this.environmentId, metrics),
    );
    return data.dimensions;
  }

  async entities(metrics: readonly string[]): Promise<SemanticLayerEntity[]> {
    const data = await this.#call<{ entities: SemanticLayerEntity[] }>(
      'entities',
      ENTITIES_QUERY,
      metricSetVariables(this.environmentId, metrics),
    );
    return data.entities;
  }

  async savedQueries(): Promise<SemanticLayerSavedQuery[]> {
    const data = await this.#call<{ savedQueries: SemanticLayerSavedQuery[] }>(
      'saved-queries',
      SAVED_QUERIES_QUERY,
      environmentVariables(this.environmentId),
    );
    return data.savedQueries;
  }

  /** Starts a query; not repeated on a lost answer, which could start it twice. */
  async createQuery(variables: MetricQueryVariables): Promise<string> {
    const data = await this.#call<{ createQuery: { queryId: string } }>(
      'create-query',
      CREATE_QUERY_MUTATION,
      variables,
      false,
    );
    return data.createQuery.queryId;
  }

  async compileSql(variables: MetricQueryVariables): Promise<string> {
    const data = await this.#call<{ compileSql: { sql: string } }>(
      'compile-sql',
      COMPILE_SQL_MUTATION,
      variables,
    );
    return data.compileSql.sql;
  }

  /** One poll, or one page once the query is SUCCESSFUL. */
  async queryResult(queryId: string, pageNum = 1): Promise<SemanticLayerQueryResult> {
    const data = await this.#call<{ query: SemanticLayerQueryResult }>(
      'query-result',
      QUERY_RESULT_ARROW_QUERY,
      queryResultVariables(this.environmentId, queryId, pageNum),
    );
    return data.query;
  }

  close(): Promise<void> {
    return this.#http.close();
  }

  async #call<T>(operation: string, query: string, variables: object, idempotent = true): Promise<T> {
    let envelope: GraphqlEnvelope<T>;
    let status: number;
    try {
      const response = await this.#http.request({
        method: 'POST',
        path: 'graphql',
        json: { query, variables },
        idempotent,
        operation,
        allowStatuses: [400, 401, 403],
      });
      status = response.status;
      envelope = (response.json<GraphqlEnvelope<T>>() ?? {}) as GraphqlEnvelope<T>;
    } catch (error) {
      if (isVendorHttpError(error)) {
        const code = error.code === 'BAD_USER_INPUT' ? 'UPSTREAM_UNAVAILABLE' : error.code;
        throw new SemanticLayerUpstreamError(
          code,
          `The Semantic Layer did not answer ${operation}: ${error.message}`,
          { secrets: [this.#token] },
        );
      }
      throw error;
    }
    const messages = (envelope.errors ?? []).map((error) => String(error.message ?? '')).filter(Boolean);
    if (status === 401 || status === 403 || messages.some((message) => UNAUTHORIZED_MESSAGE.test(message))) {
      throw new SemanticLayerUpstreamError(
        'UPSTREAM_AUTH_FAILED',
        `The Semantic Layer refused the token for environment ${this.environmentId} ` +
          `(HTTP ${status}${messages[0] ? `: ${messages[0]}` : ''}). Use a service token with the ` +
          "'Semantic Layer Only' and 'Metadata Only' permissions, or a personal access token, for this environment",
        { secrets: [this.#token] },
      );
    }
    if (messages.length > 0 || envelope.data == null) {
      throw new SemanticLayerUpstreamError(
        status === 400 || messages.length > 0 ? 'BAD_USER_INPUT' : 'UPSTREAM_UNAVAILABLE',
        `The Semantic Layer refused ${operation}: ${messages.join('; ') || `HTTP ${status} without data`}`,
        { secrets: [this.#token] },
      );
    }
    return envelope.data;
  }
}
