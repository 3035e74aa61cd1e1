import type { JobContract, JobInput } from '@cartograph/contracts';

export interface JobContext {
  jobId: string;
  attempt: number;
  /** Reports progress (0-100 or an object) to BullMQ, visible in queue dashboards. */
  progress(value: number | object): Promise<void>;
}

export type JobOutcome = 'done' | 'skipped';

export interface JobHandler<Contract extends JobContract = JobContract> {
  readonly contract: Contract;
  handle(input: JobInput<Contract>, context: JobContext): Promise<JobOutcome>;
}

/** Declares the handler of one contract; the worker refuses to boot without exactly one per contract. */
export function jobHandler<Contract extends JobContract>(
  contract: Contract,
  handle: (input: JobInput<Contract>, context: JobContext) => Promise<JobOutcome>,
): JobHandler<Contract> {
  return { contract, handle };
}
