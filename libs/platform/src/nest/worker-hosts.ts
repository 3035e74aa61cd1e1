import type { OnApplicationBootstrap, OnApplicationShutdown, Provider, Type } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import type { JobContract } from '@cartograph/contracts';
import { OutboxRelay } from '../events/outbox.relay.js';
import { JobWorker, type JobHandler } from '../queue/index.js';
import { createRedis } from '../redis/index.js';
import type { ServiceDefinition, SharedConfig } from './service-definition.js';
import { CONFIG, LOGGER, SERVICE } from './tokens.js';

class Host implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    private readonly start: () => void,
    private readonly stop: () => Promise<void>,
  ) {}

  onApplicationBootstrap(): void {
    this.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.stop();
  }
}

export const JOB_WORKER_HOST = Symbol('cartograph:job-worker-host');
export const OUTBOX_RELAY_HOST = Symbol('cartograph:outbox-relay-host');

/**
 * Runs BullMQ workers for the given contracts with the given handler classes. The worker checks at
 * construction that every contract has exactly one handler, so a wiring mistake stops the boot.
 */
export function jobWorkerHost(
  contracts: readonly JobContract[],
  handlerTypes: Type<JobHandler>[],
  options: { concurrency?: (config: SharedConfig) => number } = {},
): Provider {
  return {
    provide: JOB_WORKER_HOST,
    inject: [CONFIG, LOGGER, ...handlerTypes],
    useFactory: (config: SharedConfig, logger: Logger, ...handlers: JobHandler[]) => {
      const connection = createRedis({ url: config.REDIS_URL, name: 'cartograph-jobs' });
      const worker = new JobWorker({
        connection,
        prefix: `${config.REDIS_PREFIX}:queue`,
        contracts,
        handlers,
        // Jobs mostly wait on I/O (HTTP, Postgres), so one process runs many at once.
        concurrency: options.concurrency?.(config),
        onFailed: (job, error) =>
          logger.warn(
            { job: job?.name, jobId: job?.id, attempt: job?.attemptsMade, err: error },
            'job attempt failed',
          ),
      });
      return new Host(
        () => worker.start(),
        async () => {
          await worker.stop();
          connection.disconnect();
        },
      );
    },
  };
}

/** Relays the service's outbox to the event stream. */
export function outboxRelayHost(): Provider {
  return {
    provide: OUTBOX_RELAY_HOST,
    inject: [CONFIG, LOGGER, SERVICE, DataSource],
    useFactory: (
      config: SharedConfig,
      logger: Logger,
      service: ServiceDefinition,
      dataSource: DataSource,
    ) => {
      const redis = createRedis({
        url: config.REDIS_URL,
        name: `cartograph-${service.name}-relay`,
        failFast: true,
      });
      let failing = false;
      const relay = new OutboxRelay({
        dataSource,
        redis,
        schema: service.schema,
        redisPrefix: config.REDIS_PREFIX,
        onError: (error) => {
          if (!failing) {
            logger.warn(
              { err: error },
              'outbox relay paused: events stay in Postgres until it can reach Redis',
            );
          }
          failing = true;
        },
        onRelayed: (count) => {
          if (failing) {
            logger.info({ count }, 'outbox relay resumed');
          }
          failing = false;
        },
      });
      return new Host(
        () => relay.start(),
        async () => {
          await relay.stop();
          redis.disconnect();
        },
      );
    },
  };
}
