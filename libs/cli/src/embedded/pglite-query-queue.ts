import type { PGlite } from '@electric-sql/pglite';

/*
 * Why this exists: PGlite is one Postgres session, and @electric-sql/pglite-socket (0.2.x) multiplexes every
 * client connection onto it through a queue that runs ONE PROTOCOL MESSAGE at a time. node-postgres sends a
 * parameterised query as Parse/Bind/Describe/Execute/Sync, so under concurrent connections (three services
 * with a pool each) another connection's Parse lands between our Parse and Bind: the unnamed statement and
 * portal are overwritten ("unnamed prepared statement does not exist", "portal \"\" does not exist"), a query
 * can even run with another query's parameters (wrong rows: valid API keys reported as unknown), and after an
 * error Postgres discards messages up to the next Sync, which swallows other connections' messages so their
 * clients wait forever. Its queue also stays stuck for good after an exception (`processing` is never reset).
 *
 * This queue has the same interface but runs each connection's extended-protocol messages up to and
 * including Sync (or a simple Query, or Flush) as one exclusive unit, and keeps the library's transaction
 * affinity: while a connection has a transaction open, only that connection's units run.
 */

interface Unit {
  handlerId: number;
  message: Uint8Array;
  onData: (data: Uint8Array) => void;
  resolve: (bytes: number) => void;
  reject: (error: unknown) => void;
}

const code = (character: string): number => character.charCodeAt(0);
/** Parse, Bind, Describe, Execute, Close: buffered until the unit ends. */
const BUFFERED = new Set(['P', 'B', 'D', 'E', 'C'].map(code));
/** Sync, simple Query, Flush: the client waits for answers after these. */
const UNIT_END = new Set(['S', 'Q', 'H'].map(code));

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) {
    return parts[0]!;
  }
  const joined = new Uint8Array(parts.reduce((length, part) => length + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.length;
  }
  return joined;
}

export class PGliteQueryQueue {
  private readonly partial = new Map<number, Uint8Array[]>();
  private queue: Unit[] = [];
  private processing = false;
  /** The connection whose transaction is open, if any. */
  private owner: number | null = null;

  constructor(private readonly db: PGlite) {}

  async enqueue(handlerId: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
    const type = message[0]!;
    const parts = this.partial.get(handlerId) ?? [];
    if (BUFFERED.has(type)) {
      parts.push(message);
      this.partial.set(handlerId, parts);
      return 0;
    }
    this.partial.delete(handlerId);
    if (UNIT_END.has(type)) {
      return this.run(handlerId, concat([...parts, message]), onData);
    }
    // Startup packet, Terminate, COPY data, function calls: on their own, after anything buffered.
    if (parts.length > 0) {
      await this.run(handlerId, concat(parts), onData);
    }
    return this.run(handlerId, message, onData);
  }

  getQueueLength(): number {
    return this.queue.length;
  }

  clearQueueForHandler(handlerId: number): void {
    this.partial.delete(handlerId);
    this.queue = this.queue.filter((unit) => {
      if (unit.handlerId === handlerId) {
        unit.reject(new Error('Handler disconnected'));
        return false;
      }
      return true;
    });
  }

  /** A connection that closed inside its transaction leaves it rolled back, and the others run again. */
  async clearTransactionIfNeeded(handlerId: number): Promise<void> {
    if (this.owner === handlerId) {
      if (this.db.isInTransaction()) {
        await this.db.runExclusive(() => this.db.exec('ROLLBACK'));
      }
      this.owner = null;
      void this.process();
    }
  }

  private run(handlerId: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
    return new Promise((resolve, reject) => {
      this.queue.push({ handlerId, message, onData, resolve, reject });
      void this.process();
    });
  }

  private async process(): Promise<void> {
    if (this.processing) {
      return;
    }
    this.processing = true;
    try {
      while (this.queue.length > 0) {
        let index = 0;
        if (this.owner !== null && this.db.isInTransaction()) {
          index = this.queue.findIndex((unit) => unit.handlerId === this.owner);
          if (index === -1) {
            // The owner's next unit has not arrived yet; enqueue() resumes processing.
            return;
          }
        }
        const unit = this.queue.splice(index, 1)[0]!;
        let bytes = 0;
        try {
          await this.db.runExclusive(() =>
            this.db.execProtocolRawStream(unit.message, {
              onRawData: (data) => {
                bytes += data.length;
                unit.onData(data);
              },
            }),
          );
          unit.resolve(bytes);
        } catch (error) {
          unit.reject(error);
        }
        this.owner = this.db.isInTransaction() ? unit.handlerId : null;
      }
    } finally {
      this.processing = false;
    }
  }
}
