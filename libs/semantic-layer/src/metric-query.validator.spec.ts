import { isSemanticLayerName, orderByKind } from './metric-query.js';
import { validateMetricQuery } from './metric-query.validator.js';
import { SemanticLayerQueryError } from './semantic-layer.error.js';

function failure(input: unknown): SemanticLayerQueryError {
  try {
    validateMetricQuery(input);
  } catch (error) {
    if (error instanceof SemanticLayerQueryError) return error;
    throw error;
  }
  throw new Error('expected the request to be refused');
}

describe('isSemanticLayerName', () => {
  it.each(['metric_time', 'customer__region', 'order_id__customer__region', 'revenue', 'm2', 'a1__b2'])(
    'accepts %s',
    (name) => expect(isSemanticLayerName(name)).toBe(true),
  );

  it.each(['', '_x', 'x_', 'x___y', '1abc', 'Customer', 'a-b', 'a b', 'a.b', 'ünïcode', 'x'.repeat(257)])(
    'refuses %j',
    (name) => expect(isSemanticLayerName(name)).toBe(false),
  );
});

describe('validateMetricQuery', () => {
  it('returns a normalized copy with defaults', () => {
    const input = {
      metrics: ['Revenue'],
      groupBy: [
        { name: 'METRIC_TIME', grain: 'Month' },
        { name: 'customer__region', datePart: 'YEAR' },
      ],
      where: ["{{Dimension('customer__region')}} = 'EU'"],
      orderBy: [{ name: 'revenue', descending: true }, { name: 'metric_time' }],
      limit: 10,
    };
    expect(validateMetricQuery(input)).toEqual({
      metrics: ['revenue'],
      groupBy: [
        { name: 'metric_time', grain: 'month' },
        { name: 'customer__region', datePart: 'year' },
      ],
      where: ["{{ Dimension('customer__region') }} = 'EU'"],
      orderBy: [
        { name: 'revenue', descending: true },
        { name: 'metric_time', descending: false },
      ],
      limit: 10,
    });
    expect(input.metrics).toEqual(['Revenue']);
  });

  it('accepts a group-by-only query (dimension values) and a saved query', () => {
    expect(validateMetricQuery({ groupBy: [{ name: 'customer__region' }] }).metrics).toEqual([]);
    expect(
      validateMetricQuery({ savedQuery: 'weekly_revenue', limit: 5, orderBy: [{ name: 'revenue' }] }),
    ).toEqual({
      metrics: [],
      groupBy: [],
      where: [],
      orderBy: [{ name: 'revenue', descending: false }],
      limit: 5,
      savedQuery: 'weekly_revenue',
    });
  });

  it.each([
    [null, 'request', 'expected an object but got null'],
    [{ metrics: ['a'], select: '*' }, 'request', "unknown field 'select'"],
    [{}, 'metrics', 'give at least one metric'],
    [{ metrics: 'revenue' }, 'metrics', 'expected a list but got string'],
    [{ metrics: ['a', 'b c'] }, 'metrics[1]', '"b c" is not a valid name'],
    [{ metrics: ['a', 7] }, 'metrics[1]', 'expected a name but got number 7'],
    [{ metrics: ['a', 'A'] }, 'metrics[1]', "'a' is listed twice"],
    [{ metrics: ['a'], groupBy: ['x'] }, 'groupBy[0]', 'expected {name, grain?, datePart?}'],
    [
      { metrics: ['a'], groupBy: [{ name: 'x', grain: 'bad grain' }] },
      'groupBy[0].grain',
      'not a valid time grain',
    ],
    [
      { metrics: ['a'], groupBy: [{ name: 'x', datePart: 'hour' }] },
      'groupBy[0].datePart',
      'not a date part',
    ],
    [{ metrics: ['a'], groupBy: [{ name: 'x', alias: 'y' }] }, 'groupBy[0]', "unknown field 'alias'"],
    [{ metrics: ['a'], groupBy: [{ name: 'x' }, { name: 'x' }] }, 'groupBy[1]', "'x' is listed twice"],
    [{ metrics: ['a'], where: [1] }, 'where[0]', 'expected a filter string'],
    [{ metrics: ['a'], orderBy: [{ name: 'b' }] }, 'orderBy[0]', "'b' is neither a queried metric"],
    [
      { metrics: ['a'], orderBy: [{ name: 'a', descending: 'yes' }] },
      'orderBy[0].descending',
      'expected true or false',
    ],
    [{ metrics: ['a'], orderBy: [{ name: 'a', kind: 'groupBy' }] }, 'orderBy[0]', 'is not a group-by item'],
    [
      { metrics: ['a'], orderBy: [{ name: 'a', kind: 'other' }] },
      'orderBy[0].kind',
      "expected 'metric' or 'groupBy'",
    ],
    [{ metrics: ['a'], limit: 0 }, 'limit', 'expected a positive whole number'],
    [{ metrics: ['a'], limit: 1.5 }, 'limit', 'expected a positive whole number'],
    [{ metrics: ['a'], limit: '10' }, 'limit', 'expected a positive whole number'],
    [{ savedQuery: 'weekly', metrics: ['a'] }, 'metrics', 'a saved query brings its own metrics'],
    [{ savedQuery: 'weekly', groupBy: [{ name: 'x' }] }, 'groupBy', 'a saved query brings its own metrics'],
    [{ savedQuery: 'weekly revenue' }, 'savedQuery', 'is not a valid name'],
  ])('refuses %j naming %s', (input, argument, reason) => {
    const error = failure(input);
    expect(error.argument).toBe(argument);
    expect(error.message.startsWith(`${argument}: `)).toBe(true);
    expect(error.message).toContain(reason);
  });

  it('names the filter and the offset inside it', () => {
    const error = failure({
      metrics: ['a'],
      where: ["{{ Dimension('x') }} = 1", "{{ Dimension('x') }} = 1 -- no"],
    });
    expect(error.argument).toBe('where[1]');
    expect(error.offset).toBe(25);
    expect(error.message).toBe('where[1] at offset 25: SQL comments are not allowed in filters');
  });
});

describe('orderByKind', () => {
  const request = validateMetricQuery({ metrics: ['revenue'], groupBy: [{ name: 'customer' }] });

  it('uses the request lists, then the explicit kind, then the shape of the name', () => {
    expect(orderByKind(request, { name: 'revenue', descending: false })).toBe('metric');
    expect(orderByKind(request, { name: 'customer', descending: false })).toBe('groupBy');
    expect(orderByKind(request, { name: 'customer', descending: false, kind: 'metric' })).toBe('metric');
    const saved = validateMetricQuery({ savedQuery: 'weekly' });
    expect(orderByKind(saved, { name: 'metric_time', descending: true })).toBe('groupBy');
    expect(orderByKind(saved, { name: 'customer__region', descending: true })).toBe('groupBy');
    expect(orderByKind(saved, { name: 'order_date', grain: 'day', descending: true })).toBe('groupBy');
    expect(orderByKind(saved, { name: 'orders', descending: true })).toBe('metric');
  });
});
