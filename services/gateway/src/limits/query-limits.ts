import {
  GraphQLError,
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { getComplexity, simpleEstimator, type ComplexityEstimator } from 'graphql-query-complexity';

/** Deepest field nesting of an operation, following fragments; introspection counts like anything else. */
export function operationDepth(document: DocumentNode, operation: OperationDefinitionNode): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) {
      fragments.set(definition.name.value, definition);
    }
  }
  const depthOf = (selectionSet: SelectionSetNode, visiting: Set<string>): number => {
    let deepest = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        deepest = Math.max(
          deepest,
          selection.selectionSet ? 1 + depthOf(selection.selectionSet, visiting) : 1,
        );
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        deepest = Math.max(deepest, depthOf(selection.selectionSet, visiting));
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        // A fragment cycle is invalid GraphQL; validation reports it, so it adds no depth here.
        if (fragment && !visiting.has(name)) {
          deepest = Math.max(deepest, depthOf(fragment.selectionSet, new Set([...visiting, name])));
        }
      }
    }
    return deepest;
  };
  return depthOf(operation.selectionSet, new Set());
}

/** Lists cost what they may return: a field with `first: n` multiplies its selection by n. */
const paginationEstimator: ComplexityEstimator = ({ args, childComplexity }) => {
  const first =
    typeof args.first === 'number' ? args.first : typeof args.last === 'number' ? args.last : null;
  return first === null ? undefined : 1 + Math.max(first, 1) * Math.max(childComplexity, 1);
};

export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | undefined,
  variables: Record<string, unknown> | undefined,
): number {
  return getComplexity({
    schema,
    query: document,
    operationName,
    variables,
    estimators: [paginationEstimator, simpleEstimator({ defaultComplexity: 1 })],
  });
}

export interface QueryLimits {
  maxDepth: number;
  maxCost: number;
}

/** Throws BAD_USER_INPUT (with the measured value and the limit) before anything is sent to a subgraph. */
export function enforceQueryLimits(
  limits: QueryLimits,
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | undefined,
): void {
  const depth = operationDepth(document, operation);
  if (depth > limits.maxDepth) {
    throw new GraphQLError(`Query depth ${depth} exceeds the limit of ${limits.maxDepth}`, {
      extensions: { code: 'BAD_USER_INPUT', limit: 'depth', actual: depth, maximum: limits.maxDepth },
    });
  }
  const cost = operationCost(schema, document, operation.name?.value, variables);
  if (cost > limits.maxCost) {
    throw new GraphQLError(
      `Query cost ${cost} exceeds the limit of ${limits.maxCost}; ask for fewer items per page`,
      {
        extensions: { code: 'BAD_USER_INPUT', limit: 'cost', actual: cost, maximum: limits.maxCost },
      },
    );
  }
}
