import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { SemanticLayerConnectionEntity } from './semantic-layer-connection.entity.js';

@Injectable()
export class SemanticLayerConnectionsRepository {
  constructor(private readonly dataSource: DataSource) {}

  private repository() {
    return this.dataSource.manager.getRepository(SemanticLayerConnectionEntity);
  }

  byId(id: string): Promise<SemanticLayerConnectionEntity | null> {
    return this.repository().findOneBy({ id });
  }

  insert(values: Partial<SemanticLayerConnectionEntity>): Promise<SemanticLayerConnectionEntity> {
    return this.repository().save(this.repository().create(values));
  }

  async update(id: string, values: Partial<SemanticLayerConnectionEntity>): Promise<void> {
    await this.repository().update({ id }, values as never);
  }

  async remove(id: string): Promise<boolean> {
    await this.dataSource.query(`DELETE FROM "semantic_layer"."query_audit" WHERE "connection_id" = $1`, [
      id,
    ]);
    const result = await this.repository().delete({ id });
    return (result.affected ?? 0) > 0;
  }

  async list(
    limit: number,
    after: [string, string] | null,
  ): Promise<{ rows: SemanticLayerConnectionEntity[]; total: number }> {
    const query = this.repository().createQueryBuilder('connection');
    const total = await query.getCount();
    if (after)
      query.where('(connection.name, connection.id) > (:name, :id)', { name: after[0], id: after[1] });
    const rows = await query.orderBy('connection.name').addOrderBy('connection.id').take(limit).getMany();
    return { rows, total };
  }
}
