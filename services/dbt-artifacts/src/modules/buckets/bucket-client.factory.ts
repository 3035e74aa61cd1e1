import { Injectable } from '@nestjs/common';
import {
  createBucketClient,
  isBucketError,
  type BucketClient,
  type BucketClientOptions,
  type BucketLocation,
  type BucketProvider,
} from '@cartograph/platform/buckets';
import { SecretBox, SecretBoxError } from '@cartograph/platform/secrets';
import type { BucketConnectionEntity } from './bucket-connection.entity.js';
import {
  clientCredentials,
  credentialsContext,
  parseStoredCredentials,
  type StoredBucketCredentials,
} from './bucket-credentials.mapper.js';
import type { SyncRunError } from './sync-runs.repository.js';

export function connectionLocation(
  connection: Pick<
    BucketConnectionEntity,
    'provider' | 'bucket' | 'prefix' | 'region' | 'endpoint' | 'forcePathStyle'
  >,
): BucketLocation {
  return {
    provider: connection.provider as BucketProvider,
    bucket: connection.bucket,
    prefix: connection.prefix,
    region: connection.region,
    endpoint: connection.endpoint,
    forcePathStyle: connection.forcePathStyle,
  };
}

/**
 * What a failure is allowed to say, as `{ code, message }` with the codes of DESIGN §6. Bucket errors carry
 * messages built from chosen parts and redacted against the credentials; anything else (a driver error, a
 * bug) is summarised, never copied, since its text was not written with secrets in mind.
 */
export function describeBucketFailure(error: unknown): SyncRunError {
  if (isBucketError(error)) return { code: error.graphqlCode, message: error.message };
  if (error instanceof SecretBoxError) {
    // Its messages name key ids and what to configure, never key material or plaintext.
    return { code: 'INTERNAL', message: `The stored credentials cannot be decrypted: ${error.message}` };
  }
  return { code: 'INTERNAL', message: 'Internal error while reading the bucket; see the worker log' };
}

/** Builds bucket clients from stored connections; the only place credentials are decrypted. */
@Injectable()
export class BucketClientFactory {
  constructor(private readonly secrets: SecretBox) {}

  encrypt(connectionId: string, credentials: StoredBucketCredentials): string {
    return this.secrets.encrypt(JSON.stringify(credentials), { context: credentialsContext(connectionId) });
  }

  decrypt(connection: Pick<BucketConnectionEntity, 'id' | 'credentialsCiphertext'>): StoredBucketCredentials {
    return parseStoredCredentials(
      this.secrets.decrypt(connection.credentialsCiphertext, { context: credentialsContext(connection.id) }),
    );
  }

  /** Throws BucketError BAD_CONFIGURATION, without a request, when the settings cannot work. */
  create(
    connection: BucketConnectionEntity,
    options: BucketClientOptions = {},
    credentials: StoredBucketCredentials = this.decrypt(connection),
  ): BucketClient {
    return createBucketClient(connectionLocation(connection), clientCredentials(credentials), options);
  }
}
