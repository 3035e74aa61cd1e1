import type { Attribution } from './lineage.types.js';

/** Upper bound on the JSON object read after a marker, so a hostile text cannot make us scan megabytes per marker. */
const MAXIMUM_OBJECT_LENGTH = 256 * 1024;
/** How many cut points a truncated object is retried at. */
const MAXIMUM_RECOVERY_ATTEMPTS = 64;

const hexMarker = /--[^\S\r\n]*Hex query metadata:\s*/gi;
const lookerMarker = /--[^\S\r\n]*Looker Query Context\s*'/gi;
const blockCommentObject = /\/\*\s*(?=\{)/g;
const workspaceFromUrl = /^https?:\/\/[^/]+\/([^/]+)\/(?:hex|app)\//i;

/**
 * The tools that identify themselves in comments of a query text:
 *
 * - Hex: `-- Hex query metadata: {…}` anywhere in the text (research/hex.md §2). One JSON object is read with a
 *   string-aware brace scanner (braces and escaped quotes inside values are fine); only `project_id` is required.
 *   A comment cut off by the warehouse's text limit is read up to its last complete key (`truncated: true`).
 *   `detail` keeps every other key (non-strings as JSON), plus `workspace` (the slug in `project_url`, when the URL
 *   has the `/<workspace>/hex|app/` shape) and `cell_id` (`selectedCellId` of the URL).
 * - dbt: a block comment holding a JSON object with `"app": "dbt"` (dbt's default query comment); `projectId` is
 *   the node's unique id (`model.jaffle_shop.orders`), `detail` the other keys (invocation_id, profile_name,
 *   target_name, dbt_version…).
 * - Looker: `-- Looker Query Context '{…}'`; `projectId` is the `history_slug`.
 */
export function parseQueryAttributions(sql: string): Attribution[] {
  if (typeof sql !== 'string' || sql.length === 0) return [];
  // Every format is a comment; most history rows have none.
  const hasLineComment = sql.includes('--');
  if (!hasLineComment && !sql.includes('/*')) return [];
  const attributions: Attribution[] = [];
  if (hasLineComment && /hex query metadata/i.test(sql)) {
    for (const match of sql.matchAll(hexMarker)) {
      const start = match.index + match[0].length;
      const read = readObject(sql, start, endOfLine(sql, start));
      const hex = read && hexAttribution(read.value, read.truncated);
      if (hex) attributions.push(hex);
    }
  }
  if (sql.includes('/*')) {
    for (const match of sql.matchAll(blockCommentObject)) {
      const start = match.index + match[0].length;
      const close = sql.indexOf('*/', start);
      const read = readObject(sql, start, close < 0 ? sql.length : close);
      const dbt = read && dbtAttribution(read.value, read.truncated);
      if (dbt) attributions.push(dbt);
    }
  }
  if (hasLineComment && /looker query context/i.test(sql)) {
    for (const match of sql.matchAll(lookerMarker)) {
      const start = match.index + match[0].length;
      const read = readObject(sql, start, endOfLine(sql, start));
      const looker = read && lookerAttribution(read.value, read.truncated);
      if (looker) attributions.push(looker);
    }
  }
  return attributions;
}

function endOfLine(text: string, from: number): number {
  for (let index = from; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code === 10 || code === 13) return index;
  }
  return text.length;
}

interface ReadObject {
  readonly value: Record<string, unknown>;
  /** The object did not close before the end of its comment. */
  readonly truncated: boolean;
}

/**
 * Reads the JSON object starting at `start` (which must be `{`) and ending before `limit`. When it does not close, the
 * longest prefix ending at a complete top-level member is parsed instead.
 */
export function readObject(text: string, start: number, limit: number): ReadObject | null {
  if (text.charCodeAt(start) !== 123) return null;
  const end = Math.min(limit, start + MAXIMUM_OBJECT_LENGTH);
  const commas: number[] = [];
  let depth = 0;
  let inString = false;
  let escaped = false;
  for (let index = start; index < end; index += 1) {
    const code = text.charCodeAt(index);
    if (inString) {
      if (escaped) escaped = false;
      else if (code === 92) escaped = true;
      else if (code === 34) inString = false;
      continue;
    }
    if (code === 34) {
      inString = true;
    } else if (code === 123 || code === 91) {
      depth += 1;
    } else if (code === 125 || code === 93) {
      depth -= 1;
      if (depth === 0) {
        const value = parseObject(text.slice(start, index + 1));
        if (value !== null) return { value, truncated: false };
        // Closed but malformed: fall through to reading the complete members.
        return recover(text, start, commas, false);
      }
    } else if (code === 44 && depth === 1) {
      commas.push(index);
    }
  }
  // Not closed: the text was cut. The whole rest may still end right after a complete member.
  const whole = parseObject(`${text.slice(start, end).trimEnd()}}`);
  if (whole !== null && !inString) return { value: whole, truncated: true };
  return recover(text, start, commas, true);
}

function recover(
  text: string,
  start: number,
  commas: readonly number[],
  truncated: boolean,
): ReadObject | null {
  for (let attempt = 0; attempt < MAXIMUM_RECOVERY_ATTEMPTS && attempt < commas.length; attempt += 1) {
    const cut = commas[commas.length - 1 - attempt]!;
    const value = parseObject(`${text.slice(start, cut)}}`);
    if (value !== null) return { value, truncated };
  }
  return null;
}

function parseObject(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

function idOf(value: unknown): string | undefined {
  if (typeof value === 'string' && value.trim() !== '') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

function detailOf(object: Record<string, unknown>, omitted: readonly string[]): Record<string, string> {
  const detail: Record<string, string> = {};
  for (const [key, value] of Object.entries(object)) {
    if (omitted.includes(key) || value === null || value === undefined) continue;
    detail[key] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return detail;
}

function hexAttribution(object: Record<string, unknown>, truncated: boolean): Attribution | null {
  const projectId = idOf(object.project_id);
  if (projectId === undefined) return null;
  const detail = detailOf(object, ['project_id', 'project_name']);
  if (typeof object.project_url === 'string') {
    const workspace = workspaceFromUrl.exec(object.project_url);
    if (workspace) detail.workspace = workspace[1]!;
    const cell = /[?&]selectedCellId=([^&#]+)/.exec(object.project_url);
    if (cell) detail.cell_id = safeDecode(cell[1]!);
  }
  return {
    tool: 'hex',
    projectId,
    ...(typeof object.project_name === 'string' ? { projectName: object.project_name } : {}),
    detail,
    ...(truncated ? { truncated: true } : {}),
  };
}

function dbtAttribution(object: Record<string, unknown>, truncated: boolean): Attribution | null {
  if (object.app !== 'dbt') return null;
  const projectId = idOf(object.node_id);
  return {
    tool: 'dbt',
    ...(projectId !== undefined ? { projectId } : {}),
    detail: detailOf(object, ['app', 'node_id']),
    ...(truncated ? { truncated: true } : {}),
  };
}

function lookerAttribution(object: Record<string, unknown>, truncated: boolean): Attribution | null {
  const projectId = idOf(object.history_slug);
  return {
    tool: 'looker',
    ...(projectId !== undefined ? { projectId } : {}),
    detail: detailOf(object, ['history_slug']),
    ...(truncated ? { truncated: true } : {}),
  };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
