import { Inject, Injectable } from '@nestjs/common';
import { CONFIG } from '@cartograph/platform/nest';
import { badUserInput } from '@cartograph/platform/graphql';
import {
  SemanticLayerQueryError,
  validateMetricQuery,
  type ManifestMetadata,
  type SemanticLayerDimension,
  type SemanticLayerEntity,
  type SemanticLayerMetric,
  type SemanticLayerSavedQuery,
} from '@cartograph/semantic-layer';
import type { SemanticLayerConfig } from '../../semantic-layer.definition.js';
import { SemanticLayerClientFactory } from '../connections/semantic-layer-client.factory.js';
import { SemanticLayerMode } from '../connections/semantic-layer-connection.model.js';
import { SemanticLayerConnectionsService } from '../connections/semantic-layer-connections.service.js';
import { environmentScope } from '../manifests/semantic-events.consumer.js';
import { SemanticManifestsService } from '../manifests/semantic-manifests.service.js';
import { SemanticLayerCache, stableDigest } from '../upstream/semantic-layer.cache.js';
import type { SemanticLayerClient } from '../upstream/semantic-layer.client.js';
import { upstreamGraphqlError } from '../upstream/upstream-graphql-error.js';
import { SemanticLayerUpstreamError } from '../upstream/semantic-layer-upstream.error.js';
import {
  toDimensionView,
  toEntityView,
  toMetricView,
  toSavedQueryView,
} from './semantic-layer-metadata.mapper.js';
import type { SemanticLayerDimensionSet, SemanticLayerMetricView } from './semantic-layer-metadata.model.js';

// DBT_CLOUD connections read metadata from the Semantic Layer API through a Redis cache per connection and
// environment (SEMANTIC_LAYER_METADATA_TTL_SECONDS). A new dbt Cloud run of the environment bumps the cache's
// generation (SemanticEventsConsumer), so its metrics show at once rather than after the TTL. DBT_CORE
// connections compute the same answers from the project's semantic manifest kept in Postgres.

/** What metadata is read from: the Semantic Layer API or a dbt Core project's manifest. */
type MetadataSource = Pick<SemanticLayerClient, 'metrics' | 'dimensions' | 'entities' | 'savedQueries'>;

function manifestSource(manifest: ManifestMetadata): MetadataSource {
  return {
    metrics: async (search) => manifest.metrics(search),
    dimensions: async (metrics) => manifest.dimensions(metrics),
    entities: async (metrics) => manifest.entities(metrics),
    savedQueries: async () => manifest.savedQueries(),
  };
}

@Injectable()
export class SemanticLayerMetadataService {
  constructor(
    private readonly connections: SemanticLayerConnectionsService,
    private readonly clients: SemanticLayerClientFactory,
    private readonly cache: SemanticLayerCache,
    private readonly manifests: SemanticManifestsService,
    @Inject(CONFIG) private readonly config: SemanticLayerConfig,
  ) {}

  async metrics(connectionId: string, search: string | null): Promise<SemanticLayerMetricView[]> {
    const metrics = await this.read<SemanticLayerMetric[]>(connectionId, 'metrics', search ?? '', (source) =>
      source.metrics(search ?? undefined),
    );
    return metrics.map(toMetricView);
  }

  async dimensionSet(connectionId: string, metrics: string[]): Promise<SemanticLayerDimensionSet> {
    let names: string[];
    try {
      names = [...new Set(validateMetricQuery({ metrics }).metrics)].sort();
    } catch (error) {
      if (error instanceof SemanticLayerQueryError)
        throw badUserInput(error.message, { argument: 'metrics' });
      throw error;
    }
    if (names.length === 0) throw badUserInput('metrics: name at least one metric', { argument: 'metrics' });
    const [dimensions, entities, savedQueries] = await Promise.all([
      this.read<SemanticLayerDimension[]>(connectionId, 'dimensions', names, (source) =>
        source.dimensions(names),
      ),
      this.read<SemanticLayerEntity[]>(connectionId, 'entities', names, (source) => source.entities(names)),
      this.savedQueries(connectionId),
    ]);
    return {
      metrics: names,
      dimensions: dimensions.map(toDimensionView),
      entities: entities.map(toEntityView),
      savedQueries: savedQueries.map(toSavedQueryView),
    };
  }

  savedQueries(connectionId: string): Promise<SemanticLayerSavedQuery[]> {
    return this.read<SemanticLayerSavedQuery[]>(connectionId, 'saved-queries', '', (source) =>
      source.savedQueries(),
    );
  }

  private async read<T>(
    connectionId: string,
    kind: string,
    argument: unknown,
    load: (source: MetadataSource) => Promise<T>,
  ): Promise<T> {
    const found = await this.connections.require(connectionId);
    if (found.mode === SemanticLayerMode.DBT_CORE) {
      return load(manifestSource(await this.manifests.metadata(found.dbtProject ?? '')));
    }
    const connection = this.connections.asCloud(found);
    const key = this.cache.key(
      'metadata',
      connection.id,
      connection.environmentId,
      await this.cache.generation(environmentScope(connection.environmentId)),
      kind,
      stableDigest({ host: connection.host, argument }),
    );
    return this.cache.through(key, this.config.SEMANTIC_LAYER_METADATA_TTL_SECONDS, async () => {
      const client = this.clients.create(connection);
      try {
        return await load(client);
      } catch (error) {
        if (error instanceof SemanticLayerUpstreamError && error.code === 'UPSTREAM_AUTH_FAILED') {
          await this.connections.recordFailure(connection.id, { code: error.code, message: error.message });
        }
        throw upstreamGraphqlError(error);
      } finally {
        await client.close().catch(() => undefined);
      }
    });
  }
}
