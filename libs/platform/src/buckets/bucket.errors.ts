import { redactSecrets } from '../http/redact.js';
import type { BucketProvider } from './bucket.models.js';

// The one error type bucket access throws. Its message is built from parts we chose (provider, bucket, key,
// the provider's error code), never from an SDK message or request, and is redacted once more against the
// connection's credentials: SDK errors carry request URLs (an Azure SAS token is a query string) and
// echo access key ids, so they are not kept, not even as `cause` (DESIGN §5).

export type BucketErrorCode =
  /** The provider refused the credentials or the permission (401/403, bad key, bad signature). */
  | 'AUTH_FAILED'
  /** The bucket, container or object does not exist. */
  | 'NOT_FOUND'
  /** Network failure, timeout, throttling or a server error that retries did not get past. */
  | 'UNAVAILABLE'
  /** The object is larger than the caller accepts. */
  | 'TOO_LARGE'
  /** A hostile or malformed object key (`..`, absolute, control characters, outside the prefix). */
  | 'INVALID_KEY'
  /** The location or credentials cannot work as given (bad endpoint, missing key, wrong region). */
  | 'BAD_CONFIGURATION';

/** The GraphQL `extensions.code` of DESIGN §6 each bucket error crosses the API with. */
export type BucketGraphqlErrorCode =
  'UPSTREAM_AUTH_FAILED' | 'NOT_FOUND' | 'UPSTREAM_UNAVAILABLE' | 'BAD_USER_INPUT';

const GRAPHQL_CODES: Readonly<Record<BucketErrorCode, BucketGraphqlErrorCode>> = {
  AUTH_FAILED: 'UPSTREAM_AUTH_FAILED',
  NOT_FOUND: 'NOT_FOUND',
  UNAVAILABLE: 'UPSTREAM_UNAVAILABLE',
  TOO_LARGE: 'BAD_USER_INPUT',
  INVALID_KEY: 'BAD_USER_INPUT',
  BAD_CONFIGURATION: 'BAD_USER_INPUT',
};

export interface BucketErrorDetails {
  provider?: BucketProvider;
  bucket?: string;
  key?: string;
  /** HTTP status of the provider's answer, when there was one. */
  status?: number;
  /** The provider's error code (`NoSuchBucket`, `AuthorizationFailure`) or a network code (`ECONNREFUSED`). */
  causeCode?: string;
  /** Values that must not appear in the message (credentials); removed before it is stored. */
  secrets?: readonly (string | null | undefined)[];
}

export class BucketError extends Error {
  override readonly name = 'BucketError';
  readonly code: BucketErrorCode;
  readonly provider: BucketProvider | undefined;
  readonly bucket: string | undefined;
  readonly key: string | undefined;
  readonly status: number | undefined;
  readonly causeCode: string | undefined;

  constructor(code: BucketErrorCode, message: string, details: BucketErrorDetails = {}) {
    super(redactSecrets(message, details.secrets ?? []));
    this.code = code;
    this.provider = details.provider;
    this.bucket = details.bucket;
    this.key = details.key;
    this.status = details.status;
    this.causeCode = details.causeCode;
  }

  /** Whether a later attempt (a new job run, not an immediate retry) may succeed. */
  get retryable(): boolean {
    return this.code === 'UNAVAILABLE';
  }

  get graphqlCode(): BucketGraphqlErrorCode {
    return GRAPHQL_CODES[this.code];
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      provider: this.provider,
      bucket: this.bucket,
      key: this.key,
      status: this.status,
      causeCode: this.causeCode,
      retryable: this.retryable,
    };
  }
}

export function isBucketError(error: unknown): error is BucketError {
  return error instanceof BucketError;
}

const MAXIMUM_QUOTED_LENGTH = 200;

/**
 * A key or name for a message: quoted, with control characters and quotes escaped (a hostile key cannot
 * forge log lines) and long values cut.
 */
export function quoteForMessage(value: string): string {
  const cut = value.length > MAXIMUM_QUOTED_LENGTH ? `${value.slice(0, MAXIMUM_QUOTED_LENGTH)}…` : value;
  const escaped = JSON.stringify(cut)
    .slice(1, -1)
    .replace(/'/g, "\\'")
    .replace(
      /[\u0080-\u009f\u2028\u2029]/g,
      (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
  return `'${escaped}'`;
}

/** Keeps a provider error code only when it looks like one, so nothing else is copied into a message. */
export function safeCauseCode(value: unknown): string | undefined {
  return typeof value === 'string' && /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/.test(value) ? value : undefined;
}
