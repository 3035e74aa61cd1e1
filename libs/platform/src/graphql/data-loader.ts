import DataLoader from 'dataloader';

const LOADERS = Symbol('cartograph:loaders');

/**
 * One DataLoader per request and key, kept on the GraphQL context: entity references from the gateway
 * (`_entities` with hundreds of ids) become one query instead of hundreds.
 */
export function requestLoader<Key, Value>(
  context: object,
  name: string,
  batch: (keys: readonly Key[]) => Promise<(Value | null)[]>,
): DataLoader<Key, Value | null> {
  const holder = context as { [LOADERS]?: Map<string, DataLoader<unknown, unknown>> };
  holder[LOADERS] ??= new Map();
  let loader = holder[LOADERS].get(name) as DataLoader<Key, Value | null> | undefined;
  if (!loader) {
    loader = new DataLoader<Key, Value | null>(batch, { maxBatchSize: 500 });
    holder[LOADERS].set(name, loader as DataLoader<unknown, unknown>);
  }
  return loader;
}

/** Orders batch results like the keys, with null for missing ones, as DataLoader requires. */
export function byKeys<Key, Row>(
  keys: readonly Key[],
  rows: Row[],
  keyOf: (row: Row) => Key,
): (Row | null)[] {
  const map = new Map(rows.map((row) => [keyOf(row), row]));
  return keys.map((key) => map.get(key) ?? null);
}
