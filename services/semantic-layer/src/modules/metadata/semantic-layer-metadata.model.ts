import { Field, ObjectType } from '@nestjs/graphql';
import { JSONScalar } from '@cartograph/platform/graphql';

@ObjectType('SemanticLayerMeasure')
export class SemanticLayerMeasureView {
  @Field()
  name: string;

  @Field({ description: 'SUM, COUNT, COUNT_DISTINCT, AVERAGE, … (open set).' })
  agg: string;

  @Field(() => String, { nullable: true, description: 'The time dimension metric_time resolves to.' })
  aggTimeDimension: string | null;

  @Field()
  expr: string;
}

@ObjectType('SemanticLayerMetric')
export class SemanticLayerMetricView {
  @Field()
  name: string;

  @Field(() => String, { nullable: true })
  label: string | null;

  @Field(() => String, { nullable: true })
  description: string | null;

  @Field({ description: 'SIMPLE, RATIO, CUMULATIVE, DERIVED, CONVERSION (open set).' })
  type: string;

  @Field()
  requiresMetricTime: boolean;

  @Field(() => [String])
  queryableTimeGranularities: string[];

  @Field(() => String, { nullable: true, description: "The metric's own where filter template." })
  filter: string | null;

  @Field(() => JSONScalar, { nullable: true, description: 'config.meta of the metric.' })
  meta: unknown;

  @Field(() => [SemanticLayerMeasureView], {
    description: 'Measures the metric reads.',
  })
  measures: SemanticLayerMeasureView[];
}

@ObjectType('SemanticLayerDimension')
export class SemanticLayerDimensionView {
  @Field({ description: 'The entity-qualified name to group and filter by (customer__region, metric_time).' })
  qualifiedName: string;

  @Field()
  name: string;

  @Field(() => String, { nullable: true })
  label: string | null;

  @Field(() => String, { nullable: true })
  description: string | null;

  @Field({ description: 'CATEGORICAL or TIME.' })
  type: string;

  @Field(() => [String], { description: 'Grains a TIME dimension can be grouped by.' })
  granularities: string[];

  @Field()
  isPartition: boolean;
}

@ObjectType('SemanticLayerEntity')
export class SemanticLayerEntityView {
  @Field()
  name: string;

  @Field(() => String, { nullable: true })
  description: string | null;

  @Field({ description: 'PRIMARY, UNIQUE, FOREIGN or NATURAL.' })
  type: string;

  @Field(() => String, { nullable: true })
  role: string | null;
}

@ObjectType('SemanticLayerSavedQuery')
export class SemanticLayerSavedQueryView {
  @Field()
  name: string;

  @Field(() => String, { nullable: true })
  label: string | null;

  @Field(() => String, { nullable: true })
  description: string | null;

  @Field(() => [String])
  metrics: string[];

  @Field(() => [String], { description: 'Group-by names, with the grain as name__grain when one is set.' })
  groupBy: string[];

  @Field(() => String, { nullable: true })
  where: string | null;
}

@ObjectType('SemanticLayerDimensionSet', {
  description: 'What a set of metrics can be grouped and filtered by (valid for every metric of the set).',
})
export class SemanticLayerDimensionSet {
  @Field(() => [String])
  metrics: string[];

  @Field(() => [SemanticLayerDimensionView])
  dimensions: SemanticLayerDimensionView[];

  @Field(() => [SemanticLayerEntityView])
  entities: SemanticLayerEntityView[];

  @Field(() => [SemanticLayerSavedQueryView], { description: "The environment's saved queries." })
  savedQueries: SemanticLayerSavedQueryView[];
}
