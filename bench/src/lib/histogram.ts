/**
 * An HDR-style latency histogram: values are recorded in microseconds into log-linear buckets (256 linear
 * sub-buckets per power of two), so any percentile is within 0.4% of the true value whatever the range,
 * in constant memory. Exact min, max and mean are kept beside it.
 */
const SUB_BUCKET_BITS = 8;
const SUB_BUCKETS = 1 << SUB_BUCKET_BITS;
const HALF = SUB_BUCKETS / 2;

function bucketOf(value: number): number {
  if (value < SUB_BUCKETS) {
    return value;
  }
  const shift = Math.floor(Math.log2(value)) - (SUB_BUCKET_BITS - 1);
  return shift * HALF + Math.floor(value / 2 ** shift);
}

/** The lowest value and the width of a bucket. */
function rangeOf(bucket: number): { low: number; width: number } {
  if (bucket < SUB_BUCKETS) {
    return { low: bucket, width: 1 };
  }
  const shift = Math.floor(bucket / HALF) - 1;
  return { low: (bucket - shift * HALF) * 2 ** shift, width: 2 ** shift };
}

export interface LatencySummary {
  count: number;
  minMs: number;
  meanMs: number;
  p50Ms: number;
  p90Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

export class LatencyHistogram {
  private counts: number[] = [];
  private total = 0;
  private sumMicros = 0;
  private minMicros = Number.POSITIVE_INFINITY;
  private maxMicros = 0;

  get count(): number {
    return this.total;
  }

  /** Records one latency in milliseconds (fractions allowed; resolution is one microsecond). */
  record(milliseconds: number): void {
    const micros = Math.max(0, Math.round(milliseconds * 1000));
    const bucket = bucketOf(micros);
    while (this.counts.length <= bucket) {
      this.counts.push(0);
    }
    this.counts[bucket]! += 1;
    this.total += 1;
    this.sumMicros += micros;
    this.minMicros = Math.min(this.minMicros, micros);
    this.maxMicros = Math.max(this.maxMicros, micros);
  }

  merge(other: LatencyHistogram): void {
    while (this.counts.length < other.counts.length) {
      this.counts.push(0);
    }
    other.counts.forEach((count, bucket) => {
      this.counts[bucket]! += count;
    });
    this.total += other.total;
    this.sumMicros += other.sumMicros;
    this.minMicros = Math.min(this.minMicros, other.minMicros);
    this.maxMicros = Math.max(this.maxMicros, other.maxMicros);
  }

  /** The value below which `percent`% of the recordings fall, in milliseconds; NaN when empty. */
  percentile(percent: number): number {
    if (this.total === 0) {
      return Number.NaN;
    }
    const rank = Math.max(1, Math.ceil((Math.min(100, Math.max(0, percent)) / 100) * this.total));
    let seen = 0;
    for (let bucket = 0; bucket < this.counts.length; bucket += 1) {
      seen += this.counts[bucket]!;
      if (seen >= rank) {
        const { low, width } = rangeOf(bucket);
        // The middle of the bucket, clamped to what was actually seen.
        const middle = low + (width - 1) / 2;
        return Math.min(this.maxMicros, Math.max(this.minMicros, middle)) / 1000;
      }
    }
    return this.maxMicros / 1000;
  }

  summary(): LatencySummary {
    const empty = this.total === 0;
    return {
      count: this.total,
      minMs: empty ? Number.NaN : this.minMicros / 1000,
      meanMs: empty ? Number.NaN : this.sumMicros / this.total / 1000,
      p50Ms: this.percentile(50),
      p90Ms: this.percentile(90),
      p95Ms: this.percentile(95),
      p99Ms: this.percentile(99),
      maxMs: empty ? Number.NaN : this.maxMicros / 1000,
    };
  }
}
