import { redactSecrets } from './redact.js';

// The one error a vendor API client (dbt Cloud, Hex, …) throws to its service, above the HTTP layer's
// VendorHttpError. `code` is the GraphQL `extensions.code` of DESIGN §6, so a sync and a connection test pass it
// on unchanged; `message` is written for the person who configured the connection (what the vendor said, what
// to change) and is redacted against the credentials once more at construction, whatever built it (DESIGN §5).
// Each client subclasses it only to carry its own name.

export type VendorApiErrorCode =
  | 'UPSTREAM_AUTH_FAILED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'RATE_LIMITED'
  | 'UPSTREAM_UNAVAILABLE'
  | 'BAD_USER_INPUT'
  | 'INTERNAL';

export interface VendorApiErrorDetails {
  /** HTTP status of the vendor's last answer, when there was one. */
  status?: number;
  /** The vendor's own message (dbt Cloud's `user_message`, Hex's `reason`), redacted. */
  upstreamMessage?: string;
  /** How long the vendor asked us to wait (429), so a job queue can reschedule after it. */
  retryAfterMs?: number;
  /** Which call failed (`list-runs`, `list-projects`), for logs and metrics. */
  operation?: string;
  /** Values that must not appear in the message (the token). */
  secrets?: readonly (string | null | undefined)[];
  cause?: unknown;
}

export class VendorApiError extends Error {
  override readonly name: string = 'VendorApiError';
  readonly code: VendorApiErrorCode;
  readonly status: number | undefined;
  readonly upstreamMessage: string | undefined;
  readonly retryAfterMs: number | undefined;
  readonly operation: string | undefined;

  constructor(code: VendorApiErrorCode, message: string, details: VendorApiErrorDetails = {}) {
    const secrets = details.secrets ?? [];
    super(
      redactSecrets(message, secrets),
      details.cause === undefined ? undefined : { cause: details.cause },
    );
    this.code = code;
    this.status = details.status;
    this.upstreamMessage =
      details.upstreamMessage === undefined ? undefined : redactSecrets(details.upstreamMessage, secrets);
    this.retryAfterMs = details.retryAfterMs;
    this.operation = details.operation;
  }

  /** Whether a later attempt (a new job run, not an immediate retry) may succeed. */
  get retryable(): boolean {
    return this.code === 'UPSTREAM_UNAVAILABLE' || this.code === 'RATE_LIMITED';
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      status: this.status,
      upstreamMessage: this.upstreamMessage,
      retryAfterMs: this.retryAfterMs,
      operation: this.operation,
      retryable: this.retryable,
    };
  }
}
