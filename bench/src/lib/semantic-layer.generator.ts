import type {
  FakeSemanticLayerDimension,
  FakeSemanticLayerEntity,
  FakeSemanticLayerEnvironmentOptions,
  FakeSemanticLayerMetric,
  FakeSemanticLayerSavedQuery,
} from '@cartograph/platform/testing';
import { Random } from './dbt-project.generator.js';

/**
 * A synthetic dbt Semantic Layer environment for FakeSemanticLayer: an orders semantic model (order, customer
 * and product entities; time, customer, product and order dimensions), a few base metrics computed from the
 * dataset and many ratio, derived and cumulative metrics over them (what a metadata listing returns), saved
 * queries, and `rows` orders, one per row with a unique order id, so grouping by `order` answers exactly `rows`
 * rows. Deterministic for a seed.
 */

export interface SemanticLayerModelOptions {
  /** Orders in the dataset (rows of the generated table). */
  readonly rows: number;
  /** Same seed, same model and rows. Default 1. */
  readonly seed?: number;
  /** Metrics in the environment, the base ones included. Default 60. */
  readonly metrics?: number;
  /** Days the orders spread over, from 2024-01-01. Default 730. */
  readonly days?: number;
}

export type GeneratedSemanticLayerModel = Required<
  Pick<FakeSemanticLayerEnvironmentOptions, 'metrics' | 'dimensions' | 'entities' | 'savedQueries' | 'rows'>
>;

const REGIONS = ['EMEA', 'NA', 'APAC', 'LATAM', 'MEA'] as const;
const COUNTRIES: Record<(typeof REGIONS)[number], string[]> = {
  EMEA: ['DE', 'FR', 'GB', 'NL', 'ES', 'IT', 'SE', 'PL'],
  NA: ['US', 'CA', 'MX'],
  APAC: ['JP', 'AU', 'SG', 'IN', 'KR'],
  LATAM: ['BR', 'AR', 'CL', 'CO'],
  MEA: ['AE', 'ZA', 'SA', 'EG'],
};
const SEGMENTS = ['enterprise', 'mid_market', 'smb', 'consumer'];
const CATEGORIES = [
  'apparel',
  'footwear',
  'electronics',
  'home',
  'garden',
  'toys',
  'books',
  'beauty',
  'grocery',
  'sports',
  'office',
  'automotive',
];
const CHANNELS = ['web', 'mobile_app', 'store', 'marketplace', 'partner'];
const STATUSES = ['placed', 'shipped', 'delivered', 'returned', 'cancelled'];

/** Dimension name → (finest grain for TIME dimensions, description). */
const DIMENSIONS: FakeSemanticLayerDimension[] = [
  { name: 'metric_time', type: 'TIME', timeGranularity: 'day', description: 'The metric time' },
  {
    name: 'order__ordered_at',
    type: 'TIME',
    timeGranularity: 'day',
    label: 'Ordered at',
    isPartition: true,
  },
  { name: 'order__shipped_at', type: 'TIME', timeGranularity: 'day', label: 'Shipped at' },
  { name: 'order__channel', label: 'Channel', description: 'Where the order was placed' },
  { name: 'order__status', label: 'Status', description: 'Fulfilment status' },
  { name: 'order__is_first_order', label: 'First order', description: "The customer's first order" },
  { name: 'order__payment_method', label: 'Payment method' },
  { name: 'order__currency', label: 'Currency' },
  { name: 'customer__region', label: 'Region', description: 'Sales region of the billing address' },
  { name: 'customer__country', label: 'Country', description: 'ISO country of the billing address' },
  { name: 'customer__segment', label: 'Segment' },
  { name: 'customer__signup_channel', label: 'Signup channel' },
  {
    name: 'customer__first_order_at',
    type: 'TIME',
    timeGranularity: 'day',
    label: 'First order at',
  },
  { name: 'customer__lifetime_tier', label: 'Lifetime value tier' },
  { name: 'product__category', label: 'Category' },
  { name: 'product__subcategory', label: 'Subcategory' },
  { name: 'product__brand', label: 'Brand' },
  { name: 'product__supplier', label: 'Supplier' },
  { name: 'product__is_private_label', label: 'Private label' },
];

const ENTITIES: FakeSemanticLayerEntity[] = [
  { name: 'order', type: 'PRIMARY', description: 'One order' },
  { name: 'customer', type: 'FOREIGN', description: 'The customer who ordered' },
  { name: 'product', type: 'FOREIGN', description: 'The main product of the order' },
];

/** Metrics with a value in every row: the ones a query can aggregate. */
const BASE_METRICS: FakeSemanticLayerMetric[] = [
  {
    name: 'revenue',
    label: 'Revenue',
    description: 'Gross order value in EUR',
    dimensions: [],
    measures: [{ name: 'order_total', agg: 'SUM', aggTimeDimension: 'ordered_at', expr: 'amount_eur' }],
    resultType: 'decimal',
    decimalScale: 2,
    meta: { owner: 'finance', tier: 1 },
  },
  {
    name: 'order_count',
    label: 'Orders',
    description: 'Orders placed',
    dimensions: [],
    measures: [{ name: 'orders', agg: 'COUNT', aggTimeDimension: 'ordered_at', expr: 'order_id' }],
    resultType: 'int64',
  },
  {
    name: 'quantity',
    label: 'Units',
    description: 'Units ordered',
    dimensions: [],
    measures: [{ name: 'units', agg: 'SUM', aggTimeDimension: 'ordered_at', expr: 'quantity' }],
    resultType: 'int64',
  },
  {
    name: 'discount',
    label: 'Discount',
    description: 'Discount granted in EUR',
    dimensions: [],
    measures: [{ name: 'discount_total', agg: 'SUM', aggTimeDimension: 'ordered_at' }],
  },
];

