import { graphqlError } from '@cartograph/platform/graphql';
import {
  SemanticLayerForbiddenError,
  SemanticLayerQueryError,
  SemanticLayerResultError,
} from '@cartograph/semantic-layer';
import { SemanticLayerUpstreamError } from './semantic-layer-upstream.error.js';

/** Library and upstream errors as GraphQL errors with DESIGN §6 codes; anything else passes unchanged. */
export function upstreamGraphqlError(error: unknown): unknown {
  if (error instanceof SemanticLayerUpstreamError) {
    return graphqlError(error.code, error.message, {
      ...(error.queryId ? { queryId: error.queryId } : {}),
      ...(error.timedOut ? { timedOut: true } : {}),
    });
  }
  if (error instanceof SemanticLayerQueryError) {
    return graphqlError('BAD_USER_INPUT', error.message, {
      argument: error.argument,
      offset: error.offset,
    });
  }
  if (error instanceof SemanticLayerForbiddenError) {
    return graphqlError('FORBIDDEN', error.message, {
      argument: error.argument,
      objectName: error.objectName,
    });
  }
  if (error instanceof SemanticLayerResultError) {
    return graphqlError(
      'INTERNAL',
      `The Semantic Layer answered a result that cannot be read: ${error.message}`,
    );
  }
  return error;
}
