import { buildSchema, parse, type OperationDefinitionNode } from 'graphql';
import { enforceQueryLimits, operationCost, operationDepth } from './query-limits.js';

const schema = buildSchema(`
  type Query { datasets(first: Int = 50): DatasetConnection!, dataset(id: ID!): Dataset }
  type DatasetConnection { edges: [Edge!]! totalCount: Int! }
  type Edge { node: Dataset! }
  type Dataset { id: ID! name: String! upstream(first: Int = 10): DatasetConnection! }
`);

function operationOf(query: string) {
  const document = parse(query);
  return { document, operation: document.definitions[0] as OperationDefinitionNode };
}

describe('query limits', () => {
  it('measures depth through fragments and inline fragments', () => {
    const { document, operation } = operationOf(
      `query { dataset(id: "a") { ...F } } fragment F on Dataset { upstream { edges { node { ... on Dataset { name } } } } }`,
    );
    expect(operationDepth(document, operation)).toBe(5);
  });

  it('multiplies nested pages by their page size', () => {
    const small = operationOf(`{ datasets(first: 10) { edges { node { id } } } }`);
    const nested = operationOf(
      `{ datasets(first: 100) { edges { node { upstream(first: 100) { edges { node { id } } } } } } }`,
    );
    const smallCost = operationCost(schema, small.document, undefined, {});
    const nestedCost = operationCost(schema, nested.document, undefined, {});
    expect(smallCost).toBeLessThan(50);
    expect(nestedCost).toBeGreaterThan(10_000);
  });

  it('rejects over-limit operations with the measured value', () => {
    const { document, operation } = operationOf(
      `{ datasets(first: 100) { edges { node { upstream(first: 100) { totalCount } } } } }`,
    );
    expect(() =>
      enforceQueryLimits({ maxDepth: 12, maxCost: 1_000 }, schema, document, operation, {}),
    ).toThrow(/cost \d+ exceeds the limit of 1000/);
    expect(() =>
      enforceQueryLimits({ maxDepth: 3, maxCost: 1_000_000 }, schema, document, operation, {}),
    ).toThrow(/depth 5 exceeds the limit of 3/);
    expect(() =>
      enforceQueryLimits({ maxDepth: 12, maxCost: 1_000_000 }, schema, document, operation, {}),
    ).not.toThrow();
  });
});
