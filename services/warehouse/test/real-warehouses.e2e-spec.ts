import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { datasetId } from '@cartograph/catalog-model';
import { buildManifest } from '@cartograph/dbt/testing';
import { PrivatePostgres, TestStack, eventually } from '@cartograph/platform/testing';

// Real warehouses on this machine (MariaDB's general_log, a Postgres cluster with pg_stat_statements), synced by
// the warehouse worker and read through the gateway: lineage from INSERT…SELECT, CTAS and views, a Hex-attributed
// query as a consumer, column comments on the dataset, and dbt's edges joining the graph.

const HEX_PROJECT = '7c0d9a1e-5b2f-4e59-9f7e-2a41c7d8e0b3';
const hexComment = (title: string) =>
  `\n-- Hex query metadata: {"categories": ["Finance"], "cell_type": "SQL", "connection": "Warehouse", "context": "SCHEDULED_RUN", "project_id": "${HEX_PROJECT}", "project_name": "${title}", "project_url": "https://app.hex.tech/acme/hex/${HEX_PROJECT}/draft/logic", "status": "Published", "user_email": "ana@example.com"}`;

const mariadbHost = process.env.MYSQL_TEST_HOST ?? '127.0.0.1';
const mariadbPort = Number(process.env.MYSQL_TEST_PORT ?? 3306);
const mariadbAdmin = {
  host: mariadbHost,
  port: mariadbPort,
  user: process.env.MYSQL_TEST_USER ?? 'root',
  password: process.env.MYSQL_TEST_PASSWORD ?? '',
};

