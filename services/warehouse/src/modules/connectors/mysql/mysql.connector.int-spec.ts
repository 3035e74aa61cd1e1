import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import {
  OWN_QUERY_MARKER,
  WarehouseError,
  type ConnectionCheck,
  type HistoryRecord,
  type HistoryWindow,
  type NameFilter,
  type WarehouseConnector,
} from '../warehouse-connector.js';
import {
  mariadbConnectorDefinition,
  mysqlConnectorDefinition,
  type MysqlCredentials,
} from './mysql.connector.js';

// Runs against the MariaDB (or MySQL) server on 127.0.0.1:3306 (override with MYSQL_TEST_HOST/PORT/USER/PASSWORD).
// general_log and log_output are server-wide: this file turns them on and leaves them on, because other files of
// this project read the log at the same time and turning it off under them would lose their statements.

const host = process.env.MYSQL_TEST_HOST ?? '127.0.0.1';
const port = Number(process.env.MYSQL_TEST_PORT ?? 3306);
const adminUser = process.env.MYSQL_TEST_USER ?? 'root';
const adminPassword = process.env.MYSQL_TEST_PASSWORD ?? '';

const suffix = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
const shop = `cartograph_myconn_${suffix}`;
const other = `cartograph_myconn_other_${suffix}`;
const loader = `cg_loader_${randomBytes(4).toString('hex')}`;
const outsider = `cg_outsider_${randomBytes(4).toString('hex')}`;
const loaderPassword = `loader-${randomBytes(8).toString('hex')}`;
const outsiderPassword = `outsider-${randomBytes(8).toString('hex')}`;

const HEX_COMMENT =
  '-- Hex query metadata: {"categories": [], "cell_type": "SQL", "context": "SCHEDULED_RUN", "project_id": "proj_one", "project_url": "https://app.hex.tech/acme/hex/proj_one/draft/logic"}';

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const list: T[] = [];
  for await (const item of items) list.push(item);
  return list;
}

const filterOf = (accepts: (database: string, schema?: string) => boolean): NameFilter => ({ accepts });

function connectorFor(
  credentials: Partial<MysqlCredentials> = {},
  definition = mariadbConnectorDefinition,
  settings: Record<string, unknown> = {},
): WarehouseConnector {
  return definition.create({
    settings: definition.settingsSchema.parse({ host, port, connectTimeoutSeconds: 10, ...settings }),
    credentials: definition.credentialsSchema.parse({
      user: loader,
      password: loaderPassword,
      ...credentials,
    }),
    timeoutMs: 20_000,
  });
}

/** History is read as the administrator: the test account itself may not read mysql.general_log. */
function historyReader(settings: Record<string, unknown> = {}): WarehouseConnector {
  return connectorFor({ user: adminUser, password: adminPassword }, mariadbConnectorDefinition, settings);
}

function adminConnection(database?: string): Promise<mysql.Connection> {
  return mysql.createConnection({ host, port, user: adminUser, password: adminPassword, database });
}

function loaderConnection(database?: string): Promise<mysql.Connection> {
  return mysql.createConnection({ host, port, user: loader, password: loaderPassword, database });
}

/** Statements of our test account only: other projects may use the shared server's log at the same time. */
const byLoader = (records: readonly HistoryRecord[]): HistoryRecord[] =>
  records.filter((record) => record.user === loader);

