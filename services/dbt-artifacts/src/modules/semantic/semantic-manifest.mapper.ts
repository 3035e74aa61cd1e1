import { createHash } from 'node:crypto';
import type {
  MetricDocument,
  SavedQueryDocument,
  SemanticManifestDocument,
  SemanticModelDocument,
} from '@cartograph/semantic-layer';
import type { SemanticNodeRow } from './semantic-manifest.repository.js';

// Turns the stored `node` rows of a project's semantic models, metrics and saved queries (their `details`
// are the libs/dbt records, camelCase) into the document the semantic-layer service reads.

type Json = Record<string, unknown>;

function text(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 ? value : null;
}

function list(value: unknown): Json[] {
  return Array.isArray(value) ? value.filter((item): item is Json => !!item && typeof item === 'object') : [];
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/** `{name}` objects or plain names, as MetricFlow writes `type_params.metrics` and `input_measures`. */
function names(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value
    .map((item) => (typeof item === 'string' ? item : text((item as Json | null)?.name)))
    .filter((name): name is string => name !== null);
}

function whereTemplates(filter: unknown): string[] {
  if (!filter || typeof filter !== 'object') return typeof filter === 'string' && filter ? [filter] : [];
  return list((filter as Json).where_filters)
    .map((item) => text(item.where_sql_template))
    .filter((template): template is string => template !== null);
}

export interface ModelRef {
  unique_id: string;
  name: string;
  dataset_id: string | null;
}

function semanticModel(row: SemanticNodeRow, models: ModelRef[]): SemanticModelDocument {
  const details = row.details;
  const byId = models.find((model) => row.depends_on.includes(model.unique_id));
  const modelName = text(details.modelName);
  // Versioned models sort by unique id; the last of a name is the latest version.
  const byName = modelName ? models.filter((model) => model.name === modelName).at(-1) : undefined;
  const model = byId ?? byName;
  return {
    name: row.name,
    label: text(details.label),
    description: row.description,
    datasetId: model?.dataset_id ?? null,
    modelUniqueId: model?.unique_id ?? null,
    primaryEntity: text(details.primaryEntity),
    defaultAggTimeDimension: text(details.defaultAggTimeDimension),
    entities: list(details.entities).map((entity) => ({
      name: String(entity.name),
      type: text(entity.type),
      expr: text(entity.expr),
      role: text(entity.role),
      description: text(entity.description),
    })),
    dimensions: list(details.dimensions).map((dimension) => ({
      name: String(dimension.name),
      type: text(dimension.type),
      expr: text(dimension.expr),
      isPartition: dimension.isPartition === true,
      timeGranularity: text(dimension.timeGranularity),
      description: text(dimension.description),
      label: text(dimension.label),
    })),
    measures: list(details.measures).map((measure) => ({
      name: String(measure.name),
      agg: text(measure.agg),
      expr: text(measure.expr),
      aggTimeDimension: text(measure.aggTimeDimension),
      description: text(measure.description),
      label: text(measure.label),
    })),
  };
}

function metric(row: SemanticNodeRow): MetricDocument {
  const details = row.details;
  const definition = (details.definition ?? {}) as Json;
  const typeParams = (definition.type_params ?? {}) as Json;
  const inputMeasures = strings(details.inputMeasures);
  const measure = text((typeParams.measure as Json | null)?.name) ?? text(typeParams.measure);
  return {
    name: row.name,
    label: text(details.label),
    description: row.description,
    type: text(details.calculation),
    filters: whereTemplates(definition.filter),
    inputMeasures: inputMeasures.length > 0 ? inputMeasures : measure ? [measure] : [],
    inputMetrics: [
      ...names(typeParams.metrics),
      ...names([typeParams.numerator, typeParams.denominator].filter(Boolean)),
    ],
    meta: row.meta ?? {},
  };
}

function savedQuery(row: SemanticNodeRow): SavedQueryDocument {
  const details = row.details;
  return {
    name: row.name,
    label: text(details.label),
    description: row.description,
    metrics: strings(details.metrics),
    groupBy: strings(details.groupBy),
    where: strings(details.where),
  };
}

export function semanticManifestDocument(
  project: string,
  rows: SemanticNodeRow[],
  models: ModelRef[],
): SemanticManifestDocument {
  const version = createHash('sha256');
  for (const row of rows) version.update(`${row.unique_id}\0${row.content_hash}\n`);
  // A semantic model follows its model's table, so a renamed table changes the version too.
  for (const model of models) version.update(`${model.unique_id}\0${model.dataset_id ?? ''}\n`);
  return {
    project,
    version: version.digest('hex').slice(0, 32),
    semanticModels: rows
      .filter((row) => row.resource_type === 'semantic_model')
      .map((row) => semanticModel(row, models)),
    metrics: rows.filter((row) => row.resource_type === 'metric').map(metric),
    savedQueries: rows.filter((row) => row.resource_type === 'saved_query').map(savedQuery),
  };
}
