import { Inject, Injectable } from '@nestjs/common';
import { GraphQLError } from 'graphql';
import { DataSource } from 'typeorm';
import { RunMetricQuery, SemanticLayerQueryFinished } from '@cartograph/contracts';
import type { Identity } from '@cartograph/platform/auth';
import { OutboxPublisher } from '@cartograph/platform/events';
import { notFound } from '@cartograph/platform/graphql';
import { CONFIG } from '@cartograph/platform/nest';
import { JobQueue, type JobOutcome } from '@cartograph/platform/queue';
import type { SemanticLayerConfig } from '../../semantic-layer.definition.js';
import { SemanticLayerConnectionsService } from '../connections/semantic-layer-connections.service.js';
import { SemanticLayerCache } from '../upstream/semantic-layer.cache.js';
import { upstreamGraphqlError } from '../upstream/upstream-graphql-error.js';
import type { MetricQueryJobEntity } from './metric-query-job.entity.js';
import type { MetricQueryInput, MetricQueryResult } from './metric-query.model.js';
import { MetricQueryService, type Requester } from './metric-query.service.js';
import { MetricQueryJobsRepository } from './metric-query-jobs.repository.js';
import { QueryResultStore } from './query-result.store.js';

/**
 * Metric queries that may run longer than a client wants to hold an HTTP request: submitted here, run by the
 * worker (BullMQ), announced with `semantic_layer.query.finished`, and read back with `metricQueryJob(id)`.
 * The query runs exactly as `runMetricQuery` would, under the submitter's role, audit included.
 */
@Injectable()
export class MetricQueryJobsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly jobs: MetricQueryJobsRepository,
    private readonly connections: SemanticLayerConnectionsService,
    private readonly queries: MetricQueryService,
    private readonly cache: SemanticLayerCache,
    private readonly results: QueryResultStore,
    private readonly queue: JobQueue,
    private readonly publisher: OutboxPublisher,
    @Inject(CONFIG) private readonly config: SemanticLayerConfig,
  ) {}

  async submit(
    connectionId: string,
    input: MetricQueryInput | null,
    text: string | null,
    identity: Identity | undefined,
  ): Promise<MetricQueryJobEntity> {
    const connection = await this.connections.requireCloud(connectionId);
    // Refuse what can be refused now: a malformed request never becomes a job.
    this.queries.check(input, text);
    const job = await this.jobs.create({
      connectionId: connection.id,
      subject: identity?.subject ?? 'unknown',
      actorName: identity?.name ?? null,
      role: identity?.role ?? 'viewer',
      input: input ? (JSON.parse(JSON.stringify(input)) as Record<string, unknown>) : null,
      text,
      status: 'QUEUED',
      rowCount: null,
      sql: null,
      upstreamQueryId: null,
      error: null,
      startedAt: null,
      finishedAt: null,
    });
    await this.queue.enqueue(RunMetricQuery, { jobId: job.id });
    return job;
  }

  /** A job, to its submitter or an admin only: a query's rows are as private as the query. */
  async get(id: string, identity: Identity | undefined): Promise<MetricQueryJobEntity> {
    const job = /^[0-9a-f-]{36}$/i.test(id) ? await this.jobs.byId(id) : null;
    if (!job || (identity?.role !== 'admin' && job.subject !== identity?.subject)) {
      throw notFound(`metric query job ${id}`);
    }
    return job;
  }

  /** The rows of a finished job as a result, or null while it runs or when it did not succeed. */
  async result(job: MetricQueryJobEntity): Promise<MetricQueryResult | null> {
    if (job.status !== 'SUCCEEDED') return null;
    const stored = await this.results.read(this.resultKey(job.id));
    if (!stored) {
      throw new GraphQLError(
        `The rows of metric query job ${job.id} expired (kept ${this.config.SEMANTIC_LAYER_JOB_RESULT_TTL_SECONDS} s): submit it again`,
        { extensions: { code: 'NOT_FOUND' } },
      );
    }
    return {
      queryId: stored.head.queryId,
      status: 'SUCCESSFUL',
      columns: stored.head.columns,
      totalCount: stored.head.rowCount,
      sql: stored.head.sql,
      cached: false,
      rowSource: stored.rows,
    };
  }

  /** Runs a job in the worker. */
  async execute(jobId: string): Promise<JobOutcome> {
    const job = await this.jobs.byId(jobId);
    if (!job || !(await this.jobs.start(job.id))) return 'skipped';
    const started = Date.now();
    const identity: Requester = {
      subject: job.subject,
      role: job.role as Requester['role'],
      ...(job.actorName ? { name: job.actorName } : {}),
    };
    let outcome: Pick<MetricQueryJobEntity, 'status' | 'rowCount' | 'sql' | 'upstreamQueryId' | 'error'>;
    try {
      const result = await this.queries.run(
        job.connectionId,
        (job.input as MetricQueryInput | null) ?? null,
        job.text,
        identity,
      );
      await this.results.write(
        this.resultKey(job.id),
        { queryId: result.queryId, sql: result.sql, columns: result.columns },
        await result.rowSource.read(0, result.rowSource.count),
        this.config.SEMANTIC_LAYER_JOB_RESULT_TTL_SECONDS,
      );
      outcome = {
        status: 'SUCCEEDED',
        rowCount: result.totalCount,
        sql: result.sql,
        upstreamQueryId: result.queryId,
        error: null,
      };
    } catch (error) {
      const converted = upstreamGraphqlError(error) as {
        message?: string;
        extensions?: { code?: string; timedOut?: boolean };
      };
      const code = converted?.extensions?.code ?? 'INTERNAL';
      outcome = {
        status: converted?.extensions?.timedOut ? 'TIMED_OUT' : code === 'FORBIDDEN' ? 'FORBIDDEN' : 'FAILED',
        rowCount: null,
        sql: null,
        upstreamQueryId: null,
        error: { code, message: converted?.extensions?.code ? String(converted.message) : 'Internal error' },
      };
    }
    await this.dataSource.transaction(async (manager) => {
      await this.jobs.finish(manager, job.id, outcome);
      await this.publisher.publish(manager, SemanticLayerQueryFinished, {
        jobId: job.id,
        connectionId: job.connectionId,
        status: outcome.status,
        rowCount: outcome.rowCount,
        durationMs: Date.now() - started,
        error: outcome.error,
      });
    });
    return 'done';
  }

  private resultKey(jobId: string): string {
    return this.cache.key('job', jobId);
  }
}
