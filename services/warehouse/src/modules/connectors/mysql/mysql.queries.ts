// The SQL the MySQL/MariaDB connector sends, without the OWN_QUERY_MARKER prefix (the client adds it).
// Columns get lower-case aliases because MySQL 8 returns information_schema column names upper-case and
// MariaDB as written.

export const IDENTITY_SQL = `SELECT VERSION() AS version, CURRENT_USER() AS account`;

/** Every database the account can see; the system ones are dropped by the mapper's isSystemDatabase. */
export const DATABASES_SQL = `SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA ORDER BY SCHEMA_NAME`;

export const TABLES_SQL = `SELECT TABLE_SCHEMA AS table_schema,
  TABLE_NAME AS table_name,
  TABLE_TYPE AS table_type,
  TABLE_ROWS AS table_rows,
  DATA_LENGTH AS data_length,
  INDEX_LENGTH AS index_length,
  TABLE_COMMENT AS table_comment,
  CREATE_TIME AS create_time,
  UPDATE_TIME AS update_time
FROM information_schema.TABLES
WHERE TABLE_SCHEMA = ?
ORDER BY TABLE_NAME`;

export const COLUMNS_SQL = `SELECT TABLE_NAME AS table_name,
  COLUMN_NAME AS column_name,
  COLUMN_TYPE AS column_type,
  ORDINAL_POSITION AS ordinal_position,
  IS_NULLABLE AS is_nullable,
  COLUMN_COMMENT AS column_comment
FROM information_schema.COLUMNS
WHERE TABLE_SCHEMA = ?
ORDER BY TABLE_NAME, ORDINAL_POSITION`;

export const VIEWS_SQL = `SELECT TABLE_NAME AS table_name, VIEW_DEFINITION AS view_definition
FROM information_schema.VIEWS
WHERE TABLE_SCHEMA = ?`;

/** MySQL 8 caches TABLE_ROWS and DATA_LENGTH for a day by default; MariaDB has no such variable. */
export const FRESH_STATISTICS_SQL = `SET SESSION information_schema_stats_expiry = 0`;

/** Makes TIMESTAMP columns (general_log.event_time) read and compare in UTC. */
export const UTC_SESSION_SQL = `SET SESSION time_zone = '+00:00'`;

export const LOG_SETTINGS_SQL = `SELECT @@GLOBAL.general_log AS general_log, @@GLOBAL.log_output AS log_output`;

/** Checks the SELECT privilege on the log without reading it (LIMIT 0 still checks privileges). */
export const LOG_PRIVILEGE_SQL = `SELECT 1 FROM mysql.general_log LIMIT 0`;

const logColumns = `DATE_FORMAT(event_time, '%Y-%m-%d %H:%i:%s.%f') AS event_time,
  user_host, thread_id, server_id, command_type, argument`;

/**
 * The window's statements and session changes in event_time order. Parameters: since, until (since ≤
 * event_time < until), and the LIKE pattern of our marker, whose statements are left out. The table has no index (CSV engine): this is one scan,
 * streamed.
 */
export const GENERAL_LOG_SQL = `SELECT ${logColumns}
FROM mysql.general_log
WHERE event_time >= ? AND event_time < ?
  AND command_type IN ('Query', 'Execute', 'Connect', 'Change user', 'Init DB')
  AND argument NOT LIKE ?
ORDER BY event_time`;

/**
 * The latest session changes of some threads before the window, newest first: Connect/Change user/Init DB
 * rows and `USE` queries. Parameters: from, since (from ≤ event_time < since), the thread ids, the row limit.
 */
export const SESSION_LOOKBACK_SQL = `SELECT ${logColumns}
FROM mysql.general_log
WHERE event_time >= ? AND event_time < ?
  AND thread_id IN (?)
  AND (command_type IN ('Connect', 'Change user', 'Init DB')
    OR (command_type = 'Query' AND CONVERT(LEFT(argument, 4) USING utf8mb4) REGEXP '^[Uu][Ss][Ee][[:space:]\`"]'))
ORDER BY event_time DESC
LIMIT ?`;
