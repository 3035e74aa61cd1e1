import { generateKeyPairSync } from 'node:crypto';
import { FakeSnowflake, type FakeSnowflakeStatement } from '@cartograph/platform/testing';
import {
  OWN_QUERY_MARKER,
  WarehouseError,
  type CrawledTable,
  type HistoryRecord,
  type NameFilter,
  type WarehouseConnector,
} from '../warehouse-connector.js';
import type { SnowflakeCredentials } from './snowflake.client.js';
import { snowflakeConnectorDefinition, type SnowflakeSettings } from './snowflake.connector.js';

const keys = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
});
const otherKeys = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
});
const OAUTH_TOKEN = 'oauth-access-token-5f2c9a71be';
const keyPair: SnowflakeCredentials = { type: 'key-pair', privateKey: keys.privateKey };

const analyticsPublic: NameFilter = {
  accepts: (database, schema) => database === 'ANALYTICS' && (schema === undefined || schema === 'PUBLIC'),
};
const everything: NameFilter = { accepts: () => true };

let fake: FakeSnowflake;
const connectors: WarehouseConnector[] = [];

function connect(
  options: {
    credentials?: SnowflakeCredentials;
    signal?: AbortSignal;
    settings?: Partial<SnowflakeSettings>;
  } = {},
): WarehouseConnector {
  const settings = snowflakeConnectorDefinition.settingsSchema.parse({
    account: 'xy12345.us-east-1',
    user: 'cartograph',
    warehouse: 'COMPUTE_WH',
    role: 'CARTOGRAPH_READER',
    baseUrl: fake.baseUrl,
    pollIntervalMs: 5,
    maxPollIntervalMs: 20,
    ...options.settings,
  });
  const credentials = snowflakeConnectorDefinition.credentialsSchema.parse(options.credentials ?? keyPair);
  const connector = snowflakeConnectorDefinition.create({
    settings,
    credentials,
    timeoutMs: 5_000,
    signal: options.signal,
  });
  connectors.push(connector);
  return connector;
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

async function failure(promise: Promise<unknown>): Promise<WarehouseError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof WarehouseError) return error;
    throw error;
  }
  throw new Error('expected a WarehouseError');
}

function historyStatements(): FakeSnowflakeStatement[] {
  return fake.statements.filter((statement) => statement.sql.includes('QUERY_HISTORY q'));
}

