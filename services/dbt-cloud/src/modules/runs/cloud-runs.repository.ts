import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { CloudEnvironmentEntity } from './cloud-environment.entity.js';
import { CloudJobEntity } from './cloud-job.entity.js';
import { CloudProjectEntity } from './cloud-project.entity.js';
import { CloudRunEntity } from './cloud-run.entity.js';

/** Only this file speaks SQL to the synced projects, environments, jobs and runs. */
@Injectable()
export class CloudRunsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async saveProjects(manager: EntityManager, rows: CloudProjectEntity[]): Promise<void> {
    if (rows.length > 0) await manager.getRepository(CloudProjectEntity).upsert(rows, ['connectionId', 'id']);
  }

  async saveEnvironments(manager: EntityManager, rows: CloudEnvironmentEntity[]): Promise<void> {
    if (rows.length > 0)
      await manager.getRepository(CloudEnvironmentEntity).upsert(rows, ['connectionId', 'id']);
  }

  async saveJobs(manager: EntityManager, rows: CloudJobEntity[]): Promise<void> {
    if (rows.length > 0) await manager.getRepository(CloudJobEntity).upsert(rows, ['connectionId', 'id']);
  }

  async saveRuns(manager: EntityManager, rows: Partial<CloudRunEntity>[]): Promise<void> {
    for (let start = 0; start < rows.length; start += 500) {
      await manager
        .getRepository(CloudRunEntity)
        .upsert(rows.slice(start, start + 500), ['connectionId', 'id']);
    }
  }

  /** Run ids already ingested (artifacts handed over), so a run is never downloaded twice. */
  async ingestedRunIds(connectionId: string, runIds: string[]): Promise<Set<string>> {
    if (runIds.length === 0) return new Set();
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT "id" FROM "dbt_cloud"."cloud_run" WHERE "connection_id" = $1 AND "id" = ANY($2) AND "ingested_at" IS NOT NULL`,
      [connectionId, runIds],
    );
    return new Set(rows.map((row) => row.id));
  }

  projects(connectionId: string): Promise<CloudProjectEntity[]> {
    return this.dataSource
      .getRepository(CloudProjectEntity)
      .find({ where: { connectionId }, order: { name: 'ASC' } });
  }

  environments(connectionId: string): Promise<CloudEnvironmentEntity[]> {
    return this.dataSource.getRepository(CloudEnvironmentEntity).find({ where: { connectionId } });
  }

  async jobs(
    connectionId: string,
    limit: number,
    after: string | null,
  ): Promise<{ rows: CloudJobEntity[]; total: number }> {
    const query = this.dataSource
      .getRepository(CloudJobEntity)
      .createQueryBuilder('job')
      .where('job.connectionId = :connectionId', { connectionId });
    const total = await query.getCount();
    if (after) query.andWhere('job.id > :after', { after });
    return { rows: await query.orderBy('job.id').take(limit).getMany(), total };
  }

  jobsByKeys(keys: { connectionId: string; id: string }[]): Promise<CloudJobEntity[]> {
    if (keys.length === 0) return Promise.resolve([]);
    return this.dataSource
      .getRepository(CloudJobEntity)
      .createQueryBuilder('job')
      .where(`(job.connectionId, job.id) IN (SELECT * FROM unnest(:connections::uuid[], :ids::text[]))`, {
        connections: keys.map((key) => key.connectionId),
        ids: keys.map((key) => key.id),
      })
      .getMany();
  }

  runsByKeys(keys: { connectionId: string; id: string }[]): Promise<CloudRunEntity[]> {
    if (keys.length === 0) return Promise.resolve([]);
    return this.dataSource
      .getRepository(CloudRunEntity)
      .createQueryBuilder('run')
      .where(`(run.connectionId, run.id) IN (SELECT * FROM unnest(:connections::uuid[], :ids::text[]))`, {
        connections: keys.map((key) => key.connectionId),
        ids: keys.map((key) => key.id),
      })
      .getMany();
  }

  async runs(
    connectionId: string,
    filter: { jobId?: string | null },
    limit: number,
    after: [string, string] | null,
  ): Promise<{ rows: CloudRunEntity[]; total: number }> {
    const query = this.dataSource
      .getRepository(CloudRunEntity)
      .createQueryBuilder('run')
      .where('run.connectionId = :connectionId', { connectionId });
    if (filter.jobId) query.andWhere('run.jobId = :jobId', { jobId: filter.jobId });
    const total = await query.getCount();
    // Newest first: run ids grow with time.
    if (after)
      query.andWhere('(length(run.id), run.id) < (:length, :id)', { length: Number(after[0]), id: after[1] });
    const rows = await query
      .orderBy('length(run.id)', 'DESC')
      .addOrderBy('run.id', 'DESC')
      .take(limit)
      .getMany();
    return { rows, total };
  }

  /** The latest finished run of a job (for Dataset.dbtCloud when Discovery has not named one). */
  latestRunOfJob(connectionId: string, jobId: string): Promise<CloudRunEntity | null> {
    return this.dataSource
      .getRepository(CloudRunEntity)
      .createQueryBuilder('run')
      .where('run.connectionId = :connectionId AND run.jobId = :jobId', { connectionId, jobId })
      .andWhere('run.finishedAt IS NOT NULL')
      .orderBy('run.finishedAt', 'DESC')
      .getOne();
  }
}
