import { Directive, Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { JSONScalar, connectionType } from '@cartograph/platform/graphql';

@ObjectType({ description: 'One dbt invocation outcome of a node: a model built, a test passed or failed.' })
export class DbtRunOutcome {
  @Field({ description: 'Lower-case and open: success, error, skipped, pass, fail, warn, no-op, reused, …' })
  status: string;

  @Field(() => Date, { nullable: true })
  startedAt: Date | null;

  @Field(() => Date, { nullable: true })
  completedAt: Date | null;

  @Field(() => Float, { nullable: true, description: 'Seconds dbt reports for the node.' })
  durationSeconds: number | null;

  @Field(() => Float, {
    nullable: true,
    description: 'Rows the adapter says were affected (null when it does not say).',
  })
  rowsAffected: number | null;

  @Field(() => String, { nullable: true })
  message: string | null;

  @Field(() => Float, { nullable: true, description: 'Failing rows of a test.' })
  failures: number | null;

  @Field(() => ID)
  runId: string;

  @Field(() => String, {
    nullable: true,
    description: 'The dbt command of the run: build, run, test, seed, snapshot.',
  })
  command: string | null;

  @Field(() => Date)
  generatedAt: Date;

  @Field(() => String, { nullable: true })
  dbtCloudRunId: string | null;
}

export const DbtRunOutcomeConnection = connectionType(DbtRunOutcome, 'DbtRunOutcome');

@ObjectType({ description: 'A dbt source freshness check.' })
export class DbtFreshness {
  @Field({ description: 'pass, warn, error or runtime error.' })
  status: string;

  @Field(() => Date, { nullable: true, description: 'Null when the table was empty.' })
  maxLoadedAt: Date | null;

  @Field(() => Date, { nullable: true })
  snapshottedAt: Date | null;

  @Field(() => Float, { nullable: true })
  ageSeconds: number | null;

  @Field(() => JSONScalar, {
    nullable: true,
    description: 'warn_after / error_after in force when it was checked.',
  })
  criteria: unknown;

  @Field(() => String, { nullable: true })
  error: string | null;
}

@ObjectType({ description: 'A column: what the YAML documents and what the warehouse catalog says.' })
export class DbtColumn {
  @Field()
  name: string;

  @Field(() => String, { nullable: true })
  description: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'The warehouse type from catalog.json, else the YAML data_type.',
  })
  dataType: string | null;

  @Field(() => String, { nullable: true, description: 'The warehouse comment.' })
  comment: string | null;

  @Field(() => Int, { nullable: true })
  index: number | null;

  @Field(() => [String])
  tags: string[];

  @Field(() => JSONScalar)
  meta: unknown;

  @Field({ description: 'Whether the YAML documents it (false: only the warehouse has it).' })
  documented: boolean;

  @Field(() => [DbtNode], { description: 'Tests on this column, each with its last outcome.' })
  tests: DbtNode[];
}

export enum LineageDirection {
  UPSTREAM = 'upstream',
  DOWNSTREAM = 'downstream',
}
registerEnumType(LineageDirection, { name: 'DbtLineageDirection' });

@ObjectType()
export class DbtLineageEdge {
  @Field()
  parent: string;

  @Field()
  child: string;

  @Field(() => Int, { description: 'Hops from the node asked about.' })
  depth: number;
}

@ObjectType({
  description:
    'One dbt resource of any type: model, seed, snapshot, source, test, unit test, exposure, metric, …',
})
export class DbtNode {
  @Field(() => ID)
  uniqueId: string;

  projectId: string;

  @Field()
  resourceType: string;

  @Field()
  name: string;

  @Field(() => String, { nullable: true })
  packageName: string | null;

  @Field(() => String, { nullable: true })
  description: string | null;

  @Field(() => String, { nullable: true })
  database: string | null;

  @Field(() => String, { nullable: true })
  schema: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'The table name: alias for models, identifier for sources.',
  })
  identifier: string | null;

  @Field(() => String, { nullable: true })
  materialized: string | null;

  @Field(() => String, { nullable: true, description: 'DESIGN §3 id of the table it builds or reads.' })
  datasetId: string | null;

  @Field(() => String, { nullable: true })
  rawSql: string | null;

  @Field(() => String, { nullable: true })
  compiledSql: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'meta.owner, else the group owner, else the warehouse owner.',
  })
  owner: string | null;

  @Field(() => [String])
  tags: string[];

  @Field(() => JSONScalar)
  meta: unknown;

  @Field(() => JSONScalar, {
    description: 'Everything else dbt says of it: config, access, version, freshness rules, …',
  })
  details: unknown;

  @Field(() => JSONScalar, { nullable: true, description: 'catalog.json: type, owner, stats (rows, bytes).' })
  catalog: unknown;

  @Field({ description: 'A public model of another project carried in by dbt Mesh.' })
  isExternal: boolean;

  @Field(() => String, {
    nullable: true,
    description: 'Tests: the column tested (null for model-level tests).',
  })
  columnName: string | null;

  @Field(() => String, { nullable: true, description: 'Tests: the unique id of the node tested.' })
  testedUniqueId: string | null;

  @Field(() => [String])
  dependsOn: string[];

  /** For resolvers. */
  documentedColumns: unknown[];
}

export const DbtNodeConnection = connectionType(DbtNode, 'DbtNode');

@ObjectType()
export class DbtLineage {
  @Field(() => [DbtNode])
  nodes: DbtNode[];

  @Field(() => [DbtLineageEdge])
  edges: DbtLineageEdge[];
}

@InputType()
export class DbtNodeFilter {
  @Field(() => String, { nullable: true, description: 'Project name.' })
  project?: string | null;

  @Field(() => [String], {
    nullable: true,
    description: 'Resource types: model, seed, snapshot, source, test, …',
  })
  types?: string[] | null;

  @Field(() => String, { nullable: true })
  packageName?: string | null;

  @Field(() => String, { nullable: true })
  tag?: string | null;

  @Field(() => String, { nullable: true, description: 'Part of the name, unique id or description.' })
  search?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Latest run status: success, error, pass, fail, warn, skipped, …',
  })
  status?: string | null;
}

@ObjectType('Dataset')
@Directive('@key(fields: "id")')
export class DatasetReference {
  @Field(() => ID)
  id: string;
}
