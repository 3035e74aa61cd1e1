export {
  createVendorHttpClient,
  DEFAULT_MAX_RESPONSE_BYTES,
  DEFAULT_TIMEOUTS,
  VendorHttpClient,
  VendorHttpResponse,
  type HeaderValue,
  type HttpMethod,
  type QueryValue,
  type RateLimitOptions,
  type RateLimiter,
  type VendorHttpAttempt,
  type VendorHttpClientOptions,
  type VendorHttpStream,
  type VendorHttpTimeouts,
  type VendorJsonRequestOptions,
  type VendorRequestOptions,
} from './vendor-http-client.js';
export {
  errorCodeForStatus,
  isVendorHttpError,
  VendorHttpError,
  type VendorHttpErrorCode,
  type VendorHttpErrorDetails,
  type VendorHttpErrorReason,
} from './vendor-http-error.js';
export {
  backoffDelayMs,
  decideRetry,
  DEFAULT_RETRY_OPTIONS,
  isIdempotentMethod,
  parseRetryAfter,
  resolveRetryOptions,
  type RetryDecision,
  type RetryDecisionInput,
  type RetryOptions,
  type RetryStopReason,
} from './retry-policy.js';
export {
  sharedTokenBucketRegistry,
  sleep,
  TokenBucket,
  TokenBucketRegistry,
  type Clock,
  type TokenBucketOptions,
} from './token-bucket.js';
export { RedisTokenBucket, type RedisTokenBucketOptions } from './redis-token-bucket.js';
export {
  isSensitiveHeaderName,
  isSensitiveName,
  isSensitiveParameterName,
  REDACTED,
  redactedExcerpt,
  redactedPath,
  redactHeaders,
  redactSecrets,
  redactUrl,
} from './redact.js';
export {
  paginate,
  paginateByOffset,
  paginatePages,
  PaginationError,
  type OffsetPaginateOptions,
  type PaginateOptions,
} from './paginate.js';
export { VendorApiError, type VendorApiErrorCode, type VendorApiErrorDetails } from './vendor-api.error.js';
