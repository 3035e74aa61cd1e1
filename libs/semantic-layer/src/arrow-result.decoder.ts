import { tableFromIPC, Type, Vector, type Data, type DataType, type Table } from 'apache-arrow';
import {
  normalizeColumnNames,
  safeInteger,
  type DecodedResult,
  type DecodeResultOptions,
  type ResultColumnType,
} from './query-result.js';
import { SemanticLayerResultError } from './semantic-layer.error.js';

// `arrowResult` is a base64 Arrow IPC stream, one complete stream per page (research §3). Values are read
// from the raw buffers where apache-arrow's getters lose information: timestamps (its getter returns float
// milliseconds, dropping micro- and nanoseconds), decimals (raw 128-bit words) and 64-bit integers.

const MILLISECONDS_PER_DAY = 86_400_000;
const UNITS_PER_SECOND = [1n, 1_000n, 1_000_000n, 1_000_000_000n];
const FRACTION_DIGITS = [0, 3, 6, 9];

type Converter = (vector: Vector, data: Data, index: number) => unknown;

/**
 * Decodes one page of `arrowResult` (base64 of an Arrow IPC stream). Throws `SemanticLayerResultError` when
 * the text is not base64 of an IPC stream.
 */
export function decodeArrowResult(base64: string, options: DecodeResultOptions = {}): DecodedResult {
  const text = base64.trim();
  if (text.length === 0) throw new SemanticLayerResultError('arrowResult is empty');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text.replace(/\s+/g, '')) || text.replace(/\s+/g, '').length % 4 !== 0) {
    throw new SemanticLayerResultError('arrowResult is not base64 text');
  }
  const bytes = Buffer.from(text, 'base64');
  let table: Table;
  try {
    table = tableFromIPC(bytes);
  } catch (error) {
    throw new SemanticLayerResultError(
      `arrowResult is not an Arrow IPC stream (${bytes.length} bytes): ${(error as Error).message}`,
    );
  }
  return decodeArrowTable(table, options);
}

/** Decodes an Arrow table already read, with the same conversions as `decodeArrowResult`. */
export function decodeArrowTable(table: Table, options: DecodeResultOptions = {}): DecodedResult {
  const fields = table.schema.fields;
  const names = normalizeColumnNames(
    fields.map((field) => field.name),
    options,
  );
  const columns = fields.map((field, index) => ({
    name: names[index]!,
    type: columnType(field.type),
    nativeType: describeArrowType(field.type),
  }));
  const rows: Record<string, unknown>[] = Array.from({ length: table.numRows }, () => ({}));
  fields.forEach((field, position) => {
    const vector = table.getChildAt(position);
    if (!vector) return;
    const convert = converterFor(field.type, options);
    const name = names[position]!;
    let rowIndex = 0;
    for (const data of vector.data) {
      const chunk = vector.data.length === 1 ? vector : new Vector([data]);
      for (let index = 0; index < data.length; index += 1) {
        rows[rowIndex]![name] = data.getValid(index) ? convert(chunk, data, index) : null;
        rowIndex += 1;
      }
    }
  });
  return { columns, rows };
}

const UNIT_NAMES = ['s', 'ms', 'us', 'ns'];

/** pyarrow's names for the types whose apache-arrow names are cryptic (`Decimal[19e+2]`). */
function describeArrowType(type: DataType): string {
  if (type.typeId === Type.Decimal) {
    const { precision, scale, bitWidth } = type as unknown as {
      precision: number;
      scale: number;
      bitWidth: number;
    };
    return `decimal${bitWidth}(${precision}, ${scale})`;
  }
  if (type.typeId === Type.Timestamp) {
    const { unit, timezone } = type as unknown as { unit: number; timezone: string | null };
    return `timestamp[${UNIT_NAMES[unit]}${timezone ? `, tz=${timezone}` : ''}]`;
  }
  return String(type);
}

function columnType(type: DataType): ResultColumnType {
  switch (type.typeId) {
    case Type.Utf8:
    case Type.LargeUtf8:
    case Type.Utf8View:
      return 'string';
    case Type.Int:
      return 'integer';
    case Type.Float:
      return 'number';
    case Type.Decimal:
      return 'decimal';
    case Type.Bool:
      return 'boolean';
    case Type.Date:
      return 'date';
    case Type.Timestamp:
      return 'timestamp';
    case Type.Time:
      return 'time';
    case Type.Binary:
    case Type.LargeBinary:
    case Type.FixedSizeBinary:
    case Type.BinaryView:
      return 'binary';
    case Type.List:
    case Type.LargeList:
    case Type.FixedSizeList:
      return 'list';
    case Type.Struct:
    case Type.Map:
      return 'struct';
    case Type.Null:
      return 'null';
    case Type.Dictionary:
      return columnType((type as unknown as { dictionary: DataType }).dictionary);
    default:
      return 'unknown';
  }
}

