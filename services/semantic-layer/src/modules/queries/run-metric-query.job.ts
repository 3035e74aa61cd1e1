import { Injectable } from '@nestjs/common';
import { RunMetricQuery, type JobInput } from '@cartograph/contracts';
import type { JobHandler, JobOutcome } from '@cartograph/platform/queue';
import { MetricQueryJobsService } from './metric-query-jobs.service.js';

@Injectable()
export class RunMetricQueryJob implements JobHandler<typeof RunMetricQuery> {
  readonly contract = RunMetricQuery;

  constructor(private readonly jobs: MetricQueryJobsService) {}

  handle(input: JobInput<typeof RunMetricQuery>): Promise<JobOutcome> {
    return this.jobs.execute(input.jobId);
  }
}
