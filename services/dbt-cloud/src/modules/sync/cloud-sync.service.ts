import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { datasetId } from '@cartograph/catalog-model';
import {
  DbtCloudRunIngested,
  SyncCompleted,
  SyncDbtCloudConnection,
  SyncFailed,
  SyncStarted,
  type EventData,
} from '@cartograph/contracts';
import { OutboxPublisher } from '@cartograph/platform/events';
import { createDbtArtifactsClient, type DbtArtifactsClient } from '@cartograph/platform/internal';
import { CONFIG, LOGGER } from '@cartograph/platform/nest';
import type { JobOutcome } from '@cartograph/platform/queue';
import type { DbtCloudConfig } from '../../dbt-cloud.definition.js';
import type { DbtCloudClient } from '../cloud-api/dbt-cloud.client.js';
import type { CloudRun } from '../cloud-api/dbt-cloud.mapper.js';
import { CloudClientFactory } from '../connections/cloud-client.factory.js';
import type { CloudConnectionEntity } from '../connections/cloud-connection.entity.js';
import { CloudConnectionsRepository } from '../connections/cloud-connections.repository.js';
import { describeCloudFailure, isRetryableCloudFailure } from '../connections/cloud-failure.js';
import { CloudModelsRepository } from '../models/cloud-models.repository.js';
import type { CloudModelEntity } from '../models/cloud-model.entity.js';
import type { CloudEnvironmentEntity } from '../runs/cloud-environment.entity.js';
import type { CloudJobEntity } from '../runs/cloud-job.entity.js';
import type { CloudProjectEntity } from '../runs/cloud-project.entity.js';
import { CloudRunsRepository } from '../runs/cloud-runs.repository.js';
import { SyncRunEntity, SyncRunsRepository } from '@cartograph/platform/sync';

