import { datasetIdFromQualifiedName } from '@cartograph/catalog-model';
import type { NamePart } from './ast.readers.js';
import type { SqlContext, SqlPlatform } from './lineage.types.js';
import { analyzeSql } from './sql-lineage.analyzer.js';
import { initSqlLineage } from './sql-parser.loader.js';
import {
  normalizeBigQueryParts,
  normalizeColumnName,
  TableNameError,
  TableNameResolver,
} from './table-name.resolver.js';

beforeAll(async () => {
  await initSqlLineage();
});

function bare(...values: string[]): NamePart[] {
  return values.map((value) => ({ value, quoted: false }));
}

function quoted(...values: string[]): NamePart[] {
  return values.map((value) => ({ value, quoted: true }));
}

function sourceIds(sql: string, context: SqlContext): string[] {
  return analyzeSql(sql, context).statements.flatMap((statement) =>
    statement.sources.map((table) => table.datasetId),
  );
}

describe('TableNameResolver: missing levels', () => {
  it('gives a one-part name the default schema, then a name of at most two parts the default database', () => {
    const resolver = new TableNameResolver({
      platform: 'snowflake',
      defaultDatabase: 'DB',
      defaultSchema: 'SCH',
    });
    expect(resolver.resolve(bare('t')).datasetId).toBe('snowflake://default/db.sch.t');
    expect(resolver.resolve(bare('s', 't')).datasetId).toBe('snowflake://default/db.s.t');
    expect(resolver.resolve(bare('d', 's', 't')).datasetId).toBe('snowflake://default/d.s.t');
  });

  it('fills the one namespace level of two-level platforms from the default schema, else the default database', () => {
    for (const platform of ['mysql', 'mariadb', 'clickhouse', 'hive'] as const) {
      const fromSchema = new TableNameResolver({ platform, defaultSchema: 'shop' }).resolve(bare('orders'));
      const fromDatabase = new TableNameResolver({ platform, defaultDatabase: 'shop' }).resolve(
        bare('orders'),
      );
      expect(fromSchema.datasetId).toBe(datasetIdFromQualifiedName(platform, 'shop.orders'));
      expect(fromDatabase.datasetId).toBe(fromSchema.datasetId);
      expect(fromSchema.database).toBe(fromSchema.schema);
    }
  });

  it('fails with a reason naming the missing level when the context has no default for it', () => {
    const resolver = new TableNameResolver({ platform: 'postgres' });
    expect(() => resolver.resolve(bare('orders'))).toThrow(TableNameError);
    expect(() => resolver.resolve(bare('orders'))).toThrow(/database.*is required.*no default/);
    expect(() => new TableNameResolver({ platform: 'mysql' }).resolve(bare('a', 'b', 'c'))).toThrow(
      /at most 2 parts/,
    );
  });

  it('uses platform defaults where catalog-model has them (Databricks hive_metastore, ClickHouse default)', () => {
    expect(new TableNameResolver({ platform: 'databricks' }).resolve(bare('s', 't')).datasetId).toBe(
      datasetIdFromQualifiedName('databricks', 'hive_metastore.s.t'),
    );
    expect(new TableNameResolver({ platform: 'clickhouse' }).resolve(bare('t')).datasetId).toBe(
      datasetIdFromQualifiedName('clickhouse', 'default.t'),
    );
  });

  it('puts a one-part BigQuery name without a default dataset into _SESSION (temp tables live there)', () => {
    const reference = new TableNameResolver({ platform: 'bigquery', defaultDatabase: 'acme-prod' }).resolve(
      bare('staged'),
    );
    expect(reference.schema).toBe('_SESSION');
  });

  it('returns the stored names, which give the same id back when passed as quoted parts', () => {
    const reference = new TableNameResolver({
      platform: 'snowflake',
      defaultDatabase: 'analytics',
      defaultSchema: 'public',
    }).resolve([{ value: 'MixedCase', quoted: true }]);
    expect(reference).toMatchObject({ database: 'ANALYTICS', schema: 'PUBLIC', name: 'MixedCase' });
    expect(
      datasetIdFromQualifiedName(
        'snowflake',
        `"${reference.database}"."${reference.schema}"."${reference.name}"`,
      ),
    ).toBe(reference.datasetId);
  });
});