beforeEach(async () => {
  fake = new FakeSnowflake({ account: 'XY12345', rowsPerPartition: 2, pollsBeforeResult: 1 });
  await fake.start();
  fake
    .user('CARTOGRAPH', {
      publicKey: keys.publicKey,
      tokens: [OAUTH_TOKEN],
      defaultRole: 'CARTOGRAPH_READER',
    })
    .database('ANALYTICS')
    .database('OTHER')
    .table({
      database: 'ANALYTICS',
      schema: 'PUBLIC',
      name: 'ORDERS',
      comment: 'One row per order',
      rowCount: 1200,
      bytes: 65_536,
      created: '2024-01-02T03:04:05.678Z',
      lastAltered: '2024-05-01T00:00:00Z',
      columns: [
        { name: 'ID', type: 'NUMBER', precision: 38, scale: 0, nullable: false, comment: 'Order id' },
        { name: 'STATUS', type: 'TEXT', length: 32, comment: null },
        { name: 'ORDERED_AT', type: 'TIMESTAMP_NTZ' },
      ],
    })
    .table({
      database: 'ANALYTICS',
      schema: 'PUBLIC',
      name: 'OPEN_ORDERS',
      type: 'VIEW',
      comment: 'Orders not shipped yet',
      viewDefinition: "create view OPEN_ORDERS as select * from ORDERS where STATUS = 'open'",
      columns: [
        { name: 'ID', type: 'NUMBER', precision: 38, scale: 0 },
        { name: 'STATUS', type: 'TEXT', length: 32 },
      ],
    })
    .table({
      database: 'ANALYTICS',
      schema: 'STAGING',
      name: 'RAW_ORDERS',
      columns: [{ name: 'PAYLOAD', type: 'VARIANT' }],
    })
    .table({
      database: 'OTHER',
      schema: 'PUBLIC',
      name: 'SECRET_STUFF',
      columns: [{ name: 'X', type: 'TEXT' }],
    })
    .query(
      {
        id: 'q-1',
        text: 'insert into ANALYTICS.PUBLIC.ORDERS select * from ANALYTICS.STAGING.RAW_ORDERS',
        startTime: '2024-05-01T10:00:00Z',
        endTime: '2024-05-01T10:00:02.500Z',
        type: 'INSERT',
        database: 'ANALYTICS',
        schema: 'PUBLIC',
        sessionId: 42,
        user: 'DBT',
        role: 'TRANSFORMER',
        tag: '{"app":"dbt"}',
        parameterizedHash: 'hash-insert',
        rowsProduced: 10,
        accessed: ['ANALYTICS.STAGING.RAW_ORDERS', { name: '@ANALYTICS.PUBLIC.MY_STAGE', domain: 'Stage' }],
        modified: ['ANALYTICS.PUBLIC.ORDERS'],
      },
      { id: 'q-2', text: 'select * from broken', startTime: '2024-05-01T10:05:00Z', status: 'FAIL' },
      {
        id: 'q-3',
        text: 'select * from OPEN_ORDERS',
        startTime: '2024-05-01T10:10:00Z',
        database: 'ANALYTICS',
        schema: 'PUBLIC',
        accessed: [{ name: 'ANALYTICS.PUBLIC.OPEN_ORDERS', domain: 'View' }],
      },
      {
        id: 'q-4',
        text: `${OWN_QUERY_MARKER} SHOW DATABASES`,
        startTime: '2024-05-01T10:15:00Z',
        type: 'SHOW',
      },
      {
        id: 'q-5',
        text: 'create table T2 as select 1 as x',
        startTime: '2024-05-01T10:20:00Z',
        type: 'CREATE_TABLE_AS_SELECT',
      },
      { id: 'q-6', text: 'select 2', startTime: '2024-05-01T10:25:00Z' },
      { id: 'q-7', text: 'select 3', startTime: '2024-05-01T11:30:00Z' },
      { id: 'q-0', text: 'select 0', startTime: '2024-05-01T09:59:59.999Z' },
    );
});

afterEach(async () => {
  await Promise.all(connectors.splice(0).map((connector) => connector.close()));
  await fake.stop();
});

const window = { since: new Date('2024-05-01T10:00:00Z'), until: new Date('2024-05-01T11:00:00Z') };

