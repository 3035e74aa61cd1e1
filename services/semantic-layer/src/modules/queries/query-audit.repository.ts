import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { QueryAuditEntity } from './query-audit.entity.js';

@Injectable()
export class QueryAuditRepository {
  constructor(private readonly dataSource: DataSource) {}

  private repository() {
    return this.dataSource.manager.getRepository(QueryAuditEntity);
  }

  async insert(values: Omit<QueryAuditEntity, 'id' | 'createdAt'>): Promise<void> {
    await this.repository().insert(values as never);
  }

  /** Newest first. */
  async list(
    limit: number,
    after: [string, string] | null,
  ): Promise<{ rows: QueryAuditEntity[]; total: number }> {
    const query = this.repository().createQueryBuilder('audit');
    const total = await query.getCount();
    if (after)
      query.where('(audit.createdAt, audit.id) < (:createdAt, :id)', { createdAt: after[0], id: after[1] });
    const rows = await query
      .orderBy('audit.createdAt', 'DESC')
      .addOrderBy('audit.id', 'DESC')
      .take(limit)
      .getMany();
    return { rows, total };
  }
}
