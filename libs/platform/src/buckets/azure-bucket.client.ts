import type { Readable } from 'node:stream';
import {
  BlobServiceClient,
  StorageSharedKeyCredential,
  type ContainerClient,
  type StoragePipelineOptions,
} from '@azure/storage-blob';
import { Secret } from '../secrets/secret.js';
import { azureFailure, bucketErrorFromFailure, type BucketErrorContext } from './bucket-error.mapper.js';
import { bucketObjectFromAzure } from './bucket-object.mapper.js';
import { BucketError } from './bucket.errors.js';
import { describeBucket, type NormalizedBucketLocation } from './bucket-location.js';
import type {
  AzureBucketCredentials,
  BucketClient,
  BucketDownloadOptions,
  BucketObject,
} from './bucket.models.js';
import {
  abortReason,
  assertMaxBytes,
  checkDownloadLimit,
  resolveListPrefix,
  tooLargeError,
} from './bucket-operations.js';
import { boundedStream } from './bounded-stream.js';
import { safeObjectKey } from './object-key.js';

// Azure Blob Storage: a container of an account, with a shared key, a SAS token or a connection string.

export interface AzureBucketClientSettings {
  timeoutMs: number;
  pageSize: number;
  maxAttempts: number;
}

const ACCOUNT_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9-]{0,62}$/;

export class AzureBucketClient implements BucketClient {
  readonly location: Readonly<NormalizedBucketLocation>;
  readonly #container: ContainerClient;
  readonly #settings: AzureBucketClientSettings;
  readonly #secrets: string[];
  #closed = false;

  constructor(
    location: NormalizedBucketLocation,
    credentials: AzureBucketCredentials,
    settings: AzureBucketClientSettings,
  ) {
    this.location = Object.freeze({ ...location });
    this.#settings = settings;
    const accountKey = credentials.accountKey ? Secret.reveal(credentials.accountKey) : '';
    const sasToken = credentials.sasToken ? Secret.reveal(credentials.sasToken).replace(/^\?/, '') : '';
    const connectionString = credentials.connectionString ? Secret.reveal(credentials.connectionString) : '';
    this.#secrets = [accountKey, sasToken, connectionString].filter((value) => value !== '');
    // The SDK's own retries, short: the caller's job queue retries a failed sync later anyway.
    const pipelineOptions: StoragePipelineOptions = {
      retryOptions: {
        maxTries: settings.maxAttempts,
        retryDelayInMs: 200,
        maxRetryDelayInMs: 5_000,
      },
      userAgentOptions: { userAgentPrefix: 'cartograph' },
    };
    const service = this.#serviceClient(credentials, accountKey, sasToken, connectionString, pipelineOptions);
    this.#container = service.getContainerClient(location.bucket);
  }

