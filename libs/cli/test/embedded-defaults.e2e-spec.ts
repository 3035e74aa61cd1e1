import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import {
  eventually,
  freePort,
  repositoryRoot,
  runCartograph,
  testRedisUrl,
} from '@cartograph/platform/testing';
import { listServices } from '../src/service-registry.js';

// `npm start` (`cartograph up`) on a laptop without Postgres or Redis (DESIGN §2). The shared Postgres and
// Redis keep running, so the probed local addresses point at closed ports instead, and a port offset keeps
// the stack clear of a developer's own `npm start`.

const cli = join(repositoryRoot(), 'bin', 'cartograph.js');
const temporary: string[] = [];

function temporaryDirectory(prefix: string): string {
  const directory = mkdtempSync(join(tmpdir(), prefix));
  temporary.push(directory);
  return directory;
}

/** The environment of a developer shell: none of Cartograph's variables set. */
function cleanEnvironment(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const environment: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (
      !/^(DATABASE_|REDIS_|CARTOGRAPH_|SUBGRAPH_|PORT$|HOST$|NODE_ENV$|LOG_LEVEL$|JEST|NODE_OPTIONS$)/.test(
        name,
      )
    ) {
      environment[name] = value;
    }
  }
  return { ...environment, ...extra };
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * An offset that moves every port `up` will bind (each service's API and worker port) onto free ports from 10000
 * to 20000: below the kernel's ephemeral range (32768 and up), where no outgoing connection can take one while
 * `up` starts, and below the 20000–32000 that other test processes' stacks claim (`freePort`).
 */
async function freePortOffset(): Promise<number> {
  const ports = listServices().flatMap((service) => [service.port, service.workerPort ?? service.port + 100]);
  const highest = Math.max(...ports);
  for (;;) {
    const offset = 6_000 + Math.floor(Math.random() * (20_000 - highest - 6_000));
    const free = await Promise.all(ports.map((port) => portIsFree(port + offset)));
    if (free.every(Boolean)) {
      return offset;
    }
  }
}

/** Pids of every live descendant of `pid` (Linux /proc). */
function descendants(pid: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) {
      continue;
    }
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // "pid (comm) state ppid …"; comm may contain spaces and parentheses.
      const [state, parent] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (state !== 'Z') {
        parents.set(Number(entry), Number(parent));
      }
    } catch {
      // exited meanwhile
    }
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const current = queue.shift()!;
    for (const [child, parent] of parents) {
      if (parent === current) {
        found.push(child);
        queue.push(child);
      }
    }
  }
  return found;
}

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

afterAll(() => {
  for (const directory of temporary) {
    rmSync(directory, { recursive: true, force: true });
  }
});

describe('npm start with embedded defaults', () => {
  let up: ChildProcess | null = null;
  let children: number[] = [];
  const redisPrefix = `test:cli:${randomBytes(4).toString('hex')}`;

  afterAll(async () => {
    // Only on failure is anything left: kill what this test started, by pid.
    for (const pid of [...children, ...(up?.pid && up.exitCode === null ? [up.pid] : [])]) {
      if (alive(pid)) {
        process.kill(pid, 'SIGKILL');
      }
    }
    const redis = new Redis(testRedisUrl(), { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await redis.connect();
      const keys = await redis.keys(`${redisPrefix}:*`);
      if (keys.length > 0) {
        await redis.del(...keys);
      }
    } finally {
      redis.disconnect();
    }
  });

  it('with no DATABASE_URL and no Postgres, starts on embedded PGlite and serves GraphQL through the gateway', async () => {
    const home = temporaryDirectory('cartograph-home-');
    const offset = await freePortOffset();
    const closedPostgresPort = await freePort();
    const environment = cleanEnvironment({
      CARTOGRAPH_LOCAL_POSTGRES_URL: `postgres://postgres@127.0.0.1:${closedPostgresPort}`,
      REDIS_URL: testRedisUrl(),
      REDIS_PREFIX: redisPrefix,
      CARTOGRAPH_HOME: home,
      CARTOGRAPH_PORT_OFFSET: String(offset),
    });
    const startedAt = Date.now();
    const child = spawn(process.execPath, [cli, 'up'], {
      env: environment,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    up = child;
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

    const gatewayUrl = await eventually(
      async () => {
        if (child.exitCode !== null) {
          throw new Error(`cartograph up exited with ${child.exitCode}:\n${stdout}\n${stderr}`);
        }
        return /\[cartograph\] ready: GraphQL at (http:\/\/\S+)\/graphql/.exec(stdout)?.[1];
      },
      280_000,
      100,
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}\n--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`);
    });
    const readyAfterMs = Date.now() - startedAt;
    // Known from here on, so afterAll stops them even when an assertion below fails.
    children = descendants(child.pid!);
    expect(gatewayUrl).toBe(`http://127.0.0.1:${4000 + offset}`);
    expect(stdout).toContain(
      `no Postgres on 127.0.0.1:${closedPostgresPort} and no DATABASE_URL: starting embedded PGlite`,
    );
    expect(stdout).toContain(join(home, 'pglite'));

    const adminKey = /cgk_[A-Za-z0-9_-]+/.exec(stdout)?.[0];
    expect(adminKey).toBeDefined();
    expect(readFileSync(join(home, 'admin.key'), 'utf8').trim()).toBe(adminKey);

    const response = await fetch(`${gatewayUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${adminKey}` },
      body: JSON.stringify({ query: '{ datasets { totalCount } }' }),
    }).catch((error: unknown) => {
      // A child that exits stops everything (`up` says which and why): show it.
      throw new Error(
        `${String(error)}\n--- stdout ---\n${stdout.slice(-20_000)}\n--- stderr ---\n${stderr}`,
      );
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { datasets: { totalCount: 0 } } });

    // The gateway, the catalog API and its worker run as children of `up`.
    expect(children.length).toBeGreaterThanOrEqual(3);

    const stoppingAt = Date.now();
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    await eventually(async () => children.every((pid) => !alive(pid)), 15_000);
    process.stdout.write(
      `embedded up: ready after ${readyAfterMs} ms, stopped in ${Date.now() - stoppingAt} ms\n`,
    );
  }, 300_000);

  it('with no Redis anywhere, stops with the one-paragraph error of DESIGN §2', async () => {
    // A PATH with node and nothing else, so there is no redis-server to start.
    const bin = temporaryDirectory('cartograph-bin-');
    symlinkSync(process.execPath, join(bin, 'node'));
    const environment = cleanEnvironment({
      PATH: bin,
      CARTOGRAPH_LOCAL_REDIS_URL: `redis://127.0.0.1:${await freePort()}`,
      CARTOGRAPH_LOCAL_POSTGRES_URL: `postgres://postgres@127.0.0.1:${await freePort()}`,
      CARTOGRAPH_HOME: temporaryDirectory('cartograph-home-'),
      CARTOGRAPH_PORT_OFFSET: String(await freePortOffset()),
    });

    const result = await runCartograph(['up'], environment);

    expect(result.code).toBe(1);
    const message = result.stderr.trim();
    expect(message).not.toBe('');
    expect(message).not.toContain('\n');
    expect(message).toContain('REDIS_URL');
    expect(message).toMatch(/Install Redis/);
    expect(message).toContain('apt-get install redis-server');
    expect(message).toContain('brew install redis');
    expect(result.stderr).not.toMatch(/\n\s+at |node:internal|Error:|Unhandled|\.js:\d+/);
    expect(result.stdout).not.toMatch(/\n\s+at |node:internal/);
  }, 120_000);
});
