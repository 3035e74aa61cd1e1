import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { CloudModelEntity } from './cloud-model.entity.js';

@Injectable()
export class CloudModelsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async save(manager: EntityManager, rows: CloudModelEntity[]): Promise<void> {
    for (let start = 0; start < rows.length; start += 500) {
      await manager
        .getRepository(CloudModelEntity)
        .upsert(rows.slice(start, start + 500), ['connectionId', 'environmentId', 'uniqueId']);
    }
  }

  /** The model of each dataset: the most recently executed one when several environments built it. */
  byDatasetIds(datasetIds: readonly string[]): Promise<CloudModelEntity[]> {
    return this.dataSource
      .getRepository(CloudModelEntity)
      .createQueryBuilder('model')
      .where('model.datasetId = ANY(:ids)', { ids: [...datasetIds] })
      .orderBy('model.executeCompletedAt', 'DESC', 'NULLS LAST')
      .getMany();
  }
}
