// The SQL the Postgres connector sends, without the OWN_QUERY_MARKER prefix (the client adds it to every
// statement). Everything reads pg_catalog, which every role may read, rather than information_schema, which
// hides objects the role holds no privilege on.

/** Databases the role may connect to; templates and databases that refuse connections are left out. */
export const DATABASES_SQL = `SELECT datname AS name
FROM pg_database
WHERE datallowconn AND NOT datistemplate AND has_database_privilege(datname, 'CONNECT')
ORDER BY datname`;

/** Schemas of the current database, system schemas included (the mapper's isSystemSchema drops them). */
export const SCHEMAS_SQL = `SELECT nspname AS name FROM pg_namespace ORDER BY nspname`;

/**
 * One page of relations in the given schemas after ($2, $3), at most $4 rows. Leaf partitions are left out:
 * their partitioned parent stands for them, with their rows and bytes summed.
 */
export const RELATIONS_SQL = `SELECT c.oid::text AS oid,
  n.nspname AS schema,
  c.relname AS name,
  c.relkind::text AS relkind,
  obj_description(c.oid, 'pg_class') AS comment,
  CASE WHEN c.relkind = 'p'
    THEN (SELECT sum(GREATEST(l.reltuples, 0))::float8 FROM pg_partition_tree(c.oid) t JOIN pg_class l ON l.oid = t.relid WHERE t.isleaf)
    ELSE c.reltuples::float8 END AS row_estimate,
  CASE WHEN c.relkind = 'p'
    THEN (SELECT sum(pg_total_relation_size(t.relid))::int8 FROM pg_partition_tree(c.oid) t WHERE t.isleaf)
    WHEN c.relkind IN ('r', 'm') THEN pg_total_relation_size(c.oid) END AS bytes,
  CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid, true) END AS view_definition
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
  AND NOT c.relispartition
  AND n.nspname = ANY($1::name[])
  AND (n.nspname, c.relname) > ($2::name, $3::name)
ORDER BY n.nspname, c.relname
LIMIT $4`;

/** Columns of the given relations, in attnum order. */
export const COLUMNS_SQL = `SELECT a.attrelid::text AS relation_oid,
  a.attname AS name,
  format_type(a.atttypid, a.atttypmod) AS type,
  a.attnotnull AS not_null,
  col_description(a.attrelid, a.attnum) AS comment
FROM pg_attribute a
WHERE a.attrelid = ANY($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attrelid, a.attnum`;

export const IDENTITY_SQL = `SELECT current_user AS user, current_database() AS database, version() AS version`;

/** Where pg_stat_statements was created in the current database, and whether the server has it at all. */
export const EXTENSION_SQL = `SELECT
  (SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_stat_statements') AS schema,
  EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_stat_statements') AS available,
  (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
    OR pg_has_role(current_user, 'pg_read_all_stats', 'USAGE') AS reads_all_statements`;

/** shared_preload_libraries is readable by superusers and pg_read_all_settings only; others get an error. */
export const PRELOAD_LIBRARIES_SQL = `SELECT current_setting('shared_preload_libraries') AS libraries`;

/** The view's columns, which differ between versions (total_time → total_exec_time in 13, toplevel in 14). */
export function statementColumnsSql(qualifiedView: string): string {
  return `SELECT a.attname AS name FROM pg_attribute a
WHERE a.attrelid = '${qualifiedView.replaceAll("'", "''")}'::regclass AND a.attnum > 0 AND NOT a.attisdropped`;
}

export interface StatementsQueryShape {
  /** `"schema".pg_stat_statements`, already quoted. */
  readonly qualifiedView: string;
  /** Whether the view has `toplevel` (PG ≥ 14): statements run inside functions are counted apart. */
  readonly hasToplevel: boolean;
  /** `mean_exec_time` (PG ≥ 13) or `mean_time`. */
  readonly meanTimeColumn: 'mean_exec_time' | 'mean_time';
}

/**
 * Aggregated statements with their database and role names; $1 is the LIKE pattern of our own marker, $2 the
 * row limit (NULL for none). Rows hidden from the role (`<insufficient privilege>`, queryid NULL) are dropped
 * by the mapper, not here, so the count of them stays observable.
 */
export function statementsSql(shape: StatementsQueryShape): string {
  return `SELECT s.dbid::text AS dbid,
  s.userid::text AS userid,
  s.queryid::text AS queryid,
  s.query,
  s.calls::int8 AS calls,
  s.${shape.meanTimeColumn}::float8 AS mean_exec_time,
  d.datname AS database_name,
  r.rolname AS user_name,
  now() AS read_at
FROM ${shape.qualifiedView} s
LEFT JOIN pg_database d ON d.oid = s.dbid
LEFT JOIN pg_roles r ON r.oid = s.userid
WHERE s.query NOT LIKE $1${shape.hasToplevel ? ' AND s.toplevel' : ''}
ORDER BY s.dbid, s.userid, s.queryid
LIMIT $2`;
}

/** A LIKE pattern matching text that starts with `prefix`. */
export function startsWithPattern(prefix: string): string {
  return `${prefix.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
}
