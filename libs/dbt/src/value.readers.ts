/**
 * Lenient readers for JSON values of unknown shape: each returns the expected type or a neutral value
 * (null, empty), never throws, so one odd field never loses an entry.
 */

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function objectOf(value: unknown): JsonObject {
  return isObject(value) ? value : {};
}

export function objectOrNull(value: unknown): JsonObject | null {
  return isObject(value) ? value : null;
}

export function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** A string, or null for an empty one too. */
export function nonEmptyString(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

export function stringOr(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value : fallback;
}

export function numberOrNull(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  // Adapters (and Fusion) sometimes write numbers as text.
  if (typeof value === 'string' && value.trim() !== '') {
    const parsed = Number(value);
    return Number.isFinite(parsed) ? parsed : null;
  }
  return null;
}

export function booleanOrNull(value: unknown): boolean | null {
  return typeof value === 'boolean' ? value : null;
}

export function stringList(value: unknown): string[] {
  if (!Array.isArray(value)) return typeof value === 'string' ? [value] : [];
  return value.filter((item): item is string => typeof item === 'string');
}

export function objectList(value: unknown): JsonObject[] {
  return Array.isArray(value) ? value.filter(isObject) : [];
}

export function versionOrNull(value: unknown): string | number | null {
  return typeof value === 'string' || typeof value === 'number' ? value : null;
}

/** Lower-cased status text; dbt writes lower case, Fusion capitalises (`Pass`). */
export function statusOf(value: unknown): string {
  return typeof value === 'string' ? value.trim().toLowerCase() : 'unknown';
}

/**
 * The fields of `raw` that are neither read into the model (`known`) nor dropped on purpose, so that
 * fields added by a future dbt version survive.
 */
export function extraFields(raw: JsonObject, known: ReadonlySet<string>): JsonObject {
  const extra: JsonObject = {};
  for (const key of Object.keys(raw)) {
    if (!known.has(key)) extra[key] = raw[key];
  }
  return extra;
}

/** Quoting flags, keeping only booleans (dbt writes null for "not set"). */
export function quotingOf(value: unknown): {
  database?: boolean;
  schema?: boolean;
  identifier?: boolean;
  column?: boolean;
} {
  const quoting: { database?: boolean; schema?: boolean; identifier?: boolean; column?: boolean } = {};
  if (!isObject(value)) return quoting;
  for (const part of ['database', 'schema', 'identifier', 'column'] as const) {
    const flag = value[part];
    if (typeof flag === 'boolean') quoting[part] = flag;
  }
  return quoting;
}

/**
 * The name in a dbt reference text: `ref('orders')` → orders, `ref('pkg', 'orders')` → orders,
 * `{{ get_where_subquery(ref("orders")) }}` → orders. Null when there is no ref.
 */
export function refTarget(
  text: unknown,
): { package: string | null; name: string; version: string | null } | null {
  if (typeof text !== 'string') return null;
  const match =
    /\bref\(\s*(['"])([^'"]+)\1(?:\s*,\s*(['"])([^'"]+)\3)?(?:\s*,\s*(?:v|version)\s*=\s*['"]?([^'")\s]+)['"]?)?\s*\)/.exec(
      text,
    );
  if (!match) return null;
  if (match[4] !== undefined) return { package: match[2]!, name: match[4], version: match[5] ?? null };
  return { package: null, name: match[2]!, version: match[5] ?? null };
}

/** `source('ecom', 'raw_orders')` → {sourceName: ecom, tableName: raw_orders}. */
export function sourceTarget(text: unknown): { sourceName: string; tableName: string } | null {
  if (typeof text !== 'string') return null;
  const match = /\bsource\(\s*(['"])([^'"]+)\1\s*,\s*(['"])([^'"]+)\3\s*\)/.exec(text);
  return match ? { sourceName: match[2]!, tableName: match[4]! } : null;
}
