import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { SyncRunEntity } from './sync-run.entity.js';

@Injectable()
export class SyncRunsRepository {
  constructor(private readonly dataSource: DataSource) {}

  private repository(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(SyncRunEntity);
  }

  byId(id: string): Promise<SyncRunEntity | null> {
    return this.repository().findOneBy({ id });
  }

  create(manager: EntityManager | undefined, values: Partial<SyncRunEntity>): Promise<SyncRunEntity> {
    return this.repository(manager).save(this.repository(manager).create(values));
  }

  async update(
    manager: EntityManager | undefined,
    id: string,
    values: Partial<SyncRunEntity>,
  ): Promise<void> {
    await this.repository(manager).update({ id }, values);
  }

  /** A run queued, or started within the last hour: asking for a sync again returns it. */
  active(connectionId: string): Promise<SyncRunEntity | null> {
    return this.repository()
      .createQueryBuilder('run')
      .where('run.connectionId = :connectionId', { connectionId })
      .andWhere(
        `(run.state = 'queued' OR (run.state = 'running' AND run.startedAt > now() - interval '1 hour'))`,
      )
      .orderBy('run.queuedAt', 'DESC')
      .getOne();
  }

  async list(
    connectionId: string,
    limit: number,
    after: [string, string] | null,
  ): Promise<{ rows: SyncRunEntity[]; total: number }> {
    const query = this.repository()
      .createQueryBuilder('run')
      .where('run.connectionId = :connectionId', { connectionId });
    const total = await query.getCount();
    if (after)
      query.andWhere('(run.queuedAt, run.id) < (:queuedAt, :id)', { queuedAt: after[0], id: after[1] });
    const rows = await query
      .orderBy('run.queuedAt', 'DESC')
      .addOrderBy('run.id', 'DESC')
      .take(limit)
      .getMany();
    return { rows, total };
  }
}
