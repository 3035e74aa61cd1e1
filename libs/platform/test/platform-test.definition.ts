import type { MigrationInterface, QueryRunner } from 'typeorm';
import { outboxTablesDown, outboxTablesUp } from '../src/events/outbox.schema.js';
import { defineService } from '../src/nest/service-definition.js';

class PlatformTestSchema1700000000000 implements MigrationInterface {
  name = 'PlatformTestSchema1700000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const statement of outboxTablesUp('platform_test')) {
      await queryRunner.query(statement);
    }
    await queryRunner.query(
      `CREATE TABLE "platform_test"."applied" ("event_id" uuid PRIMARY KEY, "subject" text NOT NULL)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "platform_test"."applied"`);
    for (const statement of outboxTablesDown('platform_test')) {
      await queryRunner.query(statement);
    }
  }
}

/** A minimal service schema for the platform's own integration tests: an outbox and a table to apply events to. */
export const platformTestDefinition = defineService({
  name: 'platform-test',
  schema: 'platform_test',
  defaultPort: 0,
  entities: [],
  migrations: [PlatformTestSchema1700000000000],
  environment: [],
});
