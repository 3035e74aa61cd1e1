import type { Readable } from 'node:stream';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { Secret } from '../secrets/secret.js';
import { bucketErrorFromFailure, s3Failure, type BucketErrorContext } from './bucket-error.mapper.js';
import { bucketObjectFromS3 } from './bucket-object.mapper.js';
import { BucketError } from './bucket.errors.js';
import { describeBucket, providerLabel, type NormalizedBucketLocation } from './bucket-location.js';
import type {
  BucketClient,
  BucketDownloadOptions,
  BucketObject,
  S3BucketCredentials,
} from './bucket.models.js';
import { boundedStream } from './bounded-stream.js';
import {
  abortReason,
  assertMaxBytes,
  checkDownloadLimit,
  resolveListPrefix,
  tooLargeError,
} from './bucket-operations.js';
import { safeObjectKey } from './object-key.js';

// S3, and GCS through its S3-compatible XML API with HMAC keys (same protocol, `auto` region, path-style
// requests to https://storage.googleapis.com), and S3-compatible servers such as MinIO.

export interface S3BucketClientSettings {
  timeoutMs: number;
  pageSize: number;
  maxAttempts: number;
}

export class S3BucketClient implements BucketClient {
  readonly location: Readonly<NormalizedBucketLocation>;
  readonly #client: S3Client;
  readonly #settings: S3BucketClientSettings;
  readonly #secrets: string[];
  #closed = false;

  constructor(
    location: NormalizedBucketLocation,
    credentials: S3BucketCredentials,
    settings: S3BucketClientSettings,
  ) {
    this.location = Object.freeze({ ...location });
    this.#settings = settings;
    const accessKeyId = Secret.reveal(credentials.accessKeyId);
    const secretAccessKey = Secret.reveal(credentials.secretAccessKey);
    const sessionToken = credentials.sessionToken ? Secret.reveal(credentials.sessionToken) : undefined;
    this.#secrets = [accessKeyId, secretAccessKey, sessionToken].filter(
      (value): value is string => typeof value === 'string' && value !== '',
    );
    const customEndpoint = location.endpoint !== null;
    this.#client = new S3Client({
      region: location.region ?? undefined,
      endpoint: location.endpoint ?? undefined,
      forcePathStyle: location.forcePathStyle,
      // Explicit credentials only: the SDK's default chain (environment, ~/.aws, instance metadata) would
      // let a connection without keys read with the server's own identity.
      credentials: { accessKeyId, secretAccessKey, sessionToken },
      maxAttempts: settings.maxAttempts,
      // A bucket in another region answers 301; AWS tells the right region, so follow it there.
      followRegionRedirects: !customEndpoint,
      // Recent SDKs add CRC checksums (aws-chunked uploads, x-amz-checksum-mode) that GCS and older
      // S3-compatible servers reject or mishandle; outside AWS ask for them only where S3 requires them.
      ...(customEndpoint
        ? { requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' }
        : {}),
      requestHandler: {
        connectionTimeout: settings.timeoutMs,
        requestTimeout: settings.timeoutMs,
        // Without it the handler only logs a warning when `requestTimeout` passes.
        throwOnRequestTimeout: true,
      },
    });
  }

  async *list(prefix?: string): AsyncGenerator<BucketObject, void, undefined> {
    const listPrefix = resolveListPrefix(this.location, prefix);
    const seenTokens = new Set<string>();
    let continuationToken: string | undefined;
    do {
      const page = await this.#call('list', undefined, undefined, (abortSignal) =>
        this.#client.send(
          new ListObjectsV2Command({
            Bucket: this.location.bucket,
            Prefix: listPrefix === '' ? undefined : listPrefix,
            MaxKeys: this.#settings.pageSize,
            ContinuationToken: continuationToken,
          }),
          { abortSignal },
        ),
      );
      for (const item of page.Contents ?? []) {
        const object = bucketObjectFromS3(item);
        if (object) yield object;
      }
      continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
      if (page.IsTruncated && !continuationToken) {
        throw this.#protocolError('said the listing is truncated but gave no continuation token');
      }
      if (continuationToken !== undefined) {
        // A token that comes back means the server is serving the same page again: stop, not loop.
        if (seenTokens.has(continuationToken)) {
          throw this.#protocolError('repeated a continuation token');
        }
        seenTokens.add(continuationToken);
      }
    } while (continuationToken !== undefined);
  }

  async download(key: string, options: BucketDownloadOptions): Promise<Readable> {
    this.#assertOpen();
    assertMaxBytes(options.maxBytes);
    safeObjectKey(key, this.location.prefix);
    const response = await this.#call('download', key, options.signal, (abortSignal) =>
      this.#client.send(new GetObjectCommand({ Bucket: this.location.bucket, Key: key }), { abortSignal }),
    );
    const body = response.Body as Readable | undefined;
    if (!body) {
      throw bucketErrorFromFailure(
        { status: response.$metadata.httpStatusCode, code: 'EmptyBody', timedOut: false },
        this.#context('download', key),
      );
    }
    checkDownloadLimit(this.location, key, response.ContentLength, options.maxBytes, () => body.destroy());
    const context = this.#context('download', key);
    return boundedStream(body, {
      maxBytes: options.maxBytes,
      idleTimeoutMs: this.#settings.timeoutMs,
      signal: options.signal,
      tooLarge: () => tooLargeError(this.location, key, options.maxBytes),
      idle: () =>
        bucketErrorFromFailure({ status: undefined, code: 'TimeoutError', timedOut: true }, context),
      mapError: (error) =>
        options.signal?.aborted
          ? abortReason(options.signal, error)
          : bucketErrorFromFailure(s3Failure(error), context),
    });
  }

  async check(): Promise<void> {
    await this.#call('check', undefined, undefined, (abortSignal) =>
      // Listing one key under the prefix needs exactly the permission a sync needs (s3:ListBucket, possibly
      // limited to the prefix by a policy condition), unlike HeadBucket, which needs it on the whole bucket.
      this.#client.send(
        new ListObjectsV2Command({
          Bucket: this.location.bucket,
          Prefix: this.location.prefix === '' ? undefined : this.location.prefix,
          MaxKeys: 1,
        }),
        { abortSignal },
      ),
    );
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#client.destroy();
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error('This bucket client is closed');
  }

  async #call<T>(
    operation: BucketErrorContext['operation'],
    key: string | undefined,
    signal: AbortSignal | undefined,
    run: (abortSignal: AbortSignal | undefined) => Promise<T>,
  ): Promise<T> {
    this.#assertOpen();
    signal?.throwIfAborted();
    try {
      return await run(signal);
    } catch (error) {
      if (signal?.aborted) throw abortReason(signal, error);
      throw bucketErrorFromFailure(s3Failure(error), this.#context(operation, key));
    }
  }

  #context(operation: BucketErrorContext['operation'], key?: string): BucketErrorContext {
    return {
      provider: this.location.provider,
      bucket: this.location.bucket,
      operation,
      key,
      endpoint: this.location.endpoint,
      timeoutMs: this.#settings.timeoutMs,
      secrets: this.#secrets,
    };
  }

  #protocolError(detail: string): BucketError {
    return new BucketError(
      'UNAVAILABLE',
      `${providerLabel(this.location.provider)} ${describeBucket(this.location.provider, this.location.bucket)} ${detail} (list)`,
      { provider: this.location.provider, bucket: this.location.bucket, secrets: this.#secrets },
    );
  }
}
