import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DatasetRemoved, DatasetUpserted, type CloudEvent, type EventData } from '@cartograph/contracts';
import { DatasetsRepository } from './datasets.repository.js';
import { deriveDataset } from './dataset-derivation.js';
import { SearchRepository } from '../search/search.repository.js';

/** Builds the Dataset registry from `dataset.upserted/removed` events, inside the consumer's transaction. */
@Injectable()
export class DatasetRegistryService {
  constructor(
    private readonly datasets: DatasetsRepository,
    private readonly search: SearchRepository,
  ) {}

  async apply(event: CloudEvent, manager: EntityManager): Promise<void> {
    if (event.type === DatasetUpserted.type) {
      const data = DatasetUpserted.schema.parse(event.data) as EventData<typeof DatasetUpserted>;
      await this.datasets.upsertSighting(manager, {
        datasetId: data.id,
        platform: data.platform,
        instance: data.instance,
        database: data.database,
        schema: data.schema,
        name: data.name,
        kind: data.kind,
        description: data.description,
        source: data.source,
        seenAt: new Date(data.seenAt),
      });
      await this.rederive(manager, data.id, data.kind);
      await this.search.addTerms(manager, [data.name, data.description]);
    } else if (event.type === DatasetRemoved.type) {
      const data = DatasetRemoved.schema.parse(event.data) as EventData<typeof DatasetRemoved>;
      await this.datasets.markSightingRemoved(manager, data.id, data.source, new Date(data.removedAt));
      await this.rederive(manager, data.id, 'unknown');
    }
  }

  private async rederive(manager: EntityManager, datasetId: string, fallbackKind: string): Promise<void> {
    const derived = deriveDataset(await this.datasets.activeSightings(manager, datasetId), fallbackKind);
    if (derived) {
      await this.datasets.saveDerived(manager, datasetId, derived);
    }
  }
}
