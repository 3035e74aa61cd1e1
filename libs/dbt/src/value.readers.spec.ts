import { normalizeTableType } from './results.normalizer.js';
import { numberOrNull, refTarget, sourceTarget, statusOf, stringList } from './value.readers.js';

describe('refTarget', () => {
  it.each([
    ["ref('orders')", { package: null, name: 'orders', version: null }],
    ['{{ get_where_subquery(ref("orders")) }}', { package: null, name: 'orders', version: null }],
    ["ref('finance', 'orders')", { package: 'finance', name: 'orders', version: null }],
    [
      "{{ get_where_subquery(ref('customers', version='2')) }}",
      { package: null, name: 'customers', version: '2' },
    ],
    ["ref('customers', v=1)", { package: null, name: 'customers', version: '1' }],
  ])('%s', (text, expected) => {
    expect(refTarget(text)).toEqual(expected);
  });

  it('returns null without a ref', () => {
    expect(refTarget("source('a', 'b')")).toBeNull();
    expect(refTarget(null)).toBeNull();
  });
});

describe('sourceTarget', () => {
  it('reads both names', () => {
    expect(sourceTarget('{{ get_where_subquery(source(\'ecom\', "raw_orders")) }}')).toEqual({
      sourceName: 'ecom',
      tableName: 'raw_orders',
    });
    expect(sourceTarget("ref('x')")).toBeNull();
  });
});

describe('normalizeTableType', () => {
  it.each([
    ['BASE TABLE', 'table'],
    ['table', 'table'],
    ['VIEW', 'view'],
    ['MATERIALIZED VIEW', 'materialized_view'],
    ['materialized view', 'materialized_view'],
    ['external', 'external'],
    ['EXTERNAL TABLE', 'external'],
    ['Dynamic Table', 'dynamic_table'],
    ['', null],
    [null, null],
  ])('%j → %j', (text, expected) => {
    expect(normalizeTableType(text)).toBe(expected);
  });
});

describe('lenient readers', () => {
  it('reads numbers written as text and rejects the rest', () => {
    expect(numberOrNull('12')).toBe(12);
    expect(numberOrNull(' ')).toBeNull();
    expect(numberOrNull('n/a')).toBeNull();
    expect(numberOrNull(Number.NaN)).toBeNull();
  });

  it('lower-cases statuses and keeps unknown ones', () => {
    expect(statusOf('Pass')).toBe('pass');
    expect(statusOf('partial success')).toBe('partial success');
    expect(statusOf(undefined)).toBe('unknown');
  });

  it('turns one string into a list', () => {
    expect(stringList('a@b.c')).toEqual(['a@b.c']);
    expect(stringList(['a', 1, null, 'b'])).toEqual(['a', 'b']);
    expect(stringList(null)).toEqual([]);
  });
});
