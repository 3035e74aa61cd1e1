// When and how long to wait before repeating a vendor request. Pure: the clock and the random source are
// parameters, so the policy is tested without sleeping.

export interface RetryOptions {
  /** Attempts in total, the first one included. `1` disables retries. Default 4. */
  maxAttempts: number;
  /** Upper bound of the first backoff window; it doubles after each attempt. Default 250 ms. */
  baseDelayMs: number;
  /** Upper bound of one backoff window. Default 10 s. */
  maxDelayMs: number;
  /** Upper bound of all waits of one request together; past it the last error is thrown. Default 30 s. */
  maxTotalDelayMs: number;
  /** Upper bound of a wait asked for by `Retry-After`. Default 60 s. */
  maxRetryAfterMs: number;
  /** Response statuses worth repeating. Default 408, 429, 500, 502, 503, 504. */
  retryStatuses: readonly number[];
  /** Repeat after a connection error (refused, reset, DNS). Default true. */
  retryOnNetworkError: boolean;
  /** Repeat after a connect, headers, body or attempt timeout. Default true. */
  retryOnTimeout: boolean;
  /** Source of randomness for the jitter, in [0, 1). Replaced in tests. */
  random: () => number;
}

export const DEFAULT_RETRY_OPTIONS: Readonly<RetryOptions> = Object.freeze({
  maxAttempts: 4,
  baseDelayMs: 250,
  maxDelayMs: 10_000,
  maxTotalDelayMs: 30_000,
  maxRetryAfterMs: 60_000,
  // 500 is included because the vendors we call (dbt Cloud, Hex) return it for transient faults; only
  // idempotent requests are repeated by default, so repeating it is safe.
  retryStatuses: Object.freeze([408, 429, 500, 502, 503, 504]),
  retryOnNetworkError: true,
  retryOnTimeout: true,
  random: Math.random,
});

export function resolveRetryOptions(...layers: (Partial<RetryOptions> | undefined)[]): RetryOptions {
  const options: RetryOptions = { ...DEFAULT_RETRY_OPTIONS };
  for (const layer of layers) {
    if (!layer) continue;
    for (const [name, value] of Object.entries(layer)) {
      if (value !== undefined) (options as unknown as Record<string, unknown>)[name] = value;
    }
  }
  if (!Number.isInteger(options.maxAttempts) || options.maxAttempts < 1) {
    throw new RangeError(`retry.maxAttempts must be an integer ≥ 1, got ${options.maxAttempts}`);
  }
  return options;
}

const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);

/** RFC 9110 §9.2.2: repeating these has the same effect as sending them once. */
export function isIdempotentMethod(method: string): boolean {
  return IDEMPOTENT_METHODS.has(method.toUpperCase());
}

/**
 * Backoff before attempt `attempt + 1` with "full jitter" (a uniform wait between zero and the exponential
 * window), which spreads the retries of many workers hit by the same outage instead of synchronising them.
 */
export function backoffDelayMs(
  attempt: number,
  options: Pick<RetryOptions, 'baseDelayMs' | 'maxDelayMs' | 'random'>,
): number {
  const window = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(options.random() * window);
}

/**
 * Parses a `Retry-After` header (RFC 9110 §10.2.3): delay-seconds or an HTTP-date. Returns the wait in
 * milliseconds (never negative), or undefined when the header is absent or unreadable.
 */
export function parseRetryAfter(
  value: string | readonly string[] | undefined,
  now: number = Date.now(),
): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  // Only a date that names a weekday or month parses as an HTTP-date; `Date.parse` accepts far more.
  if (!/[a-z]{3}/i.test(text)) return undefined;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

export interface RetryDecisionInput {
  /** The attempt that just failed, starting at 1. */
  attempt: number;
  /** Sum of the waits already spent on this request. */
  totalDelayMs: number;
  /** Whether the failure is of a retryable kind (status, timeout, network) and the method may be repeated. */
  retryable: boolean;
  /** Wait asked for by the upstream (`Retry-After`), if any. */
  retryAfterMs?: number;
}

export type RetryDecision = { retry: true; delayMs: number } | { retry: false; reason: RetryStopReason };
export type RetryStopReason = 'not_retryable' | 'attempts_exhausted' | 'delay_budget_exhausted';

export function decideRetry(input: RetryDecisionInput, options: RetryOptions): RetryDecision {
  if (!input.retryable) return { retry: false, reason: 'not_retryable' };
  if (input.attempt >= options.maxAttempts) return { retry: false, reason: 'attempts_exhausted' };
  const delayMs =
    input.retryAfterMs !== undefined
      ? Math.min(input.retryAfterMs, options.maxRetryAfterMs)
      : backoffDelayMs(input.attempt, options);
  if (input.totalDelayMs + delayMs > options.maxTotalDelayMs) {
    return { retry: false, reason: 'delay_budget_exhausted' };
  }
  return { retry: true, delayMs };
}
