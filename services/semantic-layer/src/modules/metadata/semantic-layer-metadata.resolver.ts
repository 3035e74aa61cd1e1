import { Args, ID, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { RequireRole } from '@cartograph/platform/graphql';
import {
  SemanticLayerDimensionSet,
  SemanticLayerMeasureView,
  SemanticLayerMetricView,
} from './semantic-layer-metadata.model.js';
import { SemanticLayerMetadataService } from './semantic-layer-metadata.service.js';

@Resolver(() => SemanticLayerMetricView)
export class SemanticLayerMetadataResolver {
  constructor(private readonly metadata: SemanticLayerMetadataService) {}

  @Query(() => [SemanticLayerMetricView], {
    description: "The environment's metrics (cached per environment).",
  })
  @RequireRole('viewer')
  async semanticLayerMetrics(
    @Args('connectionId', { type: () => ID }) connectionId: string,
    @Args('search', { type: () => String, nullable: true }) search: string | null,
  ): Promise<(SemanticLayerMetricView & { connectionId: string })[]> {
    const metrics = await this.metadata.metrics(connectionId, search);
    return metrics.map((metric) => ({ ...metric, connectionId }));
  }

  @Query(() => SemanticLayerDimensionSet, {
    description: 'Dimensions and entities valid for every metric of the set, and the saved queries.',
  })
  @RequireRole('viewer')
  semanticLayerDimensions(
    @Args('connectionId', { type: () => ID }) connectionId: string,
    @Args('metrics', { type: () => [String] }) metrics: string[],
  ): Promise<SemanticLayerDimensionSet> {
    return this.metadata.dimensionSet(connectionId, metrics);
  }

  @ResolveField(() => [SemanticLayerMeasureView], {
    description: 'Measures behind the metric (legacy metric spec; empty for the latest spec).',
  })
  measures(
    @Parent() metric: SemanticLayerMetricView & { connectionId: string },
  ): Promise<SemanticLayerMeasureView[]> {
    return this.metadata.measures(metric.connectionId, metric.name);
  }
}
