/**
 * Warehouses a dataset id can name. The value is the first segment of every id (`<platform>://…`), so a
 * value, once released, must never change. dbt adapter types that are not listed here are mapped by
 * `platformFromAdapter` (for example `sqlserver` → `mssql`, `spark` → `hive` or `databricks`).
 */
export const PLATFORMS = [
  'snowflake',
  'bigquery',
  'databricks',
  'redshift',
  'postgres',
  'mysql',
  'mariadb',
  'clickhouse',
  'athena',
  'duckdb',
  'trino',
  'mssql',
  'fabric',
  'synapse',
  'oracle',
  'hive',
] as const;

export type Platform = (typeof PLATFORMS)[number];

const platformSet: ReadonlySet<string> = new Set(PLATFORMS);

export function isPlatform(value: unknown): value is Platform {
  return typeof value === 'string' && platformSet.has(value);
}
