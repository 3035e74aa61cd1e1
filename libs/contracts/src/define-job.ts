import type { z } from 'zod';

export interface JobOptions {
  attempts?: number;
  backoff?: { type: 'exponential' | 'fixed'; delay: number; jitter?: number };
  /** Bounded so finished jobs cannot pile up in Redis: keep at most `count`, none older than `age` seconds. */
  removeOnComplete?: { count: number; age: number };
  removeOnFail?: { count: number; age: number };
  priority?: number;
  delay?: number;
}

/**
 * One object per job: the stable wire name, the queue, the payload schema and the options.
 * Enqueue and worker both parse with the schema, so a bad payload fails loudly at either end.
 */
export interface JobContract<Schema extends z.ZodType = z.ZodType> {
  /** `<service>.<verb>-<noun>`; never derived from a class name. */
  readonly name: string;
  /** One queue per service. */
  readonly queue: string;
  readonly schema: Schema;
  /** Deduplication key; omit for fan-out jobs that may repeat. */
  readonly jobId?: (payload: z.output<Schema>) => string;
  readonly options: JobOptions;
}

export type JobPayload<Contract extends JobContract> = z.input<Contract['schema']>;
export type JobInput<Contract extends JobContract> = z.output<Contract['schema']>;

export const defaultJobOptions: JobOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 2_000, jitter: 0.5 },
  // Bounded so finished jobs cannot pile up in Redis.
  removeOnComplete: { count: 1_000, age: 24 * 3_600 },
  removeOnFail: { count: 5_000, age: 7 * 24 * 3_600 },
};

export function defineJob<Schema extends z.ZodType>(
  contract: Omit<JobContract<Schema>, 'options'> & { options?: JobOptions },
): JobContract<Schema> {
  if (!/^[a-z][a-z0-9-]*\.[a-z][a-z0-9-]*$/.test(contract.name)) {
    throw new Error(`Job name "${contract.name}" must look like "<service>.<verb>-<noun>"`);
  }
  if (!contract.name.startsWith(`${contract.queue}.`)) {
    throw new Error(`Job "${contract.name}" must live on its service's queue, not "${contract.queue}"`);
  }
  return Object.freeze({ ...contract, options: { ...defaultJobOptions, ...contract.options } });
}
