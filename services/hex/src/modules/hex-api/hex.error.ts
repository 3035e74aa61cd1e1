import { redactSecrets } from '@cartograph/platform/http';

// The one error a Hex call throws. `code` is the GraphQL `extensions.code` of DESIGN §6, so the sync and
// the connection test pass it on unchanged; `message` is written for the person who configured the
// connection (what Hex said, what to change) and is redacted against the token once more at
// construction, whatever built it (DESIGN §5).

export type HexApiErrorCode =
  | 'UPSTREAM_AUTH_FAILED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'RATE_LIMITED'
  | 'UPSTREAM_UNAVAILABLE'
  | 'BAD_USER_INPUT'
  | 'INTERNAL';

export interface HexApiErrorDetails {
  /** HTTP status of Hex's last answer, when there was one. */
  status?: number;
  /** Hex's own `reason`, redacted. */
  upstreamMessage?: string;
  /** How long Hex asked us to wait (429), so a job queue can reschedule after it. */
  retryAfterMs?: number;
  /** Which call failed (`list-projects`, `list-users`), for logs and metrics. */
  operation?: string;
  /** Values that must not appear in the message (the token). */
  secrets?: readonly (string | null | undefined)[];
  cause?: unknown;
}

export class HexApiError extends Error {
  override readonly name = 'HexApiError';
  readonly code: HexApiErrorCode;
  readonly status: number | undefined;
  readonly upstreamMessage: string | undefined;
  readonly retryAfterMs: number | undefined;
  readonly operation: string | undefined;

  constructor(code: HexApiErrorCode, message: string, details: HexApiErrorDetails = {}) {
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
