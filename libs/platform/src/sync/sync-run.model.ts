import { Field, ID, ObjectType } from '@nestjs/graphql';
import { JSONScalar } from '../graphql/json.scalar.js';

type Constructor<T> = abstract new (...args: never[]) => T;

/** A sync run as every connection-managing subgraph shows it. */
export interface SyncRunView<ErrorView = { code: string; message: string }> {
  id: string;
  connectionId: string;
  state: string;
  trigger: string;
  counts: unknown;
  error: ErrorView | null;
  problems: unknown;
  queuedAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

/**
 * Builds a subgraph's `<Vendor>SyncRun` object type over the shared `sync_run` row: the same fields everywhere,
 * with the vendor's own error type and the words for its counts and problems. `abstract: true` gives a base to
 * extend with fields of its own (the subclass carries `@ObjectType(name)`).
 */
export function syncRunType<ErrorView>(options: {
  name: string;
  description: string;
  errorType: Constructor<ErrorView>;
  counts: string;
  problems: string;
  abstract?: boolean;
}): Constructor<SyncRunView<ErrorView>> {
  @ObjectType(options.name, { description: options.description, isAbstract: options.abstract ?? false })
  class SyncRunType implements SyncRunView<ErrorView> {
    @Field(() => ID)
    id: string;

    @Field()
    connectionId: string;

    @Field({ description: 'queued, running, succeeded or failed.' })
    state: string;

    @Field({ description: 'manual or schedule.' })
    trigger: string;

    @Field(() => JSONScalar, { description: options.counts })
    counts: unknown;

    @Field(() => options.errorType, { nullable: true })
    error: ErrorView | null;

    @Field(() => JSONScalar, { description: options.problems })
    problems: unknown;

    @Field()
    queuedAt: Date;

    @Field(() => Date, { nullable: true })
    startedAt: Date | null;

    @Field(() => Date, { nullable: true })
    finishedAt: Date | null;
  }
  return SyncRunType;
}
