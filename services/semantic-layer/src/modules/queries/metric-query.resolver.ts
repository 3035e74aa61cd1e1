import { Args, Context, ID, Int, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import type { Identity } from '@cartograph/platform/auth';
import { RequireRole } from '@cartograph/platform/graphql';
import {
  MetricQueryInput,
  MetricQueryResult,
  MetricQueryRowConnection,
  SemanticLayerQueryAuditConnection,
  SemanticLayerRolePolicy,
  SemanticLayerRolePolicyInput,
} from './metric-query.model.js';
import { MetricQueryService } from './metric-query.service.js';
import { RolePoliciesService } from './role-policies.service.js';

const TEXT_DESCRIPTION =
  'Instead of input: a pasted {{ semantic_layer.query(metrics=[...], group_by=[...], where=[...]) }}; compile=True returns the SQL only.';

@Resolver(() => MetricQueryResult)
export class MetricQueryResolver {
  constructor(
    private readonly queries: MetricQueryService,
    private readonly policies: RolePoliciesService,
  ) {}

  @Mutation(() => MetricQueryResult, {
    description:
      "Runs a metric query through the Semantic Layer under the caller's role policy; identical queries of the same role are served from the result cache.",
  })
  @RequireRole('viewer')
  runMetricQuery(
    @Args('connectionId', { type: () => ID }) connectionId: string,
    @Args('input', { type: () => MetricQueryInput, nullable: true }) input: MetricQueryInput | null,
    @Args('text', { type: () => String, nullable: true, description: TEXT_DESCRIPTION }) text: string | null,
    @Context() context: { identity?: Identity },
  ): Promise<MetricQueryResult> {
    return this.queries.run(connectionId, input ?? null, text ?? null, context.identity);
  }

  @Mutation(() => String, {
    description: 'The warehouse SQL the Semantic Layer generates for the query; nothing runs.',
  })
  @RequireRole('viewer')
  compileMetricSql(
    @Args('connectionId', { type: () => ID }) connectionId: string,
    @Args('input', { type: () => MetricQueryInput, nullable: true }) input: MetricQueryInput | null,
    @Args('text', { type: () => String, nullable: true, description: TEXT_DESCRIPTION }) text: string | null,
    @Context() context: { identity?: Identity },
  ): Promise<string> {
    return this.queries.compile(connectionId, input ?? null, text ?? null, context.identity);
  }

  @ResolveField(() => MetricQueryRowConnection)
  rows(
    @Parent() result: MetricQueryResult,
    @Args('first', { type: () => Int, nullable: true, defaultValue: 100 }) first: number,
    @Args('after', { type: () => String, nullable: true }) after: string | null,
  ) {
    return this.queries.rows(result, first, after);
  }

  @Query(() => [SemanticLayerRolePolicy])
  @RequireRole('admin')
  semanticLayerRolePolicies(): Promise<SemanticLayerRolePolicy[]> {
    return this.policies.list();
  }

  @Mutation(() => SemanticLayerRolePolicy, { description: "Replaces the role's policy." })
  @RequireRole('admin')
  setSemanticLayerRolePolicy(
    @Args('role') role: string,
    @Args('policy', { type: () => SemanticLayerRolePolicyInput }) policy: SemanticLayerRolePolicyInput,
    @Context() context: { identity?: Identity },
  ): Promise<SemanticLayerRolePolicy> {
    return this.policies.set(role, policy, context.identity?.name ?? context.identity?.subject ?? null);
  }

  @Query(() => SemanticLayerQueryAuditConnection, { description: 'Every metric query asked, newest first.' })
  @RequireRole('admin')
  semanticLayerQueryAudit(
    @Args('first', { type: () => Int, nullable: true, defaultValue: 50 }) first: number,
    @Args('after', { type: () => String, nullable: true }) after: string | null,
  ) {
    return this.queries.auditPage(first, after);
  }
}
