import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { WarehouseConnectionEntity } from './warehouse-connection.entity.js';

@Injectable()
export class WarehouseConnectionsRepository {
  constructor(private readonly dataSource: DataSource) {}

  private repository(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(WarehouseConnectionEntity);
  }

  byId(id: string): Promise<WarehouseConnectionEntity | null> {
    return this.repository().findOneBy({ id });
  }

  byName(name: string): Promise<WarehouseConnectionEntity | null> {
    return this.repository().findOneBy({ name });
  }

  all(): Promise<WarehouseConnectionEntity[]> {
    return this.repository().find({ order: { name: 'ASC' } });
  }

  insert(
    manager: EntityManager | undefined,
    values: Partial<WarehouseConnectionEntity>,
  ): Promise<WarehouseConnectionEntity> {
    return this.repository(manager).save(this.repository(manager).create(values));
  }

  async update(
    manager: EntityManager | undefined,
    id: string,
    values: Partial<WarehouseConnectionEntity>,
  ): Promise<void> {
    await this.repository(manager).update({ id }, values as never);
  }

  async remove(manager: EntityManager, id: string): Promise<boolean> {
    // Lineage edges, usage and queries of the connection go with it; dataset.removed is the caller's job.
    for (const table of ['column_edge', 'lineage_edge']) {
      await manager.query(`DELETE FROM "warehouse"."${table}" WHERE "scope" = $1`, [`warehouse/${id}`]);
    }
    for (const table of [
      'query_dataset',
      'warehouse_query',
      'dataset_usage',
      'history_seen',
      'warehouse_table',
      'sync_run',
    ]) {
      await manager.query(`DELETE FROM "warehouse"."${table}" WHERE "connection_id" = $1`, [id]);
    }
    const result = await this.repository(manager).delete({ id });
    return (result.affected ?? 0) > 0;
  }

  async list(
    limit: number,
    after: [string, string] | null,
  ): Promise<{ rows: WarehouseConnectionEntity[]; total: number }> {
    const query = this.repository().createQueryBuilder('connection');
    const total = await query.getCount();
    if (after)
      query.where('(connection.name, connection.id) > (:name, :id)', { name: after[0], id: after[1] });
    const rows = await query.orderBy('connection.name').addOrderBy('connection.id').take(limit).getMany();
    return { rows, total };
  }
}
