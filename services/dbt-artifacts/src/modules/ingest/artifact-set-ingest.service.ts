import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource, type EntityManager } from 'typeorm';
import {
  ArtifactReadError,
  readArtifact,
  type ArtifactHeader,
  type ArtifactKind,
  type ArtifactRecord,
} from '@cartograph/dbt';
import {
  DatasetRemoved,
  DatasetUpserted,
  DbtSourceFreshnessChanged,
  DbtTestStatusChanged,
  IngestArtifactSet,
  LineageEdgesObserved,
  DbtArtifactsApplied,
  SyncCompleted,
  SyncFailed,
  type EventData,
} from '@cartograph/contracts';
import { parseDatasetId } from '@cartograph/catalog-model';
import { OutboxPublisher } from '@cartograph/platform/events';
import { LOGGER } from '@cartograph/platform/nest';
import type { JobOutcome } from '@cartograph/platform/queue';
import { ArtifactBlobRepository } from '../artifact-sets/artifact-blob.repository.js';
import type {
  ArtifactSetEntity,
  ArtifactSetError,
  ArtifactSetFile,
} from '../artifact-sets/artifact-set.entity.js';
import { ArtifactSetsRepository } from '../artifact-sets/artifact-sets.repository.js';
import { catalogOf, contentHash, nodeRowOf, type NodeRow } from '../nodes/dbt-node.mapper.js';
import { datasetEdges } from '../nodes/dataset-lineage.js';
import { NodesRepository, type DatasetNodeRow, type StoredNodeState } from '../nodes/nodes.repository.js';
import type { DbtProjectEntity } from '../projects/dbt-project.entity.js';
import { ProjectsRepository } from '../projects/projects.repository.js';
import { RunsRepository, type FreshnessRow, type ResultRow } from '../runs/runs.repository.js';
import { gunzipped } from './artifact-stream.js';

/** A set that can never apply as it is (no retry helps): it fails with this message. */
export class IngestRejectedError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly fileName: string | null = null,
  ) {
    super(message);
    this.name = 'IngestRejectedError';
  }
}

/** Node batches: big enough to amortise a round trip, small enough to keep the heap flat. */
const NODE_BATCH = 500;
const EDGE_EVENT_BATCH = 1_000;
const DATASET_TYPES = new Set(['model', 'seed', 'snapshot', 'source']);
/** `docs generate` and `compile` report every node as success: they say nothing of outcomes. */
const NON_OUTCOME_COMMANDS = new Set([
  'generate',
  'compile',
  'docs',
  'list',
  'ls',
  'parse',
  'debug',
  'deps',
  'clean',
]);
const SEMANTIC_TYPES = new Set(['metric', 'semantic_model', 'saved_query']);
const DBT_CLOUD_KEYS = [
  'DBT_CLOUD_RUN_ID',
  'DBT_CLOUD_JOB_ID',
  'DBT_CLOUD_PROJECT_ID',
  'DBT_CLOUD_ENVIRONMENT_ID',
  'DBT_CLOUD_RUN_REASON',
  'DBT_CLOUD_RUN_REASON_CATEGORY',
];

interface ApplyState {
  set: ArtifactSetEntity;
  project: DbtProjectEntity;
  instance: string;
  warnings: string[];
  counts: Record<string, number>;
  rowWrites: number;
  stored: Map<string, StoredNodeState>;
  /** Nodes whose dataset-facing fields changed in this set. */
  /** What to announce, by node: the facts when this set's manifest had them, null to read them back. */
  changedDatasetNodes: Map<string, DatasetNodeRow | null>;
  removedDatasets: Set<string>;
  manifestApplied: boolean;
  /** A metric, semantic model or saved query was written or removed: the semantic layer re-reads the project. */
  semanticChanged: boolean;
  /** Milliseconds per phase, logged with the outcome: where a slow ingest spends its time. */
  timings: Record<string, number>;
  header: {
    invocationId: string | null;
    dbtVersion: string | null;
    generatedAt: Date | null;
    dbtCloud: Record<string, string> | null;
  };
}

