import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKey } from '../secrets/index.js';
import { runCartograph, ServiceProcess } from './service-process.js';
import { cloneTestDatabase, testRedisPrefix, testRedisUrl } from './test-database.js';

// Ports are picked below Linux's ephemeral range (32768+): a port the kernel hands out for listen(0) can be taken
// by any outgoing connection (to Postgres, Redis, MariaDB) before the service that was given it listens. Test
// processes running side by side claim their ports with a file each, held until the claiming process exits, so
// two of them never give one port to two services that have not bound it yet.
const PORT_RANGE = { from: 20_000, to: 32_000 };
const CLAIMS = join(tmpdir(), 'cartograph-test-ports');

function listensOn(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Claims a port for this process: false when a live process holds it. */
function claim(port: number): boolean {
  const path = join(CLAIMS, String(port));
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      writeFileSync(path, String(process.pid), { flag: 'wx' });
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(readFileSync(path, 'utf8'));
      if (holder === process.pid || (Number.isInteger(holder) && holder > 0 && alive(holder))) return false;
      rmSync(path, { force: true });
    }
  }
  return false;
}

/** A port nothing listens on, below the ephemeral range, that no other running test process has claimed. */
export async function freePort(): Promise<number> {
  mkdirSync(CLAIMS, { recursive: true });
  for (let attempt = 0; attempt < 500; attempt += 1) {
    const port = PORT_RANGE.from + Math.floor(Math.random() * (PORT_RANGE.to - PORT_RANGE.from));
    if (claim(port) && (await listensOn(port))) return port;
  }
  throw new Error(`no free port between ${PORT_RANGE.from} and ${PORT_RANGE.to} after 500 tries`);
}

export interface StackOptions {
  /** The Jest project, whose migrated template database is cloned. */
  project: string;
  /** Environment for every process (e.g. AUTH_KEY_CACHE_TTL_SECONDS for the gateway). */
  environment?: NodeJS.ProcessEnv;
  redisUrl?: string;
  databaseUrl?: string;
  /** Subgraph services besides the catalog to run, each with its worker (e.g. `dbt-artifacts`). */
  services?: string[];
}

export interface GraphqlAnswer<T = any> {
  status: number;
  body: { data?: T; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}

/**
 * The federated stack as separate processes (gateway, catalog API, catalog worker), on a cloned
 * database and a private Redis prefix, with a bootstrapped admin key.
 */
export class TestStack {
  readonly processes: ServiceProcess[] = [];
  gatewayUrl = '';
  catalogUrl = '';
  /** GraphQL URL of every subgraph process by service name. */
  serviceUrls: Record<string, string> = {};
  adminKey = '';
  redisPrefix = '';
  databaseUrl = '';
  environment: NodeJS.ProcessEnv = {};
  private dropDatabase: (() => Promise<void>) | null = null;

  constructor(private readonly options: StackOptions) {}

  static async start(options: StackOptions): Promise<TestStack> {
    const stack = new TestStack(options);
    try {
      await stack.boot();
    } catch (error) {
      // The caller never gets the stack, so it cannot stop it: leave no process (or database) behind.
      await stack.stop().catch(() => undefined);
      throw error;
    }
    return stack;
  }

  process(name: string): ServiceProcess {
    const found = this.processes.find((candidate) => candidate.name === name);
    if (!found) {
      throw new Error(`no process ${name}`);
    }
    return found;
  }

  /** Every line any process printed. */
  get logs(): string[] {
    return this.processes.flatMap((process) => process.lines);
  }

