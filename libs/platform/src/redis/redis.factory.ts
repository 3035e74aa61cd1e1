import { Redis, type RedisOptions } from 'ioredis';

export interface RedisConnectionOptions {
  url: string;
  /** A short name shown in CLIENT LIST, which helps when debugging a shared Redis. */
  name?: string;
  /**
   * Fail commands at once while disconnected instead of queueing them.
   * The outbox relay wants this: it keeps events in Postgres and retries later.
   */
  failFast?: boolean;
}

export function createRedis(options: RedisConnectionOptions): Redis {
  const redisOptions: RedisOptions = {
    connectionName: options.name,
    // BullMQ and blocking stream reads need unlimited retries per request.
    maxRetriesPerRequest: options.failFast ? 1 : null,
    enableOfflineQueue: !options.failFast,
    lazyConnect: false,
    retryStrategy: (attempt) => Math.min(100 * 2 ** attempt, 2_000),
  };
  const redis = new Redis(options.url, redisOptions);
  // An unhandled 'error' event would crash the process; reconnects are handled by retryStrategy.
  redis.on('error', () => undefined);
  return redis;
}

/** Joins a prefix and key parts with ':' (the Redis convention), e.g. `cartograph:events`. */
export function redisKey(prefix: string, ...parts: string[]): string {
  return [prefix, ...parts].join(':');
}

/** BullMQ loses job locks under eviction; warn at boot rather than fail in production later. */
export async function checkEvictionPolicy(redis: Redis): Promise<string | null> {
  try {
    const [, policy] = (await redis.config('GET', 'maxmemory-policy')) as [string, string];
    return policy === 'noeviction'
      ? null
      : `Redis maxmemory-policy is "${policy}"; BullMQ needs "noeviction" or queued jobs can be lost.`;
  } catch {
    // Managed Redis often forbids CONFIG; nothing to check then.
    return null;
  }
}

/** Whether a Redis answers PING now: one short-lived connection, no retries, nothing queued. */
export async function redisAnswers(url: string, timeoutMs = 1_500): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: timeoutMs,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** Arguments of a private, throw-away redis-server: loopback only, nothing on disk, no eviction (BullMQ). */
export function privateRedisServerArguments(port: number): string[] {
  return [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--maxmemory-policy',
    'noeviction',
  ];
}
