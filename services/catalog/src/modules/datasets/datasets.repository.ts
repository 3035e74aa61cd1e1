import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { DatasetEntity } from './dataset.entity.js';
import { DatasetSightingEntity } from './dataset-sighting.entity.js';

export interface SightingInput {
  datasetId: string;
  platform: string;
  instance: string;
  database: string | null;
  schema: string | null;
  name: string;
  kind: string;
  description: string | null | undefined;
  source: string;
  seenAt: Date;
}

export interface DatasetListQuery {
  platform?: string | null;
  instance?: string | null;
  database?: string | null;
  schema?: string | null;
  kind?: string | null;
  source?: string | null;
  includeRemoved?: boolean | null;
  after: string | null;
  limit: number;
}

@Injectable()
export class DatasetsRepository {
  constructor(private readonly dataSource: DataSource) {}

  findByIds(ids: readonly string[]): Promise<DatasetEntity[]> {
    return this.dataSource
      .getRepository(DatasetEntity)
      .createQueryBuilder('dataset')
      .where('dataset.id = ANY(:ids)', { ids })
      .getMany();
  }

  async list(query: DatasetListQuery): Promise<{ rows: DatasetEntity[]; totalCount: number }> {
    const builder = this.dataSource.getRepository(DatasetEntity).createQueryBuilder('dataset');
    for (const column of ['platform', 'instance', 'database', 'schema', 'kind'] as const) {
      const value = query[column];
      if (value) {
        builder.andWhere(`dataset.${column} = :${column}`, { [column]: value });
      }
    }
    if (query.source) {
      builder.andWhere(':source = ANY(dataset.sources)', { source: query.source });
    }
    if (!query.includeRemoved) {
      builder.andWhere('dataset.removedAt IS NULL');
    }
    const totalCount = await builder.getCount();
    if (query.after) {
      builder.andWhere('dataset.id > :after', { after: query.after });
    }
    const rows = await builder.orderBy('dataset.id', 'ASC').limit(query.limit).getMany();
    return { rows, totalCount };
  }

  /** Records one source's sighting; an older sighting than the stored one changes nothing. */
  async upsertSighting(manager: EntityManager, input: SightingInput): Promise<void> {
    await manager.query(
      `INSERT INTO "catalog"."dataset_sighting" ("dataset_id", "source", "kind", "description", "first_seen_at", "last_seen_at", "removed_at")
       VALUES ($1, $2, $3, $4, $5, $5, NULL)
       ON CONFLICT ("dataset_id", "source") DO UPDATE SET
         "kind" = excluded."kind",
         "description" = CASE WHEN $6 THEN excluded."description" ELSE "dataset_sighting"."description" END,
         "last_seen_at" = excluded."last_seen_at",
         "removed_at" = NULL
       WHERE "dataset_sighting"."last_seen_at" <= excluded."last_seen_at"`,
      [input.datasetId, input.source, input.kind, input.description ?? null, input.seenAt, input.description !== undefined],
    );
    // The identity columns come from the id's owner (catalog-model), so any source may create the row.
    await manager.query(
      `INSERT INTO "catalog"."dataset" ("id", "platform", "instance", "database", "schema", "name", "kind", "first_seen_at", "last_seen_at")
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
       ON CONFLICT ("id") DO NOTHING`,
      [input.datasetId, input.platform, input.instance, input.database, input.schema, input.name, input.kind, input.seenAt],
    );
  }

  async markSightingRemoved(manager: EntityManager, datasetId: string, source: string, removedAt: Date): Promise<void> {
    await manager.query(
      `UPDATE "catalog"."dataset_sighting" SET "removed_at" = $3
       WHERE "dataset_id" = $1 AND "source" = $2 AND "last_seen_at" <= $3`,
      [datasetId, source, removedAt],
    );
  }

  activeSightings(manager: EntityManager, datasetId: string): Promise<DatasetSightingEntity[]> {
    return manager.getRepository(DatasetSightingEntity).find({ where: { datasetId }, order: { source: 'ASC' } });
  }

  async saveDerived(
    manager: EntityManager,
    datasetId: string,
    derived: Pick<DatasetEntity, 'kind' | 'description' | 'descriptionSource' | 'sources' | 'firstSeenAt' | 'lastSeenAt' | 'removedAt'>,
  ): Promise<void> {
    await manager.getRepository(DatasetEntity).update({ id: datasetId }, derived);
  }
}
