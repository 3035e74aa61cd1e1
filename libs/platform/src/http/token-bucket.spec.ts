import { TokenBucket, TokenBucketRegistry, type Clock } from './token-bucket.js';

class ManualClock implements Clock {
  time = 0;
  now(): number {
    return this.time;
  }
}

describe('TokenBucket', () => {
  it('lets a burst through, then spaces reservations at the rate, first come first served', () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket({ tokensPerSecond: 10, burst: 2 }, clock);
    expect([bucket.reserve(), bucket.reserve(), bucket.reserve(), bucket.reserve()]).toEqual([
      0, 0, 100, 200,
    ]);
    clock.time = 300;
    // The two waiters have been served; one token has been earned since.
    expect(bucket.available).toBeCloseTo(1);
  });

  it('refills up to the burst only', () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket({ tokensPerSecond: 5, burst: 3 }, clock);
    expect(bucket.tryTake()).toBe(true);
    clock.time = 60_000;
    expect(bucket.available).toBe(3);
  });

  it('gives the token back when a waiter is cancelled', async () => {
    const bucket = new TokenBucket({ tokensPerSecond: 1, burst: 1 });
    await bucket.take();
    const controller = new AbortController();
    const waiting = bucket.take(controller.signal);
    controller.abort(new Error('cancelled'));
    await expect(waiting).rejects.toThrow('cancelled');
    expect(bucket.available).toBeGreaterThan(-0.1);
  });

  it('rejects invalid rates', () => {
    expect(() => new TokenBucket({ tokensPerSecond: 0 })).toThrow(RangeError);
    expect(() => new TokenBucket({ tokensPerSecond: 1, burst: 0 })).toThrow(RangeError);
  });
});

describe('TokenBucketRegistry', () => {
  it('shares one bucket per key and updates its rate', () => {
    const registry = new TokenBucketRegistry(new ManualClock());
    const first = registry.bucket('account-1', { tokensPerSecond: 1 });
    expect(registry.bucket('account-1', { tokensPerSecond: 2 })).toBe(first);
    expect(first.tokensPerSecond).toBe(2);
    expect(registry.bucket('account-2', { tokensPerSecond: 1 })).not.toBe(first);
    expect(registry.size).toBe(2);
  });
});
