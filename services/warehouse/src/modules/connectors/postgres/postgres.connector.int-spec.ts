import { randomBytes } from 'node:crypto';
import { PrivatePostgres, testAdminUrl, withPostgresClient } from '@cartograph/platform/testing';
import pg from 'pg';
import {
  OWN_QUERY_MARKER,
  WarehouseError,
  type CrawledTable,
  type HistoryRecord,
  type NameFilter,
  type WarehouseConnector,
} from '../warehouse-connector.js';
import { postgresConnectorDefinition, type PostgresCredentials } from './postgres.connector.js';

const HEX_COMMENT_ONE =
  '-- Hex query metadata: {"categories": [], "cell_type": "SQL", "context": "SCHEDULED_RUN", "project_id": "proj_one", "project_url": "https://app.hex.tech/acme/hex/proj_one/draft/logic"}';
const HEX_COMMENT_TWO =
  '-- Hex query metadata: {"categories": [], "cell_type": "SQL", "context": "APP_VIEW", "project_id": "proj_two", "project_url": "https://app.hex.tech/acme/hex/proj_two/draft/logic"}';

const suffix = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const list: T[] = [];
  for await (const item of items) list.push(item);
  return list;
}

function filterOf(accepts: (database: string, schema?: string) => boolean): NameFilter {
  return { accepts };
}

function connectorFor(
  port: number,
  database: string,
  credentials: Partial<PostgresCredentials> = {},
  settings: Record<string, unknown> = {},
): WarehouseConnector {
  return postgresConnectorDefinition.create({
    settings: postgresConnectorDefinition.settingsSchema.parse({
      host: '127.0.0.1',
      port,
      database,
      sslMode: 'disable',
      connectTimeoutSeconds: 10,
      ...settings,
    }),
    credentials: postgresConnectorDefinition.credentialsSchema.parse({ user: 'postgres', ...credentials }),
    timeoutMs: 20_000,
  });
}

async function run(url: string, statements: readonly string[]): Promise<void> {
  await withPostgresClient(url, async (client) => {
    for (const statement of statements) await client.query(statement);
  });
}

