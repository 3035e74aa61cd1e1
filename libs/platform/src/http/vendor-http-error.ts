// The one error type a vendor call throws. Its `code` is the GraphQL `extensions.code` of DESIGN §6, so a
// resolver or a sync run can pass it on without knowing HTTP. Every field is redacted when the error is
// built: nothing added later (message, stack, JSON, util.inspect) can contain a credential.

export type VendorHttpErrorCode =
  | 'UPSTREAM_AUTH_FAILED'
  | 'NOT_FOUND'
  | 'RATE_LIMITED'
  | 'UPSTREAM_UNAVAILABLE'
  | 'BAD_USER_INPUT'
  | 'INTERNAL';

export type VendorHttpErrorReason =
  /** The upstream answered with a status that is not a success. */
  | 'status'
  /** No complete answer in time: connect, headers, body or the whole attempt. */
  | 'timeout'
  /** The connection failed: refused, reset, DNS. */
  | 'network'
  /** The request could not be sent as built (invalid header, closed client): a bug on our side. */
  | 'invalid_request'
  /** The answer was not what was expected (invalid JSON). */
  | 'invalid_response'
  /** The answer was larger than the client accepts in memory. */
  | 'response_too_large';

export interface VendorHttpErrorDetails {
  code: VendorHttpErrorCode;
  reason: VendorHttpErrorReason;
  vendor: string;
  method: string;
  /** URL path only, without query string, with registered secrets removed. */
  path: string;
  status?: number;
  attempts: number;
  /** First characters of the response body, redacted. */
  bodyExcerpt?: string;
  /** Wait asked for by the upstream on the last answer, so a job queue can reschedule after it. */
  retryAfterMs?: number;
  /** `code` of the low-level error (`UND_ERR_HEADERS_TIMEOUT`, `ECONNREFUSED`, …), when there was one. */
  causeCode?: string;
  /** Human detail, already redacted (`timed out waiting for response headers after 30000 ms`). */
  detail: string;
}

const RETRYABLE_CODES: ReadonlySet<VendorHttpErrorCode> = new Set(['RATE_LIMITED', 'UPSTREAM_UNAVAILABLE']);

export class VendorHttpError extends Error {
  override readonly name = 'VendorHttpError';
  readonly code: VendorHttpErrorCode;
  readonly reason: VendorHttpErrorReason;
  readonly vendor: string;
  readonly method: string;
  readonly path: string;
  readonly status: number | undefined;
  readonly attempts: number;
  readonly bodyExcerpt: string | undefined;
  readonly retryAfterMs: number | undefined;
  readonly causeCode: string | undefined;

  constructor(details: VendorHttpErrorDetails) {
    super(formatMessage(details));
    this.code = details.code;
    this.reason = details.reason;
    this.vendor = details.vendor;
    this.method = details.method;
    this.path = details.path;
    this.status = details.status;
    this.attempts = details.attempts;
    this.bodyExcerpt = details.bodyExcerpt;
    this.retryAfterMs = details.retryAfterMs;
    this.causeCode = details.causeCode;
  }

  /** Whether trying again later (a new job attempt, not an immediate retry) may succeed. */
  get retryable(): boolean {
    return RETRYABLE_CODES.has(this.code);
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      reason: this.reason,
      message: this.message,
      vendor: this.vendor,
      method: this.method,
      path: this.path,
      status: this.status,
      attempts: this.attempts,
      retryable: this.retryable,
      retryAfterMs: this.retryAfterMs,
      causeCode: this.causeCode,
      bodyExcerpt: this.bodyExcerpt,
    };
  }
}

export function isVendorHttpError(error: unknown): error is VendorHttpError {
  return error instanceof VendorHttpError;
}

/** Maps a final (after retries) non-success status to the GraphQL error code of DESIGN §6. */
export function errorCodeForStatus(status: number): VendorHttpErrorCode {
  if (status === 401 || status === 403) return 'UPSTREAM_AUTH_FAILED';
  if (status === 404 || status === 410) return 'NOT_FOUND';
  if (status === 429) return 'RATE_LIMITED';
  if (status === 400 || status === 422) return 'BAD_USER_INPUT';
  if (status === 408 || status >= 500) return 'UPSTREAM_UNAVAILABLE';
  // Other statuses (3xx without redirect following, 405, 409, 413…) mean our request is wrong.
  return 'INTERNAL';
}

function formatMessage(details: VendorHttpErrorDetails): string {
  const attempts = details.attempts === 1 ? '1 attempt' : `${details.attempts} attempts`;
  const excerpt = details.bodyExcerpt ? `: ${details.bodyExcerpt}` : '';
  return `${details.vendor} ${details.method} ${details.path} ${details.detail} (${details.code}, ${attempts})${excerpt}`;
}