  #serviceClient(
    credentials: AzureBucketCredentials,
    accountKey: string,
    sasToken: string,
    connectionString: string,
    pipelineOptions: StoragePipelineOptions,
  ): BlobServiceClient {
    const badConfiguration = (message: string): BucketError =>
      new BucketError('BAD_CONFIGURATION', message, {
        provider: 'azure',
        bucket: this.location.bucket,
        secrets: this.#secrets,
      });
    if (!accountKey && !sasToken && !connectionString) {
      throw badConfiguration('Azure Blob Storage needs an account key, a SAS token or a connection string');
    }
    if (accountKey || sasToken) {
      if (!ACCOUNT_NAME_PATTERN.test(credentials.accountName ?? '')) {
        throw badConfiguration('Azure Blob Storage account name is missing or not a valid account name');
      }
    }
    const accountUrl = this.location.endpoint ?? `https://${credentials.accountName}.blob.core.windows.net`;
    if (accountKey) {
      return new BlobServiceClient(
        accountUrl,
        new StorageSharedKeyCredential(credentials.accountName, accountKey),
        pipelineOptions,
      );
    }
    if (sasToken) {
      return new BlobServiceClient(`${accountUrl}?${sasToken}`, undefined, pipelineOptions);
    }
    try {
      return BlobServiceClient.fromConnectionString(connectionString, pipelineOptions);
    } catch {
      // The SDK's message may quote the connection string; ours says only what is wrong.
      throw badConfiguration('Azure Blob Storage connection string is not valid');
    }
  }

  async *list(prefix?: string): AsyncGenerator<BucketObject, void, undefined> {
    const listPrefix = resolveListPrefix(this.location, prefix);
    const seenMarkers = new Set<string>();
    let continuationToken: string | undefined;
    do {
      // One request per iterator: each page gets its own deadline, and only that page is in memory.
      const page = await this.#call('list', undefined, undefined, async (abortSignal) => {
        const pages = this.#container
          .listBlobsFlat({ prefix: listPrefix === '' ? undefined : listPrefix, abortSignal })
          .byPage({ continuationToken, maxPageSize: this.#settings.pageSize });
        const result = await pages.next();
        return result.done ? undefined : result.value;
      });
      for (const item of page?.segment.blobItems ?? []) yield bucketObjectFromAzure(item);
      continuationToken = page?.continuationToken || undefined;
      if (continuationToken !== undefined) {
        // A marker that comes back means the server is serving the same page again: stop, not loop.
        if (seenMarkers.has(continuationToken)) {
          throw new BucketError(
            'UNAVAILABLE',
            `Azure Blob Storage ${describeBucket('azure', this.location.bucket)} repeated a continuation marker (list)`,
            { provider: 'azure', bucket: this.location.bucket, secrets: this.#secrets },
          );
        }
        seenMarkers.add(continuationToken);
      }
    } while (continuationToken !== undefined);
  }

  async download(key: string, options: BucketDownloadOptions): Promise<Readable> {
    assertMaxBytes(options.maxBytes);
    safeObjectKey(key, this.location.prefix);
    const blob = this.#container.getBlobClient(key);
    const response = await this.#call('download', key, options.signal, (abortSignal) =>
      // The SDK resumes a broken body stream with range requests, at most this many times.
      blob.download(0, undefined, { abortSignal, maxRetryRequests: this.#settings.maxAttempts - 1 }),
    );
    const context = this.#context('download', key);
    const body = response.readableStreamBody;
    if (!body) {
      throw bucketErrorFromFailure(
        { status: response._response.status, code: 'EmptyBody', timedOut: false },
        context,
      );
    }
    const discard = (): void => {
      (body as Partial<Readable>).destroy?.();
    };
    checkDownloadLimit(this.location, key, response.contentLength, options.maxBytes, discard);
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
          : bucketErrorFromFailure(azureFailure(error), context),
    });
  }

  async check(): Promise<void> {
    // Listing one blob under the prefix needs the permission a sync needs (List on the container, which a
    // container SAS can grant), where getProperties would need Read on the container itself.
    await this.#call('check', undefined, undefined, async (abortSignal) => {
      await this.#container
        .listBlobsFlat({
          prefix: this.location.prefix === '' ? undefined : this.location.prefix,
          abortSignal,
        })
        .byPage({ maxPageSize: 1 })
        .next();
    });
  }

  close(): void {
    // The SDK keeps no sockets of its own beyond Node's keep-alive agent, which lets idle sockets go.
    this.#closed = true;
  }

  /**
   * Runs one SDK call with a deadline on reaching an answer (the Azure SDK has none of its own beyond the
   * server-side `timeout` parameter). The deadline ends when the call resolves, so a download's body may
   * take longer; `boundedStream` watches that body for silence instead.
   */
  async #call<T>(
    operation: BucketErrorContext['operation'],
    key: string | undefined,
    signal: AbortSignal | undefined,
    run: (abortSignal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    if (this.#closed) throw new Error('This bucket client is closed');
    signal?.throwIfAborted();
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), this.#settings.timeoutMs);
    const abortSignal = signal ? AbortSignal.any([signal, deadline.signal]) : deadline.signal;
    try {
      return await run(abortSignal);
    } catch (error) {
      if (signal?.aborted) throw abortReason(signal, error);
      const failure = deadline.signal.aborted
        ? { status: undefined, code: 'TimeoutError', timedOut: true }
        : azureFailure(error);
      throw bucketErrorFromFailure(failure, this.#context(operation, key));
    } finally {
      clearTimeout(timer);
    }
  }

  #context(operation: BucketErrorContext['operation'], key?: string): BucketErrorContext {
    return {
      provider: 'azure',
      bucket: this.location.bucket,
      operation,
      key,
      endpoint: this.location.endpoint,
      timeoutMs: this.#settings.timeoutMs,
      secrets: this.#secrets,
    };
  }
}
