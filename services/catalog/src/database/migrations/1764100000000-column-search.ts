import type { MigrationInterface, QueryRunner } from 'typeorm';

// Migrations hold their SQL literally, so later changes to the code cannot change what they did.
/**
 * Search finds a table by what its columns are documented as: each source's column names and descriptions
 * are kept per sighting, merged onto the dataset, and indexed with the lowest weight (D).
 */
export class ColumnSearch1764100000000 implements MigrationInterface {
  name = 'ColumnSearch1764100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "catalog"."dataset_sighting" ADD "column_text" text`);
    await queryRunner.query(`ALTER TABLE "catalog"."dataset" ADD "column_text" text`);
    await queryRunner.query(`CREATE OR REPLACE FUNCTION "catalog"."dataset_search_document"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW."search_document" := (setweight(to_tsvector('simple'::regconfig, coalesce(NEW."name", '')), 'A') || setweight(to_tsvector('simple'::regconfig, coalesce(NEW."schema", '') || ' ' || coalesce(NEW."database", '') || ' ' || NEW."platform"), 'B') || setweight(to_tsvector('english'::regconfig, coalesce(NEW."description", '')), 'C') || setweight(to_tsvector('english'::regconfig, coalesce(NEW."column_text", '')), 'D'));
        RETURN NEW;
      END $$`);
    await queryRunner.query(`DROP TRIGGER "dataset_search_document" ON "catalog"."dataset"`);
    await queryRunner.query(`CREATE TRIGGER "dataset_search_document" BEFORE INSERT OR UPDATE OF "name", "schema", "database", "platform", "description", "column_text"
      ON "catalog"."dataset" FOR EACH ROW EXECUTE FUNCTION "catalog"."dataset_search_document"()`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "dataset_search_document" ON "catalog"."dataset"`);
    await queryRunner.query(`CREATE OR REPLACE FUNCTION "catalog"."dataset_search_document"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW."search_document" := (setweight(to_tsvector('simple'::regconfig, coalesce(NEW."name", '')), 'A') || setweight(to_tsvector('simple'::regconfig, coalesce(NEW."schema", '') || ' ' || coalesce(NEW."database", '') || ' ' || NEW."platform"), 'B') || setweight(to_tsvector('english'::regconfig, coalesce(NEW."description", '')), 'C'));
        RETURN NEW;
      END $$`);
    await queryRunner.query(`CREATE TRIGGER "dataset_search_document" BEFORE INSERT OR UPDATE OF "name", "schema", "database", "platform", "description"
      ON "catalog"."dataset" FOR EACH ROW EXECUTE FUNCTION "catalog"."dataset_search_document"()`);
    await queryRunner.query(`ALTER TABLE "catalog"."dataset" DROP COLUMN "column_text"`);
    await queryRunner.query(`ALTER TABLE "catalog"."dataset_sighting" DROP COLUMN "column_text"`);
  }
}
