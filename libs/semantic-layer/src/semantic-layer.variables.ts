import { orderByKind, type MetricQueryRequest } from './metric-query.js';
import { validateMetricQuery } from './metric-query.validator.js';
import { SemanticLayerQueryError } from './semantic-layer.error.js';
import { parseWhereFilter } from './where-filter.parser.js';

// Variables for the documents of `semantic-layer.documents.ts`, in the API's input types (research §2, §3):
// `metrics: [{name}]`, `groupBy: [{name, timeGranularity?, datePart?}]`, `where: [{sql}]`,
// `orderBy: [{metric: {name}} | {groupBy: {name, timeGranularity?}}, descending]`. Grains go as the
// `timeGranularity` string rather than the deprecated `TimeGranularity` enum, which cannot name custom
// granularities; `DatePart` is an enum, so date parts go upper case.

/** A deployment environment id; the API's `BigInt` accepts a number or a digit string. */
export type EnvironmentId = string | number | bigint;

export interface MetricInputVariable {
  name: string;
}

export interface GroupByInputVariable {
  name: string;
  timeGranularity?: string;
  datePart?: string;
}

export interface WhereInputVariable {
  sql: string;
}

export type OrderByInputVariable =
  | { metric: MetricInputVariable; descending: boolean }
  | { groupBy: GroupByInputVariable; descending: boolean };

export interface MetricQueryVariables {
  /** As a digit string, so ids beyond 2^53 survive JSON. */
  environmentId: string;
  savedQuery: string | null;
  metrics: MetricInputVariable[] | null;
  groupBy: GroupByInputVariable[] | null;
  where: WhereInputVariable[];
  orderBy: OrderByInputVariable[];
  limit: number | null;
  readCache?: boolean;
}

export interface MetricQueryVariablesOptions {
  /** Whether the Semantic Layer may answer from its result cache; the API's default when omitted. */
  readCache?: boolean;
}

/** Checks an environment id and returns it as a digit string. */
export function environmentIdVariable(environmentId: EnvironmentId): string {
  const text = typeof environmentId === 'string' ? environmentId.trim() : String(environmentId);
  if (!/^[1-9][0-9]{0,18}$/.test(text)) {
    throw new SemanticLayerQueryError(
      `environmentId: expected a positive whole number but got ${JSON.stringify(String(environmentId))}`,
      { argument: 'environmentId' },
    );
  }
  return text;
}

/**
 * The variables of `CREATE_QUERY_MUTATION` and `COMPILE_SQL_MUTATION`. The request is validated again here,
 * the last step before the wire; `rowFilters` (a role's, see `applyRolePolicy`) are appended to `where`
 * unless already there, so applying a policy and passing its filters again does not duplicate them.
 */
export function metricQueryVariables(
  environmentId: EnvironmentId,
  request: MetricQueryRequest,
  rowFilters: readonly string[] = [],
  options: MetricQueryVariablesOptions = {},
): MetricQueryVariables {
  const checked = validateMetricQuery(request);
  const where = [...checked.where];
  rowFilters.forEach((filter, index) => {
    const sql = parseWhereFilter(filter, `rowFilters[${index}]`).sql;
    if (!where.includes(sql)) where.push(sql);
  });
  const grainOfGroupBy = (name: string): string | undefined => {
    const grains = checked.groupBy.filter((item) => item.name === name && item.grain !== undefined);
    return grains.length === 1 ? grains[0]!.grain : undefined;
  };
  const variables: MetricQueryVariables = {
    environmentId: environmentIdVariable(environmentId),
    savedQuery: checked.savedQuery ?? null,
    metrics: checked.metrics.length > 0 ? checked.metrics.map((name) => ({ name })) : null,
    groupBy:
      checked.groupBy.length > 0
        ? checked.groupBy.map((item) => {
            const input: GroupByInputVariable = { name: item.name };
            if (item.grain !== undefined) input.timeGranularity = item.grain;
            if (item.datePart !== undefined) input.datePart = item.datePart.toUpperCase();
            return input;
          })
        : null,
    where: where.map((sql) => ({ sql })),
    orderBy: checked.orderBy.map((item): OrderByInputVariable => {
      if (orderByKind(checked, item) === 'metric')
        return { metric: { name: item.name }, descending: item.descending };
      const groupBy: GroupByInputVariable = { name: item.name };
      // `'-metric_time'` orders by the queried `metric_time` whatever its grain: the API wants the grain too.
      const grain = item.grain ?? grainOfGroupBy(item.name);
      if (grain !== undefined) groupBy.timeGranularity = grain;
      return { groupBy, descending: item.descending };
    }),
    limit: checked.limit ?? null,
  };
  if (options.readCache !== undefined) variables.readCache = options.readCache;
  return variables;
}

/** Variables of `QUERY_RESULT_ARROW_QUERY` / `QUERY_RESULT_JSON_QUERY`; pages are 1-based. */
export function queryResultVariables(
  environmentId: EnvironmentId,
  queryId: string,
  pageNum = 1,
): { environmentId: string; queryId: string; pageNum: number } {
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(queryId)) {
    throw new SemanticLayerQueryError(`queryId: ${JSON.stringify(queryId.slice(0, 140))} is not a query id`, {
      argument: 'queryId',
    });
  }
  if (!Number.isSafeInteger(pageNum) || pageNum < 1) {
    throw new SemanticLayerQueryError(`pageNum: expected a whole number from 1 but got ${pageNum}`, {
      argument: 'pageNum',
    });
  }
  return { environmentId: environmentIdVariable(environmentId), queryId, pageNum };
}

/** Variables of `METRICS_QUERY`. */
export function metricsVariables(
  environmentId: EnvironmentId,
  search?: string,
): { environmentId: string; search?: string } {
  const variables: { environmentId: string; search?: string } = {
    environmentId: environmentIdVariable(environmentId),
  };
  if (search !== undefined && search !== '') variables.search = search;
  return variables;
}

/** Variables of `DIMENSIONS_QUERY` and `ENTITIES_QUERY`: a set of metrics. */
export function metricSetVariables(
  environmentId: EnvironmentId,
  metrics: readonly string[],
): { environmentId: string; metrics: MetricInputVariable[] } {
  const checked = validateMetricQuery({ metrics: [...metrics] });
  return {
    environmentId: environmentIdVariable(environmentId),
    metrics: checked.metrics.map((name) => ({ name })),
  };
}

/** Variables of `SAVED_QUERIES_QUERY`. */
export function environmentVariables(environmentId: EnvironmentId): { environmentId: string } {
  return { environmentId: environmentIdVariable(environmentId) };
}
