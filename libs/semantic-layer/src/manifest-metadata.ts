import type { SemanticManifestDocument, SemanticModelDocument } from './semantic-manifest.types.js';
import type {
  SemanticLayerDimension,
  SemanticLayerEntity,
  SemanticLayerMeasure,
  SemanticLayerMetric,
  SemanticLayerSavedQuery,
} from './semantic-layer.types.js';

// The Semantic Layer's metadata answers (metrics, dimensions, entities, measures, saved queries) computed from
// a dbt project's semantic manifest, for dbt Core users without the Semantic Layer API. The dimensions of a
// metric follow MetricFlow's rules one join deep: the dimensions of the semantic models holding its measures,
// qualified by their primary entity, plus those of models joined through an entity that is primary or unique
// there, qualified by that entity; `metric_time` when a measure has an aggregation time dimension. Deeper
// multi-hop joins are not listed.

const GRAINS = ['day', 'week', 'month', 'quarter', 'year'];

function grainsFrom(base: string | null): string[] {
  const start = GRAINS.indexOf((base ?? 'day').toLowerCase());
  return start < 0 ? [...GRAINS] : GRAINS.slice(start);
}

function upper(value: string | null, fallback: string): string {
  return (value ?? fallback).toUpperCase();
}

function joinable(model: SemanticModelDocument, entity: string): boolean {
  return model.entities.some(
    (candidate) =>
      candidate.name === entity &&
      (candidate.type === 'primary' || candidate.type === 'unique' || candidate.type === 'natural'),
  );
}

/** The entity a model's own dimensions are qualified with. */
function ownEntity(model: SemanticModelDocument): string | null {
  return (
    model.primaryEntity ??
    model.entities.find((entity) => entity.type === 'primary' || entity.type === 'unique')?.name ??
    null
  );
}

export class ManifestMetadata {
  private readonly modelOfMeasure = new Map<string, SemanticModelDocument>();

  constructor(readonly manifest: SemanticManifestDocument) {
    for (const model of manifest.semanticModels) {
      for (const measure of model.measures) this.modelOfMeasure.set(measure.name, model);
    }
  }

  metrics(search?: string | null): SemanticLayerMetric[] {
    const needle = search?.toLowerCase();
    return this.manifest.metrics
      .filter((metric) => !needle || metric.name.toLowerCase().includes(needle))
      .map((metric) => {
        const time = this.timeDimension(metric.name);
        return {
          name: metric.name,
          label: metric.label,
          description: metric.description,
          type: upper(metric.type, 'simple'),
          // Cumulative metrics accumulate over metric_time; MetricFlow refuses them without it.
          requiresMetricTime: metric.type === 'cumulative',
          queryableTimeGranularities: time ? grainsFrom(time.grain).map((grain) => grain.toUpperCase()) : [],
          filter: metric.filters.length > 0 ? { whereSqlTemplate: metric.filters.join(' AND ') } : null,
          config: { meta: metric.meta },
          measures: this.measures([metric.name]),
        };
      });
  }

  measures(metrics: readonly string[]): SemanticLayerMeasure[] {
    const seen = new Set<string>();
    const out: SemanticLayerMeasure[] = [];
    for (const name of this.measureNames(metrics)) {
      const model = this.modelOfMeasure.get(name);
      const measure = model?.measures.find((candidate) => candidate.name === name);
      if (!model || !measure || seen.has(name)) continue;
      seen.add(name);
      out.push({
        name,
        agg: upper(measure.agg, 'sum'),
        aggTimeDimension: measure.aggTimeDimension ?? model.defaultAggTimeDimension,
        expr: measure.expr ?? name,
      });
    }
    return out;
  }

  /** Dimensions every named metric can be grouped by (MetricFlow answers the intersection). */
  dimensions(metrics: readonly string[]): SemanticLayerDimension[] {
    let common: Map<string, SemanticLayerDimension> | null = null;
    for (const metric of metrics) {
      const own = this.dimensionsOf(metric);
      if (common === null) common = own;
      else for (const key of [...common.keys()]) if (!own.has(key)) common.delete(key);
    }
    return [...(common ?? new Map<string, SemanticLayerDimension>()).values()].sort((left, right) =>
      left.qualifiedName.localeCompare(right.qualifiedName),
    );
  }

  entities(metrics: readonly string[]): SemanticLayerEntity[] {
    const out = new Map<string, SemanticLayerEntity>();
    for (const model of this.reachableModels(metrics)) {
      for (const entity of model.entities) {
        if (out.has(entity.name)) continue;
        out.set(entity.name, {
          name: entity.name,
          description: entity.description,
          type: upper(entity.type, 'primary'),
          role: entity.role,
          expr: entity.expr,
        });
      }
    }
    return [...out.values()].sort((left, right) => left.name.localeCompare(right.name));
  }

