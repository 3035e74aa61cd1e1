import { FakeClickHouse } from '@cartograph/platform/testing';
import {
  OWN_QUERY_MARKER,
  WarehouseError,
  type NameFilter,
  type WarehouseConnector,
} from '../warehouse-connector.js';
import {
  clickHouseConnectorDefinition,
  clickHouseCredentialsSchema,
  clickHouseSettingsSchema,
} from './clickhouse.connector.js';

const PASSWORD = 'ch-Password-1234567890';
const T0 = Date.parse('2024-03-01T10:00:00.000Z');
const at = (seconds: number): Date => new Date(T0 + seconds * 1000);

const acceptAllButStaging: NameFilter = { accepts: (database) => database !== 'staging' };

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

describe('ClickHouse connector against the fake HTTP interface', () => {
  let fake: FakeClickHouse;
  const open: WarehouseConnector[] = [];

  function connect(
    settings: Record<string, unknown> = {},
    password = PASSWORD,
    signal?: AbortSignal,
  ): WarehouseConnector {
    const connector = clickHouseConnectorDefinition.create({
      settings: clickHouseSettingsSchema.parse({
        host: 'ch.example.com',
        secure: false,
        user: 'catalog',
        endpoint: fake.baseUrl,
        maxAttempts: 3,
        retryBaseDelayMs: 5,
        historyPageSize: 2,
        ...settings,
      }),
      credentials: clickHouseCredentialsSchema.parse({ password }),
      timeoutMs: 5_000,
      signal,
    });
    open.push(connector);
    return connector;
  }

  beforeEach(async () => {
    fake = new FakeClickHouse({
      users: [
        { name: 'catalog', password: PASSWORD },
        { name: 'reader', password: PASSWORD, deniedTables: ['system.query_log'] },
      ],
    });
    fake.addTables(
      {
        database: 'analytics',
        name: 'events',
        engine: 'ReplacingMergeTree',
        comment: 'Raw events',
        totalRows: 123_456_789_012,
        totalBytes: 9_876_543_210,
        modifiedAt: new Date('2024-02-01T08:00:00Z'),
        columns: [
          { name: 'event_id', type: 'UUID', comment: 'Primary key' },
          { name: 'user_id', type: 'Nullable(UInt64)' },
          { name: 'event_time', type: "DateTime64(3, 'UTC')", comment: 'When it happened' },
        ],
      },
      {
        database: 'analytics',
        name: 'daily_events',
        engine: 'MaterializedView',
        asSelect: 'SELECT toDate(event_time) AS day, count() AS events FROM analytics.events GROUP BY day',
        totalRows: null,
        totalBytes: null,
        columns: [
          { name: 'day', type: 'Date' },
          { name: 'events', type: 'UInt64' },
        ],
      },
      {
        database: 'analytics',
        name: 'recent_events',
        engine: 'View',
        comment: 'Last day',
        asSelect: 'SELECT * FROM analytics.events WHERE event_time > now() - INTERVAL 1 DAY',
        columns: [{ name: 'event_id', type: 'UUID' }],
      },
      { database: 'analytics', name: 'raw_s3', engine: 'S3', columns: [{ name: 'line', type: 'String' }] },
      { database: 'staging', name: 'tmp', columns: [{ name: 'x', type: 'Int32' }] },
      { database: 'sandbox', name: 'scratch', columns: [{ name: 'y', type: 'Int32' }] },
    );
    await fake.start();
  });

  afterEach(async () => {
    await Promise.all(open.splice(0).map((connector) => connector.close()));
    await fake.stop();
  });

  it('crawls tables and views with columns, comments, sizes and view SQL', async () => {
    const crawled = await collect(
      connect({ databases: ['analytics', 'staging'] }).crawl(acceptAllButStaging),
    );

    expect(crawled.map((table) => `${table.database}.${table.schema}.${table.name}`)).toEqual([
      'analytics.analytics.daily_events',
      'analytics.analytics.events',
      'analytics.analytics.raw_s3',
      'analytics.analytics.recent_events',
    ]);
    expect(crawled[1]).toEqual({
      database: 'analytics',
      schema: 'analytics',
      name: 'events',
      kind: 'table',
      comment: 'Raw events',
      columns: [
        { name: 'event_id', type: 'UUID', position: 1, nullable: false, comment: 'Primary key' },
        { name: 'user_id', type: 'Nullable(UInt64)', position: 2, nullable: true, comment: null },
        {
          name: 'event_time',
          type: "DateTime64(3, 'UTC')",
          position: 3,
          nullable: false,
          comment: 'When it happened',
        },
      ],
      rowCount: 123_456_789_012,
      bytes: 9_876_543_210,
      viewDefinition: null,
      alteredAt: new Date('2024-02-01T08:00:00Z'),
    });
    expect(crawled[0]).toMatchObject({ kind: 'materialized_view', rowCount: null, bytes: null });
    expect(crawled[0]!.viewDefinition).toMatch(/^SELECT toDate\(event_time\)/);
    expect(crawled[3]).toMatchObject({ kind: 'view', comment: 'Last day' });
    expect(crawled[2]!.kind).toBe('external');

    // The databases setting reached the server as a bound Array(String) parameter, not inside the SQL.
    for (const request of fake.received) {
      expect(request.sql.startsWith(`${OWN_QUERY_MARKER}\n`)).toBe(true);
      expect(request.parameters.databases).toBe("['analytics','staging']");
      expect(request.sql).not.toContain("'analytics'");
      expect(request.settings.log_comment).toBe('{"app":"cartograph"}');
      expect(request.format).toBe('JSONEachRow');
    }
  });

  it('reads finished initial queries across pages with engine lineage, fingerprint and tags', async () => {
    const [select, insertSelect, insertValues, , , , tagged] = fake.addQueries(
      {
        query: 'SELECT count() FROM events',
        startTime: at(1),
        durationMs: 120,
        user: 'analyst',
        currentDatabase: 'analytics',
        tables: ['analytics.events'],
        normalizedQueryHash: '18446744073709551615',
        resultRows: 1,
      },
      {
        query: 'INSERT INTO analytics.daily SELECT * FROM analytics.events',
        startTime: at(2),
        queryKind: 'Insert',
        tables: ['analytics.daily', 'analytics.events'],
        writtenRows: 500,
      },
      {
        query: 'INSERT INTO analytics.events VALUES',
        startTime: at(3),
        queryKind: 'Insert',
        tables: ['analytics.events'],
      },
      { query: 'SELECT count() FROM events', startTime: at(1), type: 'QueryStart' },
      { query: 'SELECT * FROM events_local', startTime: at(4), isInitialQuery: false },
      { query: 'SELECT broken', startTime: at(5), type: 'ExceptionWhileProcessing' },
      {
        query: 'SELECT 1',
        startTime: at(6),
        logComment: '{"hex":{"project":"p1"}}',
        httpUserAgent: 'Hex/1.0',
        clientName: 'hex',
      },
      { query: `${OWN_QUERY_MARKER}\nSELECT 2`, startTime: at(7), logComment: '{"app":"cartograph"}' },
    );

    const records = await collect(connect().readHistory({ since: at(0), until: at(60) }));

    expect(records.map((record) => record.queryId)).toEqual([select, insertSelect, insertValues, tagged]);
    expect(records[0]).toEqual({
      queryId: select,
      text: 'SELECT count() FROM events',
      startedAt: at(1),
      endedAt: new Date(at(1).getTime() + 120),
      durationMs: 120,
      user: 'analyst',
      defaultDatabase: 'analytics',
      defaultSchema: 'analytics',
      statementType: 'SELECT',
      engineFingerprint: '18446744073709551615',
      engineLineage: {
        sources: [{ database: 'analytics', schema: 'analytics', name: 'events' }],
        targets: [],
      },
      textTruncated: false,
      rowsProduced: 1,
      tags: {},
    });
    expect(records[1]).toMatchObject({ statementType: 'INSERT', engineLineage: null, rowsProduced: 500 });
    expect(records[2]!.engineLineage).toEqual({
      sources: [],
      targets: [{ database: 'analytics', schema: 'analytics', name: 'events' }],
    });
    expect(records[3]!.tags).toEqual({
      logComment: '{"hex":{"project":"p1"}}',
      httpUserAgent: 'Hex/1.0',
      clientName: 'hex',
    });

    const historyRequests = fake.received.filter((request) => /system\.query_log/.test(request.sql));
    expect(historyRequests.length).toBeGreaterThanOrEqual(3);
    for (const request of historyRequests) {
      expect(request.parameters.since_us).toBe(String(at(0).getTime() * 1000));
      expect(request.format).toBe('JSON');
    }
    expect(historyRequests[1]!.parameters).toMatchObject({
      after_us: String(at(2).getTime() * 1000),
      after_id: insertSelect,
    });
  });

  it('never returns the queries it ran itself', async () => {
    const connector = connect();
    await collect(connector.crawl(acceptAllButStaging));
    const now = Date.now();
    const [other] = fake.addQueries({
      query: 'SELECT 1 FROM analytics.events',
      startTime: new Date(now - 500),
    });

    const records = await collect(
      connector.readHistory({ since: new Date(now - 3_600_000), until: new Date(now + 3_600_000) }),
    );

    expect(
      fake.queryLogRows.filter((row) => row.logComment === '{"app":"cartograph"}').length,
    ).toBeGreaterThan(2);
    expect(records.map((record) => record.queryId)).toEqual([other]);
  });

  it('reads only queries at or after `since` on the next run', async () => {
    fake.addQueries(
      { query: 'SELECT 1 FROM a', startTime: at(1) },
      { query: 'SELECT 1 FROM b', startTime: at(2) },
      { query: 'SELECT 1 FROM c', startTime: at(3) },
    );
    const connector = connect();
    const firstRun = await collect(connector.readHistory({ since: at(0), until: at(10) }));
    const last = firstRun.at(-1)!;
    const newer = fake.addQueries(
      { query: 'SELECT 1 FROM d', startTime: at(11) },
      { query: 'SELECT 1 FROM e', startTime: at(12) },
    );

    const secondRun = await collect(connector.readHistory({ since: last.startedAt, until: at(60) }));

    expect(secondRun.map((record) => record.queryId)).toEqual([last.queryId, ...newer]);
    expect(fake.received.at(-1)!.parameters.since_us).toBe(String(last.startedAt.getTime() * 1000));
  });

  it('retries 503 and 429, then reports rate_limited when 429 persists', async () => {
    fake.failNext(1, 503).failNext(1, 429);
    const check = await connect().check();
    expect(check.ok).toBe(true);
    expect(fake.upstream.requests.filter((request) => request.faulted)).toHaveLength(2);

    fake.failNext(3, 429);
    const error = await captureError(collect(connect().readHistory({ since: at(0), until: at(1) })));
    expect(error).toBeInstanceOf(WarehouseError);
    expect((error as WarehouseError).kind).toBe('rate_limited');
    expect((error as WarehouseError).message).toMatch(/ch\.example\.com:8123.*429 after 3 attempts/);
  });

  it('reports a refused password as an auth error without the password', async () => {
    const error = await captureError(
      collect(connect({}, 'wrong-Password-0987654321').crawl(acceptAllButStaging)),
    );

    expect((error as WarehouseError).kind).toBe('auth');
    expect((error as WarehouseError).message).toMatch(
      /Code: 516\. DB::Exception: catalog: Authentication failed/,
    );
    expect((error as WarehouseError).message).not.toContain('wrong-Password-0987654321');
    expect(fake.upstream.requests[0]!.headers['x-clickhouse-user']).toBe('catalog');

    const check = await connect({}, 'wrong-Password-0987654321').check();
    expect(check.checks.map((item) => [item.name, item.ok])).toEqual([
      ['reach', false],
      ['schema-read', false],
      ['history-read', false],
    ]);
    expect(check.checks[0]!.message).toMatch(/AUTHENTICATION_FAILED/);
  });

  it('names the grant when system.query_log may not be read', async () => {
    const check = await connect({ user: 'reader' }).check();

    expect(check.ok).toBe(false);
    expect(check.checks.find((item) => item.name === 'schema-read')!.ok).toBe(true);
    const history = check.checks.find((item) => item.name === 'history-read')!;
    expect(history).toMatchObject({ ok: false, fix: 'GRANT SELECT ON system.query_log TO reader' });
    expect(history.message).toMatch(/Code: 497.*ACCESS_DENIED/);

    const error = await captureError(
      collect(connect({ user: 'reader' }).readHistory({ since: at(0), until: at(1) })),
    );
    expect((error as WarehouseError).kind).toBe('permission');
    expect((error as WarehouseError).fix).toBe('GRANT SELECT ON system.query_log TO reader');
  });

  it('stops a query when aborted', async () => {
    fake.upstream.delay(5_000, { times: 1 });
    const controller = new AbortController();
    const reading = captureError(
      collect(connect({}, PASSWORD, controller.signal).readHistory({ since: at(0), until: at(1) })),
    );
    for (let tries = 0; tries < 500 && fake.upstream.requests.length === 0; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    controller.abort(new Error('sync cancelled'));

    expect(((await reading) as Error).message).toBe('sync cancelled');
    expect(fake.upstream.requests[0]!.query.cancel_http_readonly_queries_on_client_close).toBe('1');
  });

  it('validates settings and derives host:port as the instance', () => {
    const parsed = clickHouseSettingsSchema.parse({ host: 'CH.example.com' });
    expect(parsed).toMatchObject({ port: 8443, secure: true, user: 'default' });
    expect(clickHouseConnectorDefinition.instanceOf(parsed)).toBe('ch.example.com:8443');
    expect(
      clickHouseConnectorDefinition.instanceOf(clickHouseSettingsSchema.parse({ host: 'ch', secure: false })),
    ).toBe('ch:8123');
    const bad = clickHouseSettingsSchema.safeParse({ host: 'https://ch.example.com:8443' });
    expect(bad.error!.issues[0]!.message).toMatch(/bare server name/);
    expect(clickHouseCredentialsSchema.safeParse({}).error!.issues[0]!.message).toMatch(
      /password is required/,
    );
  });
});
