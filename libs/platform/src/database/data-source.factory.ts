import { DataSource, type DataSourceOptions } from 'typeorm';
import { SnakeNamingStrategy } from './snake-naming.strategy.js';

export interface ServiceDataSourceOptions {
  /** PostgreSQL URL. */
  url: string;
  /** The service's own schema; no service reads another one's. */
  schema: string;
  entities: NonNullable<DataSourceOptions['entities']>;
  migrations: NonNullable<DataSourceOptions['migrations']>;
  poolSize?: number;
  applicationName?: string;
  logging?: DataSourceOptions['logging'];
}

export function serviceDataSourceOptions(options: ServiceDataSourceOptions): DataSourceOptions {
  return {
    type: 'postgres',
    url: options.url,
    schema: options.schema,
    entities: options.entities,
    migrations: options.migrations,
    // One migrations table per service, inside its schema, so services migrate independently.
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    namingStrategy: new SnakeNamingStrategy(),
    // gen_random_uuid() is core since PostgreSQL 13 and exists on PGlite; uuid-ossp needs a superuser.
    uuidExtension: 'pgcrypto',
    installExtensions: false,
    logging: options.logging ?? ['error', 'migration'],
    applicationName: options.applicationName ?? `cartograph-${options.schema}`,
    extra: {
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: 5_000,
      // Without this, a stopped Postgres leaves pooled clients erroring instead of reconnecting.
      idleTimeoutMillis: 30_000,
    },
  };
}

export function createServiceDataSource(options: ServiceDataSourceOptions): DataSource {
  return new DataSource(serviceDataSourceOptions(options));
}

/**
 * Creates the schema first (TypeORM does not) and runs pending migrations.
 * Returns the names of the migrations that ran.
 */
export async function migrateDataSource(dataSource: DataSource): Promise<string[]> {
  const initializedHere = !dataSource.isInitialized;
  if (initializedHere) {
    await dataSource.initialize();
  }
  try {
    const schema = (dataSource.options as { schema?: string }).schema;
    if (schema) {
      await dataSource.query(`CREATE SCHEMA IF NOT EXISTS "${schema.replace(/"/g, '""')}"`);
    }
    const ran = await dataSource.runMigrations({ transaction: 'each' });
    return ran.map((migration) => migration.name);
  } finally {
    if (initializedHere) {
      await dataSource.destroy();
    }
  }
}

/** SQL that would bring the database in line with the entities: empty when migrations and entities agree. */
export async function pendingSchemaChanges(dataSource: DataSource): Promise<string[]> {
  const sqlInMemory = await dataSource.driver.createSchemaBuilder().log();
  return sqlInMemory.upQueries.map((query) => query.query);
}
