import 'reflect-metadata';
import type { DynamicModule, INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { signIdentity, type Identity } from '../auth/identity.js';
import {
  identityMiddleware,
  loadServiceConfig,
  type ServiceDefinition,
  type SharedConfig,
} from '../nest/index.js';
import { generateKey } from '../secrets/index.js';
import { cloneTestDatabase, testRedisPrefix, testRedisUrl } from './test-database.js';

export const TEST_INTERNAL_SECRET = 'test-internal-secret-0123456789-abcdef';

export const testIdentities: Record<'admin' | 'editor' | 'viewer', Identity> = {
  admin: { subject: 'test-admin', kind: 'api-key', role: 'admin', name: 'test admin' },
  editor: { subject: 'test-editor', kind: 'api-key', role: 'editor', name: 'test editor' },
  viewer: { subject: 'test-viewer', kind: 'api-key', role: 'viewer', name: 'test viewer' },
};

export interface ServiceTestApp<Config extends SharedConfig> {
  config: Config;
  baseUrl: string;
  api: INestApplication;
  readonly worker: INestApplication | null;
  dataSource: DataSource;
  /** A GraphQL call to the subgraph as the gateway makes it: with a signed identity (admin unless given). */
  graphql<T = any>(
    query: string,
    variables?: object,
    identity?: Identity | null,
  ): Promise<{ status: number; body: { data?: T; errors?: any[] } }>;
  startWorker(): Promise<void>;
  stopWorker(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Boots a service's API (and, unless `worker: false`, its worker) in this process on a clone of the test
 * project's template database and a private Redis prefix: what every service's integration specs start from.
 */
export async function startServiceTestApp<Config extends SharedConfig>(options: {
  project: string;
  definition: ServiceDefinition;
  api: (config: Config) => DynamicModule;
  worker: (config: Config) => DynamicModule;
  overrides?: Record<string, string>;
  startWorker?: boolean;
}): Promise<ServiceTestApp<Config>> {
  const database = await cloneTestDatabase(options.project);
  const config = loadServiceConfig(options.definition, {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: database.url,
    DATABASE_POOL_SIZE: '5',
    REDIS_URL: testRedisUrl(),
    REDIS_PREFIX: testRedisPrefix(options.project),
    CARTOGRAPH_INTERNAL_SECRET: TEST_INTERNAL_SECRET,
    CARTOGRAPH_ENCRYPTION_KEY: generateKey(),
    ...options.overrides,
  }) as Config;
  const api = await NestFactory.create(options.api(config), { logger: false });
  api.use(identityMiddleware(TEST_INTERNAL_SECRET));
  await api.listen(0, '127.0.0.1');
  const baseUrl = (await api.getUrl()).replace('[::1]', '127.0.0.1');
  let worker: INestApplication | null = null;
  const app: ServiceTestApp<Config> = {
    config,
    baseUrl,
    api,
    get worker() {
      return worker;
    },
    dataSource: api.get(DataSource),
    async graphql(query, variables, identity = testIdentities.admin) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (identity) Object.assign(headers, signIdentity(identity, TEST_INTERNAL_SECRET));
      const response = await fetch(`${baseUrl}/graphql`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ query, variables }),
      });
      return { status: response.status, body: (await response.json()) as { data?: any; errors?: any[] } };
    },
    async startWorker() {
      worker = await NestFactory.create(options.worker(config), { logger: false });
      await worker.init();
    },
    async stopWorker() {
      await worker?.close();
      worker = null;
    },
    async close() {
      await worker?.close();
      await api.close();
      await database.drop();
    },
  };
  if (options.startWorker !== false) await app.startWorker();
  return app;
}
