import type { MigrationInterface, QueryRunner } from 'typeorm';

// Migrations hold their SQL literally, so later changes to the code cannot change what they did.
const columns: [string, string][] = [
  ['node', 'raw_code'],
  ['node', 'compiled_code'],
  ['node', 'details'],
  ['node', 'columns'],
  ['node', 'catalog'],
  ['run_result', 'adapter_response'],
];

/**
 * Large manifests put hundreds of MB of SQL and config into TOAST; lz4 compresses them several times faster than
 * the default pglz. Servers built without lz4 (and embedded PGlite) keep pglz: the statement is skipped there.
 */
export class Lz4Compression1764000100000 implements MigrationInterface {
  name = 'Lz4Compression1764000100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const [table, column] of columns) {
      await queryRunner.query(`DO $$ BEGIN
        ALTER TABLE "dbt_artifacts"."${table}" ALTER COLUMN "${column}" SET COMPRESSION lz4;
      EXCEPTION WHEN feature_not_supported OR invalid_parameter_value OR syntax_error THEN NULL;
      END $$`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const [table, column] of columns) {
      await queryRunner.query(
        `ALTER TABLE "dbt_artifacts"."${table}" ALTER COLUMN "${column}" SET COMPRESSION default`,
      );
    }
  }
}
