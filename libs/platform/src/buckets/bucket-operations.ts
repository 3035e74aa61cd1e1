import { BucketError, quoteForMessage } from './bucket.errors.js';
import {
  describeBucket,
  pathProblem,
  providerLabel,
  type NormalizedBucketLocation,
} from './bucket-location.js';

// What the S3 and Azure clients do alike around their SDK calls: the list prefix a caller may ask for, the
// size check before a download starts, and the errors both give for those.

/**
 * The key prefix to list: the location's prefix by default, or a longer one inside it (`dbt/prod/2026-`),
 * never one that reaches outside it.
 */
export function resolveListPrefix(location: NormalizedBucketLocation, prefix: string | undefined): string {
  if (prefix === undefined || prefix === location.prefix) return location.prefix;
  const problem =
    prefix === ''
      ? `it is outside the prefix ${quoteForMessage(location.prefix)}`
      : (pathProblem(prefix) ??
        (prefix.startsWith(location.prefix)
          ? null
          : `it is outside the prefix ${quoteForMessage(location.prefix)}`));
  if (problem) {
    throw new BucketError('INVALID_KEY', `List prefix ${quoteForMessage(prefix)} is rejected: ${problem}`, {
      provider: location.provider,
      bucket: location.bucket,
    });
  }
  return prefix;
}

export function tooLargeError(
  location: NormalizedBucketLocation,
  key: string,
  maxBytes: number,
): BucketError {
  return new BucketError(
    'TOO_LARGE',
    `${providerLabel(location.provider)} object ${quoteForMessage(key)} in ${describeBucket(location.provider, location.bucket)} is larger than the limit of ${maxBytes} bytes`,
    { provider: location.provider, bucket: location.bucket, key },
  );
}

/** A limit is required and must be a byte count: a caller bug, so a plain RangeError. */
export function assertMaxBytes(maxBytes: number): void {
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) {
    throw new RangeError(`maxBytes must be a non-negative integer, got ${String(maxBytes)}`);
  }
}

/** Refuses an object whose announced length is over the limit before a byte of it is read. */
export function checkDownloadLimit(
  location: NormalizedBucketLocation,
  key: string,
  contentLength: number | undefined,
  maxBytes: number,
  discardBody: () => void,
): void {
  if (contentLength !== undefined && contentLength > maxBytes) {
    discardBody();
    throw tooLargeError(location, key, maxBytes);
  }
}

/** The caller's own abort reason, so an aborted call rejects the way every Node API does. */
export function abortReason(signal: AbortSignal, fallback: unknown): Error {
  if (signal.reason instanceof Error) return signal.reason;
  if (fallback instanceof Error && fallback.name === 'AbortError') return fallback;
  return Object.assign(new Error('The operation was aborted'), { name: 'AbortError', code: 'ABORT_ERR' });
}
