import type { Redis } from 'ioredis';
import type { DataSource, EntityManager } from 'typeorm';
import type { CloudEvent } from '@cartograph/contracts';
import { decodeStreamEntry, eventStreamKey } from './event-stream.js';

export type EventHandler = (event: CloudEvent) => Promise<void>;
export type BatchEventHandler = (events: CloudEvent[]) => Promise<void>;

export interface StreamConsumerOptions {
  /** A dedicated connection: XREADGROUP blocks it. */
  redis: Redis;
  redisPrefix: string;
  /** Consumer group: one per logical consumer (e.g. `catalog.dataset-registry`); replicas share it. */
  group: string;
  /** This process within the group, e.g. the hostname and pid. */
  consumer: string;
  handle: EventHandler;
  /**
   * Optional: handles every event of one read at once (e.g. in one transaction), which saves a transaction, an
   * enqueue and an XACK per event. If it throws, nothing of the batch is acknowledged and each event is handled
   * again alone with `handle`, so one bad event only retries and dead-letters itself. It must therefore be
   * all-or-nothing (one transaction) and idempotent, like `handle`.
   */
  handleBatch?: BatchEventHandler;
  batchSize?: number;
  blockMs?: number;
  /** Entries another consumer has held this long without acknowledging are taken over. */
  claimIdleMs?: number;
  /** After this many deliveries an entry is acknowledged and reported instead of retried forever. */
  maxDeliveries?: number;
  onError?: (error: unknown, event?: CloudEvent) => void;
  onDeadLetter?: (event: CloudEvent | null, entryId: string) => void;
}

type StreamReply = [string, [string, string[]][]][] | null;

/**
 * Reads the event stream as a consumer group: at-least-once delivery, acknowledged after the handler
 * succeeded, pending entries retried and taken over from dead consumers. If Redis lost the stream (a
 * restart without persistence), the group is recreated from the start so re-relayed events are read.
 */
export class StreamConsumer {
  private running = false;
  private loop: Promise<void> | null = null;
  private readonly stream: string;

  constructor(private readonly options: StreamConsumerOptions) {
    this.stream = eventStreamKey(options.redisPrefix);
  }

  start(): void {
    if (this.running) {
      return;
    }
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    // Unblock a pending XREADGROUP by closing the dedicated connection.
    this.options.redis.disconnect();
    await this.loop;
  }

  private async ensureGroup(): Promise<void> {
    try {
      await this.options.redis.xgroup('CREATE', this.stream, this.options.group, '0', 'MKSTREAM');
    } catch (error) {
      if (!String(error).includes('BUSYGROUP')) {
        throw error;
      }
    }
  }

  private async run(): Promise<void> {
    let groupReady = false;
    let lastClaim = 0;
    let failures = 0;
    while (this.running) {
      try {
        if (!groupReady) {
          await this.ensureGroup();
          groupReady = true;
          // Our own pending entries first: they were delivered before a crash but never acknowledged.
          await this.readAndHandle('0');
        }
        if (Date.now() - lastClaim > (this.options.claimIdleMs ?? 60_000) / 2) {
          lastClaim = Date.now();
          await this.claimAbandoned();
        }
        await this.readAndHandle('>');
        failures = 0;
      } catch (error) {
        if (!this.running) {
          break;
        }
        if (String(error).includes('NOGROUP')) {
          groupReady = false;
        } else {
          failures += 1;
          this.options.onError?.(error);
          await new Promise((resolve) => setTimeout(resolve, Math.min(100 * 2 ** failures, 5_000)));
        }
      }
    }
  }

  private async readAndHandle(startId: '0' | '>'): Promise<void> {
    const reply = (await this.options.redis.xreadgroup(
      'GROUP',
      this.options.group,
      this.options.consumer,
      'COUNT',
      this.options.batchSize ?? 100,
      'BLOCK',
      startId === '>' ? (this.options.blockMs ?? 2_000) : 1,
      'STREAMS',
      this.stream,
      startId,
    )) as StreamReply;
    const entries = reply?.[0]?.[1] ?? [];
    await this.handleEntries(entries);
  }

