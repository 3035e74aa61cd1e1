// GraphQL documents for the dbt Cloud Semantic Layer API (research/semantic-layer.md §2, §3). Constants
// only: every value of a request travels in the variables (see `metricQueryVariables`), never in the
// document text, so names and filter SQL cannot break or change a document. Field choices follow the
// Python SDK's lazy mode: metrics without their (long) dimension and entity lists, which are asked per metric
// set; a metric's few measures come with it, so a listing is one request however many metrics there are.

const DIMENSION_FIELDS = `name
    qualifiedName
    label
    description
    type
    isPartition
    expr
    queryableTimeGranularities
    typeParams { timeGranularity }`;

export const METRICS_QUERY = `query CartographSemanticLayerMetrics($environmentId: BigInt!, $search: String) {
  metrics(environmentId: $environmentId, search: $search) {
    name
    label
    description
    type
    requiresMetricTime
    queryableTimeGranularities
    filter { whereSqlTemplate }
    config { meta }
    measures { name agg aggTimeDimension expr }
  }
}`;

/** Dimensions valid for every metric of the set (the API returns the intersection). */
export const DIMENSIONS_QUERY = `query CartographSemanticLayerDimensions($environmentId: BigInt!, $metrics: [MetricInput!]!, $search: String) {
  dimensions(environmentId: $environmentId, metrics: $metrics, search: $search) {
    ${DIMENSION_FIELDS}
  }
}`;

export const ENTITIES_QUERY = `query CartographSemanticLayerEntities($environmentId: BigInt!, $metrics: [MetricInput!]!) {
  entities(environmentId: $environmentId, metrics: $metrics) {
    name
    description
    type
    role
    expr
  }
}`;

export const SAVED_QUERIES_QUERY = `query CartographSemanticLayerSavedQueries($environmentId: BigInt!) {
  savedQueries(environmentId: $environmentId) {
    name
    label
    description
    queryParams {
      metrics { name }
      groupBy { name grain timeGranularity datePart }
      where { whereSqlTemplate }
    }
  }
}`;

const QUERY_ARGUMENT_DEFINITIONS = `$environmentId: BigInt!,
  $savedQuery: String,
  $metrics: [MetricInput!],
  $groupBy: [GroupByInput!],
  $where: [WhereInput!],
  $orderBy: [OrderByInput!],
  $limit: Int,
  $readCache: Boolean`;

const QUERY_ARGUMENTS = `environmentId: $environmentId,
    savedQuery: $savedQuery,
    metrics: $metrics,
    groupBy: $groupBy,
    where: $where,
    orderBy: $orderBy,
    limit: $limit,
    readCache: $readCache`;

/** Starts a query; poll `QUERY_RESULT_ARROW_QUERY` (or the JSON one) with the returned `queryId`. */
export const CREATE_QUERY_MUTATION = `mutation CartographSemanticLayerCreateQuery(
  ${QUERY_ARGUMENT_DEFINITIONS}
) {
  createQuery(
    ${QUERY_ARGUMENTS}
  ) {
    queryId
  }
}`;

/** Compiles the same arguments to warehouse SQL without running it. */
export const COMPILE_SQL_MUTATION = `mutation CartographSemanticLayerCompileSql(
  ${QUERY_ARGUMENT_DEFINITIONS}
) {
  compileSql(
    ${QUERY_ARGUMENTS}
  ) {
    sql
  }
}`;

/**
 * One poll or one page of a query, with the page as a base64 Arrow IPC stream. `totalPages` and the result
 * are set once the status is SUCCESSFUL; `sql` once COMPILED.
 */
export const QUERY_RESULT_ARROW_QUERY = `query CartographSemanticLayerQueryResult($environmentId: BigInt!, $queryId: String!, $pageNum: Int!) {
  query(environmentId: $environmentId, queryId: $queryId, pageNum: $pageNum) {
    queryId
    status
    sql
    error
    totalPages
    arrowResult
  }
}`;

/** As `QUERY_RESULT_ARROW_QUERY`, with the page as pandas `TABLE`-orient JSON (not base64-encoded). */
export const QUERY_RESULT_JSON_QUERY = `query CartographSemanticLayerQueryResultJson($environmentId: BigInt!, $queryId: String!, $pageNum: Int!) {
  query(environmentId: $environmentId, queryId: $queryId, pageNum: $pageNum) {
    queryId
    status
    sql
    error
    totalPages
    jsonResult(orient: TABLE, encoded: false)
  }
}`;

/** Every document, by operation, for tests and tooling. */
export const SEMANTIC_LAYER_DOCUMENTS = {
  metrics: METRICS_QUERY,
  dimensions: DIMENSIONS_QUERY,
  entities: ENTITIES_QUERY,
  savedQueries: SAVED_QUERIES_QUERY,
  createQuery: CREATE_QUERY_MUTATION,
  compileSql: COMPILE_SQL_MUTATION,
  queryResultArrow: QUERY_RESULT_ARROW_QUERY,
  queryResultJson: QUERY_RESULT_JSON_QUERY,
} as const;
