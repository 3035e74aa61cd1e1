import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { CloudEvent, EventContract, EventData } from '@cartograph/contracts';
import { outboxChannel } from './outbox.schema.js';

export interface OutboxPublisherOptions {
  /** The service's schema, where its outbox table lives. */
  schema: string;
  /** Service name; the envelope's source is `/cartograph/<service>`. */
  service: string;
}

/**
 * Writes events into the outbox inside the caller's transaction, so an event exists exactly when the
 * change it describes was committed. The relay moves them to the Redis Stream afterwards.
 */
export class OutboxPublisher {
  private readonly table: string;
  private readonly channel: string;

  constructor(private readonly options: OutboxPublisherOptions) {
    this.table = `"${options.schema}"."outbox"`;
    this.channel = outboxChannel(options.schema);
  }

  async publish<Contract extends EventContract>(
    manager: EntityManager,
    contract: Contract,
    data: EventData<Contract>,
    options: { time?: Date } = {},
  ): Promise<CloudEvent<EventData<Contract>>> {
    const [event] = await this.publishMany(manager, contract, [data], options);
    return event!;
  }

  async publishMany<Contract extends EventContract>(
    manager: EntityManager,
    contract: Contract,
    items: EventData<Contract>[],
    options: { time?: Date } = {},
  ): Promise<CloudEvent<EventData<Contract>>[]> {
    if (items.length === 0) {
      return [];
    }
    if (!manager.queryRunner?.isTransactionActive) {
      throw new Error(`publish(${contract.type}) must run inside the transaction that makes the change`);
    }
    const time = (options.time ?? new Date()).toISOString();
    const events = items.map((item): CloudEvent<EventData<Contract>> => {
      const data = contract.schema.parse(item) as EventData<Contract>;
      return {
        specversion: '1.0',
        id: randomUUID(),
        source: `/cartograph/${this.options.service}`,
        type: contract.type,
        subject: contract.subject(data),
        time,
        datacontenttype: 'application/json',
        data,
      };
    });
    // One multi-row insert per 1000 events keeps big syncs fast without hitting the parameter limit.
    for (let start = 0; start < events.length; start += 1_000) {
      const chunk = events.slice(start, start + 1_000);
      const values: unknown[] = [];
      const rows = chunk.map((event, index) => {
        const base = index * 6;
        values.push(
          event.id,
          event.type,
          event.source,
          event.subject,
          event.time,
          JSON.stringify(event.data),
        );
        return `($${base + 1}, $${base + 2}, $${base + 3}, $${base + 4}, $${base + 5}, $${base + 6}::jsonb)`;
      });
      await manager.query(
        `INSERT INTO ${this.table} ("id", "type", "source", "subject", "time", "data") VALUES ${rows.join(', ')}`,
        values,
      );
    }
    // NOTIFY is transactional: the relay hears it only when the change commits.
    await manager.query(`SELECT pg_notify($1, '')`, [this.channel]);
    return events;
  }
}