  private async claimAbandoned(): Promise<void> {
    const reply = (await this.options.redis.xautoclaim(
      this.stream,
      this.options.group,
      this.options.consumer,
      this.options.claimIdleMs ?? 60_000,
      '0',
      'COUNT',
      this.options.batchSize ?? 100,
    )) as [string, [string, string[]][]];
    await this.handleEntries(reply[1].filter((entry) => entry && entry[1]));
  }

  private async handleEntries(entries: [string, string[]][]): Promise<void> {
    if (this.options.handleBatch && entries.length > 1 && (await this.handleBatch(entries))) {
      return;
    }
    for (const [entryId, fields] of entries) {
      const event = decodeStreamEntry(fields);
      if (!event) {
        this.options.onDeadLetter?.(null, entryId);
        await this.options.redis.xack(this.stream, this.options.group, entryId);
        continue;
      }
      try {
        await this.options.handle(event);
        await this.options.redis.xack(this.stream, this.options.group, entryId);
      } catch (error) {
        this.options.onError?.(error, event);
        await this.deadLetterIfExhausted(entryId, event);
      }
    }
  }

  /**
   * Performance: one handler call and one XACK for the whole read instead of per entry. Returns false when the
   * batch handler failed (nothing acknowledged); the caller then handles the entries one by one.
   */
  private async handleBatch(entries: [string, string[]][]): Promise<boolean> {
    const events: CloudEvent[] = [];
    const undecodable: string[] = [];
    for (const [entryId, fields] of entries) {
      const event = decodeStreamEntry(fields);
      if (event) {
        events.push(event);
      } else {
        undecodable.push(entryId);
      }
    }
    try {
      if (events.length > 0) {
        await this.options.handleBatch!(events);
      }
    } catch {
      // Not reported here: the one-by-one pass reports the event that actually fails.
      return false;
    }
    for (const entryId of undecodable) {
      this.options.onDeadLetter?.(null, entryId);
    }
    await this.options.redis.xack(this.stream, this.options.group, ...entries.map(([entryId]) => entryId));
    return true;
  }

  private async deadLetterIfExhausted(entryId: string, event: CloudEvent): Promise<void> {
    const pending = (await this.options.redis.xpending(
      this.stream,
      this.options.group,
      entryId,
      entryId,
      1,
    )) as [string, string, number, number][];
    const deliveries = pending[0]?.[3] ?? 0;
    if (deliveries >= (this.options.maxDeliveries ?? 10)) {
      this.options.onDeadLetter?.(event, entryId);
      await this.options.redis.xack(this.stream, this.options.group, entryId);
    }
  }
}

/**
 * `idempotent` for a batch: one transaction records every event id in the ledger with one statement and calls
 * `handler` with the events not seen before (in stream order, each id once), so a redelivered batch, or a batch
 * overlapping an earlier one, changes nothing twice. Returns what the handler returned, or null when every
 * event had been processed already.
 */
export function idempotentBatch<T>(
  dataSource: DataSource,
  schema: string,
  consumerName: string,
  handler: (events: CloudEvent[], manager: EntityManager) => Promise<T>,
): (events: CloudEvent[]) => Promise<T | null> {
  const table = `"${schema}"."processed_events"`;
  return (events) =>
    dataSource.transaction(async (manager) => {
      const inserted: { event_id: string }[] = await manager.query(
        `INSERT INTO ${table} ("consumer", "event_id") SELECT $1, unnest($2::uuid[])
         ON CONFLICT DO NOTHING RETURNING "event_id"`,
        [consumerName, events.map((event) => event.id)],
      );
      // Postgres returns uuids in lower case; deleting from the set keeps the first of repeated ids only.
      const fresh = new Set(inserted.map((row) => row.event_id));
      const unseen = events.filter((event) => fresh.delete(event.id.toLowerCase()));
      return unseen.length > 0 ? handler(unseen, manager) : null;
    });
}
