import { Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { JobContract } from '@cartograph/contracts';
import type { JobHandler } from './job-handler.js';

export interface JobWorkerOptions {
  connection: ConnectionOptions;
  prefix: string;
  /** Every contract this worker is responsible for; each must have exactly one handler. */
  contracts: readonly JobContract[];
  handlers: readonly JobHandler[];
  concurrency?: number;
  onFailed?: (job: Job | undefined, error: Error) => void;
  onCompleted?: (job: Job, outcome: unknown) => void;
}

export class JobWorkerBootError extends Error {
  constructor(problems: string[]) {
    super(`Job worker cannot start:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'JobWorkerBootError';
  }
}

/** Fails at boot, not at 3 a.m., when a contract has no handler, two handlers, or a handler has no contract. */
export function checkHandlers(contracts: readonly JobContract[], handlers: readonly JobHandler[]): void {
  const problems: string[] = [];
  const known = new Set(contracts.map((contract) => contract.name));
  for (const contract of contracts) {
    const count = handlers.filter((handler) => handler.contract.name === contract.name).length;
    if (count === 0) {
      problems.push(`job "${contract.name}" has no handler`);
    } else if (count > 1) {
      problems.push(`job "${contract.name}" has ${count} handlers`);
    }
  }
  for (const handler of handlers) {
    if (!known.has(handler.contract.name)) {
      problems.push(`handler for "${handler.contract.name}" is not registered with this worker`);
    }
  }
  if (problems.length > 0) {
    throw new JobWorkerBootError(problems);
  }
}

/** One BullMQ worker per queue; payloads are parsed again with the contract schema before the handler runs. */
export class JobWorker {
  private readonly workers: Worker[] = [];

  constructor(private readonly options: JobWorkerOptions) {
    checkHandlers(options.contracts, options.handlers);
  }

  start(): void {
    const byName = new Map(this.options.handlers.map((handler) => [handler.contract.name, handler]));
    const queues = new Set(this.options.contracts.map((contract) => contract.queue));
    for (const queueName of queues) {
      const worker = new Worker(
        queueName,
        async (job: Job) => {
          const handler = byName.get(job.name);
          if (!handler) {
            throw new Error(`No handler for job "${job.name}" on queue "${queueName}"`);
          }
          const input = handler.contract.schema.parse(job.data);
          return handler.handle(input, {
            jobId: job.id ?? '',
            attempt: job.attemptsMade + 1,
            progress: (value) => job.updateProgress(value),
          });
        },
        {
          connection: this.options.connection,
          prefix: this.options.prefix,
          concurrency: this.options.concurrency ?? 4,
        },
      );
      worker.on('error', () => undefined);
      worker.on('failed', (job, error) => this.options.onFailed?.(job, error));
      worker.on('completed', (job, outcome) => this.options.onCompleted?.(job, outcome));
      this.workers.push(worker);
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.close()));
    this.workers.length = 0;
  }
}
