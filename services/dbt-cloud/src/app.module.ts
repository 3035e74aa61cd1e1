import { type DynamicModule, Module } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import type { ApolloFederationDriverConfig } from '@nestjs/apollo';
import { subgraphOptions } from '@cartograph/platform/graphql';
import { PlatformModule, type SharedConfig } from '@cartograph/platform/nest';
import { createLogger } from '@cartograph/platform/observability';
import { serviceDefinition } from './dbt-cloud.definition.js';
import { CloudClientFactory } from './modules/connections/cloud-client.factory.js';
import { CloudConnectionsRepository } from './modules/connections/cloud-connections.repository.js';
import { CloudConnectionsResolver } from './modules/connections/cloud-connections.resolver.js';
import { CloudConnectionsService } from './modules/connections/cloud-connections.service.js';
import { DatasetReference } from './modules/connections/cloud-connection.model.js';
import { CloudDatasetsService } from './modules/models/cloud-datasets.service.js';
import {
  DatasetDbtCloudResolver,
  DbtCloudDatasetResolver,
} from './modules/models/cloud-datasets.resolver.js';
import { CloudModelsRepository } from './modules/models/cloud-models.repository.js';
import { CloudRunsRepository } from './modules/runs/cloud-runs.repository.js';
import { CloudRunsService } from './modules/runs/cloud-runs.service.js';
import { SyncRunsRepository } from '@cartograph/platform/sync';

export const dbtCloudProviders = [
  CloudClientFactory,
  CloudConnectionsRepository,
  CloudConnectionsService,
  CloudDatasetsService,
  CloudModelsRepository,
  CloudRunsRepository,
  CloudRunsService,
  SyncRunsRepository,
];

export const dbtCloudResolvers = [CloudConnectionsResolver, DatasetDbtCloudResolver, DbtCloudDatasetResolver];

/** The dbt-cloud subgraph's API process. */
@Module({})
export class DbtCloudApiModule {
  static forRoot(config: SharedConfig, options: { schemaFile: string | false }): DynamicModule {
    const logger = createLogger({ service: 'dbt-cloud', level: config.LOG_LEVEL });
    return {
      module: DbtCloudApiModule,
      imports: [
        PlatformModule.forService(serviceDefinition, config),
        GraphQLModule.forRoot<ApolloFederationDriverConfig>(
          subgraphOptions({
            schemaFile: options.schemaFile,
            // Reached only through the gateway's entity references (Dataset.dbtCloud), never by a field here.
            orphanedTypes: [DatasetReference],
            logError: (error) => logger.error({ err: error }, 'unexpected GraphQL error'),
          }),
        ),
      ],
      providers: [...dbtCloudProviders, ...dbtCloudResolvers],
    };
  }
}
