import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DeliverWebhook, type CloudEvent } from '@cartograph/contracts';
import { eventMatches } from '@cartograph/platform/events';
import {
  badUserInput,
  decodeCursor,
  notFound,
  pageSize,
  toConnection,
  type Connection,
} from '@cartograph/platform/graphql';
import { CONFIG } from '@cartograph/platform/nest';
import { JobQueue } from '@cartograph/platform/queue';
import { SecretBox, secretHint } from '@cartograph/platform/secrets';
import { checkEventTypes } from '../events/events.service.js';
import type { WebhookSubscriptionEntity } from './webhook-subscription.entity.js';
import type {
  CreateWebhookSubscriptionInput,
  UpdateWebhookSubscriptionInput,
  WebhookDelivery,
  WebhookSubscription,
} from './webhook.model.js';
import { SIGNATURE_HEADER, generateWebhookSecret, signWebhook } from './webhook-signature.js';
import { postWebhook } from './webhook.client.js';
import { WebhooksRepository } from './webhooks.repository.js';

export interface WebhookConfig {
  WEBHOOK_TIMEOUT_MS: number;
  WEBHOOK_ALLOW_PRIVATE_URLS: boolean;
}

const privateHost =
  /^(localhost|127\.|10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|169\.254\.|\[?::1\]?$|\[?f[cd])/i;

function toSubscription(entity: WebhookSubscriptionEntity): WebhookSubscription {
  const { secretCiphertext: _secretCiphertext, createdBy: _createdBy, ...visible } = entity;
  return visible;
}

@Injectable()
export class WebhooksService {
  private cache: { at: number; subscriptions: WebhookSubscriptionEntity[] } | null = null;

  constructor(
    private readonly webhooks: WebhooksRepository,
    private readonly secrets: SecretBox,
    private readonly jobs: JobQueue,
    @Inject(CONFIG) private readonly config: WebhookConfig,
  ) {}

  private checkUrl(url: string): void {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw badUserInput(`"url" is not a valid URL`, { argument: 'url' });
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
      throw badUserInput(`"url" must be http or https, not ${parsed.protocol}`, { argument: 'url' });
    }
    if (parsed.username || parsed.password) {
      throw badUserInput('"url" must not carry credentials; verify the signature header instead', {
        argument: 'url',
      });
    }
    if (!this.config.WEBHOOK_ALLOW_PRIVATE_URLS && privateHost.test(parsed.hostname)) {
      throw badUserInput('"url" points to a private address, which this installation does not allow', {
        argument: 'url',
      });
    }
  }

  private checkFilter(subjectFilter: string | null | undefined): void {
    if (subjectFilter != null && (subjectFilter.length === 0 || subjectFilter.length > 500)) {
      throw badUserInput('"subjectFilter" must have 1 to 500 characters', { argument: 'subjectFilter' });
    }
  }

  async create(
    input: CreateWebhookSubscriptionInput,
    createdBy: string,
  ): Promise<{ subscription: WebhookSubscription; secret: string }> {
    this.checkUrl(input.url);
    checkEventTypes(input.eventTypes, 'eventTypes');
    this.checkFilter(input.subjectFilter);
    if (input.secret != null && input.secret.length < 24) {
      throw badUserInput('"secret" must have at least 24 characters', { argument: 'secret' });
    }
    const secret = input.secret ?? generateWebhookSecret();
    const id = randomUUID();
    const entity = await this.webhooks.insertSubscription({
      id,
      url: input.url,
      description: input.description ?? null,
      eventTypes: input.eventTypes ?? [],
      subjectFilter: input.subjectFilter ?? null,
      secretCiphertext: this.secrets.encrypt(secret, { context: `webhook:${id}` }),
      secretHint: secretHint(secret) ?? '…',
      createdBy,
    });
    this.cache = null;
    return { subscription: toSubscription(entity), secret };
  }

  async update(id: string, input: UpdateWebhookSubscriptionInput): Promise<WebhookSubscription> {
    await this.require(id);
    if (input.url != null) {
      this.checkUrl(input.url);
    }
    checkEventTypes(input.eventTypes, 'eventTypes');
    this.checkFilter(input.subjectFilter);
    const changes: Partial<WebhookSubscriptionEntity> = {};
    if (input.url != null) changes.url = input.url;
    if (input.description !== undefined) changes.description = input.description;
    if (input.eventTypes != null) changes.eventTypes = input.eventTypes;
    if (input.subjectFilter !== undefined) changes.subjectFilter = input.subjectFilter;
    if (input.active != null) changes.active = input.active;
    await this.webhooks.updateSubscription(id, changes);
    this.cache = null;
    return toSubscription(await this.require(id));
  }

  async delete(id: string): Promise<boolean> {
    await this.require(id);
    await this.webhooks.deleteSubscription(id);
    this.cache = null;
    return true;
  }

  async list(
    first: number | null | undefined,
    after: string | null | undefined,
  ): Promise<Connection<WebhookSubscription>> {
    const limit = pageSize(first);
    const cursor = decodeCursor(after);
    const { rows, totalCount } = await this.webhooks.listSubscriptions(
      cursor ? String(cursor[0]) : null,
      limit + 1,
    );
    return toConnection(rows, limit, totalCount, (row) => [row.id], Boolean(cursor), toSubscription);
  }

  async deliveries(
    subscriptionId: string,
    first: number | null | undefined,
    after: string | null | undefined,
  ): Promise<Connection<WebhookDelivery>> {
    await this.require(subscriptionId);
    const limit = pageSize(first);
    const cursor = decodeCursor(after);
    const { rows, totalCount } = await this.webhooks.listDeliveries(
      subscriptionId,
      cursor ? { createdAt: String(cursor[0]), id: String(cursor[1]) } : null,
      limit + 1,
    );
    return toConnection(
      rows,
      limit,
      totalCount,
      (row) => [row.createdAt.toISOString(), row.id],
      Boolean(cursor),
    );
  }

  /** Sends a `webhook.ping` event now, once, and returns the recorded delivery with its status code. */
  async ping(subscriptionId: string): Promise<WebhookDelivery> {
    const subscription = await this.require(subscriptionId);
    const event: CloudEvent = {
      specversion: '1.0',
      id: randomUUID(),
      source: '/cartograph/catalog',
      type: 'webhook.ping',
      subject: subscription.id,
      time: new Date().toISOString(),
      datacontenttype: 'application/json',
      data: { message: 'Ping from Cartograph: this endpoint receives signed events.' },
    };
    const delivery = await this.webhooks.insertDelivery({
      subscriptionId,
      eventId: event.id,
      eventType: event.type,
      payload: event,
    });
    const outcome = await this.attempt(delivery.id, subscription, event, true);
    await this.webhooks.recordAttempt(delivery.id, outcome);
    return (await this.webhooks.findDelivery(delivery.id))!;
  }

  /** Called by the event consumer inside its transaction: one pending delivery per event and matching subscription, one insert for the batch; returns the new delivery ids. */
  async fanOut(manager: EntityManager, events: CloudEvent[]): Promise<string[]> {
    const subscriptions = await this.activeSubscriptions(manager);
    const pairs = events.flatMap((event) =>
      subscriptions
        .filter((subscription) =>
          eventMatches({ types: subscription.eventTypes, subject: subscription.subjectFilter }, event),
        )
        .map((subscription) => ({ subscriptionId: subscription.id, event })),
    );
    return this.webhooks.insertDeliveries(manager, pairs);
  }

  async enqueueDeliveries(deliveryIds: string[]): Promise<void> {
    if (deliveryIds.length > 0) {
      await this.jobs.enqueueMany(
        DeliverWebhook,
        deliveryIds.map((deliveryId) => ({ deliveryId })),
      );
    }
  }

  /** Re-enqueues deliveries whose job was lost (the job id dedupes those still queued). */
  async requeueStale(): Promise<number> {
    const ids = await this.webhooks.stalePendingDeliveryIds(60, 1_000);
    await this.enqueueDeliveries(ids);
    return ids.length;
  }

  /**
   * One delivery attempt from the job. Throws on failure so BullMQ retries with backoff; on the last
   * attempt the delivery is marked failed.
   */
  async deliver(deliveryId: string, isLastAttempt: boolean): Promise<'done' | 'skipped'> {
    // Performance: the delivery and its subscription in one query (was two entity lookups), as this runs per event.
    const found = await this.webhooks.findDeliveryForAttempt(deliveryId);
    if (!found || found.status !== 'pending') {
      return 'skipped';
    }
    const subscription = found.subscription;
    if (!subscription || !subscription.active) {
      await this.webhooks.markFailed(deliveryId);
      return 'skipped';
    }
    const outcome = await this.attempt(deliveryId, subscription, found.payload as CloudEvent, isLastAttempt);
    await this.webhooks.recordAttempt(deliveryId, outcome);
    if (outcome.status !== 'delivered') {
      throw new Error(`Webhook answered ${outcome.statusCode ?? outcome.error}`);
    }
    return 'done';
  }

  private async attempt(
    deliveryId: string,
    subscription: Pick<WebhookSubscriptionEntity, 'id' | 'url' | 'secretCiphertext'>,
    event: CloudEvent,
    isLastAttempt: boolean,
  ): Promise<{
    status: 'pending' | 'delivered' | 'failed';
    statusCode: number | null;
    error: string | null;
    durationMs: number;
  }> {
    const secret = this.secrets.decrypt(subscription.secretCiphertext, {
      context: `webhook:${subscription.id}`,
    });
    const body = JSON.stringify(event);
    const result = await postWebhook(
      subscription.url,
      body,
      {
        [SIGNATURE_HEADER]: signWebhook(secret, body, Math.floor(Date.now() / 1000)),
        'cartograph-event-id': event.id,
        'cartograph-event-type': event.type,
        'cartograph-delivery-id': deliveryId,
      },
      this.config.WEBHOOK_TIMEOUT_MS,
    );
    const delivered = result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300;
    return {
      status: delivered ? 'delivered' : isLastAttempt ? 'failed' : 'pending',
      statusCode: result.statusCode,
      error: result.error,
      durationMs: result.durationMs,
    };
  }

  private async activeSubscriptions(manager: EntityManager): Promise<WebhookSubscriptionEntity[]> {
    // Short cache: fan-out runs per event, subscriptions change rarely (and clear it here when they do).
    if (!this.cache || Date.now() - this.cache.at > 5_000) {
      this.cache = { at: Date.now(), subscriptions: await this.webhooks.activeSubscriptions(manager) };
    }
    return this.cache.subscriptions;
  }

  private async require(id: string): Promise<WebhookSubscriptionEntity> {
    const subscription = await this.webhooks.findSubscription(id);
    if (!subscription) {
      throw notFound(`Webhook subscription ${id}`);
    }
    return subscription;
  }
}
