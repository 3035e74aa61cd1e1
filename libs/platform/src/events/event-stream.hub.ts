import type { Redis } from 'ioredis';
import type { CloudEvent } from '@cartograph/contracts';
import { decodeStreamEntry, eventStreamKey } from './event-stream.js';
import { eventMatches, type EventFilter } from './event-filter.js';

type StreamReply = [string, [string, string[]][]][] | null;

interface Listener {
  filter: EventFilter;
  push: (event: CloudEvent) => void;
}

/**
 * One blocking reader of the event stream per process, fanned out to any number of in-process
 * listeners (GraphQL subscriptions). Reads start at the newest entry: a subscription sees what
 * happens after it starts, like any live feed.
 */
export class EventStreamHub {
  private readonly listeners = new Set<Listener>();
  private running = false;
  private loop: Promise<void> | null = null;
  private lastId = '$';
  private readonly stream: string;

  constructor(
    private readonly redis: Redis,
    redisPrefix: string,
    private readonly options: { bufferLimit?: number; onError?: (error: unknown) => void } = {},
  ) {
    this.stream = eventStreamKey(redisPrefix);
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  start(): void {
    if (!this.running) {
      this.running = true;
      this.loop = this.run();
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    this.redis.disconnect();
    await this.loop;
  }

  /** An async iterator of matching events; `return()` (a client unsubscribing) removes the listener. */
  subscribe(filter: EventFilter): AsyncIterableIterator<CloudEvent> {
    const queue: CloudEvent[] = [];
    let wake: (() => void) | null = null;
    let done = false;
    const limit = this.options.bufferLimit ?? 1_000;
    const listener: Listener = {
      filter,
      push: (event) => {
        // A slow client loses the oldest events rather than growing memory without bound.
        if (queue.length >= limit) {
          queue.shift();
        }
        queue.push(event);
        wake?.();
      },
    };
    this.listeners.add(listener);
    const finish = (): IteratorResult<CloudEvent> => {
      done = true;
      this.listeners.delete(listener);
      wake?.();
      return { done: true, value: undefined };
    };
    const iterator: AsyncIterableIterator<CloudEvent> = {
      next: async () => {
        while (!done) {
          const event = queue.shift();
          if (event) {
            return { done: false, value: event };
          }
          await new Promise<void>((resolve) => (wake = resolve));
          wake = null;
        }
        return { done: true, value: undefined };
      },
      return: async () => finish(),
      throw: async () => finish(),
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      try {
        if (this.lastId === '$') {
          // Pin the position once; re-sending '$' on every read would skip entries added between reads.
          const newest = (await this.redis.xrevrange(this.stream, '+', '-', 'COUNT', 1)) as [
            string,
            string[],
          ][];
          this.lastId = newest[0]?.[0] ?? '0-0';
        }
        const reply = (await this.redis.xread(
          'COUNT',
          500,
          'BLOCK',
          2_000,
          'STREAMS',
          this.stream,
          this.lastId,
        )) as StreamReply;
        for (const [entryId, fields] of reply?.[0]?.[1] ?? []) {
          this.lastId = entryId;
          const event = decodeStreamEntry(fields);
          if (!event) {
            continue;
          }
          for (const listener of this.listeners) {
            if (eventMatches(listener.filter, event)) {
              listener.push(event);
            }
          }
        }
        failures = 0;
      } catch (error) {
        if (!this.running) {
          break;
        }
        failures += 1;
        this.options.onError?.(error);
        await new Promise((resolve) => setTimeout(resolve, Math.min(100 * 2 ** failures, 5_000)));
      }
    }
  }
}
