import { setTimeout as sleep } from 'node:timers/promises';
import { LatencyHistogram, type LatencySummary } from './histogram.js';

/** Sends request number `index`; throws (or rejects) when the request failed. */
export type SendRequest = (index: number, signal: AbortSignal) => Promise<void>;

export interface LoadProgress {
  elapsedSeconds: number;
  sent: number;
  completed: number;
  errors: number;
  inFlight: number;
  /** Over the recordings so far. */
  p95Ms: number;
}

interface CommonOptions {
  durationSeconds: number;
  send: SendRequest;
  /** A request slower than this is aborted and counted as an error (its latency is still recorded). */
  timeoutMs?: number;
  progressEverySeconds?: number;
  onProgress?: (progress: LoadProgress) => void;
}

export interface OpenLoadOptions extends CommonOptions {
  /** Requests per second, sent on schedule whether or not earlier ones have finished. */
  rate: number;
  /** Requests due while this many are outstanding are skipped and counted as `dropped` (protects the host). */
  maxInFlight?: number;
}

export interface ClosedLoadOptions extends CommonOptions {
  /** Workers, each sending its next request as soon as the previous one finished. */
  concurrency: number;
}

export interface LoadResult {
  latency: LatencySummary;
  histogram: LatencyHistogram;
  /** Requests started. */
  sent: number;
  /** Requests finished, with or without error. */
  completed: number;
  errors: number;
  /** Open model only: requests due but not sent because `maxInFlight` were outstanding. */
  dropped: number;
  /** Wall time from the first request to the last completion. */
  elapsedSeconds: number;
  /** Successful completions per second of the measuring window. */
  throughputRps: number;
  /** The first few error messages, for the report. */
  errorSamples: string[];
}

class Recorder {
  readonly histogram = new LatencyHistogram();
  sent = 0;
  completed = 0;
  errors = 0;
  dropped = 0;
  inFlight = 0;
  readonly errorSamples: string[] = [];

  constructor(private readonly timeoutMs: number) {}

  /** Runs one request; latency is measured from `intendedStart` (open model) to completion. */
  async run(send: SendRequest, index: number, intendedStart: number): Promise<void> {
    this.sent += 1;
    this.inFlight += 1;
    const controller = new AbortController();
    const timer = setTimeout(
      () => controller.abort(new Error(`timed out after ${this.timeoutMs} ms`)),
      this.timeoutMs,
    );
    try {
      await send(index, controller.signal);
    } catch (error) {
      this.errors += 1;
      if (this.errorSamples.length < 5) {
        this.errorSamples.push(error instanceof Error ? error.message : String(error));
      }
    } finally {
      clearTimeout(timer);
      this.histogram.record(performance.now() - intendedStart);
      this.completed += 1;
      this.inFlight -= 1;
    }
  }

  progress(startedAt: number): LoadProgress {
    return {
      elapsedSeconds: (performance.now() - startedAt) / 1000,
      sent: this.sent,
      completed: this.completed,
      errors: this.errors,
      inFlight: this.inFlight,
      p95Ms: this.histogram.percentile(95),
    };
  }

  result(startedAt: number, windowSeconds: number): LoadResult {
    const elapsedSeconds = (performance.now() - startedAt) / 1000;
    return {
      latency: this.histogram.summary(),
      histogram: this.histogram,
      sent: this.sent,
      completed: this.completed,
      errors: this.errors,
      dropped: this.dropped,
      elapsedSeconds,
      throughputRps: (this.completed - this.errors) / Math.max(windowSeconds, elapsedSeconds),
      errorSamples: this.errorSamples,
    };
  }
}

function progressTicker(options: CommonOptions, recorder: Recorder, startedAt: number): () => void {
  if (!options.onProgress) {
    return () => undefined;
  }
  const interval = setInterval(
    () => options.onProgress!(recorder.progress(startedAt)),
    (options.progressEverySeconds ?? 5) * 1000,
  );
  return () => clearInterval(interval);
}

/**
 * Open-model load: request i is due at start + i / rate, independent of how fast earlier ones return, and its
 * latency counts from when it was due. A slow server therefore shows up as queueing in the percentiles instead
 * of silently lowering the offered rate (no coordinated omission).
 */
export async function runOpenLoad(options: OpenLoadOptions): Promise<LoadResult> {
  const recorder = new Recorder(options.timeoutMs ?? 10_000);
  const maxInFlight = options.maxInFlight ?? 256;
  const total = Math.max(1, Math.round(options.rate * options.durationSeconds));
  const intervalMs = 1000 / options.rate;
  const pending = new Set<Promise<void>>();
  const startedAt = performance.now();
  const stopTicker = progressTicker(options, recorder, startedAt);
  try {
    let index = 0;
    while (index < total) {
      const now = performance.now();
      // Everything due by now goes out at once, so a late timer does not lower the rate.
      while (index < total && startedAt + index * intervalMs <= now) {
        const intendedStart = startedAt + index * intervalMs;
        if (recorder.inFlight >= maxInFlight) {
          recorder.dropped += 1;
        } else {
          const request = recorder.run(options.send, index, intendedStart);
          pending.add(request);
          void request.finally(() => pending.delete(request));
        }
        index += 1;
      }
      if (index < total) {
        await sleep(Math.max(0, startedAt + index * intervalMs - performance.now()));
      }
    }
    await Promise.all(pending);
  } finally {
    stopTicker();
  }
  return recorder.result(startedAt, options.durationSeconds);
}

/** Closed-model load: `concurrency` workers back to back for the duration; measures maximum throughput. */
export async function runClosedLoad(options: ClosedLoadOptions): Promise<LoadResult> {
  const recorder = new Recorder(options.timeoutMs ?? 10_000);
  const startedAt = performance.now();
  const deadline = startedAt + options.durationSeconds * 1000;
  const stopTicker = progressTicker(options, recorder, startedAt);
  let next = 0;
  const worker = async () => {
    while (performance.now() < deadline) {
      const index = next;
      next += 1;
      await recorder.run(options.send, index, performance.now());
    }
  };
  try {
    await Promise.all(Array.from({ length: options.concurrency }, worker));
  } finally {
    stopTicker();
  }
  return recorder.result(startedAt, options.durationSeconds);
}
