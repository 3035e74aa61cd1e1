import { hostname } from 'node:os';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { LineageEdgesObserved, type CloudEvent } from '@cartograph/contracts';
import { StreamConsumer, idempotentBatch } from '@cartograph/platform/events';
import { CONFIG, LOGGER, type SharedConfig } from '@cartograph/platform/nest';
import { createRedis } from '@cartograph/platform/redis';
import { LineageService } from './lineage.service.js';

export const WAREHOUSE_CONSUMER_GROUP = 'warehouse.lineage';

/**
 * Joins the edges other sources observe (dbt's model dependencies) into the lineage graph, so lineage runs from
 * a BI query's table through dbt models to sources. Applied in one transaction per stream read, idempotent on
 * the event id.
 */
@Injectable()
export class ObservedEdgesConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private consumer: StreamConsumer | null = null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly lineage: LineageService,
    @Inject(CONFIG) private readonly config: SharedConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    const apply = idempotentBatch(
      this.dataSource,
      'warehouse',
      WAREHOUSE_CONSUMER_GROUP,
      async (events, manager) => {
        for (const event of events) {
          if (event.type !== LineageEdgesObserved.type) continue;
          const parsed = LineageEdgesObserved.schema.safeParse(event.data);
          if (!parsed.success) {
            this.logger.warn(
              { eventId: event.id },
              'lineage.edges_observed event with an unreadable payload skipped',
            );
            continue;
          }
          // Our own observations (if any) are already in the graph.
          if (parsed.data.source === 'warehouse') continue;
          await this.lineage.applyObservation(manager, parsed.data);
        }
        return null;
      },
    );
    this.consumer = new StreamConsumer({
      redis: createRedis({ url: this.config.REDIS_URL, name: 'cartograph-warehouse-consumer' }),
      redisPrefix: this.config.REDIS_PREFIX,
      group: WAREHOUSE_CONSUMER_GROUP,
      consumer: `${hostname()}-${process.pid}`,
      handle: async (event: CloudEvent) => {
        await apply([event]);
      },
      handleBatch: async (events: CloudEvent[]) => {
        await apply(events);
      },
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
}
