import { type DynamicModule, Module } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import type { ApolloFederationDriverConfig } from '@nestjs/apollo';
import { subgraphOptions } from '@cartograph/platform/graphql';
import { PlatformModule, type SharedConfig } from '@cartograph/platform/nest';
import { createLogger } from '@cartograph/platform/observability';
import { serviceDefinition } from './warehouse.definition.js';
import { ConnectorFactory } from './modules/connections/connector.factory.js';
import { WarehouseConnectionsRepository } from './modules/connections/warehouse-connections.repository.js';
import { WarehouseConnectionsResolver } from './modules/connections/warehouse-connections.resolver.js';
import { WarehouseConnectionsService } from './modules/connections/warehouse-connections.service.js';
import { WarehouseTablesRepository } from './modules/crawl/warehouse-tables.repository.js';
import { DatasetInsightsRepository } from './modules/datasets/dataset-insights.repository.js';
import { DatasetReference, HexProjectReference } from './modules/datasets/dataset-warehouse.model.js';
import {
  DatasetWarehouseResolver,
  HexProjectWarehouseResolver,
} from './modules/datasets/dataset-warehouse.resolver.js';
import { DatasetWarehouseService } from './modules/datasets/dataset-warehouse.service.js';
import { LineageRepository } from './modules/lineage/lineage.repository.js';
import { LineageService } from './modules/lineage/lineage.service.js';
import { SyncRunsRepository } from '@cartograph/platform/sync';

export const warehouseProviders = [
  ConnectorFactory,
  WarehouseConnectionsRepository,
  WarehouseConnectionsService,
  WarehouseTablesRepository,
  DatasetInsightsRepository,
  DatasetWarehouseService,
  LineageRepository,
  LineageService,
  SyncRunsRepository,
];

export const warehouseResolvers = [
  WarehouseConnectionsResolver,
  DatasetWarehouseResolver,
  HexProjectWarehouseResolver,
];

/** The warehouse subgraph's API process. */
@Module({})
export class WarehouseApiModule {
  static forRoot(config: SharedConfig, options: { schemaFile: string | false }): DynamicModule {
    const logger = createLogger({ service: 'warehouse', level: config.LOG_LEVEL });
    return {
      module: WarehouseApiModule,
      imports: [
        PlatformModule.forService(serviceDefinition, config),
        GraphQLModule.forRoot<ApolloFederationDriverConfig>(
          subgraphOptions({
            schemaFile: options.schemaFile,
            orphanedTypes: [DatasetReference, HexProjectReference],
            logError: (error) => logger.error({ err: error }, 'unexpected GraphQL error'),
          }),
        ),
      ],
      providers: [...warehouseProviders, ...warehouseResolvers],
    };
  }
}
