import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import type { Identity } from '@cartograph/platform/auth';
import { loadServiceConfig, runNestApplication } from '@cartograph/platform/nest';
import { generateKey } from '@cartograph/platform/secrets';
import { CatalogApiModule } from '@cartograph/catalog/dist/src/app.module.js';
import { serviceDefinition } from '@cartograph/catalog/dist/src/catalog.definition.js';

export const benchIdentity: Identity = {
  subject: 'cartograph-bench',
  kind: 'api-key',
  role: 'viewer',
  name: 'benchmark',
};

export interface CatalogApi {
  /** `http://127.0.0.1:<port>/graphql` of the catalog subgraph. */
  url: string;
  /** The internal secret the subgraph verifies identity headers with. */
  secret: string;
  app: INestApplication;
  close(): Promise<void>;
}

export interface CatalogApiOptions {
  databaseUrl: string;
  /** DATABASE_POOL_SIZE of the API process (the production default is 10). */
  poolSize?: number;
  /** pino level of the in-process service; the default `silent` keeps the bench output readable (errors are counted). */
  logLevel?: string;
}

/**
 * Boots the catalog API in this process the way `services/catalog/src/main.ts` does (runNestApplication: request
 * metrics, identity verification), on a free port, against the given database. Redis is the local one with a
 * private key prefix.
 */
export async function startCatalogApi(options: CatalogApiOptions): Promise<CatalogApi> {
  const secret = randomBytes(32).toString('hex');
  const config = loadServiceConfig(serviceDefinition, {
    NODE_ENV: 'production',
    LOG_LEVEL: options.logLevel ?? 'silent',
    HOST: '127.0.0.1',
    PORT: '0',
    DATABASE_URL: options.databaseUrl,
    DATABASE_POOL_SIZE: String(options.poolSize ?? 10),
    REDIS_URL: process.env.BENCH_REDIS_URL ?? process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
    REDIS_PREFIX: `bench:catalog:${randomBytes(4).toString('hex')}`,
    CARTOGRAPH_INTERNAL_SECRET: secret,
    CARTOGRAPH_ENCRYPTION_KEY: generateKey(),
  });
  const app = await runNestApplication(
    serviceDefinition,
    config,
    CatalogApiModule.forRoot(config, { schemaFile: false }),
  );
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
