import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import {
  analyzeSql,
  initSqlLineage,
  type SqlPlatform,
  type StatementLineage,
  type TableReference,
} from '@cartograph/sql-lineage';

/** Dialect names a user may type, and the platform whose rules they mean. */
const DIALECTS: Record<string, SqlPlatform> = {
  snowflake: 'snowflake',
  bigquery: 'bigquery',
  redshift: 'redshift',
  databricks: 'databricks',
  spark: 'databricks',
  hive: 'hive',
  postgres: 'postgres',
  postgresql: 'postgres',
  mysql: 'mysql',
  mariadb: 'mariadb',
  clickhouse: 'clickhouse',
  athena: 'athena',
  trino: 'trino',
  duckdb: 'duckdb',
};

export const LINEAGE_DIALECTS = Object.keys(DIALECTS);

export class LineageUsageError extends Error {}

export function platformOfDialect(dialect: string): SqlPlatform {
  const platform = DIALECTS[dialect.trim().toLowerCase()];
  if (!platform) {
    throw new LineageUsageError(
      `unknown dialect "${dialect.slice(0, 40)}"; use one of ${LINEAGE_DIALECTS.join(', ')}`,
    );
  }
  return platform;
}

export interface LineageOptions {
  dialect?: string;
  database?: string;
  schema?: string;
  jsonl?: boolean;
}

const tableName = (table: TableReference) => `${table.database}.${table.schema}.${table.name}`;

/** One statement as the CLI prints it: tables as `database.schema.table`, normalised as in dataset ids. */
function statementView(statement: StatementLineage, attributions: unknown[]) {
  return {
    type: statement.type,
    sources: statement.sources.map(tableName),
    targets: statement.targets.map(tableName),
    columns: statement.columns.map((flow) => ({
      target: flow.target.table
        ? `${tableName(flow.target.table)}.${flow.target.column}`
        : flow.target.column,
      sources: flow.sources.map((source) => `${tableName(source.table)}.${source.column}`),
    })),
    attributions,
    error: statement.error ?? null,
  };
}

/** A name missing its database or schema is the most common surprise on the command line: say which option. */
function withHint<T extends { error: { reason: string; message: string } | null }>(
  view: T,
  database?: string | null,
  schema?: string | null,
): T {
  if (view.error?.reason !== 'invalid_name' || !/ is required /.test(view.error.message)) return view;
  const options = [database ? null : '--database', schema ? null : '--schema'].filter(Boolean).join(' or ');
  return options
    ? { ...view, error: { ...view.error, hint: `pass ${options} for names without one` } }
    : view;
}

/** Where a session starts when nobody changed it: `public` on the Postgres family. */
const DEFAULT_SCHEMAS: Partial<Record<SqlPlatform, string>> = {
  postgres: 'public',
  redshift: 'public',
  duckdb: 'main',
};

function analyze(sql: string, platform: SqlPlatform, database?: string | null, givenSchema?: string | null) {
  const schema = givenSchema ?? DEFAULT_SCHEMAS[platform] ?? null;
  const analysis = analyzeSql(sql, { platform, defaultDatabase: database ?? null, defaultSchema: schema });
  return {
    statements: analysis.statements.map((statement) =>
      withHint(statementView(statement, [...analysis.attributions]), database, schema),
    ),
  };
}

async function readAll(input: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * `cartograph lineage`: SQL on stdin → JSON lineage on stdout, for users debugging why an edge is (not) in the
 * graph. With `--jsonl`, each input line `{id, dialect, sql, default_db, default_schema}` gives one output line
 * with its `id`; a line that cannot be read gives `{id, error}` and the others go on.
 */
export async function lineage(
  options: LineageOptions,
  input: Readable = process.stdin,
  output: Writable = process.stdout,
): Promise<number> {
  const platform = platformOfDialect(options.dialect ?? 'postgres');
  await initSqlLineage();
  if (!options.jsonl) {
    const sql = await readAll(input);
    output.write(`${JSON.stringify(analyze(sql, platform, options.database, options.schema), null, 2)}\n`);
    return 0;
  }
  const lines = createInterface({ input, crlfDelay: Infinity });
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber += 1;
    if (line.trim() === '') continue;
    let id: unknown = null;
    try {
      const request = JSON.parse(line) as Record<string, unknown>;
      id = request['id'] ?? null;
      if (typeof request['sql'] !== 'string') throw new LineageUsageError('"sql" must be a string');
      const linePlatform = request['dialect'] ? platformOfDialect(String(request['dialect'])) : platform;
      const database = (request['default_db'] as string | undefined) ?? options.database;
      const schema = (request['default_schema'] as string | undefined) ?? options.schema;
      output.write(`${JSON.stringify({ id, ...analyze(request['sql'], linePlatform, database, schema) })}\n`);
    } catch (error) {
      const message =
        error instanceof SyntaxError
          ? `line ${lineNumber} is not JSON: ${error.message}`
          : (error as Error).message;
      output.write(`${JSON.stringify({ id, error: message })}\n`);
    }
  }
  return 0;
}
