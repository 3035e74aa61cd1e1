import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  HexProjectRemoved,
  HexProjectUpserted,
  type CloudEvent,
  type EventData,
} from '@cartograph/contracts';
import { HexProjectDocumentsRepository } from './hex-project-documents.repository.js';
import { SearchRepository } from './search.repository.js';

/**
 * Applies the hex events to what search knows of Hex projects, in the consumer's transaction. Events carry
 * their commit time, so a late redelivery of an older event never overwrites a newer one.
 */
@Injectable()
export class HexProjectIndexService {
  constructor(
    private readonly documents: HexProjectDocumentsRepository,
    private readonly search: SearchRepository,
  ) {}

  async apply(events: CloudEvent[], manager: EntityManager): Promise<void> {
    const upserts = [];
    const removals = [];
    for (const event of events) {
      if (event.type === HexProjectUpserted.type) {
        const data = HexProjectUpserted.schema.parse(event.data) as EventData<typeof HexProjectUpserted>;
        upserts.push({
          id: data.projectId,
          connectionId: data.connectionId,
          title: data.title,
          description: data.description,
          tags: data.tags,
          url: data.url,
          updatedAt: new Date(event.time),
        });
      } else if (event.type === HexProjectRemoved.type) {
        const data = HexProjectRemoved.schema.parse(event.data) as EventData<typeof HexProjectRemoved>;
        removals.push({
          id: data.projectId,
          connectionId: data.connectionId,
          removedAt: new Date(event.time),
        });
      }
    }
    if (upserts.length > 0) {
      await this.documents.upsert(manager, upserts);
      // Title words join the vocabulary, so typo correction knows them.
      await this.search.addTerms(
        manager,
        upserts.flatMap((row) => [row.title, row.description]),
      );
    }
    if (removals.length > 0) await this.documents.remove(manager, removals);
  }
}
