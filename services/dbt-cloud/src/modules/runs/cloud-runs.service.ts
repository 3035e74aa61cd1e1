import { Injectable } from '@nestjs/common';
import { decodeCursor, pageSize, requestLoader, toConnection } from '@cartograph/platform/graphql';
import type { DbtCloudJob, DbtCloudProject, DbtCloudRun } from '../connections/cloud-connection.model.js';
import type { CloudJobEntity } from './cloud-job.entity.js';
import type { CloudRunEntity } from './cloud-run.entity.js';
import { CloudRunsRepository } from './cloud-runs.repository.js';

export function toRun(entity: CloudRunEntity): DbtCloudRun {
  return {
    id: entity.id,
    jobId: entity.jobId,
    projectId: entity.projectId,
    environmentId: entity.environmentId,
    status: entity.status,
    statusMessage: entity.statusMessage,
    startedAt: entity.startedAt,
    finishedAt: entity.finishedAt,
    durationSeconds: entity.durationSeconds,
    url: entity.url,
    gitSha: entity.gitSha,
    gitBranch: entity.gitBranch,
    triggerCause: entity.triggerCause,
    hasDocsGenerated: entity.hasDocsGenerated,
    artifactSetIds: entity.artifactSetIds,
  };
}

export function toJob(entity: CloudJobEntity): DbtCloudJob {
  return {
    id: entity.id,
    connectionId: entity.connectionId,
    name: entity.name,
    projectId: entity.projectId,
    environmentId: entity.environmentId,
    generateDocs: entity.generateDocs,
    runGenerateSources: entity.runGenerateSources,
    executeSteps: entity.executeSteps,
    cron: entity.cron,
  };
}

const key = (connectionId: string, id: string) => `${connectionId}\u0000${id}`;
const split = (entry: string) => ({ connectionId: entry.split('\u0000')[0]!, id: entry.split('\u0000')[1]! });

@Injectable()
export class CloudRunsService {
  constructor(private readonly cloud: CloudRunsRepository) {}

  async projects(connectionId: string): Promise<DbtCloudProject[]> {
    return (await this.cloud.projects(connectionId)).map((project) => ({
      id: project.id,
      name: project.name,
      adapterType: project.adapterType,
    }));
  }

  async jobs(connectionId: string, first: number, after: string | null) {
    const size = pageSize(first);
    const cursor = decodeCursor(after) as [string] | null;
    const { rows, total } = await this.cloud.jobs(connectionId, size + 1, cursor?.[0] ?? null);
    return toConnection(rows, size, total, (row) => [row.id], Boolean(cursor), toJob);
  }

  async runs(connectionId: string, filter: { jobId?: string | null }, first: number, after: string | null) {
    const size = pageSize(first, 20);
    const cursor = decodeCursor(after) as [string, string] | null;
    const { rows, total } = await this.cloud.runs(connectionId, filter, size + 1, cursor);
    return toConnection(rows, size, total, (row) => [String(row.id.length), row.id], Boolean(cursor), toRun);
  }

  job(context: object, connectionId: string, id: string): Promise<DbtCloudJob | null> {
    return requestLoader<string, DbtCloudJob>(context, 'dbt-cloud-job', async (keys) => {
      const rows = await this.cloud.jobsByKeys(keys.map(split));
      const found = new Map(rows.map((row) => [key(row.connectionId, row.id), toJob(row)]));
      return keys.map((entry) => found.get(entry) ?? null);
    }).load(key(connectionId, id));
  }

  run(context: object, connectionId: string, id: string): Promise<DbtCloudRun | null> {
    return requestLoader<string, DbtCloudRun>(context, 'dbt-cloud-run', async (keys) => {
      const rows = await this.cloud.runsByKeys(keys.map(split));
      const found = new Map(rows.map((row) => [key(row.connectionId, row.id), toRun(row)]));
      return keys.map((entry) => found.get(entry) ?? null);
    }).load(key(connectionId, id));
  }
}
