import { datasetIdFromQualifiedName } from '@cartograph/catalog-model';
import type { SqlContext, SqlPlatform, StatementLineage } from './lineage.types.js';
import { analyzeSql } from './sql-lineage.analyzer.js';
import { initSqlLineage } from './sql-parser.loader.js';

beforeAll(async () => {
  await initSqlLineage();
});

const contexts: Record<SqlPlatform, Omit<SqlContext, 'platform'>> = {
  snowflake: { defaultDatabase: 'ANALYTICS', defaultSchema: 'PUBLIC' },
  bigquery: { defaultDatabase: 'acme-prod', defaultSchema: 'shop' },
  redshift: { defaultDatabase: 'dev', defaultSchema: 'public' },
  databricks: { defaultDatabase: 'main', defaultSchema: 'default' },
  hive: { defaultSchema: 'default' },
  postgres: { defaultDatabase: 'app', defaultSchema: 'public' },
  mysql: { defaultSchema: 'shop' },
  mariadb: { defaultSchema: 'shop' },
  clickhouse: { defaultSchema: 'analytics' },
  athena: { defaultDatabase: 'awsdatacatalog', defaultSchema: 'logs' },
  trino: { defaultDatabase: 'hive', defaultSchema: 'web' },
  duckdb: { defaultDatabase: 'memory', defaultSchema: 'main' },
};

function analyze(platform: SqlPlatform, sql: string): StatementLineage[] {
  return [...analyzeSql(sql, { platform, ...contexts[platform] }).statements];
}

/** Expected names in the platform's SQL, fully qualified, as ids. */
function ids(platform: SqlPlatform, names: readonly string[]): string[] {
  return names.map((name) => datasetIdFromQualifiedName(platform, name)).sort();
}

function lineageOf(
  platform: SqlPlatform,
  sql: string,
): { sources: string[]; targets: string[]; type: string[] } {
  const statements = analyze(platform, sql);
  return {
    type: statements.map((statement) => statement.type),
    sources: [
      ...new Set(statements.flatMap((statement) => statement.sources.map((table) => table.datasetId))),
    ].sort(),
    targets: [
      ...new Set(
        statements
          .filter((statement) => !statement.temporary)
          .flatMap((statement) => statement.targets.map((table) => table.datasetId)),
      ),
    ].sort(),
  };
}

function expectLineage(
  platform: SqlPlatform,
  sql: string,
  expected: { sources: readonly string[]; targets: readonly string[]; type?: readonly string[] },
): void {
  const actual = lineageOf(platform, sql);
  expect({ sources: actual.sources, targets: actual.targets }).toEqual({
    sources: ids(platform, expected.sources),
    targets: ids(platform, expected.targets),
  });
  if (expected.type) expect(actual.type).toEqual(expected.type);
}

describe('analyzeSql: SELECT', () => {
  it('reads every table of joins, subqueries, set operations and used or unused CTEs, but no CTE name', () => {
    expectLineage(
      'snowflake',
      `WITH unused AS (SELECT * FROM raw.refunds), recent AS (SELECT * FROM raw.orders)
       SELECT r.id FROM recent r JOIN marts.customers c ON c.id = r.customer_id
       WHERE r.id IN (SELECT order_id FROM raw.payments) AND EXISTS (SELECT 1 FROM raw.flags f WHERE f.id = r.id)
       UNION ALL SELECT id FROM (SELECT id FROM other.s.archive) a`,
      {
        sources: [
          'analytics.raw.refunds',
          'analytics.raw.orders',
          'analytics.marts.customers',
          'analytics.raw.payments',
          'analytics.raw.flags',
          'other.s.archive',
        ],
        targets: [],
        type: ['select'],
      },
    );
  });

  it('does not take table functions, UNNEST, FLATTEN, generators or stages for tables', () => {
    expectLineage('snowflake', 'SELECT f.value FROM raw.events e, LATERAL FLATTEN(input => e.items) f', {
      sources: ['analytics.raw.events'],
      targets: [],
    });
    expectLineage('snowflake', 'SELECT SEQ4() FROM TABLE(GENERATOR(ROWCOUNT => 10))', {
      sources: [],
      targets: [],
    });
    expectLineage('snowflake', 'SELECT $1 FROM @raw.public.landing/orders/', { sources: [], targets: [] });
    expectLineage('bigquery', 'SELECT x FROM `acme-prod.shop.orders` o, UNNEST(o.items) AS x', {
      sources: ['`acme-prod`.shop.orders'],
      targets: [],
    });
    expectLineage('postgres', 'SELECT * FROM generate_series(1, 10) g JOIN public.days d ON d.n = g', {
      sources: ['app.public.days'],
      targets: [],
    });
    expectLineage(
      'clickhouse',
      "SELECT dictGet('analytics.geo', 'name', id) FROM analytics.hits, numbers(10)",
      {
        sources: ['analytics.hits'],
        targets: [],
      },
    );
  });

  it('reads a path into an earlier relation as nested data, not as a table (BigQuery, Redshift PartiQL)', () => {
    expectLineage('bigquery', 'SELECT i.sku FROM `acme-prod.shop.orders` o, o.items i', {
      sources: ['`acme-prod`.shop.orders'],
      targets: [],
    });
    expectLineage('redshift', 'SELECT i.sku FROM raw.orders o, o.line_items i', {
      sources: ['dev.raw.orders'],
      targets: [],
    });
  });

  it('reads ClickHouse ARRAY JOIN items as arrays, not tables', () => {
    expectLineage(
      'clickhouse',
      'SELECT id, s FROM analytics.orders ARRAY JOIN items.sku AS s, items.qty AS q',
      {
        sources: ['analytics.orders'],
        targets: [],
      },
    );
  });

  it('reads Databricks STREAM(t) as table t and a path (delta.`s3://…`) as no table', () => {
    expectLineage('databricks', 'SELECT * FROM STREAM(main.bronze.orders)', {
      sources: ['main.bronze.orders'],
      targets: [],
    });
    expectLineage('databricks', 'SELECT * FROM delta.`s3://lake/bronze/clicks/`', {
      sources: [],
      targets: [],
    });
  });
});

