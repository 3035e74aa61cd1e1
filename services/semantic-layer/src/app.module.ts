import { type DynamicModule, Module } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import type { ApolloFederationDriverConfig } from '@nestjs/apollo';
import { subgraphOptions } from '@cartograph/platform/graphql';
import { PlatformModule, type SharedConfig } from '@cartograph/platform/nest';
import { createLogger } from '@cartograph/platform/observability';
import { serviceDefinition } from './semantic-layer.definition.js';
import { SemanticLayerClientFactory } from './modules/connections/semantic-layer-client.factory.js';
import { SemanticLayerConnectionsRepository } from './modules/connections/semantic-layer-connections.repository.js';
import { SemanticLayerConnectionsResolver } from './modules/connections/semantic-layer-connections.resolver.js';
import { SemanticLayerConnectionsService } from './modules/connections/semantic-layer-connections.service.js';
import { SemanticLayerMetadataResolver } from './modules/metadata/semantic-layer-metadata.resolver.js';
import { SemanticLayerMetadataService } from './modules/metadata/semantic-layer-metadata.service.js';
import { DatasetReference } from './modules/manifests/dataset-semantics.model.js';
import { DatasetSemanticsResolver } from './modules/manifests/dataset-semantics.resolver.js';
import { SemanticManifestsRepository } from './modules/manifests/semantic-manifests.repository.js';
import { SemanticManifestsService } from './modules/manifests/semantic-manifests.service.js';
import { MetricQueryJobsRepository } from './modules/queries/metric-query-jobs.repository.js';
import { MetricQueryJobsResolver } from './modules/queries/metric-query-jobs.resolver.js';
import { MetricQueryJobsService } from './modules/queries/metric-query-jobs.service.js';
import { MetricQueryResolver } from './modules/queries/metric-query.resolver.js';
import { QueryResultStore } from './modules/queries/query-result.store.js';
import { MetricQueryService } from './modules/queries/metric-query.service.js';
import { QueryAuditRepository } from './modules/queries/query-audit.repository.js';
import { RolePoliciesRepository } from './modules/queries/role-policies.repository.js';
import { RolePoliciesService } from './modules/queries/role-policies.service.js';
import { SemanticLayerCache } from './modules/upstream/semantic-layer.cache.js';

export const semanticLayerProviders = [
  SemanticLayerCache,
  SemanticLayerClientFactory,
  SemanticLayerConnectionsRepository,
  SemanticLayerConnectionsService,
  SemanticLayerMetadataService,
  RolePoliciesRepository,
  RolePoliciesService,
  QueryAuditRepository,
  MetricQueryService,
  MetricQueryJobsRepository,
  QueryResultStore,
  MetricQueryJobsService,
  SemanticManifestsRepository,
  SemanticManifestsService,
];

export const semanticLayerResolvers = [
  SemanticLayerConnectionsResolver,
  SemanticLayerMetadataResolver,
  MetricQueryResolver,
  MetricQueryJobsResolver,
  DatasetSemanticsResolver,
];

/** The semantic-layer subgraph's API process. */
@Module({})
export class SemanticLayerApiModule {
  static forRoot(config: SharedConfig, options: { schemaFile: string | false }): DynamicModule {
    const logger = createLogger({ service: 'semantic-layer', level: config.LOG_LEVEL });
    return {
      module: SemanticLayerApiModule,
      imports: [
        PlatformModule.forService(serviceDefinition, config),
        GraphQLModule.forRoot<ApolloFederationDriverConfig>(
          subgraphOptions({
            schemaFile: options.schemaFile,
            orphanedTypes: [DatasetReference],
            logError: (error) => logger.error({ err: error }, 'unexpected GraphQL error'),
          }),
        ),
      ],
      providers: [...semanticLayerProviders, ...semanticLayerResolvers],
    };
  }
}
