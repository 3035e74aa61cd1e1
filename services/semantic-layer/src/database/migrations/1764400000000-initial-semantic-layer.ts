import type { MigrationInterface, QueryRunner } from 'typeorm';
import { outboxTablesDown, outboxTablesUp } from '@cartograph/platform/events';

export class InitialSemanticLayer1764400000000 implements MigrationInterface {
  name = 'InitialSemanticLayer1764400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "semantic_layer"."connection" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" text NOT NULL, "mode" text NOT NULL, "host" text NOT NULL, "environment_id" text, "token_ciphertext" text, "token_hint" text, "dbt_project" text, "last_error" jsonb, "last_tested_at" TIMESTAMP WITH TIME ZONE, "created_by" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_40aa09f28e6d4396e448886f6a7" UNIQUE ("name"), CONSTRAINT "PK_be611ce8b8cf439091c82a334b2" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "semantic_layer"."query_audit" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "connection_id" uuid NOT NULL, "subject" text NOT NULL, "actor_name" text, "role" text NOT NULL, "kind" text NOT NULL, "request" jsonb NOT NULL, "status" text NOT NULL, "upstream_query_id" text, "row_count" integer, "duration_ms" integer NOT NULL, "error" jsonb, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_e396baf18939fedc16d154458ca" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "query_audit_created_idx" ON "semantic_layer"."query_audit"  ("created_at", "id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "semantic_layer"."role_policy" ("role" text NOT NULL, "allowed_metrics" text array, "allowed_dimensions" text array, "allowed_saved_queries" text array, "row_filters" text array NOT NULL DEFAULT '{}', "updated_by" text, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_40d21a4c52f103c8944d5ea1df8" PRIMARY KEY ("role"))`,
    );
    for (const statement of outboxTablesUp('semantic_layer')) {
      await queryRunner.query(statement);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const statement of outboxTablesDown('semantic_layer')) {
      await queryRunner.query(statement);
    }
    await queryRunner.query(`DROP INDEX "semantic_layer"."query_audit_created_idx"`);
    await queryRunner.query(`DROP TABLE "semantic_layer"."connection"`);
    await queryRunner.query(`DROP TABLE "semantic_layer"."query_audit"`);
    await queryRunner.query(`DROP TABLE "semantic_layer"."role_policy"`);
  }
}
