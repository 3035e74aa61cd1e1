import { UnsupportedPlatformError } from './errors.js';
import { platformFromAdapter } from './platform-from-adapter.js';
import { PLATFORMS } from './platform.js';

describe('platformFromAdapter', () => {
  it.each([
    ['snowflake', 'snowflake'],
    ['bigquery', 'bigquery'],
    ['postgres', 'postgres'],
    ['redshift', 'redshift'],
    ['databricks', 'databricks'],
    ['sqlserver', 'mssql'],
    ['fabric', 'fabric'],
    ['synapse', 'synapse'],
    ['trino', 'trino'],
    ['duckdb', 'duckdb'],
    ['athena', 'athena'],
    ['glue', 'athena'],
    ['clickhouse', 'clickhouse'],
    ['mysql', 'mysql'],
    ['mysql5', 'mysql'],
    ['mariadb', 'mariadb'],
    ['oracle', 'oracle'],
    ['impala', 'hive'],
    ['  Snowflake ', 'snowflake'],
  ])('%j → %s', (adapterType, expected) => {
    expect(platformFromAdapter(adapterType)).toBe(expected);
  });

  it('maps every platform name to itself', () => {
    for (const platform of PLATFORMS) expect(platformFromAdapter(platform)).toBe(platform);
  });

  it.each([
    ['dbc-1234.cloud.databricks.com', 'databricks'],
    ['https://adb-123.4.azuredatabricks.net/sql/protocolv1/o/1/2', 'databricks'],
    ['https://1234.5.gcp.databricks.com:443', 'databricks'],
    ['thrift.example.com:10000', 'hive'],
    ['localhost', 'hive'],
    ['notdatabricks.com', 'hive'],
    [undefined, 'hive'],
  ])('spark on %s → %s', (host, expected) => {
    expect(platformFromAdapter('spark', { host })).toBe(expected);
  });

  it('rejects an unknown adapter type with the known ones', () => {
    expect(() => platformFromAdapter('teradata')).toThrow(UnsupportedPlatformError);
    expect(() => platformFromAdapter('teradata')).toThrow(/"teradata".*snowflake.*sqlserver/);
    expect(() => platformFromAdapter(undefined as unknown as string)).toThrow(/must be a string/);
  });
});