describe('two spellings of one table give one id', () => {
  it.each<[SqlPlatform, string, string, Omit<SqlContext, 'platform'>]>([
    ['snowflake', 'SELECT * FROM analytics.marts.orders', 'SELECT * FROM "ANALYTICS"."MARTS"."ORDERS"', {}],
    [
      'snowflake',
      'SELECT * FROM orders',
      'select * from ANALYTICS.Marts.Orders',
      { defaultDatabase: 'ANALYTICS', defaultSchema: 'MARTS' },
    ],
    ['postgres', 'SELECT * FROM App.Public.Orders', 'SELECT * FROM "app"."public"."orders"', {}],
    ['redshift', 'SELECT * FROM dev.sales.orders', 'SELECT * FROM "DEV"."Sales"."ORDERS"', {}],
    ['bigquery', 'SELECT * FROM `acme-prod.shop.Orders`', 'SELECT * FROM `acme-prod`.shop.Orders', {}],
    ['bigquery', 'SELECT * FROM acme-prod.shop.Orders', 'SELECT * FROM `acme-prod`.`shop`.`Orders`', {}],
    ['databricks', 'SELECT * FROM Main.Sales.Orders', 'SELECT * FROM `main`.`sales`.`orders`', {}],
    ['mysql', 'SELECT * FROM Shop.Orders', 'SELECT * FROM `shop`.`orders`', {}],
    ['clickhouse', 'SELECT * FROM analytics.Events', 'SELECT * FROM `analytics`."Events"', {}],
    ['athena', 'SELECT * FROM AwsDataCatalog.Logs.Alb', 'SELECT * FROM "awsdatacatalog"."logs"."alb"', {}],
  ])('%s: %s = %s', (platform, left, right, defaults) => {
    const context = { platform, ...defaults };
    const leftIds = sourceIds(left, context);
    expect(leftIds).toHaveLength(1);
    expect(sourceIds(right, context)).toEqual(leftIds);
  });

  it('keeps quoted case where the platform keeps it', () => {
    expect(sourceIds('SELECT * FROM a.b."Orders"', { platform: 'snowflake' })).not.toEqual(
      sourceIds('SELECT * FROM a.b.orders', { platform: 'snowflake' }),
    );
    expect(sourceIds('SELECT * FROM a.b."Orders"', { platform: 'postgres' })).not.toEqual(
      sourceIds('SELECT * FROM a.b.orders', { platform: 'postgres' }),
    );
    expect(sourceIds('SELECT * FROM analytics.Events', { platform: 'clickhouse' })).not.toEqual(
      sourceIds('SELECT * FROM analytics.events', { platform: 'clickhouse' }),
    );
  });
});

describe('BigQuery names', () => {
  it('strips decorators and folds date shards and wildcards into <prefix>_yyyymmdd', () => {
    const last = (parts: NamePart[]): string => normalizeBigQueryParts(parts).at(-1)!.value;
    expect(last(quoted('p', 'd', 't$20240101'))).toBe('t');
    expect(last(quoted('p', 'd', 't$__UNPARTITIONED__'))).toBe('t');
    expect(last(bare('p', 'd', 'events_20240131'))).toBe('events_yyyymmdd');
    expect(last(bare('p', 'd', 'events20240131'))).toBe('events_yyyymmdd');
    expect(last(quoted('p', 'd', 'events_*'))).toBe('events_yyyymmdd');
    expect(last(quoted('p', 'd', 'events_2024*'))).toBe('events_yyyymmdd');
    expect(last(bare('p', 'd', 'events_20241399'))).toBe('events_20241399');
    expect(last(bare('p', 'd', 'table_v2'))).toBe('table_v2');
  });

  it('splits a quoted path, keeps a domain-scoped project whole and INFORMATION_SCHEMA views as one name', () => {
    expect(normalizeBigQueryParts(quoted('example.com:proj.ds.t')).map((part) => part.value)).toEqual([
      'example.com:proj',
      'ds',
      't',
    ]);
    expect(
      normalizeBigQueryParts(bare('p', 'ds', 'INFORMATION_SCHEMA', 'COLUMNS')).map((part) => part.value),
    ).toEqual(['p', 'ds', 'INFORMATION_SCHEMA.COLUMNS']);
  });

  it('gives a shard, its wildcard and other days one id', () => {
    const context: SqlContext = { platform: 'bigquery' };
    const day = sourceIds('SELECT * FROM `acme-prod.analytics.events_20240101`', context);
    expect(
      sourceIds('SELECT * FROM `acme-prod.analytics.events_*` WHERE _TABLE_SUFFIX > "2024"', context),
    ).toEqual(day);
    expect(sourceIds('SELECT * FROM `acme-prod.analytics.events_20240102`', context)).toEqual(day);
  });
});

describe('normalizeColumnName', () => {
  it('folds column names the way each platform compares them', () => {
    expect(normalizeColumnName('snowflake', { value: 'created_at', quoted: false })).toBe('CREATED_AT');
    expect(normalizeColumnName('snowflake', { value: 'createdAt', quoted: true })).toBe('createdAt');
    expect(normalizeColumnName('postgres', { value: 'CreatedAt', quoted: false })).toBe('createdat');
    expect(normalizeColumnName('postgres', { value: 'CreatedAt', quoted: true })).toBe('CreatedAt');
    expect(normalizeColumnName('bigquery', { value: 'CreatedAt', quoted: true })).toBe('createdat');
    expect(normalizeColumnName('clickhouse', { value: 'CreatedAt', quoted: false })).toBe('CreatedAt');
  });
});
