import { Directive, Field, ID, InputType, ObjectType, registerEnumType } from '@nestjs/graphql';
import { connectionType } from '@cartograph/platform/graphql';

export enum DatasetKindValue {
  TABLE = 'table',
  VIEW = 'view',
  MATERIALIZED_VIEW = 'materialized_view',
  EXTERNAL = 'external',
  SNAPSHOT = 'snapshot',
  SEED = 'seed',
  SOURCE = 'source',
  EPHEMERAL = 'ephemeral',
  UNKNOWN = 'unknown',
}
registerEnumType(DatasetKindValue, {
  name: 'DatasetKind',
  description: 'What kind of relation a dataset is.',
});

@ObjectType({ description: 'One physical table or view in one warehouse; the join key of the whole graph.' })
@Directive('@key(fields: "id")')
export class Dataset {
  @Field(() => ID, { description: '`<platform>://<instance>/<database>.<schema>.<name>`.' })
  id: string;

  @Field()
  platform: string;

  @Field({
    description: 'Account, host:port or project of the warehouse connection; `default` when unknown.',
  })
  instance: string;

  @Field(() => String, { nullable: true })
  database: string | null;

  @Field(() => String, { nullable: true })
  schema: string | null;

  @Field()
  name: string;

  @Field({ description: '`schema.name`, the way people say it.' })
  displayName: string;

  @Field(() => String, { nullable: true })
  description: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      'Which source the description came from (precedence: dbt, dbt-cloud, warehouse, hex, semantic-layer).',
  })
  descriptionSource: string | null;

  @Field(() => DatasetKindValue)
  kind: DatasetKindValue;

  @Field(() => [String], { description: 'Every source that has seen this dataset.' })
  sources: string[];

  @Field(() => Date, {
    nullable: true,
    description:
      'Null for a dataset known only by id: another subgraph names it (lineage, a BI project) but no source registered it.',
  })
  firstSeenAt: Date | null;

  @Field(() => Date, { nullable: true, description: 'Null for a dataset known only by id, as firstSeenAt.' })
  lastSeenAt: Date | null;

  @Field(() => Date, { nullable: true, description: 'Set when no source sees it any more.' })
  removedAt: Date | null;
}

export const DatasetConnection = connectionType(Dataset, 'Dataset');

@InputType()
export class DatasetFilter {
  @Field(() => String, { nullable: true })
  platform?: string | null;

  @Field(() => String, { nullable: true })
  instance?: string | null;

  @Field(() => String, { nullable: true })
  database?: string | null;

  @Field(() => String, { nullable: true })
  schema?: string | null;

  @Field(() => DatasetKindValue, { nullable: true })
  kind?: DatasetKindValue | null;

  @Field(() => String, { nullable: true, description: 'Only datasets this source has seen.' })
  source?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Include datasets no source sees any more.' })
  includeRemoved?: boolean | null;
}
