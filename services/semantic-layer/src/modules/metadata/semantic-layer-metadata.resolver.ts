import { Args, ID, Query, Resolver } from '@nestjs/graphql';
import { RequireRole } from '@cartograph/platform/graphql';
import { SemanticLayerDimensionSet, SemanticLayerMetricView } from './semantic-layer-metadata.model.js';
import { SemanticLayerMetadataService } from './semantic-layer-metadata.service.js';

@Resolver(() => SemanticLayerMetricView)
export class SemanticLayerMetadataResolver {
  constructor(private readonly metadata: SemanticLayerMetadataService) {}

  @Query(() => [SemanticLayerMetricView], {
    description: "The environment's metrics (cached per environment).",
  })
  @RequireRole('viewer')
  semanticLayerMetrics(
    @Args('connectionId', { type: () => ID }) connectionId: string,
    @Args('search', { type: () => String, nullable: true }) search: string | null,
  ): Promise<SemanticLayerMetricView[]> {
    return this.metadata.metrics(connectionId, search);
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
}
