import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { CONFIG, REDIS } from '@cartograph/platform/nest';
import { redisKey } from '@cartograph/platform/redis';
import type { SemanticLayerConfig } from '../../semantic-layer.definition.js';

/** A stable digest of a JSON value: object keys sorted, so equal requests give equal keys. */
export function stableDigest(value: unknown): string {
  const canonical = (item: unknown): unknown => {
    if (Array.isArray(item)) return item.map(canonical);
    if (item && typeof item === 'object') {
      return Object.fromEntries(
        Object.keys(item as Record<string, unknown>)
          .sort()
          .filter((key) => (item as Record<string, unknown>)[key] !== undefined)
          .map((key) => [key, canonical((item as Record<string, unknown>)[key])]),
      );
    }
    return item;
  };
  return createHash('sha256')
    .update(JSON.stringify(canonical(value)))
    .digest('base64url');
}

/**
 * JSON values in Redis with a TTL. A Redis that does not answer makes the cache a miss, never a failed
 * request: the Semantic Layer is the source of truth.
 */
@Injectable()
export class SemanticLayerCache {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(CONFIG) private readonly config: SemanticLayerConfig,
  ) {}

  key(...parts: string[]): string {
    return redisKey(this.config.REDIS_PREFIX, 'semantic-layer', ...parts);
  }

  async get<T>(key: string): Promise<T | undefined> {
    try {
      const text = await this.redis.get(key);
      return text === null ? undefined : (JSON.parse(text) as T);
    } catch {
      return undefined;
    }
  }

  async set(key: string, value: unknown, ttlSeconds: number): Promise<void> {
    if (ttlSeconds <= 0) return;
    try {
      await this.redis.set(key, JSON.stringify(value), 'EX', ttlSeconds);
    } catch {
      // A cache that cannot be written only costs a later upstream call.
    }
  }

  /**
   * The current generation of a scope (e.g. one dbt Cloud environment). Keys built with it are dropped at once
   * by `bump`, without scanning Redis: later reads simply use new keys and the old ones expire.
   */
  async generation(scope: string): Promise<string> {
    try {
      return (await this.redis.get(this.key('generation', scope))) ?? '0';
    } catch {
      return '0';
    }
  }

  async bump(scope: string): Promise<void> {
    try {
      await this.redis.incr(this.key('generation', scope));
    } catch {
      // Without Redis nothing is cached either.
    }
  }

  /** Reads through the cache: `load` runs on a miss and its answer is kept for `ttlSeconds`. */
  async through<T>(key: string, ttlSeconds: number, load: () => Promise<T>): Promise<T> {
    if (ttlSeconds > 0) {
      const cached = await this.get<T>(key);
      if (cached !== undefined) return cached;
    }
    const value = await load();
    await this.set(key, value, ttlSeconds);
    return value;
  }
}
