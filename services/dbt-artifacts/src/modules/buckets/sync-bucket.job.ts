import { Injectable } from '@nestjs/common';
import { SyncBucket, type JobInput } from '@cartograph/contracts';
import type { JobContext, JobHandler, JobOutcome } from '@cartograph/platform/queue';
import { BucketSyncService } from './bucket-sync.service.js';

/** On-demand syncs carry their sync_run id; scheduled ones (from the connection's job scheduler) do not. */
@Injectable()
export class SyncBucketJob implements JobHandler<typeof SyncBucket> {
  readonly contract = SyncBucket;

  constructor(private readonly sync: BucketSyncService) {}

  handle(input: JobInput<typeof SyncBucket>, context: JobContext): Promise<JobOutcome> {
    return this.sync.sync(input, context);
  }
}
