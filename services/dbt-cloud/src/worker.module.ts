import { type DynamicModule, Module } from '@nestjs/common';
import { PlatformModule, jobWorkerHost, outboxRelayHost } from '@cartograph/platform/nest';
import { dbtCloudJobs } from '@cartograph/contracts';
import { serviceDefinition, type DbtCloudConfig } from './dbt-cloud.definition.js';
import { dbtCloudProviders } from './app.module.js';
import { CloudSchedulesSweep } from './modules/sync/cloud-schedules.sweep.js';
import { CloudSyncService } from './modules/sync/cloud-sync.service.js';
import { SyncConnectionJob } from './modules/sync/sync-connection.job.js';

/** The dbt-cloud worker: connection syncs and the outbox relay. */
@Module({})
export class DbtCloudWorkerModule {
  static forRoot(config: DbtCloudConfig): DynamicModule {
    return {
      module: DbtCloudWorkerModule,
      imports: [PlatformModule.forService(serviceDefinition, config)],
      providers: [
        ...dbtCloudProviders,
        CloudSyncService,
        SyncConnectionJob,
        CloudSchedulesSweep,
        jobWorkerHost(dbtCloudJobs, [SyncConnectionJob], {
          concurrency: () => config.DBT_CLOUD_WORKER_CONCURRENCY,
        }),
        outboxRelayHost(),
      ],
    };
  }
}
