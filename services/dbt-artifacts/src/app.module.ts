import { type DynamicModule, Module } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import type { ApolloFederationDriverConfig } from '@nestjs/apollo';
import { subgraphOptions } from '@cartograph/platform/graphql';
import { PlatformModule, type SharedConfig } from '@cartograph/platform/nest';
import { createLogger } from '@cartograph/platform/observability';
import { serviceDefinition } from './dbt-artifacts.definition.js';
import { ArtifactBlobRepository } from './modules/artifact-sets/artifact-blob.repository.js';
import { ArtifactSetsRepository } from './modules/artifact-sets/artifact-sets.repository.js';
import { ArtifactSetsResolver } from './modules/artifact-sets/artifact-sets.resolver.js';
import { ArtifactSetsService } from './modules/artifact-sets/artifact-sets.service.js';
import { BucketClientFactory } from './modules/buckets/bucket-client.factory.js';
import { BucketConnectionsRepository } from './modules/buckets/bucket-connections.repository.js';
import { BucketConnectionsResolver } from './modules/buckets/bucket-connections.resolver.js';
import { BucketConnectionsService } from './modules/buckets/bucket-connections.service.js';
import { SyncRunsRepository } from './modules/buckets/sync-runs.repository.js';
import { DatasetDbtResolver, DbtNodesResolver } from './modules/nodes/dbt-nodes.resolver.js';
import { NodesRepository } from './modules/nodes/nodes.repository.js';
import { NodesService } from './modules/nodes/nodes.service.js';
import { DbtProjectsResolver } from './modules/projects/dbt-projects.resolver.js';
import { ProjectsRepository } from './modules/projects/projects.repository.js';
import { ProjectsService } from './modules/projects/projects.service.js';
import { RunsRepository } from './modules/runs/runs.repository.js';
import { RunsService } from './modules/runs/runs.service.js';
import { SemanticManifestController } from './modules/semantic/semantic-manifest.controller.js';
import { SemanticManifestRepository } from './modules/semantic/semantic-manifest.repository.js';
import { UploadsController } from './modules/uploads/uploads.controller.js';

export const dbtArtifactsProviders = [
  ArtifactBlobRepository,
  ArtifactSetsRepository,
  ArtifactSetsService,
  BucketClientFactory,
  BucketConnectionsRepository,
  BucketConnectionsService,
  SyncRunsRepository,
  NodesRepository,
  NodesService,
  ProjectsRepository,
  ProjectsService,
  RunsRepository,
  RunsService,
  SemanticManifestRepository,
];

export const dbtArtifactsResolvers = [
  ArtifactSetsResolver,
  BucketConnectionsResolver,
  DbtNodesResolver,
  DatasetDbtResolver,
  DbtProjectsResolver,
];

/** The dbt-artifacts subgraph's API process. */
@Module({})
export class DbtArtifactsApiModule {
  static forRoot(config: SharedConfig, options: { schemaFile: string | false }): DynamicModule {
    const logger = createLogger({ service: 'dbt-artifacts', level: config.LOG_LEVEL });
    return {
      module: DbtArtifactsApiModule,
      imports: [
        PlatformModule.forService(serviceDefinition, config),
        GraphQLModule.forRoot<ApolloFederationDriverConfig>(
          subgraphOptions({
            schemaFile: options.schemaFile,
            logError: (error) => logger.error({ err: error }, 'unexpected GraphQL error'),
          }),
        ),
      ],
      controllers: [UploadsController, SemanticManifestController],
      providers: [...dbtArtifactsProviders, ...dbtArtifactsResolvers],
    };
  }
}
