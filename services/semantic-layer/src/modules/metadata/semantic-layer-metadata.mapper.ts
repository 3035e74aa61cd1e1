import type {
  SemanticLayerDimension,
  SemanticLayerEntity,
  SemanticLayerMetric,
  SemanticLayerSavedQuery,
  SavedQueryDefinition,
} from '@cartograph/semantic-layer';
import type {
  SemanticLayerDimensionView,
  SemanticLayerEntityView,
  SemanticLayerMetricView,
  SemanticLayerSavedQueryView,
} from './semantic-layer-metadata.model.js';

export function toMetricView(metric: SemanticLayerMetric): SemanticLayerMetricView {
  return {
    name: metric.name,
    label: metric.label ?? null,
    description: metric.description ?? null,
    type: metric.type,
    requiresMetricTime: Boolean(metric.requiresMetricTime),
    queryableTimeGranularities: (metric.queryableTimeGranularities ?? []).map((grain) => grain.toLowerCase()),
    filter: metric.filter?.whereSqlTemplate ?? null,
    meta: metric.config?.meta ?? null,
    measures: (metric.measures ?? []).map((measure) => ({
      name: measure.name,
      agg: measure.agg,
      aggTimeDimension: measure.aggTimeDimension ?? null,
      expr: measure.expr,
    })),
  };
}

export function toDimensionView(dimension: SemanticLayerDimension): SemanticLayerDimensionView {
  return {
    // The API's qualifiedName is the dunder name to query with; older answers only carry `name`.
    qualifiedName: dimension.qualifiedName || dimension.name,
    name: dimension.name,
    label: dimension.label ?? null,
    description: dimension.description ?? null,
    type: dimension.type,
    granularities: (dimension.queryableTimeGranularities ?? []).map((grain) => grain.toLowerCase()),
    isPartition: Boolean(dimension.isPartition),
  };
}

export function toEntityView(entity: SemanticLayerEntity): SemanticLayerEntityView {
  return {
    name: entity.name,
    description: entity.description ?? null,
    type: entity.type,
    role: entity.role ?? null,
  };
}

function groupByNames(saved: SemanticLayerSavedQuery): string[] {
  return saved.queryParams.groupBy.map((item) => {
    const grain = item.timeGranularity ?? item.grain;
    return grain ? `${item.name}__${grain.toLowerCase()}` : item.name;
  });
}

export function toSavedQueryView(saved: SemanticLayerSavedQuery): SemanticLayerSavedQueryView {
  return {
    name: saved.name,
    label: saved.label ?? null,
    description: saved.description ?? null,
    metrics: saved.queryParams.metrics.map((metric) => metric.name),
    groupBy: groupByNames(saved),
    where: saved.queryParams.where?.whereSqlTemplate ?? null,
  };
}

/** Saved queries as role policies check them (`applyRolePolicy`'s context). */
export function savedQueryDefinitions(
  saved: readonly SemanticLayerSavedQuery[],
): Record<string, SavedQueryDefinition> {
  return Object.fromEntries(
    saved.map((query) => [
      query.name.toLowerCase(),
      {
        metrics: query.queryParams.metrics.map((metric) => metric.name),
        groupBy: query.queryParams.groupBy.map((item) => item.name),
      },
    ]),
  );
}
