import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { datasetId } from '@cartograph/catalog-model';
import { CONFIG } from '@cartograph/platform/nest';
import type { WarehouseConfig } from '../../warehouse.definition.js';
import type { WarehouseConnectionEntity } from '../connections/warehouse-connection.entity.js';
import { WarehouseConnectionsRepository } from '../connections/warehouse-connections.repository.js';
import type { EngineTable, HistoryRecord, WarehouseConnector } from '../connectors/warehouse-connector.js';
import {
  LineageRepository,
  type ColumnEdgeObservation,
  type EdgeObservation,
} from '../lineage/lineage.repository.js';
import { LineageService } from '../lineage/lineage.service.js';
import {
  HistoryRepository,
  type QueryCount,
  type QueryWrite,
  type UsageWrite,
} from './history.repository.js';
import {
  analyzeStatement,
  statementAttributions,
  statementFingerprint,
  type Attribution,
  type ColumnFlow,
  type SqlPlatform,
} from './sql-analysis.js';
import type { StoredAttribution } from './warehouse-query.entity.js';
import { SyncRunsRepository } from '@cartograph/platform/sync';

export type Counts = Record<string, number>;
export type Problems = { subject: string; message: string }[];

const MAXIMUM_PROBLEMS = 100;
const MAXIMUM_USERS = 50;

/** The scope of a connection's query-history edges. */
export const queryScope = (connectionId: string) => `warehouse/${connectionId}`;

/** The tables of shapes seen so far in one sync, so a repeat needs neither a lookup nor a parse. */
type ShapeCache = Map<string, { sources: string[]; targets: string[] }>;

/** Bounded: a sync of many distinct shapes falls back to Postgres lookups for the oldest. */
const MAXIMUM_CACHED_SHAPES = 200_000;

function remember(shapes: ShapeCache, key: string, shape: { sources: string[]; targets: string[] }): void {
  if (shapes.size >= MAXIMUM_CACHED_SHAPES) shapes.delete(shapes.keys().next().value!);
  shapes.set(key, { sources: shape.sources, targets: shape.targets });
}

interface QueryGroup {
  key: string;
  fingerprint: string;
  first: HistoryRecord;
  attribution: Attribution | null;
  executions: number;
  users: Set<string>;
  firstSeenAt: Date;
  lastSeenAt: Date;
  durationMs: number | null;
  /** Executions per UTC day and user, for dataset usage. */
  usage: Map<string, number>;
}

function increment(counts: Counts, key: string, by = 1): void {
  counts[key] = (counts[key] ?? 0) + by;
}

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 40);
}

/** The attribution a query is grouped and credited by: a BI tool first, dbt otherwise. */
function mainAttribution(attributions: readonly Attribution[]): Attribution | null {
  return attributions.find((attribution) => attribution.tool !== 'dbt') ?? attributions[0] ?? null;
}

function storedAttribution(attribution: Attribution | null): StoredAttribution | null {
  if (!attribution) return null;
  return {
    tool: attribution.tool,
    projectId: attribution.projectId ?? null,
    projectName: attribution.projectName ?? null,
    detail: { ...(attribution.detail ?? {}), ...(attribution.truncated ? { truncated: 'true' } : {}) },
  };
}

/**
 * Query history → the lineage graph. The window since the watermark is read as one stream and applied in
 * batches; each batch is one transaction that also moves the watermark, so a sync that stops resumes after
 * the last applied batch and no half batch is visible. Texts are grouped by fingerprint (literals stripped)
 * and attribution; a group is parsed once, the first time it is seen, and afterwards only counted.
 */