  private async boot(): Promise<void> {
    if (this.options.databaseUrl) {
      this.databaseUrl = this.options.databaseUrl;
    } else {
      const database = await cloneTestDatabase(this.options.project);
      this.databaseUrl = database.url;
      this.dropDatabase = database.drop;
    }
    this.redisPrefix = testRedisPrefix(this.options.project);
    const [gatewayPort, catalogPort, workerPort] = await Promise.all([freePort(), freePort(), freePort()]);
    const extra = await Promise.all(
      (this.options.services ?? []).map(async (name) => ({
        name,
        port: await freePort(),
        workerPort: await freePort(),
      })),
    );
    // <SERVICE>_URL (e.g. DBT_ARTIFACTS_URL): where one service reaches another's internal API.
    const serviceBaseUrls = Object.fromEntries(
      extra.map((service) => [
        `${service.name.toUpperCase().replace(/-/g, '_')}_URL`,
        `http://127.0.0.1:${service.port}`,
      ]),
    );
    const subgraphUrls = Object.fromEntries(
      extra.map((service) => [
        `SUBGRAPH_${service.name.toUpperCase().replace(/-/g, '_')}_URL`,
        `http://127.0.0.1:${service.port}/graphql`,
      ]),
    );
    this.environment = {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      HOST: '127.0.0.1',
      DATABASE_URL: this.databaseUrl,
      DATABASE_POOL_SIZE: '4',
      REDIS_URL: this.options.redisUrl ?? testRedisUrl(),
      REDIS_PREFIX: this.redisPrefix,
      CARTOGRAPH_INTERNAL_SECRET: randomBytes(32).toString('base64url'),
      CARTOGRAPH_ENCRYPTION_KEY: generateKey(),
      SUBGRAPH_CATALOG_URL: `http://127.0.0.1:${catalogPort}/graphql`,
      ...subgraphUrls,
      ...serviceBaseUrls,
      ...this.options.environment,
    };
    this.catalogUrl = `http://127.0.0.1:${catalogPort}/graphql`;
    this.serviceUrls = {
      catalog: this.catalogUrl,
      ...Object.fromEntries(
        extra.map((service) => [service.name, `http://127.0.0.1:${service.port}/graphql`]),
      ),
    };
    this.gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
    const bootstrap = await runCartograph(['keys', 'bootstrap'], this.environment);
    this.adminKey = /cgk_[A-Za-z0-9_-]+/.exec(bootstrap.stdout)?.[0] ?? '';
    if (!this.adminKey) {
      throw new Error(`could not bootstrap an admin key:\n${bootstrap.stdout}\n${bootstrap.stderr}`);
    }
    this.processes.push(
      new ServiceProcess(
        'catalog',
        ['serve', 'catalog'],
        { ...this.environment, PORT: String(catalogPort) },
        `http://127.0.0.1:${catalogPort}/health/ready`,
      ),
      new ServiceProcess(
        'catalog-worker',
        ['worker', 'catalog'],
        { ...this.environment, PORT: String(workerPort) },
        `http://127.0.0.1:${workerPort}/health/ready`,
      ),
      new ServiceProcess(
        'gateway',
        ['serve', 'gateway'],
        { ...this.environment, PORT: String(gatewayPort) },
        `${this.gatewayUrl}/health/ready`,
      ),
    );
    for (const service of extra) {
      this.processes.push(
        new ServiceProcess(
          service.name,
          ['serve', service.name],
          { ...this.environment, PORT: String(service.port) },
          `http://127.0.0.1:${service.port}/health/ready`,
        ),
        new ServiceProcess(
          `${service.name}-worker`,
          ['worker', service.name],
          { ...this.environment, PORT: String(service.workerPort) },
          `http://127.0.0.1:${service.workerPort}/health/ready`,
        ),
      );
    }
    const gateway = this.process('gateway');
    await Promise.all(
      this.processes.filter((process) => process !== gateway).map((process) => process.start()),
    );
    await gateway.start();
  }

  async graphql<T = any>(
    query: string,
    variables: object = {},
    apiKey: string | null = this.adminKey,
  ): Promise<GraphqlAnswer<T>> {
    const response = await fetch(`${this.gatewayUrl}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}),
      },
      body: JSON.stringify({ query, variables }),
    });
    return { status: response.status, body: (await response.json()) as GraphqlAnswer<T>['body'] };
  }

  async stop(): Promise<void> {
    await Promise.all(this.processes.map((process) => process.stop()));
    await this.dropDatabase?.();
  }
}

export async function eventually<T>(
  probe: () => Promise<T | null | undefined | false>,
  timeoutMs = 15_000,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value) {
        return value;
      }
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
}
