import { type DynamicModule, Module } from '@nestjs/common';
import { PlatformModule, jobWorkerHost, outboxRelayHost } from '@cartograph/platform/nest';
import { warehouseJobs } from '@cartograph/contracts';
import { serviceDefinition, type WarehouseConfig } from './warehouse.definition.js';
import { warehouseProviders } from './app.module.js';
import { CrawlService } from './modules/crawl/crawl.service.js';
import { HistoryRepository } from './modules/history/history.repository.js';
import { HistoryService } from './modules/history/history.service.js';
import { ObservedEdgesConsumer } from './modules/lineage/observed-edges.consumer.js';
import { SyncConnectionJob } from './modules/sync/sync-connection.job.js';
import { WarehouseSchedulesSweep } from './modules/sync/warehouse-schedules.sweep.js';
import { WarehouseSyncService } from './modules/sync/warehouse-sync.service.js';

/** The warehouse worker: connection syncs, the dbt lineage consumer and the outbox relay. */
@Module({})
export class WarehouseWorkerModule {
  static forRoot(config: WarehouseConfig): DynamicModule {
    return {
      module: WarehouseWorkerModule,
      imports: [PlatformModule.forService(serviceDefinition, config)],
      providers: [
        ...warehouseProviders,
        CrawlService,
        HistoryRepository,
        HistoryService,
        WarehouseSyncService,
        SyncConnectionJob,
        WarehouseSchedulesSweep,
        ObservedEdgesConsumer,
        jobWorkerHost(warehouseJobs, [SyncConnectionJob], {
          concurrency: () => config.WAREHOUSE_WORKER_CONCURRENCY,
        }),
        outboxRelayHost(),
      ],
    };
  }
}