describe('PostgresConnector on the shared server', () => {
  const admin = testAdminUrl();
  const sharedPort = Number(new URL(admin).port || 5432);
  const shop = `cartograph_pgconn_${suffix}`;
  const other = `cartograph_pgconn_other_${suffix}`;
  const urlOf = (database: string): string => {
    const url = new URL(admin);
    url.pathname = `/${database}`;
    return url.toString();
  };
  let connector: WarehouseConnector;

  beforeAll(async () => {
    await run(admin, [`CREATE DATABASE ${shop}`, `CREATE DATABASE ${other}`]);
    await run(urlOf(shop), [
      'CREATE SCHEMA sales',
      'CREATE SCHEMA hidden',
      `CREATE TABLE sales.orders (id integer PRIMARY KEY, amount numeric(10,2) NOT NULL, note varchar(20), placed_at timestamptz)`,
      `COMMENT ON TABLE sales.orders IS 'One row per order'`,
      `COMMENT ON COLUMN sales.orders.amount IS 'Order total in EUR'`,
      `INSERT INTO sales.orders SELECT g, g * 1.5, 'n' || g, now() FROM generate_series(1, 1000) g`,
      'ALTER TABLE sales.orders DROP COLUMN placed_at',
      'ALTER TABLE sales.orders ADD COLUMN "Status" text',
      `CREATE VIEW sales.big_orders AS SELECT id, amount FROM sales.orders WHERE amount > 100`,
      `COMMENT ON VIEW sales.big_orders IS 'Orders over 100'`,
      `CREATE MATERIALIZED VIEW sales.order_totals AS SELECT count(*) AS orders, sum(amount) AS total FROM sales.orders`,
      `CREATE TABLE sales.events (id integer, day date NOT NULL) PARTITION BY RANGE (day)`,
      `CREATE TABLE sales.events_2026 PARTITION OF sales.events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')`,
      `CREATE TABLE sales.events_2027 PARTITION OF sales.events FOR VALUES FROM ('2027-01-01') TO ('2028-01-01')`,
      `INSERT INTO sales.events SELECT g, DATE '2026-06-01' + (g % 400) FROM generate_series(1, 800) g`,
      'CREATE TABLE hidden.secrets (id integer)',
      'CREATE TABLE public.never_analysed (id integer)',
      'ANALYZE sales.orders',
      'ANALYZE sales.order_totals',
      'ANALYZE sales.events',
    ]);
    await run(urlOf(other), ['CREATE TABLE public.elsewhere (id integer)']);
    connector = connectorFor(sharedPort, shop);
  });

  afterAll(async () => {
    await connector?.close();
    await run(admin, [
      `DROP DATABASE IF EXISTS ${shop} WITH (FORCE)`,
      `DROP DATABASE IF EXISTS ${other} WITH (FORCE)`,
    ]);
  });

  const ours = (database: string): boolean => database === shop || database === other;

  it('crawls tables, views, materialized and partitioned tables with columns, comments, rows, bytes and view text', async () => {
    const tables = await collect(connector.crawl(filterOf((database) => ours(database))));
    const byName = new Map(tables.map((table) => [`${table.database}.${table.schema}.${table.name}`, table]));

    const orders = byName.get(`${shop}.sales.orders`);
    expect(orders).toMatchObject({ kind: 'table', comment: 'One row per order', rowCount: 1000 });
    expect(orders!.bytes).toBeGreaterThan(8192);
    expect(orders!.columns).toEqual([
      { name: 'id', type: 'integer', position: 1, nullable: false, comment: null },
      { name: 'amount', type: 'numeric(10,2)', position: 2, nullable: false, comment: 'Order total in EUR' },
      { name: 'note', type: 'character varying(20)', position: 3, nullable: true, comment: null },
      { name: 'Status', type: 'text', position: 4, nullable: true, comment: null },
    ]);

    const view = byName.get(`${shop}.sales.big_orders`);
    expect(view).toMatchObject({ kind: 'view', comment: 'Orders over 100', rowCount: null, bytes: null });
    expect(view!.viewDefinition).toMatch(/FROM sales\.orders\s+WHERE orders\.amount > 100/i);

    const totals = byName.get(`${shop}.sales.order_totals`);
    expect(totals).toMatchObject({ kind: 'materialized_view', rowCount: 1 });
    expect(totals!.viewDefinition).toMatch(/sum\(orders\.amount\) AS total/);
    expect(totals!.columns.map((column) => `${column.name} ${column.type}`)).toEqual([
      'orders bigint',
      'total numeric',
    ]);

    const events = byName.get(`${shop}.sales.events`);
    expect(events).toMatchObject({ kind: 'table', rowCount: 800 });
    expect(events!.bytes).toBeGreaterThan(0);
    expect(byName.has(`${shop}.sales.events_2026`)).toBe(false);

    expect(byName.get(`${shop}.public.never_analysed`)).toMatchObject({ kind: 'table', rowCount: null });
    expect(byName.get(`${other}.public.elsewhere`)).toMatchObject({ kind: 'table' });
    expect(tables.every((table) => ours(table.database))).toBe(true);
    expect(tables.some((table) => ['pg_catalog', 'information_schema'].includes(table.schema))).toBe(false);
  });

  it('lets the name filter choose databases and schemas', async () => {
    const tables = await collect(
      connector.crawl(filterOf((database, schema) => database === shop && schema !== 'hidden')),
    );
    const names = tables.map((table: CrawledTable) => `${table.database}.${table.schema}.${table.name}`);
    expect(names).toContain(`${shop}.sales.orders`);
    expect(names).toContain(`${shop}.public.never_analysed`);
    expect(names).not.toContain(`${shop}.hidden.secrets`);
    expect(names.some((name) => name.startsWith(`${other}.`))).toBe(false);
  });

  it('crawls only the configured databases when a list is given', async () => {
    const listed = connectorFor(sharedPort, shop, {}, { databases: [other] });
    try {
      const tables = await collect(listed.crawl(filterOf(() => true)));
      expect(tables.map((table) => `${table.database}.${table.schema}.${table.name}`)).toEqual([
        `${other}.public.elsewhere`,
      ]);
    } finally {
      await listed.close();
    }
  });

  it('check() reaches the server and says how to enable pg_stat_statements', async () => {
    const preloaded = await withPostgresClient(admin, async (client) => {
      const result = await client.query<{ libraries: string }>(
        `SELECT current_setting('shared_preload_libraries') AS libraries`,
      );
      return result.rows[0]!.libraries.includes('pg_stat_statements');
    });
    const result = await connector.check();
    expect(result.ok).toBe(false);
    expect(result.checks.find((check) => check.name === 'reach')).toEqual({ name: 'reach', ok: true });
    expect(result.checks.find((check) => check.name === 'schema-read')?.ok).toBe(true);
    const history = result.checks.find((check) => check.name === 'history-read');
    expect(history?.ok).toBe(false);
    expect(history?.fix).toContain('CREATE EXTENSION pg_stat_statements');
    if (!preloaded) {
      expect(history?.message).toContain('not loaded');
      expect(history?.fix).toContain('shared_preload_libraries');
      expect(history?.fix).toContain('restart');
    }
  });

  it('readHistory() fails with the same fix when pg_stat_statements cannot be read', async () => {
    const window = { since: new Date(Date.now() - 3_600_000), until: new Date() };
    const error = await collect(connector.readHistory(window)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WarehouseError);
    expect((error as WarehouseError).kind).toBe('permission');
    expect((error as WarehouseError).fix).toContain('pg_stat_statements');
  });

  it('reports a configured database that does not exist', async () => {
    const listed = connectorFor(sharedPort, shop, {}, { databases: [`${shop}_missing`] });
    try {
      const result = await listed.check();
      const item = result.checks.find((check) => check.name === 'schema-read');
      expect(item?.ok).toBe(false);
      expect(item?.message).toContain(`${shop}_missing`);
    } finally {
      await listed.close();
    }
  });

  it('turns an unreachable server into an unavailable error', async () => {
    const closed = connectorFor(1, shop, {}, { connectTimeoutSeconds: 2 });
    const error = await collect(closed.crawl(filterOf(() => true))).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WarehouseError);
    expect((error as WarehouseError).kind).toBe('unavailable');
    expect((error as WarehouseError).message).toContain('127.0.0.1:1');
  });
});

