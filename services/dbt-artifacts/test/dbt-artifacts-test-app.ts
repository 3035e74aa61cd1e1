import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { signIdentity, type Identity } from '@cartograph/platform/auth';
import { identityMiddleware, loadServiceConfig } from '@cartograph/platform/nest';
import { generateKey } from '@cartograph/platform/secrets';
import { cloneTestDatabase, eventually, testRedisPrefix, testRedisUrl } from '@cartograph/platform/testing';
import { DbtArtifactsApiModule } from '../src/app.module.js';
import { serviceDefinition, type DbtArtifactsConfig } from '../src/dbt-artifacts.definition.js';
import { DbtArtifactsWorkerModule } from '../src/worker.module.js';

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

export interface ArtifactFile {
  field: string;
  fileName: string;
  body: string | Buffer;
}

export interface DbtArtifactsTestApp {
  config: DbtArtifactsConfig;
  baseUrl: string;
  api: INestApplication;
  worker: INestApplication | null;
  dataSource: DataSource;
  graphql<T = any>(
    query: string,
    variables?: object,
    identity?: Identity | null,
  ): Promise<{ status: number; body: { data?: T; errors?: any[] } }>;
  upload(
    files: ArtifactFile[],
    fields?: Record<string, string>,
    identity?: Identity,
  ): Promise<{ status: number; body: any }>;
  /** Waits until the set is succeeded or failed. */
  settled(id: string, timeoutMs?: number): Promise<any>;
  startWorker(): Promise<void>;
  stopWorker(): Promise<void>;
  close(): Promise<void>;
}

/** Boots the dbt-artifacts API and worker in this process on a cloned database and a private Redis prefix. */
export async function startDbtArtifacts(
  overrides: Record<string, string> = {},
  options: { worker?: boolean } = {},
): Promise<DbtArtifactsTestApp> {
  const database = await cloneTestDatabase('dbt-artifacts');
  const config = loadServiceConfig(serviceDefinition, {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: database.url,
    DATABASE_POOL_SIZE: '5',
    REDIS_URL: testRedisUrl(),
    REDIS_PREFIX: testRedisPrefix('dbt-artifacts'),
    CARTOGRAPH_INTERNAL_SECRET: INTERNAL_SECRET,
    CARTOGRAPH_ENCRYPTION_KEY: generateKey(),
    ...overrides,
  }) as DbtArtifactsConfig;
  const api = await NestFactory.create(DbtArtifactsApiModule.forRoot(config, { schemaFile: false }), {
    logger: false,
  });
  api.use(identityMiddleware(INTERNAL_SECRET));
  await api.listen(0, '127.0.0.1');
  const baseUrl = (await api.getUrl()).replace('[::1]', '127.0.0.1');
  let worker: INestApplication | null = null;
  const app: DbtArtifactsTestApp = {
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
    async upload(files, fields = {}, identity = editor) {
      const form = new FormData();
      for (const [name, value] of Object.entries(fields)) form.append(name, value);
      for (const file of files) form.append(file.field, new Blob([file.body]), file.fileName);
      const response = await fetch(`${baseUrl}/api/v1/uploads`, {
        method: 'POST',
        headers: signIdentity(identity, INTERNAL_SECRET),
        body: form,
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : null };
    },
    async settled(id, timeoutMs = 20_000) {
      return eventually(async () => {
        const response = await fetch(`${baseUrl}/api/v1/artifact-sets/${id}`, {
          headers: signIdentity(admin, INTERNAL_SECRET),
        });
        const body = (await response.json()) as { artifactSet: { state: string } };
        return ['succeeded', 'failed'].includes(body.artifactSet.state) ? body.artifactSet : null;
      }, timeoutMs);
    },
    async startWorker() {
      worker = await NestFactory.create(DbtArtifactsWorkerModule.forRoot(config), { logger: false });
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
