import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { RolePolicyEntity } from './role-policy.entity.js';

@Injectable()
export class RolePoliciesRepository {
  constructor(private readonly dataSource: DataSource) {}

  private repository() {
    return this.dataSource.manager.getRepository(RolePolicyEntity);
  }

  byRole(role: string): Promise<RolePolicyEntity | null> {
    return this.repository().findOneBy({ role });
  }

  all(): Promise<RolePolicyEntity[]> {
    return this.repository().find({ order: { role: 'ASC' } });
  }

  async upsert(values: Omit<RolePolicyEntity, 'updatedAt'>): Promise<RolePolicyEntity> {
    await this.repository().upsert(values, ['role']);
    return (await this.byRole(values.role))!;
  }
}
