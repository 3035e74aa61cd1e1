import { SemanticLayerResultError } from './semantic-layer.error.js';

// The decoded form of a Semantic Layer result page, the same for Arrow and JSON answers: plain JSON values
// (research §3): exact decimals as strings, int64 as a number when it is safe and a string otherwise,
// timestamps as ISO strings with the precision of their unit, dates as `YYYY-MM-DD`.

export type ResultColumnType =
  | 'string'
  | 'integer'
  | 'number'
  | 'decimal'
  | 'boolean'
  | 'date'
  | 'timestamp'
  | 'time'
  | 'binary'
  | 'list'
  | 'struct'
  | 'null'
  | 'unknown';

export interface ResultColumn {
  /** Lower case unless asked otherwise: warehouses answer in their own case (Snowflake upper). */
  name: string;
  type: ResultColumnType;
  /** The type as the source described it: Arrow `decimal128(19, 2)`, `timestamp[us, tz=UTC]`, pandas `datetime`. */
  nativeType: string;
}

export interface DecodedResult {
  columns: ResultColumn[];
  rows: Record<string, unknown>[];
}

export interface DecodeResultOptions {
  /** Keep column names as the warehouse wrote them instead of lower-casing them. */
  preserveColumnCase?: boolean;
  /** `string` (default) keeps decimals exact; `number` converts them, losing digits beyond double precision. */
  decimals?: 'string' | 'number';
}

/** A bigint as a number when no precision is lost, else as its decimal string. */
export function safeInteger(value: bigint): number | string {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(value)
    : value.toString();
}

/** Renames columns to lower case, refusing two columns that would then share a name. */
export function normalizeColumnNames(names: readonly string[], options: DecodeResultOptions): string[] {
  if (options.preserveColumnCase) return [...names];
  const lower = names.map((name) => name.toLowerCase());
  lower.forEach((name, index) => {
    const first = lower.indexOf(name);
    if (first !== index) {
      throw new SemanticLayerResultError(
        `columns ${JSON.stringify(names[first])} and ${JSON.stringify(names[index])} differ only in case; ` +
          'decode with preserveColumnCase',
      );
    }
  });
  return lower;
}

/**
 * Joins the pages of one query (each page is a complete result) into one result. The pages must have the
 * same column names in the same order; a column typed `null` on one page (all values null) takes the type
 * the other pages give it.
 */
export function mergeResultPages(pages: readonly DecodedResult[]): DecodedResult {
  if (pages.length === 0) return { columns: [], rows: [] };
  const columns = pages[0]!.columns.map((column) => ({ ...column }));
  const names = columns.map((column) => column.name).join(', ');
  const rows: Record<string, unknown>[] = [];
  pages.forEach((page, index) => {
    const pageNames = page.columns.map((column) => column.name).join(', ');
    if (pageNames !== names) {
      throw new SemanticLayerResultError(
        `page ${index + 1} has columns (${pageNames}) but page 1 has (${names})`,
      );
    }
    page.columns.forEach((column, position) => {
      const merged = columns[position]!;
      if ((merged.type === 'null' || merged.type === 'unknown') && column.type !== 'null') {
        merged.type = column.type;
        merged.nativeType = column.nativeType;
      }
    });
    for (const row of page.rows) rows.push(row);
  });
  return { columns, rows };
}
