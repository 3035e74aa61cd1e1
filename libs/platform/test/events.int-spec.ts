import type { DataSource } from 'typeorm';
import type { Redis } from 'ioredis';
import { DatasetUpserted, type CloudEvent } from '@cartograph/contracts';
import { createServiceDataSource } from '../src/database/index.js';
import {
  OutboxPublisher,
  OutboxRelay,
  StreamConsumer,
  eventStreamKey,
  idempotentBatch,
} from '../src/events/index.js';
import { createRedis } from '../src/redis/index.js';
import { cloneTestDatabase, eventually, testRedisPrefix, testRedisUrl } from '../src/testing/index.js';

const dataset = (name: string) => ({
  id: `postgres://db.internal/shop.public.${name}`,
  platform: 'postgres',
  instance: 'db.internal',
  database: 'shop',
  schema: 'public',
  name,
  kind: 'table',
  source: 'warehouse' as const,
  seenAt: '2026-11-23T00:00:00.000Z',
});

describe('outbox → relay → stream → idempotent consumer', () => {
  let dataSource: DataSource;
  let drop: () => Promise<void>;
  let redis: Redis;
  let prefix: string;
  const publisher = new OutboxPublisher({ schema: 'platform_test', service: 'platform-test' });

  beforeAll(async () => {
    const database = await cloneTestDatabase('platform');
    drop = database.drop;
    dataSource = createServiceDataSource({
      url: database.url,
      schema: 'platform_test',
      entities: [],
      migrations: [],
      poolSize: 4,
    });
    await dataSource.initialize();
    redis = createRedis({ url: testRedisUrl() });
    prefix = testRedisPrefix('platform');
  });

  afterAll(async () => {
    redis.disconnect();
    await dataSource.destroy();
    await drop();
  });

  it('refuses to publish outside a transaction and validates the payload', async () => {
    await expect(publisher.publish(dataSource.manager, DatasetUpserted, dataset('a'))).rejects.toThrow(
      /inside the transaction/,
    );
    await expect(
      dataSource.transaction((manager) =>
        publisher.publish(manager, DatasetUpserted, { ...dataset('a'), name: '' }),
      ),
    ).rejects.toThrow();
  });

  it('publishes nothing when the transaction rolls back', async () => {
    await expect(
      dataSource.transaction(async (manager) => {
        await publisher.publish(manager, DatasetUpserted, dataset('rolled_back'));
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    const [{ count }] = await dataSource.query(`SELECT count(*)::int AS count FROM platform_test.outbox`);
    expect(count).toBe(0);
  });

  it('relays committed events as CloudEvents and a consumer group applies each once', async () => {
    const relayRedis = createRedis({ url: testRedisUrl(), failFast: true });
    const relay = new OutboxRelay({
      dataSource,
      redis: relayRedis,
      schema: 'platform_test',
      redisPrefix: prefix,
      pollIntervalMs: 50,
    });
    const published = await dataSource.transaction((manager) =>
      publisher.publishMany(manager, DatasetUpserted, ['orders', 'customers', 'payments'].map(dataset)),
    );
    relay.start();
    await eventually(async () => (await redis.xlen(eventStreamKey(prefix))) === 3);
    const [, fields] = (await redis.xrange(eventStreamKey(prefix), '-', '+'))[0]!;
    const envelope = JSON.parse(fields[1]!) as CloudEvent;
    expect(envelope).toMatchObject({
      specversion: '1.0',
      id: published[0]!.id,
      source: '/cartograph/platform-test',
      type: 'dataset.upserted',
      subject: 'postgres://db.internal/shop.public.orders',
      datacontenttype: 'application/json',
    });

    // Replay the same entries to a second consumer to prove idempotency: the ledger absorbs duplicates.
    const handled: string[] = [];
    const applyBatch = idempotentBatch(
      dataSource,
      'platform_test',
      'test-consumer',
      async (events, manager) => {
        for (const event of events) {
          handled.push(event.id);
          await manager.query(`INSERT INTO platform_test.applied (event_id, subject) VALUES ($1, $2)`, [
            event.id,
            event.subject,
          ]);
        }
      },
    );
    const apply = async (event: CloudEvent) => void (await applyBatch([event]));
    const consumer = new StreamConsumer({
      redis: createRedis({ url: testRedisUrl() }),
      redisPrefix: prefix,
      group: 'g1',
      consumer: 'c1',
      handle: apply,
      blockMs: 100,
    });
    consumer.start();
    await eventually(async () => handled.length === 3);
    for (const event of published) {
      await apply(event);
    }
    // A redelivered batch overlapping new and seen events applies only the new one, once.
    await applyBatch([...published, published[0]!]);
    const [{ count }] = await dataSource.query(`SELECT count(*)::int AS count FROM platform_test.applied`);
    expect(count).toBe(3);
    expect(handled).toHaveLength(3);
    await consumer.stop();
    await relay.stop();
    relayRedis.disconnect();
  });

  it('retries a failing handler and acknowledges once it succeeds', async () => {
    const relayRedis = createRedis({ url: testRedisUrl(), failFast: true });
    const otherPrefix = testRedisPrefix('platform');
    const relay = new OutboxRelay({
      dataSource,
      redis: relayRedis,
      schema: 'platform_test',
      redisPrefix: otherPrefix,
    });
    await dataSource.transaction((manager) => publisher.publish(manager, DatasetUpserted, dataset('flaky')));
    expect(await relay.drain()).toBeGreaterThanOrEqual(1);
    let attempts = 0;
    const consumerRedis = createRedis({ url: testRedisUrl() });
    const consumer = new StreamConsumer({
      redis: consumerRedis,
      redisPrefix: otherPrefix,
      group: 'g2',
      consumer: 'c1',
      blockMs: 100,
      claimIdleMs: 200,
      handle: async () => {
        attempts += 1;
        if (attempts < 3) {
          throw new Error('transient');
        }
      },
    });
    consumer.start();
    await eventually(async () => {
      const pending = (await redis.xpending(eventStreamKey(otherPrefix), 'g2')) as [number, ...unknown[]];
      return attempts >= 3 && pending[0] === 0;
    }, 10_000);
    await consumer.stop();
    relayRedis.disconnect();
  });
});