describe('MySQL/MariaDB connector', () => {
  let admin: mysql.Connection;
  let before: { generalLog: string; logOutput: string };
  let checkBeforeLogging: ConnectionCheck;
  const connectors: WarehouseConnector[] = [];
  const track = (connector: WarehouseConnector): WarehouseConnector => {
    connectors.push(connector);
    return connector;
  };

  beforeAll(async () => {
    admin = await adminConnection();
    const [rows] = await admin.query<mysql.RowDataPacket[]>(
      'SELECT @@GLOBAL.general_log AS general_log, @@GLOBAL.log_output AS log_output',
    );
    before = { generalLog: String(rows[0]!.general_log), logOutput: String(rows[0]!.log_output) };
    for (const statement of [
      `CREATE DATABASE ${shop}`,
      `CREATE DATABASE ${other}`,
      `CREATE USER '${loader}'@'%' IDENTIFIED BY '${loaderPassword}'`,
      `GRANT ALL ON ${shop}.* TO '${loader}'@'%'`,
      `GRANT ALL ON ${other}.* TO '${loader}'@'%'`,
      `CREATE USER '${outsider}'@'%' IDENTIFIED BY '${outsiderPassword}'`,
      `GRANT SELECT ON ${shop}.* TO '${outsider}'@'%'`,
      `CREATE TABLE ${shop}.orders (id INT NOT NULL PRIMARY KEY, amount DECIMAL(10,2) NOT NULL COMMENT 'Order total in EUR', note VARCHAR(20)) COMMENT 'One row per order'`,
      `INSERT INTO ${shop}.orders SELECT seq, seq * 1.5, CONCAT('n', seq) FROM ${shop}.seq_1_to_100`,
      `ANALYZE TABLE ${shop}.orders`,
      `CREATE TABLE ${shop}.big_orders (id INT, amount DECIMAL(10,2))`,
      `CREATE VIEW ${shop}.expensive AS SELECT id, amount FROM ${shop}.orders WHERE amount > 100`,
      `CREATE TABLE ${other}.elsewhere (id INT)`,
    ]) {
      await admin.query(statement);
    }
    // Checked before the log is switched on, so the report of a log that is off is seen on this server.
    checkBeforeLogging = await connectorFor().check();
    const outputs = before.logOutput.split(',').filter((output) => output !== 'NONE' && output !== '');
    if (!outputs.includes('TABLE'))
      await admin.query(`SET GLOBAL log_output = '${[...outputs, 'TABLE'].join(',')}'`);
    if (before.generalLog !== '1') await admin.query(`SET GLOBAL general_log = 'ON'`);
  });

  afterAll(async () => {
    await Promise.all(connectors.map((connector) => connector.close()));
    if (!admin) return;
    // The log stays on (see the top of the file); only this file's databases and users go.
    try {
      for (const statement of [
        `DROP DATABASE IF EXISTS ${shop}`,
        `DROP DATABASE IF EXISTS ${other}`,
        `DROP USER IF EXISTS '${loader}'@'%'`,
        `DROP USER IF EXISTS '${outsider}'@'%'`,
      ]) {
        await admin.query(statement);
      }
    } finally {
      await admin.end();
    }
  });

  it('crawls tables and views with columns, comments, row counts, bytes and view text', async () => {
    const connector = track(connectorFor());
    const tables = await collect(connector.crawl(filterOf((database) => database === shop)));
    const byName = new Map(tables.map((table) => [table.name, table]));
    expect([...byName.keys()].sort()).toEqual(['big_orders', 'expensive', 'orders']);
    expect(tables.every((table) => table.database === shop && table.schema === shop)).toBe(true);

    const orders = byName.get('orders')!;
    expect(orders).toMatchObject({
      kind: 'table',
      comment: 'One row per order',
      rowCount: 100,
      viewDefinition: null,
    });
    expect(orders.bytes).toBeGreaterThan(0);
    expect(orders.createdAt).toBeInstanceOf(Date);
    expect(orders.columns).toEqual([
      { name: 'id', type: 'int(11)', position: 1, nullable: false, comment: null },
      { name: 'amount', type: 'decimal(10,2)', position: 2, nullable: false, comment: 'Order total in EUR' },
      { name: 'note', type: 'varchar(20)', position: 3, nullable: true, comment: null },
    ]);

    const view = byName.get('expensive')!;
    expect(view).toMatchObject({ kind: 'view', comment: null, rowCount: null, bytes: null });
    expect(view.viewDefinition).toMatch(
      /from `cartograph_myconn_\w+`\.`orders` where `cartograph_myconn_\w+`\.`orders`\.`amount` > 100/,
    );
    expect(view.columns.map((column) => column.name)).toEqual(['id', 'amount']);
  });

  it('lets the name filter choose databases and never crawls the system ones', async () => {
    const connector = track(connectorFor({ user: adminUser, password: adminPassword }));
    const tables = await collect(
      connector.crawl(filterOf((database) => database === other || ['mysql', 'sys'].includes(database))),
    );
    expect(tables.map((table) => `${table.database}.${table.name}`)).toEqual([`${other}.elsewhere`]);
  });

  it('check() reported the log settings as they were before this file switched the log on', () => {
    const generalLog = checkBeforeLogging.checks.find((check) => check.name === 'general-log');
    const logOutput = checkBeforeLogging.checks.find((check) => check.name === 'log-output');
    if (before.generalLog === '1') {
      expect(generalLog).toEqual({ name: 'general-log', ok: true });
    } else {
      expect(generalLog?.ok).toBe(false);
      expect(generalLog?.fix).toContain("SET GLOBAL general_log = 'ON';");
      expect(checkBeforeLogging.ok).toBe(false);
    }
    if (before.logOutput.split(',').includes('TABLE')) {
      expect(logOutput).toEqual({ name: 'log-output', ok: true });
    } else {
      expect(logOutput?.ok).toBe(false);
      expect(logOutput?.fix).toMatch(/^SET GLOBAL log_output = '(FILE,)?TABLE';/);
    }
  });

  it('check() passes with the log on, and names the platform when the connection type is wrong', async () => {
    const result = await track(connectorFor({ user: adminUser, password: adminPassword })).check();
    expect(result.checks.map((check) => check.name)).toEqual([
      'reach',
      'platform',
      'schema-read',
      'log-output',
      'general-log',
      'history-read',
    ]);
    expect(result.checks.filter((check) => !check.ok)).toEqual([]);
    expect(result.ok).toBe(true);

    const asMysql = await track(
      connectorFor({ user: adminUser, password: adminPassword }, mysqlConnectorDefinition),
    ).check();
    expect(asMysql.ok).toBe(false);
    expect(asMysql.checks.find((check) => check.name === 'platform')?.fix).toBe(
      'Create the connection as a MariaDB connection.',
    );
  });

  it('check() names the grant for an account that cannot read mysql.general_log, and readHistory fails with it', async () => {
    const connector = track(connectorFor({ user: outsider, password: outsiderPassword }));
    const result = await connector.check();
    const item = result.checks.find((check) => check.name === 'history-read');
    expect(item?.ok).toBe(false);
    expect(item?.fix).toBe(`GRANT SELECT ON mysql.general_log TO '${outsider}'@'%';`);
    expect(result.checks.find((check) => check.name === 'schema-read')?.ok).toBe(true);

    const window = { since: new Date(Date.now() - 60_000), until: new Date(Date.now() + 60_000) };
    const error = await collect(connector.readHistory(window)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WarehouseError);
    expect((error as WarehouseError).kind).toBe('permission');
    expect((error as WarehouseError).fix).toContain('GRANT SELECT ON mysql.general_log');
  });

  describe('history from mysql.general_log', () => {
    const statements = {
      insert: `INSERT INTO big_orders SELECT id, amount FROM orders WHERE amount > 50`,
      ctas: `CREATE TABLE order_copy AS SELECT * FROM orders WHERE id <= 10`,
      view: `CREATE VIEW cheap AS SELECT id FROM orders WHERE amount < 10`,
      hex: `SELECT count(*) FROM orders WHERE amount > 5\n${HEX_COMMENT}`,
      elsewhere: `INSERT INTO elsewhere SELECT id FROM ${shop}.orders WHERE id < 3`,
      prepared: `SELECT id FROM orders WHERE amount > ?`,
      afterUse: `CREATE TABLE used_copy AS SELECT * FROM orders WHERE id = 1`,
    };
    let start: Date;
    let firstRead: HistoryRecord[];
    let firstWindow: HistoryWindow;
    let sessionWithDatabase: number;
    let sessionWithoutDatabase: number;

    beforeAll(async () => {
      start = new Date(Date.now() - 1_000);
      // A crawl puts our own statements into the log inside the window.
      await collect(track(connectorFor()).crawl(filterOf((database) => database === shop)));
      const withDatabase = await loaderConnection(shop);
      const withoutDatabase = await loaderConnection();
      try {
        sessionWithDatabase = withDatabase.threadId;
        sessionWithoutDatabase = withoutDatabase.threadId;
        await withDatabase.query('SET NAMES utf8mb4');
        await withDatabase.query(statements.insert);
        await withDatabase.query('START TRANSACTION');
        await withDatabase.query(statements.ctas);
        await withDatabase.query('COMMIT');
        await withDatabase.query(statements.view);
        await withDatabase.query(statements.hex);
        await withoutDatabase.query(`USE ${shop}`);
        await withoutDatabase.query(statements.afterUse);
        await withDatabase.query(`USE ${other}`);
        await withDatabase.query(statements.elsewhere);
        await withoutDatabase.execute(statements.prepared, [140]);
      } finally {
        await withDatabase.end();
        await withoutDatabase.end();
      }
      firstWindow = { since: start, until: new Date(Date.now() + 1_000) };
      firstRead = byLoader(await collect(track(historyReader()).readHistory(firstWindow)));
    });

    it('returns the statements in order with the default database, user and session', () => {
      expect(firstRead.map((record) => [record.text, record.defaultDatabase, record.sessionId])).toEqual([
        [statements.insert, shop, String(sessionWithDatabase)],
        [statements.ctas, shop, String(sessionWithDatabase)],
        [statements.view, shop, String(sessionWithDatabase)],
        [statements.hex, shop, String(sessionWithDatabase)],
        [statements.afterUse, shop, String(sessionWithoutDatabase)],
        [statements.elsewhere, other, String(sessionWithDatabase)],
        ['SELECT id FROM orders WHERE amount > 140', shop, String(sessionWithoutDatabase)],
      ]);
      expect(
        firstRead.every(
          (record) => record.user === loader && record.defaultSchema === record.defaultDatabase,
        ),
      ).toBe(true);
      const times = firstRead.map((record) => record.startedAt.getTime());
      expect([...times].sort((left, right) => left - right)).toEqual(times);
      expect(times[0]).toBeGreaterThanOrEqual(start.getTime());
      expect(new Set(firstRead.map((record) => record.queryId)).size).toBe(firstRead.length);
      expect(firstRead[0]!.queryId).toMatch(
        new RegExp(`^\\d+:${sessionWithDatabase}:\\d{4}-\\d\\d-\\d\\dT[\\d:]+\\.\\d{6}Z:0$`),
      );
    });

    it('keeps a trailing Hex comment verbatim in the logged text', () => {
      expect(
        firstRead.find((record) => record.text.includes('Hex query metadata'))?.text.endsWith(HEX_COMMENT),
      ).toBe(true);
    });

    it('leaves out our own statements, which the log does contain', async () => {
      const all = await collect(track(historyReader()).readHistory(firstWindow));
      expect(all.some((record) => record.text.includes(OWN_QUERY_MARKER))).toBe(false);
      const [rows] = await admin.query<mysql.RowDataPacket[]>(
        `SELECT count(*) AS count FROM mysql.general_log WHERE event_time >= ? AND argument LIKE ?`,
        [start, `${OWN_QUERY_MARKER}%`],
      );
      expect(Number(rows[0]!.count)).toBeGreaterThan(0);
    });

    it('reads only newer statements from the watermark, with the same ids for the boundary', async () => {
      const watermark = firstRead[firstRead.length - 1]!.startedAt;
      const connection = await loaderConnection(shop);
      const newer = `INSERT INTO big_orders SELECT id, amount FROM orders WHERE amount > 140`;
      try {
        await connection.query(newer);
      } finally {
        await connection.end();
      }
      const second = byLoader(
        await collect(
          track(historyReader()).readHistory({ since: watermark, until: new Date(Date.now() + 1_000) }),
        ),
      );
      const firstIds = new Map(firstRead.map((record) => [record.queryId, record]));
      const repeated = second.filter((record) => firstIds.has(record.queryId));
      // The window starts at the last record's millisecond, so that record (and nothing older) may come again.
      expect(repeated.every((record) => record.startedAt.getTime() === watermark.getTime())).toBe(true);
      expect(repeated.every((record) => firstIds.get(record.queryId)!.text === record.text)).toBe(true);
      expect(second.filter((record) => !firstIds.has(record.queryId)).map((record) => record.text)).toEqual([
        newer,
      ]);
    });

    it('finds the default database of a session that started before the window', async () => {
      const connection = await loaderConnection(shop);
      const switched = await loaderConnection();
      try {
        await connection.query('SELECT id FROM orders WHERE id = 1');
        await switched.query(`USE ${other}`);
        await switched.query('SELECT id FROM elsewhere WHERE id = 1');
        const read = byLoader(
          await collect(
            track(historyReader()).readHistory({ since: start, until: new Date(Date.now() + 1_000) }),
          ),
        );
        const last = read[read.length - 1]!;
        const since = new Date(last.startedAt.getTime() + 1);
        await connection.query('SELECT id FROM orders WHERE id = 2');
        await switched.query('SELECT id FROM elsewhere WHERE id = 2');
        const later = byLoader(
          await collect(track(historyReader()).readHistory({ since, until: new Date(Date.now() + 1_000) })),
        );
        expect(later.map((record) => [record.text, record.defaultDatabase])).toEqual([
          ['SELECT id FROM orders WHERE id = 2', shop],
          ['SELECT id FROM elsewhere WHERE id = 2', other],
        ]);

        const blind = byLoader(
          await collect(
            track(historyReader({ historyLookbackHours: 0 })).readHistory({
              since,
              until: new Date(Date.now() + 1_000),
            }),
          ),
        );
        expect(blind.map((record) => record.defaultDatabase)).toEqual([null, null]);
      } finally {
        await connection.end();
        await switched.end();
      }
    });

    it('stops after the limit', async () => {
      const connector = track(historyReader());
      const limited = await collect(connector.readHistory({ ...firstWindow, limit: 2 }));
      expect(limited).toHaveLength(2);
      // The connection of the abandoned read was dropped; the connector still works.
      expect((await connector.check()).checks[0]).toEqual({ name: 'reach', ok: true });
    });
  });

  it('refuses a wrong password as an auth error that does not contain the password', async () => {
    const wrongPassword = `wrong-${randomBytes(8).toString('hex')}`;
    const connector = track(connectorFor({ password: wrongPassword }));
    const error = await collect(connector.crawl(filterOf(() => true))).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WarehouseError);
    expect((error as WarehouseError).kind).toBe('auth');
    expect((error as WarehouseError).message).toContain(loader);
    expect((error as WarehouseError).message).not.toContain(wrongPassword);
    const result = await connector.check();
    expect(result).toMatchObject({ ok: false, checks: [{ name: 'reach', ok: false }] });
    expect(JSON.stringify(result)).not.toContain(wrongPassword);
  });

  it('turns an unreachable server into an unavailable error', async () => {
    const connector = track(
      connectorFor({}, mariadbConnectorDefinition, { port: 1, connectTimeoutSeconds: 2 }),
    );
    const error = await collect(connector.crawl(filterOf(() => true))).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WarehouseError);
    expect((error as WarehouseError).kind).toBe('unavailable');
  });
});
