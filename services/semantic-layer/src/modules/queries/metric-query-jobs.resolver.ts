import { Args, Context, ID, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import type { Identity } from '@cartograph/platform/auth';
import { RequireRole } from '@cartograph/platform/graphql';
import type { MetricQueryJobEntity } from './metric-query-job.entity.js';
import { MetricQueryJob } from './metric-query-job.model.js';
import { MetricQueryInput, MetricQueryResult } from './metric-query.model.js';
import { MetricQueryJobsService } from './metric-query-jobs.service.js';

@Resolver(() => MetricQueryJob)
@RequireRole('viewer')
export class MetricQueryJobsResolver {
  constructor(private readonly jobs: MetricQueryJobsService) {}

  @Mutation(() => MetricQueryJob, {
    description:
      'Runs a metric query in the background (same rules as runMetricQuery) and answers at once with a job to poll or subscribe to.',
  })
  submitMetricQuery(
    @Args('connectionId', { type: () => ID }) connectionId: string,
    @Args('input', { type: () => MetricQueryInput, nullable: true }) input: MetricQueryInput | null,
    @Args('text', { type: () => String, nullable: true }) text: string | null,
    @Context() context: { identity?: Identity },
  ): Promise<MetricQueryJobEntity> {
    return this.jobs.submit(connectionId, input ?? null, text ?? null, context.identity);
  }

  @Query(() => MetricQueryJob, {
    description: 'A background metric query of the caller (admins see every one).',
  })
  metricQueryJob(
    @Args('id', { type: () => ID }) id: string,
    @Context() context: { identity?: Identity },
  ): Promise<MetricQueryJobEntity> {
    return this.jobs.get(id, context.identity);
  }

  @ResolveField(() => MetricQueryResult, {
    nullable: true,
    description:
      'The rows, once SUCCEEDED; kept SEMANTIC_LAYER_JOB_RESULT_TTL_SECONDS after the job finished.',
  })
  result(@Parent() job: MetricQueryJobEntity): Promise<MetricQueryResult | null> {
    return this.jobs.result(job);
  }
}
