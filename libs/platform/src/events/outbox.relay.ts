import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import type { PoolClient, Pool } from 'pg';
import type { CloudEvent } from '@cartograph/contracts';
import { EVENT_FIELD, eventStreamKey } from './event-stream.js';
import { outboxChannel } from './outbox.schema.js';

export interface OutboxRelayOptions {
  dataSource: DataSource;
  /** A fail-fast connection (see createRedis `failFast`), so a Redis outage doesn't hang the relay. */
  redis: Redis;
  schema: string;
  redisPrefix: string;
  batchSize?: number;
  /** Fallback poll interval; NOTIFY normally wakes the relay at once. */
  pollIntervalMs?: number;
  /** Approximate cap of the stream length (XADD MAXLEN ~). */
  streamMaxLength?: number;
  /** Relayed rows are kept this long for inspection, then deleted. */
  retentionHours?: number;
  onError?: (error: unknown) => void;
  onRelayed?: (count: number) => void;
}

interface OutboxRow {
  sequence: string;
  id: string;
  type: string;
  source: string;
  subject: string;
  time: Date;
  data: unknown;
}

/**
 * Moves committed outbox rows to the Redis Stream. Rows are locked with SKIP LOCKED, so several replicas
 * can run a relay; a row is marked relayed only after XADD succeeded, so a Redis outage loses nothing
 * (at worst an event is added twice, and consumers are idempotent on the event id).
 */
export class OutboxRelay {
  private running = false;
  private wake: (() => void) | null = null;
  private listener: PoolClient | null = null;
  private loop: Promise<void> | null = null;
  private lastCleanup = 0;
  private listenUnsupported = false;
  private readonly table: string;
  private readonly stream: string;

  constructor(private readonly options: OutboxRelayOptions) {
    this.table = `"${options.schema}"."outbox"`;
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
    this.wake?.();
    await this.loop;
    await this.closeListener();
  }

  /** Relays everything pending now; returns how many events were relayed. Used by tests and `stop`. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const relayed = await this.relayBatch();
      total += relayed;
      if (relayed < (this.options.batchSize ?? 500)) {
        return total;
      }
    }
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      try {
        await this.ensureListener();
        const relayed = await this.drain();
        if (relayed > 0) {
          this.options.onRelayed?.(relayed);
        }
        await this.cleanup();
        failures = 0;
        await this.sleep(this.options.pollIntervalMs ?? 1_000);
      } catch (error) {
        failures += 1;
        this.options.onError?.(error);
        await this.closeListener();
        await this.sleep(Math.min(100 * 2 ** failures, 5_000));
      }
    }
  }

  private async relayBatch(): Promise<number> {
    const batchSize = this.options.batchSize ?? 500;
    return this.options.dataSource.transaction(async (manager) => {
      const rows: OutboxRow[] = await manager.query(
        `SELECT "sequence", "id", "type", "source", "subject", "time", "data" FROM ${this.table}
         WHERE "relayed_at" IS NULL ORDER BY "sequence" LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [batchSize],
      );
      if (rows.length === 0) {
        return 0;
      }
      const pipeline = this.options.redis.pipeline();
      const maxLength = String(this.options.streamMaxLength ?? 1_000_000);
      for (const row of rows) {
        const event: CloudEvent = {
          specversion: '1.0',
          id: row.id,
          source: row.source,
          type: row.type,
          subject: row.subject,
          time: new Date(row.time).toISOString(),
          datacontenttype: 'application/json',
          data: row.data,
        };
        pipeline.xadd(this.stream, 'MAXLEN', '~', maxLength, '*', EVENT_FIELD, JSON.stringify(event));
      }
      const results = await pipeline.exec();
      const failed = results?.find(([error]) => error);
      if (!results || failed) {
        // Throwing rolls back: the rows stay pending and are retried after a backoff.
        throw failed?.[0] ?? new Error('Redis pipeline returned no result');
      }
      await manager.query(
        `UPDATE ${this.table} SET "relayed_at" = now() WHERE "sequence" = ANY($1::bigint[])`,
        [rows.map((row) => row.sequence)],
      );
      return rows.length;
    });
  }

  private async cleanup(): Promise<void> {
    const now = Date.now();
    if (now - this.lastCleanup < 60_000) {
      return;
    }
    this.lastCleanup = now;
    await this.options.dataSource.query(
      `DELETE FROM ${this.table} WHERE "relayed_at" < now() - make_interval(hours => $1)`,
      [this.options.retentionHours ?? 72],
    );
  }

  private async ensureListener(): Promise<void> {
    if (this.listener || this.listenUnsupported) {
      return;
    }
    const pool = (this.options.dataSource.driver as unknown as { master: Pool }).master;
    const client = await pool.connect();
    client.on('notification', () => this.wake?.());
    client.on('error', () => {
      // The loop notices on its next query and reconnects.
      void this.closeListener();
    });
    try {
      await client.query(`LISTEN ${outboxChannel(this.options.schema)}`);
    } catch {
      // Embedded PGlite has no LISTEN over its socket: polling alone still relays everything.
      client.release();
      this.listenUnsupported = true;
      return;
    }
    this.listener = client;
  }

  private async closeListener(): Promise<void> {
    const listener = this.listener;
    this.listener = null;
    if (listener) {
      try {
        listener.release(true);
      } catch {
        // already broken
      }
    }
  }

  private sleep(milliseconds: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = null;
        resolve();
      }, milliseconds);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
    });
  }
}
