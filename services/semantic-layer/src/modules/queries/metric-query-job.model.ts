import { Field, ID, Int, ObjectType } from '@nestjs/graphql';

@ObjectType('MetricQueryJobError')
export class MetricQueryJobError {
  @Field({
    description:
      'FORBIDDEN, BAD_USER_INPUT, UPSTREAM_QUERY_FAILED, UPSTREAM_UNAVAILABLE (also after a timeout), UPSTREAM_AUTH_FAILED, …',
  })
  code: string;

  @Field()
  message: string;
}

@ObjectType('MetricQueryJob', {
  description:
    'A metric query running in the background. Poll metricQueryJob(id), or subscribe to events(types: ["semantic_layer.query.finished"], subject: "semantic-layer/queries/<id>").',
})
export class MetricQueryJob {
  @Field(() => ID)
  id: string;

  @Field(() => ID)
  connectionId: string;

  @Field({ description: 'QUEUED, RUNNING, SUCCEEDED, FAILED, FORBIDDEN or TIMED_OUT.' })
  status: string;

  @Field(() => Int, { nullable: true })
  rowCount: number | null;

  @Field(() => MetricQueryJobError, { nullable: true })
  error: MetricQueryJobError | null;

  @Field()
  createdAt: Date;

  @Field(() => Date, { nullable: true })
  startedAt: Date | null;

  @Field(() => Date, { nullable: true })
  finishedAt: Date | null;
}
