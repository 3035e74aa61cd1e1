import type { MigrationInterface, QueryRunner } from 'typeorm';
import { outboxTablesDown, outboxTablesUp } from '@cartograph/platform/events';

export class InitialDbtCloud1764200000000 implements MigrationInterface {
  name = 'InitialDbtCloud1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "dbt_cloud"."cloud_connection" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" text NOT NULL, "account_id" text NOT NULL, "access_url" text NOT NULL, "discovery_url" text, "token_ciphertext" text NOT NULL, "token_hint" text NOT NULL, "project_ids" text array NOT NULL DEFAULT '{}', "environment_ids" text array NOT NULL DEFAULT '{}', "job_ids" text array NOT NULL DEFAULT '{}', "instance" text, "schedule" jsonb NOT NULL, "last_error" jsonb, "last_sync_at" TIMESTAMP WITH TIME ZONE, "created_by" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_70083a070254f358525bc4db9f9" UNIQUE ("name"), CONSTRAINT "PK_a9ac5724b85ec44db032733aea0" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "dbt_cloud"."cloud_model" ("connection_id" uuid NOT NULL, "environment_id" text NOT NULL, "unique_id" text NOT NULL, "project_id" text NOT NULL, "dataset_id" text, "last_run_status" text, "last_run_id" text, "last_job_id" text, "last_success_run_id" text, "execute_completed_at" TIMESTAMP WITH TIME ZONE, "run_elapsed_time" double precision, CONSTRAINT "PK_63bbd35e3e82b0a57883815b55c" PRIMARY KEY ("connection_id", "environment_id", "unique_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "cloud_model_dataset_idx" ON "dbt_cloud"."cloud_model"  ("dataset_id")`,
    );
    await queryRunner.query(
      `CREATE TABLE "dbt_cloud"."cloud_environment" ("connection_id" uuid NOT NULL, "id" text NOT NULL, "project_id" text NOT NULL, "name" text NOT NULL, "type" text, "deployment_type" text, CONSTRAINT "PK_f2372b895332efc51469a1fd60d" PRIMARY KEY ("connection_id", "id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "dbt_cloud"."cloud_job" ("connection_id" uuid NOT NULL, "id" text NOT NULL, "project_id" text NOT NULL, "environment_id" text NOT NULL, "name" text NOT NULL, "generate_docs" boolean NOT NULL DEFAULT false, "run_generate_sources" boolean NOT NULL DEFAULT false, "execute_steps" text array NOT NULL DEFAULT '{}', "cron" text, "state" integer NOT NULL DEFAULT '1', CONSTRAINT "PK_35f493ac962e2b5efc0212cbfdf" PRIMARY KEY ("connection_id", "id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "dbt_cloud"."cloud_project" ("connection_id" uuid NOT NULL, "id" text NOT NULL, "name" text NOT NULL, "adapter_type" text, "docs_job_id" text, "freshness_job_id" text, CONSTRAINT "PK_9c80f527ee705be9ff893f11d20" PRIMARY KEY ("connection_id", "id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "dbt_cloud"."cloud_run" ("connection_id" uuid NOT NULL, "id" text NOT NULL, "job_id" text NOT NULL, "project_id" text NOT NULL, "environment_id" text NOT NULL, "status" text NOT NULL, "status_message" text, "created_at" TIMESTAMP WITH TIME ZONE, "started_at" TIMESTAMP WITH TIME ZONE, "finished_at" TIMESTAMP WITH TIME ZONE, "duration_seconds" double precision, "url" text, "git_sha" text, "git_branch" text, "trigger_cause" text, "has_docs_generated" boolean NOT NULL DEFAULT false, "has_sources_generated" boolean NOT NULL DEFAULT false, "artifact_set_ids" text array NOT NULL DEFAULT '{}', "ingested_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_bb143884c12be6a278c7cc94c26" PRIMARY KEY ("connection_id", "id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "cloud_run_job_idx" ON "dbt_cloud"."cloud_run"  ("connection_id", "job_id", "finished_at")`,
    );
    await queryRunner.query(
      `CREATE TABLE "dbt_cloud"."sync_run" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "connection_id" uuid NOT NULL, "state" text NOT NULL DEFAULT 'queued', "trigger" text NOT NULL, "cursor" jsonb NOT NULL DEFAULT '{}', "counts" jsonb NOT NULL DEFAULT '{}', "error" jsonb, "problems" jsonb NOT NULL DEFAULT '[]', "queued_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "started_at" TIMESTAMP WITH TIME ZONE, "finished_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_ab1387853fd86ea904a21058b01" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "sync_run_connection_idx" ON "dbt_cloud"."sync_run"  ("connection_id", "queued_at")`,
    );
    for (const statement of outboxTablesUp('dbt_cloud')) {
      await queryRunner.query(statement);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const statement of outboxTablesDown('dbt_cloud')) {
      await queryRunner.query(statement);
    }
    await queryRunner.query(`DROP TABLE "dbt_cloud"."sync_run"`);
    await queryRunner.query(`DROP TABLE "dbt_cloud"."cloud_run"`);
    await queryRunner.query(`DROP TABLE "dbt_cloud"."cloud_project"`);
    await queryRunner.query(`DROP TABLE "dbt_cloud"."cloud_job"`);
    await queryRunner.query(`DROP TABLE "dbt_cloud"."cloud_environment"`);
    await queryRunner.query(`DROP TABLE "dbt_cloud"."cloud_model"`);
    await queryRunner.query(`DROP TABLE "dbt_cloud"."cloud_connection"`);
  }
}
