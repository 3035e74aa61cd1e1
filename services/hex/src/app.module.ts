import { type DynamicModule, Module } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import type { ApolloFederationDriverConfig } from '@nestjs/apollo';
import { subgraphOptions } from '@cartograph/platform/graphql';
import { PlatformModule, type SharedConfig } from '@cartograph/platform/nest';
import { createLogger } from '@cartograph/platform/observability';
import { SyncRunsRepository } from '@cartograph/platform/sync';
import { serviceDefinition } from './hex.definition.js';
import { HexClientFactory } from './modules/connections/hex-client.factory.js';
import { HexConnectionsRepository } from './modules/connections/hex-connections.repository.js';
import { HexConnectionsResolver } from './modules/connections/hex-connections.resolver.js';
import { HexConnectionsService } from './modules/connections/hex-connections.service.js';
import { HexProjectsRepository } from './modules/projects/hex-projects.repository.js';
import { HexProjectsResolver } from './modules/projects/hex-projects.resolver.js';
import { HexProjectsService } from './modules/projects/hex-projects.service.js';
import { HexUsersRepository } from './modules/users/hex-users.repository.js';

export const hexProviders = [
  HexClientFactory,
  HexConnectionsRepository,
  HexConnectionsService,
  HexProjectsRepository,
  HexProjectsService,
  HexUsersRepository,
  SyncRunsRepository,
];

export const hexResolvers = [HexConnectionsResolver, HexProjectsResolver];

/** The hex subgraph's API process. */
@Module({})
export class HexApiModule {
  static forRoot(config: SharedConfig, options: { schemaFile: string | false }): DynamicModule {
    const logger = createLogger({ service: 'hex', level: config.LOG_LEVEL });
    return {
      module: HexApiModule,
      imports: [
        PlatformModule.forService(serviceDefinition, config),
        GraphQLModule.forRoot<ApolloFederationDriverConfig>(
          subgraphOptions({
            schemaFile: options.schemaFile,
            logError: (error) => logger.error({ err: error }, 'unexpected GraphQL error'),
          }),
        ),
      ],
      providers: [...hexProviders, ...hexResolvers],
    };
  }
}
