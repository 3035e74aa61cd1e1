import { Args, Context, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { RequireRole, type SubgraphContext } from '@cartograph/platform/graphql';
import {
  CreateWebhookSubscriptionInput,
  CreatedWebhookSubscription,
  UpdateWebhookSubscriptionInput,
  WebhookDelivery,
  WebhookDeliveryConnection,
  WebhookSubscription,
  WebhookSubscriptionConnection,
} from './webhook.model.js';
import { WebhooksService } from './webhooks.service.js';

@Resolver(() => WebhookSubscription)
@RequireRole('admin')
export class WebhooksResolver {
  constructor(private readonly webhooks: WebhooksService) {}

  @Query(() => WebhookSubscriptionConnection)
  webhookSubscriptions(
    @Args('first', { type: () => Int, nullable: true, defaultValue: 50 }) first: number,
    @Args('after', { type: () => String, nullable: true }) after: string | null,
  ) {
    return this.webhooks.list(first, after);
  }

  @Query(() => WebhookDeliveryConnection, {
    description: 'The delivery log of one subscription, newest first.',
  })
  webhookDeliveries(
    @Args('subscriptionId', { type: () => ID }) subscriptionId: string,
    @Args('first', { type: () => Int, nullable: true, defaultValue: 50 }) first: number,
    @Args('after', { type: () => String, nullable: true }) after: string | null,
  ) {
    return this.webhooks.deliveries(subscriptionId, first, after);
  }

  @Mutation(() => CreatedWebhookSubscription)
  createWebhookSubscription(
    @Args('input') input: CreateWebhookSubscriptionInput,
    @Context() context: SubgraphContext,
  ) {
    return this.webhooks.create(input, `${context.identity.kind}:${context.identity.subject}`);
  }

  @Mutation(() => WebhookSubscription)
  updateWebhookSubscription(
    @Args('id', { type: () => ID }) id: string,
    @Args('input') input: UpdateWebhookSubscriptionInput,
  ) {
    return this.webhooks.update(id, input);
  }

  @Mutation(() => Boolean)
  deleteWebhookSubscription(@Args('id', { type: () => ID }) id: string) {
    return this.webhooks.delete(id);
  }

  @Mutation(() => WebhookDelivery, {
    description: 'Sends a signed `webhook.ping` now and returns the result.',
  })
  testWebhookSubscription(@Args('id', { type: () => ID }) id: string) {
    return this.webhooks.ping(id);
  }
}
