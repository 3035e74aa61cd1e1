import type { MigrationInterface, QueryRunner } from 'typeorm';
import { outboxTablesDown, outboxTablesUp } from '@cartograph/platform/events';

export class InitialHex1764500000000 implements MigrationInterface {
  name = 'InitialHex1764500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "hex"."sync_run" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "connection_id" uuid NOT NULL, "state" text NOT NULL DEFAULT 'queued', "trigger" text NOT NULL, "cursor" jsonb NOT NULL DEFAULT '{}', "counts" jsonb NOT NULL DEFAULT '{}', "error" jsonb, "problems" jsonb NOT NULL DEFAULT '[]', "queued_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "started_at" TIMESTAMP WITH TIME ZONE, "finished_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_ab1387853fd86ea904a21058b01" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "sync_run_connection_idx" ON "hex"."sync_run"  ("connection_id", "queued_at")`,
    );
    await queryRunner.query(
      `CREATE TABLE "hex"."hex_connection" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" text NOT NULL, "host" text NOT NULL, "workspace_slug" text NOT NULL, "token_ciphertext" text NOT NULL, "token_hint" text NOT NULL, "token_type" text NOT NULL, "data_connections" jsonb NOT NULL DEFAULT '{}', "include_patterns" text array NOT NULL DEFAULT '{}', "exclude_patterns" text array NOT NULL DEFAULT '{}', "categories" text array NOT NULL DEFAULT '{}', "statuses" text array NOT NULL DEFAULT '{}', "include_components" boolean NOT NULL DEFAULT true, "include_archived" boolean NOT NULL DEFAULT false, "include_trashed" boolean NOT NULL DEFAULT false, "include_drafts" boolean NOT NULL DEFAULT true, "categories_as_tags" boolean NOT NULL DEFAULT true, "statuses_as_tags" boolean NOT NULL DEFAULT true, "collections_as_tags" boolean NOT NULL DEFAULT true, "include_owners" boolean NOT NULL DEFAULT true, "mark_deleted" boolean NOT NULL DEFAULT true, "full_sync_interval_hours" integer NOT NULL DEFAULT '24', "edited_checkpoint" TIMESTAMP WITH TIME ZONE, "last_full_sync_at" TIMESTAMP WITH TIME ZONE, "schedule" jsonb NOT NULL, "last_error" jsonb, "last_sync_at" TIMESTAMP WITH TIME ZONE, "created_by" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_a1b43550d437d12fe82c23f6ef8" UNIQUE ("name"), CONSTRAINT "PK_dd4e5be3101ada7d0f63ec9e2c1" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "hex"."hex_project" ("connection_id" uuid NOT NULL, "id" text NOT NULL, "title" text NOT NULL, "description" text, "type" text NOT NULL, "status" text, "categories" text array NOT NULL DEFAULT '{}', "collections" text array NOT NULL DEFAULT '{}', "tags" text array NOT NULL DEFAULT '{}', "creator_email" text, "hex_owner_email" text, "owner_email" text, "owner_name" text, "owner_source" text, "hex_created_at" TIMESTAMP WITH TIME ZONE, "last_edited_at" TIMESTAMP WITH TIME ZONE, "last_published_at" TIMESTAMP WITH TIME ZONE, "archived_at" TIMESTAMP WITH TIME ZONE, "trashed_at" TIMESTAMP WITH TIME ZONE, "app_views_all_time" integer NOT NULL DEFAULT '0', "app_views_last7_days" integer NOT NULL DEFAULT '0', "app_views_last14_days" integer NOT NULL DEFAULT '0', "app_views_last30_days" integer NOT NULL DEFAULT '0', "last_viewed_at" TIMESTAMP WITH TIME ZONE, "schedules" jsonb NOT NULL DEFAULT '[]', "url" text NOT NULL, "content_hash" text NOT NULL, "listed_by_sync_run_id" uuid, "first_seen_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "synced_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "removed_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_69c845d0ef50c722953e5d2cdce" PRIMARY KEY ("connection_id", "id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "hex_project_listing_idx" ON "hex"."hex_project"  ("connection_id", "title", "id")`,
    );
    await queryRunner.query(`CREATE INDEX "hex_project_id_idx" ON "hex"."hex_project"  ("id")`);
    await queryRunner.query(
      `CREATE TABLE "hex"."hex_user" ("connection_id" uuid NOT NULL, "id" text NOT NULL, "email" text NOT NULL, "name" text, "role" text, CONSTRAINT "PK_46b284f1ec9a06c25f7cc25bedd" PRIMARY KEY ("connection_id", "id"))`,
    );
    for (const statement of outboxTablesUp('hex')) {
      await queryRunner.query(statement);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const statement of outboxTablesDown('hex')) {
      await queryRunner.query(statement);
    }
    await queryRunner.query(`DROP TABLE "hex"."hex_user"`);
    await queryRunner.query(`DROP TABLE "hex"."hex_project"`);
    await queryRunner.query(`DROP TABLE "hex"."hex_connection"`);
    await queryRunner.query(`DROP TABLE "hex"."sync_run"`);
  }
}
