// What the dbt-artifacts service answers on its internal `GET /internal/projects/:name/semantic-manifest`,
// for the semantic-layer service: the shape both sides agree on.

/** A dbt project's MetricFlow definitions as the artifact store holds them (`GET /internal/projects/:name/semantic-manifest`). */
export interface SemanticManifestDocument {
  project: string;
  /** Changes whenever a metric, semantic model or saved query of the project changes. */
  version: string;
  semanticModels: SemanticModelDocument[];
  metrics: MetricDocument[];
  savedQueries: SavedQueryDocument[];
}

export interface SemanticModelDocument {
  name: string;
  label: string | null;
  description: string | null;
  /** DESIGN §3 id of the table the semantic model is built on; null when its model has no table. */
  datasetId: string | null;
  modelUniqueId: string | null;
  primaryEntity: string | null;
  defaultAggTimeDimension: string | null;
  entities: {
    name: string;
    type: string | null;
    expr: string | null;
    role: string | null;
    description: string | null;
  }[];
  dimensions: {
    name: string;
    type: string | null;
    expr: string | null;
    isPartition: boolean;
    timeGranularity: string | null;
    description: string | null;
    label: string | null;
  }[];
  measures: {
    name: string;
    agg: string | null;
    expr: string | null;
    aggTimeDimension: string | null;
    description: string | null;
    label: string | null;
  }[];
}

export interface MetricDocument {
  name: string;
  label: string | null;
  description: string | null;
  /** simple, ratio, cumulative, derived, conversion (legacy metrics: their calculation). */
  type: string | null;
  /** The `where_sql_template`s of the metric's own filter, ANDed. */
  filters: string[];
  /** Measures the metric reads (type_params.input_measures), which tie it to semantic models. */
  inputMeasures: string[];
  /** Metrics a derived or ratio metric is computed from. */
  inputMetrics: string[];
  meta: Record<string, unknown>;
}

export interface SavedQueryDocument {
  name: string;
  label: string | null;
  description: string | null;
  metrics: string[];
  groupBy: string[];
  where: string[];
}
