import { OWN_QUERY_MARKER } from '../warehouse-connector.js';
import {
  GeneralLogMapper,
  SessionDefaults,
  databaseOfConnect,
  databaseOfUse,
  eventTimeToDate,
  isNoiseStatement,
  isSystemDatabase,
  mapMysqlTable,
  mysqlHistoryChecks,
  mysqlPlatformCheck,
  platformOfVersion,
  quoteAccount,
  toMysqlTimestamp,
  userOfUserHost,
  warehouseErrorFromMysql,
  withoutLeadingComments,
  type GeneralLogRow,
  type MysqlColumnRow,
  type MysqlTableRow,
} from './mysql.mapper.js';

const table = (overrides: Partial<MysqlTableRow>): MysqlTableRow => ({
  table_schema: 'shop',
  table_name: 'orders',
  table_type: 'BASE TABLE',
  table_rows: '120',
  data_length: '16384',
  index_length: '8192',
  table_comment: 'One row per order',
  create_time: new Date('2026-01-02T03:04:05.000Z'),
  update_time: null,
  ...overrides,
});

const column = (name: string, position: number, overrides: Partial<MysqlColumnRow> = {}): MysqlColumnRow => ({
  table_name: 'orders',
  column_name: name,
  column_type: 'int(11)',
  ordinal_position: position,
  is_nullable: 'YES',
  column_comment: '',
  ...overrides,
});

describe('mapMysqlTable', () => {
  it('maps a table into both namespace slots, with columns by ordinal, rows and data+index bytes', () => {
    const mapped = mapMysqlTable(
      table({}),
      [
        column('amount', 2, { column_type: 'decimal(10,2)', is_nullable: 'NO', column_comment: 'EUR' }),
        column('id', 1, { is_nullable: 'NO' }),
      ],
      undefined,
    );
    expect(mapped).toEqual({
      database: 'shop',
      schema: 'shop',
      name: 'orders',
      kind: 'table',
      comment: 'One row per order',
      columns: [
        { name: 'id', type: 'int(11)', position: 1, nullable: false, comment: null },
        { name: 'amount', type: 'decimal(10,2)', position: 2, nullable: false, comment: 'EUR' },
      ],
      rowCount: 120,
      bytes: 24576,
      viewDefinition: null,
      createdAt: new Date('2026-01-02T03:04:05.000Z'),
      alteredAt: null,
    });
  });

  it('gives views their definition, no rows or bytes, and drops the VIEW placeholder comment', () => {
    const view = mapMysqlTable(
      table({
        table_type: 'VIEW',
        table_rows: null,
        data_length: null,
        index_length: null,
        table_comment: 'VIEW',
      }),
      [],
      'select `shop`.`orders`.`id` AS `id` from `shop`.`orders`',
    );
    expect(view).toMatchObject({
      kind: 'view',
      comment: null,
      rowCount: null,
      bytes: null,
      viewDefinition: 'select `shop`.`orders`.`id` AS `id` from `shop`.`orders`',
    });
    expect(mapMysqlTable(table({ table_type: 'VIEW' }), [], '')?.viewDefinition).toBeNull();
  });

  it('maps MariaDB system-versioned tables and sequences, and skips system views', () => {
    expect(mapMysqlTable(table({ table_type: 'SYSTEM VERSIONED' }), [], null)?.kind).toBe('table');
    expect(mapMysqlTable(table({ table_type: 'SEQUENCE' }), [], null)?.kind).toBe('other');
    expect(mapMysqlTable(table({ table_type: 'SYSTEM VIEW' }), [], null)).toBeNull();
    expect(mapMysqlTable(table({ table_comment: '' }), [], null)?.comment).toBeNull();
  });
});

describe('names and versions', () => {
  it('knows the system databases in any case', () => {
    expect(['mysql', 'SYS', 'performance_schema', 'information_schema'].every(isSystemDatabase)).toBe(true);
    expect(isSystemDatabase('shop')).toBe(false);
  });

  it('tells MariaDB from MySQL by the version string', () => {
    expect(platformOfVersion('10.11.6-MariaDB-0+deb12u1')).toBe('mariadb');
    expect(platformOfVersion('8.0.36')).toBe('mysql');
    expect(platformOfVersion('8.0.35-0ubuntu0.22.04.1')).toBe('mysql');
  });

  it('checks the configured platform against the server', () => {
    expect(mysqlPlatformCheck('mariadb', '10.11.6-MariaDB')).toEqual({ name: 'platform', ok: true });
    const item = mysqlPlatformCheck('mysql', '10.11.6-MariaDB');
    expect(item.ok).toBe(false);
    expect(item.message).toContain('MariaDB');
    expect(item.fix).toBe('Create the connection as a MariaDB connection.');
  });
});

