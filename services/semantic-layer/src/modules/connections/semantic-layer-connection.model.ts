import { Field, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';

export enum SemanticLayerMode {
  DBT_CLOUD = 'DBT_CLOUD',
  DBT_CORE = 'DBT_CORE',
}

registerEnumType(SemanticLayerMode, {
  name: 'SemanticLayerMode',
  description:
    'DBT_CLOUD: the dbt Semantic Layer GraphQL API of a dbt Cloud environment; DBT_CORE: metric definitions from ingested dbt artifacts.',
});

@ObjectType('SemanticLayerError', {
  description: "What went wrong with the Semantic Layer, in its users' terms; never holds the token.",
})
export class SemanticLayerErrorView {
  @Field({
    description: 'UPSTREAM_AUTH_FAILED, UPSTREAM_UNAVAILABLE, RATE_LIMITED, BAD_USER_INPUT or INTERNAL.',
  })
  code: string;

  @Field()
  message: string;

  @Field(() => Date, { nullable: true })
  at: Date | null;
}

@ObjectType('SemanticLayerConnection', {
  description: 'One dbt Semantic Layer environment reached with one token.',
})
export class SemanticLayerConnection {
  @Field(() => ID)
  id: string;

  @Field()
  name: string;

  @Field(() => SemanticLayerMode)
  mode: SemanticLayerMode;

  @Field({ description: 'Semantic Layer host, e.g. https://semantic-layer.cloud.getdbt.com.' })
  host: string;

  @Field(() => String, { nullable: true, description: 'The dbt Cloud deployment environment id.' })
  environmentId: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'The end of the token (…9f3a); the token is never returned.',
  })
  tokenHint: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'DBT_CORE: the dbt project name in the artifact store.',
  })
  dbtProject: string | null;

  @Field(() => SemanticLayerErrorView, { nullable: true })
  lastError: SemanticLayerErrorView | null;

  @Field(() => Date, { nullable: true })
  lastTestedAt: Date | null;

  @Field()
  createdAt: Date;

  @Field()
  updatedAt: Date;
}

@ObjectType('SemanticLayerConnectionTest')
export class SemanticLayerConnectionTest {
  @Field()
  ok: boolean;

  @Field(() => Int, {
    description: 'Metrics the connection lists (the environment the token sees, or the dbt Core project).',
  })
  metricCount: number;

  @Field(() => SemanticLayerErrorView, { nullable: true })
  error: SemanticLayerErrorView | null;
}

@InputType('CreateSemanticLayerConnectionInput')
export class CreateSemanticLayerConnectionInput {
  @Field()
  name: string;

  @Field(() => SemanticLayerMode)
  mode: SemanticLayerMode;

  @Field(() => String, {
    nullable: true,
    description:
      'Semantic Layer host for the region or cell (https://semantic-layer.cloud.getdbt.com, https://semantic-layer.emea.dbt.com, https://ACCOUNT.semantic-layer.us1.dbt.com…). Default the North America multi-tenant host.',
  })
  host?: string | null;

  @Field(() => String, { nullable: true, description: 'Required for DBT_CLOUD.' })
  environmentId?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Required for DBT_CLOUD; stored encrypted, never returned.',
  })
  token?: string | null;

  @Field(() => String, { nullable: true, description: 'Required for DBT_CORE.' })
  dbtProject?: string | null;
}

@InputType('UpdateSemanticLayerConnectionInput')
export class UpdateSemanticLayerConnectionInput {
  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => String, { nullable: true })
  host?: string | null;

  @Field(() => String, { nullable: true })
  environmentId?: string | null;

  @Field(() => String, { nullable: true, description: 'Replaces the token.' })
  token?: string | null;

  @Field(() => String, { nullable: true })
  dbtProject?: string | null;
}
