import { privateRedisServerArguments, redisAnswers } from '@cartograph/platform/redis';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { freePort } from './embedded-postgres.js';

/** The one-paragraph error of DESIGN §2; `address` is the local Redis that was probed. */
export function redisMissingMessage(address = '127.0.0.1:6379'): string {
  return (
    `Cartograph needs Redis (queues and the event stream) and found none: REDIS_URL is not set, nothing answers on ` +
    `${address}, and there is no redis-server on your PATH to start a private one. Install Redis 7 or later ` +
    '(Debian/Ubuntu: "sudo apt-get install redis-server"; macOS: "brew install redis"; or "docker run -p 6379:6379 ' +
    'redis:7"), or point REDIS_URL at a Redis you already run, then run "npm start" again.'
  );
}

export const REDIS_MISSING_MESSAGE = redisMissingMessage();

export interface EmbeddedRedis {
  url: string;
  stop(): Promise<void>;
}

export function redisServerAvailable(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** A private redis-server on a free port, keeping nothing on disk, bound to loopback only. */
export async function startEmbeddedRedis(): Promise<EmbeddedRedis> {
  const port = await freePort();
  const child: ChildProcess = spawn('redis-server', privateRedisServerArguments(port), { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}`;
  const deadline = Date.now() + 5_000;
  while (!(await redisAnswers(url, 500))) {
    if (Date.now() > deadline) {
      child.kill();
      throw new Error(`redis-server did not start on port ${port}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url,
    async stop() {
      child.kill('SIGTERM');
    },
  };
}
