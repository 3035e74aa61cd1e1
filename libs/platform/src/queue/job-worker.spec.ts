import { z } from 'zod';
import { defineJob } from '@cartograph/contracts';
import { jobHandler } from './job-handler.js';
import { JobWorkerBootError, checkHandlers } from './job-worker.js';

const First = defineJob({ name: 'demo.first-job', queue: 'demo', schema: z.object({ id: z.string() }) });
const Second = defineJob({ name: 'demo.second-job', queue: 'demo', schema: z.object({}) });
const handle = async () => 'done' as const;

describe('job worker boot check', () => {
  it('accepts exactly one handler per contract', () => {
    expect(() =>
      checkHandlers([First, Second], [jobHandler(First, handle), jobHandler(Second, handle)]),
    ).not.toThrow();
  });

  it('names every contract without a handler, with two, and handlers without a contract', () => {
    const Stray = defineJob({ name: 'demo.stray-job', queue: 'demo', schema: z.object({}) });
    expect(() =>
      checkHandlers(
        [First, Second],
        [jobHandler(First, handle), jobHandler(First, handle), jobHandler(Stray, handle)],
      ),
    ).toThrow(
      new JobWorkerBootError([
        'job "demo.first-job" has 2 handlers',
        'job "demo.second-job" has no handler',
        'handler for "demo.stray-job" is not registered with this worker',
      ]),
    );
  });

  it('rejects contracts with a wire name off their queue', () => {
    expect(() => defineJob({ name: 'other.job', queue: 'demo', schema: z.object({}) })).toThrow(
      /its service's queue/,
    );
  });
});
