import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { CloudConnectionEntity } from './cloud-connection.entity.js';

@Injectable()
export class CloudConnectionsRepository {
  constructor(private readonly dataSource: DataSource) {}

  private repository(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(CloudConnectionEntity);
  }

  byId(id: string): Promise<CloudConnectionEntity | null> {
    return this.repository().findOneBy({ id });
  }

  byName(name: string): Promise<CloudConnectionEntity | null> {
    return this.repository().findOneBy({ name });
  }

  all(): Promise<CloudConnectionEntity[]> {
    return this.repository().find({ order: { name: 'ASC' } });
  }

  insert(manager: EntityManager, values: Partial<CloudConnectionEntity>): Promise<CloudConnectionEntity> {
    return this.repository(manager).save(this.repository(manager).create(values));
  }

  async update(
    manager: EntityManager | undefined,
    id: string,
    values: Partial<CloudConnectionEntity>,
  ): Promise<void> {
    await this.repository(manager).update({ id }, values as never);
  }

  async remove(manager: EntityManager, id: string): Promise<boolean> {
    for (const table of [
      'cloud_model',
      'cloud_run',
      'cloud_job',
      'cloud_environment',
      'cloud_project',
      'sync_run',
    ]) {
      await manager.query(`DELETE FROM "dbt_cloud"."${table}" WHERE "connection_id" = $1`, [id]);
    }
    const result = await this.repository(manager).delete({ id });
    return (result.affected ?? 0) > 0;
  }

  async list(
    limit: number,
    after: [string, string] | null,
  ): Promise<{ rows: CloudConnectionEntity[]; total: number }> {
    const query = this.repository().createQueryBuilder('connection');
    const total = await query.getCount();
    if (after)
      query.where('(connection.name, connection.id) > (:name, :id)', { name: after[0], id: after[1] });
    const rows = await query.orderBy('connection.name').addOrderBy('connection.id').take(limit).getMany();
    return { rows, total };
  }
}
