import { Directive, Field, ID, ObjectType } from '@nestjs/graphql';
import {
  SemanticLayerEntityView,
  SemanticLayerMeasureView,
  SemanticLayerMetricView,
} from '../metadata/semantic-layer-metadata.model.js';

@ObjectType('Dataset')
@Directive('@key(fields: "id")')
export class DatasetReference {
  @Field(() => ID)
  id: string;
}

@ObjectType('SemanticModelDimension')
export class SemanticModelDimensionView {
  @Field()
  name: string;

  @Field({ description: 'CATEGORICAL or TIME.' })
  type: string;

  @Field(() => String, { nullable: true, description: 'The base grain of a TIME dimension.' })
  granularity: string | null;

  @Field(() => String, { nullable: true, description: 'SQL expression; null means the column of that name.' })
  expr: string | null;

  @Field(() => String, { nullable: true })
  description: string | null;
}

@ObjectType('SemanticModel', {
  description: 'A MetricFlow semantic model: measures, dimensions and entities on one table.',
})
export class SemanticModelView {
  @Field()
  name: string;

  @Field({ description: 'The dbt project defining it.' })
  project: string;

  @Field(() => String, { nullable: true })
  label: string | null;

  @Field(() => String, { nullable: true })
  description: string | null;

  @Field(() => String, { nullable: true, description: 'The unique id of the dbt model it is built on.' })
  modelUniqueId: string | null;

  @Field(() => String, { nullable: true })
  primaryEntity: string | null;

  @Field(() => String, { nullable: true })
  defaultAggTimeDimension: string | null;

  @Field(() => [SemanticLayerEntityView])
  entities: SemanticLayerEntityView[];

  @Field(() => [SemanticModelDimensionView])
  dimensions: SemanticModelDimensionView[];

  @Field(() => [SemanticLayerMeasureView])
  measures: SemanticLayerMeasureView[];
}

@ObjectType('DatasetMetric', {
  description: 'A metric reading a measure of a semantic model built on the table.',
})
export class DatasetMetricView extends SemanticLayerMetricView {
  @Field({ description: 'The dbt project defining it.' })
  project: string;
}
