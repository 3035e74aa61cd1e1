/**
 * A metric query (structured, or pasted as `semantic_layer.query(...)` text) is malformed or uses something
 * the proxy does not accept. The message names the argument and the position; the fields carry the same
 * facts for programs. Crosses GraphQL as `BAD_USER_INPUT` (DESIGN §6).
 */
export class SemanticLayerQueryError extends Error {
  readonly code = 'BAD_USER_INPUT';
  /** The argument at fault, like `metrics[2]`, `where[0]` or `order_by`; null for the text as a whole. */
  readonly argument: string | null;
  /** Character offset (UTF-16 code units) in the text or argument the message refers to, when known. */
  readonly offset: number | null;
  /** What is wrong, without the position (the message adds it). */
  readonly reason: string;

  constructor(
    message: string,
    details: { argument?: string | null; offset?: number | null; reason?: string } = {},
  ) {
    super(message);
    this.name = 'SemanticLayerQueryError';
    this.argument = details.argument ?? null;
    this.offset = details.offset ?? null;
    this.reason = details.reason ?? message;
  }
}

/**
 * The caller's role may not use a metric, a dimension or a saved query of the request. Names the first one
 * found and where the request uses it. Crosses GraphQL as `FORBIDDEN`.
 */
export class SemanticLayerForbiddenError extends Error {
  readonly code = 'FORBIDDEN';

  constructor(
    message: string,
    readonly kind: 'metric' | 'dimension' | 'saved query',
    /** The name as the request used it. */
    readonly objectName: string,
    /** Where the request uses it, like `groupBy[1]` or `where[0]`. */
    readonly argument: string,
  ) {
    super(message);
    this.name = 'SemanticLayerForbiddenError';
  }
}

/** An `arrowResult` or `jsonResult` of the Semantic Layer cannot be decoded. */
export class SemanticLayerResultError extends Error {
  readonly code = 'INTERNAL';

  constructor(message: string) {
    super(message);
    this.name = 'SemanticLayerResultError';
  }
}