const pad = (value: number, width: number) => String(value).padStart(width, '0');

/** The environment's metrics: the base ones, then ratios, derived and cumulative metrics over them. */
function metricsOf(count: number, random: Random): FakeSemanticLayerMetric[] {
  const dimensions = DIMENSIONS.map((dimension) => dimension.name);
  const entities = ENTITIES.map((entity) => entity.name);
  const metrics: FakeSemanticLayerMetric[] = BASE_METRICS.map((metric) => ({
    ...metric,
    dimensions,
    entities,
  }));
  const shapes = [
    { type: 'RATIO', name: 'average_{base}_per_order', label: 'Average {base} per order' },
    { type: 'CUMULATIVE', name: 'cumulative_{base}', label: 'Cumulative {base}' },
    { type: 'CUMULATIVE', name: '{base}_trailing_28d', label: '{base}, trailing 28 days' },
    { type: 'DERIVED', name: '{base}_growth_mom', label: '{base} growth month over month' },
    { type: 'DERIVED', name: '{base}_growth_yoy', label: '{base} growth year over year' },
    { type: 'SIMPLE', name: '{base}_{filter}', label: '{base} ({filter})' },
  ] as const;
  const filters = [
    ...CHANNELS.map((value) => ({ dimension: 'order__channel', value })),
    ...SEGMENTS.map((value) => ({ dimension: 'customer__segment', value })),
    ...REGIONS.map((value) => ({ dimension: 'customer__region', value })),
  ];
  for (let index = 0; metrics.length < count; index += 1) {
    const base = BASE_METRICS[index % BASE_METRICS.length]!;
    const shape = shapes[Math.floor(index / BASE_METRICS.length) % shapes.length]!;
    const filter = filters[random.int(0, filters.length - 1)]!;
    const round = Math.floor(index / (BASE_METRICS.length * shapes.length));
    const name =
      shape.name.replace('{base}', base.name).replace('{filter}', filter.value.toLowerCase()) +
      (round > 0 ? `_v${round + 1}` : '');
    if (metrics.some((metric) => metric.name === name)) continue;
    metrics.push({
      name,
      label: shape.label.replace('{base}', base.label ?? base.name).replace('{filter}', filter.value),
      description: `${shape.type.toLowerCase()} metric over ${base.name}`,
      type: shape.type,
      dimensions,
      entities,
      measures: base.measures ?? [],
      requiresMetricTime: shape.type === 'CUMULATIVE' || shape.type === 'DERIVED',
      filter: shape.type === 'SIMPLE' ? `{{ Dimension('${filter.dimension}') }} = '${filter.value}'` : null,
      meta: { owner: random.pick(['finance', 'growth', 'ops', 'marketing']), generated: true },
    });
  }
  return metrics;
}

function savedQueriesOf(): FakeSemanticLayerSavedQuery[] {
  const saved: FakeSemanticLayerSavedQuery[] = [];
  for (const grain of ['day', 'week', 'month', 'quarter']) {
    for (const by of ['customer__region', 'order__channel', 'product__category']) {
      saved.push({
        name: `revenue_by_${by.split('__')[1]}_${grain}`,
        label: `Revenue by ${by.split('__')[1]} per ${grain}`,
        metrics: ['revenue', 'order_count'],
        groupBy: [{ name: 'metric_time', grain }, by],
      });
    }
  }
  return saved;
}

/** The model and its dataset; rows hold dimension values by qualified name and metric values by metric name. */
export function generateSemanticLayerModel(options: SemanticLayerModelOptions): GeneratedSemanticLayerModel {
  const seed = options.seed ?? 1;
  const days = options.days ?? 730;
  const random = new Random(seed);
  const start = Date.UTC(2024, 0, 1);
  const customers = Math.max(1, Math.ceil(options.rows / 5));
  const products = 2_000;
  const rows: Record<string, unknown>[] = new Array(options.rows);
  for (let index = 0; index < options.rows; index += 1) {
    const day = new Date(start + random.int(0, days - 1) * 86_400_000).toISOString().slice(0, 10);
    const customer = random.int(1, customers);
    // A customer keeps its region, country and segment; a product its category and brand.
    const region = REGIONS[customer % REGIONS.length]!;
    const countries = COUNTRIES[region];
    const product = random.int(1, products);
    const quantity = random.int(1, 5);
    const unitPrice = 5 + (product % 200) * 1.25;
    const discount = random.chance(0.2) ? Math.round(quantity * unitPrice * 10) / 100 : 0;
    rows[index] = {
      metric_time: `${day}T00:00:00`,
      order: `ord_${pad(index + 1, 9)}`,
      customer: `cus_${pad(customer, 7)}`,
      product: `prd_${pad(product, 5)}`,
      customer__region: region,
      customer__country: countries[customer % countries.length],
      customer__segment: SEGMENTS[customer % SEGMENTS.length],
      product__category: CATEGORIES[product % CATEGORIES.length],
      product__brand: `brand_${pad(product % 90, 2)}`,
      order__channel: random.pick(CHANNELS),
      order__status: random.pick(STATUSES),
      revenue: Math.round(quantity * unitPrice * 100) / 100,
      order_count: 1,
      quantity,
      discount,
    };
  }
  return {
    metrics: metricsOf(Math.max(BASE_METRICS.length, options.metrics ?? 60), random),
    dimensions: DIMENSIONS,
    entities: ENTITIES,
    savedQueries: savedQueriesOf(),
    rows,
  };
}
