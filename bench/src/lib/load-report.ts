import type { ScenarioContext } from '../scenario.js';
import type { LoadProgress, LoadResult } from './load.js';
import { formatNumber } from './table.js';

/** A progress line every few seconds of a load phase. */
export function progressLogger(context: ScenarioContext, phase: string): (progress: LoadProgress) => void {
  return (progress) =>
    context.log(
      `${phase}: ${progress.elapsedSeconds.toFixed(0)} s, ${progress.completed}/${progress.sent} done, ${progress.inFlight} in flight, ` +
        `${progress.errors} errors, p95 so far ${formatNumber(progress.p95Ms)} ms`,
    );
}

/** One line: requests, throughput, percentiles, errors (with the first error message). */
export function describeLoad(result: LoadResult): string {
  const l = result.latency;
  return (
    `${result.completed} requests, ${formatNumber(result.throughputRps)} req/s, p50 ${formatNumber(l.p50Ms)} ms, p95 ${formatNumber(l.p95Ms)} ms, ` +
    `p99 ${formatNumber(l.p99Ms)} ms, max ${formatNumber(l.maxMs)} ms, ${result.errors} errors${result.dropped ? `, ${result.dropped} dropped` : ''}` +
    (result.errorSamples.length ? ` (first error: ${result.errorSamples[0]})` : '')
  );
}
