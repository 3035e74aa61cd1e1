import { BucketError, quoteForMessage, safeCauseCode, type BucketErrorCode } from './bucket.errors.js';
import { describeBucket, providerLabel } from './bucket-location.js';
import type { BucketProvider } from './bucket.models.js';

// The only place that knows the error codes of S3, GCS's XML API and Azure Blob Storage. It reads a status
// and a code off an SDK error and writes a message of its own; nothing else of the SDK error survives.

export interface BucketErrorContext {
  provider: BucketProvider;
  bucket: string;
  operation: 'list' | 'download' | 'check';
  /** The object, for downloads. */
  key?: string;
  /** Shown as its origin only (a path or query may carry a token). */
  endpoint: string | null;
  timeoutMs: number;
  secrets: readonly string[];
}

/** What an SDK error says, read without trusting its shape. */
export interface ProviderFailure {
  status: number | undefined;
  /** Provider code (`NoSuchBucket`), or a network or timeout code when there was no answer. */
  code: string | undefined;
  timedOut: boolean;
}

const CREDENTIAL_CODES = new Set([
  // S3 and GCS XML
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'InvalidToken',
  'TokenRefreshRequired',
  'InvalidSecurity',
  'MissingSecurityHeader',
  // Azure
  'AuthenticationFailed',
  'AuthorizationFailure',
  'InvalidAuthenticationInfo',
  'NoAuthenticationInformation',
]);

const PERMISSION_CODES = new Set([
  'AccessDenied',
  'AllAccessDisabled',
  'AccountIsDisabled',
  'AuthorizationPermissionMismatch',
  'AuthorizationResourceTypeMismatch',
  'AuthorizationSourceIPMismatch',
  'AuthorizationProtocolMismatch',
  'InsufficientAccountPermissions',
  'UserProjectAccountProblem',
]);

const MISSING_BUCKET_CODES = new Set(['NoSuchBucket', 'ContainerNotFound', 'ContainerBeingDeleted']);
const MISSING_OBJECT_CODES = new Set(['NoSuchKey', 'BlobNotFound', 'NotFound', 'NoSuchVersion']);

// Wrong region, wrong endpoint, invalid names: retrying will not help, the connection must change.
const CONFIGURATION_CODES = new Set([
  'PermanentRedirect',
  'TemporaryRedirect',
  'AuthorizationHeaderMalformed',
  'IllegalLocationConstraintException',
  'InvalidBucketName',
  'InvalidRegion',
  'InvalidResourceName',
  'InvalidUri',
  'InvalidQueryParameterValue',
  'AccountRequiresHttps',
  'UnsupportedHttpVerb',
  'ERR_INVALID_URL',
  'ENOTFOUND',
]);

const THROTTLING_CODES = new Set([
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'RequestLimitExceeded',
  'TooManyRequests',
  'ServerBusy',
  'OperationTimedOut',
  'InternalError',
  'ServiceUnavailable',
]);

function classify(failure: ProviderFailure): BucketErrorCode {
  const { status, code } = failure;
  if (failure.timedOut) return 'UNAVAILABLE';
  if (code && CREDENTIAL_CODES.has(code)) return 'AUTH_FAILED';
  if (code && PERMISSION_CODES.has(code)) return 'AUTH_FAILED';
  if (code && MISSING_BUCKET_CODES.has(code)) return 'NOT_FOUND';
  if (code && MISSING_OBJECT_CODES.has(code)) return 'NOT_FOUND';
  if (code && CONFIGURATION_CODES.has(code)) return 'BAD_CONFIGURATION';
  if (code && THROTTLING_CODES.has(code)) return 'UNAVAILABLE';
  if (status === 401 || status === 403) return 'AUTH_FAILED';
  if (status === 404 || status === 410) return 'NOT_FOUND';
  if (status === 301 || status === 307 || status === 400) return 'BAD_CONFIGURATION';
  return 'UNAVAILABLE';
}

function endpointOrigin(endpoint: string | null): string | null {
  if (!endpoint) return null;
  try {
    return new URL(endpoint).origin;
  } catch {
    return null;
  }
}

