import { z } from 'zod';
import { defineJob } from '@cartograph/contracts';
import { JobQueue, JobWorker, jobHandler } from '../src/queue/index.js';
import { createRedis } from '../src/redis/index.js';
import { eventually, testRedisPrefix, testRedisUrl } from '../src/testing/index.js';

const Greet = defineJob({
  name: 'demo.greet-user',
  queue: 'demo',
  schema: z.object({ userId: z.string().uuid(), loud: z.boolean().default(false) }),
  jobId: (payload) => `greet-${payload.userId}`,
  options: { attempts: 3, backoff: { type: 'fixed', delay: 10 } },
});

describe('typed job queue on real Redis', () => {
  const connection = createRedis({ url: testRedisUrl() });
  const prefix = testRedisPrefix('platform');
  const queue = new JobQueue({ connection, prefix });

  afterAll(async () => {
    await queue.close();
    connection.disconnect();
  });

  it('parses payloads at enqueue, dedupes by job id, and re-parses in the worker', async () => {
    await expect(queue.enqueue(Greet, { userId: 'not-a-uuid' })).rejects.toThrow();
    const userId = '7d0e5e4a-3c2b-4a8e-9f1d-2b6c8f0e1a11';
    const seen: unknown[] = [];
    let failuresLeft = 1;
    const workerConnection = createRedis({ url: testRedisUrl() });
    const worker = new JobWorker({
      connection: workerConnection,
      prefix,
      contracts: [Greet],
      handlers: [
        jobHandler(Greet, async (input, context) => {
          if (failuresLeft-- > 0) {
            throw new Error('transient');
          }
          seen.push({ ...input, attempt: context.attempt });
          return 'done';
        }),
      ],
    });
    await queue.enqueue(Greet, { userId });
    await queue.enqueue(Greet, { userId });
    worker.start();
    await eventually(async () => seen.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(seen).toEqual([{ userId, loud: false, attempt: 2 }]);
    await worker.stop();
    workerConnection.disconnect();
  });

  it('creates UTC cron schedulers and removes them for manual schedules', async () => {
    await queue.schedule(
      Greet,
      'nightly',
      { kind: 'daily' },
      { userId: '7d0e5e4a-3c2b-4a8e-9f1d-2b6c8f0e1a12' },
    );
    const schedulers = await queue.queue('demo').getJobSchedulers();
    expect(schedulers).toEqual([
      expect.objectContaining({ key: 'nightly', pattern: '0 0 * * *', tz: 'UTC' }),
    ]);
    await queue.schedule(
      Greet,
      'nightly',
      { kind: 'manual' },
      { userId: '7d0e5e4a-3c2b-4a8e-9f1d-2b6c8f0e1a12' },
    );
    expect(await queue.queue('demo').getJobSchedulers()).toEqual([]);
  });
});
