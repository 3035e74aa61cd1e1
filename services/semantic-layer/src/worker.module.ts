import { type DynamicModule, Module } from '@nestjs/common';
import { PlatformModule, outboxRelayHost } from '@cartograph/platform/nest';
import { serviceDefinition, type SemanticLayerConfig } from './semantic-layer.definition.js';

/**
 * The semantic-layer worker. Metric queries run in the API process (they poll the Semantic Layer, they do
 * not compute), so the worker only relays the outbox for now.
 */
@Module({})
export class SemanticLayerWorkerModule {
  static forRoot(config: SemanticLayerConfig): DynamicModule {
    return {
      module: SemanticLayerWorkerModule,
      imports: [PlatformModule.forService(serviceDefinition, config)],
      providers: [outboxRelayHost()],
    };
  }
}
