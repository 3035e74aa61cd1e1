import { Inject, Injectable } from '@nestjs/common';
import { CONFIG } from '@cartograph/platform/nest';
import { badUserInput } from '@cartograph/platform/graphql';
import {
  SemanticLayerQueryError,
  validateMetricQuery,
  type SemanticLayerDimension,
  type SemanticLayerEntity,
  type SemanticLayerMeasure,
  type SemanticLayerMetric,
  type SemanticLayerSavedQuery,
} from '@cartograph/semantic-layer';
import type { SemanticLayerConfig } from '../../semantic-layer.definition.js';
import { SemanticLayerClientFactory } from '../connections/semantic-layer-client.factory.js';
import { SemanticLayerConnectionsService } from '../connections/semantic-layer-connections.service.js';
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
import type {
  SemanticLayerDimensionSet,
  SemanticLayerMeasureView,
  SemanticLayerMetricView,
} from './semantic-layer-metadata.model.js';

// Metadata is read through a Redis cache per connection and environment (SEMANTIC_LAYER_METADATA_TTL_SECONDS).
// It is not invalidated by events: a new production run shows after the TTL at most.

@Injectable()
export class SemanticLayerMetadataService {
  constructor(
    private readonly connections: SemanticLayerConnectionsService,
    private readonly clients: SemanticLayerClientFactory,
    private readonly cache: SemanticLayerCache,
    @Inject(CONFIG) private readonly config: SemanticLayerConfig,
  ) {}

  async metrics(connectionId: string, search: string | null): Promise<SemanticLayerMetricView[]> {
    const metrics = await this.read<SemanticLayerMetric[]>(connectionId, 'metrics', search ?? '', (client) =>
      client.metrics(search ?? undefined),
    );
    return metrics.map(toMetricView);
  }

  async measures(connectionId: string, metric: string): Promise<SemanticLayerMeasureView[]> {
    return this.read<SemanticLayerMeasure[]>(connectionId, 'measures', metric, (client) =>
      client.measures([metric]),
    );
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
      this.read<SemanticLayerDimension[]>(connectionId, 'dimensions', names, (client) =>
        client.dimensions(names),
      ),
      this.read<SemanticLayerEntity[]>(connectionId, 'entities', names, (client) => client.entities(names)),
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
    return this.read<SemanticLayerSavedQuery[]>(connectionId, 'saved-queries', '', (client) =>
      client.savedQueries(),
    );
  }

  private async read<T>(
    connectionId: string,
    kind: string,
    argument: unknown,
    load: (client: SemanticLayerClient) => Promise<T>,
  ): Promise<T> {
    const connection = await this.connections.requireCloud(connectionId);
    const key = this.cache.key(
      'metadata',
      connection.id,
      connection.environmentId,
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
