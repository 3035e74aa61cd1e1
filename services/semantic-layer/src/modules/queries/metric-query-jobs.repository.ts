import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { MetricQueryJobEntity } from './metric-query-job.entity.js';

@Injectable()
export class MetricQueryJobsRepository {
  constructor(private readonly dataSource: DataSource) {}

  private repository(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(MetricQueryJobEntity);
  }

  async create(values: Omit<MetricQueryJobEntity, 'id' | 'createdAt'>): Promise<MetricQueryJobEntity> {
    return this.repository().save(this.repository().create(values));
  }

  byId(id: string): Promise<MetricQueryJobEntity | null> {
    return this.repository().findOneBy({ id });
  }

  /** Moves a queued job to RUNNING; false when another worker took it or it already finished. */
  async start(id: string): Promise<boolean> {
    const result = await this.repository()
      .createQueryBuilder()
      .update()
      .set({ status: 'RUNNING', startedAt: () => 'now()' })
      .where('id = :id AND status = :status', { id, status: 'QUEUED' })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  async finish(
    manager: EntityManager,
    id: string,
    values: Pick<MetricQueryJobEntity, 'status' | 'rowCount' | 'sql' | 'upstreamQueryId' | 'error'>,
  ): Promise<void> {
    await this.repository(manager).update({ id }, { ...values, finishedAt: new Date() });
  }
}