describe('real MariaDB and Postgres warehouses through the gateway', () => {
  let stack: TestStack;
  let cluster: PrivatePostgres;
  const shop = `cg_shop_${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    stack = await TestStack.start({ project: 'warehouse', services: ['warehouse', 'dbt-artifacts'] });
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    await cluster?.destroy();
    const admin = await mysql.createConnection(mariadbAdmin).catch(() => null);
    await admin?.query(`DROP DATABASE IF EXISTS ${shop}`);
    await admin?.end();
  });

  async function createConnection(input: object): Promise<string> {
    const { body } = await stack.graphql(
      `mutation($input: CreateWarehouseConnectionInput!) { createWarehouseConnection(input: $input) { id instance } }`,
      { input },
    );
    expect(body.errors).toBeUndefined();
    return body.data.createWarehouseConnection.id;
  }

  async function sync(connectionId: string): Promise<any> {
    const { body } = await stack.graphql(`mutation($id: ID!) { syncWarehouseConnection(id: $id) { id } }`, {
      id: connectionId,
    });
    expect(body.errors).toBeUndefined();
    const runId = body.data.syncWarehouseConnection.id;
    return eventually(async () => {
      const { body: answer } = await stack.graphql(
        `query($id: ID!) { warehouseConnection(id: $id) { syncRuns(first: 5) { edges { node { id state counts problems error { code message } } } } } }`,
        { id: connectionId },
      );
      const run = answer.data?.warehouseConnection?.syncRuns.edges.find(
        (edge: any) => edge.node.id === runId,
      )?.node;
      return run && ['succeeded', 'failed'].includes(run.state) ? run : null;
    }, 60_000);
  }

  /** `dataset(id)` through the gateway once the catalog has registered it. */
  async function dataset(id: string, fields: string): Promise<any> {
    return eventually(async () => {
      const { body } = await stack.graphql(`query($id: ID!) { dataset(id: $id) { id ${fields} } }`, { id });
      if (body.errors) throw new Error(JSON.stringify(body.errors));
      return body.data?.dataset ?? null;
    }, 20_000);
  }

  const ids = (neighbours: { dataset: { id: string }; distance: number }[]) =>
    neighbours.map((neighbour) => `${neighbour.distance}:${neighbour.dataset.id}`).sort();

  it('MariaDB: INSERT…SELECT, CTAS, a view and a Hex query become lineage, a consumer and column comments', async () => {
    const admin = await mysql.createConnection(mariadbAdmin);
    try {
      // The general log is server-wide; it is turned on and left on (other files read it at the same time).
      await admin.query(`SET GLOBAL log_output = 'TABLE'`);
      await admin.query(`SET GLOBAL general_log = 'ON'`);
      await admin.query(`CREATE DATABASE ${shop}`);
    } finally {
      await admin.end();
    }
    // A client session as an application would have one: a default database, statements with comments kept.
    const session = await mysql.createConnection({ ...mariadbAdmin, database: shop });
    try {
      for (const statement of [
        `CREATE TABLE raw_orders (id INT, customer_id INT COMMENT 'Who placed the order', amount DECIMAL(10,2) COMMENT 'Order total in EUR') COMMENT 'Orders as loaded'`,
        `CREATE TABLE customers (id INT, region VARCHAR(8))`,
        `CREATE TABLE orders_enriched (id INT, region VARCHAR(8), amount DECIMAL(10,2))`,
        `INSERT INTO raw_orders VALUES (1, 1, 120.00), (2, 2, 80.50)`,
        `INSERT INTO customers VALUES (1, 'EU'), (2, 'US')`,
        `INSERT INTO orders_enriched SELECT o.id, c.region, o.amount FROM raw_orders o JOIN customers c ON c.id = o.customer_id`,
        `CREATE TABLE revenue_by_region AS SELECT region, SUM(amount) AS revenue FROM orders_enriched GROUP BY region`,
        `CREATE VIEW big_regions AS SELECT region FROM revenue_by_region WHERE revenue > 100`,
        `SELECT region, revenue FROM revenue_by_region ORDER BY revenue DESC${hexComment('Revenue board')}`,
      ]) {
        await session.query(statement);
      }
    } finally {
      await session.end();
    }

    const connectionId = await createConnection({
      name: 'mariadb',
      platform: 'mariadb',
      settings: { host: mariadbHost, port: mariadbPort, databases: [shop] },
      credentials: { user: mariadbAdmin.user, password: mariadbAdmin.password },
      includeDatabases: [`^${shop}$`],
      historyLookbackHours: 1,
    });
    const run = await sync(connectionId);
    expect(run.error).toBeNull();
    expect(run.counts).toMatchObject({ tables: 5, datasetsUpserted: 5 });
    expect(run.counts.edgesAdded).toBeGreaterThanOrEqual(3);

    const id = (name: string) =>
      datasetId({
        platform: 'mariadb',
        instance: `${mariadbHost}:${mariadbPort}`,
        database: shop,
        schema: shop,
        name,
      });
    const revenue = await dataset(
      id('revenue_by_region'),
      `upstream(depth: 2) { dataset { id } distance } downstream { dataset { id } distance }
       consumers { tool projectId projectName users hexProject { id } }`,
    );
    expect(ids(revenue.upstream)).toEqual(
      [`1:${id('orders_enriched')}`, `2:${id('customers')}`, `2:${id('raw_orders')}`].sort(),
    );
    expect(ids(revenue.downstream)).toEqual([`1:${id('big_regions')}`]);
    expect(revenue.consumers).toEqual([
      {
        tool: 'hex',
        projectId: HEX_PROJECT,
        projectName: 'Revenue board',
        users: ['ana@example.com'],
        hexProject: { id: HEX_PROJECT },
      },
    ]);

    const raw = await dataset(
      id('raw_orders'),
      'description sources columns { name type comment } downstream(depth: 3) { dataset { id } distance }',
    );
    expect(raw.description).toBe('Orders as loaded');
    expect(raw.sources).toContain('warehouse');
    expect(raw.columns).toEqual([
      { name: 'id', type: 'int(11)', comment: null },
      { name: 'customer_id', type: 'int(11)', comment: 'Who placed the order' },
      { name: 'amount', type: 'decimal(10,2)', comment: 'Order total in EUR' },
    ]);
    expect(ids(raw.downstream)).toEqual(
      [`1:${id('orders_enriched')}`, `2:${id('revenue_by_region')}`, `3:${id('big_regions')}`].sort(),
    );
  }, 150_000);

  it('Postgres: pg_stat_statements lineage, a Hex consumer, and dbt edges joining the graph down to the sources', async () => {
    cluster = await PrivatePostgres.create({ settings: { shared_preload_libraries: 'pg_stat_statements' } });
    const analytics = await cluster.createDatabase('analytics');
    const admin = new pg.Client({ connectionString: cluster.url() });
    await admin.connect();
    await admin.query('CREATE EXTENSION pg_stat_statements');
    await admin.end();
    const client = new pg.Client({ connectionString: analytics });
    await client.connect();
    try {
      for (const statement of [
        'CREATE SCHEMA raw',
        'CREATE SCHEMA dbt_prod',
        'CREATE SCHEMA reporting',
        'CREATE TABLE raw.raw_orders (id integer, amount numeric)',
        'CREATE TABLE dbt_prod.orders (order_id integer, amount numeric)',
        `COMMENT ON TABLE dbt_prod.orders IS 'One row per order'`,
        `COMMENT ON COLUMN dbt_prod.orders.amount IS 'Order total in EUR'`,
        'CREATE TABLE reporting.daily_orders (order_id integer, amount numeric)',
        'INSERT INTO reporting.daily_orders SELECT order_id, amount FROM dbt_prod.orders WHERE amount > 0',
        'CREATE TABLE reporting.order_summary AS SELECT count(*) AS orders, sum(amount) AS amount FROM reporting.daily_orders',
        'CREATE VIEW reporting.big_orders AS SELECT order_id FROM dbt_prod.orders WHERE amount > 100',
        `SELECT order_id, amount FROM dbt_prod.orders WHERE amount > 10${hexComment('Orders deep dive')}`,
      ]) {
        await client.query(statement);
      }
    } finally {
      await client.end();
    }
    const instance = `127.0.0.1:${cluster.port}`;
    // dbt's project builds dbt_prod.orders from raw.raw_orders; its edges arrive as lineage.edges_observed.
    const form = new FormData();
    form.append('manifest', new Blob([JSON.stringify(buildManifest(12))]), 'manifest.json');
    form.append('instance', instance);
    const upload = await fetch(`${stack.gatewayUrl}/api/dbt-artifacts/v1/uploads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.adminKey}` },
      body: form,
    });
    expect(upload.status).toBe(202);

    const connectionId = await createConnection({
      name: 'postgres',
      platform: 'postgres',
      settings: {
        host: '127.0.0.1',
        port: cluster.port,
        database: 'postgres',
        databases: ['analytics'],
        sslMode: 'disable',
      },
      credentials: { user: 'postgres', password: '' },
      historyLookbackHours: 1,
    });
    const run = await sync(connectionId);
    expect(run.error).toBeNull();
    expect(run.counts.tables).toBeGreaterThanOrEqual(5);

    const id = (schema: string, name: string) =>
      datasetId({ platform: 'postgres', instance, database: 'analytics', schema, name });
    const orders = await dataset(
      id('dbt_prod', 'orders'),
      `description descriptionSource warehouseTable { comment } columns { name comment }
       consumers { tool projectId projectName }
       downstream { dataset { id } distance }`,
    );
    // dbt documents the model too: its description wins (DESIGN §3 precedence); the comment stays on warehouseTable.
    expect(orders.descriptionSource).toBe('dbt');
    expect(orders.warehouseTable.comment).toBe('One row per order');
    expect(orders.columns).toEqual([
      { name: 'order_id', comment: null },
      { name: 'amount', comment: 'Order total in EUR' },
    ]);
    expect(orders.consumers).toEqual([
      { tool: 'hex', projectId: HEX_PROJECT, projectName: 'Orders deep dive' },
    ]);
    // Query history (INSERT…SELECT), the view's definition and dbt (customers is built from orders) together.
    expect(ids(orders.downstream)).toEqual(
      [
        `1:${id('reporting', 'daily_orders')}`,
        `1:${id('reporting', 'big_orders')}`,
        `1:${id('dbt_prod', 'customers')}`,
      ].sort(),
    );

    // From the table the reporting job writes, upstream through the query edge, then dbt's model to its source.
    const summary = await eventually(async () => {
      const found = await dataset(
        id('reporting', 'order_summary'),
        'lineage(direction: UPSTREAM, depth: 5) { nodes { dataset { id } distance } edges { upstream downstream origins } }',
      );
      return found.lineage.nodes.some((node: any) => node.dataset.id === id('raw', 'raw_orders'))
        ? found
        : null;
    }, 30_000);
    const distance = (dataset: string) =>
      summary.lineage.nodes.find((node: any) => node.dataset.id === dataset)?.distance;
    expect(distance(id('reporting', 'daily_orders'))).toBe(1);
    expect(distance(id('dbt_prod', 'orders'))).toBe(2);
    // dbt: orders ← stg_orders (the ephemeral model between them is looked through) ← the raw_orders source.
    expect(distance(id('dbt_prod', 'stg_orders'))).toBe(3);
    expect(distance(id('raw', 'raw_orders'))).toBe(4);
    expect(summary.lineage.edges).toEqual(
      expect.arrayContaining([
        { upstream: id('raw', 'raw_orders'), downstream: id('dbt_prod', 'stg_orders'), origins: ['dbt'] },
        {
          upstream: id('dbt_prod', 'orders'),
          downstream: id('reporting', 'daily_orders'),
          origins: ['query'],
        },
      ]),
    );
  }, 150_000);
});
