import { type DynamicModule, Module } from '@nestjs/common';
import { PlatformModule, jobWorkerHost, outboxRelayHost } from '@cartograph/platform/nest';
import { hexJobs } from '@cartograph/contracts';
import { serviceDefinition, type HexConfig } from './hex.definition.js';
import { hexProviders } from './app.module.js';
import { HexSchedulesSweep } from './modules/sync/hex-schedules.sweep.js';
import { HexSyncService } from './modules/sync/hex-sync.service.js';
import { SyncConnectionJob } from './modules/sync/sync-connection.job.js';

/** The hex worker: connection syncs and the outbox relay. */
@Module({})
export class HexWorkerModule {
  static forRoot(config: HexConfig): DynamicModule {
    return {
      module: HexWorkerModule,
      imports: [PlatformModule.forService(serviceDefinition, config)],
      providers: [
        ...hexProviders,
        HexSyncService,
        SyncConnectionJob,
        HexSchedulesSweep,
        jobWorkerHost(hexJobs, [SyncConnectionJob], {
          concurrency: () => config.HEX_WORKER_CONCURRENCY,
        }),
        outboxRelayHost(),
      ],
    };
  }
}
