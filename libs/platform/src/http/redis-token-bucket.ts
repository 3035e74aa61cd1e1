import type { Redis } from 'ioredis';
import { sleep } from './token-bucket.js';

// A token bucket kept in Redis, so every worker process (and every BullMQ job in it) that calls one vendor
// with one token draws from one rate. The in-process `TokenBucket` gives each replica the full rate; this one
// is for vendors whose limit is tight enough that two replicas would earn 429s (Hex: 60 requests a minute per
// token).
//
// One Lua script does the refill and the reservation atomically, with Redis's own clock, so the processes'
// clocks do not matter. As in `TokenBucket`, the count may go negative: each caller reserves a token and is
// told how long to wait for it, which serves waiters first-in first-out across processes.

export interface RedisTokenBucketOptions {
  redis: Redis;
  /** The Redis key of the bucket, e.g. `<prefix>:rate:hex:<sha256 of the token>`; never the token itself. */
  key: string;
  /** Sustained rate. */
  tokensPerSecond: number;
  /**
   * Tokens available at once after an idle period. Default 1. Any window of `w` seconds sees at most
   * `burst + w × tokensPerSecond` requests, which is what to size against the vendor's limit.
   */
  burst?: number;
}

const RESERVE = `
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1])
local at = tonumber(state[2])
if tokens == nil or at == nil then
  tokens = burst
  at = now
end
tokens = math.min(burst, tokens + math.max(0, now - at) * rate / 1000) - 1
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
local wait = 0
if tokens < 0 then
  wait = math.ceil(-tokens * 1000 / rate)
end
redis.call('PEXPIRE', KEYS[1], math.ceil(burst * 1000 / rate) + wait + 60000)
return wait
`;

const RELEASE = `
local burst = tonumber(ARGV[1])
local tokens = tonumber(redis.call('HGET', KEYS[1], 'tokens'))
if tokens ~= nil then
  redis.call('HSET', KEYS[1], 'tokens', tostring(math.min(burst, tokens + 1)))
end
return 0
`;

export class RedisTokenBucket {
  readonly key: string;
  readonly tokensPerSecond: number;
  readonly burst: number;
  readonly #redis: Redis;

  constructor(options: RedisTokenBucketOptions) {
    if (!(options.tokensPerSecond > 0) || !Number.isFinite(options.tokensPerSecond)) {
      throw new RangeError(`tokensPerSecond must be a positive number, got ${options.tokensPerSecond}`);
    }
    const burst = options.burst ?? 1;
    if (!(burst >= 1) || !Number.isFinite(burst)) throw new RangeError(`burst must be ≥ 1, got ${burst}`);
    this.#redis = options.redis;
    this.key = options.key;
    this.tokensPerSecond = options.tokensPerSecond;
    this.burst = burst;
  }

  /** Reserves a token and returns how long the caller must wait before using it (0 when one is available). */
  async reserve(): Promise<number> {
    const wait = await this.#redis.eval(
      RESERVE,
      1,
      this.key,
      String(this.tokensPerSecond),
      String(this.burst),
    );
    return Number(wait);
  }

  /** Gives back a reserved token that will not be used (the caller was cancelled while waiting). */
  async release(): Promise<void> {
    await this.#redis.eval(RELEASE, 1, this.key, String(this.burst));
  }

  /** Waits until a token is available and takes it. Resolves to the time waited in milliseconds. */
  async take(signal?: AbortSignal): Promise<number> {
    signal?.throwIfAborted();
    const waitMs = await this.reserve();
    if (waitMs === 0) return 0;
    try {
      await sleep(waitMs, signal);
    } catch (error) {
      await this.release().catch(() => undefined);
      throw error;
    }
    return waitMs;
  }
}
