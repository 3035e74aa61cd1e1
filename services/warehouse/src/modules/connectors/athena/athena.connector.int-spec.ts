import { FakeAthena } from '@cartograph/platform/testing';
import {
  OWN_QUERY_MARKER,
  WarehouseError,
  type NameFilter,
  type WarehouseConnector,
} from '../warehouse-connector.js';
import {
  athenaConnectorDefinition,
  athenaCredentialsSchema,
  athenaSettingsSchema,
} from './athena.connector.js';

const ACCESS_KEY_ID = 'AKIAFAKEATHENA000001';
const SECRET_ACCESS_KEY = 'athena/Secret+Access/Key/0987654321zyxw';
const T0 = Date.parse('2024-03-01T10:00:00.000Z');
const at = (seconds: number): Date => new Date(T0 + seconds * 1000);

const skipScratch: NameFilter = { accepts: (_catalog, schema) => schema !== 'scratch' };

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

async function captureError(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('Athena connector against the fake Athena API', () => {
  let fake: FakeAthena;
  const open: WarehouseConnector[] = [];

  function connect(
    settings: Record<string, unknown> = {},
    credentials: Record<string, string> = {},
    signal?: AbortSignal,
  ): WarehouseConnector {
    const connector = athenaConnectorDefinition.create({
      settings: athenaSettingsSchema.parse({
        region: 'us-east-1',
        endpoint: fake.endpoint,
        maxAttempts: 3,
        ...settings,
      }),
      credentials: athenaCredentialsSchema.parse({
        accessKeyId: ACCESS_KEY_ID,
        secretAccessKey: SECRET_ACCESS_KEY,
        ...credentials,
      }),
      timeoutMs: 5_000,
      signal,
    });
    open.push(connector);
    return connector;
  }

  beforeEach(async () => {
    fake = new FakeAthena({
      credentials: [{ accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY }],
      workGroups: ['primary', 'etl'],
      pageSize: 2,
    });
    fake.addDatabases(
      {
        name: 'sales',
        tables: [
          {
            name: 'orders',
            columns: [
              { name: 'order_id', type: 'bigint', comment: 'Primary key' },
              { name: 'amount', type: 'decimal(18,2)' },
            ],
            partitionKeys: [{ name: 'dt', type: 'string', comment: 'Load date' }],
            parameters: {
              comment: 'One row per order',
              numRows: '1500',
              totalSize: '52428800',
              transient_lastDdlTime: '1706774400',
              classification: 'parquet',
            },
            createTime: new Date('2024-01-15T00:00:00Z'),
          },
          {
            name: 'order_totals',
            tableType: 'VIRTUAL_VIEW',
            columns: [{ name: 'total', type: 'decimal(38,2)' }],
            parameters: { presto_view: 'true', comment: 'Totals' },
          },
          {
            name: 'refunds',
            columns: [{ name: 'refund_id', type: 'bigint' }],
            parameters: { recordCount: '7', sizeKey: '2048', numRows: '-1' },
          },
        ],
      },
      { name: 'scratch', tables: [{ name: 'tmp', columns: [{ name: 'x', type: 'int' }] }] },
      { name: 'marketing', tables: [{ name: 'campaigns', columns: [{ name: 'id', type: 'int' }] }] },
    );
    await fake.start();
  });

  afterEach(async () => {
    await Promise.all(open.splice(0).map((connector) => connector.close()));
    await fake.stop();
  });

  it('crawls the data catalog across pages with columns, partition keys, comments and statistics', async () => {
    const crawled = await collect(connect().crawl(skipScratch));

    expect(crawled.map((table) => `${table.database}.${table.schema}.${table.name}`)).toEqual([
      'AwsDataCatalog.sales.orders',
      'AwsDataCatalog.sales.order_totals',
      'AwsDataCatalog.sales.refunds',
      'AwsDataCatalog.marketing.campaigns',
    ]);
    expect(crawled[0]).toEqual({
      database: 'AwsDataCatalog',
      schema: 'sales',
      name: 'orders',
      kind: 'table',
      comment: 'One row per order',
      columns: [
        { name: 'order_id', type: 'bigint', position: 1, comment: 'Primary key' },
        { name: 'amount', type: 'decimal(18,2)', position: 2, comment: null },
        { name: 'dt', type: 'string', position: 3, comment: 'Load date' },
      ],
      rowCount: 1500,
      bytes: 52_428_800,
      viewDefinition: null,
      createdAt: new Date('2024-01-15T00:00:00Z'),
      alteredAt: new Date('2024-02-01T08:00:00Z'),
    });
    expect(crawled[1]).toMatchObject({ kind: 'view', comment: 'Totals', rowCount: null });
    expect(crawled[2]).toMatchObject({ rowCount: 7, bytes: 2048 });

    const listTables = fake.service.callsTo('ListTableMetadata');
    expect(listTables.map((call) => call.input.DatabaseName)).not.toContain('scratch');
    expect(listTables.some((call) => typeof call.input.NextToken === 'string')).toBe(true);
    expect(
      fake.service.callsTo('ListDatabases').some((call) => typeof call.input.NextToken === 'string'),
    ).toBe(true);
  });

  it('reads successful DML and DDL of the window in ascending order and stops paging once past `since`', async () => {
    const ids = fake.addQueryExecutions(
      {
        query: 'SELECT * FROM orders',
        submittedAt: at(1),
        completedAt: at(3),
        database: 'sales',
        totalExecutionMs: 2000,
        dataScannedBytes: 1024,
      },
      {
        query: 'CREATE TABLE sales.daily AS SELECT * FROM sales.orders',
        submittedAt: at(2),
        statementType: 'DDL',
        substatementType: 'CREATE_TABLE_AS_SELECT',
        catalog: 'other_catalog',
        database: 'sales',
      },
      { query: 'SELECT broken', submittedAt: at(3), state: 'FAILED' },
      { query: 'SHOW TABLES', submittedAt: at(4), statementType: 'UTILITY' },
      { query: `${OWN_QUERY_MARKER}\nSELECT 1`, submittedAt: at(5) },
      {
        query: 'INSERT INTO sales.orders SELECT * FROM scratch.tmp',
        submittedAt: at(6),
        substatementType: 'INSERT',
      },
      { query: 'SELECT 1 FROM later', submittedAt: at(100) },
      { query: 'SELECT 1 FROM other_workgroup', submittedAt: at(7), workGroup: 'etl' },
    );
    fake.addQueryExecutions(
      ...Array.from({ length: 8 }, (_, index) => ({
        query: `SELECT ${index} FROM old`,
        submittedAt: at(-100 - index),
      })),
    );

    const records = await collect(connect().readHistory({ since: at(0), until: at(60) }));

    expect(records.map((record) => record.queryId)).toEqual([ids[0], ids[1], ids[5]]);
    expect(records[0]).toEqual({
      queryId: ids[0],
      text: 'SELECT * FROM orders',
      startedAt: at(1),
      endedAt: at(3),
      durationMs: 2000,
      user: null,
      defaultDatabase: 'AwsDataCatalog',
      defaultSchema: 'sales',
      statementType: 'DML',
      textTruncated: false,
      tags: {
        workGroup: 'primary',
        statementClass: 'DML',
        dataScannedBytes: '1024',
        engineVersion: 'Athena engine version 3',
      },
    });
    expect(records[1]).toMatchObject({
      statementType: 'CREATE_TABLE_AS_SELECT',
      defaultDatabase: 'other_catalog',
    });
    expect(records[2]!.statementType).toBe('INSERT');

    // 14 executions of the workgroup in 7 pages of 2, newest first: reading stops after the fifth page, the
    // first one wholly before `since` (at(-101), at(-102)).
    const lists = fake.service.callsTo('ListQueryExecutions');
    expect(lists).toHaveLength(5);
    expect(lists.every((call) => call.input.WorkGroup === 'primary')).toBe(true);
    for (const batch of fake.service.callsTo('BatchGetQueryExecution')) {
      expect((batch.input.QueryExecutionIds as string[]).length).toBeLessThanOrEqual(50);
    }
  });

  it('reads only executions at or after `since` on the next run, and honours the limit', async () => {
    fake.addQueryExecutions(
      { query: 'SELECT 1 FROM a', submittedAt: at(1) },
      { query: 'SELECT 1 FROM b', submittedAt: at(2) },
      { query: 'SELECT 1 FROM c', submittedAt: at(3) },
    );
    const connector = connect();
    const firstRun = await collect(connector.readHistory({ since: at(0), until: at(10) }));
    const last = firstRun.at(-1)!;
    const newer = fake.addQueryExecutions(
      { query: 'SELECT 1 FROM d', submittedAt: at(11) },
      { query: 'SELECT 1 FROM e', submittedAt: at(12) },
    );

    const secondRun = await collect(connector.readHistory({ since: last.startedAt, until: at(60) }));
    expect(secondRun.map((record) => record.queryId)).toEqual([last.queryId, ...newer]);

    const limited = await collect(connector.readHistory({ since: at(0), until: at(60), limit: 2 }));
    expect(limited.map((record) => record.text)).toEqual(['SELECT 1 FROM a', 'SELECT 1 FROM b']);
  });

  it('lets the SDK retry throttling and reports rate_limited when attempts run out', async () => {
    fake.addQueryExecutions({ query: 'SELECT 1', submittedAt: at(1) });
    fake.service.throttleNext(1, 'ListQueryExecutions');
    const records = await collect(connect().readHistory({ since: at(0), until: at(10) }));
    expect(records).toHaveLength(1);
    expect(fake.service.callsTo('ListQueryExecutions').map((call) => call.faulted)).toEqual([true, false]);

    fake.service.throttleNext(2, 'ListDatabases');
    const error = await captureError(collect(connect({ maxAttempts: 2 }).crawl(skipScratch)));
    expect((error as WarehouseError).kind).toBe('rate_limited');
    expect((error as WarehouseError).message).toMatch(/ListDatabases.*throttled after 2 attempts/);
  });

  it('reports an expired session token as an auth error without the secret', async () => {
    fake.service.expireCredentials(ACCESS_KEY_ID);
    const error = await captureError(collect(connect().readHistory({ since: at(0), until: at(10) })));

    expect(error).toBeInstanceOf(WarehouseError);
    expect((error as WarehouseError).kind).toBe('auth');
    expect((error as WarehouseError).message).toMatch(/workgroup primary.*ExpiredTokenException/);
    expect((error as WarehouseError).message).not.toContain(SECRET_ACCESS_KEY);
    const check = await connect().check();
    expect(check.checks[0]).toMatchObject({ name: 'reach', ok: false });
  });

  it('names the IAM actions when history may not be read', async () => {
    fake.addQueryExecutions({ query: 'SELECT 1', submittedAt: at(1) });
    fake.service.denyActions(ACCESS_KEY_ID, ['athena:BatchGetQueryExecution']);

    const check = await connect().check();

    expect(check.ok).toBe(false);
    expect(check.checks.map((item) => [item.name, item.ok])).toEqual([
      ['reach', true],
      ['schema-read', true],
      ['history-read', false],
    ]);
    const history = check.checks[2]!;
    expect(history.fix).toBe(
      'Allow athena:ListQueryExecutions and athena:BatchGetQueryExecution on workgroup primary to the IAM identity',
    );
    expect(history.message).toMatch(/not authorized to perform: athena:BatchGetQueryExecution/);
    const error = await captureError(collect(connect().readHistory({ since: at(0), until: at(10) })));
    expect((error as WarehouseError).fix).toBe('Allow athena:BatchGetQueryExecution to the IAM identity');
  });

  it('reports an unknown or disabled workgroup in check()', async () => {
    const unknown = await connect({ workGroup: 'missing' }).check();
    expect(unknown.checks[0]).toMatchObject({ name: 'reach', ok: false });
    expect(unknown.checks[0]!.message).toMatch(/WorkGroup missing is not found/);
  });

  it('stops when aborted', async () => {
    fake.service.upstream.delay(5_000, { times: 1 });
    const controller = new AbortController();
    const reading = captureError(
      collect(connect({}, {}, controller.signal).readHistory({ since: at(0), until: at(10) })),
    );
    for (let tries = 0; tries < 500 && fake.service.upstream.requests.length === 0; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    controller.abort(new Error('sync cancelled'));
    expect(((await reading) as Error).message).toBe('sync cancelled');
  });

  it('validates settings and derives the instance', () => {
    const settings = athenaSettingsSchema.parse({ region: 'eu-west-1' });
    expect(settings).toMatchObject({ workGroup: 'primary', catalog: 'AwsDataCatalog', maxAttempts: 4 });
    expect(athenaConnectorDefinition.instanceOf(settings)).toBe('eu-west-1');
    expect(
      athenaConnectorDefinition.instanceOf(
        athenaSettingsSchema.parse({ region: 'eu-west-1', accountId: '123456789012' }),
      ),
    ).toBe('123456789012.eu-west-1');
    expect(athenaSettingsSchema.safeParse({ region: 'Ireland' }).error!.issues[0]!.message).toMatch(
      /AWS region/,
    );
    expect(athenaCredentialsSchema.safeParse({ secretAccessKey: 'x' }).error!.issues[0]!.message).toMatch(
      /go together/,
    );
  });
});
