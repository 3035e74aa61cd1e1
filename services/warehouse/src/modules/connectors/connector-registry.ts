import type { Platform } from '@cartograph/catalog-model';
import { athenaConnectorDefinition } from './athena/athena.connector.js';
import { bigQueryConnectorDefinition } from './bigquery/bigquery.connector.js';
import { clickHouseConnectorDefinition } from './clickhouse/clickhouse.connector.js';
import { databricksConnectorDefinition } from './databricks/databricks.connector.js';
import { mariadbConnectorDefinition, mysqlConnectorDefinition } from './mysql/mysql.connector.js';
import { postgresConnectorDefinition } from './postgres/postgres.connector.js';
import { redshiftConnectorDefinition } from './redshift/redshift.connector.js';
import { snowflakeConnectorDefinition } from './snowflake/snowflake.connector.js';
import type { WarehouseConnectorDefinition } from './warehouse-connector.js';

/** Every platform a warehouse connection can name, with its connector. */
const definitions: readonly WarehouseConnectorDefinition<any, any>[] = [
  snowflakeConnectorDefinition,
  bigQueryConnectorDefinition,
  databricksConnectorDefinition,
  redshiftConnectorDefinition,
  postgresConnectorDefinition,
  mysqlConnectorDefinition,
  mariadbConnectorDefinition,
  clickHouseConnectorDefinition,
  athenaConnectorDefinition,
];

const byPlatform = new Map<string, WarehouseConnectorDefinition<any, any>>(
  definitions.map((definition) => [definition.platform, definition]),
);

export const WAREHOUSE_PLATFORMS: readonly Platform[] = definitions.map((definition) => definition.platform);

export function connectorDefinition(platform: string): WarehouseConnectorDefinition<unknown, unknown> | null {
  return byPlatform.get(platform) ?? null;
}
