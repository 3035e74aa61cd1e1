import type { CloudEvent } from '@cartograph/contracts';
import { redisKey } from '../redis/redis.factory.js';

/** The one stream every service publishes to: `<REDIS_PREFIX>:events`, i.e. `cartograph:events` by default. */
export function eventStreamKey(prefix: string): string {
  return redisKey(prefix, 'events');
}

/** Stream entries carry the whole envelope in one field, so readers need no schema to forward it. */
export const EVENT_FIELD = 'event';

export function decodeStreamEntry(fields: string[]): CloudEvent | null {
  for (let index = 0; index + 1 < fields.length; index += 2) {
    if (fields[index] === EVENT_FIELD) {
      try {
        return JSON.parse(fields[index + 1]!) as CloudEvent;
      } catch {
        return null;
      }
    }
  }
  return null;
}
