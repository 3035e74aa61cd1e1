import type { MigrationInterface, QueryRunner } from 'typeorm';
import { outboxTablesDown, outboxTablesUp } from '@cartograph/platform/events';

export class InitialCatalog1763856000000 implements MigrationInterface {
  name = 'InitialCatalog1763856000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // pg_trgm is a trusted extension: a database owner may create it without superuser.
    await queryRunner.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    await queryRunner.query(
      `CREATE TABLE "catalog"."api_key" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" text NOT NULL, "role" text NOT NULL, "key_hash" text NOT NULL, "hint" text NOT NULL, "created_by" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "expires_at" TIMESTAMP WITH TIME ZONE, "last_used_at" TIMESTAMP WITH TIME ZONE, "revoked_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "UQ_3c9751d2a6011ba13e27838105e" UNIQUE ("key_hash"), CONSTRAINT "PK_b1bd840641b8acbaad89c3d8d11" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "catalog"."dataset_sighting" ("dataset_id" text NOT NULL, "source" text NOT NULL, "kind" text NOT NULL, "description" text, "first_seen_at" TIMESTAMP WITH TIME ZONE NOT NULL, "last_seen_at" TIMESTAMP WITH TIME ZONE NOT NULL, "removed_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_6809cf994977fa7618eea8e064f" PRIMARY KEY ("dataset_id", "source"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "catalog"."dataset" ("id" text NOT NULL, "platform" text NOT NULL, "instance" text NOT NULL, "database" text, "schema" text, "name" text NOT NULL, "kind" text NOT NULL, "description" text, "description_source" text, "sources" text array NOT NULL DEFAULT '{}', "first_seen_at" TIMESTAMP WITH TIME ZONE NOT NULL, "last_seen_at" TIMESTAMP WITH TIME ZONE NOT NULL, "removed_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_36c1c67adb3d1dd69ae57f18913" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "dataset_name_idx" ON "catalog"."dataset" ("name")`);
    await queryRunner.query(
      `CREATE INDEX "dataset_search_idx" ON "catalog"."dataset" USING gin ((setweight(to_tsvector('simple'::regconfig, coalesce("name", '')), 'A') || setweight(to_tsvector('simple'::regconfig, coalesce("schema", '') || ' ' || coalesce("database", '') || ' ' || "platform"), 'B') || setweight(to_tsvector('english'::regconfig, coalesce("description", '')), 'C')))`,
    );
    await queryRunner.query(
      `CREATE INDEX "dataset_trigram_idx" ON "catalog"."dataset" USING gin (lower("name") gin_trgm_ops)`,
    );
    await queryRunner.query(
      `CREATE TABLE "catalog"."event_log" ("id" uuid NOT NULL, "type" text NOT NULL, "source" text NOT NULL, "subject" text NOT NULL, "time" TIMESTAMP WITH TIME ZONE NOT NULL, "data" jsonb NOT NULL, CONSTRAINT "PK_d8ccd9b5b44828ea378dd37e691" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "event_log_time_idx" ON "catalog"."event_log" ("time", "id")`);
    await queryRunner.query(
      `CREATE TABLE "catalog"."webhook_delivery" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "subscription_id" uuid NOT NULL, "event_id" uuid NOT NULL, "event_type" text NOT NULL, "payload" jsonb NOT NULL, "status" text NOT NULL DEFAULT 'pending', "attempts" integer NOT NULL DEFAULT '0', "last_status_code" integer, "last_error" text, "last_duration_ms" integer, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "delivered_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_b1ae290239a778f12399db91354" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "webhook_delivery_log_idx" ON "catalog"."webhook_delivery" ("subscription_id", "created_at")`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "webhook_delivery_once_idx" ON "catalog"."webhook_delivery" ("subscription_id", "event_id")`,
    );
    await queryRunner.query(
      `CREATE TABLE "catalog"."webhook_subscription" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "url" text NOT NULL, "description" text, "event_types" text array NOT NULL DEFAULT '{}', "subject_filter" text, "secret_ciphertext" text NOT NULL, "secret_hint" text NOT NULL, "active" boolean NOT NULL DEFAULT true, "created_by" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_b52cb4811c5ada4f42896c37ba8" PRIMARY KEY ("id"))`,
    );
    for (const statement of outboxTablesUp('catalog')) {
      await queryRunner.query(statement);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const statement of outboxTablesDown('catalog')) {
      await queryRunner.query(statement);
    }
    for (const table of [
      'webhook_subscription',
      'webhook_delivery',
      'event_log',
      'dataset',
      'dataset_sighting',
      'api_key',
    ]) {
      await queryRunner.query(`DROP TABLE "catalog"."${table}"`);
    }
  }
}
