import {
  backoffDelayMs,
  decideRetry,
  isIdempotentMethod,
  parseRetryAfter,
  resolveRetryOptions,
} from './retry-policy.js';

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-06-01T12:00:00Z');

  it('reads delay-seconds', () => {
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter(['2', '9'], now)).toBe(2000);
  });

  it('reads an HTTP-date relative to now, never negative', () => {
    expect(parseRetryAfter('Sun, 01 Jun 2025 12:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Sun, 01 Jun 2025 11:00:00 GMT', now)).toBe(0);
  });

  it('ignores absent and unreadable values', () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
    expect(parseRetryAfter('-1', now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('2025', now)).toBe(2025 * 1000);
  });
});

describe('backoffDelayMs', () => {
  it('draws uniformly in an exponential window capped at maxDelayMs (full jitter)', () => {
    const options = { baseDelayMs: 100, maxDelayMs: 1000 };
    expect(backoffDelayMs(1, { ...options, random: () => 0.999 })).toBe(99);
    expect(backoffDelayMs(3, { ...options, random: () => 0.5 })).toBe(200);
    expect(backoffDelayMs(10, { ...options, random: () => 0.5 })).toBe(500);
    expect(backoffDelayMs(10, { ...options, random: () => 0 })).toBe(0);
  });
});

describe('decideRetry', () => {
  const options = resolveRetryOptions({
    maxAttempts: 3,
    maxTotalDelayMs: 1000,
    maxRetryAfterMs: 500,
    random: () => 1,
  });

  it('retries a retryable failure with backoff', () => {
    expect(decideRetry({ attempt: 1, totalDelayMs: 0, retryable: true }, options)).toEqual({
      retry: true,
      delayMs: 250,
    });
  });

  it('prefers Retry-After, capped by maxRetryAfterMs', () => {
    expect(
      decideRetry({ attempt: 1, totalDelayMs: 0, retryable: true, retryAfterMs: 10_000 }, options),
    ).toEqual({
      retry: true,
      delayMs: 500,
    });
  });

  it('stops on non-retryable failures, after maxAttempts, and past the delay budget', () => {
    expect(decideRetry({ attempt: 1, totalDelayMs: 0, retryable: false }, options)).toEqual({
      retry: false,
      reason: 'not_retryable',
    });
    expect(decideRetry({ attempt: 3, totalDelayMs: 0, retryable: true }, options)).toEqual({
      retry: false,
      reason: 'attempts_exhausted',
    });
    expect(
      decideRetry({ attempt: 2, totalDelayMs: 800, retryable: true, retryAfterMs: 400 }, options),
    ).toEqual({
      retry: false,
      reason: 'delay_budget_exhausted',
    });
  });

  it('rejects nonsensical options', () => {
    expect(() => resolveRetryOptions({ maxAttempts: 0 })).toThrow(RangeError);
  });
});

describe('isIdempotentMethod', () => {
  it('treats POST and PATCH as unsafe to repeat', () => {
    expect(['GET', 'head', 'PUT', 'DELETE'].every(isIdempotentMethod)).toBe(true);
    expect(isIdempotentMethod('POST')).toBe(false);
    expect(isIdempotentMethod('PATCH')).toBe(false);
  });
});
