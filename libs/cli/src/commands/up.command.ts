import { redisAnswers } from '@cartograph/platform/redis';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../embedded/embedded-postgres.js';
import {
  redisMissingMessage,
  redisServerAvailable,
  startEmbeddedRedis,
  type EmbeddedRedis,
} from '../embedded/embedded-redis.js';
import { localAdminKeyPath, localSecrets, localStateDirectory } from '../local-state.js';
import { ProcessSupervisor } from '../process-supervisor.js';
import { listServices, repositoryRoot, servicePath, subgraphUrlVariable } from '../service-registry.js';
import { migrateAll } from './migrate.command.js';

const say = (line: string) => process.stdout.write(`[cartograph] ${line}\n`);

/*
 * Environment variables of `up` (all optional; tests use them to run `up` beside a developer's `npm start`
 * and beside the shared Postgres and Redis):
 * - CARTOGRAPH_LOCAL_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432): the local Postgres server
 *   probed when DATABASE_URL is unset; database `cartograph` is created on it. Nothing answers: embedded PGlite.
 * - CARTOGRAPH_LOCAL_REDIS_URL (default redis://127.0.0.1:6379): the local Redis probed when REDIS_URL is
 *   unset. Nothing answers: a private redis-server from PATH, else the one-paragraph error of DESIGN §2.
 * - CARTOGRAPH_HOME (default <repo>/.cartograph): local state, i.e. PGlite data, generated secrets and the
 *   admin key (see local-state.ts).
 * - CARTOGRAPH_PORT_OFFSET (default 0): added to every port `up` gives a service or worker, to the
 *   SUBGRAPH_*_URL the gateway gets and to the printed gateway URL.
 */
export function localPostgresUrl(): string {
  return (process.env.CARTOGRAPH_LOCAL_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432').replace(
    /\/+$/,
    '',
  );
}

export function localRedisUrl(): string {
  return process.env.CARTOGRAPH_LOCAL_REDIS_URL || 'redis://127.0.0.1:6379';
}

export function portOffset(): number {
  const raw = process.env.CARTOGRAPH_PORT_OFFSET ?? '';
  const offset = raw === '' ? 0 : Number(raw);
  if (!Number.isInteger(offset) || offset < 0 || offset > 60_000) {
    throw new UpError(`CARTOGRAPH_PORT_OFFSET must be a whole number between 0 and 60000, not "${raw}"`);
  }
  return offset;
}

/** host:port of a URL, for messages. */
function address(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || (parsed.protocol.startsWith('redis') ? '6379' : '5432')}`;
}

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
  // The server URL may carry a database (ignored: we connect to `postgres`, then use `cartograph`).
  const parsed = new URL(localPostgresUrl());
  parsed.pathname = '';
  const server = parsed.toString().replace(/\/+$/, '');
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
  const directory = join(localStateDirectory(), 'pglite');
  say(
    `no Postgres on ${address(server)} and no DATABASE_URL: starting embedded PGlite (data in ${directory})`,
  );
  const embedded = await startEmbeddedPostgres(directory);
  return { url: embedded.url, embedded };
}

/** Uses REDIS_URL, else a local Redis (CARTOGRAPH_LOCAL_REDIS_URL), else a private redis-server from PATH; else explains. */
export async function resolveRedis(): Promise<{ url: string; embedded: EmbeddedRedis | null }> {
  if (process.env.REDIS_URL) {
    return { url: process.env.REDIS_URL, embedded: null };
  }
  const local = localRedisUrl();
  if (await redisAnswers(local)) {
    return { url: local, embedded: null };
  }
  if (!redisServerAvailable()) {
    throw new UpError(redisMissingMessage(address(local)));
  }
  say(`no Redis on ${address(local)} and no REDIS_URL: starting a private redis-server`);
  const embedded = await startEmbeddedRedis();
  return { url: embedded.url, embedded };
}

export class UpError extends Error {}

/** `npm start`: everything on one machine, with real or embedded Postgres and Redis. */
export async function up(): Promise<void> {
  const offset = portOffset();
  // Redis first: its one-paragraph error should come at once, not after PGlite started and migrated.
  const redis = await resolveRedis();
  let database: Awaited<ReturnType<typeof resolveDatabase>>;
  try {
    database = await resolveDatabase();
  } catch (error) {
    await redis.embedded?.stop();
    throw error;
  }
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
    const { bootstrapAdminKey } = (await import(
      pathToFileURL(servicePath(catalog, catalog.commands['bootstrap-admin-key'])).href
    )) as {
      bootstrapAdminKey: (environment: NodeJS.ProcessEnv) => Promise<string | null>;
    };
    const key = await bootstrapAdminKey(environment);
    if (key) {
      writeFileSync(localAdminKeyPath(), `${key}\n`, { mode: 0o600 });
      say(`first run: created a local admin API key (also saved to ${localAdminKeyPath()}):\n\n    ${key}\n`);
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
  // <SERVICE>_URL (e.g. DBT_ARTIFACTS_URL): where one service reaches another's internal API.
  const serviceUrls = Object.fromEntries(
    services
      .filter((candidate) => !candidate.gateway)
      .map((service) => [
        `${service.name.toUpperCase().replace(/-/g, '_')}_URL`,
        `http://127.0.0.1:${service.port + offset}`,
      ]),
  );
  for (const service of services.filter((candidate) => !candidate.gateway)) {
    const port = service.port + offset;
    supervisor.start(service.name, [cli, 'serve', service.name], {
      ...environment,
      ...serviceUrls,
      PORT: String(port),
    });
    if (service.subgraph) {
      subgraphUrls[subgraphUrlVariable(service.name)] = `http://127.0.0.1:${port}/graphql`;
    }
    if (service.worker) {
      supervisor.start(`${service.name}-worker`, [cli, 'worker', service.name], {
        ...environment,
        ...serviceUrls,
        PORT: String((service.workerPort ?? service.port + 100) + offset),
      });
    }
  }
  const gateway = services.find((service) => service.gateway);
  if (gateway) {
    const port = gateway.port + offset;
    supervisor.start(gateway.name, [cli, 'serve', gateway.name], {
      ...environment,
      ...subgraphUrls,
      PORT: String(port),
    });
    if (await waitForHealth(`http://127.0.0.1:${port}/health/ready`, READY_TIMEOUT_MS)) {
      say(`ready: GraphQL at http://127.0.0.1:${port}/graphql  (send "Authorization: Bearer <api key>")`);
    }
  } else {
    say('no gateway service found; subgraphs are running');
  }
}

// Thirteen Node processes start at once; on two busy cores the gateway can need minutes, and saying "ready"
// before it answers would send the user to a closed port.
const READY_TIMEOUT_MS = 300_000;
const STILL_STARTING_AFTER_MS = 60_000;

/** Whether the URL answered 2xx in time; says once when it is slow and once when it gave up. */
async function waitForHealth(url: string, timeoutMs: number): Promise<boolean> {
  const started = Date.now();
  let saidSlow = false;
  while (Date.now() - started < timeoutMs) {
    try {
      const response = await fetch(url);
      if (response.ok) {
        return true;
      }
    } catch {
      // not listening yet
    }
    if (!saidSlow && Date.now() - started > STILL_STARTING_AFTER_MS) {
      saidSlow = true;
      say(`still starting: ${url} has not answered after ${STILL_STARTING_AFTER_MS / 1000} s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  say(`${url} did not become ready within ${timeoutMs / 1000} s; the lines above say which service is slow`);
  return false;
}