const ARTIFACT_NAMES = [
  'manifest.json',
  'catalog.json',
  'run_results.json',
  'sources.json',
  'semantic_manifest.json',
];
const TERMINAL = new Set(['success', 'error', 'cancelled']);
/** Steps that run dbt: their target/ holds the artifacts of that one invocation. */
const DBT_STEP = /Invoke dbt with `dbt (?!deps\b|clean\b|debug\b)/;

function compareIds(left: string, right: string): number {
  return left.length - right.length || (left < right ? -1 : left > right ? 1 : 0);
}

/**
 * One sync of a dbt Cloud connection (research: choose runs per job, fetch every dbt step's artifacts):
 * projects, environments and jobs; runs newer than the cursor; for each new finished run, the artifacts of
 * each dbt step handed to the artifact store as one set; then the applied state of production environments.
 */
@Injectable()
export class CloudSyncService {
  private readonly artifacts: DbtArtifactsClient;

  constructor(
    private readonly dataSource: DataSource,
    private readonly connections: CloudConnectionsRepository,
    private readonly syncRuns: SyncRunsRepository,
    private readonly cloud: CloudRunsRepository,
    private readonly models: CloudModelsRepository,
    private readonly clients: CloudClientFactory,
    private readonly publisher: OutboxPublisher,
    @Inject(CONFIG) private readonly config: DbtCloudConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.artifacts = createDbtArtifactsClient({
      baseUrl: config.DBT_ARTIFACTS_URL,
      internalSecret: config.CARTOGRAPH_INTERNAL_SECRET,
      service: 'dbt-cloud',
    });
  }

  async sync(connectionId: string, syncRunId: string | undefined, attempt: number): Promise<JobOutcome> {
    const connection = await this.connections.byId(connectionId);
    if (!connection) return 'skipped';
    let run: SyncRunEntity | null = syncRunId ? await this.syncRuns.byId(syncRunId) : null;
    if (!run) {
      const active = await this.syncRuns.active(connectionId);
      if (active && active.state === 'running') return 'skipped';
      run =
        active ??
        (await this.syncRuns.create(undefined, { connectionId, state: 'queued', trigger: 'schedule' }));
    }
    const started = Date.now();
    const startedAt = new Date();
    await this.dataSource.transaction(async (manager) => {
      await this.syncRuns.update(manager, run.id, { state: 'running', startedAt, error: null });
      await this.publisher.publish(manager, SyncStarted, {
        service: 'dbt-cloud',
        connectionId,
        syncRunId: run.id,
        startedAt: startedAt.toISOString(),
      });
    });
    const counts: Record<string, number> = {};
    const problems: { subject: string; message: string }[] = [];
    const client = this.clients.create(connection);
    try {
      const cursor = await this.syncBody(connection, client, counts, problems);
      counts['requests'] = client.requestCount;
      await this.dataSource.transaction(async (manager) => {
        await this.syncRuns.update(manager, run.id, {
          state: 'succeeded',
          counts,
          problems,
          cursor,
          finishedAt: new Date(),
        });
        await this.connections.update(manager, connectionId, { lastSyncAt: new Date(), lastError: null });
        await this.publisher.publish(manager, SyncCompleted, {
          service: 'dbt-cloud',
          connectionId,
          syncRunId: run.id,
          finishedAt: new Date().toISOString(),
          durationMs: Date.now() - started,
          counts,
        });
      });
      return 'done';
    } catch (error) {
      const failure = describeCloudFailure(error);
      const retry =
        isRetryableCloudFailure(error) && attempt < (SyncDbtCloudConnection.options.attempts ?? 1);
      counts['requests'] = client.requestCount;
      if (failure.code === 'INTERNAL')
        this.logger.error({ err: error, connectionId }, 'dbt Cloud sync failed');
      await this.dataSource.transaction(async (manager) => {
        await this.syncRuns.update(manager, run.id, {
          state: retry ? 'queued' : 'failed',
          counts,
          problems,
          error: failure,
          finishedAt: retry ? null : new Date(),
        });
        await this.connections.update(manager, connectionId, { lastError: failure });
        if (!retry) {
          await this.publisher.publish(manager, SyncFailed, {
            service: 'dbt-cloud',
            connectionId,
            syncRunId: run.id,
            finishedAt: new Date().toISOString(),
            durationMs: Date.now() - started,
            error: failure,
          });
        }
      });
      if (retry) throw error;
      return 'done';
    } finally {
      await client.close();
    }
  }

  /** Returns the cursor for the next sync: the newest run id below which every run was finished and seen. */
  private async syncBody(
    connection: CloudConnectionEntity,
    client: DbtCloudClient,
    counts: Record<string, number>,
    problems: { subject: string; message: string }[],
  ): Promise<Record<string, string>> {
    const wanted = (ids: string[], id: string) => ids.length === 0 || ids.includes(id);
    const previous = await this.previousCursor(connection.id);

    // Projects, environments, jobs: small lists, replaced each sync.
    const projects: CloudProjectEntity[] = [];
    for await (const project of client.projects()) {
      if (!wanted(connection.projectIds, project.id)) continue;
      projects.push({
        connectionId: connection.id,
        id: project.id,
        name: project.name,
        adapterType: project.adapterType ?? null,
        docsJobId: project.docsJobId ?? null,
        freshnessJobId: project.freshnessJobId ?? null,
      });
    }
    const environments: CloudEnvironmentEntity[] = [];
    for (const project of projects) {
      for (const environment of await client.environments(project.id)) {
        if (!wanted(connection.environmentIds, environment.id)) continue;
        environments.push({
          connectionId: connection.id,
          id: environment.id,
          projectId: project.id,
          name: environment.name,
          type: environment.type ?? null,
          deploymentType: environment.deploymentType ?? null,
        });
      }
    }
    const environmentIds = new Set(environments.map((environment) => environment.id));
    const projectIds = new Set(projects.map((project) => project.id));
    const jobs: CloudJobEntity[] = [];
    for await (const job of client.jobs({})) {
      if (!projectIds.has(job.projectId) || !environmentIds.has(job.environmentId)) continue;
      if (!wanted(connection.jobIds, job.id)) continue;
      jobs.push({
        connectionId: connection.id,
        id: job.id,
        projectId: job.projectId,
        environmentId: job.environmentId,
        name: job.name,
        generateDocs: job.generateDocs,
        runGenerateSources: job.runGenerateSources,
        executeSteps: job.executeSteps,
        cron: job.cron ?? null,
        state: job.state ?? 1,
      });
    }
    await this.dataSource.transaction(async (manager) => {
      await this.cloud.saveProjects(manager, projects);
      await this.cloud.saveEnvironments(manager, environments);
      await this.cloud.saveJobs(manager, jobs);
    });
    counts['projects'] = projects.length;
    counts['environments'] = environments.length;
    counts['jobs'] = jobs.length;
    if (jobs.length === 0) {
      throw Object.assign(
        new Error(
          'No jobs found for this project: turn on "Generate docs on run" for a job in the production environment (Deploy → Jobs → Settings), or check the project, environment and job filters of this connection',
        ),
        { cloudCode: 'NOT_FOUND' },
      );
    }

    // Runs: one account-wide listing of the runs newer than the cursor.
    const jobIds = new Set(jobs.map((job) => job.id));
    const seen: CloudRun[] = [];
    for await (const cloudRun of client.runs({
      idGreaterThan: previous['runId'] ?? undefined,
      orderBy: 'id',
    })) {
      if (!jobIds.has(cloudRun.jobId)) continue;
      seen.push(cloudRun);
    }
    counts['runs'] = seen.length;
    const finished = seen.filter((cloudRun) => TERMINAL.has(cloudRun.status));
    const already = await this.cloud.ingestedRunIds(
      connection.id,
      finished.map((cloudRun) => cloudRun.id),
    );
    await this.dataSource.transaction(async (manager) => {
      await this.cloud.saveRuns(
        manager,
        seen.map((cloudRun) => this.runRow(connection.id, cloudRun)),
      );
    });
    const project = new Map(projects.map((entry) => [entry.id, entry]));
    let newRuns = 0;
    // Runs dbt Cloud saved no artifacts for cost no request at all: recorded and announced in one transaction.
    const withoutArtifacts = finished.filter(
      (cloudRun) => !already.has(cloudRun.id) && cloudRun.artifactsSaved === false,
    );
    await this.dataSource.transaction(async (manager) => {
      await this.cloud.saveRuns(
        manager,
        withoutArtifacts.map((cloudRun) => ({
          ...this.runRow(connection.id, cloudRun),
          artifactSetIds: [],
          ingestedAt: new Date(),
        })),
      );
      await this.publisher.publishMany(
        manager,
        DbtCloudRunIngested,
        withoutArtifacts.map((cloudRun) => this.ingestedEvent(connection, cloudRun, [])),
      );
    });
    newRuns += withoutArtifacts.length;
    for (const cloudRun of withoutArtifacts) {
      if (cloudRun.status === 'success' && cloudRun.hasDocsGenerated) {
        problems.push({
          subject: `run ${cloudRun.id}`,
          message: 'the run reports docs generated, but dbt Cloud lists no artifacts for it',
        });
      }
    }
    const skipped = new Set(withoutArtifacts.map((cloudRun) => cloudRun.id));
    for (const cloudRun of finished.sort((left, right) => compareIds(left.id, right.id))) {
      if (already.has(cloudRun.id) || skipped.has(cloudRun.id)) continue;
      newRuns += 1;
      const artifactSetIds = await this.ingestRun(
        connection,
        client,
        cloudRun,
        project.get(cloudRun.projectId) ?? null,
        counts,
        problems,
      );
      await this.dataSource.transaction(async (manager) => {
        await this.cloud.saveRuns(manager, [
          { ...this.runRow(connection.id, cloudRun), artifactSetIds, ingestedAt: new Date() },
        ]);
        await this.publisher.publish(
          manager,
          DbtCloudRunIngested,
          this.ingestedEvent(connection, cloudRun, artifactSetIds),
        );
      });
    }
    counts['newRuns'] = newRuns;

    // Applied state of deployment environments, when something ran since the last sync.
    if (newRuns > 0 || !previous['runId']) {
      for (const environment of environments.filter((entry) => entry.type !== 'development')) {
        const rows: CloudModelEntity[] = [];
        for await (const model of client.environmentModels(environment.id)) {
          rows.push({
            connectionId: connection.id,
            environmentId: environment.id,
            uniqueId: model.uniqueId,
            projectId: environment.projectId,
            datasetId: this.datasetOf(project.get(environment.projectId) ?? null, connection, model),
            lastRunStatus: model.lastRunStatus ?? null,
            lastRunId: model.lastRunId ?? null,
            lastJobId: model.lastJobId ?? null,
            lastSuccessRunId: model.lastSuccessRunId ?? null,
            executeCompletedAt: model.executeCompletedAt ? new Date(model.executeCompletedAt) : null,
            runElapsedTime: model.runElapsedTime ?? null,
          });
        }
        await this.dataSource.transaction((manager) => this.models.save(manager, rows));
        counts['models'] = (counts['models'] ?? 0) + rows.length;
      }
    }

    // The cursor stops below the oldest run still in progress, so the next sync sees it finish.
    const pending = seen
      .filter((cloudRun) => !TERMINAL.has(cloudRun.status))
      .sort((left, right) => compareIds(left.id, right.id));
    const newest = [...seen].sort((left, right) => compareIds(right.id, left.id))[0]?.id ?? previous['runId'];
    const cursor = pending[0] ? String(BigInt(pending[0].id) - 1n) : newest;
    return cursor ? { runId: cursor } : {};
  }

  private async previousCursor(connectionId: string): Promise<Record<string, string>> {
    const [row]: { cursor: Record<string, string> }[] = await this.dataSource.query(
      `SELECT "cursor" FROM "dbt_cloud"."sync_run" WHERE "connection_id" = $1 AND "state" = 'succeeded'
       ORDER BY "finished_at" DESC LIMIT 1`,
      [connectionId],
    );
    return row?.cursor ?? {};
  }

  /** Downloads the artifacts of each dbt step of a run and hands each step's files over as one set. */
  private async ingestRun(
    connection: CloudConnectionEntity,
    client: DbtCloudClient,
    cloudRun: CloudRun,
    project: CloudProjectEntity | null,
    counts: Record<string, number>,
    problems: { subject: string; message: string }[],
  ): Promise<string[]> {
    const detail = await client.run(cloudRun.id);
    const steps = (detail.steps ?? []).filter((step) => DBT_STEP.test(step.name));
    const setIds: string[] = [];
    const directory = await mkdtemp(join(tmpdir(), 'cartograph-dbt-cloud-'));
    try {
      for (const step of steps) {
        const paths = (await client.artifactPaths(cloudRun.id, step.index)) ?? [];
        const names = ARTIFACT_NAMES.filter((name) => paths.includes(name));
        if (names.length === 0) continue;
        const files = [];
        for (const name of names) {
          const body = await client.artifact(cloudRun.id, name, {
            step: step.index,
            maxBytes: this.config.DBT_CLOUD_ARTIFACT_MAX_BYTES,
          });
          if (!body) {
            problems.push({
              subject: `run ${cloudRun.id} step ${step.index}`,
              message: `${name} is listed but missing (404)`,
            });
            continue;
          }
          const path = join(directory, `${step.index}-${name}`);
          await pipeline(body, createWriteStream(path));
          counts['downloads'] = (counts['downloads'] ?? 0) + 1;
          files.push({ kind: name.replace(/\.json$/, ''), fileName: name, path });
        }
        if (files.length === 0) continue;
        const receipt = await this.artifacts.upload(files, {
          instance: connection.instance,
          origin: 'dbt-cloud',
          originReference: `${connection.accountId}/runs/${cloudRun.id}/steps/${step.index}`,
        });
        setIds.push(receipt.id);
        counts['artifactSets'] = (counts['artifactSets'] ?? 0) + 1;
      }
      if (
        setIds.length === 0 &&
        cloudRun.status === 'success' &&
        (cloudRun.hasDocsGenerated || project?.docsJobId === cloudRun.jobId)
      ) {
        problems.push({
          subject: `run ${cloudRun.id}`,
          message: 'the run reports docs generated, but dbt Cloud lists no artifacts for it',
        });
      }
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
    return setIds;
  }

  private runRow(connectionId: string, cloudRun: CloudRun) {
    return {
      connectionId,
      id: cloudRun.id,
      jobId: cloudRun.jobId,
      projectId: cloudRun.projectId,
      environmentId: cloudRun.environmentId,
      status: cloudRun.status,
      statusMessage: cloudRun.statusMessage ?? null,
      createdAt: cloudRun.createdAt ? new Date(cloudRun.createdAt) : null,
      startedAt: cloudRun.startedAt ? new Date(cloudRun.startedAt) : null,
      finishedAt: cloudRun.finishedAt ? new Date(cloudRun.finishedAt) : null,
      // The run itself, without the time it waited in the queue (dbt Cloud's "Run duration").
      durationSeconds: cloudRun.runDurationSeconds ?? cloudRun.durationSeconds ?? null,
      url: cloudRun.url ?? null,
      gitSha: cloudRun.gitSha ?? null,
      gitBranch: cloudRun.gitBranch ?? null,
      triggerCause: cloudRun.triggerCause ?? null,
      hasDocsGenerated: cloudRun.hasDocsGenerated ?? false,
      hasSourcesGenerated: cloudRun.hasSourcesGenerated ?? false,
    };
  }

  private ingestedEvent(
    connection: CloudConnectionEntity,
    cloudRun: CloudRun,
    artifactSetIds: string[],
  ): EventData<typeof DbtCloudRunIngested> {
    const iso = (value: string | Date | null | undefined) => (value ? new Date(value).toISOString() : null);
    return {
      connectionId: connection.id,
      accountId: connection.accountId,
      projectId: cloudRun.projectId,
      environmentId: cloudRun.environmentId,
      jobId: cloudRun.jobId,
      runId: cloudRun.id,
      status: cloudRun.status,
      startedAt: iso(cloudRun.startedAt),
      finishedAt: iso(cloudRun.finishedAt),
      // The run itself, without the time it waited in the queue (dbt Cloud's "Run duration").
      durationSeconds: cloudRun.runDurationSeconds ?? cloudRun.durationSeconds ?? null,
      url: cloudRun.url ?? null,
      artifactSetIds,
    };
  }

  private datasetOf(
    project: CloudProjectEntity | null,
    connection: CloudConnectionEntity,
    model: { database?: string | null; schema?: string | null; alias?: string | null; name?: string | null },
  ): string | null {
    const name = model.alias ?? model.name;
    if (!project?.adapterType || !name) return null;
    try {
      return datasetId({
        platform: project.adapterType,
        instance: connection.instance,
        database: model.database,
        schema: model.schema,
        name,
      });
    } catch {
      return null;
    }
  }
}
