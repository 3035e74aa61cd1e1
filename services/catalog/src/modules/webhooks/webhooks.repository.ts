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

  async listSubscriptions(
    after: string | null,
    limit: number,
  ): Promise<{ rows: WebhookSubscriptionEntity[]; totalCount: number }> {
    const builder = this.subscriptions.createQueryBuilder('subscription');
    const totalCount = await builder.getCount();
    if (after) {
      builder.where('subscription.id > :after', { after });
    }
    return { rows: await builder.orderBy('subscription.id', 'ASC').limit(limit).getMany(), totalCount };
  }

  /** One pending delivery per (event, subscription) pair, in one statement; the unique index makes a redelivered event a no-op. Returns the ids of the rows created, in order. */
  async insertDeliveries(
    manager: EntityManager,
    pairs: { subscriptionId: string; event: CloudEvent }[],
  ): Promise<string[]> {
    if (pairs.length === 0) {
      return [];
    }
    const rows: { id: string }[] = await manager.query(
      `INSERT INTO "catalog"."webhook_delivery" ("subscription_id", "event_id", "event_type", "payload")
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::jsonb[])
       ON CONFLICT ("subscription_id", "event_id") DO NOTHING
       RETURNING "id"`,
      [
        pairs.map((pair) => pair.subscriptionId),
        pairs.map((pair) => pair.event.id),
        pairs.map((pair) => pair.event.type),
        pairs.map((pair) => JSON.stringify(pair.event)),
      ],
    );
    return rows.map((row) => row.id);
  }

  insertDelivery(values: Partial<WebhookDeliveryEntity>): Promise<WebhookDeliveryEntity> {
    return this.deliveries.save(this.deliveries.create(values));
  }

  findDelivery(id: string): Promise<WebhookDeliveryEntity | null> {
    return this.deliveries.findOneBy({ id });
  }

  /** What one delivery attempt needs, in one query: the delivery's state and payload, and its subscription. */
  async findDeliveryForAttempt(id: string): Promise<{
    status: WebhookDeliveryEntity['status'];
    payload: unknown;
    subscription: Pick<WebhookSubscriptionEntity, 'id' | 'url' | 'secretCiphertext' | 'active'> | null;
  } | null> {
    const rows: {
      status: WebhookDeliveryEntity['status'];
      payload: unknown;
      subscription_id: string | null;
      url: string;
      secret_ciphertext: string;
      active: boolean;
    }[] = await this.dataSource.query(
      `SELECT d."status", d."payload", s."id" AS "subscription_id", s."url", s."secret_ciphertext", s."active"
           FROM "catalog"."webhook_delivery" d
           LEFT JOIN "catalog"."webhook_subscription" s ON s."id" = d."subscription_id"
          WHERE d."id" = $1`,
      [id],
    );
    const row = rows[0];
    if (!row) {
      return null;
    }
    return {
      status: row.status,
      payload: row.payload,
      subscription: row.subscription_id
        ? {
            id: row.subscription_id,
            url: row.url,
            secretCiphertext: row.secret_ciphertext,
            active: row.active,
          }
        : null,
    };
  }

  async recordAttempt(
    id: string,
    attempt: {
      status: 'pending' | 'delivered' | 'failed';
      statusCode: number | null;
      error: string | null;
      durationMs: number;
    },
  ): Promise<void> {
    // Plain SQL: it runs once per delivery, and the query builder cost more CPU than the statement itself.
    await this.dataSource.query(
      `UPDATE "catalog"."webhook_delivery"
          SET "status" = $2, "attempts" = "attempts" + 1, "last_status_code" = $3, "last_error" = $4,
              "last_duration_ms" = $5, "delivered_at" = $6
        WHERE "id" = $1`,
      [
        id,
        attempt.status,
        attempt.statusCode,
        attempt.error,
        attempt.durationMs,
        attempt.status === 'delivered' ? new Date() : null,
      ],
    );
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
    const builder = this.deliveries
      .createQueryBuilder('delivery')
      .where('delivery.subscriptionId = :subscriptionId', { subscriptionId });
    const totalCount = await builder.getCount();
    if (before) {
      builder.andWhere('(delivery.createdAt, delivery.id) < (:createdAt, :id)', before);
    }
    const rows = await builder
      .orderBy('delivery.createdAt', 'DESC')
      .addOrderBy('delivery.id', 'DESC')
      .limit(limit)
      .getMany();
    return { rows, totalCount };
  }
}
