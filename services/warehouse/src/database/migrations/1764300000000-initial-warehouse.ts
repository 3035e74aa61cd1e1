import type { MigrationInterface, QueryRunner } from 'typeorm';
import { outboxTablesDown, outboxTablesUp } from '@cartograph/platform/events';

export class InitialWarehouse1764300000000 implements MigrationInterface {
  name = 'InitialWarehouse1764300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "warehouse"."connection" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" text NOT NULL, "platform" text NOT NULL, "instance" text NOT NULL, "settings" jsonb NOT NULL, "credentials_ciphertext" text NOT NULL, "credential_hints" jsonb NOT NULL DEFAULT '{}', "include_databases" text array NOT NULL DEFAULT '{}', "exclude_databases" text array NOT NULL DEFAULT '{}', "include_schemas" text array NOT NULL DEFAULT '{}', "exclude_schemas" text array NOT NULL DEFAULT '{}', "crawl_enabled" boolean NOT NULL DEFAULT true, "history_enabled" boolean NOT NULL DEFAULT true, "history_lookback_hours" integer NOT NULL DEFAULT '168', "history_overlap_minutes" integer NOT NULL DEFAULT '60', "history_watermark" TIMESTAMP WITH TIME ZONE, "schedule" jsonb NOT NULL, "last_error" jsonb, "last_sync_at" TIMESTAMP WITH TIME ZONE, "created_by" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_40aa09f28e6d4396e448886f6a7" UNIQUE ("name"), CONSTRAINT "PK_be611ce8b8cf439091c82a334b2" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "warehouse"."warehouse_table" ("connection_id" uuid NOT NULL, "dataset_id" text NOT NULL, "database" text NOT NULL, "schema" text NOT NULL, "name" text NOT NULL, "kind" text NOT NULL, "comment" text, "columns" jsonb NOT NULL, "row_count" bigint, "bytes" bigint, "view_definition" text, "created_in_warehouse_at" TIMESTAMP WITH TIME ZONE, "altered_at" TIMESTAMP WITH TIME ZONE, "content_hash" text NOT NULL, "crawled_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_1b84bd88c4dd54830343f511fa7" PRIMARY KEY ("connection_id", "dataset_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "warehouse_table_dataset_idx" ON "warehouse"."warehouse_table"  ("dataset_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "warehouse"."dataset_usage" ("dataset_id" text NOT NULL, "day" date NOT NULL, "user" text NOT NULL, "connection_id" uuid NOT NULL, "reads" bigint NOT NULL DEFAULT '0', "writes" bigint NOT NULL DEFAULT '0', CONSTRAINT "PK_62917f1f86965978f791f937037" PRIMARY KEY ("dataset_id", "day", "user", "connection_id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "warehouse"."history_seen" ("connection_id" uuid NOT NULL, "query_id" text NOT NULL, "started_at" TIMESTAMP WITH TIME ZONE NOT NULL, "calls" bigint, CONSTRAINT "PK_765a019cd0a4772f998d07a8474" PRIMARY KEY ("connection_id", "query_id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "warehouse"."query_dataset" ("connection_id" uuid NOT NULL, "query_key" text NOT NULL, "dataset_id" text NOT NULL, "role" text NOT NULL, CONSTRAINT "PK_72868b17dc720b8fdca4f3af789" PRIMARY KEY ("connection_id", "query_key", "dataset_id", "role"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "query_dataset_dataset_idx" ON "warehouse"."query_dataset"  ("dataset_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "warehouse"."warehouse_query" ("connection_id" uuid NOT NULL, "query_key" text NOT NULL, "fingerprint" text NOT NULL, "sample_text" text NOT NULL, "sample_truncated" boolean NOT NULL DEFAULT false, "statement_type" text NOT NULL, "sources" text array NOT NULL DEFAULT '{}', "targets" text array NOT NULL DEFAULT '{}', "columns" jsonb NOT NULL DEFAULT '[]', "attribution" jsonb, "lineage_origin" text NOT NULL, "error_reason" text, "error_message" text, "executions" bigint NOT NULL DEFAULT '0', "users" text array NOT NULL DEFAULT '{}', "first_seen_at" TIMESTAMP WITH TIME ZONE NOT NULL, "last_seen_at" TIMESTAMP WITH TIME ZONE NOT NULL, "total_duration_ms" bigint, CONSTRAINT "PK_4b1aa11429efd05f3691fc200a6" PRIMARY KEY ("connection_id", "query_key"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "warehouse"."column_edge" ("scope" text NOT NULL, "upstream_id" bigint NOT NULL, "upstream_column" text NOT NULL, "downstream_id" bigint NOT NULL, "downstream_column" text NOT NULL, "last_seen_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_00f4f2aadc7c013a84659e08f70" PRIMARY KEY ("scope", "upstream_id", "upstream_column", "downstream_id", "downstream_column"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "column_edge_downstream_idx" ON "warehouse"."column_edge"  ("downstream_id", "downstream_column") `,
    );
    await queryRunner.query(
      `CREATE INDEX "column_edge_upstream_idx" ON "warehouse"."column_edge"  ("upstream_id", "upstream_column") `,
    );
    await queryRunner.query(
      `CREATE TABLE "warehouse"."lineage_edge" ("scope" text NOT NULL, "upstream_id" bigint NOT NULL, "downstream_id" bigint NOT NULL, "origin" text NOT NULL, "first_seen_at" TIMESTAMP WITH TIME ZONE NOT NULL, "last_seen_at" TIMESTAMP WITH TIME ZONE NOT NULL, "executions" bigint NOT NULL DEFAULT '0', "query_keys" text array NOT NULL DEFAULT '{}', "users" text array NOT NULL DEFAULT '{}', CONSTRAINT "PK_1d56c5557c5a61930702b8dc665" PRIMARY KEY ("scope", "upstream_id", "downstream_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "lineage_edge_downstream_idx" ON "warehouse"."lineage_edge"  ("downstream_id", "upstream_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "lineage_edge_upstream_idx" ON "warehouse"."lineage_edge"  ("upstream_id", "downstream_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "warehouse"."lineage_node" ("id" BIGSERIAL NOT NULL, "dataset_id" text NOT NULL, CONSTRAINT "UQ_41b4e16e9f70cfea418546f563e" UNIQUE ("dataset_id"), CONSTRAINT "PK_bcc77ecfce3e0a283d7dc747a29" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "warehouse"."observed_edge_batch" ("observation_id" text NOT NULL, "batch_index" integer NOT NULL, "batch_count" integer NOT NULL, "scope" text NOT NULL, "edges" jsonb NOT NULL, "observed_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_9968e27872078bc0d5b0703df5f" PRIMARY KEY ("observation_id", "batch_index"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "warehouse"."sync_run" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "connection_id" uuid NOT NULL, "state" text NOT NULL DEFAULT 'queued', "trigger" text NOT NULL, "cursor" jsonb NOT NULL DEFAULT '{}', "counts" jsonb NOT NULL DEFAULT '{}', "error" jsonb, "problems" jsonb NOT NULL DEFAULT '[]', "queued_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "started_at" TIMESTAMP WITH TIME ZONE, "finished_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_ab1387853fd86ea904a21058b01" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "sync_run_connection_idx" ON "warehouse"."sync_run"  ("connection_id", "queued_at") `,
    );
    for (const statement of outboxTablesUp('warehouse')) {
      await queryRunner.query(statement);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const statement of outboxTablesDown('warehouse')) {
      await queryRunner.query(statement);
    }
    await queryRunner.query(`DROP TABLE "warehouse"."connection"`);
    await queryRunner.query(`DROP TABLE "warehouse"."warehouse_table"`);
    await queryRunner.query(`DROP INDEX "warehouse"."warehouse_table_dataset_idx"`);
    await queryRunner.query(`DROP TABLE "warehouse"."dataset_usage"`);
    await queryRunner.query(`DROP TABLE "warehouse"."history_seen"`);
    await queryRunner.query(`DROP TABLE "warehouse"."query_dataset"`);
    await queryRunner.query(`DROP INDEX "warehouse"."query_dataset_dataset_idx"`);
    await queryRunner.query(`DROP TABLE "warehouse"."warehouse_query"`);
    await queryRunner.query(`DROP TABLE "warehouse"."column_edge"`);
    await queryRunner.query(`DROP INDEX "warehouse"."column_edge_downstream_idx"`);
    await queryRunner.query(`DROP INDEX "warehouse"."column_edge_upstream_idx"`);
    await queryRunner.query(`DROP TABLE "warehouse"."lineage_edge"`);
    await queryRunner.query(`DROP INDEX "warehouse"."lineage_edge_downstream_idx"`);
    await queryRunner.query(`DROP INDEX "warehouse"."lineage_edge_upstream_idx"`);
    await queryRunner.query(`DROP TABLE "warehouse"."lineage_node"`);
    await queryRunner.query(`DROP TABLE "warehouse"."observed_edge_batch"`);
    await queryRunner.query(`DROP TABLE "warehouse"."sync_run"`);
    await queryRunner.query(`DROP INDEX "warehouse"."sync_run_connection_idx"`);
  }
}
