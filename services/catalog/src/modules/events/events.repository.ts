import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { CloudEvent } from '@cartograph/contracts';
import { EventLogEntity } from './event-log.entity.js';

@Injectable()
export class EventsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async record(manager: EntityManager, events: CloudEvent[]): Promise<void> {
    if (events.length === 0) {
      return;
    }
    await manager.query(
      `INSERT INTO "catalog"."event_log" ("id", "type", "source", "subject", "time", "data")
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::jsonb[])
       ON CONFLICT ("id") DO NOTHING`,
      [
        events.map((event) => event.id),
        events.map((event) => event.type),
        events.map((event) => event.source),
        events.map((event) => event.subject),
        events.map((event) => event.time),
        events.map((event) => JSON.stringify(event.data ?? null)),
      ],
    );
  }

  async list(query: {
    types: string[] | null;
    since: Date | null;
    before: { time: string; id: string } | null;
    limit: number;
  }): Promise<{ rows: EventLogEntity[]; totalCount: number }> {
    const builder = this.dataSource.getRepository(EventLogEntity).createQueryBuilder('event');
    if (query.types && query.types.length > 0) {
      builder.andWhere('event.type = ANY(:types)', { types: query.types });
    }
    if (query.since) {
      builder.andWhere('event.time >= :since', { since: query.since });
    }
    const totalCount = await builder.getCount();
    if (query.before) {
      builder.andWhere('(event.time, event.id) < (:time, :id)', query.before);
    }
    const rows = await builder
      .orderBy('event.time', 'DESC')
      .addOrderBy('event.id', 'DESC')
      .limit(query.limit)
      .getMany();
    return { rows, totalCount };
  }

  /** Deletes events, and the consumer ledger entries, older than the retention. */
  async prune(olderThanDays: number): Promise<void> {
    await this.dataSource.query(
      `DELETE FROM "catalog"."event_log" WHERE "time" < now() - make_interval(days => $1)`,
      [olderThanDays],
    );
    // Entries that old are long gone from the stream, so they cannot be redelivered.
    await this.dataSource.query(
      `DELETE FROM "catalog"."processed_events" WHERE "processed_at" < now() - make_interval(days => $1)`,
      [olderThanDays],
    );
  }
}
