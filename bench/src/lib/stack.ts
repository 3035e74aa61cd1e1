import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import {
  freePort,
  repositoryRoot,
  runCartograph,
  ServiceProcess,
  TestStack,
} from '@cartograph/platform/testing';
import type { ScenarioContext } from '../scenario.js';
import { benchAdminUrl, databaseUrl, dropDatabase, ensureDatabase } from './database.js';
import { cpuPercentages, sampleCpu, type CpuGroup } from './process-cpu.js';

/** A stop that hangs (e.g. a pool waiting for a query that never returns) must not keep the others from running. */
const STEP_TIMEOUT_MS = 20_000;

/**
 * Things a scenario started, stopped in reverse order by `run()` whether the scenario succeeded or threw.
 * A failing stop is logged and the others still run. While steps are registered, Ctrl-C or SIGTERM runs them
 * before the benchmark exits, and child processes get SIGTERM if the benchmark process dies anyway (e.g. EPIPE
 * on a closed pipe), so no service outlives it.
 */
export class Cleanup {
  private readonly steps: { name: string; stop: () => Promise<unknown> }[] = [];
  private readonly children = new Set<() => (number | undefined)[]>();
  private running: Promise<void> | null = null;
  private readonly onSignal = (signal: NodeJS.Signals) => {
    this.context.log(`${signal}: stopping what the scenario started`);
    void this.run().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  private readonly onExit = () => {
    for (const pids of this.children) {
      for (const pid of pids()) {
        try {
          if (pid) process.kill(pid, 'SIGTERM');
        } catch {
          // already gone
        }
      }
    }
  };

  constructor(private readonly context: ScenarioContext) {}

  add(name: string, stop: () => Promise<unknown>): void {
    if (this.steps.length === 0) {
      process.once('SIGINT', this.onSignal);
      process.once('SIGTERM', this.onSignal);
      process.once('exit', this.onExit);
    }
    this.steps.push({ name, stop });
  }

  /** Child processes to SIGTERM synchronously if this process exits before `run()` stopped them. */
  addChildren(pids: () => (number | undefined)[]): void {
    this.children.add(pids);
  }

  /** Stops everything; a call while a stop is under way (a signal during the scenario's own cleanup) waits for it. */
  run(): Promise<void> {
    this.running ??= this.stopAll().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async stopAll(): Promise<void> {
    process.removeListener('SIGINT', this.onSignal);
    process.removeListener('SIGTERM', this.onSignal);
    const steps = this.steps.splice(0).reverse();
    for (const step of steps) {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          step.stop(),
          new Promise((_, reject) => {
            timer = setTimeout(
              () => reject(new Error(`timed out after ${STEP_TIMEOUT_MS / 1000} s`)),
              STEP_TIMEOUT_MS,
            );
          }),
        ]);
      } catch (error) {
        this.context.log(
          `cleanup: stopping ${step.name} failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      } finally {
        clearTimeout(timer);
      }
    }
    this.children.clear();
    process.removeListener('exit', this.onExit);
  }
}

/**
 * A database every service is migrated into by `cartograph migrate` (as `npm start` and the stack tests do).
 * `recreate` drops it first so the run starts from empty tables. An advisory lock, held until cleanup, makes a
 * second run on the same database fail at once instead of dropping the tables under the first one.
 */
export async function prepareStackDatabase(
  context: ScenarioContext,
  cleanup: Cleanup,
  name: string,
  options: { recreate?: boolean } = {},
): Promise<string> {
  const lock = new pg.Client({
    connectionString: benchAdminUrl(),
    application_name: 'cartograph-bench-lock',
  });
  await lock.connect();
  const locked = await lock.query<{ locked: boolean }>(
    `SELECT pg_try_advisory_lock(hashtext($1)) AS locked`,
    [`cartograph-bench:${name}`],
  );
  if (!locked.rows[0]?.locked) {
    await lock.end();
    throw new Error(`another benchmark run is using database ${name}; run one at a time`);
  }
  cleanup.add(`lock on ${name}`, () => lock.end());
  if (options.recreate) {
    await dropDatabase(name);
  }
  const created = await ensureDatabase(name);
  const url = databaseUrl(name);
  const started = performance.now();
  const result = await runCartograph(['migrate'], { ...process.env, DATABASE_URL: url });
  if (result.code !== 0) {
    throw new Error(`cartograph migrate failed (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  }
  context.log(
    `database ${name} ${created ? 'created' : 'exists'}; migrated in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  return url;
}

export interface BenchStackOptions {
  databaseUrl: string;
  /** Names the Redis prefix (`test:<project>:<random>`). */
  project: string;
  environment?: NodeJS.ProcessEnv;
  /** Writes a V8 CPU profile of each service process into this directory when it stops (`--cpu-prof`). */
  cpuProfileDirectory?: string;
  /**
   * Services to run besides the catalog (which TestStack always starts), e.g. `['dbt-artifacts']`: each as
   * `serve <name>` (process `<name>`) and, when its package.json declares a worker, `worker <name>` (process
   * `<name>-worker`). The gateway is told their URLs (SUBGRAPH_<NAME>_URL), so `/api/<name>/…` reaches them.
   */
  services?: string[];
}

interface ExtraService {
  name: string;
  port: number;
  /** null when the service has no worker. */
  workerPort: number | null;
}

/** Ports for the extra services, checked against services/<name>/package.json before anything starts. */
async function extraServices(names: string[]): Promise<ExtraService[]> {
  const services: ExtraService[] = [];
  for (const name of names) {
    if (name === 'catalog' || name === 'gateway') {
      throw new Error(`the bench stack always runs ${name}; list only the other services`);
    }
    const manifestPath = join(repositoryRoot(), 'services', name, 'package.json');
    if (!existsSync(manifestPath)) {
      throw new Error(`no service ${name} (${manifestPath} does not exist)`);
    }
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { cartograph?: { worker?: string } };
    services.push({
      name,
      port: await freePort(),
      workerPort: manifest.cartograph?.worker ? await freePort() : null,
    });
  }
  return services;
}

/** `SUBGRAPH_<NAME>_URL`, the variable the gateway reads to route to a subgraph (gateway.config.ts). */
function subgraphUrlVariable(name: string): string {
  return `SUBGRAPH_${name.toUpperCase().replace(/-/g, '_')}_URL`;
}

/**
 * Boots gateway, catalog API and catalog worker as separate processes (TestStack), then the API and worker of
 * each of `options.services`, and registers their shutdown, and the removal of the stack's Redis keys, with
 * `cleanup` before booting: `TestStack.start()` would lose the processes already spawned when a later one fails
 * to become ready, so the instance is kept and booted here. Every process ends up in `stack.processes`, so
 * `stack.stop()`, StackCpu and `stack.process(name).pid` cover the extra services too.
 */
export async function startBenchStack(
  context: ScenarioContext,
  cleanup: Cleanup,
  options: BenchStackOptions,
): Promise<TestStack> {
  const extras = await extraServices(options.services ?? []);
  const stack = new TestStack({
    project: options.project,
    databaseUrl: options.databaseUrl,
    // DATABASE_POOL_SIZE: the production default (TestStack's 4 is sized for many test files in parallel).
    environment: {
      LOG_LEVEL: 'warn',
      DATABASE_POOL_SIZE: '10',
      ...stackNodeOptions(options.cpuProfileDirectory),
      // The gateway routes by the supergraph's subgraph list; these point it at the ports chosen here.
      ...Object.fromEntries(
        extras.map((service) => [
          subgraphUrlVariable(service.name),
          `http://127.0.0.1:${service.port}/graphql`,
        ]),
      ),
      ...options.environment,
    },
  });
  cleanup.add('Redis keys of the stack', () =>
    deleteRedisKeys(stack.redisPrefix, stack.environment.REDIS_URL),
  );
  cleanup.add('stack', async () => {
    await stack.stop();
    context.log('stack stopped');
  });
  if (options.cpuProfileDirectory) {
    await mkdir(resolve(options.cpuProfileDirectory), { recursive: true });
    context.log(
      `CPU profiles of the stack's processes go to ${resolve(options.cpuProfileDirectory)} (written when they stop)`,
    );
  }
  const started = performance.now();
  cleanup.addChildren(() => stack.processes.map((process) => process.pid));
  // boot() is private in TypeScript only; calling it on our own instance keeps a handle for cleanup on failure.
  await (stack as unknown as { boot(): Promise<void> }).boot();
  // The gateway only reaches a subgraph when a request needs it, so the extra services may come up after it.
  const extraProcesses = extras.flatMap((service) => [
    new ServiceProcess(
      service.name,
      ['serve', service.name],
      { ...stack.environment, PORT: String(service.port) },
      `http://127.0.0.1:${service.port}/health/ready`,
    ),
    ...(service.workerPort === null
      ? []
      : [
          new ServiceProcess(
            `${service.name}-worker`,
            ['worker', service.name],
            { ...stack.environment, PORT: String(service.workerPort) },
            `http://127.0.0.1:${service.workerPort}/health/ready`,
          ),
        ]),
  ]);
  stack.processes.push(...extraProcesses);
  await Promise.all(extraProcesses.map((process) => process.start()));
  context.log(
    `stack up in ${((performance.now() - started) / 1000).toFixed(1)} s: gateway ${stack.gatewayUrl}, catalog ${stack.catalogUrl} ` +
      `(pids ${stack.processes.map((process) => `${process.name} ${process.pid}`).join(', ')})`,
  );
  return stack;
}

