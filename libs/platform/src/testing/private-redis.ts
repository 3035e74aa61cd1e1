import { spawn, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { freePort } from './stack.js';
import { privateRedisServerArguments, redisAnswers } from '../redis/index.js';

/**
 * A redis-server of one test's own, on a free loopback port, keeping nothing on disk: tests can stop and
 * restart it (an outage, with the data lost as a Redis without persistence loses it) without touching the
 * Redis other projects share. Needs `redis-server` on PATH.
 */
export class PrivateRedis {
  /** Everything redis-server printed, for failure messages. */
  readonly output: string[] = [];
  private child: ChildProcess | null = null;

  private constructor(readonly port: number) {}

  static async start(): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freePort());
    await redis.start();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts redis-server on this instance's port (again) and resolves once it answers PING. */
  async start(timeoutMs = 10_000): Promise<void> {
    if (this.running) {
      return;
    }
    const child = spawn('redis-server', privateRedisServerArguments(this.port), {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    let spawnError: Error | null = null;
    child.on('error', (error) => (spawnError = error));
    for (const stream of [child.stdout!, child.stderr!]) {
      stream.on('data', (chunk: Buffer) => this.output.push(...chunk.toString().split('\n').filter(Boolean)));
    }
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (spawnError || child.exitCode !== null) {
        this.child = null;
        throw new Error(
          `redis-server on port ${this.port} did not start: ${String(spawnError ?? `exit ${child.exitCode}`)}\n${this.output.slice(-10).join('\n')}`,
        );
      }
      if (await redisAnswers(this.url, 500)) {
        return;
      }
      if (Date.now() > deadline) {
        await this.stop();
        throw new Error(
          `redis-server on port ${this.port} did not answer within ${timeoutMs} ms\n${this.output.slice(-10).join('\n')}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Stops redis-server (SIGTERM, SIGKILL after 5 s) and resolves once it exited; its data is gone. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) {
      return;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }

  /** An outage: stop, then start again on the same port. */
  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** A short-lived client for assertions (e.g. XINFO); the caller disconnects it. */
  client(): Redis {
    const client = new Redis(this.url, {
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      lazyConnect: true,
    });
    client.on('error', () => undefined);
    return client;
  }
}
