import type { SemanticManifestDocument } from './semantic-manifest.types.js';
import { ManifestMetadata } from './manifest-metadata.js';

const dimension = (name: string, type: 'time' | 'categorical', timeGranularity: string | null = null) => ({
  name,
  type,
  expr: null,
  isPartition: false,
  timeGranularity,
  description: `${name} description`,
  label: null,
});

const manifest: SemanticManifestDocument = {
  project: 'shop',
  version: 'v1',
  semanticModels: [
    {
      name: 'orders',
      label: 'Orders',
      description: 'One row per order',
      datasetId: 'postgres://db:5432/shop.analytics.orders',
      modelUniqueId: 'model.shop.orders',
      primaryEntity: null,
      defaultAggTimeDimension: 'ordered_at',
      entities: [
        { name: 'order_id', type: 'primary', expr: null, role: null, description: null },
        { name: 'customer', type: 'foreign', expr: 'customer_id', role: null, description: null },
      ],
      dimensions: [dimension('ordered_at', 'time', 'day'), dimension('is_food_order', 'categorical')],
      measures: [
        {
          name: 'order_total',
          agg: 'sum',
          expr: null,
          aggTimeDimension: null,
          description: null,
          label: null,
        },
        {
          name: 'order_count',
          agg: 'count',
          expr: '1',
          aggTimeDimension: null,
          description: null,
          label: null,
        },
      ],
    },
    {
      name: 'customers',
      label: null,
      description: null,
      datasetId: 'postgres://db:5432/shop.analytics.customers',
      modelUniqueId: 'model.shop.customers',
      primaryEntity: null,
      defaultAggTimeDimension: 'first_ordered_at',
      entities: [{ name: 'customer', type: 'primary', expr: 'customer_id', role: null, description: null }],
      dimensions: [dimension('region', 'categorical'), dimension('first_ordered_at', 'time', 'month')],
      measures: [
        {
          name: 'customers',
          agg: 'count_distinct',
          expr: 'customer_id',
          aggTimeDimension: null,
          description: null,
          label: null,
        },
      ],
    },
  ],
  metrics: [
    {
      name: 'revenue',
      label: 'Revenue',
      description: 'Sum of order totals',
      type: 'simple',
      filters: [],
      inputMeasures: ['order_total'],
      inputMetrics: [],
      meta: { owner: 'finance' },
    },
    {
      name: 'orders',
      label: null,
      description: null,
      type: 'simple',
      filters: ["{{ Dimension('order_id__is_food_order') }} = true"],
      inputMeasures: ['order_count'],
      inputMetrics: [],
      meta: {},
    },
    {
      name: 'revenue_per_order',
      label: null,
      description: null,
      type: 'ratio',
      filters: [],
      inputMeasures: [],
      inputMetrics: ['revenue', 'orders'],
      meta: {},
    },
    {
      name: 'cumulative_revenue',
      label: null,
      description: null,
      type: 'cumulative',
      filters: [],
      inputMeasures: ['order_total'],
      inputMetrics: [],
      meta: {},
    },
    {
      name: 'customer_count',
      label: null,
      description: null,
      type: 'simple',
      filters: [],
      inputMeasures: ['customers'],
      inputMetrics: [],
      meta: {},
    },
  ],
  savedQueries: [
    {
      name: 'monthly_revenue',
      label: null,
      description: 'Revenue by month and region',
      metrics: ['revenue'],
      groupBy: ["TimeDimension('metric_time', 'month')", "Dimension('customer__region')"],
      where: ["{{ Dimension('customer__region') }} != 'test'"],
    },
  ],
};

describe('ManifestMetadata', () => {
  const metadata = new ManifestMetadata(manifest);

  it('lists metrics with their type, filter, meta and the grains of their time dimension', () => {
    const [revenue, orders, , cumulative] = metadata.metrics();
    expect(revenue).toEqual({
      name: 'revenue',
      label: 'Revenue',
      description: 'Sum of order totals',
      type: 'SIMPLE',
      requiresMetricTime: false,
      queryableTimeGranularities: ['DAY', 'WEEK', 'MONTH', 'QUARTER', 'YEAR'],
      filter: null,
      config: { meta: { owner: 'finance' } },
      measures: [{ name: 'order_total', agg: 'SUM', aggTimeDimension: 'ordered_at', expr: 'order_total' }],
    });
    expect(orders!.filter).toEqual({ whereSqlTemplate: "{{ Dimension('order_id__is_food_order') }} = true" });
    expect(cumulative!.requiresMetricTime).toBe(true);
    expect(metadata.metrics('REVENUE').map((metric) => metric.name)).toEqual([
      'revenue',
      'revenue_per_order',
      'cumulative_revenue',
    ]);
  });

  it('gives a metric its own dimensions, those joined through an entity, and metric_time', () => {
    const names = metadata.dimensions(['revenue']).map((item) => item.qualifiedName);
    expect(names).toEqual([
      'customer__first_ordered_at',
      'customer__region',
      'metric_time',
      'order_id__is_food_order',
      'order_id__ordered_at',
    ]);
    const firstOrdered = metadata.dimensions(['revenue']).find((item) => item.name === 'first_ordered_at');
    expect(firstOrdered).toMatchObject({
      type: 'TIME',
      queryableTimeGranularities: ['MONTH', 'QUARTER', 'YEAR'],
    });
  });

  it('answers the dimensions common to several metrics, following derived metrics to their measures', () => {
    expect(
      metadata.dimensions(['revenue_per_order', 'customer_count']).map((item) => item.qualifiedName),
    ).toEqual(['customer__first_ordered_at', 'customer__region', 'metric_time']);
    expect(metadata.dimensions(['no_such_metric'])).toEqual([]);
  });

  it('lists measures and entities of the metrics', () => {
    expect(metadata.measures(['revenue_per_order'])).toEqual([
      { name: 'order_total', agg: 'SUM', aggTimeDimension: 'ordered_at', expr: 'order_total' },
      { name: 'order_count', agg: 'COUNT', aggTimeDimension: 'ordered_at', expr: '1' },
    ]);
    expect(metadata.entities(['revenue']).map((entity) => `${entity.name}:${entity.type}`)).toEqual([
      'customer:FOREIGN',
      'order_id:PRIMARY',
    ]);
  });

  it('reads saved queries’ group-by specs into names and grains', () => {
    expect(metadata.savedQueries()[0]!.queryParams).toEqual({
      metrics: [{ name: 'revenue' }],
      groupBy: [
        { name: 'metric_time', grain: 'MONTH', timeGranularity: 'MONTH', datePart: null },
        { name: 'customer__region', grain: null, timeGranularity: null, datePart: null },
      ],
      where: { whereSqlTemplate: "{{ Dimension('customer__region') }} != 'test'" },
    });
  });

  it('finds the semantic models and metrics of a table', () => {
    const models = metadata.semanticModelsOn('postgres://db:5432/shop.analytics.orders');
    expect(models.map((model) => model.name)).toEqual(['orders']);
    expect(metadata.metricsOn(models).map((metric) => metric.name)).toEqual([
      'revenue',
      'orders',
      'revenue_per_order',
      'cumulative_revenue',
    ]);
    expect(metadata.semanticModelsOn('postgres://db:5432/shop.analytics.other')).toEqual([]);
  });
});