/**
 * Starts another `cartograph worker <service>` on the stack's database and Redis (a replica: it joins the event
 * consumer group, the BullMQ queues and the outbox relay). It is added to `stack.processes`, so `stack.stop()`
 * stops it and StackCpu measures it.
 */
export async function addWorkerReplica(
  stack: TestStack,
  service: string,
  name: string,
): Promise<ServiceProcess> {
  const port = await freePort();
  const replica = new ServiceProcess(
    name,
    ['worker', service],
    { ...stack.environment, PORT: String(port) },
    `http://127.0.0.1:${port}/health/ready`,
  );
  stack.processes.push(replica);
  await replica.start();
  return replica;
}

/**
 * NODE_OPTIONS of the service processes: the CPU-profile preload when asked for, plus `BENCH_STACK_NODE_OPTIONS`
 * from the environment (e.g. `--import=<file>` to try a patch or flag on the services without rebuilding them).
 */
function stackNodeOptions(cpuProfileDirectory: string | undefined): NodeJS.ProcessEnv {
  const flags = [
    cpuProfileDirectory ? `--import=${new URL('./cpu-profile-preload.js', import.meta.url).href}` : '',
    process.env.BENCH_STACK_NODE_OPTIONS ?? '',
  ].filter(Boolean);
  return {
    ...(flags.length > 0 ? { NODE_OPTIONS: flags.join(' ') } : {}),
    ...(cpuProfileDirectory ? { BENCH_CPU_PROFILE_DIR: resolve(cpuProfileDirectory) } : {}),
  };
}

