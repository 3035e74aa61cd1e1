import pg from 'pg';
import type { DataSource } from 'typeorm';
import { createServiceDataSource, migrateDataSource } from '@cartograph/platform/database';
import type { ServiceDefinition } from '@cartograph/platform/nest';
import { databaseUrlOn, withPostgresClient } from '@cartograph/platform/testing';

/**
 * The server benchmarks create their databases on: `BENCH_DATABASE_URL` (any database on it works as the
 * admin connection), else the local trust-auth Postgres the tests use.
 */
export function benchAdminUrl(): string {
  return (
    process.env.BENCH_DATABASE_URL ??
    process.env.TEST_DATABASE_URL ??
    'postgres://postgres@127.0.0.1:5432/postgres'
  );
}

export function databaseUrl(name: string): string {
  return databaseUrlOn(benchAdminUrl(), name);
}

export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function withAdmin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  return withPostgresClient(benchAdminUrl(), run);
}

/** Creates the database unless it exists; returns true when it was created. */
export async function ensureDatabase(name: string): Promise<boolean> {
  return withAdmin(async (client) => {
    const existing = await client.query(`SELECT 1 FROM pg_database WHERE datname = $1`, [name]);
    if (existing.rowCount) {
      return false;
    }
    await client.query(`CREATE DATABASE ${quoteIdentifier(name)}`);
    return true;
  });
}

export async function dropDatabase(name: string): Promise<void> {
  await withAdmin(
    async (client) =>
      void (await client.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`)),
  );
}

/** Runs the service's migrations into `url` (creating its schema), as `npm start` and the Helm hook do. */
export async function migrateService(url: string, definition: ServiceDefinition): Promise<string[]> {
  return migrateDataSource(
    createServiceDataSource({
      url,
      schema: definition.schema,
      entities: definition.entities,
      migrations: definition.migrations,
      poolSize: 1,
      logging: ['error'],
      applicationName: 'cartograph-bench-migrate',
    }),
  );
}

/** A TypeORM DataSource on the service's schema, for scenarios that query or load it directly. */
export async function openServiceDataSource(
  url: string,
  definition: ServiceDefinition,
  poolSize = 4,
): Promise<DataSource> {
  const dataSource = createServiceDataSource({
    url,
    schema: definition.schema,
    entities: definition.entities,
    migrations: definition.migrations,
    poolSize,
    logging: ['error'],
    applicationName: 'cartograph-bench',
  });
  return dataSource.initialize();
}
