import { hostname } from 'node:os';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import type { CloudEvent } from '@cartograph/contracts';
import { StreamConsumer, idempotentBatch } from '@cartograph/platform/events';
import { CONFIG, LOGGER, type SharedConfig } from '@cartograph/platform/nest';
import { createRedis } from '@cartograph/platform/redis';
import { DatasetRegistryService } from '../datasets/dataset-registry.service.js';
import { HexProjectIndexService } from '../search/hex-project-index.service.js';
import { WebhooksService } from '../webhooks/webhooks.service.js';
import { EventsRepository } from './events.repository.js';

export const CATALOG_CONSUMER_GROUP = 'catalog';

/**
 * The catalog's one consumer of the event stream. In one transaction per event it records the event in
 * the event log, applies dataset events to the registry and hex project events to search, and creates webhook deliveries; the event id is
 * recorded in the same transaction, so a redelivered event changes nothing. Delivery jobs are enqueued
 * after commit; if that fails, the stale-delivery sweep enqueues them later.
 *
 * Performance: the events of one stream read (up to 100) are applied in one transaction, in stream order, with
 * one ledger insert, one delivery insert, one enqueue and one XACK for the lot. One event per transaction
 * capped the consumer at ~150 events/s on a 2-vCPU VM (a dozen sequential round trips, a commit, an enqueue and an XACK each),
 * so webhook latency grew without bound at 500 events/s. If a batch fails, StreamConsumer retries its events
 * one at a time through `apply` below, exactly as before.
 */
@Injectable()
export class CatalogEventConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private consumer: StreamConsumer | null = null;
  private sweep: NodeJS.Timeout | null = null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly registry: DatasetRegistryService,
    private readonly hexProjects: HexProjectIndexService,
    private readonly webhooks: WebhooksService,
    private readonly events: EventsRepository,
    @Inject(CONFIG) private readonly config: SharedConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    // One way of applying events: a batch (one transaction per stream read); a single event is a batch of
    // one, used when a batch failed, to isolate the event that fails.
    const applyBatch = idempotentBatch(
      this.dataSource,
      'catalog',
      CATALOG_CONSUMER_GROUP,
      async (events, manager) => {
        await this.events.record(manager, events);
        await this.registry.apply(events, manager);
        await this.hexProjects.apply(events, manager);
        return this.webhooks.fanOut(manager, events);
      },
    );
    this.consumer = new StreamConsumer({
      redis: createRedis({ url: this.config.REDIS_URL, name: 'cartograph-catalog-consumer' }),
      redisPrefix: this.config.REDIS_PREFIX,
      group: CATALOG_CONSUMER_GROUP,
      consumer: `${hostname()}-${process.pid}`,
      handle: async (event: CloudEvent) => {
        await this.webhooks.enqueueDeliveries((await applyBatch([event])) ?? []);
      },
      handleBatch: async (events: CloudEvent[]) => {
        await this.webhooks.enqueueDeliveries((await applyBatch(events)) ?? []);
      },
      onError: (error, event) =>
        this.logger.error(
          { err: error, eventId: event?.id, eventType: event?.type },
          'event handling failed',
        ),
      onDeadLetter: (event, entryId) =>
        this.logger.error(
          { entryId, eventId: event?.id, eventType: event?.type },
          'event dropped after repeated failures',
        ),
    });
    this.consumer.start();
    this.sweep = setInterval(() => {
      this.webhooks
        .requeueStale()
        .catch((error: unknown) => this.logger.warn({ err: error }, 'webhook requeue sweep failed'));
    }, 30_000);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.sweep) {
      clearInterval(this.sweep);
    }
    await this.consumer?.stop();
  }
}
