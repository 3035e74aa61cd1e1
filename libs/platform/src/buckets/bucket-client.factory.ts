import { AzureBucketClient } from './azure-bucket.client.js';
import { BucketError } from './bucket.errors.js';
import { normalizeBucketLocation, providerLabel } from './bucket-location.js';
import {
  DEFAULT_BUCKET_MAX_ATTEMPTS,
  DEFAULT_BUCKET_PAGE_SIZE,
  DEFAULT_BUCKET_TIMEOUT_MS,
  type BucketClient,
  type BucketClientOptions,
  type BucketCredentials,
  type BucketLocation,
} from './bucket.models.js';
import { S3BucketClient } from './s3-bucket.client.js';

function positiveInteger(value: number | undefined, fallback: number, name: string, maximum: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1 || value > maximum) {
    throw new RangeError(`${name} must be an integer from 1 to ${maximum}, got ${String(value)}`);
  }
  return value;
}

/**
 * A client for one bucket connection. Throws a BucketError `BAD_CONFIGURATION` (synchronously, without
 * any request) when the location or the credentials cannot work; `check()` then proves they do.
 */
export function createBucketClient(
  location: BucketLocation,
  credentials: BucketCredentials,
  options: BucketClientOptions = {},
): BucketClient {
  const normalized = normalizeBucketLocation(location);
  const settings = {
    timeoutMs: positiveInteger(options.timeoutMs, DEFAULT_BUCKET_TIMEOUT_MS, 'timeoutMs', 3_600_000),
    // 1000 is the most S3 and GCS return per page (Azure allows 5000).
    pageSize: positiveInteger(options.pageSize, DEFAULT_BUCKET_PAGE_SIZE, 'pageSize', 1000),
    maxAttempts: positiveInteger(options.maxAttempts, DEFAULT_BUCKET_MAX_ATTEMPTS, 'maxAttempts', 10),
  };
  if (credentials?.provider !== normalized.provider) {
    throw new BucketError(
      'BAD_CONFIGURATION',
      `${providerLabel(normalized.provider)} connection was given credentials for ${String(credentials?.provider)}`,
      { provider: normalized.provider, bucket: normalized.bucket },
    );
  }
  if (credentials.provider === 'azure') {
    return new AzureBucketClient(normalized, credentials, settings);
  }
  if (!credentials.accessKeyId || !credentials.secretAccessKey) {
    throw new BucketError(
      'BAD_CONFIGURATION',
      `${providerLabel(normalized.provider)} needs an access key id and a secret access key${normalized.provider === 'gcs' ? ' (a GCS HMAC key)' : ''}`,
      { provider: normalized.provider, bucket: normalized.bucket },
    );
  }
  return new S3BucketClient(normalized, credentials, settings);
}
