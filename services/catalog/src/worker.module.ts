import { type DynamicModule, Module } from '@nestjs/common';
import { PlatformModule, jobWorkerHost, outboxRelayHost } from '@cartograph/platform/nest';
import { catalogJobs } from '@cartograph/contracts';
import { serviceDefinition, type CatalogConfig } from './catalog.definition.js';
import { catalogProviders } from './app.module.js';
import { DatasetRegistryService } from './modules/datasets/dataset-registry.service.js';
import { CatalogEventConsumer } from './modules/events/catalog-event.consumer.js';
import { HexProjectIndexService } from './modules/search/hex-project-index.service.js';
import { PruneEventLogJob } from './modules/events/prune-event-log.job.js';
import { EventLogSchedule } from './modules/events/event-log.schedule.js';
import { DeliverWebhookJob } from './modules/webhooks/deliver-webhook.job.js';

/** The catalog worker: event stream consumer, webhook delivery jobs, outbox relay. */
@Module({})
export class CatalogWorkerModule {
  static forRoot(config: CatalogConfig): DynamicModule {
    return {
      module: CatalogWorkerModule,
      imports: [PlatformModule.forService(serviceDefinition, config)],
      providers: [
        ...catalogProviders,
        DatasetRegistryService,
        HexProjectIndexService,
        CatalogEventConsumer,
        DeliverWebhookJob,
        PruneEventLogJob,
        EventLogSchedule,
        jobWorkerHost(catalogJobs, [DeliverWebhookJob, PruneEventLogJob], {
          concurrency: () => config.WORKER_CONCURRENCY,
        }),
        outboxRelayHost(),
      ],
    };
  }
}
