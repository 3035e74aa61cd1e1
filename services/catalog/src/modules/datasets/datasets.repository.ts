import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { DatasetEntity } from './dataset.entity.js';
import { DatasetSightingEntity } from './dataset-sighting.entity.js';
import type { DerivedDataset } from './dataset-derivation.js';

export interface SightingInput {
  datasetId: string;
  platform: string;
  instance: string;
  database: string | null;
  schema: string | null;
  name: string;
  kind: string;
  description: string | null | undefined;
  /** Undefined keeps what the source said before; '' clears it. */
  columnText?: string | null;
  source: string;
  seenAt: Date;
}

export interface SightingRemoval {
  datasetId: string;
  source: string;
  removedAt: Date;
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

  /**
   * Records sightings, one statement per kind of change; an older sighting than the stored one changes
   * nothing. Keys are unique within a call (the registry keeps the last event per dataset and source).
   */
  async upsertSightings(manager: EntityManager, sightings: SightingInput[]): Promise<void> {
    if (sightings.length === 0) {
      return;
    }
    // Events that carry a description (even null, which clears it) set it; events without one keep it.
    for (const withDescription of [true, false]) {
      const group = sightings.filter((sighting) => (sighting.description !== undefined) === withDescription);
      if (group.length === 0) {
        continue;
      }
      await manager.query(
        `INSERT INTO "catalog"."dataset_sighting" ("dataset_id", "source", "kind", "description", "column_text", "first_seen_at", "last_seen_at", "removed_at")
         SELECT i.dataset_id, i.source, i.kind, i.description, i.column_text, i.seen_at, i.seen_at, NULL
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::text[]) AS i(dataset_id, source, kind, description, seen_at, column_text)
         ON CONFLICT ("dataset_id", "source") DO UPDATE SET
           "kind" = excluded."kind",
           "column_text" = coalesce(excluded."column_text", "dataset_sighting"."column_text"),
           ${withDescription ? '"description" = excluded."description",' : ''}
           "last_seen_at" = excluded."last_seen_at",
           "removed_at" = NULL
         WHERE "dataset_sighting"."last_seen_at" <= excluded."last_seen_at"`,
        [
          group.map((sighting) => sighting.datasetId),
          group.map((sighting) => sighting.source),
          group.map((sighting) => sighting.kind),
          group.map((sighting) => sighting.description ?? null),
          group.map((sighting) => sighting.seenAt.toISOString()),
          group.map((sighting) => sighting.columnText ?? null),
        ],
      );
    }
    // The identity columns come from the id's owner (catalog-model), so any source may create the row.
    const firstPerDataset = [
      ...new Map(sightings.map((sighting) => [sighting.datasetId, sighting])).values(),
    ];
    await manager.query(
      `INSERT INTO "catalog"."dataset" ("id", "platform", "instance", "database", "schema", "name", "kind", "first_seen_at", "last_seen_at")
       SELECT i.id, i.platform, i.instance, i.database, i.schema, i.name, i.kind, i.seen_at, i.seen_at
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::timestamptz[])
           AS i(id, platform, instance, database, schema, name, kind, seen_at)
       ON CONFLICT ("id") DO NOTHING`,
      [
        firstPerDataset.map((sighting) => sighting.datasetId),
        firstPerDataset.map((sighting) => sighting.platform),
        firstPerDataset.map((sighting) => sighting.instance),
        firstPerDataset.map((sighting) => sighting.database),
        firstPerDataset.map((sighting) => sighting.schema),
        firstPerDataset.map((sighting) => sighting.name),
        firstPerDataset.map((sighting) => sighting.kind),
        firstPerDataset.map((sighting) => sighting.seenAt.toISOString()),
      ],
    );
  }

  async markSightingsRemoved(manager: EntityManager, removals: SightingRemoval[]): Promise<void> {
    if (removals.length === 0) {
      return;
    }
    await manager.query(
      `UPDATE "catalog"."dataset_sighting" s SET "removed_at" = r.removed_at
         FROM unnest($1::text[], $2::text[], $3::timestamptz[]) AS r(dataset_id, source, removed_at)
        WHERE s."dataset_id" = r.dataset_id AND s."source" = r.source AND s."last_seen_at" <= r.removed_at`,
      [
        removals.map((removal) => removal.datasetId),
        removals.map((removal) => removal.source),
        removals.map((removal) => removal.removedAt.toISOString()),
      ],
    );
  }

  /** Every sighting of the given datasets, grouped by dataset. */
  async sightingsOf(
    manager: EntityManager,
    datasetIds: string[],
  ): Promise<Map<string, DatasetSightingEntity[]>> {
    const rows = await manager
      .getRepository(DatasetSightingEntity)
      .createQueryBuilder('sighting')
      .where('sighting.datasetId = ANY(:datasetIds)', { datasetIds })
      .orderBy('sighting.source', 'ASC')
      .getMany();
    const grouped = new Map<string, DatasetSightingEntity[]>();
    for (const row of rows) {
      grouped.set(row.datasetId, [...(grouped.get(row.datasetId) ?? []), row]);
    }
    return grouped;
  }

  async saveDerivedMany(
    manager: EntityManager,
    rows: { datasetId: string; derived: DerivedDataset }[],
  ): Promise<void> {
    if (rows.length === 0) {
      return;
    }
    await manager.query(
      `UPDATE "catalog"."dataset" d SET
         "kind" = v.kind, "description" = v.description, "description_source" = v.description_source,
         "sources" = string_to_array(v.sources, ','), "first_seen_at" = v.first_seen_at,
         "last_seen_at" = v.last_seen_at, "removed_at" = v.removed_at, "column_text" = v.column_text
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::timestamptz[], $8::timestamptz[], $9::text[])
           AS v(id, kind, description, description_source, sources, first_seen_at, last_seen_at, removed_at, column_text)
        WHERE d."id" = v.id`,
      [
        rows.map((row) => row.datasetId),
        rows.map((row) => row.derived.kind),
        rows.map((row) => row.derived.description),
        rows.map((row) => row.derived.descriptionSource),
        // Source names are fixed identifiers without commas (contracts' DatasetSource).
        rows.map((row) => row.derived.sources.join(',')),
        rows.map((row) => row.derived.firstSeenAt.toISOString()),
        rows.map((row) => row.derived.lastSeenAt.toISOString()),
        rows.map((row) => row.derived.removedAt?.toISOString() ?? null),
        rows.map((row) => row.derived.columnText),
      ],
    );
  }
}
