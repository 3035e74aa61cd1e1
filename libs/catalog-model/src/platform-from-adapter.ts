import { UnsupportedPlatformError } from './errors.js';
import { normalizeInstance } from './instance.js';
import { isPlatform, PLATFORMS, type Platform } from './platform.js';

/**
 * dbt `adapter_type` values (manifest `metadata.adapter_type`, dbt Cloud `adapterType`) whose platform has
 * another name. Values that are already a `Platform` (`snowflake`, `postgres`, `duckdb`, …) map to themselves.
 */
const platformByAdapter: ReadonlyMap<string, Platform> = new Map<string, Platform>([
  ['sqlserver', 'mssql'],
  ['postgresql', 'postgres'],
  // dbt-mysql ships three adapter types for one platform family.
  ['mysql5', 'mysql'],
  // dbt-glue writes Glue Data Catalog tables, the same tables Athena reads through `awsdatacatalog`.
  ['glue', 'athena'],
  // dbt-impala writes Hive metastore tables.
  ['impala', 'hive'],
]);

/** Databricks workspace hosts on AWS, Azure (public, China, US government) and GCP. */
const databricksHost =
  /(?:^|\.)(?:databricks\.com|azuredatabricks\.net|databricks\.azure\.cn|databricks\.azure\.us)$/;

export interface AdapterContext {
  /** The host the dbt target or warehouse connection points at; decides what `spark` means. */
  readonly host?: string | null;
}

/**
 * The platform of a dbt adapter type. `spark` is the one adapter without a platform of its own: dbt-spark
 * against a Databricks workspace (method `http`/`odbc` to `*.databricks.com`, `*.azuredatabricks.net`) writes
 * two-part names into Databricks' legacy `hive_metastore`, so it maps to `databricks`; against anything else
 * (Thrift server, EMR, a local session) it writes a Hive metastore and maps to `hive`.
 */
export function platformFromAdapter(adapterType: string, context: AdapterContext = {}): Platform {
  if (typeof adapterType !== 'string') {
    throw new UnsupportedPlatformError('an adapter type must be a string', adapterType);
  }
  const key = adapterType.trim().toLowerCase();
  if (key === 'spark') {
    const host = context.host ? normalizeInstance('databricks', context.host) : '';
    return databricksHost.test(host) ? 'databricks' : 'hive';
  }
  if (isPlatform(key)) return key;
  const mapped = platformByAdapter.get(key);
  if (mapped) return mapped;
  throw new UnsupportedPlatformError(
    `unknown platform or dbt adapter type; known platforms: ${PLATFORMS.join(', ')}; other adapter types: spark, ${[...platformByAdapter.keys()].join(', ')}`,
    adapterType,
  );
}
