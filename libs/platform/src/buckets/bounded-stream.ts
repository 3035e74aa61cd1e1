import { addAbortSignal, Transform, type Readable } from 'node:stream';

// Both providers hand back a download as a Node stream; this wraps it so that a hostile or wrong object
// cannot fill memory or disk (the byte cap, counted as bytes arrive rather than trusted from headers) or
// hang a sync (the idle timeout), and so that whatever the SDK stream throws reaches the caller as the
// error the caller was promised.

export interface BoundedStreamOptions {
  maxBytes: number;
  /** Longest silence between two chunks; 0 disables. */
  idleTimeoutMs: number;
  signal?: AbortSignal;
  /** The error to fail with once more than `maxBytes` arrived. */
  tooLarge(receivedBytes: number): Error;
  /** The error to fail with after `idleTimeoutMs` without data. */
  idle(): Error;
  /** Turns an error of the source stream into the error to fail with. */
  mapError(error: unknown): Error;
}

function destroySource(source: NodeJS.ReadableStream | Readable): void {
  const destroyable = source as { destroy?: (error?: Error) => void; destroyed?: boolean };
  if (typeof destroyable.destroy === 'function' && !destroyable.destroyed) destroyable.destroy();
}

export function boundedStream(
  source: NodeJS.ReadableStream | Readable,
  options: BoundedStreamOptions,
): Readable {
  let received = 0;
  let idleTimer: NodeJS.Timeout | undefined;
  const output = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      received += chunk.length;
      armIdleTimer();
      if (received > options.maxBytes) {
        callback(options.tooLarge(received));
        return;
      }
      callback(null, chunk);
    },
    flush(callback) {
      clearTimeout(idleTimer);
      callback();
    },
    destroy(error, callback) {
      clearTimeout(idleTimer);
      callback(error);
    },
  });

  function armIdleTimer(): void {
    if (options.idleTimeoutMs <= 0) return;
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => output.destroy(options.idle()), options.idleTimeoutMs);
    // A stalled download must not keep the process alive on its own.
    idleTimer.unref();
  }

  source.on('error', (error: unknown) => {
    if (!output.destroyed) output.destroy(options.mapError(error));
  });
  // Whether it ended, failed, hit the cap or the consumer gave up: the socket under the source goes too.
  output.on('close', () => {
    clearTimeout(idleTimer);
    destroySource(source);
  });
  if (options.signal) addAbortSignal(options.signal, output);
  armIdleTimer();
  source.pipe(output);
  return output;
}
