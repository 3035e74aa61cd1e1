import { decodeJsonResult, parseWithLargeIntegers } from './json-result.decoder.js';
import { SemanticLayerResultError } from './semantic-layer.error.js';

// What pandas writes for a frame with a month, a region, an int64 sum and a float, per orient.
const tableOrient = {
  schema: {
    fields: [
      { name: 'index', type: 'integer' },
      { name: 'METRIC_TIME__MONTH', type: 'datetime', tz: 'UTC' },
      { name: 'CUSTOMER__REGION', type: 'string' },
      { name: 'ORDERS', type: 'integer' },
      { name: 'AVERAGE', type: 'number' },
    ],
    primaryKey: ['index'],
    pandas_version: '1.4.0',
  },
  data: [
    {
      index: 0,
      METRIC_TIME__MONTH: '2024-01-01T00:00:00.000Z',
      CUSTOMER__REGION: 'EU',
      ORDERS: 12,
      AVERAGE: 1.5,
    },
    {
      index: 1,
      METRIC_TIME__MONTH: '2024-02-01T00:00:00.000Z',
      CUSTOMER__REGION: null,
      ORDERS: null,
      AVERAGE: null,
    },
  ],
};

const expectedRows = [
  { metric_time__month: '2024-01-01T00:00:00.000Z', customer__region: 'EU', orders: 12, average: 1.5 },
  { metric_time__month: '2024-02-01T00:00:00.000Z', customer__region: null, orders: null, average: null },
];

describe('decodeJsonResult', () => {
  it('decodes TABLE orient, dropping the synthetic index, from text, base64 text or a parsed value', () => {
    const expected = {
      columns: [
        { name: 'metric_time__month', type: 'timestamp', nativeType: 'datetime[UTC]' },
        { name: 'customer__region', type: 'string', nativeType: 'string' },
        { name: 'orders', type: 'integer', nativeType: 'integer' },
        { name: 'average', type: 'number', nativeType: 'number' },
      ],
      rows: expectedRows,
    };
    const text = JSON.stringify(tableOrient);
    expect(decodeJsonResult(text)).toEqual(expected);
    expect(decodeJsonResult(Buffer.from(text).toString('base64'))).toEqual(expected);
    expect(decodeJsonResult(tableOrient)).toEqual(expected);
  });

  it('keeps integers beyond 2^53 exact as strings and smaller ones as numbers', () => {
    const text =
      '{"schema":{"fields":[{"name":"index","type":"integer"},{"name":"n","type":"integer"},{"name":"s","type":"string"}],' +
      '"primaryKey":["index"]},"data":[{"index":0,"n":9007199254740993,"s":"12345678901234567890"},' +
      '{"index":1,"n":-9223372036854775808,"s":"x"},{"index":2,"n":9007199254740991,"s":"y"}]}';
    expect(decodeJsonResult(text).rows).toEqual([
      { n: '9007199254740993', s: '12345678901234567890' },
      { n: '-9223372036854775808', s: 'x' },
      { n: 9007199254740991, s: 'y' },
    ]);
  });

  it('decodes RECORDS, SPLIT, COLUMNS and INDEX orients alike, inferring types', () => {
    const records = [
      { METRIC_TIME__MONTH: 1704067200000, CUSTOMER__REGION: 'EU', ORDERS: 12, AVERAGE: 1.5 },
      { METRIC_TIME__MONTH: 1706745600000, CUSTOMER__REGION: null, ORDERS: null, AVERAGE: null },
    ];
    const epochRows = expectedRows.map((row, index) => ({
      ...row,
      metric_time__month: records[index]!.METRIC_TIME__MONTH,
    }));
    const split = {
      columns: ['METRIC_TIME__MONTH', 'CUSTOMER__REGION', 'ORDERS', 'AVERAGE'],
      index: [0, 1],
      data: records.map((row) => Object.values(row)),
    };
    const columns = Object.fromEntries(
      split.columns.map((name) => [
        name,
        Object.fromEntries(
          records.map((row, index) => [String(index), (row as Record<string, unknown>)[name]]),
        ),
      ]),
    );
    const index = Object.fromEntries(records.map((row, position) => [String(position), row]));
    for (const value of [records, split, columns, index]) {
      const result = decodeJsonResult(JSON.stringify(value));
      expect(result.rows).toEqual(epochRows);
      expect(result.columns.map((column) => column.type)).toEqual(['integer', 'string', 'integer', 'number']);
    }
    expect(decodeJsonResult(JSON.stringify(columns), { orient: 'columns' }).rows).toEqual(epochRows);
  });

  it('gives a column with only nulls the type null, and a mixed one unknown', () => {
    const result = decodeJsonResult([
      { a: null, b: 1 },
      { a: null, b: 'x' },
    ]);
    expect(result.columns.map((column) => [column.name, column.type])).toEqual([
      ['a', 'null'],
      ['b', 'unknown'],
    ]);
  });

  it('refuses what is not a pandas frame', () => {
    expect(() => decodeJsonResult('[[1, 2], [3, 4]]')).toThrow('orient VALUES');
    expect(() => decodeJsonResult('not json at all')).toThrow('neither JSON nor base64 of JSON');
    expect(() => decodeJsonResult('{"schema": {"fields": []}, "data": [1]}')).toThrow(
      'data[0] is not an object',
    );
    expect(() => decodeJsonResult('{"a": 1')).toThrow(SemanticLayerResultError);
    expect(() => decodeJsonResult(42)).toThrow('not a JSON object or list');
  });
});

describe('parseWithLargeIntegers', () => {
  it('leaves strings, decimals and exponents alone', () => {
    expect(
      parseWithLargeIntegers(
        '{"a":"9007199254740993","b":12345678901234567890.5,"c":1e400,"d":"\\"12345678901234567890"}',
      ),
    ).toEqual({
      a: '9007199254740993',
      b: 12345678901234567890.5,
      c: Number.POSITIVE_INFINITY,
      d: '"12345678901234567890',
    });
    expect(parseWithLargeIntegers('[123456789012345678901234567890]')).toEqual([
      '123456789012345678901234567890',
    ]);
  });
});
