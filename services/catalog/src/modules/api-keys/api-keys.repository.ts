import { Injectable } from '@nestjs/common';
import { DataSource, IsNull } from 'typeorm';
import { ApiKeyEntity } from './api-key.entity.js';

@Injectable()
export class ApiKeysRepository {
  constructor(private readonly dataSource: DataSource) {}

  private get repository() {
    return this.dataSource.getRepository(ApiKeyEntity);
  }

  insert(
    key: Pick<ApiKeyEntity, 'name' | 'role' | 'keyHash' | 'hint' | 'createdBy' | 'expiresAt'>,
  ): Promise<ApiKeyEntity> {
    return this.repository.save(this.repository.create(key));
  }

  findById(id: string): Promise<ApiKeyEntity | null> {
    return this.repository.findOneBy({ id });
  }

  findActiveByHash(keyHash: string): Promise<ApiKeyEntity | null> {
    return this.repository.findOneBy({ keyHash, revokedAt: IsNull() });
  }

  async list(
    after: { createdAt: string; id: string } | null,
    limit: number,
  ): Promise<{ rows: ApiKeyEntity[]; totalCount: number }> {
    const builder = this.repository.createQueryBuilder('key');
    const totalCount = await builder.getCount();
    if (after) {
      builder.where('(key.createdAt, key.id) < (:createdAt, :id)', after);
    }
    const rows = await builder
      .orderBy('key.createdAt', 'DESC')
      .addOrderBy('key.id', 'DESC')
      .limit(limit)
      .getMany();
    return { rows, totalCount };
  }

  async revoke(id: string): Promise<void> {
    await this.repository.update({ id, revokedAt: IsNull() }, { revokedAt: new Date() });
  }

  /** Throttled by the caller; a write per request would turn every read into a write. */
  async touch(id: string): Promise<void> {
    await this.repository.update({ id }, { lastUsedAt: new Date() });
  }

  countActive(): Promise<number> {
    return this.repository.countBy({ revokedAt: IsNull() });
  }
}
