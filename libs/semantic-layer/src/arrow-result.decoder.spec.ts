import {
  Bool,
  DateDay,
  DateMillisecond,
  Decimal,
  Float64,
  Int32,
  Int64,
  makeData,
  makeVector,
  Table,
  tableToIPC,
  TimeMicrosecond,
  Timestamp,
  TimeUnit,
  Uint64,
  Utf8,
  vectorFromArray,
  type DataType,
  type Vector,
} from 'apache-arrow';
import { decodeArrowResult, formatDecimal, formatTimestamp } from './arrow-result.decoder.js';
import { mergeResultPages } from './query-result.js';
import { SemanticLayerResultError } from './semantic-layer.error.js';

/** A null bitmap with bit i set where values[i] is not null. */
function validity(values: readonly unknown[]): { nullBitmap: Uint8Array; nullCount: number } {
  const nullBitmap = new Uint8Array(Math.ceil(values.length / 8));
  values.forEach((value, index) => {
    if (value !== null) nullBitmap[index >> 3]! |= 1 << (index % 8);
  });
  return { nullBitmap, nullCount: values.filter((value) => value === null).length };
}

function decimalVector(values: (bigint | null)[], precision: number, scale: number): Vector {
  const words = new Uint32Array(values.length * 4);
  values.forEach((value, index) => {
    let unsigned = BigInt.asUintN(128, value ?? 0n);
    for (let word = 0; word < 4; word += 1) {
      words[index * 4 + word] = Number(unsigned & 0xffff_ffffn);
      unsigned >>= 32n;
    }
  });
  const type = new Decimal(scale, precision, 128);
  return makeVector(makeData({ type, length: values.length, data: words, ...validity(values) }));
}

function bigIntVector<T extends DataType>(type: T, values: (bigint | null)[]): Vector<T> {
  const data = new BigInt64Array(values.map((value) => value ?? 0n));
  return makeVector(
    makeData({ type, length: values.length, data, ...validity(values) } as never),
  ) as Vector<T>;
}

function toBase64(table: Table): string {
  return Buffer.from(tableToIPC(table, 'stream')).toString('base64');
}

