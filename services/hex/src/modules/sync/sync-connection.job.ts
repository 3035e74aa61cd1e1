import { Injectable } from '@nestjs/common';
import { SyncHexConnection, type JobInput } from '@cartograph/contracts';
import type { JobContext, JobHandler, JobOutcome } from '@cartograph/platform/queue';
import { HexSyncService } from './hex-sync.service.js';

@Injectable()
export class SyncConnectionJob implements JobHandler<typeof SyncHexConnection> {
  readonly contract = SyncHexConnection;

  constructor(private readonly sync: HexSyncService) {}

  handle(input: JobInput<typeof SyncHexConnection>, context: JobContext): Promise<JobOutcome> {
    return this.sync.sync(input.connectionId, input.syncRunId, context.attempt, input.full ?? false);
  }
}