function converterFor(type: DataType, options: DecodeResultOptions): Converter {
  switch (type.typeId) {
    case Type.Decimal: {
      const { scale, bitWidth } = type as unknown as { scale: number; bitWidth: number };
      const words = bitWidth / 32;
      return (_vector, data, index) => {
        const text = formatDecimal(readSignedWords(data.values as Uint32Array, index * words, words), scale);
        return options.decimals === 'number' ? Number(text) : text;
      };
    }
    case Type.Timestamp: {
      const { unit, timezone } = type as unknown as { unit: number; timezone: string | null };
      const utc = timezone !== null && timezone !== undefined && timezone !== '';
      return (_vector, data, index) =>
        formatTimestamp(BigInt((data.values as BigInt64Array | Int32Array)[index]!), unit, utc);
    }
    case Type.Date: {
      const { unit } = type as unknown as { unit: number };
      // DateUnit.DAY = 0 (days since epoch), DateUnit.MILLISECOND = 1.
      return (_vector, data, index) => {
        const raw = Number((data.values as Int32Array | BigInt64Array)[index]!);
        return formatDate(unit === 0 ? raw * MILLISECONDS_PER_DAY : raw);
      };
    }
    case Type.Time: {
      const { unit } = type as unknown as { unit: number };
      return (_vector, data, index) =>
        formatTime(BigInt((data.values as Int32Array | BigInt64Array)[index]!), unit);
    }
    default:
      return (vector, _data, index) => toPlain(vector.get(index));
  }
}

/** Two's-complement little-endian 32-bit words to a bigint. */
function readSignedWords(values: Uint32Array, start: number, count: number): bigint {
  let result = 0n;
  for (let word = count - 1; word >= 0; word -= 1) result = (result << 32n) | BigInt(values[start + word]!);
  const bits = BigInt(count * 32);
  return values[start + count - 1]! & 0x8000_0000 ? result - (1n << bits) : result;
}

/** An unscaled integer and a scale to exact decimal text: (12345, 2) → `123.45`, (5, -2) → `500`. */
export function formatDecimal(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n;
  let digits = (negative ? -unscaled : unscaled).toString();
  if (scale <= 0) {
    digits = unscaled === 0n ? '0' : digits + '0'.repeat(-scale);
    return negative ? `-${digits}` : digits;
  }
  digits = digits.padStart(scale + 1, '0');
  const text = `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return negative ? `-${text}` : text;
}

function isoDateTime(milliseconds: number): string {
  const date = new Date(milliseconds);
  if (Number.isNaN(date.getTime())) {
    throw new SemanticLayerResultError(`a date or time value (${milliseconds} ms from 1970) is out of range`);
  }
  return date.toISOString();
}

/**
 * A timestamp in its unit (TimeUnit SECOND=0 … NANOSECOND=3) to ISO 8601 with as many fraction digits as
 * the unit has; `Z` when the column has a time zone (values are then UTC instants), none for wall-clock
 * timestamps.
 */
export function formatTimestamp(value: bigint, unit: number, utc: boolean): string {
  const perSecond = UNITS_PER_SECOND[unit] ?? 1n;
  let seconds = value / perSecond;
  let fraction = value % perSecond;
  if (fraction < 0n) {
    fraction += perSecond;
    seconds -= 1n;
  }
  const base = isoDateTime(Number(seconds) * 1000).slice(0, -5);
  const digits = FRACTION_DIGITS[unit] ?? 0;
  const fractionText = digits > 0 ? `.${fraction.toString().padStart(digits, '0')}` : '';
  return `${base}${fractionText}${utc ? 'Z' : ''}`;
}

function formatDate(milliseconds: number): string {
  return isoDateTime(milliseconds).slice(0, 10);
}

function formatTime(value: bigint, unit: number): string {
  const perSecond = UNITS_PER_SECOND[unit] ?? 1n;
  const seconds = Number(value / perSecond);
  const fraction = value % perSecond;
  const clock = [Math.floor(seconds / 3600), Math.floor(seconds / 60) % 60, seconds % 60]
    .map((part) => String(part).padStart(2, '0'))
    .join(':');
  const digits = FRACTION_DIGITS[unit] ?? 0;
  return digits > 0 ? `${clock}.${fraction.toString().padStart(digits, '0')}` : clock;
}

/** Values apache-arrow returns for the remaining types, as plain JSON values. */
function toPlain(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return safeInteger(value);
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (value instanceof Date) return value.toISOString();
  if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<number | bigint>, toPlain);
  if (typeof value === 'object' && Symbol.iterator in value && 'toArray' in value) {
    return Array.from(value as Iterable<unknown>, toPlain);
  }
  if (typeof value === 'object' && 'toJSON' in value && typeof value.toJSON === 'function') {
    const json = (value as { toJSON(): unknown }).toJSON();
    if (json && typeof json === 'object' && !Array.isArray(json)) {
      return Object.fromEntries(Object.entries(json).map(([key, entry]) => [key, toPlain(entry)]));
    }
    return toPlain(json);
  }
  return String(value);
}
