// The request model of a Semantic Layer metric query, shared by the structured GraphQL input, the pasted
// `semantic_layer.query(...)` text and the GraphQL variables sent upstream (research/semantic-layer.md §3, §4).

/** Standard MetricFlow grains. Projects may define custom granularities, so any identifier is accepted. */
export const STANDARD_TIME_GRAINS = [
  'nanosecond',
  'microsecond',
  'millisecond',
  'second',
  'minute',
  'hour',
  'day',
  'week',
  'month',
  'quarter',
  'year',
] as const;

export type StandardTimeGrain = (typeof STANDARD_TIME_GRAINS)[number];

/** A standard grain or a custom granularity name (lower case). */
export type TimeGrain = StandardTimeGrain | (string & {});

/** The API's `DatePart` values, lower case. */
export const DATE_PARTS = ['year', 'quarter', 'month', 'day', 'dow', 'doy'] as const;

export type DatePart = (typeof DATE_PARTS)[number];

export interface GroupByItem {
  /** A dimension or entity name: `metric_time`, `customer__region`, `order_id__customer__region`, `customer`. */
  name: string;
  grain?: TimeGrain;
  datePart?: DatePart;
}

export interface OrderByItem {
  /** A queried metric or group-by item. */
  name: string;
  grain?: TimeGrain;
  descending: boolean;
  /**
   * Whether `name` is a metric or a group-by item. Optional: it is inferred from the request's metrics and
   * group-bys, which a saved query does not list (see `orderByKind`).
   */
  kind?: 'metric' | 'groupBy';
}

export interface MetricQueryRequest {
  metrics: string[];
  groupBy: GroupByItem[];
  /** Filters with `{{ Dimension('…') }}`-style templates; the Semantic Layer ANDs them. */
  where: string[];
  orderBy: OrderByItem[];
  limit?: number;
  /** A saved query name; `metrics` and `groupBy` must then be empty. */
  savedQuery?: string;
}

// Lower-case letters and digits in runs joined by one underscore (`metric_time`) or by a dunder between path
// elements (`order_id__customer__region`); no leading, trailing or triple underscores.
const NAME_PATTERN = /^[a-z][a-z0-9]*(?:__?[a-z0-9]+)*$/;
const GRAIN_PATTERN = /^[a-z][a-z0-9_]*$/;
export const MAX_NAME_LENGTH = 256;

/** Whether `name` (already lower case) has the shape of a metric, dimension, entity or saved-query name. */
export function isSemanticLayerName(name: string): boolean {
  return name.length <= MAX_NAME_LENGTH && NAME_PATTERN.test(name);
}

/** Lower-cases a name and explains why it is not a valid name, or returns the normalized name. */
export function checkName(raw: string): { name: string } | { problem: string } {
  const name = raw.toLowerCase();
  if (name.length === 0) return { problem: 'the name is empty' };
  if (name.length > MAX_NAME_LENGTH) {
    return { problem: `the name is ${name.length} characters long; the limit is ${MAX_NAME_LENGTH}` };
  }
  if (!NAME_PATTERN.test(name)) {
    return {
      problem:
        `${JSON.stringify(raw)} is not a valid name: use letters, digits and underscores, starting with a ` +
        `letter, with entity paths joined by '__' (like metric_time or customer__region)`,
    };
  }
  return { name };
}

/** Lower-cases a grain and explains why it is not a valid grain, or returns it. */
export function checkGrain(raw: string): { grain: TimeGrain } | { problem: string } {
  const grain = raw.toLowerCase();
  if (grain.length > 0 && grain.length <= MAX_NAME_LENGTH && GRAIN_PATTERN.test(grain)) return { grain };
  return {
    problem:
      `${JSON.stringify(raw)} is not a valid time grain: use one of ${STANDARD_TIME_GRAINS.join(', ')} ` +
      `or a custom granularity name`,
  };
}

/** Lower-cases a date part and explains why it is not one, or returns it. */
export function checkDatePart(raw: string): { datePart: DatePart } | { problem: string } {
  const datePart = raw.toLowerCase();
  if ((DATE_PARTS as readonly string[]).includes(datePart)) return { datePart: datePart as DatePart };
  return { problem: `${JSON.stringify(raw)} is not a date part: use one of ${DATE_PARTS.join(', ')}` };
}

/**
 * Whether an order-by item names a metric or a group-by item: its `kind` if set, else whichever list of the
 * request holds the name; for a saved query (whose lists the request does not carry), names that look like
 * dimensions (`metric_time`, dunder paths, or with a grain) are group-bys and the rest metrics.
 */
export function orderByKind(request: MetricQueryRequest, item: OrderByItem): 'metric' | 'groupBy' {
  if (item.kind) return item.kind;
  if (request.metrics.includes(item.name)) return 'metric';
  if (request.groupBy.some((groupBy) => groupBy.name === item.name)) return 'groupBy';
  if (item.grain !== undefined || item.name === 'metric_time' || item.name.includes('__')) return 'groupBy';
  return 'metric';
}
