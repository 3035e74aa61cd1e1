import { hostname } from 'node:os';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { DbtArtifactsApplied, DbtCloudRunIngested, type CloudEvent } from '@cartograph/contracts';
import { StreamConsumer } from '@cartograph/platform/events';
import { CONFIG, LOGGER, type SharedConfig } from '@cartograph/platform/nest';
import { createRedis } from '@cartograph/platform/redis';
import { SemanticLayerCache } from '../upstream/semantic-layer.cache.js';
import { SemanticManifestsService } from './semantic-manifests.service.js';

export const SEMANTIC_LAYER_CONSUMER_GROUP = 'semantic-layer.metadata';

/** The cache scope of one dbt Cloud environment's Semantic Layer metadata. */
export function environmentScope(environmentId: string): string {
  return `environment/${environmentId}`;
}

/**
 * Keeps metadata current without waiting for the TTL: a dbt project whose metrics or semantic models changed is
 * re-read from the artifact store, and a new dbt Cloud run drops the cached Semantic Layer metadata of its
 * environment. Both are idempotent, so a redelivered event costs one extra read at most.
 */
@Injectable()
export class SemanticEventsConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private consumer: StreamConsumer | null = null;

  constructor(
    private readonly manifests: SemanticManifestsService,
    private readonly cache: SemanticLayerCache,
    @Inject(CONFIG) private readonly config: SharedConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async handle(event: CloudEvent): Promise<void> {
    if (event.type === DbtArtifactsApplied.type) {
      const parsed = DbtArtifactsApplied.schema.safeParse(event.data);
      if (!parsed.success) return this.unreadable(event);
      if (parsed.data.semanticChanged) await this.manifests.refresh(parsed.data.project);
      const environmentId = parsed.data.dbtCloud?.environmentId;
      if (environmentId) await this.cache.bump(environmentScope(environmentId));
    } else if (event.type === DbtCloudRunIngested.type) {
      const parsed = DbtCloudRunIngested.schema.safeParse(event.data);
      if (!parsed.success) return this.unreadable(event);
      await this.cache.bump(environmentScope(parsed.data.environmentId));
    }
  }

  onApplicationBootstrap(): void {
    this.consumer = new StreamConsumer({
      redis: createRedis({ url: this.config.REDIS_URL, name: 'cartograph-semantic-layer-consumer' }),
      redisPrefix: this.config.REDIS_PREFIX,
      group: SEMANTIC_LAYER_CONSUMER_GROUP,
      consumer: `${hostname()}-${process.pid}`,
      handle: (event: CloudEvent) => this.handle(event),
      onError: (error, event) =>
        this.logger.error(
          { err: error, eventId: event?.id, eventType: event?.type },
          'event handling failed',
        ),
      onDeadLetter: (event, entryId) =>
        this.logger.error({ entryId, eventId: event?.id }, 'event dropped after repeated failures'),
    });
    this.consumer.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.consumer?.stop();
  }

  private unreadable(event: CloudEvent): void {
    this.logger.warn(
      { eventId: event.id, eventType: event.type },
      'event with an unreadable payload skipped',
    );
  }
}
