import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { HexConnectionEntity } from './hex-connection.entity.js';

@Injectable()
export class HexConnectionsRepository {
  constructor(private readonly dataSource: DataSource) {}

  private repository(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(HexConnectionEntity);
  }

  byId(id: string): Promise<HexConnectionEntity | null> {
    return this.repository().findOneBy({ id });
  }

  byName(name: string): Promise<HexConnectionEntity | null> {
    return this.repository().findOneBy({ name });
  }

  all(): Promise<HexConnectionEntity[]> {
    return this.repository().find({ order: { name: 'ASC' } });
  }

  insert(manager: EntityManager, values: Partial<HexConnectionEntity>): Promise<HexConnectionEntity> {
    return this.repository(manager).save(this.repository(manager).create(values));
  }

  async update(
    manager: EntityManager | undefined,
    id: string,
    values: Partial<HexConnectionEntity>,
  ): Promise<void> {
    await this.repository(manager).update({ id }, values as never);
  }

  async remove(manager: EntityManager, id: string): Promise<boolean> {
    for (const table of ['hex_project', 'hex_user', 'sync_run']) {
      await manager.query(`DELETE FROM "hex"."${table}" WHERE "connection_id" = $1`, [id]);
    }
    const result = await this.repository(manager).delete({ id });
    return (result.affected ?? 0) > 0;
  }

  async list(
    limit: number,
    after: [string, string] | null,
  ): Promise<{ rows: HexConnectionEntity[]; total: number }> {
    const query = this.repository().createQueryBuilder('connection');
    const total = await query.getCount();
    if (after)
      query.where('(connection.name, connection.id) > (:name, :id)', { name: after[0], id: after[1] });
    const rows = await query.orderBy('connection.name').addOrderBy('connection.id').take(limit).getMany();
    return { rows, total };
  }
}
