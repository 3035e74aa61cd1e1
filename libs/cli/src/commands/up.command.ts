import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../embedded/embedded-postgres.js';
import { REDIS_MISSING_MESSAGE, redisServerAvailable, startEmbeddedRedis, type EmbeddedRedis } from '../embedded/embedded-redis.js';
import { localAdminKeyPath, localSecrets, localStateDirectory } from '../local-state.js';
import { ProcessSupervisor } from '../process-supervisor.js';
import { listServices, repositoryRoot, servicePath, subgraphUrlVariable } from '../service-registry.js';
import { migrateAll } from './migrate.command.js';

const say = (line: string) => process.stdout.write(`[cartograph] ${line}\n`);

async function postgresAnswers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_500 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Uses local Postgres when one answers (creating database `cartograph`), else embedded PGlite. */
export async function resolveDatabase(): Promise<{ url: string; embedded: EmbeddedPostgres | null }> {
  if (process.env.DATABASE_URL) {
    return { url: process.env.DATABASE_URL, embedded: null };
  }
  const server = 'postgres://postgres@127.0.0.1:5432';
  if (await postgresAnswers(`${server}/postgres`)) {
    const client = new pg.Client({ connectionString: `${server}/postgres` });
    await client.connect();
    const exists = await client.query(`SELECT 1 FROM pg_database WHERE datname = 'cartograph'`);
    if (exists.rowCount === 0) {
      await client.query('CREATE DATABASE cartograph');
    }
    await client.end();
    return { url: `${server}/cartograph`, embedded: null };
  }
  say('no Postgres on 127.0.0.1:5432 and no DATABASE_URL: starting embedded PGlite (data in .cartograph/pglite)');
  const embedded = await startEmbeddedPostgres(join(localStateDirectory(), 'pglite'));
  return { url: embedded.url, embedded };
}

async function redisAnswers(url: string): Promise<boolean> {
  const { Redis } = await import('ioredis');
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1_500 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
    return true;
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** Uses REDIS_URL, else a Redis on 127.0.0.1:6379, else a private redis-server from PATH; else explains. */
export async function resolveRedis(): Promise<{ url: string; embedded: EmbeddedRedis | null }> {
  if (process.env.REDIS_URL) {
    return { url: process.env.REDIS_URL, embedded: null };
  }
  if (await redisAnswers('redis://127.0.0.1:6379')) {
    return { url: 'redis://127.0.0.1:6379', embedded: null };
  }
  if (!redisServerAvailable()) {
    throw new UpError(REDIS_MISSING_MESSAGE);
  }
  say('no Redis on 127.0.0.1:6379 and no REDIS_URL: starting a private redis-server');
  const embedded = await startEmbeddedRedis();
  return { url: embedded.url, embedded };
}

export class UpError extends Error {}

/** `npm start`: everything on one machine, with real or embedded Postgres and Redis. */
export async function up(): Promise<void> {
  const database = await resolveDatabase();
  const redis = await resolveRedis();
  const secrets = localSecrets();
  const environment: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: process.env.NODE_ENV ?? 'development',
    DATABASE_URL: database.url,
    REDIS_URL: redis.url,
    CARTOGRAPH_INTERNAL_SECRET: process.env.CARTOGRAPH_INTERNAL_SECRET ?? secrets.internalSecret,
    CARTOGRAPH_ENCRYPTION_KEY: process.env.CARTOGRAPH_ENCRYPTION_KEY ?? secrets.encryptionKey,
    // Fewer connections per process: embedded PGlite multiplexes them onto one session anyway.
    DATABASE_POOL_SIZE: process.env.DATABASE_POOL_SIZE ?? (database.embedded ? '3' : '10'),
  };
  Object.assign(process.env, { DATABASE_URL: database.url });
  await migrateAll(database.url, (line) => say(`migrate ${line}`));

  const services = listServices();
  const catalog = services.find((service) => service.name === 'catalog');
  if (catalog?.commands['bootstrap-admin-key']) {
    const { bootstrapAdminKey } = (await import(pathToFileURL(servicePath(catalog, catalog.commands['bootstrap-admin-key'])).href)) as {
      bootstrapAdminKey: (environment: NodeJS.ProcessEnv) => Promise<string | null>;
    };
    const key = await bootstrapAdminKey(environment);
    if (key) {
      writeFileSync(localAdminKeyPath(), `${key}\n`, { mode: 0o600 });
      say(`first run: created a local admin API key (also saved to .cartograph/admin.key):\n\n    ${key}\n`);
    }
  }

  const supervisor = new ProcessSupervisor((name, code) => {
    say(`${name} exited with code ${code}; stopping everything`);
    void shutdown(1);
  });
  const shutdown = async (code: number) => {
    await supervisor.stopAll();
    await database.embedded?.stop();
    await redis.embedded?.stop();
    process.exit(code);
  };
  process.once('SIGINT', () => void shutdown(0));
  process.once('SIGTERM', () => void shutdown(0));

  const cli = join(repositoryRoot(), 'bin', 'cartograph.js');
  const subgraphUrls: Record<string, string> = {};
  for (const service of services.filter((candidate) => !candidate.gateway)) {
    supervisor.start(service.name, [cli, 'serve', service.name], { ...environment, PORT: String(service.port) });
    if (service.subgraph) {
      subgraphUrls[subgraphUrlVariable(service.name)] = `http://127.0.0.1:${service.port}/graphql`;
    }
    if (service.worker) {
      supervisor.start(`${service.name}-worker`, [cli, 'worker', service.name], {
        ...environment,
        PORT: String(service.workerPort ?? service.port + 100),
      });
    }
  }
  const gateway = services.find((service) => service.gateway);
  if (gateway) {
    supervisor.start(gateway.name, [cli, 'serve', gateway.name], { ...environment, ...subgraphUrls, PORT: String(gateway.port) });
    await waitForHealth(`http://127.0.0.1:${gateway.port}/health/ready`, 60_000);
    say(`ready: GraphQL at http://127.0.0.1:${gateway.port}/graphql  (send "Authorization: Bearer <api key>")`);
  } else {
    say('no gateway service found; subgraphs are running');
  }
}

async function waitForHealth(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url);
      if (response.ok) {
        return;
      }
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  say(`${url} did not become ready within ${timeoutMs / 1000} s`);
}
