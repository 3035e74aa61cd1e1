import { BucketError, quoteForMessage } from './bucket.errors.js';
import { normalizeBucketPrefix, pathProblem } from './bucket-location.js';

// Object keys come from whoever can write to the bucket, so they are hostile input (DESIGN §5): a key is
// checked before anything is downloaded for it or any local path, folder name or database row is built
// from it. Pure.

/** S3 and Azure both stop at 1024 (bytes and characters); longer is not a key a provider would list. */
export const MAXIMUM_OBJECT_KEY_LENGTH = 1024;

/** Why the key is unsafe (a complete message), or null when it is a safe key inside `prefix`. */
export function unsafeObjectKeyReason(key: string, prefix: string): string | null {
  if (typeof key !== 'string') return 'Object key is not a string';
  const normalizedPrefix = normalizeBucketPrefix(prefix);
  const problem =
    Buffer.byteLength(key, 'utf8') > MAXIMUM_OBJECT_KEY_LENGTH
      ? `it is longer than ${MAXIMUM_OBJECT_KEY_LENGTH} bytes`
      : (pathProblem(key) ??
        (key.startsWith(normalizedPrefix)
          ? null
          : `it is outside the prefix ${quoteForMessage(normalizedPrefix)}`));
  return problem ? `Object key ${quoteForMessage(key)} is rejected: ${problem}` : null;
}

/**
 * Returns the key when it is relative, inside `prefix`, and free of `.`/`..` segments, backslashes, NUL
 * and other control characters; throws a BucketError `INVALID_KEY` otherwise.
 */
export function safeObjectKey(key: string, prefix: string): string {
  const reason = unsafeObjectKeyReason(key, prefix);
  if (reason) throw new BucketError('INVALID_KEY', reason, { key });
  return key;
}
