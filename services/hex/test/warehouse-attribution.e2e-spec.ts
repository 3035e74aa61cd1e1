import { randomBytes, randomUUID } from 'node:crypto';
import mysql from 'mysql2/promise';
import { datasetId } from '@cartograph/catalog-model';
import { FakeHex, TestStack, eventually } from '@cartograph/platform/testing';

// A query run for real against MariaDB with Hex's query comment: the warehouse reads it from the general log,
// and the gateway joins the warehouse's attribution (which tables) with the hex subgraph's project (title, URL).

const TOKEN = 'hxtw_attribution_0123456789abcdef';
// Fresh ids each run: MariaDB's general log is server-wide, so earlier runs' queries are in the history too.
const SYNCED = randomUUID();
const UNSYNCED = randomUUID();
const hexComment = (projectId: string, title: string) =>
  `\n-- Hex query metadata: {"categories": [], "cell_type": "SQL", "connection": "MariaDB", "context": "SCHEDULED_RUN", "project_id": "${projectId}", "project_name": "${title}", "project_url": "https://app.hex.tech/acme/hex/${projectId}/draft/logic", "status": "Approved", "trace_id": "0195cd3713e6700088f1535fa4c874a5", "user_email": "ana@acme.test"}`;

const mariadb = {
  host: process.env.MYSQL_TEST_HOST ?? '127.0.0.1',
  port: Number(process.env.MYSQL_TEST_PORT ?? 3306),
  user: process.env.MYSQL_TEST_USER ?? 'root',
  password: process.env.MYSQL_TEST_PASSWORD ?? '',
};

describe('Hex projects on the tables their queries read (MariaDB query history)', () => {
  const hex = new FakeHex();
  const shop = `cg_hex_${randomBytes(4).toString('hex')}`;
  let stack: TestStack;

  beforeAll(async () => {
    await hex.start();
    hex.token(TOKEN).project({ id: SYNCED, title: 'Revenue board', lastPublishedAt: new Date() });
    stack = await TestStack.start({ project: 'hex', services: ['hex', 'warehouse'] });
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    await hex.stop();
    const admin = await mysql.createConnection(mariadb).catch(() => null);
    await admin?.query(`DROP DATABASE IF EXISTS ${shop}`);
    await admin?.end();
  });

  async function syncRun(field: string, connectionField: string, connectionId: string): Promise<any> {
    const { body } = await stack.graphql(`mutation($id: ID!) { ${field}(id: $id) { id } }`, {
      id: connectionId,
    });
    expect(body.errors).toBeUndefined();
    const runId = body.data[field].id;
    return eventually(async () => {
      const { body: answer } = await stack.graphql(
        `query($id: ID!) { ${connectionField}(id: $id) { syncRuns(first: 5) { edges { node { id state counts error { code message } } } } } }`,
        { id: connectionId },
      );
      const run = answer.data?.[connectionField]?.syncRuns.edges.find(
        (edge: any) => edge.node.id === runId,
      )?.node;
      return run && ['succeeded', 'failed'].includes(run.state) ? run : null;
    }, 60_000);
  }

  it('a query carrying a Hex comment puts the project under Dataset.hexProjects and the tables under HexProject.datasets', async () => {
    const admin = await mysql.createConnection(mariadb);
    try {
      await admin.query(`SET GLOBAL log_output = 'TABLE'`);
      await admin.query(`SET GLOBAL general_log = 'ON'`);
      await admin.query(`CREATE DATABASE ${shop}`);
    } finally {
      await admin.end();
    }
    const session = await mysql.createConnection({ ...mariadb, database: shop });
    try {
      for (const statement of [
        `CREATE TABLE orders (id INT, customer_id INT, amount DECIMAL(10,2))`,
        `CREATE TABLE customers (id INT, region VARCHAR(8))`,
        `SELECT c.region, SUM(o.amount) FROM orders o JOIN customers c ON c.id = o.customer_id GROUP BY c.region${hexComment(SYNCED, 'Revenue board')}`,
        `SELECT COUNT(*) FROM orders${hexComment(UNSYNCED, 'Not synced yet')}`,
      ]) {
        await session.query(statement);
      }
    } finally {
      await session.end();
    }

    const hexConnection = await stack.graphql(
      `mutation($input: CreateHexConnectionInput!) { createHexConnection(input: $input) { id } }`,
      { input: { name: 'acme', host: hex.baseUrl, workspaceSlug: 'acme', token: TOKEN } },
    );
    expect(hexConnection.body.errors).toBeUndefined();
    const hexRun = await syncRun(
      'syncHexConnection',
      'hexConnection',
      hexConnection.body.data.createHexConnection.id,
    );
    expect(hexRun.state).toBe('succeeded');

    const warehouse = await stack.graphql(
      `mutation($input: CreateWarehouseConnectionInput!) { createWarehouseConnection(input: $input) { id } }`,
      {
        input: {
          name: 'mariadb',
          platform: 'mariadb',
          settings: { host: mariadb.host, port: mariadb.port, databases: [shop] },
          credentials: { user: mariadb.user, password: mariadb.password },
          includeDatabases: [`^${shop}$`],
          historyLookbackHours: 1,
        },
      },
    );
    expect(warehouse.body.errors).toBeUndefined();
    const warehouseRun = await syncRun(
      'syncWarehouseConnection',
      'warehouseConnection',
      warehouse.body.data.createWarehouseConnection.id,
    );
    expect(warehouseRun.error).toBeNull();

    const id = (name: string) =>
      datasetId({
        platform: 'mariadb',
        instance: `${mariadb.host}:${mariadb.port}`,
        database: shop,
        schema: shop,
        name,
      });
    const orders = await eventually(async () => {
      const { body } = await stack.graphql(
        `query($id: ID!) { dataset(id: $id) { id hexProjects { id synced title url } } }`,
        { id: id('orders') },
      );
      if (body.errors) throw new Error(JSON.stringify(body.errors));
      return body.data?.dataset?.hexProjects?.length === 2 ? body.data.dataset : null;
    }, 30_000);
    const byId = new Map(orders.hexProjects.map((project: any) => [project.id, project]));
    expect(byId.get(SYNCED)).toMatchObject({ synced: true, title: 'Revenue board' });
    expect((byId.get(SYNCED) as any).url).toMatch(/\/acme\/app\/[0-9A-Za-z]{22}$/);
    // Seen in a query comment but not synced: it resolves, with only its id.
    expect(byId.get(UNSYNCED)).toEqual({ id: UNSYNCED, synced: false, title: null, url: null });

    // Both tables are in the catalog once the warehouse's dataset events are consumed.
    const customers = await eventually(async () => {
      const { body } = await stack.graphql(`query($id: ID!) { dataset(id: $id) { hexProjects { id } } }`, {
        id: id('customers'),
      });
      return body.data?.dataset ?? null;
    }, 30_000);
    expect(customers.hexProjects).toEqual([{ id: SYNCED }]);

    const project = await stack.graphql(
      `query($id: ID!) { hexProject(id: $id) { title datasets { id name } } }`,
      { id: SYNCED },
    );
    expect(project.body.errors).toBeUndefined();
    expect(project.body.data.hexProject.title).toBe('Revenue board');
    expect(project.body.data.hexProject.datasets.map((dataset: any) => dataset.id).sort()).toEqual(
      [id('customers'), id('orders')].sort(),
    );
    expect(project.body.data.hexProject.datasets.map((dataset: any) => dataset.name).sort()).toEqual([
      'customers',
      'orders',
    ]);
  }, 180_000);
});
