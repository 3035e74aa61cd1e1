import { Injectable } from '@nestjs/common';
import { requestLoader } from '@cartograph/platform/graphql';
import { CloudConnectionsRepository } from '../connections/cloud-connections.repository.js';
import type { DbtCloudDataset } from '../connections/cloud-connection.model.js';
import { CloudRunsRepository } from '../runs/cloud-runs.repository.js';
import { CloudRunsService } from '../runs/cloud-runs.service.js';
import { CloudModelsRepository } from './cloud-models.repository.js';

/** `Dataset.dbtCloud`: the model that builds a table, its job, last run and health, from the last sync. */
@Injectable()
export class CloudDatasetsService {
  constructor(
    private readonly models: CloudModelsRepository,
    private readonly connections: CloudConnectionsRepository,
    private readonly cloud: CloudRunsRepository,
    private readonly runs: CloudRunsService,
  ) {}

  forDataset(context: object, datasetId: string): Promise<DbtCloudDataset | null> {
    return requestLoader<string, DbtCloudDataset>(context, 'dbt-cloud-dataset', async (ids) => {
      const rows = await this.models.byDatasetIds(ids);
      const first = new Map<string, (typeof rows)[number]>();
      for (const row of rows) if (row.datasetId && !first.has(row.datasetId)) first.set(row.datasetId, row);
      const connectionIds = [...new Set([...first.values()].map((row) => row.connectionId))];
      const connections = new Map(
        (await Promise.all(connectionIds.map((id) => this.connections.byId(id))))
          .filter((row) => row !== null)
          .map((row) => [row.id, row]),
      );
      const projects = new Map<string, { id: string; name: string; adapterType: string | null }>();
      const environments = new Map<string, { name: string }>();
      for (const connectionId of connectionIds) {
        for (const project of await this.cloud.projects(connectionId))
          projects.set(`${connectionId}/${project.id}`, project);
        for (const environment of await this.cloud.environments(connectionId))
          environments.set(`${connectionId}/${environment.id}`, environment);
      }
      return Promise.all(
        ids.map(async (id) => {
          const model = first.get(id);
          if (!model) return null;
          const connection = connections.get(model.connectionId);
          const project = projects.get(`${model.connectionId}/${model.projectId}`) ?? null;
          const jobId = model.lastJobId;
          const job = jobId ? await this.runs.job(context, model.connectionId, jobId) : null;
          const lastRun = model.lastRunId
            ? await this.runs.run(context, model.connectionId, model.lastRunId)
            : null;
          return {
            uniqueId: model.uniqueId,
            connectionId: model.connectionId,
            project: project
              ? { id: project.id, name: project.name, adapterType: project.adapterType }
              : null,
            environmentId: model.environmentId,
            environmentName: environments.get(`${model.connectionId}/${model.environmentId}`)?.name ?? null,
            job,
            lastRun,
            health: model.lastRunStatus,
            docsUrl: connection
              ? `${connection.accessUrl}/explore/${connection.accountId}/projects/${model.projectId}/environments/production/details/${encodeURIComponent(model.uniqueId)}`
              : null,
          };
        }),
      );
    }).load(datasetId);
  }
}
