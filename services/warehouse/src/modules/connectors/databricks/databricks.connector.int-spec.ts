import { FakeDatabricks, type FakeDatabricksStatement } from '@cartograph/platform/testing';
import {
  OWN_QUERY_MARKER,
  WarehouseError,
  type HistoryRecord,
  type NameFilter,
  type WarehouseConnector,
} from '../warehouse-connector.js';
import type { DatabricksCredentials } from './databricks.client.js';
import { databricksConnectorDefinition, type DatabricksSettings } from './databricks.connector.js';

const PAT = 'dapi0123456789abcdef0123456789abcdef';
const WAREHOUSE = 'abcdef0123456789';
const mainOnly: NameFilter = { accepts: (catalog, schema) => catalog === 'main' && schema !== 'scratch' };
const everything: NameFilter = { accepts: () => true };

let fake: FakeDatabricks;
const connectors: WarehouseConnector[] = [];

function connect(
  options: {
    credentials?: DatabricksCredentials;
    signal?: AbortSignal;
    settings?: Partial<DatabricksSettings>;
  } = {},
): WarehouseConnector {
  const settings = databricksConnectorDefinition.settingsSchema.parse({
    host: 'https://dbc-a1b2c3d4-e5f6.cloud.databricks.com/',
    warehouseId: WAREHOUSE,
    baseUrl: fake.baseUrl,
    pollIntervalMs: 5,
    maxPollIntervalMs: 20,
    waitTimeoutSeconds: 0,
    ...options.settings,
  });
  const credentials = databricksConnectorDefinition.credentialsSchema.parse(
    options.credentials ?? { type: 'personal-access-token', token: PAT },
  );
  const connector = databricksConnectorDefinition.create({
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

function historyStatements(): FakeDatabricksStatement[] {
  return fake.statements.filter((statement) => statement.sql.includes('FROM system.query.history h'));
}

beforeEach(async () => {
  fake = new FakeDatabricks({ rowsPerChunk: 2, pollsBeforeResult: 1, warehouseId: WAREHOUSE });
  await fake.start();
  fake
    .personalAccessToken(PAT, 'catalog-bot@example.com')
    .oauthClient('sp-client-id', 'sp-secret-value-123', 'sp-application-id')
    .catalog('system')
    .table({
      catalog: 'main',
      schema: 'sales',
      name: 'orders',
      type: 'MANAGED',
      comment: 'All orders',
      created: '2024-01-01T00:00:00Z',
      lastAltered: '2024-05-01T00:00:00Z',
      columns: [
        { name: 'order_id', type: 'bigint', nullable: false, comment: 'Primary key' },
        { name: 'amount', type: 'decimal(10,2)' },
      ],
    })
    .table({
      catalog: 'main',
      schema: 'sales',
      name: 'big_orders',
      type: 'VIEW',
      viewDefinition: 'SELECT * FROM main.sales.orders WHERE amount > 100',
      columns: [{ name: 'order_id', type: 'bigint' }],
    })
    .table({ catalog: 'main', schema: 'scratch', name: 'tmp', columns: [{ name: 'x', type: 'int' }] })
    .table({ catalog: 'dev', schema: 'sales', name: 'orders', columns: [{ name: 'x', type: 'int' }] })
    .query(
      {
        id: 's-1',
        text: 'INSERT INTO main.sales.orders SELECT * FROM main.raw.orders',
        startTime: '2024-05-01T10:00:00Z',
        endTime: '2024-05-01T10:00:05Z',
        user: 'etl@example.com',
        statementType: 'INSERT',
        clientApplication: 'Databricks SQL Editor',
        sessionId: 'sess-1',
        producedRows: 12,
        querySource: { job_info: { job_id: '42', job_run_id: '7' }, dashboard_id: null },
        lineage: { sources: ['main.raw.orders'], targets: ['main.sales.orders'] },
      },
      { id: 's-2', text: 'SELECT broken', startTime: '2024-05-01T10:01:00Z', status: 'FAILED' },
      {
        id: 's-3',
        text: 'SELECT * FROM main.sales.big_orders',
        startTime: '2024-05-01T10:02:00Z',
        clientApplication: 'Tableau',
        lineage: { sources: ['main.sales.big_orders'] },
      },
      { id: 's-4', text: `${OWN_QUERY_MARKER} SELECT 1`, startTime: '2024-05-01T10:03:00Z' },
      { id: 's-5', text: 'SELECT 5', startTime: '2024-05-01T10:04:00Z' },
      { id: 's-6', text: 'SELECT 6', startTime: '2024-05-01T10:05:00Z' },
      { id: 's-7', text: 'SELECT 7', startTime: '2024-05-01T12:00:00Z' },
    );
});

afterEach(async () => {
  await Promise.all(connectors.splice(0).map((connector) => connector.close()));
  await fake.stop();
});

const window = { since: new Date('2024-05-01T10:00:00Z'), until: new Date('2024-05-01T11:00:00Z') };

describe('Databricks connector against the fake Statement Execution API', () => {
  it('crawls tables and views with columns, types, comments and view text, within the name filter', async () => {
    const tables = await collect(connect().crawl(mainOnly));

    expect(tables.map((table) => `${table.database}.${table.schema}.${table.name}`)).toEqual([
      'main.sales.big_orders',
      'main.sales.orders',
    ]);
    const orders = tables[1]!;
    expect(orders).toMatchObject({
      kind: 'table',
      comment: 'All orders',
      rowCount: null,
      createdAt: new Date('2024-01-01T00:00:00Z'),
      alteredAt: new Date('2024-05-01T00:00:00Z'),
    });
    expect(orders.columns).toEqual([
      { name: 'order_id', type: 'bigint', position: 1, nullable: false, comment: 'Primary key' },
      { name: 'amount', type: 'decimal(10,2)', position: 2, nullable: true, comment: null },
    ]);
    expect(tables[0]).toMatchObject({
      kind: 'view',
      viewDefinition: 'SELECT * FROM main.sales.orders WHERE amount > 100',
    });
    // The other catalog was never read, and the catalog travelled as a parameter.
    const catalogStatements = fake.statements.filter(
      (statement) => statement.parameters.catalog !== undefined,
    );
    expect(catalogStatements.map((statement) => statement.parameters.catalog!.value)).toEqual([
      'main',
      'main',
      'main',
    ]);
    expect(catalogStatements.every((statement) => !statement.sql.includes("'main'"))).toBe(true);
    expect(fake.statements.every((statement) => statement.sql.startsWith(OWN_QUERY_MARKER))).toBe(true);
  });

  it('reads history across chunks with engine lineage, tags and bound parameters', async () => {
    const records = await collect(connect().readHistory(window));

    expect(records.map((record) => record.queryId)).toEqual(['s-1', 's-3', 's-5', 's-6']);
    expect(records[0]).toEqual<HistoryRecord>({
      queryId: 's-1',
      text: 'INSERT INTO main.sales.orders SELECT * FROM main.raw.orders',
      startedAt: new Date('2024-05-01T10:00:00Z'),
      endedAt: new Date('2024-05-01T10:00:05Z'),
      durationMs: 5000,
      user: 'etl@example.com',
      role: null,
      sessionId: 'sess-1',
      defaultDatabase: null,
      defaultSchema: null,
      statementType: 'INSERT',
      engineFingerprint: null,
      engineLineage: {
        sources: [{ database: 'main', schema: 'raw', name: 'orders' }],
        targets: [{ database: 'main', schema: 'sales', name: 'orders' }],
      },
      textTruncated: false,
      rowsProduced: 12,
      tags: {
        client_application: 'Databricks SQL Editor',
        warehouse_id: WAREHOUSE,
        'query_source.job_info.job_id': '42',
        'query_source.job_info.job_run_id': '7',
      },
    });
    expect(records[1]!.engineLineage).toEqual({
      sources: [{ database: 'main', schema: 'sales', name: 'big_orders' }],
      targets: [],
    });
    expect(records[2]!.engineLineage).toBeNull();

    const [statement] = historyStatements();
    expect(statement!.sql).not.toContain('2024-05-01');
    expect(statement!.sql.split(OWN_QUERY_MARKER)).toHaveLength(2);
    expect(statement!.parameters).toEqual({
      since: { value: '2024-05-01T10:00:00.000Z', type: 'TIMESTAMP' },
      until: { value: '2024-05-01T11:00:00.000Z', type: 'TIMESTAMP' },
      own_marker: { value: OWN_QUERY_MARKER, type: 'STRING' },
    });
    expect(statement!).toMatchObject({
      warehouseId: WAREHOUSE,
      onWaitTimeout: 'CONTINUE',
      waitTimeout: '0s',
    });
    // Four rows in chunks of two: chunk 1 was fetched.
    expect(fake.upstream.requestsTo('GET', '/api/2.0/sql/statements/:id/result/chunks/:index')).toHaveLength(
      1,
    );
  });

  it('resumes from the watermark: a second read with since = last startedAt returns only the newer rows', async () => {
    const connector = connect();
    const first = await collect(connector.readHistory({ ...window, limit: 2 }));
    expect(first.map((record) => record.queryId)).toEqual(['s-1', 's-3']);

    const since = first.at(-1)!.startedAt;
    const second = await collect(connector.readHistory({ since, until: window.until, limit: 2 }));
    expect(second.map((record) => record.queryId)).toEqual(['s-3', 's-5']);
    expect(historyStatements()[1]!.parameters.since!.value).toBe(since.toISOString());
    expect(historyStatements()[1]!.parameters.row_limit).toEqual({ value: '2', type: 'INT' });
  });

  it('reads history without engine lineage when table_lineage cannot be read, and remembers it', async () => {
    fake.revoke('system.access');
    const connector = connect();

    const records = await collect(connector.readHistory(window));
    expect(records.map((record) => record.queryId)).toEqual(['s-1', 's-3', 's-5', 's-6']);
    expect(records.every((record) => record.engineLineage === null)).toBe(true);
    await collect(connector.readHistory(window));
    expect(historyStatements().map((statement) => statement.sql.includes('table_lineage'))).toEqual([
      true,
      false,
      false,
    ]);
  });

  it('waits out a 429 with Retry-After and a 503, then succeeds', async () => {
    fake.failNext(429, { retryAfterSeconds: 1, method: 'POST', path: '/api/2.0/sql/statements' });
    fake.failNext(503, { method: 'GET', path: '/api/2.0/sql/statements/:id' });

    const records = await collect(connect().readHistory(window));

    expect(records).toHaveLength(4);
    expect(
      fake.upstream.requests.filter((request) => request.faulted).map((request) => request.method),
    ).toEqual(['POST', 'GET']);
  });

  it('reports an expired personal access token as an auth error without the token', async () => {
    fake.expireToken(PAT);
    const error = await failure(collect(connect().readHistory(window)));

    expect(error.kind).toBe('auth');
    expect(error.message).toContain('expired');
    expect(error.message).toContain('personal access token');
    expect(error.message).not.toContain(PAT);
  });

  it('authenticates a service principal with OAuth M2M, and reports a wrong secret without it', async () => {
    const credentials: DatabricksCredentials = {
      type: 'oauth-m2m',
      clientId: 'sp-client-id',
      clientSecret: 'sp-secret-value-123',
    };
    const records = await collect(connect({ credentials }).readHistory(window));
    expect(records).toHaveLength(4);
    expect(fake.tokenRequests).toBe(1);

    const wrong = { ...credentials, clientSecret: 'not-the-secret-456' };
    const error = await failure(collect(connect({ credentials: wrong }).readHistory(window)));
    expect(error.kind).toBe('auth');
    expect(error.message).toContain('sp-client-id');
    expect(error.message).not.toContain('not-the-secret-456');
  });

  it('check() passes with every grant and names the grant on system.query.history when it is missing', async () => {
    const healthy = await connect().check();
    expect(healthy.ok).toBe(true);
    expect(healthy.checks.map((check) => check.name)).toEqual([
      'reach',
      'schema-read',
      'history-read',
      'engine-lineage',
    ]);

    fake.revoke('system.query');
    const connector = connect();
    const result = await connector.check();
    const history = result.checks.find((check) => check.name === 'history-read')!;
    expect(result.ok).toBe(false);
    expect(history.fix).toContain('GRANT SELECT ON TABLE system.query.history TO `catalog-bot@example.com`');

    const error = await failure(collect(connector.readHistory(window)));
    expect(error.kind).toBe('permission');
    expect(error.fix).toContain('GRANT SELECT ON TABLE system.query.history');
  });

  it('check() says to enable the query system schema when it does not exist', async () => {
    fake.disableSystemSchema('query');
    const result = await connect().check();
    const history = result.checks.find((check) => check.name === 'history-read')!;
    expect(history.ok).toBe(false);
    expect(history.fix).toContain('system-schemas enable <metastore-id> query');
  });

  it('check() names the warehouse permission when the principal cannot use it', async () => {
    fake.revoke('warehouse');
    const result = await connect().check();
    expect(result.checks).toEqual([
      expect.objectContaining({
        name: 'reach',
        ok: false,
        fix: `Give the principal the CAN USE permission on SQL warehouse ${WAREHOUSE}`,
      }),
    ]);
  });

  it('cancels the running statement when the signal aborts', async () => {
    fake.pollsBeforeResult = Number.POSITIVE_INFINITY;
    const controller = new AbortController();
    const reading = collect(connect({ signal: controller.signal }).readHistory(window));
    const rejected = expect(reading).rejects.toThrow('sync stopped');
    while (fake.upstream.requestsTo('GET', '/api/2.0/sql/statements/:id').length === 0) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    controller.abort(new Error('sync stopped'));
    await rejected;

    expect(fake.cancelled).toEqual([fake.statements[0]!.id]);
  });

  it('crawls every catalog but system by default', async () => {
    const tables = await collect(connect().crawl(everything));
    expect([...new Set(tables.map((table) => table.database))]).toEqual(['dev', 'main']);
  });
});
