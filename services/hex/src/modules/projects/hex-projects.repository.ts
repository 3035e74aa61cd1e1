import { Injectable } from '@nestjs/common';
import { Brackets, DataSource, type EntityManager } from 'typeorm';
import { HexProjectEntity } from './hex-project.entity.js';
import type { HexProjectFilter } from './hex-project.model.js';

@Injectable()
export class HexProjectsRepository {
  constructor(private readonly dataSource: DataSource) {}

  private repository(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(HexProjectEntity);
  }

  async list(
    filter: HexProjectFilter,
    limit: number,
    after: [string, string, string] | null,
  ): Promise<{ rows: HexProjectEntity[]; total: number }> {
    const query = this.repository().createQueryBuilder('project');
    if (!filter.includeRemoved) query.andWhere('project.removedAt IS NULL');
    if (filter.connectionId)
      query.andWhere('project.connectionId = :connectionId', { connectionId: filter.connectionId });
    if (filter.type) query.andWhere('project.type = :type', { type: filter.type.toUpperCase() });
    if (filter.status) query.andWhere('project.status = :status', { status: filter.status });
    if (filter.category) query.andWhere(':category = ANY(project.categories)', { category: filter.category });
    if (filter.tag) query.andWhere(':tag = ANY(project.tags)', { tag: filter.tag });
    if (filter.owner) query.andWhere('lower(project.ownerEmail) = lower(:owner)', { owner: filter.owner });
    for (const [index, word] of (filter.search ?? '').split(/\s+/).filter(Boolean).slice(0, 10).entries()) {
      query.andWhere(`project.title ILIKE :word${index}`, {
        [`word${index}`]: `%${word.replace(/[\\%_]/g, '\\$&')}%`,
      });
    }
    const total = await query.getCount();
    if (after) {
      query.andWhere(
        new Brackets((where) =>
          where.where('(project.title, project.id, project.connectionId) > (:title, :id, :connection)', {
            title: after[0],
            id: after[1],
            connection: after[2],
          }),
        ),
      );
    }
    const rows = await query
      .orderBy('project.title')
      .addOrderBy('project.id')
      .addOrderBy('project.connectionId')
      .take(limit)
      .getMany();
    return { rows, total };
  }

  /** The freshest row of each id (a project two connections see is shown as the last one synced it). */
  async byIds(ids: readonly string[]): Promise<HexProjectEntity[]> {
    if (ids.length === 0) return [];
    return this.repository()
      .createQueryBuilder('project')
      .distinctOn(['project.id'])
      .where('project.id IN (:...ids)', { ids: [...new Set(ids)] })
      .orderBy('project.id')
      .addOrderBy('project.removedAt', 'DESC', 'NULLS FIRST')
      .addOrderBy('project.syncedAt', 'DESC')
      .getMany();
  }

  byKeys(connectionId: string, ids: readonly string[], manager?: EntityManager): Promise<HexProjectEntity[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.repository(manager)
      .createQueryBuilder('project')
      .where('project.connectionId = :connectionId', { connectionId })
      .andWhere('project.id IN (:...ids)', { ids: [...ids] })
      .getMany();
  }

  /** Inserts or replaces whole rows, 200 a statement (one round trip, no read-before-write). */
  async save(manager: EntityManager, rows: HexProjectEntity[]): Promise<void> {
    const metadata = manager.connection.getMetadata(HexProjectEntity);
    const keys = ['connection_id', 'id'];
    const columns = metadata.columns
      .map((column) => column.databaseName)
      .filter((name) => !keys.includes(name));
    for (let start = 0; start < rows.length; start += 200) {
      await manager
        .createQueryBuilder()
        .insert()
        .into(HexProjectEntity)
        .values(rows.slice(start, start + 200) as never[])
        .orUpdate(columns, keys)
        .updateEntity(false)
        .execute();
    }
  }

  /** Marks the projects a full sync listed, unchanged ones included. */
  async markListed(
    manager: EntityManager,
    connectionId: string,
    ids: string[],
    syncRunId: string,
  ): Promise<void> {
    if (ids.length === 0) return;
    await manager.query(
      `UPDATE "hex"."hex_project" SET "listed_by_sync_run_id" = $3 WHERE "connection_id" = $1 AND "id" = ANY($2::text[])`,
      [connectionId, ids, syncRunId],
    );
  }

  /** Soft-deletes what the full sync `syncRunId` did not list; returns them. */
  async removeUnlisted(
    manager: EntityManager,
    connectionId: string,
    syncRunId: string,
    removedAt: Date,
  ): Promise<{ id: string; title: string }[]> {
    const [rows] = (await manager.query(
      `UPDATE "hex"."hex_project" SET "removed_at" = $3
       WHERE "connection_id" = $1 AND "removed_at" IS NULL
         AND ("listed_by_sync_run_id" IS NULL OR "listed_by_sync_run_id" <> $2)
       RETURNING "id", "title"`,
      [connectionId, syncRunId, removedAt],
    )) as [{ id: string; title: string }[], number];
    return rows;
  }

  async setOwner(
    connectionId: string,
    id: string,
    owner: { email: string | null; name: string | null; source: string | null },
  ): Promise<boolean> {
    const result = await this.repository().update(
      { connectionId, id },
      { ownerEmail: owner.email, ownerName: owner.name, ownerSource: owner.source },
    );
    return (result.affected ?? 0) > 0;
  }
}