describe('analyzeSql: writes', () => {
  it.each<[SqlPlatform, string, readonly string[], readonly string[]]>([
    ['snowflake', 'INSERT INTO marts.t (a) SELECT a FROM raw.s', ['analytics.raw.s'], ['analytics.marts.t']],
    [
      'snowflake',
      'INSERT OVERWRITE INTO marts.t SELECT * FROM raw.s',
      ['analytics.raw.s'],
      ['analytics.marts.t'],
    ],
    [
      'databricks',
      'INSERT OVERWRITE TABLE sales.t SELECT * FROM sales.s',
      ['main.sales.s'],
      ['main.sales.t'],
    ],
    [
      'postgres',
      'INSERT INTO t (a) SELECT a FROM s ON CONFLICT (a) DO UPDATE SET a = excluded.a',
      ['app.public.s'],
      ['app.public.t'],
    ],
    [
      'mysql',
      'INSERT INTO t (a) SELECT a FROM s ON DUPLICATE KEY UPDATE a = VALUES(a)',
      ['shop.s'],
      ['shop.t'],
    ],
    ['mysql', 'REPLACE INTO t (a) SELECT a FROM other.s', ['other.s'], ['shop.t']],
    ['snowflake', "INSERT INTO seeds.c (k) VALUES ('a'), ('b')", [], ['analytics.seeds.c']],
    [
      'snowflake',
      'INSERT ALL INTO a.t1 INTO a.t2 SELECT * FROM raw.s',
      ['analytics.raw.s'],
      ['analytics.a.t1', 'analytics.a.t2'],
    ],
    [
      'snowflake',
      'INSERT INTO marts.t SELECT * FROM raw.s WHERE ts > (SELECT MAX(ts) FROM marts.t)',
      ['analytics.raw.s', 'analytics.marts.t'],
      ['analytics.marts.t'],
    ],
  ])('%s: %s', (platform, sql, sources, targets) => {
    expectLineage(platform, sql, { sources, targets, type: ['insert'] });
  });

  it('creates tables and views from a query (CTAS, CREATE OR REPLACE, TRANSIENT, views, materialized views)', () => {
    expectLineage('snowflake', 'CREATE OR REPLACE TRANSIENT TABLE marts.t AS SELECT * FROM raw.s', {
      sources: ['analytics.raw.s'],
      targets: ['analytics.marts.t'],
      type: ['create_table_as_select'],
    });
    expectLineage('postgres', 'CREATE MATERIALIZED VIEW reporting.mv AS SELECT a FROM public.s', {
      sources: ['app.public.s'],
      targets: ['app.reporting.mv'],
      type: ['create_view'],
    });
    expectLineage('snowflake', 'CREATE TABLE marts.t LIKE raw.s', {
      sources: ['analytics.raw.s'],
      targets: ['analytics.marts.t'],
      type: ['create_table'],
    });
  });

  it('writes the TO table of a ClickHouse materialized view, and the view itself without TO', () => {
    expectLineage(
      'clickhouse',
      'CREATE MATERIALIZED VIEW analytics.mv TO analytics.daily AS SELECT a FROM logs.raw',
      {
        sources: ['logs.raw'],
        targets: ['analytics.daily'],
      },
    );
    expectLineage(
      'clickhouse',
      'CREATE MATERIALIZED VIEW logs.mv ENGINE = SummingMergeTree ORDER BY day POPULATE AS SELECT toDate(ts) AS day FROM logs.app',
      { sources: ['logs.app'], targets: ['logs.mv'] },
    );
  });

  it('MERGE writes its target and reads only what USING reads', () => {
    expectLineage(
      'snowflake',
      `MERGE INTO marts.dim t USING (SELECT s.id, p.v FROM raw.s s JOIN raw.p p ON p.id = s.id) src ON t.id = src.id
       WHEN MATCHED THEN UPDATE SET v = src.v WHEN NOT MATCHED THEN INSERT (id, v) VALUES (src.id, src.v)`,
      { sources: ['analytics.raw.s', 'analytics.raw.p'], targets: ['analytics.marts.dim'], type: ['merge'] },
    );
    expectLineage(
      'databricks',
      'MERGE INTO silver.c t USING bronze.cdc s ON t.id = s.id WHEN MATCHED THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT *',
      { sources: ['main.bronze.cdc'], targets: ['main.silver.c'], type: ['merge'] },
    );
  });

  it('UPDATE reads and writes its table; MySQL multi-table UPDATE writes only the tables it assigns to', () => {
    expectLineage('postgres', 'UPDATE t SET a = s.a FROM s WHERE t.id = s.id', {
      sources: ['app.public.t', 'app.public.s'],
      targets: ['app.public.t'],
      type: ['update'],
    });
    expectLineage('mysql', 'UPDATE shop.p x JOIN inventory.stock s ON s.id = x.id SET x.qty = s.qty', {
      sources: ['shop.p', 'inventory.stock'],
      targets: ['shop.p'],
    });
    expectLineage('mysql', 'UPDATE shop.p x, inventory.stock s SET x.qty = s.qty WHERE s.id = x.id', {
      sources: ['shop.p', 'inventory.stock'],
      targets: ['shop.p'],
    });
  });

  it('DELETE writes the deleted table and reads USING, joined and subquery tables', () => {
    expectLineage('postgres', 'DELETE FROM x USING y WHERE x.id = y.id', {
      sources: ['app.public.y'],
      targets: ['app.public.x'],
      type: ['delete'],
    });
    expectLineage('snowflake', "DELETE FROM marts.events WHERE ts < '2020-01-01'", {
      sources: [],
      targets: ['analytics.marts.events'],
    });
    expectLineage(
      'mysql',
      'DELETE o, oi FROM orders o JOIN order_items oi ON oi.order_id = o.id JOIN customers c ON c.id = o.customer_id',
      { sources: ['shop.customers'], targets: ['shop.orders', 'shop.order_items'] },
    );
    expectLineage(
      'mysql',
      'DELETE FROM s USING helpdesk.sessions AS s JOIN helpdesk.agents AS a ON a.id = s.agent_id',
      {
        sources: ['helpdesk.agents'],
        targets: ['helpdesk.sessions'],
      },
    );
  });

  it('COPY and UNLOAD: tables are loaded or read, stages and paths are not tables', () => {
    expectLineage(
      'snowflake',
      "COPY INTO raw.orders FROM @raw.public.stage/orders/ FILE_FORMAT = (TYPE = 'JSON')",
      {
        sources: [],
        targets: ['analytics.raw.orders'],
        type: ['copy'],
      },
    );
    expectLineage('snowflake', 'COPY INTO @raw.public.out/x FROM (SELECT id FROM marts.f)', {
      sources: ['analytics.marts.f'],
      targets: [],
    });
    expectLineage('redshift', "COPY sales.t FROM 's3://b/k' IAM_ROLE 'arn:aws:iam::1:role/r'", {
      sources: [],
      targets: ['dev.sales.t'],
    });
    expectLineage(
      'redshift',
      "UNLOAD ('select * from sales.orders where region = ''EU''') TO 's3://b/k' IAM_ROLE 'r'",
      {
        sources: ['dev.sales.orders'],
        targets: [],
        type: ['unload'],
      },
    );
    expectLineage('postgres', 'COPY (SELECT * FROM public.t) TO STDOUT', {
      sources: ['app.public.t'],
      targets: [],
    });
    expectLineage(
      'bigquery',
      "LOAD DATA INTO `acme-prod.raw.inv` FROM FILES (format = 'CSV', uris = ['gs://b/*.csv'])",
      {
        sources: [],
        targets: ['`acme-prod`.raw.inv'],
      },
    );
    expectLineage(
      'bigquery',
      "EXPORT DATA OPTIONS (uri = 'gs://b/*.parquet', format = 'PARQUET') AS SELECT id FROM `acme-prod.marts.f`",
      { sources: ['`acme-prod`.marts.f'], targets: [] },
    );
  });

  it('gives statements without lineage a type and nothing else', () => {
    const statements = analyze(
      'snowflake',
      'SHOW TABLES; USE WAREHOUSE wh; SET x = 1; GRANT SELECT ON marts.t TO ROLE r; BEGIN; COMMIT; DROP TABLE marts.t; ALTER TABLE marts.t ADD COLUMN c INT; TRUNCATE TABLE marts.t',
    );
    expect(statements.map((statement) => statement.type)).toEqual([
      'other',
      'other',
      'other',
      'other',
      'other',
      'other',
      'drop',
      'alter',
      'truncate',
    ]);
    for (const statement of statements) {
      expect(statement.sources).toEqual([]);
      expect(statement.targets).toEqual([]);
      expect(statement.error).toBeUndefined();
    }
  });
});