describe('decodeArrowResult', () => {
  it('decodes the types a Semantic Layer result carries', () => {
    const table = new Table({
      METRIC_TIME__MONTH: bigIntVector(new Timestamp(TimeUnit.MICROSECOND, 'UTC'), [
        1_700_000_000_123_456n,
        -1n,
        null,
      ]),
      Customer__Region: vectorFromArray(['EU', 'NA', null], new Utf8()),
      REVENUE: decimalVector([12_345n, -5n, null], 19, 2),
      ORDERS: decimalVector([170_141_183_460_469_231_731_687_303_715_884_105_727n, 0n, -42n], 38, 0),
      ORDER_DATE: makeVector(
        makeData({
          type: new DateDay(),
          length: 3,
          data: new Int32Array([19_723, -1, 0]),
          ...validity([1, 1, null]),
        }),
      ),
      BIG: bigIntVector(new Int64(), [9_007_199_254_740_993n, -9_007_199_254_740_993n, 42n]),
      IS_FOOD: vectorFromArray([true, false, null], new Bool()),
      RATIO: vectorFromArray([0.5, null, 1e-9], new Float64()),
      COUNT32: vectorFromArray([1, null, -3], new Int32()),
    });
    const result = decodeArrowResult(toBase64(table));
    expect(result.columns).toEqual([
      { name: 'metric_time__month', type: 'timestamp', nativeType: 'timestamp[us, tz=UTC]' },
      { name: 'customer__region', type: 'string', nativeType: 'Utf8' },
      { name: 'revenue', type: 'decimal', nativeType: 'decimal128(19, 2)' },
      { name: 'orders', type: 'decimal', nativeType: 'decimal128(38, 0)' },
      { name: 'order_date', type: 'date', nativeType: 'Date32<DAY>' },
      { name: 'big', type: 'integer', nativeType: 'Int64' },
      { name: 'is_food', type: 'boolean', nativeType: 'Bool' },
      { name: 'ratio', type: 'number', nativeType: 'Float64' },
      { name: 'count32', type: 'integer', nativeType: 'Int32' },
    ]);
    expect(result.rows).toEqual([
      {
        metric_time__month: '2023-11-14T22:13:20.123456Z',
        customer__region: 'EU',
        revenue: '123.45',
        orders: '170141183460469231731687303715884105727',
        order_date: '2024-01-01',
        big: '9007199254740993',
        is_food: true,
        ratio: 0.5,
        count32: 1,
      },
      {
        metric_time__month: '1969-12-31T23:59:59.999999Z',
        customer__region: 'NA',
        revenue: '-0.05',
        orders: '0',
        order_date: '1969-12-31',
        big: '-9007199254740993',
        is_food: false,
        ratio: null,
        count32: null,
      },
      {
        metric_time__month: null,
        customer__region: null,
        revenue: null,
        orders: '-42',
        order_date: null,
        big: 42,
        is_food: null,
        ratio: 1e-9,
        count32: -3,
      },
    ]);
  });

  it('converts decimals to numbers when asked and keeps column case when asked', () => {
    const table = new Table({ REVENUE: decimalVector([12_345n, null], 19, 2) });
    const result = decodeArrowResult(toBase64(table), { decimals: 'number', preserveColumnCase: true });
    expect(result.rows).toEqual([{ REVENUE: 123.45 }, { REVENUE: null }]);
  });

  it('writes timestamps with the precision of their unit, wall-clock ones without Z', () => {
    const table = new Table({
      seconds: bigIntVector(new Timestamp(TimeUnit.SECOND, 'America/New_York'), [1_700_000_000n]),
      millis: bigIntVector(new Timestamp(TimeUnit.MILLISECOND), [1_700_000_000_001n]),
      nanos: bigIntVector(new Timestamp(TimeUnit.NANOSECOND), [1_700_000_000_000_000_001n]),
      day_ms: bigIntVector(new DateMillisecond(), [1_704_067_200_000n]),
      clock: bigIntVector(new TimeMicrosecond(), [3_723_000_004n]),
      unsigned: bigIntVector(new Uint64(), [2n ** 63n - 1n]),
    });
    expect(decodeArrowResult(toBase64(table)).rows).toEqual([
      {
        seconds: '2023-11-14T22:13:20Z',
        millis: '2023-11-14T22:13:20.001',
        nanos: '2023-11-14T22:13:20.000000001',
        day_ms: '2024-01-01',
        clock: '01:02:03.000004',
        unsigned: '9223372036854775807',
      },
    ]);
  });

  it('reads every record batch of the stream in order', () => {
    const first = new Table({
      n: bigIntVector(new Int64(), [1n, 2n]),
      d: decimalVector([100n, 200n], 10, 1),
    });
    const second = new Table({ n: bigIntVector(new Int64(), [3n]), d: decimalVector([-300n], 10, 1) });
    const result = decodeArrowResult(toBase64(first.concat(second)));
    expect(result.rows).toEqual([
      { n: 1, d: '10.0' },
      { n: 2, d: '20.0' },
      { n: 3, d: '-30.0' },
    ]);
  });

  it('decodes an empty result with its columns', () => {
    const table = new Table({ revenue: decimalVector([], 19, 2) });
    expect(decodeArrowResult(toBase64(table))).toEqual({
      columns: [{ name: 'revenue', type: 'decimal', nativeType: 'decimal128(19, 2)' }],
      rows: [],
    });
  });

  it('refuses text that is not an IPC stream, and columns that clash once lower-cased', () => {
    expect(() => decodeArrowResult('')).toThrow('arrowResult is empty');
    expect(() => decodeArrowResult('not base64!')).toThrow('arrowResult is not base64 text');
    expect(() => decodeArrowResult(Buffer.from('hello world, no arrow').toString('base64'))).toThrow(
      SemanticLayerResultError,
    );
    const clash = new Table({
      Revenue: vectorFromArray([1], new Int32()),
      REVENUE: vectorFromArray([2], new Int32()),
    });
    expect(() => decodeArrowResult(toBase64(clash))).toThrow('differ only in case');
    expect(decodeArrowResult(toBase64(clash), { preserveColumnCase: true }).rows).toEqual([
      { Revenue: 1, REVENUE: 2 },
    ]);
  });
});

describe('formatDecimal and formatTimestamp', () => {
  it.each([
    [0n, 2, '0.00'],
    [5n, 3, '0.005'],
    [-5n, 3, '-0.005'],
    [123n, 0, '123'],
    [12n, -2, '1200'],
    [0n, -2, '0'],
  ])('formatDecimal(%s, %i) = %s', (value, scale, text) => expect(formatDecimal(value, scale)).toBe(text));

  it('handles instants before 1970 and refuses out-of-range ones', () => {
    expect(formatTimestamp(-1_500_000n, 2, true)).toBe('1969-12-31T23:59:58.500000Z');
    expect(() => formatTimestamp(10n ** 18n, 0, false)).toThrow('out of range');
  });
});

describe('mergeResultPages', () => {
  it('joins pages and takes a column type from a page that has values', () => {
    const merged = mergeResultPages([
      { columns: [{ name: 'a', type: 'null', nativeType: 'json' }], rows: [{ a: null }] },
      { columns: [{ name: 'a', type: 'integer', nativeType: 'json' }], rows: [{ a: 1 }, { a: 2 }] },
    ]);
    expect(merged).toEqual({
      columns: [{ name: 'a', type: 'integer', nativeType: 'json' }],
      rows: [{ a: null }, { a: 1 }, { a: 2 }],
    });
    expect(mergeResultPages([])).toEqual({ columns: [], rows: [] });
  });

  it('refuses pages with other columns', () => {
    expect(() =>
      mergeResultPages([
        { columns: [{ name: 'a', type: 'integer', nativeType: 'json' }], rows: [] },
        { columns: [{ name: 'b', type: 'integer', nativeType: 'json' }], rows: [] },
      ]),
    ).toThrow('page 2 has columns (b) but page 1 has (a)');
  });
});
