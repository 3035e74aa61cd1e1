import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import type { DynamicModule, INestApplication } from '@nestjs/common';
import type { Identity } from '@cartograph/platform/auth';
import {
  loadServiceConfig,
  runNestApplication,
  type ServiceDefinition,
  type SharedConfig,
} from '@cartograph/platform/nest';
import { generateKey } from '@cartograph/platform/secrets';

export const benchIdentity: Identity = {
  subject: 'cartograph-bench',
  kind: 'api-key',
  role: 'viewer',
  name: 'benchmark',
};

export interface ServiceApi {
  /** `http://127.0.0.1:<port>/graphql` of the subgraph. */
  url: string;
  /** The internal secret the subgraph verifies identity headers with. */
  secret: string;
  app: INestApplication;
  close(): Promise<void>;
}

export interface ServiceApiOptions<Config extends SharedConfig> {
  definition: ServiceDefinition;
  module: (config: Config) => DynamicModule;
  databaseUrl: string;
  /** DATABASE_POOL_SIZE of the API process (the production default is 10). */
  poolSize?: number;
  /** pino level of the in-process service; the default `silent` keeps the bench output readable (errors are counted). */
  logLevel?: string;
}

/**
 * Boots a service's API in this process the way its `main.ts` does (runNestApplication: request metrics,
 * identity verification), on a free port, against the given database. Redis is the local one with a private
 * key prefix.
 */
export async function startServiceApi<Config extends SharedConfig>(
  options: ServiceApiOptions<Config>,
): Promise<ServiceApi> {
  const secret = randomBytes(32).toString('hex');
  const config = loadServiceConfig(options.definition, {
    NODE_ENV: 'production',
    LOG_LEVEL: options.logLevel ?? 'silent',
    HOST: '127.0.0.1',
    PORT: '0',
    DATABASE_URL: options.databaseUrl,
    DATABASE_POOL_SIZE: String(options.poolSize ?? 10),
    REDIS_URL: process.env.BENCH_REDIS_URL ?? process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
    REDIS_PREFIX: `bench:${options.definition.name}:${randomBytes(4).toString('hex')}`,
    CARTOGRAPH_INTERNAL_SECRET: secret,
    CARTOGRAPH_ENCRYPTION_KEY: generateKey(),
  }) as Config;
  const app = await runNestApplication(options.definition, config, options.module(config));
  const url = `${await app.getUrl()}/graphql`.replace('[::1]', '127.0.0.1');
  return {
    url,
    secret,
    app,
    async close() {
      await app.close();
    },
  };
}