describe('general log parsing', () => {
  it('reads the user from user_host, also on Connect rows', () => {
    expect(userOfUserHost('app[app] @ localhost [127.0.0.1]')).toBe('app');
    expect(userOfUserHost('[loader] @  [127.0.0.1]')).toBe('loader');
    expect(userOfUserHost('root[root] @ localhost []')).toBe('root');
    expect(userOfUserHost('')).toBeNull();
  });

  it('reads the database of Connect and Change user rows', () => {
    expect(databaseOfConnect('app@127.0.0.1 on shop using TCP/IP')).toBe('shop');
    expect(databaseOfConnect('app@localhost on shop using SSL/TLS')).toBe('shop');
    expect(databaseOfConnect('app@127.0.0.1 on  using TCP/IP')).toBeNull();
    expect(databaseOfConnect('app@localhost on shop')).toBe('shop');
    expect(
      databaseOfConnect("Access denied for user 'app'@'localhost' (using password: YES)"),
    ).toBeUndefined();
  });

  it('reads USE statements in their quoted forms only', () => {
    expect(databaseOfUse('USE shop')).toBe('shop');
    expect(databaseOfUse('use `my ``db`` here`;')).toBe('my `db` here');
    expect(databaseOfUse('/* tool */ use "dq"')).toBe('dq');
    expect(databaseOfUse('user_defined()')).toBeNull();
    expect(databaseOfUse('USE shop; SELECT 1')).toBeNull();
  });

  it('converts event times to UTC dates and window bounds to UTC literals', () => {
    expect(eventTimeToDate('2026-03-01 10:00:00.123456').toISOString()).toBe('2026-03-01T10:00:00.123Z');
    expect(eventTimeToDate('2026-03-01 10:00:00').toISOString()).toBe('2026-03-01T10:00:00.000Z');
    expect(toMysqlTimestamp(new Date('2026-03-01T10:00:00.120Z'))).toBe('2026-03-01 10:00:00.120');
    expect(() => eventTimeToDate('yesterday')).toThrow('event_time');
  });

  it('skips comments MySQL-style before the first keyword', () => {
    expect(withoutLeadingComments('# a\n-- b\n/* c */ select 1')).toBe('select 1');
    expect(withoutLeadingComments('--not-a-comment')).toBe('--not-a-comment');
    expect(withoutLeadingComments('/*!40101 SET NAMES utf8 */')).toBe('');
  });

  it.each([
    ['SET autocommit=1', true],
    ['/* mysql-connector-j */ SELECT @@session.transaction_isolation', true],
    ['SELECT DATABASE()', true],
    ['select 1', true],
    ['SHOW FULL TABLES', true],
    ['START TRANSACTION', true],
    ['commit', true],
    ['/*!40101 SET character_set_client = utf8 */', true],
    ['SELECT 1 FROM orders', false],
    ['select count(*) from shop.orders', false],
    ['INSERT INTO a SELECT * FROM b', false],
    ['WITH x AS (SELECT 1) SELECT * FROM x', false],
  ])('treats %j as noise: %s', (text, noise) => {
    expect(isNoiseStatement(text)).toBe(noise);
  });
});

const logRow = (overrides: Partial<GeneralLogRow>): GeneralLogRow => ({
  event_time: '2026-03-01 10:00:00.000100',
  user_host: 'loader[loader] @  [127.0.0.1]',
  thread_id: '7',
  server_id: '1',
  command_type: 'Query',
  argument: 'select 1',
  ...overrides,
});

