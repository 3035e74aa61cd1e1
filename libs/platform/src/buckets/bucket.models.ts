import type { Readable } from 'node:stream';
import type { Secret } from '../secrets/secret.js';

// The shapes a bucket connection is described with. `services/dbt-artifacts` stores a `BucketLocation` in
// its `bucket_connection` row and the `BucketCredentials` JSON encrypted beside it (DESIGN §5).

export type BucketProvider = 's3' | 'gcs' | 'azure';

export const BUCKET_PROVIDERS: readonly BucketProvider[] = ['s3', 'gcs', 'azure'];

export interface BucketLocation {
  provider: BucketProvider;
  /** S3 or GCS bucket; Azure container. */
  bucket: string;
  /** Key prefix the connection may read, '' for the whole bucket; see `normalizeBucketPrefix`. */
  prefix: string;
  /** S3 region (default `us-east-1`, redirects followed); GCS always signs with `auto`. */
  region?: string | null;
  /**
   * Custom S3 endpoint (MinIO, s3rver, `https://storage.googleapis.com` — the GCS default); for Azure the
   * account URL (`https://<account>.blob.core.windows.net`, the default) or an emulator URL.
   */
  endpoint?: string | null;
  /** S3 path-style addressing (`endpoint/bucket/key`); default true for GCS and custom endpoints. */
  forcePathStyle?: boolean;
}

/** A secret field accepts a plain string or a `Secret`, so decrypted credentials can stay wrapped. */
export type BucketSecret = string | Secret;

export interface S3BucketCredentials {
  /** `gcs` means GCS HMAC keys for its S3-compatible (XML / interoperability) API. */
  provider: 's3' | 'gcs';
  accessKeyId: BucketSecret;
  secretAccessKey: BucketSecret;
  sessionToken?: BucketSecret | null;
}

export interface AzureBucketCredentials {
  provider: 'azure';
  accountName: string;
  /** One of these three is required; the first one set wins, in this order. */
  accountKey?: BucketSecret | null;
  sasToken?: BucketSecret | null;
  connectionString?: BucketSecret | null;
}

export type BucketCredentials = S3BucketCredentials | AzureBucketCredentials;

export interface BucketObject {
  /** Full key in the bucket (the location prefix included). */
  key: string;
  /** Entity tag without the surrounding quotes providers disagree about. */
  etag: string;
  size: number;
  lastModified: Date | null;
  /** S3 VersionId / GCS generation / Azure version id, when the listing reports one. */
  version: string | null;
}

export interface BucketDownloadOptions {
  /** The download fails with `TOO_LARGE` as soon as more than this many bytes arrive. */
  maxBytes: number;
  signal?: AbortSignal;
}

export interface BucketClient {
  readonly location: Readonly<BucketLocation>;
  /**
   * Every object under `prefix` (a full key prefix inside the location's prefix; default the location's
   * prefix), in key order, one page at a time: only the current page is held in memory.
   */
  list(prefix?: string): AsyncIterable<BucketObject>;
  /**
   * The object's bytes as a stream. Rejects with `TOO_LARGE` before any byte is read when the announced
   * length is over `maxBytes`; the stream errors with `TOO_LARGE` when more bytes arrive than that anyway.
   */
  download(key: string, options: BucketDownloadOptions): Promise<Readable>;
  /** Reaches the bucket and lists one object under the prefix; throws a `BucketError` if that fails. */
  check(): Promise<void>;
  /** Releases sockets; the client cannot be used afterwards. */
  close(): void;
}

export interface BucketClientOptions {
  /**
   * Longest wait for a connection, for the answer to a request, and between two chunks of a download.
   * Not a limit on a whole download, which may take as long as it keeps moving. Default 30 s.
   */
  timeoutMs?: number;
  /** Objects asked for per list request. Default 1000 (the S3 maximum); tests lower it to paginate. */
  pageSize?: number;
  /** Attempts per request, the first included; throttling, 5xx and network errors are retried. Default 3. */
  maxAttempts?: number;
}

export const DEFAULT_BUCKET_TIMEOUT_MS = 30_000;
export const DEFAULT_BUCKET_PAGE_SIZE = 1000;
export const DEFAULT_BUCKET_MAX_ATTEMPTS = 3;
