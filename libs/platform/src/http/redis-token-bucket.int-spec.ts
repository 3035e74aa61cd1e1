import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { testRedisUrl } from '../testing/test-database.js';
import { RedisTokenBucket } from './redis-token-bucket.js';

describe('RedisTokenBucket (real Redis)', () => {
  let redis: Redis;
  let other: Redis;

  beforeAll(() => {
    redis = new Redis(testRedisUrl());
    other = new Redis(testRedisUrl());
  });

  afterAll(async () => {
    await redis.quit();
    await other.quit();
  });

  const key = () => `test:platform:${randomBytes(4).toString('hex')}:bucket`;

  it('lets the burst through, then spaces reservations at the rate, first come first served', async () => {
    // One token a second: the time Redis's clock moves between the calls (ms on a loaded machine) is small beside it.
    const bucket = new RedisTokenBucket({ redis, key: key(), tokensPerSecond: 1, burst: 2 });
    const waits = await Promise.all([0, 1, 2, 3].map(() => bucket.reserve()));
    expect(waits.slice(0, 2)).toEqual([0, 0]);
    expect(waits[2]).toBeGreaterThan(800);
    expect(waits[2]).toBeLessThanOrEqual(1_000);
    expect(waits[3]).toBeGreaterThan(1_800);
    expect(waits[3]).toBeLessThanOrEqual(2_000);
  });

  it('is one rate for every process that shares the key (two connections, as two workers)', async () => {
    const shared = key();
    const first = new RedisTokenBucket({ redis, key: shared, tokensPerSecond: 20, burst: 2 });
    const second = new RedisTokenBucket({ redis: other, key: shared, tokensPerSecond: 20, burst: 2 });
    const started = Date.now();
    const taken: number[] = [];
    await Promise.all(
      [first, second].map(async (bucket) => {
        for (let index = 0; index < 5; index++) {
          await bucket.take();
          taken.push(Date.now() - started);
        }
      }),
    );
    // 10 tokens at 20/s with a burst of 2: the last one no sooner than (10 - 2) / 20 s.
    expect(Math.max(...taken)).toBeGreaterThanOrEqual(390);
    // Within any 500 ms window at most burst + 0.5 × 20 = 12 tokens: never more than the rate allows.
    taken.sort((left, right) => left - right);
    for (let index = 0; index < taken.length; index++) {
      const inWindow = taken.filter((time) => time >= taken[index]! && time < taken[index]! + 500).length;
      expect(inWindow).toBeLessThanOrEqual(12);
    }
  });

  it('gives the token back when a waiter is cancelled', async () => {
    const bucket = new RedisTokenBucket({ redis, key: key(), tokensPerSecond: 1, burst: 1 });
    expect(await bucket.take()).toBe(0);
    const controller = new AbortController();
    const waiting = bucket.take(controller.signal);
    controller.abort(new Error('stopped'));
    await expect(waiting).rejects.toThrow('stopped');
    // The cancelled reservation was returned: the next caller waits about one interval, not two.
    expect(await bucket.reserve()).toBeLessThanOrEqual(1_000);
  });

  it('refuses a rate or burst that is not positive', () => {
    expect(() => new RedisTokenBucket({ redis, key: key(), tokensPerSecond: 0 })).toThrow(RangeError);
    expect(() => new RedisTokenBucket({ redis, key: key(), tokensPerSecond: 1, burst: 0 })).toThrow(
      RangeError,
    );
  });
});
