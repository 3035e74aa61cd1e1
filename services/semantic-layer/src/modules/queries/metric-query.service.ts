import { Inject, Injectable } from '@nestjs/common';
import type { Identity } from '@cartograph/platform/auth';
import { CONFIG } from '@cartograph/platform/nest';
import { badUserInput, decodeCursor, pageSize, toConnection } from '@cartograph/platform/graphql';
import {
  SemanticLayerForbiddenError,
  SemanticLayerQueryError,
  applyRolePolicy,
  metricQueryVariables,
  parseSemanticLayerQuery,
  validateMetricQuery,
  type MetricQueryRequest,
} from '@cartograph/semantic-layer';
import type { SemanticLayerConfig } from '../../semantic-layer.definition.js';
import { SemanticLayerClientFactory } from '../connections/semantic-layer-client.factory.js';
import {
  SemanticLayerConnectionsService,
  type CloudConnection,
} from '../connections/semantic-layer-connections.service.js';
import { savedQueryDefinitions } from '../metadata/semantic-layer-metadata.mapper.js';
import { SemanticLayerMetadataService } from '../metadata/semantic-layer-metadata.service.js';
import { SemanticLayerCache, stableDigest } from '../upstream/semantic-layer.cache.js';
import { SemanticLayerUpstreamError } from '../upstream/semantic-layer-upstream.error.js';
import { upstreamGraphqlError } from '../upstream/upstream-graphql-error.js';
import type { MetricQueryInput, MetricQueryResult, MetricQueryRow } from './metric-query.model.js';
import { runMetricQuery } from './metric-query.runner.js';
import { QueryAuditRepository } from './query-audit.repository.js';
import { QueryResultStore, memoryRows } from './query-result.store.js';
import { RolePoliciesService } from './role-policies.service.js';

/** Who asks: what policies and the audit need of an identity. */
export type Requester = Pick<Identity, 'subject' | 'role' | 'name'>;

interface Asked {
  request: MetricQueryRequest;
  /** `compile=True` in pasted text: only the SQL is wanted. */
  compileOnly: boolean;
  readCache?: boolean;
}

/** The structured input in the library's request shape; validation is the library's. */
function requestOf(input: MetricQueryInput): unknown {
  return {
    metrics: input.metrics ?? [],
    groupBy: (input.groupBy ?? []).map((item) => ({
      name: item.name,
      ...(item.grain ? { grain: item.grain } : {}),
      ...(item.datePart ? { datePart: item.datePart } : {}),
    })),
    where: input.where ?? [],
    orderBy: (input.orderBy ?? []).map((item) => ({
      name: item.name,
      ...(item.grain ? { grain: item.grain } : {}),
      descending: item.descending ?? false,
    })),
    ...(input.limit != null ? { limit: input.limit } : {}),
    ...(input.savedQuery ? { savedQuery: input.savedQuery } : {}),
  };
}

function statusOf(error: unknown): string {
  if (error instanceof SemanticLayerForbiddenError) return 'forbidden';
  if (error instanceof SemanticLayerQueryError) return 'invalid';
  if (error instanceof SemanticLayerUpstreamError && error.timedOut) return 'timed_out';
  const code = (error as { extensions?: { code?: string } })?.extensions?.code;
  if (code === 'BAD_USER_INPUT') return 'invalid';
  return 'failed';
}

function failureOf(error: unknown): { code: string; message: string } {
  const converted = upstreamGraphqlError(error) as { message?: string; extensions?: { code?: string } };
  return {
    code: converted?.extensions?.code ?? 'INTERNAL',
    message: converted?.extensions?.code ? String(converted.message) : 'Internal error',
  };
}

@Injectable()
export class MetricQueryService {
  constructor(
    private readonly connections: SemanticLayerConnectionsService,
    private readonly clients: SemanticLayerClientFactory,
    private readonly metadata: SemanticLayerMetadataService,
    private readonly policies: RolePoliciesService,
    private readonly audit: QueryAuditRepository,
    private readonly cache: SemanticLayerCache,
    private readonly results: QueryResultStore,
    @Inject(CONFIG) private readonly config: SemanticLayerConfig,
  ) {}

