import { Directive, Field, Int, ObjectType } from '@nestjs/graphql';
import { badUserInput } from './errors.js';

// Every subgraph returns connections; the one PageInfo type is shared by all of them.
@ObjectType()
@Directive('@shareable')
export class PageInfo {
  @Field()
  hasNextPage: boolean;

  @Field()
  hasPreviousPage: boolean;

  @Field(() => String, { nullable: true })
  startCursor: string | null;

  @Field(() => String, { nullable: true })
  endCursor: string | null;
}

export interface Edge<Node> {
  cursor: string;
  node: Node;
}

export interface Connection<Node> {
  edges: Edge<Node>[];
  pageInfo: PageInfo;
  totalCount: number;
}

type Constructor<T> = abstract new (...args: never[]) => T;

/**
 * Builds `<Name>Connection` and `<Name>Edge` object types for a node type (code-first),
 * so every list in every subgraph has the same shape: edges, pageInfo, totalCount.
 */
export function connectionType<Node>(
  nodeType: Constructor<Node>,
  name: string,
): Constructor<Connection<Node>> {
  @ObjectType(`${name}Edge`)
  class EdgeType {
    @Field()
    cursor: string;

    @Field(() => nodeType)
    node: Node;
  }

  @ObjectType(`${name}Connection`)
  class ConnectionType {
    @Field(() => [EdgeType])
    edges: EdgeType[];

    @Field(() => PageInfo)
    pageInfo: PageInfo;

    @Field(() => Int)
    totalCount: number;
  }
  return ConnectionType as Constructor<Connection<Node>>;
}

/** Cursors are opaque base64url JSON of the keyset values of the last row. */
export function encodeCursor(values: readonly unknown[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

export function decodeCursor(cursor: string | null | undefined): unknown[] | null {
  if (!cursor) {
    return null;
  }
  try {
    const values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(values)) {
      return values;
    }
  } catch {
    // reported below
  }
  throw badUserInput(`Invalid cursor "${cursor.slice(0, 40)}": pass a cursor from a previous page`, {
    argument: 'after',
  });
}

export const MAX_PAGE_SIZE = 500;

export function pageSize(first: number | null | undefined, defaultSize = 50): number {
  const size = first ?? defaultSize;
  if (!Number.isInteger(size) || size < 0 || size > MAX_PAGE_SIZE) {
    throw badUserInput(`"first" must be between 0 and ${MAX_PAGE_SIZE}, got ${size}`, { argument: 'first' });
  }
  return size;
}

/**
 * Turns `first + 1` fetched rows into a connection: the extra row only tells whether there is a next page.
 */
export function toConnection<Row, Node = Row>(
  rows: Row[],
  first: number,
  totalCount: number,
  cursorOf: (row: Row) => unknown[],
  hasPrevious: boolean,
  map: (row: Row) => Node = (row) => row as unknown as Node,
): Connection<Node> {
  const page = rows.slice(0, first);
  const edges = page.map((row) => ({ cursor: encodeCursor(cursorOf(row)), node: map(row) }));
  return {
    edges,
    totalCount,
    pageInfo: {
      hasNextPage: rows.length > first,
      hasPreviousPage: hasPrevious,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}
