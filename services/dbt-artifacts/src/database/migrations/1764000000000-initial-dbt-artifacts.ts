import type { MigrationInterface, QueryRunner } from 'typeorm';
import { outboxTablesDown, outboxTablesUp } from '@cartograph/platform/events';

export class InitialDbtArtifacts1764000000000 implements MigrationInterface {
  name = 'InitialDbtArtifacts1764000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "dbt_artifacts"."artifact_blob_chunk" ("sha256" text NOT NULL, "sequence" integer NOT NULL, "data" bytea NOT NULL, CONSTRAINT "PK_7dc94deb04e2db42b1146f3fec3" PRIMARY KEY ("sha256", "sequence"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "dbt_artifacts"."artifact_blob" ("sha256" text NOT NULL, "kind" text NOT NULL, "size" bigint NOT NULL, "stored_size" bigint NOT NULL, "chunk_count" integer NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_364defb850fd6527507070b7431" PRIMARY KEY ("sha256"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "dbt_artifacts"."artifact_set" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "fingerprint" text NOT NULL, "project_id" uuid, "state" text NOT NULL DEFAULT 'queued', "origin" text NOT NULL, "origin_reference" text, "requested_project" text, "requested_instance" text, "files" jsonb NOT NULL, "invocation_id" text, "dbt_version" text, "generated_at" TIMESTAMP WITH TIME ZONE, "dbt_cloud" jsonb, "warnings" jsonb NOT NULL DEFAULT '[]', "error" jsonb, "counts" jsonb NOT NULL DEFAULT '{}', "row_writes" integer NOT NULL DEFAULT '0', "attempts" integer NOT NULL DEFAULT '0', "created_by" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "started_at" TIMESTAMP WITH TIME ZONE, "finished_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_6d11e6d54d578a029b06b431e69" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "artifact_set_fingerprint_idx" ON "dbt_artifacts"."artifact_set"  ("fingerprint")`,
    );
    await queryRunner.query(
      `CREATE INDEX "artifact_set_project_idx" ON "dbt_artifacts"."artifact_set"  ("project_id", "created_at")`,
    );
    await queryRunner.query(
      `CREATE TABLE "dbt_artifacts"."bucket_connection" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" text NOT NULL, "provider" text NOT NULL, "bucket" text NOT NULL, "prefix" text NOT NULL DEFAULT '', "region" text, "endpoint" text, "force_path_style" boolean NOT NULL DEFAULT false, "credentials_ciphertext" text NOT NULL, "credentials_hint" text NOT NULL, "project" text, "instance" text, "schedule" jsonb NOT NULL, "created_by" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_d8523da92f4806f4901fa13d1ba" UNIQUE ("name"), CONSTRAINT "PK_4874dfa505f4bc1e1021d85d07a" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "dbt_artifacts"."bucket_folder" ("connection_id" uuid NOT NULL, "folder" text NOT NULL, "fingerprint" text NOT NULL, "artifact_set_id" uuid, "seen_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_ef8434313200a09d558ebed3e01" PRIMARY KEY ("connection_id", "folder"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "dbt_artifacts"."sync_run" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "connection_id" uuid NOT NULL, "state" text NOT NULL DEFAULT 'queued', "trigger" text NOT NULL, "counts" jsonb NOT NULL DEFAULT '{}', "error" jsonb, "problems" jsonb NOT NULL DEFAULT '[]', "artifact_set_ids" uuid array NOT NULL DEFAULT '{}', "job_id" text, "queued_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "started_at" TIMESTAMP WITH TIME ZONE, "finished_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_ab1387853fd86ea904a21058b01" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "sync_run_connection_idx" ON "dbt_artifacts"."sync_run"  ("connection_id", "queued_at")`,
    );
    await queryRunner.query(
      `CREATE TABLE "dbt_artifacts"."edge" ("project_id" uuid NOT NULL, "child_id" text NOT NULL, "parent_id" text NOT NULL, CONSTRAINT "PK_f466ad764362a54016466e43067" PRIMARY KEY ("project_id", "child_id", "parent_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "edge_parent_idx" ON "dbt_artifacts"."edge"  ("project_id", "parent_id")`,
    );
    await queryRunner.query(
      `CREATE TABLE "dbt_artifacts"."node" ("project_id" uuid NOT NULL, "unique_id" text NOT NULL, "resource_type" text NOT NULL, "name" text NOT NULL, "package_name" text, "dataset_id" text, "database" text, "schema" text, "identifier" text, "materialized" text, "description" text, "columns" jsonb NOT NULL DEFAULT '[]', "tags" text array NOT NULL DEFAULT '{}', "meta" jsonb NOT NULL DEFAULT '{}', "owner" text, "raw_code" text, "compiled_code" text, "depends_on" text array NOT NULL DEFAULT '{}', "tested_unique_id" text, "column_name" text, "is_external" boolean NOT NULL DEFAULT false, "details" jsonb NOT NULL DEFAULT '{}', "catalog" jsonb, "content_hash" text NOT NULL, "catalog_hash" text, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_e77dc0055593b5a51a1ecddff81" PRIMARY KEY ("project_id", "unique_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "node_type_idx" ON "dbt_artifacts"."node"  ("project_id", "resource_type", "unique_id")`,
    );
    await queryRunner.query(
      `CREATE INDEX "node_tested_idx" ON "dbt_artifacts"."node"  ("project_id", "tested_unique_id")`,
    );
    await queryRunner.query(`CREATE INDEX "node_dataset_idx" ON "dbt_artifacts"."node"  ("dataset_id")`);
    await queryRunner.query(
      `CREATE TABLE "dbt_artifacts"."project" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" text NOT NULL, "dbt_project_id" text, "adapter_type" text, "instance" text NOT NULL DEFAULT 'default', "dbt_version" text, "manifest_sha256" text, "catalog_sha256" text, "lineage_hash" text, "last_artifact_set_id" uuid, "manifest_generated_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_dedfea394088ed136ddadeee89c" UNIQUE ("name"), CONSTRAINT "PK_4d68b1358bb5b766d3e78f32f57" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "dbt_artifacts"."freshness_check" ("run_id" uuid NOT NULL, "unique_id" text NOT NULL, "project_id" uuid NOT NULL, "status" text NOT NULL, "max_loaded_at" TIMESTAMP WITH TIME ZONE, "snapshotted_at" TIMESTAMP WITH TIME ZONE, "age_seconds" double precision, "criteria" jsonb, "error" text, CONSTRAINT "PK_82cfb652283547ba0f6731012eb" PRIMARY KEY ("run_id", "unique_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "freshness_check_node_idx" ON "dbt_artifacts"."freshness_check"  ("project_id", "unique_id", "snapshotted_at")`,
    );
    await queryRunner.query(
      `CREATE TABLE "dbt_artifacts"."latest_freshness" ("project_id" uuid NOT NULL, "unique_id" text NOT NULL, "run_id" uuid NOT NULL, "generated_at" TIMESTAMP WITH TIME ZONE NOT NULL, "status" text NOT NULL, "max_loaded_at" TIMESTAMP WITH TIME ZONE, "snapshotted_at" TIMESTAMP WITH TIME ZONE, "age_seconds" double precision, "criteria" jsonb, "error" text, CONSTRAINT "PK_b0730b41d250673463ed270517c" PRIMARY KEY ("project_id", "unique_id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "dbt_artifacts"."latest_result" ("project_id" uuid NOT NULL, "unique_id" text NOT NULL, "run_id" uuid NOT NULL, "generated_at" TIMESTAMP WITH TIME ZONE NOT NULL, "status" text NOT NULL, "started_at" TIMESTAMP WITH TIME ZONE, "completed_at" TIMESTAMP WITH TIME ZONE, "execution_time" double precision, "rows_affected" bigint, "message" text, "failures" bigint, CONSTRAINT "PK_8cf8b4fcd6f817687eb64c792a2" PRIMARY KEY ("project_id", "unique_id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "dbt_artifacts"."run_result" ("run_id" uuid NOT NULL, "unique_id" text NOT NULL, "project_id" uuid NOT NULL, "status" text NOT NULL, "started_at" TIMESTAMP WITH TIME ZONE, "completed_at" TIMESTAMP WITH TIME ZONE, "execution_time" double precision, "rows_affected" bigint, "message" text, "failures" bigint, "adapter_response" jsonb, CONSTRAINT "PK_0244688189bdfdb446096c0bbf4" PRIMARY KEY ("run_id", "unique_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "run_result_node_idx" ON "dbt_artifacts"."run_result"  ("project_id", "unique_id", "completed_at")`,
    );
    await queryRunner.query(
      `CREATE TABLE "dbt_artifacts"."run" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "project_id" uuid NOT NULL, "artifact_set_id" uuid NOT NULL, "kind" text NOT NULL, "invocation_key" text NOT NULL, "which" text, "invocation_command" text, "dbt_version" text, "generated_at" TIMESTAMP WITH TIME ZONE NOT NULL, "elapsed_time" double precision, "dbt_cloud_run_id" text, "dbt_cloud_job_id" text, "counts" jsonb NOT NULL DEFAULT '{}', "counts_as_outcome" boolean NOT NULL, CONSTRAINT "PK_804c38ffba92002c6d2c646dd46" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "run_project_time_idx" ON "dbt_artifacts"."run"  ("project_id", "generated_at")`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "run_invocation_idx" ON "dbt_artifacts"."run"  ("project_id", "invocation_key", "kind")`,
    );
    // Chunks are gzip already: TOAST compression would spend CPU to gain nothing.
    await queryRunner.query(
      `ALTER TABLE "dbt_artifacts"."artifact_blob_chunk" ALTER COLUMN "data" SET STORAGE EXTERNAL`,
    );
    for (const statement of outboxTablesUp('dbt_artifacts')) {
      await queryRunner.query(statement);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const statement of outboxTablesDown('dbt_artifacts')) {
      await queryRunner.query(statement);
    }
    await queryRunner.query(`DROP TABLE "dbt_artifacts"."run"`);
    await queryRunner.query(`DROP TABLE "dbt_artifacts"."run_result"`);
    await queryRunner.query(`DROP TABLE "dbt_artifacts"."latest_result"`);
    await queryRunner.query(`DROP TABLE "dbt_artifacts"."latest_freshness"`);
    await queryRunner.query(`DROP TABLE "dbt_artifacts"."freshness_check"`);
    await queryRunner.query(`DROP TABLE "dbt_artifacts"."project"`);
    await queryRunner.query(`DROP TABLE "dbt_artifacts"."node"`);
    await queryRunner.query(`DROP TABLE "dbt_artifacts"."edge"`);
    await queryRunner.query(`DROP TABLE "dbt_artifacts"."sync_run"`);
    await queryRunner.query(`DROP TABLE "dbt_artifacts"."bucket_folder"`);
    await queryRunner.query(`DROP TABLE "dbt_artifacts"."bucket_connection"`);
    await queryRunner.query(`DROP TABLE "dbt_artifacts"."artifact_set"`);
    await queryRunner.query(`DROP TABLE "dbt_artifacts"."artifact_blob"`);
    await queryRunner.query(`DROP TABLE "dbt_artifacts"."artifact_blob_chunk"`);
  }
}
