import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DatasetRemoved, DatasetUpserted, type CloudEvent, type EventData } from '@cartograph/contracts';
import { DatasetsRepository, type SightingInput, type SightingRemoval } from './datasets.repository.js';
import { deriveDataset, type DerivedDataset } from './dataset-derivation.js';
import { SearchRepository } from '../search/search.repository.js';

/**
 * Builds the Dataset registry from `dataset.upserted/removed` events, inside the consumer's transaction.
 * A batch costs a fixed handful of statements whatever its size: at hundreds of events a second, one
 * round trip per event per step is what would limit the pipeline.
 */
@Injectable()
export class DatasetRegistryService {
  constructor(
    private readonly datasets: DatasetsRepository,
    private readonly search: SearchRepository,
  ) {}

  async apply(events: CloudEvent[], manager: EntityManager): Promise<void> {
    // The last event per (dataset, source) in stream order wins, as it would applied one at a time.
    const latest = new Map<string, { upsert?: SightingInput; removal?: SightingRemoval }>();
    const fallbackKinds = new Map<string, string>();
    for (const event of events) {
      if (event.type === DatasetUpserted.type) {
        const data = DatasetUpserted.schema.parse(event.data) as EventData<typeof DatasetUpserted>;
        latest.set(`${data.id}\u0000${data.source}`, {
          upsert: {
            datasetId: data.id,
            platform: data.platform,
            instance: data.instance,
            database: data.database,
            schema: data.schema,
            name: data.name,
            kind: data.kind,
            description: data.description,
            columnText: data.columns
              ?.map((column) => (column.description ? `${column.name} ${column.description}` : column.name))
              .join('\n'),
            source: data.source,
            seenAt: new Date(data.seenAt),
          },
        });
        fallbackKinds.set(data.id, data.kind);
      } else if (event.type === DatasetRemoved.type) {
        const data = DatasetRemoved.schema.parse(event.data) as EventData<typeof DatasetRemoved>;
        latest.set(`${data.id}\u0000${data.source}`, {
          removal: { datasetId: data.id, source: data.source, removedAt: new Date(data.removedAt) },
        });
        if (!fallbackKinds.has(data.id)) {
          fallbackKinds.set(data.id, 'unknown');
        }
      }
    }
    if (latest.size === 0) {
      return;
    }
    const upserts = [...latest.values()].flatMap((entry) => (entry.upsert ? [entry.upsert] : []));
    const removals = [...latest.values()].flatMap((entry) => (entry.removal ? [entry.removal] : []));
    await this.datasets.upsertSightings(manager, upserts);
    await this.datasets.markSightingsRemoved(manager, removals);

    const sightings = await this.datasets.sightingsOf(manager, [...fallbackKinds.keys()]);
    const derived: { datasetId: string; derived: DerivedDataset }[] = [];
    for (const [datasetId, fallbackKind] of fallbackKinds) {
      const result = deriveDataset(sightings.get(datasetId) ?? [], fallbackKind);
      if (result) {
        derived.push({ datasetId, derived: result });
      }
    }
    await this.datasets.saveDerivedMany(manager, derived);
    await this.search.addTerms(
      manager,
      upserts.flatMap((upsert) => [upsert.name, upsert.description, upsert.columnText]),
    );
  }
}
