import type { MigrationInterface, QueryRunner } from 'typeorm';

// Migrations hold their SQL literally, so later changes to the code cannot change what they did.
/**
 * Search finds Hex projects: the catalog keeps a document per project from the hex events (title weighs most,
 * then tags, then the description), indexed like datasets.
 */
export class HexProjectSearch1764500000000 implements MigrationInterface {
  name = 'HexProjectSearch1764500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "catalog"."hex_project_document" ("id" text NOT NULL, "connection_ids" text array NOT NULL DEFAULT '{}', "title" text NOT NULL, "description" text, "tags" text array NOT NULL DEFAULT '{}', "url" text NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL, "search_document" tsvector, "removed_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_6a686b2b125923377dd991b8d45" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE OR REPLACE FUNCTION "catalog"."hex_project_search_document"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW."search_document" := (setweight(to_tsvector('simple'::regconfig, coalesce(NEW."title", '')), 'A') || setweight(to_tsvector('simple'::regconfig, array_to_string(NEW."tags", ' ')), 'B') || setweight(to_tsvector('english'::regconfig, coalesce(NEW."description", '')), 'C'));
        RETURN NEW;
      END $$`);
    await queryRunner.query(`CREATE TRIGGER "hex_project_search_document" BEFORE INSERT OR UPDATE OF "title", "tags", "description"
      ON "catalog"."hex_project_document" FOR EACH ROW EXECUTE FUNCTION "catalog"."hex_project_search_document"()`);
    await queryRunner.query(
      `CREATE INDEX "hex_project_document_search_idx" ON "catalog"."hex_project_document" USING gin ("search_document")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "catalog"."hex_project_document"`);
    await queryRunner.query(`DROP FUNCTION "catalog"."hex_project_search_document"()`);
  }
}