@Injectable()
export class HistoryService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly history: HistoryRepository,
    private readonly connections: WarehouseConnectionsRepository,
    private readonly syncRuns: SyncRunsRepository,
    private readonly lineage: LineageRepository,
    private readonly lineageService: LineageService,
    @Inject(CONFIG) private readonly config: WarehouseConfig,
  ) {}

  async read(
    connection: WarehouseConnectionEntity,
    connector: WarehouseConnector,
    syncRunId: string,
    counts: Counts,
    problems: Problems,
    now = new Date(),
  ): Promise<Date | null> {
    const overlapMs = connection.historyOverlapMinutes * 60_000;
    let watermark = connection.historyWatermark;
    const since = watermark
      ? new Date(watermark.getTime() - overlapMs)
      : new Date(now.getTime() - connection.historyLookbackHours * 3_600_000);
    // Batch n + 1 is fingerprinted and parsed while batch n is written: Postgres and this process work at the same
    // time. Batches still commit one after the other, in order, each with its watermark.
    const shapes: ShapeCache = new Map();
    let batch: HistoryRecord[] = [];
    // The commit in flight is always awaited before the next one starts and before returning; its failure is
    // kept (not left unhandled while the next batch is prepared) and thrown there.
    let committing: Promise<unknown> = Promise.resolve();
    let failure: { error: unknown } | null = null;
    const settle = async () => {
      await committing;
      if (failure) throw failure.error;
    };
    const flush = async () => {
      const prepared = await this.prepare(connection, batch, watermark, counts, problems, shapes);
      batch = [];
      await settle();
      watermark = prepared.watermark;
      committing = prepared.commit(syncRunId).catch((error: unknown) => {
        failure = { error };
      });
    };
    try {
      for await (const record of connector.readHistory({ since, until: now })) {
        batch.push(record);
        if (batch.length >= this.config.WAREHOUSE_HISTORY_BATCH_SIZE) await flush();
      }
      if (batch.length > 0) await flush();
    } finally {
      // A read that fails still lets the batch already sent finish; its own failure wins only when the read did not.
      await committing;
    }
    await settle();
    return watermark;
  }

  /**
   * Everything a batch needs before it is written: duplicates dropped, shapes grouped, new shapes parsed (shapes
   * seen earlier in this sync come from `shapes`, older ones from Postgres). `commit` writes it in one transaction.
   */
  private async prepare(
    connection: WarehouseConnectionEntity,
    records: readonly HistoryRecord[],
    previousWatermark: Date | null,
    counts: Counts,
    problems: Problems,
    shapes: ShapeCache,
  ): Promise<{ watermark: Date | null; commit(syncRunId: string): Promise<void> }> {
    increment(counts, 'historyRows', records.length);
    const fresh = await this.withoutDuplicates(connection.id, records, previousWatermark, counts);
    const platform = connection.platform as SqlPlatform;

    // Group by fingerprint + attribution.
    const groups = new Map<string, QueryGroup>();
    for (const { record, executions } of fresh) {
      const attribution = mainAttribution(statementAttributions(record.text));
      const fingerprint = record.engineFingerprint
        ? `engine:${record.engineFingerprint}`
        : `sql:${statementFingerprint(record.text, platform)}`;
      // One shape per text, attribution and session defaults: an unqualified name means another table
      // under another current database.
      const key = [
        fingerprint,
        attribution ? `${attribution.tool}:${attribution.projectId ?? ''}` : '',
        record.defaultDatabase ?? '',
        record.defaultSchema ?? '',
      ].join('\n');
      let group = groups.get(key);
      if (!group) {
        group = {
          key: hash(key),
          fingerprint,
          first: record,
          attribution,
          executions: 0,
          users: new Set(),
          firstSeenAt: record.startedAt,
          lastSeenAt: record.startedAt,
          durationMs: null,
          usage: new Map(),
        };
        groups.set(key, group);
      }
      group.executions += executions;
      // A BI comment names the person behind a shared service user (Hex's user_email).
      const user = attribution?.detail?.['user_email'] ?? record.user ?? '';
      if (user && group.users.size < MAXIMUM_USERS) group.users.add(user);
      if (record.startedAt < group.firstSeenAt) group.firstSeenAt = record.startedAt;
      if (record.startedAt > group.lastSeenAt) group.lastSeenAt = record.startedAt;
      if (record.durationMs != null)
        // Whole milliseconds: pg_stat_statements reports fractional means.
        group.durationMs = (group.durationMs ?? 0) + Math.round(record.durationMs * executions);
      const usageKey = `${record.startedAt.toISOString().slice(0, 10)}\n${user}`;
      group.usage.set(usageKey, (group.usage.get(usageKey) ?? 0) + executions);
    }
    increment(counts, 'queries', groups.size);

    // Parse what was never seen; reuse what was.
    const unknownKeys = [...groups.values()].map((group) => group.key).filter((key) => !shapes.has(key));
    const known = await this.history.known(connection.id, unknownKeys);
    for (const [key, shape] of known) remember(shapes, key, shape);
    const newShapes: QueryWrite[] = [];
    const repeated: QueryCount[] = [];
    const queryDatasets: { queryKey: string; datasetId: string; role: string }[] = [];
    const lineageOf = new Map<string, { sources: string[]; targets: string[]; columns: ColumnFlow[] }>();
    for (const group of groups.values()) {
      const existing = shapes.get(group.key);
      if (existing) {
        lineageOf.set(group.key, { sources: existing.sources, targets: existing.targets, columns: [] });
        repeated.push(this.queryCount(group));
        continue;
      }
      increment(counts, 'newQueries');
      const { write, sources, targets, columns } = this.parse(connection, group, counts, problems);
      lineageOf.set(group.key, { sources, targets, columns });
      remember(shapes, group.key, { sources, targets });
      newShapes.push(write);
      for (const dataset of sources)
        queryDatasets.push({ queryKey: group.key, datasetId: dataset, role: 'source' });
      for (const dataset of targets)
        queryDatasets.push({ queryKey: group.key, datasetId: dataset, role: 'target' });
    }

    const usage = new Map<string, UsageWrite>();
    const edges: EdgeObservation[] = [];
    const columnEdges: ColumnEdgeObservation[] = [];
    for (const group of groups.values()) {
      const { sources, targets, columns } = lineageOf.get(group.key)!;
      for (const [usageKey, executions] of group.usage) {
        const [day, user] = usageKey.split('\n') as [string, string];
        for (const [datasets, field] of [
          [sources, 'reads'],
          [targets, 'writes'],
        ] as const) {
          for (const dataset of datasets) {
            const id = `${dataset}\n${usageKey}`;
            const row = usage.get(id) ?? { datasetId: dataset, day, user, reads: 0, writes: 0 };
            row[field] += executions;
            usage.set(id, row);
          }
        }
      }
      for (const target of targets) {
        for (const source of sources) {
          if (source === target) continue;
          edges.push({
            upstream: source,
            downstream: target,
            executions: group.executions,
            firstSeenAt: group.firstSeenAt,
            lastSeenAt: group.lastSeenAt,
            queryKey: group.key,
            users: [...group.users],
          });
        }
      }
      for (const flow of columns) {
        for (const source of flow.sources) {
          columnEdges.push({
            upstream: source.dataset,
            upstreamColumn: source.column,
            downstream: flow.target.dataset,
            downstreamColumn: flow.target.column,
            lastSeenAt: group.lastSeenAt,
          });
        }
      }
    }
    increment(counts, 'columnEdges', columnEdges.length);

    const newest = records.reduce<Date | null>(
      (latest, record) => (!latest || record.startedAt > latest ? record.startedAt : latest),
      previousWatermark,
    );
    const watermark = newest && previousWatermark && previousWatermark > newest ? previousWatermark : newest;
    const overlapMs = connection.historyOverlapMinutes * 60_000;
    const keepFrom = watermark ? new Date(watermark.getTime() - overlapMs) : new Date(0);
    const seen = fresh
      .filter(({ record }) => record.calls !== undefined || record.startedAt >= keepFrom)
      .map(({ record }) => ({
        queryId: record.queryId,
        startedAt: record.startedAt.toISOString(),
        calls: record.calls ?? null,
      }));

    const commit = (syncRunId: string) =>
      this.dataSource.transaction(async (manager) => {
        await this.history.insertQueries(manager, connection.id, newShapes);
        await this.history.countQueries(manager, connection.id, repeated);
        await this.history.writeQueryDatasets(manager, connection.id, queryDatasets);
        await this.history.writeUsage(manager, connection.id, [...usage.values()]);
        const added = await this.lineage.observeEdges(manager, queryScope(connection.id), 'query', edges);
        increment(counts, 'edgesAdded', added.length);
        await this.lineageService.announce(manager, queryScope(connection.id), 'query', {
          added,
          removed: [],
        });
        await this.lineage.observeColumnEdges(manager, queryScope(connection.id), columnEdges);
        // A day of slack past the overlap: rows can arrive out of order within the window.
        await this.history.markSeen(manager, connection.id, seen, new Date(keepFrom.getTime() - 86_400_000));
        if (watermark) await this.connections.update(manager, connection.id, { historyWatermark: watermark });
        await this.syncRuns.update(manager, syncRunId, {
          counts: { ...counts },
          problems: problems.slice(0, MAXIMUM_PROBLEMS),
          cursor: watermark ? { watermark: watermark.toISOString() } : {},
        });
      });
    return { watermark, commit };
  }

  /** Drops rows applied by an earlier (overlapping) read; aggregated rows become the executions since. */
  private async withoutDuplicates(
    connectionId: string,
    records: readonly HistoryRecord[],
    previousWatermark: Date | null,
    counts: Counts,
  ): Promise<{ record: HistoryRecord; executions: number }[]> {
    const aggregated = records.filter((record) => record.calls !== undefined);
    const single = records.filter((record) => record.calls === undefined);
    const kept: { record: HistoryRecord; executions: number }[] = [];
    const calls = await this.history.seenCalls(
      connectionId,
      aggregated.map((record) => record.queryId),
    );
    for (const record of aggregated) {
      const before = calls.get(record.queryId);
      // Fewer calls than before means the statistics were reset: everything counted now is new.
      const executions =
        before === undefined || before > record.calls! ? record.calls! : record.calls! - before;
      if (executions > 0) kept.push({ record, executions });
      else increment(counts, 'duplicateRows');
    }
    const candidates = previousWatermark
      ? single.filter((record) => record.startedAt <= previousWatermark).map((record) => record.queryId)
      : [];
    const already = await this.history.seen(connectionId, candidates);
    const inBatch = new Set<string>();
    for (const record of single) {
      if (already.has(record.queryId) || inBatch.has(record.queryId)) {
        increment(counts, 'duplicateRows');
        continue;
      }
      inBatch.add(record.queryId);
      kept.push({ record, executions: 1 });
    }
    return kept;
  }

  private parse(
    connection: WarehouseConnectionEntity,
    group: QueryGroup,
    counts: Counts,
    problems: Problems,
  ): { write: QueryWrite; sources: string[]; targets: string[]; columns: ColumnFlow[] } {
    const record = group.first;
    const context = {
      platform: connection.platform as SqlPlatform,
      instance: connection.instance,
      defaultDatabase: record.defaultDatabase ?? null,
      defaultSchema: record.defaultSchema ?? null,
      maxLength: this.config.WAREHOUSE_MAX_STATEMENT_LENGTH,
    };
    const analysis = analyzeStatement(record.text, context);
    let error = analysis.error;
    if (error?.reason === 'parse_error' && record.textTruncated) {
      error = { reason: 'truncated', message: `the warehouse cut the text; ${error.message}` };
    }
    let sources = analysis.sources;
    let targets = analysis.targets;
    let origin = sources.length + targets.length > 0 ? 'parser' : 'none';
    if (record.engineLineage) {
      // What the engine resolved itself wins over our reading of the text (views, synonyms, search paths).
      const engineSources = this.engineIds(connection, record, record.engineLineage.sources, problems);
      const engineTargets = this.engineIds(connection, record, record.engineLineage.targets, problems);
      if (engineSources.length + engineTargets.length > 0) {
        sources = engineSources;
        targets = engineTargets;
        origin = 'engine';
        increment(counts, 'engineLineage');
      }
    }
    if (error) {
      increment(counts, 'parseErrors');
      increment(counts, `parseErrors.${error.reason}`);
      if (problems.length < MAXIMUM_PROBLEMS) {
        problems.push({
          subject: `query ${record.queryId}`.slice(0, 200),
          message: `${error.reason}: ${error.message}`.slice(0, 500),
        });
      }
    } else {
      increment(counts, 'parsed');
    }
    const type =
      analysis.type !== 'unknown' ? analysis.type : (record.statementType?.toLowerCase() ?? 'unknown');
    return {
      write: this.queryWrite(group, type, sources, targets, analysis.columns, origin, error),
      sources,
      targets,
      columns: analysis.columns,
    };
  }

  private engineIds(
    connection: WarehouseConnectionEntity,
    record: HistoryRecord,
    tables: readonly EngineTable[],
    problems: Problems,
  ): string[] {
    const ids = new Set<string>();
    for (const table of tables) {
      try {
        ids.add(
          datasetId({
            platform: connection.platform,
            instance: connection.instance,
            database: table.database ?? record.defaultDatabase ?? null,
            schema: table.schema ?? record.defaultSchema ?? null,
            name: table.name,
            quoted: true,
          }),
        );
      } catch (error) {
        if (problems.length < MAXIMUM_PROBLEMS) {
          problems.push({
            subject: `query ${record.queryId}`.slice(0, 200),
            message: (error as Error).message.slice(0, 500),
          });
        }
      }
    }
    return [...ids];
  }

  private queryCount(group: QueryGroup): QueryCount {
    return {
      queryKey: group.key,
      executions: group.executions,
      users: [...group.users],
      firstSeenAt: group.firstSeenAt.toISOString(),
      lastSeenAt: group.lastSeenAt.toISOString(),
      totalDurationMs: group.durationMs,
    };
  }

  private queryWrite(
    group: QueryGroup,
    statementType: string,
    sources: string[],
    targets: string[],
    columns: ColumnFlow[],
    lineageOrigin: string,
    error: { reason: string; message: string } | null,
  ): QueryWrite {
    const maximum = this.config.WAREHOUSE_QUERY_TEXT_MAX_BYTES;
    const text = group.first.text;
    const truncated = Buffer.byteLength(text) > maximum;
    return {
      queryKey: group.key,
      fingerprint: group.fingerprint,
      // Cut on characters, then within the byte budget; a NUL would not fit in a text column.
      sampleText: (truncated
        ? Buffer.from(text)
            .subarray(0, maximum)
            .toString('utf8')
            .replace(/\uFFFD$/, '')
        : text
      ).replace(/\u0000/g, ''),
      sampleTruncated: truncated || Boolean(group.first.textTruncated),
      statementType,
      sources,
      targets,
      columns,
      attribution: storedAttribution(group.attribution),
      lineageOrigin,
      errorReason: error?.reason ?? null,
      errorMessage: error?.message.slice(0, 1_000) ?? null,
      executions: group.executions,
      users: [...group.users],
      firstSeenAt: group.firstSeenAt.toISOString(),
      lastSeenAt: group.lastSeenAt.toISOString(),
      totalDurationMs: group.durationMs,
    };
  }
}
