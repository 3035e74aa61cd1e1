import { Injectable } from '@nestjs/common';
import { SemanticLayerCache } from '../upstream/semantic-layer.cache.js';

/** What a stored result says of itself; its rows live in chunks beside it. */
export interface StoredResultHead {
  queryId: string | null;
  sql: string | null;
  columns: { name: string; type: string }[];
  rowCount: number;
  chunkSize: number;
}

type Row = Record<string, unknown>;

/** Rows of a result, read by range: in memory after a run, or chunk by chunk from Redis. */
export interface RowSource {
  readonly count: number;
  read(start: number, end: number): Promise<Row[]>;
}

export function memoryRows(rows: Row[]): RowSource {
  return { count: rows.length, read: async (start, end) => rows.slice(start, end) };
}

const CHUNK_ROWS = 2_000;

/**
 * Query results in Redis as a head plus chunks of rows, so reading one page of a 100,000-row result parses
 * a few thousand rows, not all of them. The head is written last: a reader that finds it finds every chunk.
 */
@Injectable()
export class QueryResultStore {
  constructor(private readonly cache: SemanticLayerCache) {}

  async write(
    key: string,
    result: Omit<StoredResultHead, 'rowCount' | 'chunkSize'>,
    rows: Row[],
    ttlSeconds: number,
  ): Promise<void> {
    if (ttlSeconds <= 0) return;
    for (let start = 0, index = 0; start < rows.length; start += CHUNK_ROWS, index += 1) {
      await this.cache.set(`${key}:${index}`, rows.slice(start, start + CHUNK_ROWS), ttlSeconds);
    }
    const head: StoredResultHead = { ...result, rowCount: rows.length, chunkSize: CHUNK_ROWS };
    await this.cache.set(key, head, ttlSeconds);
  }

  /** The stored result's head and a source of its rows, or undefined when absent or expired. */
  async read(key: string): Promise<{ head: StoredResultHead; rows: RowSource } | undefined> {
    const head = await this.cache.get<StoredResultHead>(key);
    if (!head || typeof head.chunkSize !== 'number') return undefined;
    const cache = this.cache;
    return {
      head,
      rows: {
        count: head.rowCount,
        async read(start, end) {
          const out: Row[] = [];
          const last = Math.min(end, head.rowCount);
          for (let index = Math.floor(start / head.chunkSize); index * head.chunkSize < last; index += 1) {
            const chunk = await cache.get<Row[]>(`${key}:${index}`);
            // A chunk evicted before its head: the result is gone, as if expired.
            if (!chunk) throw new Error('the stored result expired while it was read; run the query again');
            const offset = index * head.chunkSize;
            out.push(...chunk.slice(Math.max(0, start - offset), last - offset));
          }
          return out;
        },
      },
    };
  }
}
