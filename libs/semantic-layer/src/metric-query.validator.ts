import {
  checkDatePart,
  checkGrain,
  checkName,
  type GroupByItem,
  type MetricQueryRequest,
  type OrderByItem,
} from './metric-query.js';
import { SemanticLayerQueryError } from './semantic-layer.error.js';
import { parseWhereFilter } from './where-filter.parser.js';

// Checks a metric query from any source (GraphQL input, parsed text, stored requests) before it reaches the
// role policy and the upstream variables. Returns a normalized copy: names, grains and date parts lower case,
// filters with canonical templates, defaults filled in.

const REQUEST_FIELDS = new Set(['metrics', 'groupBy', 'where', 'orderBy', 'limit', 'savedQuery']);
const GROUP_BY_FIELDS = new Set(['name', 'grain', 'datePart']);
const ORDER_BY_FIELDS = new Set(['name', 'grain', 'descending', 'kind']);

function queryError(argument: string, reason: string): SemanticLayerQueryError {
  return new SemanticLayerQueryError(`${argument}: ${reason}`, { argument, reason });
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function rejectUnknownFields(value: Record<string, unknown>, known: Set<string>, argument: string): void {
  for (const key of Object.keys(value)) {
    if (!known.has(key)) {
      throw queryError(argument, `unknown field '${key}'; expected ${[...known].join(', ')}`);
    }
  }
}

function list(value: unknown, argument: string): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw queryError(argument, `expected a list but got ${describeValue(value)}`);
  return value;
}

function name(value: unknown, argument: string): string {
  if (typeof value !== 'string')
    throw queryError(argument, `expected a name but got ${describeValue(value)}`);
  const checked = checkName(value);
  if ('problem' in checked) throw queryError(argument, checked.problem);
  return checked.name;
}

function grainOf(value: unknown, argument: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string')
    throw queryError(argument, `expected a time grain but got ${describeValue(value)}`);
  const checked = checkGrain(value);
  if ('problem' in checked) throw queryError(argument, checked.problem);
  return checked.grain;
}

function groupByItem(value: unknown, argument: string): GroupByItem {
  if (!isRecord(value))
    throw queryError(argument, `expected {name, grain?, datePart?} but got ${describeValue(value)}`);
  rejectUnknownFields(value, GROUP_BY_FIELDS, argument);
  const item: GroupByItem = { name: name(value.name, `${argument}.name`) };
  const grain = grainOf(value.grain, `${argument}.grain`);
  if (grain !== undefined) item.grain = grain;
  if (value.datePart !== undefined && value.datePart !== null) {
    if (typeof value.datePart !== 'string') {
      throw queryError(
        `${argument}.datePart`,
        `expected a date part but got ${describeValue(value.datePart)}`,
      );
    }
    const checked = checkDatePart(value.datePart);
    if ('problem' in checked) throw queryError(`${argument}.datePart`, checked.problem);
    item.datePart = checked.datePart;
  }
  return item;
}

function orderByItem(value: unknown, argument: string): OrderByItem {
  if (!isRecord(value)) {
    throw queryError(argument, `expected {name, grain?, descending} but got ${describeValue(value)}`);
  }
  rejectUnknownFields(value, ORDER_BY_FIELDS, argument);
  const descending = value.descending ?? false;
  if (typeof descending !== 'boolean') {
    throw queryError(`${argument}.descending`, `expected true or false but got ${describeValue(descending)}`);
  }
  const item: OrderByItem = { name: name(value.name, `${argument}.name`), descending };
  const grain = grainOf(value.grain, `${argument}.grain`);
  if (grain !== undefined) item.grain = grain;
  if (value.kind !== undefined && value.kind !== null) {
    if (value.kind !== 'metric' && value.kind !== 'groupBy') {
      throw queryError(
        `${argument}.kind`,
        `expected 'metric' or 'groupBy' but got ${describeValue(value.kind)}`,
      );
    }
    item.kind = value.kind;
  }
  return item;
}

/**
 * Validates a metric query and returns its normalized form. Throws `SemanticLayerQueryError` whose message
 * names the argument (`metrics[2]`, `groupBy[0].grain`, `where[1]`) and, inside filters, the offset.
 */
export function validateMetricQuery(input: unknown): MetricQueryRequest {
  if (!isRecord(input)) throw queryError('request', `expected an object but got ${describeValue(input)}`);
  rejectUnknownFields(input, REQUEST_FIELDS, 'request');

  const metrics = list(input.metrics, 'metrics').map((value, index) => name(value, `metrics[${index}]`));
  metrics.forEach((metric, index) => {
    if (metrics.indexOf(metric) !== index)
      throw queryError(`metrics[${index}]`, `'${metric}' is listed twice`);
  });

  const groupBy = list(input.groupBy, 'groupBy').map((value, index) =>
    groupByItem(value, `groupBy[${index}]`),
  );
  const groupByKeys = groupBy.map((item) => `${item.name}|${item.grain ?? ''}|${item.datePart ?? ''}`);
  groupByKeys.forEach((key, index) => {
    if (groupByKeys.indexOf(key) !== index) {
      throw queryError(`groupBy[${index}]`, `'${groupBy[index]!.name}' is listed twice`);
    }
  });

  const where = list(input.where, 'where').map((value, index) => {
    const argument = `where[${index}]`;
    if (typeof value !== 'string')
      throw queryError(argument, `expected a filter string but got ${describeValue(value)}`);
    return parseWhereFilter(value, argument).sql;
  });

  const orderBy = list(input.orderBy, 'orderBy').map((value, index) =>
    orderByItem(value, `orderBy[${index}]`),
  );

  const request: MetricQueryRequest = { metrics, groupBy, where, orderBy };

  if (input.limit !== undefined && input.limit !== null) {
    const limit = input.limit;
    if (typeof limit !== 'number' || !Number.isSafeInteger(limit) || limit < 1) {
      throw queryError('limit', `expected a positive whole number but got ${describeValue(limit)}`);
    }
    request.limit = limit;
  }

  if (input.savedQuery !== undefined && input.savedQuery !== null) {
    request.savedQuery = name(input.savedQuery, 'savedQuery');
    if (metrics.length > 0 || groupBy.length > 0) {
      throw queryError(
        metrics.length > 0 ? 'metrics' : 'groupBy',
        `a saved query brings its own metrics and group-bys; leave metrics and groupBy empty with savedQuery '${request.savedQuery}'`,
      );
    }
  } else {
    if (metrics.length === 0 && groupBy.length === 0) {
      throw queryError('metrics', 'give at least one metric or group-by item, or a saved query');
    }
    orderBy.forEach((item, index) => {
      const isMetric = metrics.includes(item.name);
      const isGroupBy = groupBy.some((candidate) => candidate.name === item.name);
      const argument = `orderBy[${index}]`;
      if (!isMetric && !isGroupBy) {
        throw queryError(
          argument,
          `'${item.name}' is neither a queried metric nor a group-by item of this query`,
        );
      }
      if (item.kind === 'metric' && !isMetric)
        throw queryError(argument, `'${item.name}' is not a queried metric`);
      if (item.kind === 'groupBy' && !isGroupBy) {
        throw queryError(argument, `'${item.name}' is not a group-by item of this query`);
      }
    });
  }
  return request;
}