describe('analyzeSql: scripts and temp tables', () => {
  it('resolves a temp table to its inputs within the text', () => {
    const statements = analyze(
      'snowflake',
      'CREATE TEMP TABLE t AS SELECT id, amount * 2 AS amt FROM raw.orders; INSERT INTO marts.b (id, total) SELECT id, amt FROM t',
    );
    expect(statements[0]!.temporary).toBe(true);
    expect(statements[1]!.sources.map((table) => table.datasetId)).toEqual(
      ids('snowflake', ['analytics.raw.orders']),
    );
    expect(
      statements[1]!.columns.map((column) => [
        column.target.column,
        column.sources.map((source) => source.column),
      ]),
    ).toEqual([
      ['ID', ['ID']],
      ['TOTAL', ['AMOUNT']],
    ]);
  });

  it('resolves Redshift #tables, Databricks temp and global temp views, BigQuery temp tables', () => {
    expectLineage('redshift', 'SELECT * INTO #t FROM sales.s; INSERT INTO sales.b SELECT * FROM #t', {
      sources: ['dev.sales.s'],
      targets: ['dev.sales.b'],
    });
    expectLineage(
      'databricks',
      'CREATE OR REPLACE TEMP VIEW v AS SELECT * FROM sales.s; INSERT INTO sales.b SELECT * FROM v',
      {
        sources: ['main.sales.s'],
        targets: ['main.sales.b'],
      },
    );
    expectLineage(
      'databricks',
      'CREATE GLOBAL TEMPORARY VIEW v AS SELECT * FROM sales.s; MERGE INTO sales.b t USING global_temp.v u ON t.id = u.id WHEN MATCHED THEN DELETE',
      { sources: ['main.sales.s'], targets: ['main.sales.b'] },
    );
    const bigQuery = analyzeSql(
      'CREATE TEMP TABLE staged AS SELECT id FROM `acme-prod.raw.events`; INSERT INTO `acme-prod.marts.f` (id) SELECT id FROM staged',
      { platform: 'bigquery', defaultDatabase: 'acme-prod' },
    );
    expect(bigQuery.statements[1]!.sources.map((table) => table.datasetId)).toEqual(
      ids('bigquery', ['`acme-prod`.raw.events']),
    );
  });

  it('drops reads of a #temp table the text never wrote', () => {
    expectLineage('redshift', 'INSERT INTO sales.b SELECT * FROM #elsewhere JOIN sales.s ON true', {
      sources: ['dev.sales.s'],
      targets: ['dev.sales.b'],
    });
  });

  it('follows USE and SET search_path for the statements after them', () => {
    expectLineage('mysql', 'USE reporting; INSERT INTO daily (d) SELECT d FROM shop.orders', {
      sources: ['shop.orders'],
      targets: ['reporting.daily'],
    });
    expectLineage('snowflake', 'USE SCHEMA other.stage; SELECT * FROM t', {
      sources: ['other.stage.t'],
      targets: [],
    });
    expectLineage('postgres', 'SET search_path TO reporting, public; SELECT * FROM t', {
      sources: ['app.reporting.t'],
      targets: [],
    });
  });

  it('keeps a procedural block whole and does not split inside strings, comments or dollar quotes', () => {
    const statements = analyze(
      'snowflake',
      "SELECT ';' AS a FROM raw.x -- ; comment\n; CREATE PROCEDURE p() RETURNS INT LANGUAGE SQL AS $$ BEGIN SELECT 1; END $$; SELECT 2 FROM raw.y",
    );
    expect(statements).toHaveLength(3);
    expect(statements[0]!.sources.map((table) => table.name)).toEqual(['X']);
    expect(statements[2]!.sources.map((table) => table.name)).toEqual(['Y']);
  });
});

