import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { WarehouseTableEntity } from './warehouse-table.entity.js';

@Injectable()
export class WarehouseTablesRepository {
  constructor(private readonly dataSource: DataSource) {}

  private repository(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(WarehouseTableEntity);
  }

  /** dataset id → content hash of every table the connection's last crawl kept. */
  async hashes(connectionId: string): Promise<Map<string, string>> {
    const rows: { dataset_id: string; content_hash: string }[] = await this.dataSource.query(
      `SELECT "dataset_id", "content_hash" FROM "warehouse"."warehouse_table" WHERE "connection_id" = $1`,
      [connectionId],
    );
    return new Map(rows.map((row) => [row.dataset_id, row.content_hash]));
  }

  async save(manager: EntityManager, tables: WarehouseTableEntity[]): Promise<void> {
    for (let offset = 0; offset < tables.length; offset += 1_000) {
      await this.repository(manager).upsert(tables.slice(offset, offset + 1_000), [
        'connectionId',
        'datasetId',
      ]);
    }
  }

  async touch(
    manager: EntityManager,
    connectionId: string,
    datasetIds: string[],
    crawledAt: Date,
  ): Promise<void> {
    if (datasetIds.length === 0) return;
    await manager.query(
      `UPDATE "warehouse"."warehouse_table" SET "crawled_at" = $3 WHERE "connection_id" = $1 AND "dataset_id" = ANY($2::text[])`,
      [connectionId, datasetIds, crawledAt],
    );
  }

  async remove(manager: EntityManager, connectionId: string, datasetIds: string[]): Promise<void> {
    if (datasetIds.length === 0) return;
    await manager.query(
      `DELETE FROM "warehouse"."warehouse_table" WHERE "connection_id" = $1 AND "dataset_id" = ANY($2::text[])`,
      [connectionId, datasetIds],
    );
  }

  /** The newest crawl of each dataset among the given ids (one row per dataset, any connection). */
  async byDatasetIds(datasetIds: readonly string[]): Promise<WarehouseTableEntity[]> {
    if (datasetIds.length === 0) return [];
    return this.repository()
      .createQueryBuilder('t')
      .distinctOn(['t.datasetId'])
      .where('t.datasetId IN (:...ids)', { ids: [...new Set(datasetIds)] })
      .orderBy('t.datasetId')
      .addOrderBy('t.crawledAt', 'DESC')
      .getMany();
  }
}
