import { Field, ID, InputType, Int, ObjectType } from '@nestjs/graphql';
import { JSONScalar, connectionType } from '@cartograph/platform/graphql';

@ObjectType({ description: 'Where and which events to POST. The signing secret is shown once, at creation.' })
export class WebhookSubscription {
  @Field(() => ID)
  id: string;

  @Field()
  url: string;

  @Field(() => String, { nullable: true })
  description: string | null;

  @Field(() => [String], { description: 'Event types delivered; empty means all.' })
  eventTypes: string[];

  @Field(() => String, {
    nullable: true,
    description: 'Subject glob (`*` wildcard); null means any subject.',
  })
  subjectFilter: string | null;

  @Field({ description: 'Last characters of the signing secret.' })
  secretHint: string;

  @Field()
  active: boolean;

  @Field()
  createdAt: Date;

  @Field()
  updatedAt: Date;
}

export const WebhookSubscriptionConnection = connectionType(WebhookSubscription, 'WebhookSubscription');

@ObjectType()
export class CreatedWebhookSubscription {
  @Field(() => WebhookSubscription)
  subscription: WebhookSubscription;

  @Field({ description: 'HMAC-SHA256 signing secret. Store it now: it is not shown again.' })
  secret: string;
}

@ObjectType({ description: 'One event sent (or being sent) to one subscription.' })
export class WebhookDelivery {
  @Field(() => ID)
  id: string;

  @Field(() => ID)
  subscriptionId: string;

  @Field(() => ID)
  eventId: string;

  @Field()
  eventType: string;

  @Field({ description: 'pending, delivered or failed (after the last retry).' })
  status: string;

  @Field(() => Int)
  attempts: number;

  @Field(() => Int, { nullable: true })
  lastStatusCode: number | null;

  @Field(() => String, { nullable: true })
  lastError: string | null;

  @Field(() => Int, { nullable: true })
  lastDurationMs: number | null;

  @Field()
  createdAt: Date;

  @Field(() => Date, { nullable: true })
  deliveredAt: Date | null;

  @Field(() => JSONScalar, { description: 'The CloudEvents body that was sent.' })
  payload: unknown;
}

export const WebhookDeliveryConnection = connectionType(WebhookDelivery, 'WebhookDelivery');

@InputType()
export class CreateWebhookSubscriptionInput {
  @Field()
  url: string;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => [String], { nullable: true })
  eventTypes?: string[] | null;

  @Field(() => String, { nullable: true })
  subjectFilter?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Your own secret (at least 24 characters); generated when absent.',
  })
  secret?: string | null;
}

@InputType()
export class UpdateWebhookSubscriptionInput {
  @Field(() => String, { nullable: true })
  url?: string | null;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => [String], { nullable: true })
  eventTypes?: string[] | null;

  @Field(() => String, { nullable: true })
  subjectFilter?: string | null;

  @Field(() => Boolean, { nullable: true })
  active?: boolean | null;
}
