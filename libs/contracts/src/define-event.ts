import type { z } from 'zod';

/** A CloudEvents 1.0 JSON envelope, as written to the Redis Stream and sent to webhooks. */
export interface CloudEvent<Data = unknown> {
  specversion: '1.0';
  id: string;
  /** `/cartograph/<service>`. */
  source: string;
  /** A contract's type, e.g. `dataset.upserted`. */
  type: string;
  /** What the event is about, e.g. a dataset id or a connection id; subscriptions filter on it. */
  subject: string;
  /** RFC 3339 time the change was committed. */
  time: string;
  datacontenttype: 'application/json';
  data: Data;
}

export interface EventContract<Schema extends z.ZodType = z.ZodType> {
  readonly type: string;
  readonly description: string;
  readonly schema: Schema;
  /** Derives the CloudEvents subject from the payload, so producers cannot forget it. */
  readonly subject: (data: z.output<Schema>) => string;
}

export type EventData<Contract extends EventContract> = z.output<Contract['schema']>;

export function defineEvent<Schema extends z.ZodType>(
  contract: EventContract<Schema>,
): EventContract<Schema> {
  if (!/^[a-z][a-z0-9_-]*(\.[a-z][a-z0-9_-]*)+$/.test(contract.type)) {
    throw new Error(`Event type "${contract.type}" must look like "<area>.<change>" in lower case`);
  }
  return Object.freeze(contract);
}
