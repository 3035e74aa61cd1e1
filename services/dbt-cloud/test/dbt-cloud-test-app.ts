import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { signIdentity, type Identity } from '@cartograph/platform/auth';
import { identityMiddleware, loadServiceConfig } from '@cartograph/platform/nest';
import { generateKey } from '@cartograph/platform/secrets';
import { cloneTestDatabase, testRedisPrefix, testRedisUrl } from '@cartograph/platform/testing';
import { DbtCloudApiModule } from '../src/app.module.js';
import { serviceDefinition, type DbtCloudConfig } from '../src/dbt-cloud.definition.js';
import { DbtCloudWorkerModule } from '../src/worker.module.js';

export const INTERNAL_SECRET = 'test-internal-secret-0123456789-abcdef';

export const editor: Identity = {
  subject: 'test-editor',
  kind: 'api-key',
  role: 'editor',
  name: 'test editor',
};
export const viewer: Identity = {
  subject: 'test-viewer',
  kind: 'api-key',
  role: 'viewer',
  name: 'test viewer',
};
export const admin: Identity = { subject: 'test-admin', kind: 'api-key', role: 'admin', name: 'test admin' };

export interface DbtCloudTestApp {
  config: DbtCloudConfig;
  baseUrl: string;
  api: INestApplication;
  worker: INestApplication | null;
  dataSource: DataSource;
  graphql<T = any>(
    query: string,
    variables?: object,
    identity?: Identity | null,
  ): Promise<{ status: number; body: { data?: T; errors?: any[] } }>;
  startWorker(): Promise<void>;
  stopWorker(): Promise<void>;
  close(): Promise<void>;
}

/** Boots the dbt-cloud API and worker in this process on a cloned database and a private Redis prefix. */
export async function startDbtCloud(
  overrides: Record<string, string> = {},
  options: { worker?: boolean } = {},
): Promise<DbtCloudTestApp> {
  const database = await cloneTestDatabase('dbt-cloud');
  const config = loadServiceConfig(serviceDefinition, {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: database.url,
    DATABASE_POOL_SIZE: '5',
    REDIS_URL: testRedisUrl(),
    REDIS_PREFIX: testRedisPrefix('dbt-cloud'),
    CARTOGRAPH_INTERNAL_SECRET: INTERNAL_SECRET,
    CARTOGRAPH_ENCRYPTION_KEY: generateKey(),
    ...overrides,
  }) as DbtCloudConfig;
  const api = await NestFactory.create(DbtCloudApiModule.forRoot(config, { schemaFile: false }), {
    logger: false,
  });
  api.use(identityMiddleware(INTERNAL_SECRET));
  await api.listen(0, '127.0.0.1');
  const baseUrl = (await api.getUrl()).replace('[::1]', '127.0.0.1');
  let worker: INestApplication | null = null;
  const app: DbtCloudTestApp = {
    config,
    baseUrl,
    api,
    get worker() {
      return worker;
    },
    dataSource: api.get(DataSource),
    async graphql(query, variables, identity = admin) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (identity) Object.assign(headers, signIdentity(identity, INTERNAL_SECRET));
      const response = await fetch(`${baseUrl}/graphql`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ query, variables }),
      });
      return { status: response.status, body: (await response.json()) as { data?: any; errors?: any[] } };
    },
    async startWorker() {
      worker = await NestFactory.create(DbtCloudWorkerModule.forRoot(config), { logger: false });
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
  if (options.worker !== false) await app.startWorker();
  return app;
}
