import type { MetricQueryRequest } from './metric-query.js';
import { applyRolePolicy, matchesGlob, type RolePolicy } from './role-policy.js';
import { SemanticLayerForbiddenError } from './semantic-layer.error.js';

function request(overrides: Partial<MetricQueryRequest>): MetricQueryRequest {
  return { metrics: [], groupBy: [], where: [], orderBy: [], ...overrides };
}

function forbidden(input: MetricQueryRequest, policy: RolePolicy, context = {}): SemanticLayerForbiddenError {
  try {
    applyRolePolicy(input, policy, context);
  } catch (error) {
    if (error instanceof SemanticLayerForbiddenError) return error;
    throw error;
  }
  throw new Error('expected the request to be forbidden');
}

const analyst: RolePolicy = {
  allowedMetrics: ['revenue', 'order_*'],
  allowedDimensions: ['metric_time', 'customer__region', 'order_id__*'],
  rowFilters: ["{{ Dimension('customer__tenant') }} = 'acme'"],
};

describe('matchesGlob', () => {
  it('matches * and ? and nothing else specially', () => {
    expect(matchesGlob('order_total', 'order_*')).toBe(true);
    expect(matchesGlob('orders', 'order_*')).toBe(false);
    expect(matchesGlob('m1', 'm?')).toBe(true);
    expect(matchesGlob('m12', 'm?')).toBe(false);
    expect(matchesGlob('REVENUE', 'revenue')).toBe(true);
    expect(matchesGlob('revenueX', 'revenue')).toBe(false);
    expect(matchesGlob('a.b', 'a.b')).toBe(true);
    expect(matchesGlob('axb', 'a.b')).toBe(false);
  });
});

describe('applyRolePolicy', () => {
  it('returns the request with the role row filters appended', () => {
    const result = applyRolePolicy(
      request({
        metrics: ['revenue', 'order_count'],
        groupBy: [{ name: 'metric_time', grain: 'month' }],
        where: ["{{ Dimension('customer__region') }} = 'EU'"],
        orderBy: [{ name: 'revenue', descending: true }],
      }),
      analyst,
    );
    expect(result.where).toEqual([
      "{{ Dimension('customer__region') }} = 'EU'",
      "{{ Dimension('customer__tenant') }} = 'acme'",
    ]);
    expect(result.metrics).toEqual(['revenue', 'order_count']);
  });

  it('allows everything when the policy lists nothing, and nothing with empty lists', () => {
    const query = request({ metrics: ['secret_margin'], groupBy: [{ name: 'customer__ssn' }] });
    expect(applyRolePolicy(query, {}).metrics).toEqual(['secret_margin']);
    expect(forbidden(query, { allowedMetrics: [] }).objectName).toBe('secret_margin');
  });

  it.each([
    [request({ metrics: ['revenue', 'secret_margin'] }), 'metric', 'secret_margin', 'metrics[1]'],
    [
      request({ metrics: ['revenue'], groupBy: [{ name: 'customer__ssn' }] }),
      'dimension',
      'customer__ssn',
      'groupBy[0]',
    ],
    [
      request({ metrics: ['revenue'], where: ["{{ Dimension('ssn', entity_path=['customer']) }} = '1'"] }),
      'dimension',
      'customer__ssn',
      'where[0]',
    ],
    [
      request({
        metrics: ['revenue'],
        where: ["{{ TimeDimension('customer__birth_date', 'day') }} > '2000-01-01'"],
      }),
      'dimension',
      'customer__birth_date',
      'where[0]',
    ],
    [
      request({ metrics: ['revenue'], where: ["{{ Entity('customer') }} = 1"] }),
      'dimension',
      'customer',
      'where[0]',
    ],
    [
      request({
        metrics: ['revenue'],
        where: ["{{ Metric('secret_margin', group_by=['customer__region']) }} > 0"],
      }),
      'metric',
      'secret_margin',
      'where[0]',
    ],
    [
      request({ metrics: ['revenue'], where: ["{{ Metric('order_count', group_by=['customer']) }} > 0"] }),
      'dimension',
      'customer',
      'where[0]',
    ],
  ] as [MetricQueryRequest, string, string, string][])(
    'forbids the first object the role may not use (%#)',
    (query, kind, name, argument) => {
      const error = forbidden(query, analyst);
      expect([error.kind, error.objectName, error.argument]).toEqual([kind, name, argument]);
      expect(error.message).toBe(`${argument}: the role may not use ${kind} '${name}'`);
      expect(error.code).toBe('FORBIDDEN');
    },
  );

  it('checks order-by items of a saved query, which validation cannot cross-check', () => {
    const context = { savedQueries: { weekly: { metrics: ['revenue'], groupBy: ['metric_time'] } } };
    const error = forbidden(
      request({
        savedQuery: 'weekly',
        orderBy: [
          { name: 'metric_time', descending: false },
          { name: 'salary', descending: true },
        ],
      }),
      analyst,
      context,
    );
    expect([error.kind, error.objectName, error.argument]).toEqual(['metric', 'salary', 'orderBy[1]']);
    const dimension = forbidden(
      request({ savedQuery: 'weekly', orderBy: [{ name: 'customer__ssn', descending: true }] }),
      analyst,
      context,
    );
    expect([dimension.kind, dimension.argument]).toEqual(['dimension', 'orderBy[0]']);
  });

  it('accepts a time dimension named with its grain when its base name is allowed', () => {
    expect(
      applyRolePolicy(request({ metrics: ['revenue'], groupBy: [{ name: 'metric_time__month' }] }), analyst)
        .groupBy,
    ).toEqual([{ name: 'metric_time__month' }]);
    expect(
      forbidden(request({ metrics: ['revenue'], groupBy: [{ name: 'customer__ssn__day' }] }), analyst)
        .objectName,
    ).toBe('customer__ssn__day');
  });

  it('checks saved queries: by name, and by definition when the role limits metrics or dimensions', () => {
    const saved = request({ savedQuery: 'weekly_revenue' });
    expect(forbidden(saved, { allowedSavedQueries: ['public_*'] }).kind).toBe('saved query');
    expect(applyRolePolicy(saved, { allowedSavedQueries: ['weekly_*'] }).savedQuery).toBe('weekly_revenue');

    const withoutDefinition = forbidden(saved, analyst);
    expect([withoutDefinition.kind, withoutDefinition.argument]).toEqual(['saved query', 'savedQuery']);

    const definitions = {
      savedQueries: { weekly_revenue: { metrics: ['revenue'], groupBy: ['metric_time', 'customer__ssn'] } },
    };
    const error = forbidden(saved, analyst, definitions);
    expect([error.kind, error.objectName, error.argument]).toEqual([
      'dimension',
      'customer__ssn',
      "savedQuery 'weekly_revenue'",
    ]);

    definitions.savedQueries.weekly_revenue.groupBy = ['metric_time'];
    expect(applyRolePolicy(saved, analyst, definitions).where).toEqual(analyst.rowFilters);
  });

  it('does not append a row filter twice', () => {
    const once = applyRolePolicy(request({ metrics: ['revenue'] }), analyst);
    expect(applyRolePolicy(once, analyst).where).toEqual(once.where);
  });
});
