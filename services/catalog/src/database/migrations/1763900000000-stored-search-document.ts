import type { MigrationInterface, QueryRunner } from 'typeorm';

// Migrations hold their SQL literally, so later changes to the code cannot change what they did.
/**
 * Search at a million datasets: the search document is stored (ranking read it, instead of rebuilding it
 * per candidate), and typo tolerance moves from trigrams over every name to a small vocabulary.
 */
export class StoredSearchDocument1763900000000 implements MigrationInterface {
  name = 'StoredSearchDocument1763900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "catalog"."dataset_search_idx"`);
    await queryRunner.query(`DROP INDEX "catalog"."dataset_trigram_idx"`);
    await queryRunner.query(`ALTER TABLE "catalog"."dataset" ADD "search_document" tsvector`);
    // A trigger rather than a generated column: TypeORM cannot diff generated expressions without its own
    // metadata table, and every writer (the registry, backfills, psql) gets the document this way.
    await queryRunner.query(`CREATE FUNCTION "catalog"."dataset_search_document"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW."search_document" := (setweight(to_tsvector('simple'::regconfig, coalesce(NEW."name", '')), 'A') || setweight(to_tsvector('simple'::regconfig, coalesce(NEW."schema", '') || ' ' || coalesce(NEW."database", '') || ' ' || NEW."platform"), 'B') || setweight(to_tsvector('english'::regconfig, coalesce(NEW."description", '')), 'C'));
        RETURN NEW;
      END $$`);
    await queryRunner.query(`CREATE TRIGGER "dataset_search_document" BEFORE INSERT OR UPDATE OF "name", "schema", "database", "platform", "description"
      ON "catalog"."dataset" FOR EACH ROW EXECUTE FUNCTION "catalog"."dataset_search_document"()`);
    await queryRunner.query(
      `UPDATE "catalog"."dataset" SET "search_document" = (setweight(to_tsvector('simple'::regconfig, coalesce("name", '')), 'A') || setweight(to_tsvector('simple'::regconfig, coalesce("schema", '') || ' ' || coalesce("database", '') || ' ' || "platform"), 'B') || setweight(to_tsvector('english'::regconfig, coalesce("description", '')), 'C'))`,
    );
    await queryRunner.query(
      `CREATE INDEX "dataset_search_document_idx" ON "catalog"."dataset" USING gin ("search_document") WHERE "removed_at" IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "dataset_lower_name_idx" ON "catalog"."dataset" (lower("name") text_pattern_ops) WHERE "removed_at" IS NULL`,
    );
    await queryRunner.query(
      `CREATE TABLE "catalog"."search_term" ("term" text NOT NULL, CONSTRAINT "PK_search_term" PRIMARY KEY ("term"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "search_term_trigram_idx" ON "catalog"."search_term" USING gin ("term" gin_trgm_ops)`,
    );
    await queryRunner.query(`INSERT INTO "catalog"."search_term" ("term")
      SELECT DISTINCT word FROM "catalog"."dataset",
        regexp_split_to_table(lower("name" || ' ' || coalesce("description", '')), '[^[:alnum:]]+') AS word
      WHERE length(word) BETWEEN 2 AND 40
      ON CONFLICT DO NOTHING`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "catalog"."search_term"`);
    await queryRunner.query(`DROP INDEX "catalog"."dataset_lower_name_idx"`);
    await queryRunner.query(`DROP INDEX "catalog"."dataset_search_document_idx"`);
    await queryRunner.query(`DROP TRIGGER "dataset_search_document" ON "catalog"."dataset"`);
    await queryRunner.query(`DROP FUNCTION "catalog"."dataset_search_document"()`);
    await queryRunner.query(`ALTER TABLE "catalog"."dataset" DROP COLUMN "search_document"`);
    await queryRunner.query(
      `CREATE INDEX "dataset_trigram_idx" ON "catalog"."dataset" USING gin (lower("name") gin_trgm_ops)`,
    );
    await queryRunner.query(
      `CREATE INDEX "dataset_search_idx" ON "catalog"."dataset" USING gin ((setweight(to_tsvector('simple'::regconfig, coalesce("name", '')), 'A') || setweight(to_tsvector('simple'::regconfig, coalesce("schema", '') || ' ' || coalesce("database", '') || ' ' || "platform"), 'B') || setweight(to_tsvector('english'::regconfig, coalesce("description", '')), 'C')))`,
    );
  }
}
