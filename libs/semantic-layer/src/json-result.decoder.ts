import {
  normalizeColumnNames,
  type DecodedResult,
  type DecodeResultOptions,
  type ResultColumn,
  type ResultColumnType,
} from './query-result.js';
import { SemanticLayerResultError } from './semantic-layer.error.js';

// `jsonResult` is pandas' `DataFrame.to_json(orient)`, base64-encoded unless asked with `encoded: false`
// (research §3). `TABLE` orient carries a schema and a synthetic `index` column; the other orients carry
// none, so types are inferred from the values. JSON numbers lose digits beyond 2^53, so integer literals
// that large are read as strings before parsing, as the Arrow decoder does with int64.

export type PandasJsonOrient = 'table' | 'records' | 'split' | 'columns' | 'index';

export interface DecodeJsonResultOptions extends DecodeResultOptions {
  /** The orient the result was requested with; detected from the shape when omitted. */
  orient?: PandasJsonOrient;
}

interface TableField {
  name: string;
  type?: string;
  tz?: string;
}

/**
 * Decodes one page of `jsonResult`: JSON text, base64 of JSON text, or the parsed value. Throws
 * `SemanticLayerResultError` for anything that is not a pandas JSON frame.
 */
export function decodeJsonResult(json: unknown, options: DecodeJsonResultOptions = {}): DecodedResult {
  const value = typeof json === 'string' ? parseJsonText(json) : json;
  const orient = options.orient ?? detectOrient(value);
  switch (orient) {
    case 'table':
      return fromTable(value, options);
    case 'records':
      return fromRecords(value, options);
    case 'split':
      return fromSplit(value, options);
    case 'columns':
      return fromColumns(value, options);
    case 'index':
      return fromIndex(value, options);
  }
}

function parseJsonText(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) return parseWithLargeIntegers(trimmed);
  const decoded = Buffer.from(trimmed, 'base64').toString('utf8').trim();
  if ((decoded.startsWith('{') || decoded.startsWith('[')) && /^[A-Za-z0-9+/=\s]+$/.test(trimmed)) {
    return parseWithLargeIntegers(decoded);
  }
  throw new SemanticLayerResultError(
    `jsonResult is neither JSON nor base64 of JSON (it starts with ${JSON.stringify(trimmed.slice(0, 16))})`,
  );
}

