import { Queue, type ConnectionOptions, type JobsOptions } from 'bullmq';
import type { JobContract, JobPayload } from '@cartograph/contracts';

export interface JobQueueOptions {
  connection: ConnectionOptions;
  /** Redis key prefix; tests use their own so projects can run in parallel. */
  prefix: string;
  /** Called on close: BullMQ does not close a connection it was given. */
  onClose?: () => void;
}

export type Schedule =
  | { kind: 'manual' }
  | { kind: 'hourly' | 'daily' | 'weekly'; startDate?: Date; endDate?: Date }
  | { kind: 'cron'; pattern: string; startDate?: Date; endDate?: Date };

const schedulePatterns: Record<'hourly' | 'daily' | 'weekly', string> = {
  hourly: '0 * * * *',
  daily: '0 0 * * *',
  weekly: '0 0 * * 1',
};

/** Typed enqueue: the payload is parsed with the contract's schema before it reaches Redis. */
export class JobQueue {
  private readonly queues = new Map<string, Queue>();

  constructor(private readonly options: JobQueueOptions) {}

  queue(name: string): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: this.options.connection, prefix: this.options.prefix });
      queue.on('error', () => undefined);
      this.queues.set(name, queue);
    }
    return queue;
  }

  async enqueue<Contract extends JobContract>(
    contract: Contract,
    payload: JobPayload<Contract>,
    overrides: Pick<JobsOptions, 'delay' | 'priority'> = {},
  ): Promise<string> {
    const data = contract.schema.parse(payload);
    const job = await this.queue(contract.queue).add(contract.name, data, {
      ...contract.options,
      ...overrides,
      jobId: contract.jobId?.(data),
    });
    return job.id ?? '';
  }

  async enqueueMany<Contract extends JobContract>(
    contract: Contract,
    payloads: JobPayload<Contract>[],
  ): Promise<void> {
    const jobs = payloads.map((payload) => {
      const data = contract.schema.parse(payload);
      return { name: contract.name, data, opts: { ...contract.options, jobId: contract.jobId?.(data) } };
    });
    await this.queue(contract.queue).addBulk(jobs);
  }

  /**
   * Creates or updates a recurring job (BullMQ job scheduler). Schedules are UTC.
   * `manual` removes the scheduler.
   */
  async schedule<Contract extends JobContract>(
    contract: Contract,
    schedulerId: string,
    schedule: Schedule,
    payload: JobPayload<Contract>,
  ): Promise<void> {
    const queue = this.queue(contract.queue);
    if (schedule.kind === 'manual') {
      await queue.removeJobScheduler(schedulerId);
      return;
    }
    const pattern = schedule.kind === 'cron' ? schedule.pattern : schedulePatterns[schedule.kind];
    const data = contract.schema.parse(payload);
    await queue.upsertJobScheduler(
      schedulerId,
      { pattern, tz: 'UTC', startDate: schedule.startDate, endDate: schedule.endDate },
      { name: contract.name, data, opts: { ...contract.options } },
    );
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((queue) => queue.close()));
    this.queues.clear();
    this.options.onClose?.();
  }
}
