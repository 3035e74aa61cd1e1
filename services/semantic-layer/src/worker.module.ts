import { type DynamicModule, Module } from '@nestjs/common';
import { semanticLayerJobs } from '@cartograph/contracts';
import { PlatformModule, jobWorkerHost, outboxRelayHost } from '@cartograph/platform/nest';
import { serviceDefinition, type SemanticLayerConfig } from './semantic-layer.definition.js';
import { semanticLayerProviders } from './app.module.js';
import { SemanticEventsConsumer } from './modules/manifests/semantic-events.consumer.js';
import { RunMetricQueryJob } from './modules/queries/run-metric-query.job.js';

/**
 * The semantic-layer worker: background metric queries (BullMQ), the events that keep metadata current
 * (artifact ingests, dbt Cloud runs), and the outbox relay.
 */
@Module({})
export class SemanticLayerWorkerModule {
  static forRoot(config: SemanticLayerConfig): DynamicModule {
    return {
      module: SemanticLayerWorkerModule,
      imports: [PlatformModule.forService(serviceDefinition, config)],
      providers: [
        ...semanticLayerProviders,
        SemanticEventsConsumer,
        RunMetricQueryJob,
        jobWorkerHost(semanticLayerJobs, [RunMetricQueryJob], {
          concurrency: () => config.SEMANTIC_LAYER_WORKER_CONCURRENCY,
        }),
        outboxRelayHost(),
      ],
    };
  }
}
