import { redactSecrets } from '@cartograph/platform/http';

// The one error a call to the Semantic Layer throws. `code` is the GraphQL `extensions.code` of DESIGN §6;
// the message says what the Semantic Layer answered and what to change, and is redacted against the token.

export type SemanticLayerUpstreamErrorCode =
  | 'UPSTREAM_AUTH_FAILED'
  | 'UPSTREAM_UNAVAILABLE'
  | 'RATE_LIMITED'
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'INTERNAL';

export class SemanticLayerUpstreamError extends Error {
  override readonly name = 'SemanticLayerUpstreamError';

  constructor(
    readonly code: SemanticLayerUpstreamErrorCode,
    message: string,
    details: {
      secrets?: readonly (string | null | undefined)[];
      /** The Semantic Layer query the error belongs to, when there is one. */
      queryId?: string;
      /** The client gave up waiting (SEMANTIC_LAYER_QUERY_TIMEOUT_SECONDS). */
      timedOut?: boolean;
    } = {},
  ) {
    super(redactSecrets(message, details.secrets ?? []));
    this.queryId = details.queryId;
    this.timedOut = details.timedOut ?? false;
  }

  readonly queryId: string | undefined;
  readonly timedOut: boolean;
}

// Validation and warehouse errors the user can fix by changing the query (research §3 "Errors"): MetricFlow
// names the bad item and suggests close matches; the warehouse answers INVALID_ARGUMENT through Flight SQL.
const QUERY_ERROR_PATTERN =
  /INVALID_ARGUMENT|InvalidQuery|invalid|unknown|not found|does not exist|suggestions|syntax|ambiguous|not a valid|unable to|cannot be|could not find|no such|mismatch/i;

/** Whether a FAILED query's error text is about the query (BAD_USER_INPUT) or the platform behind it. */
export function queryFailureCode(
  error: string | null | undefined,
): 'BAD_USER_INPUT' | 'UPSTREAM_UNAVAILABLE' {
  return error && QUERY_ERROR_PATTERN.test(error) ? 'BAD_USER_INPUT' : 'UPSTREAM_UNAVAILABLE';
}
