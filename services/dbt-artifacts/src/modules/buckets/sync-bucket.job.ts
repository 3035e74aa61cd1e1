import { Injectable } from '@nestjs/common';
import { SyncBucket, type JobInput } from '@cartograph/contracts';
import type { JobHandler, JobOutcome } from '@cartograph/platform/queue';

/** Placeholder replaced by the bucket sync service below. */
@Injectable()
export class SyncBucketJob implements JobHandler<typeof SyncBucket> {
  readonly contract = SyncBucket;

  handle(_input: JobInput<typeof SyncBucket>): Promise<JobOutcome> {
    return Promise.resolve('skipped');
  }
}
