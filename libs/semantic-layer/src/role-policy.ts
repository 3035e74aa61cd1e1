import { orderByKind, STANDARD_TIME_GRAINS, type MetricQueryRequest } from './metric-query.js';
import { validateMetricQuery } from './metric-query.validator.js';
import { SemanticLayerForbiddenError } from './semantic-layer.error.js';
import { qualifiedName } from './semantic-object.parser.js';
import { parseWhereFilter } from './where-filter.parser.js';

// The Semantic Layer runs every query with one warehouse credential and knows no end user (research §0.6),
// so the proxy enforces each role's metrics, dimensions and row filters itself, before anything goes upstream.

export interface RolePolicy {
  /** Metric names or globs (`finance_*`); undefined allows every metric, `[]` none. */
  allowedMetrics?: string[];
  /**
   * Group-by names or globs (`customer__*`, `metric_time`): dimensions and entities alike, wherever the
   * request uses them (group by, filters, order by). Undefined allows all, `[]` none.
   */
  allowedDimensions?: string[];
  /** Saved query names or globs; undefined allows every saved query, `[]` none. */
  allowedSavedQueries?: string[];
  /** Filters ANDed to every query of the role, in the where-filter syntax. */
  rowFilters?: string[];
}

/** What a saved query contains, which the request itself does not carry. */
export interface SavedQueryDefinition {
  metrics: string[];
  /** Group-by names (`metric_time`, `customer__region`, `customer`). */
  groupBy: string[];
}

export interface RolePolicyContext {
  /** Definitions of saved queries by name, needed when a role limits metrics or dimensions. */
  savedQueries?: Record<string, SavedQueryDefinition>;
}

const GRAIN_SUFFIX = new RegExp(`__(?:${STANDARD_TIME_GRAINS.join('|')})$`);

/** `*` matches any run of characters, `?` one; everything else literally. Case-insensitive. */
export function matchesGlob(name: string, pattern: string): boolean {
  const source = pattern
    .toLowerCase()
    .split('')
    .map((character) =>
      character === '*' ? '.*' : character === '?' ? '.' : character.replace(/[.+^${}()|[\]\\]/g, '\\$&'),
    )
    .join('');
  return new RegExp(`^${source}$`).test(name.toLowerCase());
}

function allowed(name: string, patterns: readonly string[] | undefined): boolean {
  return patterns === undefined || patterns.some((pattern) => matchesGlob(name, pattern));
}

/** A time dimension is often named with its grain (`metric_time__month`); either form may be allowed. */
function dimensionAllowed(name: string, patterns: readonly string[] | undefined): boolean {
  if (allowed(name, patterns)) return true;
  const base = name.replace(GRAIN_SUFFIX, '');
  return base !== name && allowed(base, patterns);
}

/**
 * Checks a request against a role and returns it (validated and normalized) with the role's row filters
 * appended to `where`. Throws `SemanticLayerForbiddenError` naming the first metric, dimension or saved query
 * the role may not use and the argument that uses it; `SemanticLayerQueryError` for a malformed request.
 */
export function applyRolePolicy(
  request: MetricQueryRequest,
  policy: RolePolicy,
  context: RolePolicyContext = {},
): MetricQueryRequest {
  const checked = validateMetricQuery(request);
  const forbid = (kind: 'metric' | 'dimension' | 'saved query', name: string, argument: string): never => {
    throw new SemanticLayerForbiddenError(
      `${argument}: the role may not use ${kind} '${name}'`,
      kind,
      name,
      argument,
    );
  };
  const checkMetric = (name: string, argument: string): void => {
    if (!allowed(name, policy.allowedMetrics)) forbid('metric', name, argument);
  };
  const checkDimension = (name: string, argument: string): void => {
    if (!dimensionAllowed(name, policy.allowedDimensions)) forbid('dimension', name, argument);
  };

  if (checked.savedQuery !== undefined) {
    const name = checked.savedQuery;
    if (!allowed(name, policy.allowedSavedQueries)) forbid('saved query', name, 'savedQuery');
    if (policy.allowedMetrics !== undefined || policy.allowedDimensions !== undefined) {
      const definition = context.savedQueries?.[name];
      // Without the definition the saved query's metrics cannot be checked: refuse rather than guess.
      if (!definition) return forbid('saved query', name, 'savedQuery');
      definition.metrics.forEach((metric) => checkMetric(metric.toLowerCase(), `savedQuery '${name}'`));
      definition.groupBy.forEach((groupBy) => checkDimension(groupBy.toLowerCase(), `savedQuery '${name}'`));
    }
  }
  checked.metrics.forEach((metric, index) => checkMetric(metric, `metrics[${index}]`));
  checked.groupBy.forEach((item, index) => checkDimension(item.name, `groupBy[${index}]`));
  const rowFilters = (policy.rowFilters ?? []).map(
    (filter, index) => parseWhereFilter(filter, `rowFilters[${index}]`).sql,
  );
  checked.where.forEach((filter, index) => {
    // The role's own row filter (a request the policy was applied to before) may use what the role may not.
    if (rowFilters.includes(filter)) return;
    const argument = `where[${index}]`;
    for (const reference of parseWhereFilter(filter, argument).references) {
      if (reference.kind === 'Metric') {
        checkMetric(qualifiedName(reference), argument);
        reference.groupBy?.forEach((groupBy) => checkDimension(groupBy, argument));
      } else {
        checkDimension(qualifiedName(reference), argument);
      }
    }
  });
  checked.orderBy.forEach((item, index) => {
    const argument = `orderBy[${index}]`;
    if (orderByKind(checked, item) === 'metric') checkMetric(item.name, argument);
    else checkDimension(item.name, argument);
  });

  const where = [...checked.where];
  for (const sql of rowFilters) if (!where.includes(sql)) where.push(sql);
  return { ...checked, where };
}
