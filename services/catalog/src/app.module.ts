import { type DynamicModule, Module } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import type { ApolloFederationDriverConfig } from '@nestjs/apollo';
import { subgraphOptions } from '@cartograph/platform/graphql';
import { PlatformModule, type SharedConfig } from '@cartograph/platform/nest';
import { createLogger } from '@cartograph/platform/observability';
import { serviceDefinition } from './catalog.definition.js';
import { ApiKeysController } from './modules/api-keys/api-keys.controller.js';
import { ApiKeysRepository } from './modules/api-keys/api-keys.repository.js';
import { ApiKeysResolver } from './modules/api-keys/api-keys.resolver.js';
import { ApiKeysService } from './modules/api-keys/api-keys.service.js';
import { DatasetsController } from './modules/datasets/datasets.controller.js';
import { DatasetsRepository } from './modules/datasets/datasets.repository.js';
import { DatasetsResolver } from './modules/datasets/datasets.resolver.js';
import { DatasetsService } from './modules/datasets/datasets.service.js';
import { EventsRepository } from './modules/events/events.repository.js';
import { EventsResolver } from './modules/events/events.resolver.js';
import { EventsService } from './modules/events/events.service.js';
import { HexProjectDocumentsRepository } from './modules/search/hex-project-documents.repository.js';
import { SearchRepository } from './modules/search/search.repository.js';
import { SearchResolver } from './modules/search/search.resolver.js';
import { SearchService } from './modules/search/search.service.js';
import { WebhooksRepository } from './modules/webhooks/webhooks.repository.js';
import { WebhooksResolver } from './modules/webhooks/webhooks.resolver.js';
import { WebhooksService } from './modules/webhooks/webhooks.service.js';

export const catalogProviders = [
  ApiKeysRepository,
  ApiKeysService,
  DatasetsRepository,
  DatasetsService,
  EventsRepository,
  EventsService,
  HexProjectDocumentsRepository,
  SearchRepository,
  SearchService,
  WebhooksRepository,
  WebhooksService,
];

export const catalogResolvers = [
  ApiKeysResolver,
  DatasetsResolver,
  EventsResolver,
  SearchResolver,
  WebhooksResolver,
];

/** The catalog subgraph's API process. */
@Module({})
export class CatalogApiModule {
  static forRoot(config: SharedConfig, options: { schemaFile: string | false }): DynamicModule {
    const logger = createLogger({ service: 'catalog', level: config.LOG_LEVEL });
    return {
      module: CatalogApiModule,
      imports: [
        PlatformModule.forService(serviceDefinition, config),
        GraphQLModule.forRoot<ApolloFederationDriverConfig>(
          subgraphOptions({
            schemaFile: options.schemaFile,
            logError: (error) => logger.error({ err: error }, 'unexpected GraphQL error'),
          }),
        ),
      ],
      controllers: [ApiKeysController, DatasetsController],
      providers: [...catalogProviders, ...catalogResolvers],
    };
  }
}
