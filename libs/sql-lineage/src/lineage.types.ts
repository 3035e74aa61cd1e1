import type { Platform } from '@cartograph/catalog-model';

/**
 * The platforms whose SQL the library reads. `hive` is Spark SQL outside Databricks; `mariadb` reads as MySQL;
 * `trino` as Athena. Each maps to the nearest sqlparser-rs dialect.
 */
export type SqlPlatform = Extract<
  Platform,
  | 'snowflake'
  | 'bigquery'
  | 'redshift'
  | 'databricks'
  | 'hive'
  | 'postgres'
  | 'mysql'
  | 'mariadb'
  | 'clickhouse'
  | 'athena'
  | 'trino'
  | 'duckdb'
>;

/** Where a statement ran: fills levels a name leaves out and makes the dataset ids. */
export interface SqlContext {
  readonly platform: SqlPlatform;
  /** The warehouse connection's instance, for dataset ids; blank means `default`. */
  readonly instance?: string | null;
  /** The session's current database (Snowflake DATABASE_NAME, BigQuery project, Databricks catalog…). */
  readonly defaultDatabase?: string | null;
  /** The session's current schema (MySQL/ClickHouse: the current database). */
  readonly defaultSchema?: string | null;
  /** Statements longer than this many characters are not parsed (reason `too_large`); default 1,000,000. */
  readonly maxLength?: number;
  /**
   * The connection's case setting where the platform has one (catalog-model `IdentityOptions.caseSensitive`:
   * Snowflake `false` = QUOTED_IDENTIFIERS_IGNORE_CASE, Redshift `true` = enable_case_sensitive_identifier, …).
   * It is part of dataset identity: pass what the warehouse connection passes.
   */
  readonly caseSensitive?: boolean;
}

/**
 * A table a statement names, resolved as DESIGN §3 says: missing levels from the context, unquoted parts
 * folded the way the platform folds them. `database`/`schema`/`name` are the parts of `datasetId`, unquoted.
 */
export interface TableReference {
  readonly database: string;
  readonly schema: string;
  readonly name: string;
  readonly datasetId: string;
}

export interface ColumnReference {
  readonly table: TableReference;
  readonly column: string;
}

/** One output column of a write (or of a SELECT: `target.table` is null) and the columns it is computed from. */
export interface ColumnLineage {
  readonly target: { readonly table: TableReference | null; readonly column: string };
  readonly sources: readonly ColumnReference[];
}

export type StatementType =
  | 'select'
  | 'insert'
  | 'create_table_as_select'
  | 'create_table'
  | 'create_view'
  | 'merge'
  | 'update'
  | 'delete'
  | 'copy'
  | 'unload'
  | 'drop'
  | 'alter'
  | 'truncate'
  | 'other'
  | 'unknown';

export type StatementErrorReason = 'parse_error' | 'too_large' | 'truncated' | 'unsupported' | 'invalid_name';

export interface StatementError {
  readonly reason: StatementErrorReason;
  /** Human-readable; names the position when the parser reports one. Never contains more than 200 chars of SQL. */
  readonly message: string;
}

/**
 * A BI tool or dbt identifying itself in a query comment. `hex`: `-- Hex query metadata: {...}`
 * (research/hex.md §2); `dbt`: `/* {"app": "dbt", ..., "node_id": ...} *\/`.
 */
export interface Attribution {
  readonly tool: 'hex' | 'dbt' | 'looker' | string;
  /** Hex project id, dbt node unique id (`model.jaffle_shop.orders`), Looker history slug… */
  readonly projectId?: string;
  readonly projectName?: string;
  /** Hex cell / dbt invocation or whatever narrower thing the tool names. */
  readonly detail?: Record<string, string>;
  /** Whether the comment was cut off (e.g. by the warehouse's text limit) and read as far as it went. */
  readonly truncated?: boolean;
}

export interface StatementLineage {
  readonly type: StatementType;
  /** Tables read; CTE names, table functions and temp tables resolved within the session are not tables. */
  readonly sources: readonly TableReference[];
  /** Tables written or created. */
  readonly targets: readonly TableReference[];
  readonly columns: readonly ColumnLineage[];
  /** Whether the target is a temporary table (CREATE TEMP TABLE, `#t` on Redshift…). */
  readonly temporary?: boolean;
  readonly error?: StatementError;
}

export interface SqlAnalysis {
  readonly statements: readonly StatementLineage[];
  /** From the leading/trailing comments of the whole text. */
  readonly attributions: readonly Attribution[];
  /** See `fingerprintSql`. */
  readonly fingerprint: string;
}
