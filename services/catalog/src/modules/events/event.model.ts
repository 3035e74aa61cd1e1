import { Field, ID, ObjectType } from '@nestjs/graphql';
import { JSONScalar, connectionType } from '@cartograph/platform/graphql';

@ObjectType({ description: 'A CloudEvents 1.0 event, as on the Redis Stream and in webhook bodies.' })
export class Event {
  @Field(() => ID)
  id: string;

  @Field({ description: '`/cartograph/<service>`.' })
  source: string;

  @Field({ description: 'e.g. `dataset.upserted`, `sync.completed`.' })
  type: string;

  @Field({ description: 'What it is about, e.g. a dataset id.' })
  subject: string;

  @Field()
  time: Date;

  @Field(() => JSONScalar, { nullable: true })
  data: unknown;
}

export const EventConnection = connectionType(Event, 'Event');
