import { generateKeyPairSync } from 'node:crypto';
import { FakeBigQuery, type FakeBigQueryQuery } from '@cartograph/platform/testing';
import {
  OWN_QUERY_MARKER,
  WarehouseError,
  type HistoryRecord,
  type NameFilter,
  type WarehouseConnector,
} from '../warehouse-connector.js';
import { bigQueryConnectorDefinition, type BigQuerySettings } from './bigquery.connector.js';

const keys = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
});
const EMAIL = 'catalog-reader@analytics-prod.iam.gserviceaccount.com';

const withoutStaging: NameFilter = {
  accepts: (database, schema) => database === 'analytics-prod' && schema !== 'staging',
};

let fake: FakeBigQuery;
const connectors: WarehouseConnector[] = [];

function connect(
  options: { signal?: AbortSignal; settings?: Partial<BigQuerySettings> } = {},
): WarehouseConnector {
  const settings = bigQueryConnectorDefinition.settingsSchema.parse({
    projectId: 'analytics-prod',
    regions: ['region-us', 'region-eu'],
    baseUrl: `${fake.baseUrl}/bigquery/v2/`,
    pollIntervalMs: 5,
    maxPollIntervalMs: 20,
    pageSize: 100,
    jobWaitMs: 0,
    ...options.settings,
  });
  // The key file as it is pasted into the connection form: JSON text.
  const credentials = bigQueryConnectorDefinition.credentialsSchema.parse({
    serviceAccountKey: JSON.stringify({
      type: 'service_account',
      project_id: 'analytics-prod',
      private_key_id: 'key-1234',
      private_key: keys.privateKey,
      client_email: EMAIL,
      token_uri: fake.tokenUri,
    }),
  });
  const connector = bigQueryConnectorDefinition.create({
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

function jobQueries(): FakeBigQueryQuery[] {
  return fake.queries.filter(
    (query) => query.sql.includes('JOBS_BY_PROJECT') && query.sql.includes('@until'),
  );
}

beforeEach(async () => {
  fake = new FakeBigQuery({ pageSize: 2, pollsBeforeResult: 1 });
  await fake.start();
  fake
    .serviceAccount(EMAIL, { publicKey: keys.publicKey })
    .dataset('analytics-prod', 'sales', 'US')
    .dataset('analytics-prod', 'staging', 'US')
    .dataset('analytics-prod', 'eu_sales', 'EU')
    .table({
      project: 'analytics-prod',
      dataset: 'sales',
      name: 'orders',
      description: 'Order facts, one row per "order"',
      rowCount: 5000,
      bytes: 123_456,
      created: '2024-01-01T00:00:00Z',
      lastModified: '2024-05-01T06:00:00Z',
      columns: [
        { name: 'order_id', type: 'INT64', nullable: false, description: 'Primary key' },
        { name: 'items', type: 'ARRAY<STRUCT<sku STRING, qty INT64>>' },
      ],
    })
    .table({
      project: 'analytics-prod',
      dataset: 'sales',
      name: 'open_orders',
      type: 'VIEW',
      viewDefinition: 'SELECT * FROM `analytics-prod.sales.orders` WHERE shipped IS NULL',
      columns: [{ name: 'order_id', type: 'INT64' }],
    })
    .table({
      project: 'analytics-prod',
      dataset: 'staging',
      name: 'raw_orders',
      columns: [{ name: 'payload', type: 'JSON' }],
    })
    .table({
      project: 'analytics-prod',
      dataset: 'eu_sales',
      name: 'customers',
      columns: [{ name: 'id', type: 'STRING' }],
    })
    .job(
      {
        id: 'job-1',
        project: 'analytics-prod',
        query: 'INSERT INTO sales.orders SELECT * FROM staging.raw_orders',
        creationTime: '2024-05-01T10:00:00Z',
        startTime: '2024-05-01T10:00:01Z',
        endTime: '2024-05-01T10:00:04Z',
        user: 'dbt@analytics-prod.iam.gserviceaccount.com',
        statementType: 'INSERT',
        referenced: ['analytics-prod.staging.raw_orders'],
        destination: 'analytics-prod.sales.orders$20240501',
        labels: { dbt_invocation_id: 'inv-9' },
        sessionId: 'session-7',
        queryHash: 'hash-1',
      },
      {
        id: 'job-2',
        project: 'analytics-prod',
        query: 'SELECT broken',
        creationTime: '2024-05-01T10:01:00Z',
        error: 'Syntax error',
      },
      {
        id: 'job-3',
        project: 'analytics-prod',
        query: 'SELECT * FROM sales.open_orders',
        creationTime: '2024-05-01T10:02:00Z',
        referenced: ['analytics-prod.sales.orders'],
      },
      {
        id: 'eu-1',
        project: 'analytics-prod',
        location: 'EU',
        query: 'SELECT id FROM eu_sales.customers',
        creationTime: '2024-05-01T10:03:00Z',
        referenced: ['analytics-prod.eu_sales.customers'],
      },
      {
        id: 'job-4',
        project: 'analytics-prod',
        query: `${OWN_QUERY_MARKER} SELECT 1`,
        creationTime: '2024-05-01T10:04:00Z',
      },
      {
        id: 'job-5',
        project: 'analytics-prod',
        query: 'LOAD',
        creationTime: '2024-05-01T10:05:00Z',
        jobType: 'LOAD',
      },
      {
        id: 'job-6',
        project: 'analytics-prod',
        query: 'SELECT 6',
        creationTime: '2024-05-01T10:06:00Z',
        cacheHit: true,
      },
      { id: 'job-7', project: 'analytics-prod', query: 'SELECT 7', creationTime: '2024-05-01T10:07:00Z' },
      { id: 'job-8', project: 'analytics-prod', query: 'SELECT 8', creationTime: '2024-05-01T12:00:00Z' },
    );
});

afterEach(async () => {
  await Promise.all(connectors.splice(0).map((connector) => connector.close()));
  await fake.stop();
});

const window = { since: new Date('2024-05-01T10:00:00Z'), until: new Date('2024-05-01T11:00:00Z') };

describe('BigQuery connector against the fake REST API', () => {
  it('crawls tables and views of every region with descriptions, sizes and view text, within the name filter', async () => {
    const tables = await collect(connect().crawl(withoutStaging));

    expect(tables.map((table) => `${table.database}.${table.schema}.${table.name}`)).toEqual([
      'analytics-prod.sales.open_orders',
      'analytics-prod.sales.orders',
      'analytics-prod.eu_sales.customers',
    ]);
    const orders = tables.find((table) => table.name === 'orders')!;
    expect(orders).toMatchObject({
      kind: 'table',
      comment: 'Order facts, one row per "order"',
      rowCount: 5000,
      bytes: 123_456,
      createdAt: new Date('2024-01-01T00:00:00Z'),
      alteredAt: new Date('2024-05-01T06:00:00Z'),
      viewDefinition: null,
    });
    expect(orders.columns).toEqual([
      { name: 'order_id', type: 'INT64', position: 1, nullable: false, comment: 'Primary key' },
      {
        name: 'items',
        type: 'ARRAY<STRUCT<sku STRING, qty INT64>>',
        position: 2,
        nullable: true,
        comment: null,
      },
    ]);
    const view = tables.find((table) => table.name === 'open_orders')!;
    expect(view).toMatchObject({ kind: 'view', rowCount: null, comment: null });
    expect(view.viewDefinition).toContain('WHERE shipped IS NULL');
    // Each region's views were read in that region's location.
    expect(fake.queries.map((query) => query.location)).toEqual(['US', 'US', 'EU', 'EU']);
  });

  it('reads history from every region across pages, oldest first, with engine lineage and labels', async () => {
    const records = await collect(connect().readHistory(window));

    expect(records.map((record) => record.queryId)).toEqual(['job-1', 'job-3', 'eu-1', 'job-6', 'job-7']);
    expect(records[0]).toEqual<HistoryRecord>({
      queryId: 'job-1',
      text: 'INSERT INTO sales.orders SELECT * FROM staging.raw_orders',
      startedAt: new Date('2024-05-01T10:00:00Z'),
      endedAt: new Date('2024-05-01T10:00:04Z'),
      durationMs: 3000,
      user: 'dbt@analytics-prod.iam.gserviceaccount.com',
      role: null,
      sessionId: 'session-7',
      defaultDatabase: 'analytics-prod',
      defaultSchema: null,
      statementType: 'INSERT',
      engineFingerprint: 'hash-1',
      engineLineage: {
        sources: [{ database: 'analytics-prod', schema: 'staging', name: 'raw_orders' }],
        targets: [{ database: 'analytics-prod', schema: 'sales', name: 'orders' }],
      },
      textTruncated: false,
      rowsProduced: null,
      tags: { dbt_invocation_id: 'inv-9' },
    });
    // A plain SELECT writes to an anonymous dataset, which is not a target; a cache hit has no lineage.
    expect(records[1]!.engineLineage).toEqual({
      sources: [{ database: 'analytics-prod', schema: 'sales', name: 'orders' }],
      targets: [],
    });
    expect(records[3]!.engineLineage).toBeNull();

    // The two regions' jobs run at once, so they are told apart by location, not by order.
    const us = jobQueries().find((query) => query.location === 'US');
    expect(
      jobQueries()
        .map((query) => query.location)
        .sort(),
    ).toEqual(['EU', 'US']);
    expect(us!.sql).not.toContain('2024-05-01');
    expect(us!.sql.split(OWN_QUERY_MARKER)).toHaveLength(2);
    expect(us!.parameters).toEqual({
      since: { type: 'TIMESTAMP', value: '2024-05-01T10:00:00.000Z' },
      until: { type: 'TIMESTAMP', value: '2024-05-01T11:00:00.000Z' },
      own_marker: { type: 'STRING', value: OWN_QUERY_MARKER },
    });
    expect(us!.labels).toEqual({ app: 'cartograph' });
    // Four US rows in pages of two: the second page was asked for with the pageToken.
    const pageRequests = fake.upstream.requests.filter((request) => request.query.pageToken !== undefined);
    expect(pageRequests).toHaveLength(1);
    // One access token served every request.
    expect(fake.tokenRequests).toBe(1);
  });

  it('resumes from the watermark: a second read with since = last startedAt returns only the newer rows', async () => {
    const connector = connect({ settings: { regions: ['region-us'] } });
    const first = await collect(connector.readHistory({ ...window, limit: 2 }));
    expect(first.map((record) => record.queryId)).toEqual(['job-1', 'job-3']);

    const since = first.at(-1)!.startedAt;
    const second = await collect(connector.readHistory({ since, until: window.until, limit: 2 }));
    expect(second.map((record) => record.queryId)).toEqual(['job-3', 'job-6']);
    expect(jobQueries()[1]!.parameters.since!.value).toBe(since.toISOString());
    expect(jobQueries()[1]!.parameters.row_limit).toEqual({ type: 'INT64', value: '2' });
  });

  it('waits out a 429 with Retry-After and a 503, then succeeds', async () => {
    fake.failNext(429, {
      retryAfterSeconds: 1,
      method: 'POST',
      path: '/bigquery/v2/projects/:project/queries',
    });
    fake.failNext(503, { method: 'GET', path: '/bigquery/v2/projects/:project/queries/:jobId' });

    const records = await collect(connect({ settings: { regions: ['region-us'] } }).readHistory(window));

    expect(records.map((record) => record.queryId)).toEqual(['job-1', 'job-3', 'job-6', 'job-7']);
    expect(
      fake.upstream.requests.filter((request) => request.faulted).map((request) => request.method),
    ).toEqual(['POST', 'GET']);
  });

  it('reports a rateLimitExceeded 403 as rate_limited', async () => {
    fake.failNext(403, {
      reason: 'rateLimitExceeded',
      method: 'POST',
      path: '/bigquery/v2/projects/:project/queries',
    });
    const error = await failure(
      collect(connect({ settings: { regions: ['region-us'] } }).readHistory(window)),
    );
    expect(error.kind).toBe('rate_limited');
  });

  it('renews an access token that expired early, once', async () => {
    const connector = connect({ settings: { regions: ['region-us'] } });
    await collect(connector.readHistory(window));
    fake.expireAccessTokens();

    const records = await collect(connector.readHistory(window));
    expect(records).toHaveLength(4);
    expect(fake.tokenRequests).toBe(2);
  });

  it('reports a disabled service account key as an auth error without key material', async () => {
    fake.disableServiceAccount(EMAIL);
    const error = await failure(collect(connect().readHistory(window)));

    expect(error.kind).toBe('auth');
    expect(error.message).toContain(EMAIL);
    expect(error.message).toContain('invalid_grant');
    expect(error.message).not.toMatch(/PRIVATE KEY|MII/);
  });

  it('check() passes with every permission, and names bigquery.jobs.listAll and its role when it is missing', async () => {
    const healthy = await connect().check();
    expect(healthy).toEqual({
      ok: true,
      checks: [
        { name: 'reach', ok: true },
        { name: 'schema-read', ok: true },
        { name: 'history-read', ok: true },
      ],
    });

    fake.revoke('bigquery.jobs.listAll');
    const connector = connect({ settings: { regions: ['region-us'] } });
    const result = await connector.check();
    expect(result.ok).toBe(false);
    const history = result.checks.find((check) => check.name === 'history-read')!;
    expect(history.message).toContain('bigquery.jobs.listAll');
    expect(history.fix).toContain('roles/bigquery.resourceViewer');
    expect(history.fix).toContain(`serviceAccount:${EMAIL}`);

    const error = await failure(collect(connector.readHistory(window)));
    expect(error.kind).toBe('permission');
    expect(error.fix).toContain('roles/bigquery.resourceViewer');
  });

  it('cancels the running job when the signal aborts', async () => {
    fake.pollsBeforeResult = Number.POSITIVE_INFINITY;
    const controller = new AbortController();
    const reading = collect(
      connect({ signal: controller.signal, settings: { regions: ['region-us'] } }).readHistory(window),
    );
    const rejected = expect(reading).rejects.toThrow('sync stopped');
    while (fake.upstream.requestsTo('GET', '/bigquery/v2/projects/:project/queries/:jobId').length === 0) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    controller.abort(new Error('sync stopped'));
    await rejected;

    expect(fake.cancelled).toEqual([fake.queries[0]!.jobId]);
  });
});
