import { Injectable } from '@nestjs/common';
import { decodeCursor, pageSize, toConnection, type Connection } from '@cartograph/platform/graphql';
import { DatasetsRepository } from './datasets.repository.js';
import type { DatasetEntity } from './dataset.entity.js';
import type { ParsedDatasetId } from '@cartograph/catalog-model';
import { DatasetKindValue, type Dataset, type DatasetFilter } from './dataset.model.js';

export function toDataset(entity: DatasetEntity): Dataset {
  return {
    ...entity,
    kind: entity.kind as DatasetKindValue,
    displayName: entity.schema ? `${entity.schema}.${entity.name}` : entity.name,
  };
}

/** A dataset named by id only (no source registered it): what its id says, nothing more. */
export function unregisteredDataset(parsed: ParsedDatasetId): Dataset {
  return {
    id: parsed.id,
    platform: parsed.platform,
    instance: parsed.instance,
    database: parsed.database || null,
    schema: parsed.schema || null,
    name: parsed.name,
    displayName: parsed.schema ? `${parsed.schema}.${parsed.name}` : parsed.name,
    description: null,
    descriptionSource: null,
    kind: DatasetKindValue.UNKNOWN,
    sources: [],
    firstSeenAt: null,
    lastSeenAt: null,
    removedAt: null,
  };
}

@Injectable()
export class DatasetsService {
  constructor(private readonly datasets: DatasetsRepository) {}

  async byIds(ids: readonly string[]): Promise<DatasetEntity[]> {
    return this.datasets.findByIds(ids);
  }

  async list(
    filter: DatasetFilter | null | undefined,
    first: number | null | undefined,
    after: string | null | undefined,
  ): Promise<Connection<Dataset>> {
    const limit = pageSize(first);
    const cursor = decodeCursor(after);
    const { rows, totalCount } = await this.datasets.list({
      ...(filter ?? {}),
      after: cursor ? String(cursor[0]) : null,
      limit: limit + 1,
    });
    return toConnection(rows, limit, totalCount, (row) => [row.id], Boolean(cursor), toDataset);
  }
}