  savedQueries(): SemanticLayerSavedQuery[] {
    return this.manifest.savedQueries.map((saved) => ({
      name: saved.name,
      label: saved.label,
      description: saved.description,
      queryParams: {
        metrics: saved.metrics.map((name) => ({ name })),
        groupBy: saved.groupBy.map(groupByItem),
        where: saved.where.length > 0 ? { whereSqlTemplate: saved.where.join(' AND ') } : null,
      },
    }));
  }

  /** Semantic models built on a table. */
  semanticModelsOn(datasetId: string): SemanticModelDocument[] {
    return this.manifest.semanticModels.filter((model) => model.datasetId === datasetId);
  }

  /** Metrics that read a measure of the named semantic models, derived metrics included. */
  metricsOn(models: readonly SemanticModelDocument[]): SemanticLayerMetric[] {
    const names = new Set(models.map((model) => model.name));
    return this.metrics().filter((metric) =>
      this.measureNames([metric.name]).some((measure) => {
        const model = this.modelOfMeasure.get(measure);
        return model !== undefined && names.has(model.name);
      }),
    );
  }

  private measureNames(metrics: readonly string[], depth = 0): string[] {
    if (depth > 10) return [];
    const out: string[] = [];
    for (const name of metrics) {
      const metric = this.manifest.metrics.find((candidate) => candidate.name === name);
      if (!metric) continue;
      out.push(...metric.inputMeasures);
      if (metric.inputMetrics.length > 0) out.push(...this.measureNames(metric.inputMetrics, depth + 1));
    }
    return [...new Set(out)];
  }

  private modelsOf(metric: string): SemanticModelDocument[] {
    const models = new Set<SemanticModelDocument>();
    for (const measure of this.measureNames([metric])) {
      const model = this.modelOfMeasure.get(measure);
      if (model) models.add(model);
    }
    return [...models];
  }

  private reachableModels(metrics: readonly string[]): SemanticModelDocument[] {
    const out = new Set<SemanticModelDocument>();
    for (const metric of metrics) {
      for (const model of this.modelsOf(metric)) {
        out.add(model);
        for (const entity of model.entities) {
          for (const other of this.manifest.semanticModels) {
            if (other !== model && joinable(other, entity.name)) out.add(other);
          }
        }
      }
    }
    return [...out];
  }

  private timeDimension(metric: string): { grain: string | null } | null {
    for (const measure of this.measures([metric])) {
      const model = this.modelOfMeasure.get(measure.name);
      const dimension = model?.dimensions.find((candidate) => candidate.name === measure.aggTimeDimension);
      if (dimension) return { grain: dimension.timeGranularity };
    }
    return null;
  }

  private dimensionsOf(metric: string): Map<string, SemanticLayerDimension> {
    const out = new Map<string, SemanticLayerDimension>();
    const add = (entity: string | null, dimension: SemanticModelDocument['dimensions'][number]) => {
      const qualifiedName = entity ? `${entity}__${dimension.name}` : dimension.name;
      if (out.has(qualifiedName)) return;
      const time = dimension.type === 'time';
      out.set(qualifiedName, {
        name: dimension.name,
        qualifiedName,
        label: dimension.label,
        description: dimension.description,
        type: time ? 'TIME' : 'CATEGORICAL',
        isPartition: dimension.isPartition,
        expr: dimension.expr,
        queryableTimeGranularities: time
          ? grainsFrom(dimension.timeGranularity).map((grain) => grain.toUpperCase())
          : [],
        typeParams: time ? { timeGranularity: (dimension.timeGranularity ?? 'day').toUpperCase() } : null,
      });
    };
    const models = this.modelsOf(metric);
    for (const model of models) {
      const entity = ownEntity(model);
      for (const dimension of model.dimensions) add(entity, dimension);
      for (const joined of model.entities) {
        for (const other of this.manifest.semanticModels) {
          if (other === model || !joinable(other, joined.name)) continue;
          for (const dimension of other.dimensions) add(joined.name, dimension);
        }
      }
    }
    const time = this.timeDimension(metric);
    if (time) {
      out.set('metric_time', {
        name: 'metric_time',
        qualifiedName: 'metric_time',
        label: null,
        description: 'The time dimension every metric is aggregated over.',
        type: 'TIME',
        isPartition: false,
        expr: null,
        queryableTimeGranularities: grainsFrom(time.grain).map((grain) => grain.toUpperCase()),
        typeParams: { timeGranularity: (time.grain ?? 'day').toUpperCase() },
      });
    }
    return out;
  }
}

const GROUP_BY_ITEM = /^\s*(?:TimeDimension|Dimension|Entity)\(\s*'([^']+)'(?:\s*,\s*'([^']+)')?\s*\)/;

/** `TimeDimension('metric_time', 'month')`, `Dimension('customer__region')` or a plain name. */
function groupByItem(text: string): SemanticLayerSavedQuery['queryParams']['groupBy'][number] {
  const match = GROUP_BY_ITEM.exec(text);
  const name = match ? match[1]! : text.trim();
  const grain = match?.[2]?.toUpperCase() ?? null;
  return { name, grain, timeGranularity: grain, datePart: null };
}