  async run(
    connectionId: string,
    input: MetricQueryInput | null,
    text: string | null,
    identity: Requester | undefined,
  ): Promise<MetricQueryResult> {
    return this.audited(connectionId, input, text, identity, 'query', async (asked, connection, role) => {
      const request = await this.authorize(connection.id, asked.request, role);
      const variables = metricQueryVariables(connection.environmentId, request, [], {
        ...(asked.readCache !== undefined ? { readCache: asked.readCache } : {}),
      });
      const client = this.clients.create(connection);
      try {
        if (asked.compileOnly) {
          const sql = await client.compileSql(variables);
          return {
            result: {
              queryId: null,
              status: 'COMPILED',
              columns: [],
              totalCount: 0,
              sql,
              cached: false,
              rowSource: memoryRows([]),
            },
          };
        }
        const key = this.cache.key(
          'result',
          connection.id,
          connection.environmentId,
          role,
          stableDigest(variables),
        );
        const ttl = this.config.SEMANTIC_LAYER_RESULT_TTL_SECONDS;
        const hit = ttl > 0 && asked.readCache !== false ? await this.results.read(key) : undefined;
        if (hit) {
          return {
            result: {
              queryId: hit.head.queryId,
              sql: hit.head.sql,
              columns: hit.head.columns,
              status: 'SUCCESSFUL',
              totalCount: hit.head.rowCount,
              cached: true,
              rowSource: hit.rows,
            },
            status: 'cached',
          };
        }
        const answer = await runMetricQuery(client, variables, {
          timeoutMs: this.config.SEMANTIC_LAYER_QUERY_TIMEOUT_SECONDS * 1_000,
          pollIntervalMs: this.config.SEMANTIC_LAYER_POLL_INTERVAL_MS,
          pollMaxIntervalMs: this.config.SEMANTIC_LAYER_POLL_MAX_INTERVAL_MS,
          maxRows: this.config.SEMANTIC_LAYER_MAX_ROWS,
        });
        const columns = answer.columns.map((column) => ({ name: column.name, type: column.type }));
        await this.results.write(
          key,
          { queryId: answer.queryId, sql: answer.sql, columns },
          answer.rows,
          ttl,
        );
        return {
          result: {
            queryId: answer.queryId,
            status: 'SUCCESSFUL',
            columns,
            totalCount: answer.rows.length,
            sql: answer.sql,
            cached: false,
            rowSource: memoryRows(answer.rows),
          },
        };
      } finally {
        await client.close().catch(() => undefined);
      }
    });
  }

  async compile(
    connectionId: string,
    input: MetricQueryInput | null,
    text: string | null,
    identity: Requester | undefined,
  ): Promise<string> {
    const result = await this.audited(
      connectionId,
      input,
      text,
      identity,
      'compile',
      async (asked, connection, role) => {
        const request = await this.authorize(connection.id, asked.request, role);
        const client = this.clients.create(connection);
        try {
          const sql = await client.compileSql(metricQueryVariables(connection.environmentId, request));
          return {
            result: {
              queryId: null,
              status: 'COMPILED',
              columns: [],
              totalCount: 0,
              sql,
              cached: false,
              rowSource: memoryRows([]),
            },
          };
        } finally {
          await client.close().catch(() => undefined);
        }
      },
    );
    return result.sql ?? '';
  }

  async rows(result: MetricQueryResult, first: number, after: string | null) {
    const size = pageSize(first, 100);
    const cursor = decodeCursor(after);
    const start = cursor ? Number(cursor[0]) + 1 : 0;
    if (!Number.isSafeInteger(start) || start < 0)
      throw badUserInput('Invalid cursor', { argument: 'after' });
    const rows: MetricQueryRow[] = (await result.rowSource.read(start, start + size + 1)).map(
      (values, offset) => ({ index: start + offset, values }),
    );
    return toConnection(rows, size, result.rowSource.count, (row) => [row.index], start > 0);
  }