function describeFailure(
  bucketErrorCode: BucketErrorCode,
  failure: ProviderFailure,
  context: BucketErrorContext,
): string {
  const label = providerLabel(context.provider);
  const bucket = describeBucket(context.provider, context.bucket);
  const object = context.key === undefined ? undefined : `object ${quoteForMessage(context.key)}`;
  const reason = failure.code ?? (failure.status ? `HTTP ${failure.status}` : 'no answer');
  switch (bucketErrorCode) {
    case 'AUTH_FAILED':
      return failure.code && PERMISSION_CODES.has(failure.code)
        ? `${label} denied the credentials access to ${object ? `${object} in ` : ''}${bucket} (${reason})`
        : `${label} refused the credentials for ${bucket} (${reason})`;
    case 'NOT_FOUND':
      if (object && !(failure.code && MISSING_BUCKET_CODES.has(failure.code))) {
        return `${label} ${object} does not exist in ${bucket} (${reason})`;
      }
      return `${label} ${bucket} does not exist (${reason})`;
    case 'BAD_CONFIGURATION':
      return `${label} ${bucket} cannot be reached as configured: check the region, the endpoint and the name (${reason})`;
    default: {
      const origin = endpointOrigin(context.endpoint);
      const where = origin ? ` at ${origin}` : '';
      if (failure.timedOut) {
        return `${label} ${bucket}${where} did not answer within ${context.timeoutMs} ms (${context.operation})`;
      }
      return `${label} ${bucket}${where} is unavailable (${context.operation}: ${reason})`;
    }
  }
}

export function bucketErrorFromFailure(failure: ProviderFailure, context: BucketErrorContext): BucketError {
  const code = classify(failure);
  return new BucketError(code, describeFailure(code, failure, context), {
    provider: context.provider,
    bucket: context.bucket,
    key: context.key,
    status: failure.status,
    causeCode: failure.code,
    secrets: context.secrets,
  });
}

const TIMEOUT_CODES = new Set(['TimeoutError', 'ETIMEDOUT', 'RequestTimeout', 'ESOCKETTIMEDOUT']);

function read(error: unknown, property: string): unknown {
  return typeof error === 'object' && error !== null
    ? (error as Record<string, unknown>)[property]
    : undefined;
}

/**
 * The SDK turns an error it does not recognise as an `Error` (one of another realm, as under Jest's VM
 * modules) into "AWS SDK error wrapper for Error: connect ECONNREFUSED …", keeping only the text; the Node
 * system error code (`ECONNREFUSED`, `ECONNRESET`) is recovered from it, and nothing else.
 */
function wrappedSystemErrorCode(error: unknown): string | undefined {
  const message = read(error, 'message');
  if (typeof message !== 'string' || !message.startsWith('AWS SDK error wrapper for')) return undefined;
  return /\b(E[A-Z]{3,20})\b/.exec(message)?.[1];
}

/** Status and code of an AWS SDK v3 error (`S3ServiceException`, or a network error from the handler). */
export function s3Failure(error: unknown): ProviderFailure {
  const metadata = read(error, '$metadata');
  const status = read(metadata, 'httpStatusCode') ?? read(read(error, '$response'), 'statusCode');
  const networkCode = safeCauseCode(read(error, 'code')) ?? wrappedSystemErrorCode(error);
  const name = safeCauseCode(read(error, 'name'));
  // Errors the SDK could not decode (an HTML page from a proxy) are named `Unknown`/`UnknownError`.
  const serviceCode =
    name && !/^(Unknown|UnknownError|Error|S3ServiceException)$/.test(name) ? name : undefined;
  const code = typeof status === 'number' ? (serviceCode ?? networkCode) : (networkCode ?? serviceCode);
  return {
    status: typeof status === 'number' ? status : undefined,
    code,
    timedOut: [networkCode, name].some((value) => value !== undefined && TIMEOUT_CODES.has(value)),
  };
}

/** Status and code of an Azure SDK error (`RestError`, with `x-ms-error-code` as `code`). */
export function azureFailure(error: unknown): ProviderFailure {
  const status = read(error, 'statusCode');
  const code = safeCauseCode(read(error, 'code')) ?? safeCauseCode(read(read(error, 'details'), 'errorCode'));
  const name = safeCauseCode(read(error, 'name'));
  return {
    status: typeof status === 'number' && status > 0 ? status : undefined,
    code: code === 'REQUEST_SEND_ERROR' ? (safeCauseCode(read(read(error, 'cause'), 'code')) ?? code) : code,
    timedOut: [code, name].some((value) => value !== undefined && TIMEOUT_CODES.has(value)),
  };
}
