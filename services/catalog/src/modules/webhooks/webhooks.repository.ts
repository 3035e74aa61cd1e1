import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { CloudEvent } from '@cartograph/contracts';
import { WebhookDeliveryEntity } from './webhook-delivery.entity.js';
import { WebhookSubscriptionEntity } from './webhook-subscription.entity.js';

@Injectable()
export class WebhooksRepository {
  constructor(private readonly dataSource: DataSource) {}

  private get subscriptions() {
    return this.dataSource.getRepository(WebhookSubscriptionEntity);
  }

  private get deliveries() {
    return this.dataSource.getRepository(WebhookDeliveryEntity);
  }

  insertSubscription(values: Partial<WebhookSubscriptionEntity>): Promise<WebhookSubscriptionEntity> {
    return this.subscriptions.save(this.subscriptions.create(values));
  }

  findSubscription(id: string): Promise<WebhookSubscriptionEntity | null> {
    return this.subscriptions.findOneBy({ id });
  }

  async updateSubscription(id: string, values: Partial<WebhookSubscriptionEntity>): Promise<void> {
    await this.subscriptions.update({ id }, values);
  }

  async deleteSubscription(id: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await manager.delete(WebhookDeliveryEntity, { subscriptionId: id });
      await manager.delete(WebhookSubscriptionEntity, { id });
    });
  }

  /** Takes the caller's transaction: a second connection inside it would deadlock on embedded PGlite. */
  activeSubscriptions(manager: EntityManager): Promise<WebhookSubscriptionEntity[]> {
    return manager.getRepository(WebhookSubscriptionEntity).findBy({ active: true });
  }

  async listSubscriptions(after: string | null, limit: number): Promise<{ rows: WebhookSubscriptionEntity[]; totalCount: number }> {
    const builder = this.subscriptions.createQueryBuilder('subscription');
    const totalCount = await builder.getCount();
    if (after) {
      builder.where('subscription.id > :after', { after });
    }
    return { rows: await builder.orderBy('subscription.id', 'ASC').limit(limit).getMany(), totalCount };
  }

  /** Inserts one pending delivery per subscription; the unique index makes a redelivered event a no-op. */
  async insertDeliveries(manager: EntityManager, event: CloudEvent, subscriptionIds: string[]): Promise<string[]> {
    if (subscriptionIds.length === 0) {
      return [];
    }
    const rows: { id: string }[] = await manager.query(
      `INSERT INTO "catalog"."webhook_delivery" ("subscription_id", "event_id", "event_type", "payload")
       SELECT unnest($1::uuid[]), $2, $3, $4::jsonb
       ON CONFLICT ("subscription_id", "event_id") DO NOTHING
       RETURNING "id"`,
      [subscriptionIds, event.id, event.type, JSON.stringify(event)],
    );
    return rows.map((row) => row.id);
  }

  insertDelivery(values: Partial<WebhookDeliveryEntity>): Promise<WebhookDeliveryEntity> {
    return this.deliveries.save(this.deliveries.create(values));
  }

  findDelivery(id: string): Promise<WebhookDeliveryEntity | null> {
    return this.deliveries.findOneBy({ id });
  }

  async recordAttempt(
    id: string,
    attempt: { status: 'pending' | 'delivered' | 'failed'; statusCode: number | null; error: string | null; durationMs: number },
  ): Promise<void> {
    await this.deliveries
      .createQueryBuilder()
      .update()
      .set({
        status: attempt.status,
        attempts: () => '"attempts" + 1',
        lastStatusCode: attempt.statusCode,
        lastError: attempt.error,
        lastDurationMs: attempt.durationMs,
        deliveredAt: attempt.status === 'delivered' ? new Date() : null,
      })
      .where('id = :id', { id })
      .execute();
  }

  async markFailed(id: string): Promise<void> {
    await this.deliveries.update({ id, status: 'pending' }, { status: 'failed' });
  }

  /** Deliveries whose job may have been lost with Redis: Postgres, not the queue, is the source of truth. */
  async stalePendingDeliveryIds(olderThanSeconds: number, limit: number): Promise<string[]> {
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT "id" FROM "catalog"."webhook_delivery"
        WHERE "status" = 'pending' AND "created_at" < now() - make_interval(secs => $1)
        ORDER BY "created_at" LIMIT $2`,
      [olderThanSeconds, limit],
    );
    return rows.map((row) => row.id);
  }

  async listDeliveries(
    subscriptionId: string,
    before: { createdAt: string; id: string } | null,
    limit: number,
  ): Promise<{ rows: WebhookDeliveryEntity[]; totalCount: number }> {
    const builder = this.deliveries.createQueryBuilder('delivery').where('delivery.subscriptionId = :subscriptionId', { subscriptionId });
    const totalCount = await builder.getCount();
    if (before) {
      builder.andWhere('(delivery.createdAt, delivery.id) < (:createdAt, :id)', before);
    }
    const rows = await builder.orderBy('delivery.createdAt', 'DESC').addOrderBy('delivery.id', 'DESC').limit(limit).getMany();
    return { rows, totalCount };
  }
}
