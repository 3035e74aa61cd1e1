import type { MigrationInterface, QueryRunner } from 'typeorm';

export class SemanticManifestsAndQueryJobs1764500000000 implements MigrationInterface {
  name = 'SemanticManifestsAndQueryJobs1764500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "semantic_layer"."dbt_semantic_project" ("project" text NOT NULL, "version" text NOT NULL, "document" jsonb NOT NULL, "refreshed_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_dbt_semantic_project" PRIMARY KEY ("project"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "semantic_layer"."semantic_model_dataset" ("dataset_id" text NOT NULL, "project" text NOT NULL, "semantic_model" text NOT NULL, CONSTRAINT "PK_semantic_model_dataset" PRIMARY KEY ("dataset_id", "project", "semantic_model"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "semantic_model_dataset_project_idx" ON "semantic_layer"."semantic_model_dataset" ("project") `,
    );
    await queryRunner.query(
      `CREATE TABLE "semantic_layer"."metric_query_job" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "connection_id" uuid NOT NULL, "subject" text NOT NULL, "actor_name" text, "role" text NOT NULL, "input" jsonb, "text" text, "status" text NOT NULL, "row_count" integer, "sql" text, "upstream_query_id" text, "error" jsonb, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "started_at" TIMESTAMP WITH TIME ZONE, "finished_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_metric_query_job" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "metric_query_job_subject_idx" ON "semantic_layer"."metric_query_job" ("subject", "created_at") `,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "semantic_layer"."metric_query_job_subject_idx"`);
    await queryRunner.query(`DROP TABLE "semantic_layer"."metric_query_job"`);
    await queryRunner.query(`DROP INDEX "semantic_layer"."semantic_model_dataset_project_idx"`);
    await queryRunner.query(`DROP TABLE "semantic_layer"."semantic_model_dataset"`);
    await queryRunner.query(`DROP TABLE "semantic_layer"."dbt_semantic_project"`);
  }
}