describe('analyzeSql: column lineage', () => {
  function columnsOf(platform: SqlPlatform, sql: string): Record<string, string[]> {
    const statements = analyze(platform, sql);
    const result: Record<string, string[]> = {};
    for (const lineage of statements[statements.length - 1]!.columns) {
      result[lineage.target.column] = lineage.sources
        .map((source) => `${source.table.name}.${source.column}`)
        .sort();
    }
    return result;
  }

  it('traces output columns through aliases, CTEs, subqueries and unions', () => {
    expect(
      columnsOf(
        'postgres',
        `WITH o AS (SELECT id, amount AS amt, customer_id FROM orders)
         SELECT c.name, SUM(o.amt) AS revenue, x.y, 1 AS one
         FROM o JOIN customers c ON c.id = o.customer_id JOIN (SELECT k AS y FROM extra) x ON true`,
      ),
    ).toEqual({ name: ['customers.name'], revenue: ['orders.amount'], y: ['extra.k'], one: [] });
    expect(columnsOf('snowflake', 'SELECT a FROM raw.s UNION ALL SELECT b FROM raw.t')).toEqual({
      A: ['S.A', 'T.B'],
    });
  });

  it('maps INSERT columns by position and CTAS/view columns by name', () => {
    expect(columnsOf('postgres', 'INSERT INTO t (x, y) SELECT a, b + c FROM s')).toEqual({
      x: ['s.a'],
      y: ['s.b', 's.c'],
    });
    expect(columnsOf('postgres', 'CREATE VIEW v AS SELECT a AS x FROM s')).toEqual({ x: ['s.a'] });
  });

  it('passes a column through SELECT * of a single relation', () => {
    expect(columnsOf('postgres', 'WITH c AS (SELECT * FROM s) SELECT c.a FROM c')).toEqual({ a: ['s.a'] });
  });

  it('never guesses: no lineage for SELECT * of a join or an unqualified column among several tables', () => {
    expect(columnsOf('postgres', 'SELECT * FROM s JOIN t ON s.id = t.id')).toEqual({});
    expect(columnsOf('postgres', 'SELECT a, s.b FROM s JOIN t ON s.id = t.id')).toEqual({ b: ['s.b'] });
    expect(columnsOf('postgres', 'WITH c AS (SELECT * FROM s JOIN t ON true) SELECT c.a FROM c')).toEqual({});
  });

  it('attributes an unqualified column when every other relation in scope has known columns without it', () => {
    expect(
      columnsOf('mysql', 'SELECT total, @r := @r + 1 AS rn FROM orders, (SELECT @r := 0) init'),
    ).toMatchObject({
      total: ['orders.total'],
    });
  });

  it('does not read date-part keywords as columns', () => {
    expect(columnsOf('snowflake', 'SELECT DATEADD(day, 1, created) AS d FROM raw.s')).toEqual({
      D: ['S.CREATED'],
    });
    expect(columnsOf('bigquery', 'SELECT TIMESTAMP_TRUNC(ts, HOUR) AS h FROM `acme-prod.shop.s`')).toEqual({
      h: ['s.ts'],
    });
  });
});

describe('analyzeSql: errors', () => {
  it('records a parse error with the position in the script and without the statement text', () => {
    const statements = analyze('snowflake', 'SELECT 1;\nSELECT a FROM WHERE b = 1');
    expect(statements[1]!.error?.reason).toBe('parse_error');
    expect(statements[1]!.error?.message).toMatch(/line 2, column \d+/);
    expect(statements[1]!.sources).toEqual([]);
  });

  it('records a table name that cannot become an id (a level missing) as invalid_name, keeping the rest', () => {
    const result = analyzeSql('SELECT * FROM orders JOIN a.b.c ON true', { platform: 'postgres' });
    expect(result.statements[0]!.error?.reason).toBe('invalid_name');
    expect(result.statements[0]!.sources.map((table) => table.datasetId)).toEqual(ids('postgres', ['a.b.c']));
  });

  it('throws for a platform it does not read', () => {
    expect(() => analyzeSql('SELECT 1', { platform: 'oracle' as SqlPlatform })).toThrow(
      /does not read platform/,
    );
  });
});