describe('Snowflake connector against the fake SQL API', () => {
  it('crawls tables and views with columns, types, comments, sizes and view text, within the name filter', async () => {
    const tables = await collect(connect().crawl(analyticsPublic));

    expect(tables.map((table) => `${table.database}.${table.schema}.${table.name}`).sort()).toEqual([
      'ANALYTICS.PUBLIC.OPEN_ORDERS',
      'ANALYTICS.PUBLIC.ORDERS',
    ]);
    const orders = tables.find((table) => table.name === 'ORDERS')!;
    expect(orders).toMatchObject<Partial<CrawledTable>>({
      kind: 'table',
      comment: 'One row per order',
      rowCount: 1200,
      bytes: 65_536,
      createdAt: new Date('2024-01-02T03:04:05.678Z'),
      alteredAt: new Date('2024-05-01T00:00:00Z'),
      viewDefinition: null,
    });
    expect(orders.columns).toEqual([
      { name: 'ID', type: 'NUMBER(38,0)', position: 1, nullable: false, comment: 'Order id' },
      { name: 'STATUS', type: 'VARCHAR(32)', position: 2, nullable: true, comment: null },
      { name: 'ORDERED_AT', type: 'TIMESTAMP_NTZ', position: 3, nullable: true, comment: null },
    ]);
    const view = tables.find((table) => table.name === 'OPEN_ORDERS')!;
    expect(view).toMatchObject({ kind: 'view', comment: 'Orders not shipped yet', rowCount: null });
    expect(view.viewDefinition).toContain("where STATUS = 'open'");
    expect(view.columns.map((column) => column.name)).toEqual(['ID', 'STATUS']);
    // The filtered-out database was never read.
    expect(fake.statements.some((statement) => statement.sql.includes('"OTHER"'))).toBe(false);
    expect(fake.statements.every((statement) => statement.sql.startsWith(OWN_QUERY_MARKER))).toBe(true);
  });

  it('crawls only the databases of the include list', async () => {
    const tables = await collect(connect({ settings: { databases: ['other'] } }).crawl(everything));
    expect(tables.map((table) => table.name)).toEqual(['SECRET_STUFF']);
  });

  it('reads history across partitions with engine lineage, bound window and no failed or own statements', async () => {
    const records = await collect(connect().readHistory(window));

    expect(records.map((record) => record.queryId)).toEqual(['q-1', 'q-3', 'q-5', 'q-6']);
    expect(records[0]).toEqual<HistoryRecord>({
      queryId: 'q-1',
      text: 'insert into ANALYTICS.PUBLIC.ORDERS select * from ANALYTICS.STAGING.RAW_ORDERS',
      startedAt: new Date('2024-05-01T10:00:00Z'),
      endedAt: new Date('2024-05-01T10:00:02.500Z'),
      durationMs: 2500,
      user: 'DBT',
      role: 'TRANSFORMER',
      sessionId: '42',
      defaultDatabase: 'ANALYTICS',
      defaultSchema: 'PUBLIC',
      statementType: 'INSERT',
      engineFingerprint: 'hash-insert',
      engineLineage: {
        sources: [{ database: 'ANALYTICS', schema: 'STAGING', name: 'RAW_ORDERS' }],
        targets: [{ database: 'ANALYTICS', schema: 'PUBLIC', name: 'ORDERS' }],
      },
      textTruncated: false,
      rowsProduced: 10,
      tags: { query_tag: '{"app":"dbt"}', warehouse: 'COMPUTE_WH' },
    });
    expect(records[1]!.engineLineage).toEqual({
      sources: [{ database: 'ANALYTICS', schema: 'PUBLIC', name: 'OPEN_ORDERS' }],
      targets: [],
    });
    expect(records[2]!.engineLineage).toBeNull();

    // Four rows in partitions of two: the second partition was fetched (gzip-encoded by the fake).
    const partitionRequests = fake.upstream.requests.filter(
      (request) => request.query.partition !== undefined,
    );
    expect(partitionRequests.map((request) => request.query.partition)).toEqual(['1']);
    // The window and the exclusion travelled as bindings, never in the SQL text.
    const [statement] = historyStatements();
    expect(statement!.sql).not.toContain('2024-05-01');
    // The marker leads the statement once; the exclusion pattern is a binding, not a second copy in the text.
    expect(statement!.sql.split(OWN_QUERY_MARKER)).toHaveLength(2);
    expect(Object.values(statement!.bindings).map((binding) => binding.value)).toEqual([
      '2024-05-01T10:00:00.000Z',
      '2024-05-01T11:00:00.000Z',
      '2024-05-01T10:00:00.000Z',
      '2024-05-01T11:00:00.000Z',
      OWN_QUERY_MARKER,
    ]);
    expect(statement!.parameters).toMatchObject({ query_tag: 'cartograph' });
  });

  it('resumes from the watermark: a second read with since = last startedAt returns only the newer rows', async () => {
    const connector = connect();
    const first = await collect(connector.readHistory({ ...window, limit: 2 }));
    expect(first.map((record) => record.queryId)).toEqual(['q-1', 'q-3']);

    const since = first.at(-1)!.startedAt;
    const second = await collect(connector.readHistory({ since, until: window.until, limit: 2 }));
    // `since` is inclusive, so the last row read comes again (the sync dedups by query id), then the newer ones.
    expect(second.map((record) => record.queryId)).toEqual(['q-3', 'q-5']);
    const [, secondStatement] = historyStatements();
    expect(Object.values(secondStatement!.bindings).map((binding) => binding.value)).toContain(
      since.toISOString(),
    );
    expect(Object.values(secondStatement!.bindings).at(-1)).toEqual({ type: 'FIXED', value: '2' });
  });

  it('reads history without engine lineage on Standard edition and remembers it', async () => {
    fake.edition('standard');
    const connector = connect();

    const records = await collect(connector.readHistory(window));
    expect(records.map((record) => record.queryId)).toEqual(['q-1', 'q-3', 'q-5', 'q-6']);
    expect(records.every((record) => record.engineLineage === null)).toBe(true);

    await collect(connector.readHistory(window));
    const statements = historyStatements();
    expect(statements.map((statement) => statement.sql.includes('ACCESS_HISTORY'))).toEqual([
      true,
      false,
      false,
    ]);
  });

  it('waits out a 429 with Retry-After and a 503, then succeeds', async () => {
    fake.failNext(429, { retryAfterSeconds: 1, method: 'POST', path: '/api/v2/statements' });
    fake.failNext(503, { method: 'GET', path: '/api/v2/statements/:handle' });

    const records = await collect(connect().readHistory(window));

    expect(records).toHaveLength(4);
    const faulted = fake.upstream.requests.filter((request) => request.faulted);
    expect(faulted.map((request) => request.method)).toEqual(['POST', 'GET']);
  });

  it('gives up on a persistent 429 as rate_limited', async () => {
    fake.failNext(429, { times: 10, retryAfterSeconds: 0 });
    const error = await failure(collect(connect().readHistory(window)));
    expect(error.kind).toBe('rate_limited');
  });

  it('reports an expired OAuth token as an auth error without the token', async () => {
    fake.expireToken(OAUTH_TOKEN);
    const error = await failure(
      collect(connect({ credentials: { type: 'oauth', token: OAUTH_TOKEN } }).readHistory(window)),
    );

    expect(error.kind).toBe('auth');
    expect(error.message).toContain('OAuth access token expired');
    expect(error.message).toContain('cartograph');
    expect(error.message).not.toContain(OAUTH_TOKEN);
  });

  it('reports a private key that does not match the user as an auth error without key material', async () => {
    const connector = connect({ credentials: { type: 'key-pair', privateKey: otherKeys.privateKey } });
    const error = await failure(collect(connector.crawl(everything)));

    expect(error.kind).toBe('auth');
    expect(error.message).toContain('JWT token is invalid');
    expect(error.message).toContain('RSA_PUBLIC_KEY');
    expect(error.message).not.toMatch(/PRIVATE KEY|MII/);
    const check = await connector.check();
    expect(check.ok).toBe(false);
    expect(check.checks).toEqual([expect.objectContaining({ name: 'reach', ok: false })]);
  });

  it('check() passes with every grant and names the grant that is missing', async () => {
    const healthy = await connect().check();
    expect(healthy.ok).toBe(true);
    expect(healthy.checks.map((check) => check.name)).toEqual([
      'reach',
      'warehouse-usage',
      'schema-read',
      'history-read',
      'engine-lineage',
    ]);

    fake.revoke('account-usage');
    const connector = connect();
    const missing = await connector.check();
    expect(missing.ok).toBe(false);
    const history = missing.checks.find((check) => check.name === 'history-read')!;
    expect(history.ok).toBe(false);
    expect(history.fix).toBe('GRANT IMPORTED PRIVILEGES ON DATABASE SNOWFLAKE TO ROLE CARTOGRAPH_READER');

    const error = await failure(collect(connector.readHistory(window)));
    expect(error.kind).toBe('permission');
    expect(error.fix).toBe('GRANT IMPORTED PRIVILEGES ON DATABASE SNOWFLAKE TO ROLE CARTOGRAPH_READER');
  });

  it('check() names the warehouse grant when the role cannot use the warehouse', async () => {
    fake.revoke('warehouse-usage');
    const result = await connect().check();
    const usage = result.checks.find((check) => check.name === 'warehouse-usage')!;
    expect(usage).toMatchObject({
      ok: false,
      fix: 'GRANT USAGE ON WAREHOUSE COMPUTE_WH TO ROLE CARTOGRAPH_READER',
    });
    expect(result.checks.find((check) => check.name === 'history-read')).toMatchObject({
      ok: false,
      fix: 'GRANT USAGE ON WAREHOUSE COMPUTE_WH TO ROLE CARTOGRAPH_READER',
    });
  });

  it('cancels the running statement when the signal aborts', async () => {
    fake.pollsBeforeResult = Number.POSITIVE_INFINITY;
    const controller = new AbortController();
    const reading = collect(connect({ signal: controller.signal }).readHistory(window));
    const rejected = expect(reading).rejects.toThrow('sync stopped');
    while (fake.upstream.requestsTo('GET', '/api/v2/statements/:handle').length === 0) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    controller.abort(new Error('sync stopped'));
    await rejected;

    expect(fake.cancelled).toEqual([fake.statements[0]!.handle]);
  });
});