  /** The role's policy applied: forbidden metrics or dimensions refused, row filters added to `where`. */
  private async authorize(
    connectionId: string,
    request: MetricQueryRequest,
    role: string,
  ): Promise<MetricQueryRequest> {
    const policy = await this.policies.policyFor(role);
    const restricts = policy.allowedMetrics !== undefined || policy.allowedDimensions !== undefined;
    const savedQueries =
      request.savedQuery && restricts
        ? savedQueryDefinitions(await this.metadata.savedQueries(connectionId))
        : undefined;
    return applyRolePolicy(request, policy, savedQueries ? { savedQueries } : {});
  }

  /** Checks a request as `run` reads it, without running it: what a background job refuses at submit. */
  check(input: MetricQueryInput | null, text: string | null): void {
    try {
      this.ask(input, text);
    } catch (error) {
      throw upstreamGraphqlError(error);
    }
  }

  private ask(input: MetricQueryInput | null, text: string | null): Asked {
    if ((input == null) === (text == null))
      throw badUserInput(
        'Pass either input (a structured query) or text (semantic_layer.query(...)), not both',
        {
          argument: 'input',
        },
      );
    if (text != null) {
      const parsed = parseSemanticLayerQuery(text);
      return {
        request: parsed.request,
        compileOnly: parsed.compile,
        ...(parsed.readCache !== undefined ? { readCache: parsed.readCache } : {}),
      };
    }
    return { request: validateMetricQuery(requestOf(input!)), compileOnly: false };
  }

  private async audited(
    connectionId: string,
    input: MetricQueryInput | null,
    text: string | null,
    identity: Requester | undefined,
    kind: 'query' | 'compile',
    work: (
      asked: Asked,
      connection: CloudConnection,
      role: string,
    ) => Promise<{ result: MetricQueryResult; status?: string }>,
  ): Promise<MetricQueryResult> {
    const connection = await this.connections.requireCloud(connectionId);
    const role = identity?.role ?? 'viewer';
    const started = Date.now();
    let asked: Asked | undefined;
    const record = async (values: {
      status: string;
      rowCount?: number | null;
      error?: { code: string; message: string } | null;
      upstreamQueryId?: string | null;
    }) => {
      await this.audit.insert({
        connectionId: connection.id,
        subject: identity?.subject ?? 'unknown',
        actorName: identity?.name ?? null,
        role,
        kind,
        request: asked?.request ?? (text != null ? { text: text.slice(0, 10_000) } : requestOf(input ?? {})),
        status: values.status,
        upstreamQueryId: values.upstreamQueryId ?? null,
        rowCount: values.rowCount ?? null,
        durationMs: Date.now() - started,
        error: values.error ?? null,
      });
    };
    try {
      asked = this.ask(input, text);
      const { result, status } = await work(asked, connection, role);
      await record({
        status: status ?? 'succeeded',
        rowCount: result.totalCount,
        upstreamQueryId: result.queryId,
      });
      return result;
    } catch (error) {
      const failure = failureOf(error);
      if (error instanceof SemanticLayerUpstreamError && error.code === 'UPSTREAM_AUTH_FAILED') {
        await this.connections.recordFailure(connection.id, failure);
      }
      await record({
        status: statusOf(error),
        error: failure,
        upstreamQueryId: error instanceof SemanticLayerUpstreamError ? (error.queryId ?? null) : null,
      });
      throw upstreamGraphqlError(error);
    }
  }

  async auditPage(first: number, after: string | null) {
    const size = pageSize(first);
    const cursor = decodeCursor(after) as [string, string] | null;
    const { rows, total } = await this.audit.list(size + 1, cursor);
    return toConnection(
      rows,
      size,
      total,
      (row) => [row.createdAt.toISOString(), row.id],
      Boolean(cursor),
      (row) => ({
        id: row.id,
        connectionId: row.connectionId,
        subject: row.subject,
        actorName: row.actorName,
        role: row.role,
        kind: row.kind,
        request: row.request,
        status: row.status,
        upstreamQueryId: row.upstreamQueryId,
        rowCount: row.rowCount,
        durationMs: row.durationMs,
        errorCode: row.error?.code ?? null,
        errorMessage: row.error?.message ?? null,
        createdAt: row.createdAt,
      }),
    );
  }
}
