import { totalmem } from 'node:os';
import pg from 'pg';
import { quoteIdentifier } from './database.js';

export interface BulkLoadOptions {
  /** Database URL. */
  url: string;
  schema: string;
  table: string;
  /** INSERT … SELECT statements, each on its own connection at the same time (split the rows between them). */
  statements: string[];
  /** Connections that rebuild indexes at once; defaults to the number of statements. */
  indexWorkers?: number;
  log?: (message: string) => void;
}

export interface BulkLoadTimings {
  insertSeconds: number;
  indexSeconds: number;
  analyzeSeconds: number;
}

interface IndexPlan {
  name: string;
  definition: string;
  method: string;
  /** Set when the index backs a PRIMARY KEY or UNIQUE constraint, re-attached after the build. */
  constraint: { name: string; type: 'p' | 'u' } | null;
}

/** Session settings for a fast load: big sort memory for index builds, no waiting on WAL flushes. */
function sessionSettings(): string[] {
  const memoryMb = Math.max(64, Math.min(1024, Math.floor(totalmem() / 1024 ** 2 / 8)));
  return [
    `SET maintenance_work_mem = '${memoryMb}MB'`,
    `SET work_mem = '64MB'`,
    `SET synchronous_commit = off`,
  ];
}

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, application_name: 'cartograph-bench-load' });
  await client.connect();
  for (const statement of sessionSettings()) {
    await client.query(statement);
  }
  return client;
}

/**
 * Replaces the rows of one table as fast as Postgres allows: drops its indexes (keeping their exact definitions,
 * so whatever the migrations created comes back), truncates, runs the INSERT statements in parallel, rebuilds
 * every index with parallel connections (slowest first) and re-attaches key constraints, then VACUUM ANALYZE.
 * Building an index once after the load is several times faster than maintaining it row by row.
 */
export async function bulkLoad(options: BulkLoadOptions): Promise<BulkLoadTimings> {
  const log = options.log ?? (() => undefined);
  const qualified = `${quoteIdentifier(options.schema)}.${quoteIdentifier(options.table)}`;
  const admin = await connect(options.url);
  let indexes: IndexPlan[];
  try {
    const result = await admin.query<{
      name: string;
      definition: string;
      method: string;
      constraint_name: string | null;
      constraint_type: 'p' | 'u' | null;
    }>(
      `SELECT i.relname AS name, pg_get_indexdef(i.oid) AS definition, am.amname AS method,
              c.conname AS constraint_name, c.contype AS constraint_type
         FROM pg_index x
         JOIN pg_class i ON i.oid = x.indexrelid
         JOIN pg_class t ON t.oid = x.indrelid
         JOIN pg_namespace n ON n.oid = t.relnamespace
         JOIN pg_am am ON am.oid = i.relam
         LEFT JOIN pg_constraint c ON c.conindid = i.oid AND c.contype IN ('p', 'u')
        WHERE n.nspname = $1 AND t.relname = $2`,
      [options.schema, options.table],
    );
    indexes = result.rows.map((row) => ({
      name: row.name,
      definition: row.definition,
      method: row.method,
      constraint: row.constraint_name ? { name: row.constraint_name, type: row.constraint_type! } : null,
    }));
    await admin.query('BEGIN');
    for (const index of indexes) {
      await admin.query(
        index.constraint
          ? `ALTER TABLE ${qualified} DROP CONSTRAINT ${quoteIdentifier(index.constraint.name)}`
          : `DROP INDEX ${quoteIdentifier(options.schema)}.${quoteIdentifier(index.name)}`,
      );
    }
    await admin.query(`TRUNCATE ${qualified}`);
    await admin.query('COMMIT');
  } catch (error) {
    await admin.query('ROLLBACK').catch(() => undefined);
    await admin.end();
    throw error;
  }
  log(
    `dropped ${indexes.length} indexes of ${options.schema}.${options.table}; inserting with ${options.statements.length} connections`,
  );

  try {
    let started = performance.now();
    await Promise.all(
      options.statements.map(async (statement) => {
        const client = await connect(options.url);
        try {
          await client.query(statement);
        } finally {
          await client.end();
        }
      }),
    );
    const insertSeconds = (performance.now() - started) / 1000;
    log(`inserted rows in ${insertSeconds.toFixed(1)} s; rebuilding ${indexes.length} indexes`);

    started = performance.now();
    // GIN and GiST builds are the slow ones: start them first so the btrees fill the gaps.
    const queue = [...indexes].sort((a, b) => Number(a.method === 'btree') - Number(b.method === 'btree'));
    const workers = Math.max(1, Math.min(options.indexWorkers ?? options.statements.length, queue.length));
    await Promise.all(
      Array.from({ length: workers }, async () => {
        const client = await connect(options.url);
        try {
          for (let index = queue.shift(); index; index = queue.shift()) {
            const indexStarted = performance.now();
            await client.query(index.definition);
            log(
              `  index ${index.name} (${index.method}) built in ${((performance.now() - indexStarted) / 1000).toFixed(1)} s`,
            );
          }
        } finally {
          await client.end();
        }
      }),
    );
    for (const index of indexes) {
      if (index.constraint) {
        const kind = index.constraint.type === 'p' ? 'PRIMARY KEY' : 'UNIQUE';
        await admin.query(
          `ALTER TABLE ${qualified} ADD CONSTRAINT ${quoteIdentifier(index.constraint.name)} ${kind} USING INDEX ${quoteIdentifier(index.name)}`,
        );
      }
    }
    const indexSeconds = (performance.now() - started) / 1000;

    started = performance.now();
    await admin.query(`VACUUM (ANALYZE) ${qualified}`);
    const analyzeSeconds = (performance.now() - started) / 1000;
    log(`indexes rebuilt in ${indexSeconds.toFixed(1)} s, VACUUM ANALYZE in ${analyzeSeconds.toFixed(1)} s`);
    return { insertSeconds, indexSeconds, analyzeSeconds };
  } finally {
    await admin.end();
  }
}
