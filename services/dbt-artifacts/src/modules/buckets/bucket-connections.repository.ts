import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, type QueryDeepPartialEntity } from 'typeorm';
import { BucketConnectionEntity } from './bucket-connection.entity.js';
import { BucketFolderEntity } from './bucket-folder.entity.js';
import { SyncRunEntity } from './sync-run.entity.js';

@Injectable()
export class BucketConnectionsRepository {
  constructor(private readonly dataSource: DataSource) {}

  private repository(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(BucketConnectionEntity);
  }

  byId(id: string): Promise<BucketConnectionEntity | null> {
    return this.repository().findOneBy({ id });
  }

  byName(name: string): Promise<BucketConnectionEntity | null> {
    return this.repository().findOneBy({ name });
  }

  all(): Promise<BucketConnectionEntity[]> {
    return this.repository().find({ order: { name: 'ASC' } });
  }

  async ids(): Promise<Set<string>> {
    const rows = await this.repository().find({ select: { id: true } });
    return new Set(rows.map((row) => row.id));
  }

  insert(manager: EntityManager, values: Partial<BucketConnectionEntity>): Promise<BucketConnectionEntity> {
    return this.repository(manager).save(this.repository(manager).create(values));
  }

  async update(
    manager: EntityManager,
    id: string,
    values: Partial<BucketConnectionEntity>,
  ): Promise<BucketConnectionEntity> {
    // jsonb `schedule` is written whole; TypeORM's deep-partial type cannot see that.
    await this.repository(manager).update({ id }, values as QueryDeepPartialEntity<BucketConnectionEntity>);
    return (await this.repository(manager).findOneBy({ id }))!;
  }

  /** The connection, what it remembers per folder, and its run history. */
  async delete(manager: EntityManager, id: string): Promise<void> {
    await manager.delete(BucketFolderEntity, { connectionId: id });
    await manager.delete(SyncRunEntity, { connectionId: id });
    await manager.delete(BucketConnectionEntity, { id });
  }

  /** By name, then id, so the order is stable and readable. */
  async list(
    limit: number,
    after: [string, string] | null,
  ): Promise<{ rows: BucketConnectionEntity[]; total: number }> {
    const query = this.repository().createQueryBuilder('connection');
    const total = await query.getCount();
    if (after) {
      query.where('(connection.name, connection.id) > (:name, :id)', { name: after[0], id: after[1] });
    }
    const rows = await query
      .orderBy('connection.name', 'ASC')
      .addOrderBy('connection.id', 'ASC')
      .take(limit)
      .getMany();
    return { rows, total };
  }
}
