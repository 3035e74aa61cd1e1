import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { signIdentity, type Identity } from '@cartograph/platform/auth';
import { createServiceDataSource } from '@cartograph/platform/database';
import { OutboxPublisher, OutboxRelay } from '@cartograph/platform/events';
import { identityMiddleware, loadServiceConfig, type SharedConfig } from '@cartograph/platform/nest';
import { createRedis } from '@cartograph/platform/redis';
import { generateKey } from '@cartograph/platform/secrets';
import { cloneTestDatabase, testRedisPrefix, testRedisUrl } from '@cartograph/platform/testing';
import { CatalogApiModule } from '../src/app.module.js';
import { serviceDefinition } from '../src/catalog.definition.js';
import { CatalogWorkerModule } from '../src/worker.module.js';

export const INTERNAL_SECRET = 'test-internal-secret-0123456789-abcdef';

export interface CatalogTestApp {
  config: SharedConfig;
  url: string;
  api: INestApplication;
  worker: INestApplication;
  /** A producer's DataSource on the same database, for publishing events through an outbox. */
  producer: DataSource;
  publisher: OutboxPublisher;
  relay: OutboxRelay;
  graphql<T = any>(
    query: string,
    variables?: object,
    identity?: Identity | null,
  ): Promise<{ status: number; body: { data?: T; errors?: any[] } }>;
  close(): Promise<void>;
}

export const admin: Identity = { subject: 'test-admin', kind: 'api-key', role: 'admin', name: 'test admin' };
export const viewer: Identity = {
  subject: 'test-viewer',
  kind: 'api-key',
  role: 'viewer',
  name: 'test viewer',
};

/** Boots the catalog API and worker in this process on a cloned database and a private Redis prefix. */
export async function startCatalog(overrides: Record<string, string> = {}): Promise<CatalogTestApp> {
  const database = await cloneTestDatabase('catalog');
  const environment = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: database.url,
    DATABASE_POOL_SIZE: '5',
    REDIS_URL: testRedisUrl(),
    REDIS_PREFIX: testRedisPrefix('catalog'),
    CARTOGRAPH_INTERNAL_SECRET: INTERNAL_SECRET,
    CARTOGRAPH_ENCRYPTION_KEY: generateKey(),
    ...overrides,
  };
  const config = loadServiceConfig(serviceDefinition, environment);
  const api = await NestFactory.create(CatalogApiModule.forRoot(config, { schemaFile: false }), {
    logger: false,
  });
  api.use(identityMiddleware(INTERNAL_SECRET));
  await api.listen(0, '127.0.0.1');
  const worker = await NestFactory.create(CatalogWorkerModule.forRoot(config), { logger: false });
  await worker.init();
  const url = `${await api.getUrl()}/graphql`.replace('[::1]', '127.0.0.1');

  const producer = createServiceDataSource({
    url: database.url,
    schema: 'catalog',
    entities: [],
    migrations: [],
    poolSize: 2,
  });
  await producer.initialize();
  const relayRedis = createRedis({ url: config.REDIS_URL, failFast: true });
  const relay = new OutboxRelay({
    dataSource: producer,
    redis: relayRedis,
    schema: 'catalog',
    redisPrefix: config.REDIS_PREFIX,
  });

  return {
    config,
    url,
    api,
    worker,
    producer,
    publisher: new OutboxPublisher({ schema: 'catalog', service: 'test-producer' }),
    relay,
    async graphql(query, variables, identity = admin) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (identity) {
        Object.assign(headers, signIdentity(identity, INTERNAL_SECRET));
      }
      const response = await fetch(url, {
        method: 'POST',
        headers,
        body: JSON.stringify({ query, variables }),
      });
      return { status: response.status, body: (await response.json()) as { data?: any; errors?: any[] } };
    },
    async close() {
      await relay.stop();
      relayRedis.disconnect();
      await worker.close();
      await api.close();
      await producer.destroy();
      await database.drop();
    },
  };
}

export { eventually } from '@cartograph/platform/testing';
