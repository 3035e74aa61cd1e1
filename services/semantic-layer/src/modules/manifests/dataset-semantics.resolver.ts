import { Context, Parent, ResolveField, Resolver, ResolveReference } from '@nestjs/graphql';
import { RequireRole } from '@cartograph/platform/graphql';
import { toMetricView } from '../metadata/semantic-layer-metadata.mapper.js';
import { DatasetMetricView, DatasetReference, SemanticModelView } from './dataset-semantics.model.js';
import { SemanticManifestsService } from './semantic-manifests.service.js';

@Resolver(() => DatasetReference)
@RequireRole('viewer')
export class DatasetSemanticsResolver {
  constructor(private readonly manifests: SemanticManifestsService) {}

  @ResolveReference()
  resolveReference(reference: { id: string }): DatasetReference {
    return { id: reference.id };
  }

  @ResolveField(() => [SemanticModelView], {
    description:
      'MetricFlow semantic models built on this table, from the dbt projects in the artifact store.',
  })
  async semanticModels(
    @Parent() dataset: DatasetReference,
    @Context() context: object,
  ): Promise<SemanticModelView[]> {
    const { semanticModels } = await this.manifests.forDataset(context, dataset.id);
    return semanticModels.map((model) => ({
      name: model.name,
      project: model.project,
      label: model.label,
      description: model.description,
      modelUniqueId: model.modelUniqueId,
      primaryEntity: model.primaryEntity,
      defaultAggTimeDimension: model.defaultAggTimeDimension,
      entities: model.entities.map((entity) => ({
        name: entity.name,
        description: entity.description,
        type: (entity.type ?? 'primary').toUpperCase(),
        role: entity.role,
      })),
      dimensions: model.dimensions.map((dimension) => ({
        name: dimension.name,
        type: dimension.type === 'time' ? 'TIME' : 'CATEGORICAL',
        granularity: dimension.timeGranularity?.toUpperCase() ?? null,
        expr: dimension.expr,
        description: dimension.description,
      })),
      measures: model.measures.map((measure) => ({
        name: measure.name,
        agg: (measure.agg ?? 'sum').toUpperCase(),
        aggTimeDimension: measure.aggTimeDimension ?? model.defaultAggTimeDimension,
        expr: measure.expr ?? measure.name,
      })),
    }));
  }

  @ResolveField(() => [DatasetMetricView], {
    description:
      'Metrics that read a measure of a semantic model on this table (derived and ratio metrics included).',
  })
  async metrics(
    @Parent() dataset: DatasetReference,
    @Context() context: object,
  ): Promise<DatasetMetricView[]> {
    const { metrics } = await this.manifests.forDataset(context, dataset.id);
    return metrics.map((metric) => ({ ...toMetricView(metric), project: metric.project }));
  }
}
