import { Directive, Field, Float, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { connectionType } from '@cartograph/platform/graphql';

export enum LineageDirection {
  UPSTREAM = 'upstream',
  DOWNSTREAM = 'downstream',
  BOTH = 'both',
}

registerEnumType(LineageDirection, { name: 'LineageDirection' });

@ObjectType('Dataset')
@Directive('@key(fields: "id")')
export class DatasetReference {
  @Field(() => ID)
  id: string;
}

@ObjectType('HexProject', {
  description:
    'A Hex project, referenced by the id its query comments carry; the hex subgraph resolves the rest.',
})
@Directive('@key(fields: "id")')
export class HexProjectReference {
  @Field(() => ID)
  id: string;
}

@ObjectType('WarehouseColumn', { description: 'A column as the warehouse describes it.' })
export class WarehouseColumn {
  @Field()
  name: string;

  @Field({ description: "The warehouse's own type, e.g. NUMBER(38,0) or character varying(255)." })
  type: string;

  @Field(() => Int)
  position: number;

  @Field(() => Boolean, { nullable: true })
  nullable: boolean | null;

  @Field(() => String, { nullable: true, description: "The column comment (dbt's persist_docs lands here)." })
  comment: string | null;
}

@ObjectType('WarehouseTable', { description: 'What the last crawl saw of a table or view.' })
export class WarehouseTable {
  @Field()
  connectionId: string;

  @Field({ description: 'table, view, materialized_view, external, temporary or other.' })
  kind: string;

  @Field(() => String, { nullable: true })
  comment: string | null;

  @Field(() => Float, { nullable: true, description: 'As the warehouse reports it (an estimate on some).' })
  rowCount: number | null;

  @Field(() => Float, { nullable: true })
  bytes: number | null;

  @Field(() => String, { nullable: true })
  viewDefinition: string | null;

  @Field(() => Date, { nullable: true })
  createdAt: Date | null;

  @Field(() => Date, { nullable: true })
  alteredAt: Date | null;

  @Field()
  crawledAt: Date;
}

@ObjectType('LineageNeighbor', { description: 'A dataset within reach, and how many hops away.' })
export class LineageNeighbor {
  @Field(() => DatasetReference)
  dataset: DatasetReference;

  @Field(() => Int)
  distance: number;
}

@ObjectType('LineageEdge', {
  description: 'One table-to-table edge, merged over every source that knows it.',
})
export class LineageEdge {
  @Field(() => ID)
  upstream: string;

  @Field(() => ID)
  downstream: string;

  @Field(() => [String], { description: 'Evidence: query (query history), view (a view definition), dbt.' })
  origins: string[];

  @Field(() => Float, { description: 'Executions of the statements that showed it.' })
  executions: number;

  @Field()
  firstSeenAt: Date;

  @Field()
  lastSeenAt: Date;
}

@ObjectType('LineageGraph', { description: 'Nodes and edges around a dataset, for drawing.' })
export class LineageGraph {
  @Field(() => [LineageNeighbor], { description: 'The dataset itself first (distance 0).' })
  nodes: LineageNeighbor[];

  @Field(() => [LineageEdge])
  edges: LineageEdge[];

  @Field({ description: 'More datasets were within reach than `first`.' })
  truncated: boolean;
}

@ObjectType('ColumnReference')
export class ColumnReference {
  @Field(() => DatasetReference)
  dataset: DatasetReference;

  @Field()
  column: string;

  @Field(() => Int, { nullable: true })
  distance: number | null;
}

@ObjectType('ImpactAnalysis', { description: 'Everything downstream of a table or of one of its columns.' })
export class ImpactAnalysis {
  @Field(() => [LineageNeighbor])
  datasets: LineageNeighbor[];

  @Field(() => [ColumnReference], { description: 'Columns computed from it, where column lineage is known.' })
  columns: ColumnReference[];

  @Field()
  truncated: boolean;
}

@ObjectType('QueryAttribution', { description: 'A BI tool or dbt naming itself in a query comment.' })
export class QueryAttribution {
  @Field({ description: 'hex, dbt, looker, …' })
  tool: string;

  @Field(() => String, { nullable: true, description: 'Hex project id, dbt node id, …' })
  projectId: string | null;

  @Field(() => String, { nullable: true })
  projectName: string | null;

  @Field(() => String, { nullable: true, description: 'Hex: SCHEDULED_RUN, APP_VIEW, …' })
  context: string | null;
}

@ObjectType('WarehouseQuery', {
  description: 'A query shape: the executions of one text up to its literals, with one attribution.',
})
export class WarehouseQuery {
  @Field(() => ID)
  id: string;

  @Field()
  connectionId: string;

  @Field({ description: 'The first text seen (cut at WAREHOUSE_QUERY_TEXT_MAX_BYTES).' })
  sql: string;

  @Field()
  sqlTruncated: boolean;

  @Field({ description: 'select, insert, create_table_as_select, merge, update, delete, …' })
  statementType: string;

  @Field({ description: 'How the dataset appears in it: SOURCE or TARGET.' })
  role: string;

  @Field(() => [String])
  sources: string[];

  @Field(() => [String])
  targets: string[];

  @Field(() => Float)
  executions: number;

  @Field(() => [String])
  users: string[];

  @Field()
  firstSeenAt: Date;

  @Field()
  lastSeenAt: Date;

  @Field(() => Float, { nullable: true })
  averageDurationMs: number | null;

  @Field(() => QueryAttribution, { nullable: true })
  attribution: QueryAttribution | null;

  @Field({ description: 'engine (the warehouse said which tables), parser, or none.' })
  lineageOrigin: string;

  @Field(() => String, { nullable: true, description: 'Why the text could not be read, if it could not.' })
  error: string | null;
}

export const WarehouseQueryConnection = connectionType(WarehouseQuery, 'WarehouseQuery');

@ObjectType('UserUsage')
export class UserUsage {
  @Field()
  user: string;

  @Field(() => Float)
  executions: number;
}

@ObjectType('DailyUsage')
export class DailyUsage {
  @Field({ description: 'UTC day, YYYY-MM-DD.' })
  day: string;

  @Field(() => Float)
  reads: number;

  @Field(() => Float)
  writes: number;
}

@ObjectType('DatasetUsage', {
  description: 'Executions reading and writing a dataset in the last `days` days.',
})
export class DatasetUsage {
  @Field(() => Int)
  days: number;

  @Field(() => Float)
  reads: number;

  @Field(() => Float)
  writes: number;

  @Field(() => Int)
  distinctUsers: number;

  @Field(() => [UserUsage], { description: 'The 10 users with the most executions.' })
  topUsers: UserUsage[];

  @Field(() => [DailyUsage])
  daily: DailyUsage[];
}

@ObjectType('DatasetConsumer', {
  description: 'A BI project whose queries read the dataset, known from the comments its queries carry.',
})
export class DatasetConsumer {
  @Field({ description: 'hex, looker, …' })
  tool: string;

  @Field(() => String, { nullable: true })
  projectId: string | null;

  @Field(() => String, { nullable: true })
  projectName: string | null;

  @Field(() => Float)
  executions: number;

  @Field(() => Int)
  queries: number;

  @Field()
  lastSeenAt: Date;

  @Field(() => [String], { description: 'People who ran them (Hex user_email), at most 20.' })
  users: string[];

  @Field(() => HexProjectReference, { nullable: true, description: 'Set for Hex projects.' })
  hexProject: HexProjectReference | null;
}
