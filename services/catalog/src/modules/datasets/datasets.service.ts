import { Injectable } from '@nestjs/common';
import { decodeCursor, pageSize, toConnection, type Connection } from '@cartograph/platform/graphql';
import { DatasetsRepository } from './datasets.repository.js';
import type { DatasetEntity } from './dataset.entity.js';
import type { Dataset, DatasetFilter, DatasetKindValue } from './dataset.model.js';

export function toDataset(entity: DatasetEntity): Dataset {
  return {
    ...entity,
    kind: entity.kind as DatasetKindValue,
    displayName: entity.schema ? `${entity.schema}.${entity.name}` : entity.name,
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
