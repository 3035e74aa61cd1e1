import { Injectable } from '@nestjs/common';
import { SyncWarehouseConnection, type JobInput } from '@cartograph/contracts';
import type { JobContext, JobHandler, JobOutcome } from '@cartograph/platform/queue';
import { WarehouseSyncService } from './warehouse-sync.service.js';

@Injectable()
export class SyncConnectionJob implements JobHandler<typeof SyncWarehouseConnection> {
  readonly contract = SyncWarehouseConnection;

  constructor(private readonly sync: WarehouseSyncService) {}

  handle(input: JobInput<typeof SyncWarehouseConnection>, context: JobContext): Promise<JobOutcome> {
    return this.sync.sync(input.connectionId, input.syncRunId, context.attempt);
  }
}
