import { Field, ID, InputType, Int, ObjectType } from '@nestjs/graphql';
import { JSONScalar, connectionType } from '@cartograph/platform/graphql';
import type { RowSource } from './query-result.store.js';

@InputType('MetricGroupByInput')
export class MetricGroupByInput {
  @Field({ description: 'A dimension or entity: metric_time, customer__region, customer.' })
  name: string;

  @Field(() => String, { nullable: true, description: 'Time grain: day, week, month, quarter, year, …' })
  grain?: string | null;

  @Field(() => String, { nullable: true, description: 'year, quarter, month, day, dow or doy.' })
  datePart?: string | null;
}

@InputType('MetricOrderByInput')
export class MetricOrderByInput {
  @Field({ description: 'A queried metric or group-by item.' })
  name: string;

  @Field(() => String, { nullable: true })
  grain?: string | null;

  @Field(() => Boolean, { nullable: true, defaultValue: false })
  descending?: boolean | null;
}

@InputType('MetricQueryInput')
export class MetricQueryInput {
  @Field(() => [String], { nullable: true })
  metrics?: string[] | null;

  @Field(() => [MetricGroupByInput], { nullable: true })
  groupBy?: MetricGroupByInput[] | null;

  @Field(() => [String], {
    nullable: true,
    description:
      "Filters with {{ Dimension('…') }} templates, ANDed: \"{{ Dimension('customer__region') }} = 'EU'\".",
  })
  where?: string[] | null;

  @Field(() => [MetricOrderByInput], { nullable: true })
  orderBy?: MetricOrderByInput[] | null;

  @Field(() => Int, { nullable: true })
  limit?: number | null;

  @Field(() => String, {
    nullable: true,
    description: 'A saved query name; then metrics and groupBy stay empty.',
  })
  savedQuery?: string | null;
}

@ObjectType('MetricQueryColumn')
export class MetricQueryColumn {
  @Field({ description: 'Lower case: metric names and group-bys with their grain (metric_time__month).' })
  name: string;

  @Field({ description: 'string, integer, number, decimal (as a string), boolean, date, timestamp, …' })
  type: string;
}

@ObjectType('MetricQueryRow')
export class MetricQueryRow {
  @Field(() => Int, { description: '0-based position in the result.' })
  index: number;

  @Field(() => JSONScalar, { description: 'The row as an object by column name.' })
  values: unknown;
}

export const MetricQueryRowConnection = connectionType(MetricQueryRow, 'MetricQueryRow');

@ObjectType('MetricQueryResult')
export class MetricQueryResult {
  @Field(() => String, { nullable: true, description: 'The Semantic Layer query id.' })
  queryId: string | null;

  @Field({ description: 'SUCCESSFUL, or COMPILED when only the SQL was asked for (compile=True).' })
  status: string;

  @Field(() => [MetricQueryColumn])
  columns: MetricQueryColumn[];

  @Field(() => Int)
  totalCount: number;

  @Field(() => String, { nullable: true, description: 'The warehouse SQL the Semantic Layer generated.' })
  sql: string | null;

  @Field({ description: 'Served from the result cache (SEMANTIC_LAYER_RESULT_TTL_SECONDS).' })
  cached: boolean;

  /** The decoded rows, in memory or in the result store; served through `rows(first, after)`. */
  rowSource: RowSource;
}

@ObjectType('SemanticLayerRolePolicy', {
  description: 'What one role may query; a role without a policy may use every metric and dimension.',
})
export class SemanticLayerRolePolicy {
  @Field()
  role: string;

  @Field(() => [String], { nullable: true, description: 'Metric names or globs; null allows all.' })
  allowedMetrics: string[] | null;

  @Field(() => [String], {
    nullable: true,
    description: 'Dimension and entity names or globs; null allows all.',
  })
  allowedDimensions: string[] | null;

  @Field(() => [String], { nullable: true, description: 'Saved query names or globs; null allows all.' })
  allowedSavedQueries: string[] | null;

  @Field(() => [String], { description: 'Where filters ANDed to every query of the role.' })
  rowFilters: string[];

  @Field(() => Date, { nullable: true })
  updatedAt: Date | null;
}

@InputType('SemanticLayerRolePolicyInput')
export class SemanticLayerRolePolicyInput {
  @Field(() => [String], { nullable: true })
  allowedMetrics?: string[] | null;

  @Field(() => [String], { nullable: true })
  allowedDimensions?: string[] | null;

  @Field(() => [String], { nullable: true })
  allowedSavedQueries?: string[] | null;

  @Field(() => [String], { nullable: true })
  rowFilters?: string[] | null;
}

@ObjectType('SemanticLayerQueryAudit', { description: 'One metric query or compilation asked of the proxy.' })
export class SemanticLayerQueryAudit {
  @Field(() => ID)
  id: string;

  @Field()
  connectionId: string;

  @Field()
  subject: string;

  @Field(() => String, { nullable: true })
  actorName: string | null;

  @Field()
  role: string;

  @Field({ description: 'query or compile.' })
  kind: string;

  @Field(() => JSONScalar)
  request: unknown;

  @Field({ description: 'succeeded, cached, failed, forbidden, invalid or timed_out.' })
  status: string;

  @Field(() => String, { nullable: true })
  upstreamQueryId: string | null;

  @Field(() => Int, { nullable: true })
  rowCount: number | null;

  @Field(() => Int)
  durationMs: number;

  @Field(() => String, { nullable: true })
  errorCode: string | null;

  @Field(() => String, { nullable: true })
  errorMessage: string | null;

  @Field()
  createdAt: Date;
}

export const SemanticLayerQueryAuditConnection = connectionType(
  SemanticLayerQueryAudit,
  'SemanticLayerQueryAudit',
);