describe('GeneralLogMapper', () => {
  it('rebuilds each thread’s default database from Connect, Init DB and USE', () => {
    const mapper = new GeneralLogMapper();
    const rows: GeneralLogRow[] = [
      logRow({
        command_type: 'Connect',
        argument: 'loader@127.0.0.1 on shop using TCP/IP',
        user_host: '[loader] @  [127.0.0.1]',
      }),
      logRow({ thread_id: '8', command_type: 'Connect', argument: 'etl@127.0.0.1 on  using TCP/IP' }),
      logRow({ event_time: '2026-03-01 10:00:00.000200', argument: 'INSERT INTO a SELECT * FROM b' }),
      logRow({ thread_id: '8', event_time: '2026-03-01 10:00:00.000250', argument: 'SELECT * FROM shop.a' }),
      logRow({ event_time: '2026-03-01 10:00:00.000300', command_type: 'Init DB', argument: 'archive' }),
      logRow({ event_time: '2026-03-01 10:00:00.000400', argument: 'CREATE TABLE c AS SELECT * FROM a' }),
      logRow({ event_time: '2026-03-01 10:00:00.000500', argument: 'USE `sales`' }),
      logRow({
        event_time: '2026-03-01 10:00:00.000600',
        argument: Buffer.from('CREATE VIEW v AS SELECT * FROM c'),
      }),
      logRow({
        event_time: '2026-03-01 10:00:00.000700',
        command_type: 'Execute',
        argument: 'DELETE FROM c WHERE id = 1',
      }),
    ];
    const records = rows.map((row) => mapper.map(row)).filter((record) => record !== null);
    expect(records.map((record) => [record.text, record.defaultDatabase, record.defaultSchema])).toEqual([
      ['INSERT INTO a SELECT * FROM b', 'shop', 'shop'],
      ['SELECT * FROM shop.a', null, null],
      ['CREATE TABLE c AS SELECT * FROM a', 'archive', 'archive'],
      ['CREATE VIEW v AS SELECT * FROM c', 'sales', 'sales'],
      ['DELETE FROM c WHERE id = 1', 'sales', 'sales'],
    ]);
    expect(records[0]).toEqual({
      queryId: '1:7:2026-03-01T10:00:00.000200Z:0',
      text: 'INSERT INTO a SELECT * FROM b',
      startedAt: new Date('2026-03-01T10:00:00.000Z'),
      user: 'loader',
      sessionId: '7',
      defaultDatabase: 'shop',
      defaultSchema: 'shop',
    });
  });

  it('numbers statements of one thread within one microsecond so their ids differ', () => {
    const mapper = new GeneralLogMapper();
    const first = mapper.map(logRow({ argument: 'INSERT INTO a VALUES (1)' }));
    const second = mapper.map(logRow({ argument: 'INSERT INTO a VALUES (2)' }));
    const otherThread = mapper.map(logRow({ thread_id: '9', argument: 'INSERT INTO a VALUES (3)' }));
    expect([first?.queryId, second?.queryId, otherThread?.queryId]).toEqual([
      '1:7:2026-03-01T10:00:00.000100Z:0',
      '1:7:2026-03-01T10:00:00.000100Z:1',
      '1:9:2026-03-01T10:00:00.000100Z:0',
    ]);
  });

  it('uses a default seeded from before the window, and leaves out ours and noise', () => {
    const defaults = new SessionDefaults();
    defaults.set('7', 'warehouse');
    const mapper = new GeneralLogMapper(defaults);
    expect(
      mapper.map(logRow({ argument: `${OWN_QUERY_MARKER} SELECT * FROM mysql.general_log` })),
    ).toBeNull();
    expect(mapper.map(logRow({ argument: 'SET NAMES utf8mb4' }))).toBeNull();
    expect(
      mapper.map(logRow({ command_type: 'Prepare', argument: 'SELECT * FROM a WHERE id = ?' })),
    ).toBeNull();
    expect(mapper.map(logRow({ command_type: 'Quit', argument: '' }))).toBeNull();
    expect(mapper.map(logRow({ argument: 'SELECT * FROM a' }))?.defaultDatabase).toBe('warehouse');
  });
});

describe('mysqlHistoryChecks', () => {
  const probe = { account: 'catalog@%', generalLog: true, logOutput: 'TABLE', readError: null };

  it('passes when the log is on, written to the table and readable', () => {
    expect(mysqlHistoryChecks(probe).every((check) => check.ok)).toBe(true);
  });

  it('reports each missing setting with its SET GLOBAL fix', () => {
    const items = mysqlHistoryChecks({ ...probe, generalLog: false, logOutput: 'FILE' });
    expect(items.find((item) => item.name === 'general-log')).toMatchObject({ ok: false });
    expect(items.find((item) => item.name === 'general-log')?.fix).toMatch(/^SET GLOBAL general_log = 'ON';/);
    expect(items.find((item) => item.name === 'log-output')?.fix).toMatch(
      /^SET GLOBAL log_output = 'FILE,TABLE';/,
    );
    expect(
      mysqlHistoryChecks({ ...probe, logOutput: 'NONE' }).find((item) => item.name === 'log-output')?.fix,
    ).toMatch(/^SET GLOBAL log_output = 'TABLE';/);
  });

  it('names the grant when the log table cannot be read', () => {
    const items = mysqlHistoryChecks({ ...probe, readError: 'SELECT command denied to user' });
    expect(items.find((item) => item.name === 'history-read')).toMatchObject({
      ok: false,
      fix: "GRANT SELECT ON mysql.general_log TO 'catalog'@'%';",
    });
    expect(quoteAccount("o'brien@10.0.0.%")).toBe("'o''brien'@'10.0.0.%'");
  });
});

describe('warehouseErrorFromMysql', () => {
  const context = { platform: 'mariadb' as const, host: 'db', port: 3306, secrets: ['pa55-word-long'] };
  const driverError = (code: string, message: string) => Object.assign(new Error(message), { code });

  it.each([
    ['ER_ACCESS_DENIED_ERROR', "Access denied for user 'x'@'h' (using password: YES)", 'auth'],
    ['ER_TABLEACCESS_DENIED_ERROR', 'SELECT command denied to user', 'permission'],
    ['ER_DBACCESS_DENIED_ERROR', "Access denied for user 'x'@'%' to database 'shop'", 'permission'],
    ['ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:3306', 'unavailable'],
    ['PROTOCOL_CONNECTION_LOST', 'Connection lost: The server closed the connection.', 'unavailable'],
    ['ER_PARSE_ERROR', 'You have an error in your SQL syntax', 'invalid'],
  ])('classifies %s (%s) as %s', (code, message, kind) => {
    const error = warehouseErrorFromMysql(driverError(code, message), context);
    expect(error.kind).toBe(kind);
    expect(error.message).toContain('MariaDB at db:3306');
  });

  it('never repeats the password', () => {
    const error = warehouseErrorFromMysql(driverError('ER_PARSE_ERROR', 'near pa55-word-long'), context);
    expect(error.message).not.toContain('pa55-word-long');
  });
});