const privateUnavailable = PrivatePostgres.unavailableReason();
const describeWithPrivateCluster = privateUnavailable ? describe.skip : describe;
if (privateUnavailable) console.warn(`postgres connector: skipping history tests: ${privateUnavailable}`);

describeWithPrivateCluster('PostgresConnector history from pg_stat_statements', () => {
  let cluster: PrivatePostgres;
  let shopUrl: string;
  const loaderPassword = `loader-${randomBytes(8).toString('hex')}`;
  const readerPassword = `reader-${randomBytes(8).toString('hex')}`;

  /** Runs statements as the `loader` role, over TCP with its password, in database shop. */
  async function asLoader(statements: readonly string[]): Promise<void> {
    const client = new pg.Client({
      host: '127.0.0.1',
      port: cluster.port,
      database: 'shop',
      user: 'loader',
      password: loaderPassword,
    });
    await client.connect();
    try {
      for (const statement of statements) await client.query(statement);
    } finally {
      await client.end();
    }
  }

  beforeAll(async () => {
    cluster = await PrivatePostgres.create({
      settings: { shared_preload_libraries: 'pg_stat_statements', 'pg_stat_statements.track': 'top' },
      hostAuthentication: 'scram-sha-256',
    });
    shopUrl = await cluster.createDatabase('shop');
    await run(cluster.url(), [
      'CREATE EXTENSION pg_stat_statements',
      `CREATE ROLE loader LOGIN PASSWORD '${loaderPassword}'`,
      `CREATE ROLE reader LOGIN PASSWORD '${readerPassword}'`,
    ]);
    await run(shopUrl, [
      'CREATE SCHEMA staging AUTHORIZATION loader',
      'CREATE SCHEMA analytics AUTHORIZATION loader',
      'GRANT USAGE ON SCHEMA analytics, staging TO reader',
    ]);
    await asLoader([
      'CREATE TABLE staging.orders (id integer, amount numeric)',
      'CREATE TABLE analytics.orders (id integer, amount numeric)',
      'INSERT INTO staging.orders SELECT g, g FROM generate_series(1, 50) g',
      'INSERT INTO analytics.orders SELECT id, amount FROM staging.orders WHERE amount > 10',
      'CREATE TABLE analytics.big_orders AS SELECT * FROM analytics.orders WHERE amount > 40',
      `SELECT count(*) FROM analytics.orders WHERE amount > 5\n${HEX_COMMENT_ONE}`,
      `SELECT count(*) FROM analytics.orders WHERE amount > 7\n${HEX_COMMENT_TWO}`,
      `SELECT id FROM staging.orders WHERE id = 3; ${HEX_COMMENT_ONE}`,
    ]);
  }, 120_000);

  afterAll(async () => {
    await cluster?.destroy();
  });

  const window = () => ({ since: new Date(Date.now() - 3_600_000), until: new Date() });

  it('reads aggregated statements with calls, user, database and text, without our own', async () => {
    const connector = connectorFor(cluster.port, 'postgres');
    try {
      // Crawling first puts our own catalog queries into pg_stat_statements, so leaving them out is tested.
      expect((await collect(connector.crawl(filterOf((database) => database === 'shop')))).length).toBe(3);
      const records = await collect(connector.readHistory(window()));

      const insert = records.find((record) => /^INSERT INTO analytics\.orders/i.test(record.text));
      expect(insert).toMatchObject({
        user: 'loader',
        defaultDatabase: 'shop',
        defaultSchema: 'public',
        calls: 1,
        text: 'INSERT INTO analytics.orders SELECT id, amount FROM staging.orders WHERE amount > $1',
      });
      expect(insert!.queryId).toMatch(/^\d+:\d+:-?\d+$/);
      expect(insert!.startedAt.getTime()).toBeGreaterThan(Date.now() - 600_000);

      // Utility statements such as CTAS keep their constants up to Postgres 15; 16 normalises them too.
      const ctas = records.find((record) => /^CREATE TABLE analytics\.big_orders AS/i.test(record.text));
      expect(ctas).toMatchObject({ user: 'loader', defaultDatabase: 'shop', calls: 1 });
      expect(ctas!.text).toMatch(
        /^CREATE TABLE analytics\.big_orders AS SELECT \* FROM analytics\.orders WHERE amount > (40|\$1)$/,
      );

      // A trailing comment is part of the statement text, but the entry keeps the first execution's text:
      // the second run, with another project's comment, is only counted.
      const hex = records.filter((record) => record.text.includes('-- Hex query metadata'));
      const counted = hex.find((record) => record.text.startsWith('SELECT count(*) FROM analytics.orders'));
      expect(counted).toMatchObject({
        calls: 2,
        text: `SELECT count(*) FROM analytics.orders WHERE amount > $1\n${HEX_COMMENT_ONE}`,
      });
      // A comment after the statement's semicolon belongs to no statement and is lost.
      const afterSemicolon = records.find((record) =>
        record.text.startsWith('SELECT id FROM staging.orders'),
      );
      expect(afterSemicolon?.text).toBe('SELECT id FROM staging.orders WHERE id = $1');

      expect(records.some((record) => record.text.includes(OWN_QUERY_MARKER))).toBe(false);
      expect(records.some((record) => /^\s*(BEGIN|COMMIT|SET|SHOW)\b/i.test(record.text))).toBe(false);
      const ownStatements = await withPostgresClient(cluster.url(), async (client) => {
        const result = await client.query<{ count: string }>(
          `SELECT count(*) FROM pg_stat_statements WHERE query LIKE '${OWN_QUERY_MARKER}%'`,
        );
        return Number(result.rows[0]!.count);
      });
      expect(ownStatements).toBeGreaterThan(0);
    } finally {
      await connector.close();
    }
  });

  it('shows higher calls for the same queryId after more executions', async () => {
    const connector = connectorFor(cluster.port, 'postgres');
    const isInsert = (record: HistoryRecord) => /^INSERT INTO analytics\.orders SELECT/i.test(record.text);
    try {
      const before = (await collect(connector.readHistory(window()))).find(isInsert)!;
      await asLoader([
        'INSERT INTO analytics.orders SELECT id, amount FROM staging.orders WHERE amount > 20',
        'INSERT INTO analytics.orders SELECT id, amount FROM staging.orders WHERE amount > 30',
      ]);
      const after = (await collect(connector.readHistory(window()))).find(isInsert)!;
      expect(after.queryId).toBe(before.queryId);
      expect(after.calls).toBe(before.calls! + 2);
      expect(after.startedAt.getTime()).toBeGreaterThanOrEqual(before.startedAt.getTime());
    } finally {
      await connector.close();
    }
  });

  it('passes check() as a superuser', async () => {
    const connector = connectorFor(cluster.port, 'postgres');
    try {
      const result = await connector.check();
      expect(result.checks).toEqual([
        { name: 'reach', ok: true },
        { name: 'schema-read', ok: true },
        { name: 'history-read', ok: true },
      ]);
      expect(result.ok).toBe(true);
    } finally {
      await connector.close();
    }
  });

  it('names GRANT pg_read_all_stats for a role that cannot read other roles’ statements', async () => {
    const connector = connectorFor(cluster.port, 'postgres', { user: 'reader', password: readerPassword });
    try {
      const result = await connector.check();
      const history = result.checks.find((check) => check.name === 'history-read');
      expect(history).toMatchObject({ ok: false, fix: 'GRANT pg_read_all_stats TO reader;' });
      expect(history?.message).toContain('<insufficient privilege>');
      const records = await collect(connector.readHistory(window()));
      expect(records.some((record) => record.user === 'loader')).toBe(false);
    } finally {
      await connector.close();
    }
  });

  it('refuses a wrong password as an auth error that does not contain the password', async () => {
    const wrongPassword = `wrong-${randomBytes(8).toString('hex')}`;
    const connector = connectorFor(cluster.port, 'shop', { user: 'loader', password: wrongPassword });
    try {
      const error = await collect(connector.crawl(filterOf(() => true))).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(WarehouseError);
      expect((error as WarehouseError).kind).toBe('auth');
      expect((error as WarehouseError).message).toContain('loader');
      expect((error as WarehouseError).message).not.toContain(wrongPassword);

      const result = await connector.check();
      expect(result.ok).toBe(false);
      expect(result.checks).toHaveLength(1);
      expect(result.checks[0]).toMatchObject({ name: 'reach', ok: false });
      expect(JSON.stringify(result)).not.toContain(wrongPassword);
    } finally {
      await connector.close();
    }
  });
});
