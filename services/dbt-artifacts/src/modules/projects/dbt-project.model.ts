import { Field, ID, ObjectType } from '@nestjs/graphql';
import { connectionType } from '@cartograph/platform/graphql';

@ObjectType({ description: 'A dbt project, as its artifacts name it.' })
export class DbtProject {
  @Field(() => ID)
  id: string;

  @Field()
  name: string;

  @Field(() => String, { nullable: true })
  adapterType: string | null;

  @Field({ description: 'The warehouse instance in its dataset ids.' })
  instance: string;

  @Field(() => String, { nullable: true })
  dbtVersion: string | null;

  @Field(() => Date, { nullable: true })
  manifestGeneratedAt: Date | null;

  @Field(() => String, { nullable: true })
  lastArtifactSetId: string | null;

  @Field()
  updatedAt: Date;
}

export const DbtProjectConnection = connectionType(DbtProject, 'DbtProject');
