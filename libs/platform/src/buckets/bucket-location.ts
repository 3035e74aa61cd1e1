import { BucketError, quoteForMessage } from './bucket.errors.js';
import { BUCKET_PROVIDERS, type BucketLocation, type BucketProvider } from './bucket.models.js';

// Pure checks of a bucket connection as a user typed it, so a bad one is refused when it is saved (with
// BAD_CONFIGURATION) rather than failing obscurely inside an SDK at sync time.

/** A location with every default applied: what the clients are built from. */
export interface NormalizedBucketLocation {
  provider: BucketProvider;
  bucket: string;
  /** '' or a prefix ending in '/'. */
  prefix: string;
  region: string | null;
  endpoint: string | null;
  forcePathStyle: boolean;
}

export const GCS_S3_COMPATIBLE_ENDPOINT = 'https://storage.googleapis.com';
export const GCS_REGION = 'auto';
export const DEFAULT_S3_REGION = 'us-east-1';

const PROVIDER_LABELS: Readonly<Record<BucketProvider, string>> = {
  s3: 'S3',
  gcs: 'GCS',
  azure: 'Azure Blob Storage',
};

/** `S3`, `GCS`, `Azure Blob Storage`: how messages name the provider. */
export function providerLabel(provider: BucketProvider): string {
  return PROVIDER_LABELS[provider];
}

/** `bucket 'x'` or `container 'x'`: how messages name the bucket. */
export function describeBucket(provider: BucketProvider, bucket: string): string {
  return `${provider === 'azure' ? 'container' : 'bucket'} ${quoteForMessage(bucket)}`;
}

// C0 controls, DEL, C1 controls and the Unicode line separators: none belongs in a key or a path, and each
// can forge a log line or confuse a path builder.
export const CONTROL_CHARACTER_PATTERN = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** Why a path-like value (a prefix or a key) cannot be trusted, or null when it can. */
export function pathProblem(value: string): string | null {
  if (value.length === 0) return 'it is empty';
  if (value.includes('\u0000')) return 'it contains a NUL character';
  if (CONTROL_CHARACTER_PATTERN.test(value)) return 'it contains a control character';
  if (value.includes('\\')) return 'it contains a backslash';
  if (value.startsWith('/')) return "it is absolute (starts with '/')";
  if (/^[A-Za-z]:/.test(value)) return 'it starts with a drive letter';
  const segments = value.split('/');
  if (segments.includes('..')) return "it contains a '..' segment";
  if (segments.includes('.')) return "it contains a '.' segment";
  return null;
}

/**
 * `dbt/prod` → `dbt/prod/`, `/dbt/` → `dbt/`, '' → ''. Throws BAD_CONFIGURATION for a prefix that could
 * escape the folder it names (`..`, backslashes, control characters).
 */
export function normalizeBucketPrefix(prefix: string | null | undefined): string {
  const trimmed = (prefix ?? '').trim().replace(/^\/+/, '');
  if (trimmed === '') return '';
  const withSlash = trimmed.endsWith('/') ? trimmed : `${trimmed}/`;
  const problem = pathProblem(withSlash);
  if (problem) {
    throw new BucketError(
      'BAD_CONFIGURATION',
      `Prefix ${quoteForMessage(withSlash)} is rejected: ${problem}`,
    );
  }
  return withSlash;
}

// Loose on purpose: S3 (3-63, lower case), GCS (up to 222 with dots) and Azure (3-63, `$root`, `$web`)
// each check their own rules; this only keeps out what would change the URL a request goes to.
const BUCKET_NAME_PATTERN = /^\$?[A-Za-z0-9][A-Za-z0-9._-]{0,253}$/;
const REGION_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** Applies the defaults of each provider and refuses what cannot work, with BAD_CONFIGURATION. */
export function normalizeBucketLocation(location: BucketLocation): NormalizedBucketLocation {
  const provider = location.provider;
  if (!BUCKET_PROVIDERS.includes(provider)) {
    throw new BucketError(
      'BAD_CONFIGURATION',
      `Unknown bucket provider ${quoteForMessage(String(provider))}; expected s3, gcs or azure`,
    );
  }
  const bucket = (location.bucket ?? '').trim();
  if (!BUCKET_NAME_PATTERN.test(bucket)) {
    throw new BucketError(
      'BAD_CONFIGURATION',
      `${providerLabel(provider)} ${describeBucket(provider, bucket)} is not a valid name`,
      { provider, bucket },
    );
  }
  const prefix = normalizeBucketPrefix(location.prefix);
  const endpoint = normalizeEndpoint(provider, location.endpoint);
  const region = normalizeRegion(provider, location.region);
  return {
    provider,
    bucket,
    prefix,
    region,
    endpoint,
    // GCS and most S3-compatible servers (MinIO, s3rver) are reached by path; AWS prefers virtual hosts.
    forcePathStyle: location.forcePathStyle ?? (provider !== 'azure' && endpoint !== null),
  };
}

function normalizeEndpoint(provider: BucketProvider, endpoint: string | null | undefined): string | null {
  const text = endpoint?.trim();
  if (!text) return provider === 'gcs' ? GCS_S3_COMPATIBLE_ENDPOINT : null;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    // Not echoed: a malformed URL may still hold a token pasted into it.
    throw new BucketError('BAD_CONFIGURATION', `${providerLabel(provider)} endpoint is not a valid URL`, {
      provider,
    });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new BucketError('BAD_CONFIGURATION', `${providerLabel(provider)} endpoint must be an http(s) URL`, {
      provider,
    });
  }
  // Credentials belong in the encrypted credentials, never in the endpoint stored in clear text.
  if (url.username || url.password || url.search || url.hash) {
    throw new BucketError(
      'BAD_CONFIGURATION',
      `${providerLabel(provider)} endpoint must not contain user info, a query string (SAS token) or a fragment; put credentials in the credentials`,
      { provider },
    );
  }
  return url.toString().replace(/\/+$/, '');
}

function normalizeRegion(provider: BucketProvider, region: string | null | undefined): string | null {
  if (provider === 'azure') return null;
  const text = region?.trim();
  if (!text) return provider === 'gcs' ? GCS_REGION : DEFAULT_S3_REGION;
  if (!REGION_PATTERN.test(text)) {
    throw new BucketError(
      'BAD_CONFIGURATION',
      `${providerLabel(provider)} region ${quoteForMessage(text)} is not a valid region name`,
      { provider },
    );
  }
  return text;
}
