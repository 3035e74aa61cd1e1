import { type DynamicModule, Global, Module, type OnApplicationShutdown, Inject } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Redis } from 'ioredis';
import { createServiceDataSource } from '../database/index.js';
import { createRedis } from '../redis/index.js';
import { JobQueue } from '../queue/index.js';
import { OutboxPublisher } from '../events/index.js';
import { SecretBox } from '../secrets/index.js';
import { createLogger, createMetrics, postgresCheck, redisCheck } from '../observability/index.js';
import type { ServiceDefinition, SharedConfig } from './service-definition.js';
import { CONFIG, HEALTH_CHECKS, LOGGER, METRICS, REDIS, SERVICE } from './tokens.js';
import { PlatformController } from './platform.controller.js';

class PlatformLifecycle implements OnApplicationShutdown {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(JobQueue) private readonly jobQueue: JobQueue,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.jobQueue.close();
    this.redis.disconnect();
    if (this.dataSource.isInitialized) {
      await this.dataSource.destroy();
    }
  }
}

/**
 * The providers every service process needs: config, logger, metrics, its DataSource, Redis, the job queue,
 * the outbox publisher, and the health and metrics endpoints.
 */
@Global()
@Module({})
export class PlatformModule {
  static forService(definition: ServiceDefinition, config: SharedConfig): DynamicModule {
    return {
      module: PlatformModule,
      controllers: [PlatformController],
      providers: [
        { provide: SERVICE, useValue: definition },
        { provide: CONFIG, useValue: config },
        {
          provide: LOGGER,
          useFactory: () => createLogger({ service: definition.name, level: config.LOG_LEVEL }),
        },
        { provide: METRICS, useFactory: () => createMetrics(definition.name) },
        {
          provide: DataSource,
          useFactory: async () => {
            const dataSource = createServiceDataSource({
              url: config.DATABASE_URL,
              schema: definition.schema,
              entities: definition.entities,
              migrations: definition.migrations,
              poolSize: config.DATABASE_POOL_SIZE,
            });
            return dataSource.initialize();
          },
        },
        {
          provide: REDIS,
          useFactory: () => createRedis({ url: config.REDIS_URL, name: `cartograph-${definition.name}` }),
        },
        {
          provide: JobQueue,
          useFactory: () => {
            const connection = createRedis({
              url: config.REDIS_URL,
              name: `cartograph-${definition.name}-queue`,
            });
            return new JobQueue({
              connection,
              prefix: `${config.REDIS_PREFIX}:queue`,
              onClose: () => connection.disconnect(),
            });
          },
        },
        {
          provide: OutboxPublisher,
          useFactory: () => new OutboxPublisher({ schema: definition.schema, service: definition.name }),
        },
        {
          provide: SecretBox,
          useFactory: () =>
            SecretBox.fromEnv(config.CARTOGRAPH_ENCRYPTION_KEY, {
              variableName: 'CARTOGRAPH_ENCRYPTION_KEY',
            }),
        },
        {
          provide: HEALTH_CHECKS,
          useFactory: (dataSource: DataSource, redis: Redis) => ({
            postgres: postgresCheck(dataSource),
            redis: redisCheck(redis),
          }),
          inject: [DataSource, REDIS],
        },
        PlatformLifecycle,
      ],
      exports: [
        SERVICE,
        CONFIG,
        LOGGER,
        METRICS,
        DataSource,
        REDIS,
        JobQueue,
        OutboxPublisher,
        SecretBox,
        HEALTH_CHECKS,
      ],
    };
  }
}
