// Response shapes of the documents in `semantic-layer.documents.ts`. Enum-typed fields are plain strings:
// the API has added values clients did not know (research §0.5), so nothing here rejects a new one.

export const QUERY_STATUSES = ['PENDING', 'RUNNING', 'COMPILED', 'SUCCESSFUL', 'FAILED', 'LOG_ONLY'] as const;

export type QueryStatus = (typeof QUERY_STATUSES)[number] | (string & {});

/** SUCCESSFUL and FAILED end a query; every other status, known or not, means "poll again". */
export function isTerminalQueryStatus(status: QueryStatus): boolean {
  return status === 'SUCCESSFUL' || status === 'FAILED';
}

export interface SemanticLayerMetric {
  name: string;
  label: string | null;
  description: string | null;
  /** SIMPLE, RATIO, CUMULATIVE, DERIVED, CONVERSION, … */
  type: string;
  requiresMetricTime: boolean;
  queryableTimeGranularities: string[];
  filter: { whereSqlTemplate: string } | null;
  config: { meta: Record<string, unknown> | null } | null;
  /** The measures it reads. */
  measures: SemanticLayerMeasure[];
}

export interface SemanticLayerDimension {
  name: string;
  /** The entity-qualified dunder name to query with. */
  qualifiedName: string;
  label: string | null;
  description: string | null;
  /** CATEGORICAL or TIME. */
  type: string;
  isPartition: boolean;
  expr: string | null;
  queryableTimeGranularities: string[];
  typeParams: { timeGranularity: string | null } | null;
}

export interface SemanticLayerEntity {
  name: string;
  description: string | null;
  /** PRIMARY, UNIQUE, FOREIGN, NATURAL. */
  type: string;
  role: string | null;
  expr: string | null;
}

export interface SemanticLayerMeasure {
  name: string;
  agg: string;
  aggTimeDimension: string | null;
  expr: string;
}

export interface SemanticLayerSavedQuery {
  name: string;
  label: string | null;
  description: string | null;
  queryParams: {
    metrics: { name: string }[];
    groupBy: {
      name: string;
      grain: string | null;
      timeGranularity: string | null;
      datePart: string | null;
    }[];
    where: { whereSqlTemplate: string } | null;
  };
}

export interface SemanticLayerQueryResult {
  queryId: string;
  status: QueryStatus;
  sql: string | null;
  error: string | null;
  totalPages: number | null;
  arrowResult?: string | null;
  jsonResult?: string | null;
}
