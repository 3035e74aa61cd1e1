import { Field, Float, ID, InputType, Int, ObjectType } from '@nestjs/graphql';
import { JSONScalar, connectionType } from '@cartograph/platform/graphql';

@ObjectType()
export class DbtArtifactFile {
  @Field()
  kind: string;

  @Field()
  fileName: string;

  @Field()
  sha256: string;

  @Field(() => Float)
  size: number;
}

@ObjectType({ description: 'Why a set or sync failed: what was wrong and where.' })
export class DbtIngestError {
  @Field()
  code: string;

  @Field()
  message: string;

  @Field(() => String, { nullable: true })
  fileName: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'JSON path within the file, e.g. nodes["model.shop.orders"].',
  })
  path: string | null;
}

@ObjectType({ description: "One dbt invocation's artifacts, ingested together." })
export class DbtArtifactSet {
  @Field(() => ID)
  id: string;

  @Field({ description: 'queued, processing, succeeded or failed.' })
  state: string;

  @Field({ description: 'upload, graphql, bucket or dbt-cloud.' })
  origin: string;

  @Field(() => String, { nullable: true })
  projectId: string | null;

  @Field(() => [DbtArtifactFile])
  files: DbtArtifactFile[];

  @Field(() => String, { nullable: true })
  invocationId: string | null;

  @Field(() => String, { nullable: true })
  dbtVersion: string | null;

  @Field(() => Date, { nullable: true })
  generatedAt: Date | null;

  @Field(() => JSONScalar, { nullable: true, description: 'dbt Cloud ids from metadata.env.' })
  dbtCloud: unknown;

  @Field(() => [String])
  warnings: string[];

  @Field(() => DbtIngestError, { nullable: true })
  error: DbtIngestError | null;

  @Field(() => JSONScalar, { description: 'Resources read per type, results, changes.' })
  counts: unknown;

  @Field(() => Int, { description: 'Rows written when applied (0 when nothing changed).' })
  rowWrites: number;

  @Field(() => Int)
  attempts: number;

  @Field()
  createdAt: Date;

  @Field(() => Date, { nullable: true })
  startedAt: Date | null;

  @Field(() => Date, { nullable: true })
  finishedAt: Date | null;

  @Field(() => Int, { nullable: true })
  durationMs: number | null;
}

export const DbtArtifactSetConnection = connectionType(DbtArtifactSet, 'DbtArtifactSet');

@ObjectType()
export class DbtArtifactUpload {
  @Field(() => DbtArtifactSet)
  artifactSet: DbtArtifactSet;

  @Field({ description: 'The same files were received before: nothing was written or queued.' })
  unchanged: boolean;
}

@InputType({ description: 'A small artifact set sent inline: each file as its JSON text.' })
export class DbtArtifactsInput {
  @Field(() => String, { nullable: true })
  project?: string | null;

  @Field(() => String, { nullable: true })
  instance?: string | null;

  @Field(() => String, { nullable: true })
  manifest?: string | null;

  @Field(() => String, { nullable: true })
  catalog?: string | null;

  @Field(() => String, { nullable: true })
  runResults?: string | null;

  @Field(() => String, { nullable: true })
  sources?: string | null;

  @Field(() => String, { nullable: true })
  semanticManifest?: string | null;
}