function add(counts: Record<string, number>, key: string, value = 1): void {
  counts[key] = (counts[key] ?? 0) + value;
}

function md5(text: string): string {
  return createHash('md5').update(text).digest('hex');
}

function dbtCloudIds(env: Record<string, string>): Record<string, string> | null {
  const ids = Object.fromEntries(DBT_CLOUD_KEYS.filter((key) => env[key]).map((key) => [key, env[key]!]));
  return Object.keys(ids).length > 0 ? ids : null;
}

function toDate(value: string | null | undefined): Date | null {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

/**
 * Applies one artifact set: every file read as a stream from its blob, diffed against the stored state by
 * content hash, and written — with its events — in one transaction, so readers see the old state or the
 * new one and a crash leaves the old one.
 */
@Injectable()
export class ArtifactSetIngestService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly sets: ArtifactSetsRepository,
    private readonly blobs: ArtifactBlobRepository,
    private readonly projects: ProjectsRepository,
    private readonly nodes: NodesRepository,
    private readonly runs: RunsRepository,
    private readonly publisher: OutboxPublisher,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async ingest(artifactSetId: string, attempt: number): Promise<JobOutcome> {
    const set = await this.sets.markProcessing(artifactSetId);
    if (!set) return 'skipped';
    const started = Date.now();
    const warnings: string[] = [];
    let applied: ApplyState | null = null;
    try {
      await this.dataSource.transaction(async (manager) => {
        const state = await this.apply(manager, set, warnings);
        if (!state) return;
        applied = state;
        await this.sets.markSucceeded(manager, set.id, {
          projectId: state.project.id,
          counts: state.counts,
          rowWrites: state.rowWrites,
          warnings,
          invocationId: state.header.invocationId,
          dbtVersion: state.header.dbtVersion,
          generatedAt: state.header.generatedAt,
          dbtCloud: state.header.dbtCloud,
        });
        await this.publisher.publish(manager, SyncCompleted, {
          service: 'dbt-artifacts',
          connectionId: set.originReference ?? set.origin,
          syncRunId: set.id,
          finishedAt: new Date().toISOString(),
          durationMs: Date.now() - started,
          counts: { ...state.counts, rowWrites: state.rowWrites },
        });
        const cloud = state.header.dbtCloud;
        await this.publisher.publish(manager, DbtArtifactsApplied, {
          project: state.project.name,
          artifactSetId: set.id,
          origin: set.origin,
          semanticChanged: state.semanticChanged,
          dbtCloud: cloud
            ? {
                environmentId: cloud.DBT_CLOUD_ENVIRONMENT_ID ?? null,
                jobId: cloud.DBT_CLOUD_JOB_ID ?? null,
                runId: cloud.DBT_CLOUD_RUN_ID ?? null,
              }
            : null,
        });
      });
      const done = applied as ApplyState | null;
      if (done) {
        this.logger.info(
          {
            artifactSetId,
            project: done.project.name,
            rowWrites: done.rowWrites,
            durationMs: Date.now() - started,
            timings: done.timings,
          },
          'artifact set applied',
        );
      }
      return 'done';
    } catch (error) {
      const rejected = error instanceof ArtifactReadError || error instanceof IngestRejectedError;
      const final = rejected || attempt >= (IngestArtifactSet.options.attempts ?? 1);
      const failure = this.describe(error);
      if (!rejected) this.logger.error({ err: error, artifactSetId, attempt }, 'artifact set ingest failed');
      await this.dataSource.transaction(async (manager) => {
        await this.sets.markFailed(manager, set.id, failure, warnings, final);
        if (final) {
          await this.publisher.publish(manager, SyncFailed, {
            service: 'dbt-artifacts',
            connectionId: set.originReference ?? set.origin,
            syncRunId: set.id,
            finishedAt: new Date().toISOString(),
            durationMs: Date.now() - started,
            error: { code: failure.code, message: failure.message },
          });
        }
      });
      if (rejected) return 'done';
      throw error;
    }
  }

  private describe(error: unknown): ArtifactSetError {
    if (error instanceof ArtifactReadError) {
      return {
        code: 'INVALID_ARTIFACT',
        message: error.message,
        fileName: error.fileName ?? null,
        path: error.path ?? null,
      };
    }
    if (error instanceof IngestRejectedError) {
      return { code: error.code, message: error.message, fileName: error.fileName };
    }
    // Internal errors are logged in full; the set shows only that it will be retried.
    return {
      code: 'INTERNAL',
      message: `Ingest failed and will be retried: ${(error as Error).message?.slice(0, 300) ?? 'unknown error'}`,
    };
  }

  private read(file: ArtifactSetFile, warnings: string[]): AsyncGenerator<ArtifactRecord> {
    const records = readArtifact(gunzipped(this.blobs.read(file.sha256)), {
      expectedKind: file.kind as ArtifactKind,
      fileName: file.fileName,
    });
    return (async function* () {
      for await (const record of records) {
        if (record.type === 'warning') {
          warnings.push(`${file.fileName}: ${record.warning}`);
          continue;
        }
        yield record;
      }
    })();
  }

  /** Reads just enough of a file to know its header (and, for an old manifest, its project's name). */
  private async peekProject(
    file: ArtifactSetFile,
  ): Promise<{ header: ArtifactHeader | null; projectName: string | null }> {
    const packages = new Map<string, number>();
    let header: ArtifactHeader | null = null;
    const records = this.read(file, []);
    try {
      for await (const record of records) {
        if (record.type === 'header') {
          header = record.header;
          if (header.projectName || file.kind !== 'manifest')
            return { header, projectName: header.projectName };
          continue;
        }
        if (record.type === 'node' && !record.node.isExternal && record.node.packageName) {
          const name = record.node.packageName;
          // Before dbt 1.6 the manifest names its project only as md5(name) in metadata.project_id.
          if (header?.projectId && md5(name) === header.projectId) return { header, projectName: name };
          packages.set(name, (packages.get(name) ?? 0) + 1);
        }
      }
    } finally {
      await records.return(undefined);
    }
    const likeliest = [...packages.entries()].sort((left, right) => right[1] - left[1])[0]?.[0] ?? null;
    return { header, projectName: likeliest };
  }

  private async projectNameOf(set: ArtifactSetEntity): Promise<string> {
    if (set.requestedProject) return set.requestedProject;
    const manifest = set.files.find((file) => file.kind === 'manifest');
    if (manifest) {
      const { projectName } = await this.peekProject(manifest);
      if (projectName) return projectName;
      throw new IngestRejectedError(
        'BAD_USER_INPUT',
        'The manifest names no project and has no models: name the project with the "project" field',
        manifest.fileName,
      );
    }
    const first = set.files[0]!;
    const { header } = await this.peekProject(first);
    if (header?.invocationId) {
      const project = await this.projects.byInvocation(header.invocationId);
      if (project) return project.name;
    }
    const all = await this.projects.all();
    if (all.length === 1) return all[0]!.name;
    throw new IngestRejectedError(
      'BAD_USER_INPUT',
      `A set without manifest.json must name its project (field "project"): ${all.length === 0 ? 'no project is known yet' : `known projects are ${all.map((project) => project.name).join(', ')}`}`,
      first.fileName,
    );
  }

  private async apply(
    manager: EntityManager,
    set: ArtifactSetEntity,
    warnings: string[],
  ): Promise<ApplyState | null> {
    const projectName = await this.projectNameOf(set);
    const project = await this.projects.lockOrCreate(manager, projectName);
    // A duplicate job for a set another worker applied while this one waited for the lock.
    const [current]: { state: string }[] = await manager.query(
      `SELECT "state" FROM "dbt_artifacts"."artifact_set" WHERE "id" = $1`,
      [set.id],
    );
    if (current?.state === 'succeeded') return null;
    const instance = set.requestedInstance ?? project.instance;
    const state: ApplyState = {
      set,
      project,
      instance,
      warnings,
      counts: {},
      rowWrites: 0,
      stored: await this.nodes.storedStates(manager, project.id),
      changedDatasetNodes: new Map(),
      removedDatasets: new Set(),
      manifestApplied: false,
      semanticChanged: false,
      timings: {},
      header: { invocationId: null, dbtVersion: null, generatedAt: null, dbtCloud: null },
    };
    const file = (kind: string) => set.files.find((candidate) => candidate.kind === kind);
    const manifest = file('manifest');
    const projectChanges: Partial<DbtProjectEntity> = { lastArtifactSetId: set.id };
    if (instance !== project.instance) projectChanges.instance = instance;

    if (manifest) {
      const key = `${manifest.sha256}@${instance}`;
      if (project.manifestSha256 === key) {
        add(state.counts, 'manifestUnchanged');
      } else {
        const header = await this.timed(state, 'manifest', () =>
          this.applyManifest(manager, state, manifest),
        );
        Object.assign(projectChanges, {
          manifestSha256: key,
          adapterType: header.adapterType ?? project.adapterType,
          dbtVersion: header.dbtVersion,
          dbtProjectId: header.projectId ?? md5(projectName),
          manifestGeneratedAt: toDate(header.generatedAt),
          // A new manifest invalidates what the catalog was joined against.
          catalogSha256: null,
        });
        project.adapterType = projectChanges.adapterType ?? null;
      }
    }
    const catalog = file('catalog');
    if (catalog) {
      const key = `${catalog.sha256}@${instance}`;
      if (projectChanges.catalogSha256 !== null && project.catalogSha256 === key) {
        add(state.counts, 'catalogUnchanged');
      } else {
        await this.timed(state, 'catalog', () => this.applyCatalog(manager, state, catalog));
        projectChanges.catalogSha256 = key;
      }
    }
    const semantic = file('semantic_manifest');
    if (semantic && !manifest) await this.applySemanticManifest(manager, state, semantic);
    const runResults = file('run_results');
    if (runResults)
      await this.timed(state, 'runResults', () => this.applyRunResults(manager, state, runResults));
    const sources = file('sources');
    if (sources) await this.timed(state, 'sources', () => this.applyFreshness(manager, state, sources));

    await this.timed(state, 'datasets', () => this.publishDatasets(manager, state));
    if (state.manifestApplied) {
      const lineageHash = await this.timed(state, 'lineage', () => this.publishLineage(manager, state));
      if (lineageHash) projectChanges.lineageHash = lineageHash;
    }
    await this.projects.update(manager, project.id, projectChanges);
    return state;
  }

  private async timed<T>(state: ApplyState, phase: string, run: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await run();
    } finally {
      state.timings[phase] = Math.round(performance.now() - started);
    }
  }

  private noteHeader(state: ApplyState, header: ArtifactHeader): void {
    state.header.invocationId ??= header.invocationId;
    state.header.dbtVersion ??= header.dbtVersion;
    state.header.generatedAt ??= toDate(header.generatedAt);
    state.header.dbtCloud ??= dbtCloudIds(header.env ?? {});
  }

  private async applyManifest(
    manager: EntityManager,
    state: ApplyState,
    file: ArtifactSetFile,
  ): Promise<ArtifactHeader> {
    let header: ArtifactHeader | null = null;
    const seen = new Set<string>();
    const newDatasets = new Set<string>();
    let batch: NodeRow[] = [];
    // One batch is written while the next is read and hashed: the reader's CPU and Postgres's overlap.
    let inFlight: Promise<void> = Promise.resolve();
    const flush = async () => {
      if (batch.length === 0) return;
      const rows = batch;
      batch = [];
      await inFlight;
      inFlight = (async () => {
        state.rowWrites += await this.nodes.upsert(manager, state.project.id, rows);
        state.rowWrites += await this.nodes.replaceEdges(
          manager,
          state.project.id,
          rows.map((row) => ({ child: row.unique_id, parents: row.depends_on })),
        );
      })();
      // Observed at the next await; this keeps a failure from surfacing as an unhandled rejection meanwhile.
      inFlight.catch(() => undefined);
    };
    for await (const record of this.read(file, state.warnings)) {
      if (record.type === 'header') {
        header = record.header;
        this.noteHeader(state, header);
        continue;
      }
      if (!header) {
        throw new IngestRejectedError(
          'INVALID_ARTIFACT',
          `${file.fileName} has no metadata before its resources`,
          file.fileName,
        );
      }
      const row = nodeRowOf(record, { header, instance: state.instance, projectName: state.project.name });
      if (!row) continue;
      if (seen.has(row.unique_id)) continue;
      seen.add(row.unique_id);
      add(state.counts, row.resource_type);
      if (row.resource_type === 'test' || row.resource_type === 'unit_test') add(state.counts, 'tests');
      add(state.counts, 'columns', row.columns.length);
      if (row.dataset_id && !row.is_external) newDatasets.add(row.dataset_id);
      const stored = state.stored.get(row.unique_id);
      if (stored?.contentHash === row.content_hash) continue;
      if (SEMANTIC_TYPES.has(row.resource_type)) state.semanticChanged = true;
      if (row.dataset_id && !row.is_external && DATASET_TYPES.has(row.resource_type)) {
        state.changedDatasetNodes.set(row.unique_id, {
          unique_id: row.unique_id,
          resource_type: row.resource_type,
          dataset_id: row.dataset_id,
          database: row.database,
          schema: row.schema,
          identifier: row.identifier,
          name: row.name,
          description: row.description,
          materialized: row.materialized,
          columns: (row.columns as { name: string; description?: string | null }[]).map((column) => ({
            name: column.name,
            description: column.description ?? null,
          })),
          // Set by the catalog of this set; without one, the registry keeps the kind it has.
          catalog_type: null,
        });
      }
      state.stored.set(row.unique_id, {
        contentHash: row.content_hash,
        catalogHash: stored?.catalogHash ?? null,
        datasetId: row.dataset_id,
        isExternal: row.is_external,
      });
      batch.push(row);
      if (batch.length >= NODE_BATCH) await flush();
    }
    await flush();
    await inFlight;
    if (!header) {
      throw new IngestRejectedError('INVALID_ARTIFACT', `${file.fileName} has no metadata`, file.fileName);
    }
    const gone = [...state.stored.keys()].filter((uniqueId) => !seen.has(uniqueId));
    if (gone.some((uniqueId) => SEMANTIC_TYPES.has(uniqueId.slice(0, uniqueId.indexOf('.')))))
      state.semanticChanged = true;
    for (const uniqueId of gone) {
      const datasetId = state.stored.get(uniqueId)?.datasetId;
      if (datasetId && !state.stored.get(uniqueId)?.isExternal && !newDatasets.has(datasetId))
        state.removedDatasets.add(datasetId);
      state.stored.delete(uniqueId);
    }
    state.rowWrites += await this.nodes.remove(manager, state.project.id, gone);
    add(state.counts, 'removed', gone.length);
    state.manifestApplied = true;
    return header;
  }

  private async applySemanticManifest(
    manager: EntityManager,
    state: ApplyState,
    file: ArtifactSetFile,
  ): Promise<void> {
    let header: ArtifactHeader | null = null;
    const rows: NodeRow[] = [];
    for await (const record of this.read(file, state.warnings)) {
      if (record.type === 'header') {
        header = record.header;
        continue;
      }
      if (!header) continue;
      const row = nodeRowOf(record, { header, instance: state.instance, projectName: state.project.name });
      if (!row || state.stored.get(row.unique_id)?.contentHash === row.content_hash) continue;
      add(state.counts, row.resource_type);
      state.semanticChanged = true;
      rows.push(row);
    }
    for (let start = 0; start < rows.length; start += NODE_BATCH) {
      state.rowWrites += await this.nodes.upsert(
        manager,
        state.project.id,
        rows.slice(start, start + NODE_BATCH),
      );
    }
  }

  private async applyCatalog(
    manager: EntityManager,
    state: ApplyState,
    file: ArtifactSetFile,
  ): Promise<void> {
    let batch: { unique_id: string; catalog: Record<string, unknown>; catalog_hash: string }[] = [];
    const flush = async () => {
      state.rowWrites += await this.nodes.updateCatalogs(manager, state.project.id, batch);
      batch = [];
    };
    for await (const record of this.read(file, state.warnings)) {
      if (record.type === 'header') {
        this.noteHeader(state, record.header);
        continue;
      }
      if (record.type !== 'catalog_table') continue;
      add(state.counts, 'catalogTables');
      const stored = state.stored.get(record.table.uniqueId);
      if (!stored) {
        add(state.counts, 'catalogTablesWithoutNode');
        continue;
      }
      const { catalog, hash } = catalogOf(record.table);
      if (stored.catalogHash === hash) continue;
      stored.catalogHash = hash;
      if (stored.datasetId && !stored.isExternal) {
        const known = state.changedDatasetNodes.get(record.table.uniqueId);
        if (known) known.catalog_type = record.table.tableType;
        else state.changedDatasetNodes.set(record.table.uniqueId, null);
      }
      batch.push({ unique_id: record.table.uniqueId, catalog, catalog_hash: hash });
      if (batch.length >= NODE_BATCH) await flush();
    }
    await flush();
  }

  private async applyRunResults(
    manager: EntityManager,
    state: ApplyState,
    file: ArtifactSetFile,
  ): Promise<void> {
    let header: ArtifactHeader | null = null;
    let summary: Extract<ArtifactRecord, { type: 'run_summary' }>['summary'] | null = null;
    const rows: ResultRow[] = [];
    const counts: Record<string, number> = {};
    for await (const record of this.read(file, state.warnings)) {
      if (record.type === 'header') {
        header = record.header;
        this.noteHeader(state, header);
      } else if (record.type === 'run_summary') {
        summary = record.summary;
      } else if (record.type === 'run_result') {
        const result = record.result;
        add(counts, result.status);
        rows.push({
          unique_id: result.uniqueId,
          status: result.status,
          started_at: result.startedAt,
          completed_at: result.completedAt,
          execution_time: result.executionTime,
          rows_affected:
            typeof result.rowsAffected === 'number' && result.rowsAffected >= 0 ? result.rowsAffected : null,
          message: result.message,
          failures: result.failures,
          adapter_response: result.adapterResponse ?? null,
        });
      }
    }
    const which = summary?.which ?? null;
    const countsAsOutcome = !(which && NON_OUTCOME_COMMANDS.has(which));
    const generatedAt = toDate(header?.generatedAt) ?? state.set.createdAt;
    const runId = await this.runs.insertRun(manager, {
      projectId: state.project.id,
      artifactSetId: state.set.id,
      kind: 'run_results',
      invocationKey: header?.invocationId ?? file.sha256,
      which,
      invocationCommand: summary?.invocationCommand ?? null,
      dbtVersion: header?.dbtVersion ?? null,
      generatedAt,
      elapsedTime: summary?.elapsedTime ?? null,
      dbtCloudRunId: header?.env?.['DBT_CLOUD_RUN_ID'] ?? null,
      dbtCloudJobId: header?.env?.['DBT_CLOUD_JOB_ID'] ?? null,
      counts,
      countsAsOutcome,
    });
    add(state.counts, 'runResults', rows.length);
    if (!runId) {
      add(state.counts, 'runResultsAlreadyStored');
      return;
    }
    state.rowWrites += 1;
    if (!countsAsOutcome) {
      // Kept as a run (it shows in the set) but its all-success statuses must not look like outcomes.
      state.warnings.push(
        `${file.fileName}: a "${which}" run; its statuses are not test or model outcomes and were not applied`,
      );
      return;
    }
    state.rowWrites += await this.runs.insertResults(manager, state.project.id, runId, rows);
    const previous = await this.runs.previousResults(
      manager,
      state.project.id,
      rows.map((row) => row.unique_id),
    );
    state.rowWrites += await this.runs.upsertLatestResults(
      manager,
      state.project.id,
      runId,
      generatedAt,
      rows,
    );
    const changed = rows.filter((row) => {
      const before = previous.get(row.unique_id);
      if (before && before.generatedAt > generatedAt) return false;
      return before ? before.status !== row.status : row.status !== 'pass' && row.status !== 'success';
    });
    const tests = await this.nodes.testsOf(
      manager,
      state.project.id,
      changed.map((row) => row.unique_id),
    );
    const events: EventData<typeof DbtTestStatusChanged>[] = [];
    for (const row of changed) {
      const test = tests.get(row.unique_id);
      if (!test) continue;
      events.push({
        project: state.project.name,
        uniqueId: row.unique_id,
        testName: test.testName,
        testedUniqueId: test.testedUniqueId,
        datasetId: test.datasetId,
        columnName: test.columnName,
        previousStatus: previous.get(row.unique_id)?.status ?? null,
        status: row.status,
        message: row.message,
        failures: row.failures,
        artifactSetId: state.set.id,
        completedAt: row.completed_at ? new Date(row.completed_at).toISOString() : null,
      });
    }
    await this.publisher.publishMany(manager, DbtTestStatusChanged, events);
    add(state.counts, 'testStatusChanges', events.length);
  }

  private async applyFreshness(
    manager: EntityManager,
    state: ApplyState,
    file: ArtifactSetFile,
  ): Promise<void> {
    let header: ArtifactHeader | null = null;
    const rows: FreshnessRow[] = [];
    const counts: Record<string, number> = {};
    for await (const record of this.read(file, state.warnings)) {
      if (record.type === 'header') {
        header = record.header;
        this.noteHeader(state, header);
      } else if (record.type === 'freshness_result') {
        const result = record.result;
        add(counts, result.status);
        rows.push({
          unique_id: result.uniqueId,
          status: result.status,
          max_loaded_at: result.maxLoadedAt,
          snapshotted_at: result.snapshottedAt,
          age_seconds: result.ageSeconds,
          criteria: (result.criteria as unknown as Record<string, unknown> | null) ?? null,
          error: result.error,
        });
      }
    }
    const generatedAt = toDate(header?.generatedAt) ?? state.set.createdAt;
    const runId = await this.runs.insertRun(manager, {
      projectId: state.project.id,
      artifactSetId: state.set.id,
      kind: 'sources',
      invocationKey: header?.invocationId ?? file.sha256,
      which: 'source freshness',
      invocationCommand: null,
      dbtVersion: header?.dbtVersion ?? null,
      generatedAt,
      elapsedTime: null,
      dbtCloudRunId: header?.env?.['DBT_CLOUD_RUN_ID'] ?? null,
      dbtCloudJobId: header?.env?.['DBT_CLOUD_JOB_ID'] ?? null,
      counts,
      countsAsOutcome: true,
    });
    add(state.counts, 'freshnessResults', rows.length);
    if (!runId) return;
    state.rowWrites += 1 + (await this.runs.insertFreshness(manager, state.project.id, runId, rows));
    const previous = await this.runs.previousFreshness(
      manager,
      state.project.id,
      rows.map((row) => row.unique_id),
    );
    state.rowWrites += await this.runs.upsertLatestFreshness(
      manager,
      state.project.id,
      runId,
      generatedAt,
      rows,
    );
    const changed = rows.filter((row) => {
      const before = previous.get(row.unique_id);
      if (before && before.generatedAt > generatedAt) return false;
      return before ? before.status !== row.status : row.status !== 'pass';
    });
    const datasets = await this.nodes.datasetIdsOf(
      manager,
      state.project.id,
      changed.map((row) => row.unique_id),
    );
    await this.publisher.publishMany(
      manager,
      DbtSourceFreshnessChanged,
      changed.map((row) => ({
        project: state.project.name,
        uniqueId: row.unique_id,
        datasetId: datasets.get(row.unique_id) ?? null,
        previousStatus: previous.get(row.unique_id)?.status ?? null,
        status: row.status,
        maxLoadedAt: row.max_loaded_at ? new Date(row.max_loaded_at).toISOString() : null,
        snapshottedAt: row.snapshotted_at ? new Date(row.snapshotted_at).toISOString() : null,
        ageSeconds: row.age_seconds,
        artifactSetId: state.set.id,
      })),
    );
    add(state.counts, 'freshnessStatusChanges', changed.length);
  }

  private async publishDatasets(manager: EntityManager, state: ApplyState): Promise<void> {
    const seenAt = new Date().toISOString();
    const known = [...state.changedDatasetNodes.values()].filter(
      (row): row is DatasetNodeRow => row !== null,
    );
    const unknown = [...state.changedDatasetNodes]
      .filter(([, row]) => row === null)
      .map(([uniqueId]) => uniqueId);
    const announced = new Set<string>();
    const batches: DatasetNodeRow[][] = [];
    for (let start = 0; start < known.length; start += NODE_BATCH)
      batches.push(known.slice(start, start + NODE_BATCH));
    for (let start = 0; start < unknown.length; start += NODE_BATCH) {
      batches.push(
        await this.nodes.datasetNodes(manager, state.project.id, unknown.slice(start, start + NODE_BATCH)),
      );
    }
    for (const rows of batches) {
      const events: EventData<typeof DatasetUpserted>[] = [];
      for (const row of rows) {
        const parsed = this.datasetParts(row.dataset_id);
        if (!parsed) continue;
        announced.add(row.dataset_id);
        events.push({
          id: row.dataset_id,
          platform: parsed.platform,
          instance: parsed.instance,
          database: row.database,
          schema: row.schema,
          name: row.identifier ?? row.name,
          kind: datasetKind(row.resource_type, row.materialized, row.catalog_type),
          description: row.description,
          columns: row.columns
            .filter((column) => column && typeof column.name === 'string')
            .map((column) => ({ name: column.name, description: column.description ?? null })),
          source: 'dbt',
          seenAt,
        });
      }
      await this.publisher.publishMany(manager, DatasetUpserted, events);
    }
    const removed = [...state.removedDatasets].filter((id) => !announced.has(id));
    await this.publisher.publishMany(
      manager,
      DatasetRemoved,
      removed.map((id) => ({ id, source: 'dbt' as const, removedAt: seenAt })),
    );
    add(state.counts, 'datasetsAnnounced', announced.size);
    add(state.counts, 'datasetsRemoved', removed.length);
  }

  private datasetParts(id: string): { platform: string; instance: string } | null {
    try {
      return parseDatasetId(id);
    } catch {
      return null;
    }
  }

  /** Announces the project's table-to-table edges when they changed; returns their hash. */
  private async publishLineage(manager: EntityManager, state: ApplyState): Promise<string | null> {
    const edges = datasetEdges(await this.nodes.lineageNodes(manager, state.project.id));
    const hash = contentHash(edges);
    if (hash === state.project.lineageHash) return null;
    const observationId = state.set.id;
    const count = Math.max(1, Math.ceil(edges.length / EDGE_EVENT_BATCH));
    const observedAt = new Date().toISOString();
    const events = Array.from({ length: count }, (_, index) => ({
      source: 'dbt' as const,
      scope: `dbt-project/${state.project.name}`,
      observationId,
      batch: { index, count },
      edges: edges.slice(index * EDGE_EVENT_BATCH, (index + 1) * EDGE_EVENT_BATCH),
      observedAt,
    }));
    await this.publisher.publishMany(manager, LineageEdgesObserved, events);
    add(state.counts, 'lineageEdges', edges.length);
    return hash;
  }
}

/** The registry's kind of a dbt relation: what the warehouse says when the catalog knows, else what dbt builds. */
export function datasetKind(
  resourceType: string,
  materialized: string | null,
  catalogType: string | null,
): string {
  if (catalogType && ['table', 'view', 'materialized_view', 'external'].includes(catalogType))
    return catalogType;
  if (resourceType === 'seed') return 'seed';
  if (resourceType === 'snapshot') return 'snapshot';
  if (resourceType === 'source') return 'source';
  switch (materialized) {
    case 'view':
      return 'view';
    case 'materialized_view':
    case 'materializedview':
    case 'dynamic_table':
      return 'materialized_view';
    case 'ephemeral':
      return 'ephemeral';
    default:
      return 'table';
  }
}