/** Unlinks every key under `<prefix>:` (the event stream, BullMQ queues, caches the stack left behind). */
export async function deleteRedisKeys(prefix: string, url: string | undefined): Promise<number> {
  if (!prefix) {
    return 0;
  }
  const redis = new Redis(url ?? process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379', {
    maxRetriesPerRequest: 1,
    lazyConnect: true,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    let cursor = '0';
    let deleted = 0;
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) {
        deleted += await redis.unlink(...keys);
      }
    } while (cursor !== '0');
    return deleted;
  } finally {
    redis.disconnect();
  }
}

export interface CpuUsage {
  /** % of one core per group, plus `other`. */
  percent: Map<string, number>;
  wallSeconds: number;
}

/** CPU milliseconds a group used per unit of work (e.g. per request) during a phase. */
export function cpuMsPer(usage: CpuUsage, group: string, units: number): number {
  return (((usage.percent.get(group) ?? Number.NaN) / 100) * usage.wallSeconds * 1000) / Math.max(1, units);
}

/**
 * Measures how busy each process of the stack is during a phase: gateway, catalog API, catalog worker, the
 * Postgres backends serving the database, Redis, and this benchmark process (the load generator). Linux only
 * (/proc); elsewhere every group reads 0.
 */
export class StackCpu {
  private redisPid: number | null | undefined;

  constructor(
    private readonly stack: TestStack,
    private readonly databaseUrl: string,
  ) {}

  private async postgresBackends(): Promise<number[]> {
    const client = new pg.Client({ connectionString: this.databaseUrl });
    await client.connect();
    try {
      const result = await client.query<{ pid: number }>(
        `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
      );
      return result.rows.map((row) => row.pid);
    } finally {
      await client.end();
    }
  }

  private async redisServerPid(): Promise<number | null> {
    if (this.redisPid === undefined) {
      const redis = new Redis(this.stack.environment.REDIS_URL ?? 'redis://127.0.0.1:6379', {
        maxRetriesPerRequest: 1,
        lazyConnect: true,
      });
      redis.on('error', () => undefined);
      try {
        await redis.connect();
        const match = /process_id:(\d+)/.exec(await redis.info('server'));
        this.redisPid = match ? Number(match[1]) : null;
      } catch {
        this.redisPid = null;
      } finally {
        redis.disconnect();
      }
    }
    return this.redisPid;
  }

  async groups(): Promise<CpuGroup[]> {
    const redisPid = await this.redisServerPid();
    return [
      ...this.stack.processes.map((process) => ({
        name: process.name,
        pids: process.pid ? [process.pid] : [],
      })),
      { name: 'postgres', pids: await this.postgresBackends() },
      { name: 'redis', pids: redisPid ? [redisPid] : [] },
      { name: 'bench', pids: [process.pid] },
    ];
  }

  /**
   * Starts measuring; the returned function ends the phase and returns % of one core per group and the phase's
   * length. Postgres backends (and replicas) are listed again at the end: pools open connections lazily, and a
   * backend that started during the phase counts whole.
   */
  async start(): Promise<() => Promise<CpuUsage>> {
    const before = sampleCpu(await this.groups());
    return async () => {
      const after = sampleCpu(await this.groups());
      return { percent: cpuPercentages(before, after), wallSeconds: (after.at - before.at) / 1000 };
    };
  }
}