/** JSON.parse, with integer literals beyond 2^53 turned into strings first so no digit is lost. */
export function parseWithLargeIntegers(text: string): unknown {
  let rewritten = '';
  let copiedUpTo = 0;
  let inString = false;
  for (let position = 0; position < text.length; position += 1) {
    const character = text[position]!;
    if (inString) {
      if (character === '\\') position += 1;
      else if (character === '"') inString = false;
      continue;
    }
    if (character === '"') {
      inString = true;
      continue;
    }
    if (character !== '-' && (character < '0' || character > '9')) continue;
    const match = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(position, position + 400));
    if (!match) continue;
    const literal = match[0];
    if (match[1] === undefined && match[2] === undefined && literal.replace('-', '').length > 15) {
      if (!Number.isSafeInteger(Number(literal))) {
        rewritten += `${text.slice(copiedUpTo, position)}"${literal}"`;
        copiedUpTo = position + literal.length;
      }
    }
    position += literal.length - 1;
  }
  rewritten += text.slice(copiedUpTo);
  try {
    return JSON.parse(rewritten) as unknown;
  } catch (error) {
    throw new SemanticLayerResultError(`jsonResult is not valid JSON: ${(error as Error).message}`);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function detectOrient(value: unknown): PandasJsonOrient {
  if (Array.isArray(value)) {
    if (value.every(isRecord)) return 'records';
    throw new SemanticLayerResultError(
      'jsonResult is a list of lists (orient VALUES), which has no column names; request TABLE or RECORDS',
    );
  }
  if (!isRecord(value)) throw new SemanticLayerResultError('jsonResult is not a JSON object or list');
  if (isRecord(value.schema) && Array.isArray(value.data)) return 'table';
  if (Array.isArray(value.columns) && Array.isArray(value.data)) return 'split';
  const outer = Object.keys(value);
  const inner = Object.values(value).flatMap((entry) => (isRecord(entry) ? Object.keys(entry) : []));
  const looksLikeRowNumbers = (keys: string[]): boolean =>
    keys.length > 0 && keys.every((key) => /^\d+$/.test(key));
  // Both orients are {key: {key: value}}: row labels are 0, 1, 2… outside for INDEX and inside for COLUMNS.
  if (looksLikeRowNumbers(outer) && !looksLikeRowNumbers(inner)) return 'index';
  return 'columns';
}

const PANDAS_TYPES: Record<string, ResultColumnType> = {
  integer: 'integer',
  number: 'number',
  boolean: 'boolean',
  string: 'string',
  datetime: 'timestamp',
  date: 'date',
  time: 'time',
};

function fromTable(value: unknown, options: DecodeResultOptions): DecodedResult {
  if (!isRecord(value) || !isRecord(value.schema) || !Array.isArray(value.data)) {
    throw new SemanticLayerResultError('jsonResult (orient TABLE) needs "schema" and "data"');
  }
  const schema = value.schema;
  const fields = Array.isArray(schema.fields) ? (schema.fields as TableField[]) : [];
  const primaryKey = Array.isArray(schema.primaryKey) ? (schema.primaryKey as string[]) : [];
  // The frame's index is not a result column: pandas adds it as `index` (or `level_0`…) and the primary key.
  const kept = fields.filter(
    (field) => isRecord(field) && typeof field.name === 'string' && !primaryKey.includes(field.name),
  );
  const names = normalizeColumnNames(
    kept.map((field) => field.name),
    options,
  );
  const data = value.data as unknown[];
  const columns: ResultColumn[] = kept.map((field, index) => {
    const declared = PANDAS_TYPES[field.type ?? ''];
    const type = declared ?? inferType(data.map((row) => (isRecord(row) ? row[field.name] : undefined)));
    return {
      name: names[index]!,
      type,
      nativeType: field.tz ? `${field.type}[${field.tz}]` : String(field.type ?? 'any'),
    };
  });
  const rows = data.map((row, rowIndex) => {
    if (!isRecord(row)) throw new SemanticLayerResultError(`jsonResult data[${rowIndex}] is not an object`);
    const decoded: Record<string, unknown> = {};
    kept.forEach((field, index) => {
      decoded[names[index]!] = convertValue(row[field.name], columns[index]!.type);
    });
    return decoded;
  });
  return { columns, rows };
}

function fromRows(names: string[], rows: unknown[][], options: DecodeResultOptions): DecodedResult {
  const normalized = normalizeColumnNames(names, options);
  const columns: ResultColumn[] = normalized.map((name, index) => {
    const type = inferType(rows.map((row) => row[index]));
    return { name, type, nativeType: 'json' };
  });
  return {
    columns,
    rows: rows.map((row) =>
      Object.fromEntries(
        normalized.map((name, index) => [name, convertValue(row[index], columns[index]!.type)]),
      ),
    ),
  };
}

function fromRecords(value: unknown, options: DecodeResultOptions): DecodedResult {
  if (!Array.isArray(value)) throw new SemanticLayerResultError('jsonResult (orient RECORDS) is not a list');
  const names: string[] = [];
  value.forEach((row, index) => {
    if (!isRecord(row)) throw new SemanticLayerResultError(`jsonResult row ${index} is not an object`);
    for (const key of Object.keys(row)) if (!names.includes(key)) names.push(key);
  });
  return fromRows(
    names,
    value.map((row) => names.map((name) => (row as Record<string, unknown>)[name])),
    options,
  );
}

function fromSplit(value: unknown, options: DecodeResultOptions): DecodedResult {
  if (!isRecord(value) || !Array.isArray(value.columns) || !Array.isArray(value.data)) {
    throw new SemanticLayerResultError('jsonResult (orient SPLIT) needs "columns" and "data"');
  }
  const names = value.columns.map(String);
  const rows = value.data.map((row, index) => {
    if (!Array.isArray(row)) throw new SemanticLayerResultError(`jsonResult data[${index}] is not a list`);
    return row as unknown[];
  });
  return fromRows(names, rows, options);
}

function fromColumns(value: unknown, options: DecodeResultOptions): DecodedResult {
  if (!isRecord(value)) throw new SemanticLayerResultError('jsonResult (orient COLUMNS) is not an object');
  const names = Object.keys(value);
  const labels: string[] = [];
  for (const name of names) {
    const column = value[name];
    if (!isRecord(column))
      throw new SemanticLayerResultError(`jsonResult column ${JSON.stringify(name)} is not an object`);
    for (const label of Object.keys(column)) if (!labels.includes(label)) labels.push(label);
  }
  return fromRows(
    names,
    labels.map((label) => names.map((name) => (value[name] as Record<string, unknown>)[label])),
    options,
  );
}

function fromIndex(value: unknown, options: DecodeResultOptions): DecodedResult {
  if (!isRecord(value)) throw new SemanticLayerResultError('jsonResult (orient INDEX) is not an object');
  const records = Object.values(value);
  return fromRecords(records, options);
}

function inferType(values: unknown[]): ResultColumnType {
  let type: ResultColumnType | undefined;
  for (const value of values) {
    if (value === null || value === undefined) continue;
    const current: ResultColumnType =
      typeof value === 'boolean'
        ? 'boolean'
        : typeof value === 'number'
          ? Number.isInteger(value)
            ? 'integer'
            : 'number'
          : typeof value === 'string'
            ? /^-?\d{16,}$/.test(value)
              ? 'integer'
              : 'string'
            : Array.isArray(value)
              ? 'list'
              : 'struct';
    if (type === undefined) type = current;
    else if (type !== current) {
      if ((type === 'integer' && current === 'number') || (type === 'number' && current === 'integer'))
        type = 'number';
      else return 'unknown';
    }
  }
  return type ?? 'null';
}

function convertValue(value: unknown, type: ResultColumnType): unknown {
  if (value === undefined || value === null) return null;
  if (type === 'timestamp' && typeof value === 'number') return new Date(value).toISOString();
  if (type === 'date' && typeof value === 'number') return new Date(value).toISOString().slice(0, 10);
  if (type === 'integer' && typeof value === 'string' && /^-?\d+$/.test(value)) {
    const number = Number(value);
    return Number.isSafeInteger(number) ? number : value;
  }
  return value;
}
