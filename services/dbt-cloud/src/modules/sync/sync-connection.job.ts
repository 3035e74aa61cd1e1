import { Injectable } from '@nestjs/common';
import { SyncDbtCloudConnection, type JobInput } from '@cartograph/contracts';
import type { JobContext, JobHandler, JobOutcome } from '@cartograph/platform/queue';
import { CloudSyncService } from './cloud-sync.service.js';

@Injectable()
export class SyncConnectionJob implements JobHandler<typeof SyncDbtCloudConnection> {
  readonly contract = SyncDbtCloudConnection;

  constructor(private readonly sync: CloudSyncService) {}

  handle(input: JobInput<typeof SyncDbtCloudConnection>, context: JobContext): Promise<JobOutcome> {
    return this.sync.sync(input.connectionId, input.syncRunId, context.attempt);
  }
}
