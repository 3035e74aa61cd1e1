import { FakeRedshiftData, type FakeRedshiftTable } from '@cartograph/platform/testing';
import {
  OWN_QUERY_MARKER,
  WarehouseError,
  type HistoryWindow,
  type NameFilter,
  type WarehouseConnector,
} from '../warehouse-connector.js';
import {
  redshiftConnectorDefinition,
  redshiftCredentialsSchema,
  redshiftSettingsSchema,
  type RedshiftCredentials,
} from './redshift.connector.js';
import { formatRedshiftTimestamp } from './redshift.mapper.js';

const ACCESS_KEY_ID = 'AKIAFAKEREDSHIFT0001';
const SECRET_ACCESS_KEY = 'redshift+Secret/Access/Key/1234567890abcd';
const T0 = Date.parse('2024-03-01T10:00:00.000Z');
const at = (seconds: number): Date => new Date(T0 + seconds * 1000);

const tables: FakeRedshiftTable[] = [
  {
    database: 'dev',
    schema: 'public',
    name: 'orders',
    remarks: 'One row per order',
    rows: 1500,
    sizeMb: 12,
    columns: [
      { name: 'order_id', type: 'bigint', nullable: false, remarks: 'Primary key' },
      { name: 'status', type: 'character varying(32)', remarks: null },
      { name: 'amount', type: 'numeric(18,2)' },
    ],
  },
  {
    database: 'dev',
    schema: 'public',
    name: 'order_totals',
    type: 'VIEW',
    remarks: 'Totals per status',
    definition: 'SELECT status, sum(amount) AS total FROM public.orders GROUP BY status;',
    columns: [
      { name: 'status', type: 'character varying(32)' },
      { name: 'total', type: 'numeric(38,2)', remarks: 'Sum of amounts' },
    ],
  },
  {
    database: 'dev',
    schema: 'spectrum',
    name: 'clicks',
    type: 'EXTERNAL TABLE',
    columns: [{ name: 'url', type: 'character varying(1024)' }],
  },
  {
    database: 'dev',
    schema: 'scratch',
    name: 'tmp_orders',
    rows: 3,
    sizeMb: 1,
    columns: [{ name: 'order_id', type: 'bigint' }],
  },
  {
    database: 'marketing',
    schema: 'public',
    name: 'campaigns',
    columns: [{ name: 'campaign_id', type: 'integer' }],
  },
];

/** A 9,000+ character statement: 3 chunks of SYS_QUERY_TEXT, the first boundary inside a token, the second
 * right after trailing spaces that belong to a string literal. */
function longStatement(): string {
  const selectList = Array.from(
    { length: 700 },
    (_, index) => `revenue_${String(index).padStart(4, '0')}`,
  ).join(', ');
  const prefix = `SELECT ${selectList}`.slice(0, 7980);
  return `${prefix}, '${' '.repeat(17)}' AS padding, ${selectList.slice(0, 1200)} FROM sales.orders`;
}

const acceptDev: NameFilter = {
  accepts: (database, schema) => database === 'dev' && schema !== 'scratch',
};

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

describe('Redshift connector against the fake Data API', () => {
  let fake: FakeRedshiftData;
  const open: WarehouseConnector[] = [];

  function connect(
    settings: Record<string, unknown> = {},
    credentials: Partial<RedshiftCredentials> = {},
    signal?: AbortSignal,
  ): WarehouseConnector {
    const connector = redshiftConnectorDefinition.create({
      settings: redshiftSettingsSchema.parse({
        region: 'us-east-1',
        clusterIdentifier: 'analytics',
        database: 'dev',
        dbUser: 'awsuser',
        endpoint: fake.endpoint,
        maxAttempts: 3,
        pollIntervalMs: 2,
        maxPollIntervalMs: 10,
        historyPageSize: 2,
        ...settings,
      }),
      credentials: redshiftCredentialsSchema.parse({
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
    fake = new FakeRedshiftData({
      credentials: [
        { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY },
        {
          accessKeyId: 'ASIAFAKEREDSHIFT0002',
          secretAccessKey: 'temporary-secret-0002',
          sessionToken: 'session-token-0002',
        },
      ],
      users: [
        { id: 100, name: 'awsuser', superuser: true },
        { id: 101, name: 'analyst' },
        { id: 102, name: 'auditor', roles: ['sys:monitor'] },
        { id: 103, name: 'locked', deniedRelations: ['sys_query_history'] },
      ],
      secretUsers: { 'arn:aws:secretsmanager:us-east-1:123456789012:secret:redshift-auditor': 'auditor' },
      resultPageSize: 2,
    });
    fake.addTables(...tables);
    await fake.start();
  });

  afterEach(async () => {
    await Promise.all(open.splice(0).map((connector) => connector.close()));
    await fake.stop();
  });

  it('crawls tables, views and external tables with columns, comments, sizes and view SQL', async () => {
    const crawled = await collect(connect().crawl(acceptDev));

    expect(crawled.map((table) => `${table.database}.${table.schema}.${table.name}`)).toEqual([
      'dev.public.order_totals',
      'dev.public.orders',
      'dev.spectrum.clicks',
    ]);
    const orders = crawled.find((table) => table.name === 'orders')!;
    expect(orders).toEqual({
      database: 'dev',
      schema: 'public',
      name: 'orders',
      kind: 'table',
      comment: 'One row per order',
      columns: [
        { name: 'order_id', type: 'bigint', position: 1, nullable: false, comment: 'Primary key' },
        { name: 'status', type: 'character varying(32)', position: 2, nullable: true, comment: null },
        { name: 'amount', type: 'numeric(18,2)', position: 3, nullable: true, comment: null },
      ],
      rowCount: 1500,
      bytes: 12 * 1024 * 1024,
      viewDefinition: null,
    });
    const view = crawled.find((table) => table.name === 'order_totals')!;
    expect(view.kind).toBe('view');
    expect(view.viewDefinition).toBe(tables[1]!.definition);
    expect(view.columns[1]).toMatchObject({
      name: 'total',
      type: 'numeric(38,2)',
      comment: 'Sum of amounts',
    });
    expect(crawled.find((table) => table.name === 'clicks')!.kind).toBe('external');

    // Every statement carries the marker, and results came in several GetStatementResult pages.
    expect(fake.executedSql.length).toBeGreaterThan(0);
    for (const sql of fake.executedSql) expect(sql.startsWith(`${OWN_QUERY_MARKER}\n`)).toBe(true);
    const pages = fake.service.callsTo('GetStatementResult');
    expect(pages.some((call) => typeof call.input.NextToken === 'string')).toBe(true);
  });

  it('reads history across pages, reassembles long text from SYS_QUERY_TEXT and skips its own statements', async () => {
    const text = longStatement();
    expect(text.length).toBeGreaterThan(9000);
    expect(text.slice(3999, 4001)).toMatch(/^\w\w$/);
    expect(text.slice(7983, 8000)).toBe(' '.repeat(17));
    const [first, long, third, , , labelled, cut] = fake.addQueries(
      { text: 'SELECT * FROM public.orders', startTime: at(1), user: 'analyst', database: 'dev' },
      { text, startTime: at(2), queryType: 'SELECT', database: 'dev' },
      {
        text: 'INSERT INTO public.orders SELECT * FROM scratch.tmp_orders',
        startTime: at(3),
        queryType: 'INSERT',
      },
      { text: 'SELECT broken', startTime: at(4), status: 'failed' },
      { text: `${OWN_QUERY_MARKER}\nSELECT table_name FROM svv_all_tables`, startTime: at(5) },
      { text: 'SELECT 42', startTime: at(6), label: 'hex-dashboard', sessionId: 77 },
      { text: `SELECT '${'x'.repeat(8500)}'`, startTime: at(7), missingChunks: [1] },
    );

    const records = await collect(connect().readHistory({ since: at(0), until: at(60) }));

    expect(records.map((record) => record.queryId)).toEqual([first, long, third, labelled, cut].map(String));
    const byId = new Map(records.map((record) => [record.queryId, record]));
    expect(byId.get(String(long))).toMatchObject({ text, textTruncated: false, statementType: 'SELECT' });
    expect(byId.get(String(first))).toMatchObject({
      text: 'SELECT * FROM public.orders',
      user: 'analyst',
      defaultDatabase: 'dev',
      startedAt: at(1),
      endedAt: at(2),
      durationMs: 1000,
      textTruncated: false,
    });
    expect(byId.get(String(third))!.statementType).toBe('INSERT');
    expect(byId.get(String(labelled))).toMatchObject({
      sessionId: '77',
      tags: { queryLabel: 'hex-dashboard' },
    });
    const truncated = byId.get(String(cut))!;
    expect(truncated.textTruncated).toBe(true);
    expect(truncated.text.length).toBe(4000);
    for (let index = 1; index < records.length; index++) {
      expect(records[index]!.startedAt.getTime()).toBeGreaterThanOrEqual(
        records[index - 1]!.startedAt.getTime(),
      );
    }

    // Pages of 2 rows: the keyset parameters moved forward, bound as parameters and never in the SQL.
    const historyStatements = fake.statements.filter((statement) => /sys_query_history/.test(statement.sql));
    expect(historyStatements.length).toBeGreaterThanOrEqual(3);
    for (const statement of historyStatements) {
      expect(statement.parameters.since).toBe(formatRedshiftTimestamp(at(0)));
      expect(statement.sql).not.toContain('2024-03-01');
    }
    expect(historyStatements.some((statement) => statement.parameters.after_id === String(long))).toBe(true);
    const textStatements = fake.statements.filter((statement) => /sys_query_text/.test(statement.sql));
    const textIds = textStatements.flatMap((statement) => Object.values(statement.parameters));
    expect(textIds.sort()).toEqual([String(long), String(cut)].sort());
  });

  it('never returns the statements it ran itself, which land in the history too', async () => {
    const connector = connect();
    await collect(connector.crawl(acceptDev));
    const now = Date.now();
    const window: HistoryWindow = { since: new Date(now - 3_600_000), until: new Date(now + 3_600_000) };
    const [outside] = fake.addQueries({
      text: 'SELECT 1 FROM public.orders',
      startTime: new Date(now - 1000),
    });

    const records = await collect(connector.readHistory(window));

    expect(fake.queries.filter((query) => query.text.startsWith(OWN_QUERY_MARKER)).length).toBeGreaterThan(3);
    expect(records.map((record) => record.queryId)).toEqual([String(outside)]);
  });

  it('reads only statements at or after `since` on the next run', async () => {
    fake.addQueries(
      { text: 'SELECT 1 FROM a', startTime: at(1) },
      { text: 'SELECT 1 FROM b', startTime: at(2) },
      { text: 'SELECT 1 FROM c', startTime: at(3) },
    );
    const connector = connect();
    const firstRun = await collect(connector.readHistory({ since: at(0), until: at(10) }));
    const last = firstRun[firstRun.length - 1]!;
    const newer = fake.addQueries(
      { text: 'SELECT 1 FROM d', startTime: at(11) },
      { text: 'SELECT 1 FROM e', startTime: at(12) },
    );
    fake.addQueries({ text: 'SELECT 1 FROM late_but_older', startTime: at(2.5) });

    const secondRun = await collect(connector.readHistory({ since: last.startedAt, until: at(60) }));

    // `since` is inclusive: the boundary statement comes again (keyed by query id), nothing older does.
    expect(secondRun.map((record) => record.queryId)).toEqual([last.queryId, ...newer.map(String)]);
    const lastStatement = fake.statements
      .filter((statement) => /sys_query_history/.test(statement.sql))
      .at(-1)!;
    expect(lastStatement.parameters.since).toBe(formatRedshiftTimestamp(last.startedAt));
  });

  it('honours the window limit', async () => {
    fake.addQueries(
      { text: 'SELECT 1', startTime: at(1) },
      { text: 'SELECT 2', startTime: at(2) },
      { text: 'SELECT 3', startTime: at(3) },
    );
    const records = await collect(connect().readHistory({ since: at(0), until: at(10), limit: 2 }));
    expect(records.map((record) => record.text)).toEqual(['SELECT 1', 'SELECT 2']);
  });

  it('lets the SDK retry a throttled call, and reports rate_limited when attempts run out', async () => {
    fake.service.throttleNext(1, 'ExecuteStatement');
    const check = await connect().check();
    expect(check.ok).toBe(true);
    const executes = fake.service.callsTo('ExecuteStatement');
    expect(executes[0]!.faulted).toBe(true);
    expect(executes[1]!.faulted).toBe(false);
    expect(executes[1]!.input.Sql).toBe(executes[0]!.input.Sql);

    fake.service.throttleNext(2, 'DescribeStatement');
    const error = await captureError(collect(connect({ maxAttempts: 2 }).crawl(acceptDev)));
    expect(error).toBeInstanceOf(WarehouseError);
    expect((error as WarehouseError).kind).toBe('rate_limited');
    expect((error as WarehouseError).message).toMatch(
      /DescribeStatement.*throttled after 2 attempts.*Rate exceeded/,
    );
  });

  it('reports an expired session token as an auth error without the secret', async () => {
    fake.service.expireCredentials(ACCESS_KEY_ID);
    const error = await captureError(collect(connect().readHistory({ since: at(0), until: at(10) })));

    expect(error).toBeInstanceOf(WarehouseError);
    expect((error as WarehouseError).kind).toBe('auth');
    expect((error as WarehouseError).message).toMatch(/ExpiredTokenException.*expired/);
    expect((error as WarehouseError).message).toContain('cluster analytics');
    expect((error as WarehouseError).message).not.toContain(SECRET_ACCESS_KEY);

    const check = await connect().check();
    expect(check.ok).toBe(false);
    expect(check.checks[0]).toMatchObject({ name: 'reach', ok: false });
    expect(check.checks[0]!.message).toMatch(/expired/);
  });

  it('refuses a wrong secret (the fake checks the SigV4 signature) and accepts session credentials', async () => {
    const wrong = await captureError(
      collect(connect({}, { secretAccessKey: 'not-the-secret-key' }).crawl(acceptDev)),
    );
    expect((wrong as WarehouseError).kind).toBe('auth');
    expect((wrong as WarehouseError).message).toMatch(/InvalidSignatureException/);
    expect((wrong as WarehouseError).message).not.toContain('not-the-secret-key');

    const temporary = connect(
      {},
      {
        accessKeyId: 'ASIAFAKEREDSHIFT0002',
        secretAccessKey: 'temporary-secret-0002',
        sessionToken: 'session-token-0002',
      },
    );
    expect((await temporary.check()).ok).toBe(true);
  });

  it('names the grant when the user sees only its own history or may not read it at all', async () => {
    const analyst = await connect({ dbUser: 'analyst' }).check();
    expect(analyst.ok).toBe(false);
    expect(analyst.checks.find((check) => check.name === 'history-read')).toMatchObject({
      ok: false,
      fix: 'GRANT ROLE sys:monitor TO "analyst"',
    });
    expect(analyst.checks.find((check) => check.name === 'reach')!.ok).toBe(true);

    const locked = await connect({ dbUser: 'locked' }).check();
    const history = locked.checks.find((check) => check.name === 'history-read')!;
    expect(history.ok).toBe(false);
    expect(history.message).toMatch(/permission denied for relation sys_query_history/);
    expect(history.fix).toBe('GRANT ROLE sys:monitor TO "locked"');

    const error = await captureError(
      collect(connect({ dbUser: 'locked' }).readHistory({ since: at(0), until: at(1) })),
    );
    expect((error as WarehouseError).kind).toBe('permission');

    const auditor = await connect(
      { dbUser: undefined },
      { secretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:redshift-auditor' },
    ).check();
    expect(auditor.ok).toBe(true);
  });

  it('runs on a serverless workgroup with the IAM identity', async () => {
    const check = await connect({
      clusterIdentifier: undefined,
      dbUser: undefined,
      workgroupName: 'analytics-wg',
    }).check();
    expect(check.ok).toBe(true);
    expect(fake.service.callsTo('ExecuteStatement')[0]!.input).toMatchObject({
      WorkgroupName: 'analytics-wg',
    });
  });

  it('cancels the running statement when aborted', async () => {
    fake.hang(/sys_query_history/);
    const controller = new AbortController();
    const reading = collect(connect({}, {}, controller.signal).readHistory({ since: at(0), until: at(10) }));
    const failure = captureError(reading);
    for (
      let tries = 0;
      tries < 500 && !fake.statements.some((s) => /sys_query_history/.test(s.sql));
      tries++
    ) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    controller.abort(new Error('sync cancelled'));

    const error = await failure;
    expect((error as Error).message).toBe('sync cancelled');
    const cancelled = fake.cancelledStatements;
    expect(cancelled).toHaveLength(1);
    expect(cancelled[0]!.sql).toMatch(/sys_query_history/);
    expect(fake.service.callsTo('CancelStatement')).toHaveLength(1);
  });

  it('validates settings and credentials with messages that name the field', () => {
    const settings = redshiftSettingsSchema.safeParse({ region: 'us-east-1', database: 'dev' });
    expect(settings.success).toBe(false);
    expect(settings.error!.issues[0]).toMatchObject({ path: ['clusterIdentifier'] });
    expect(settings.error!.issues[0]!.message).toMatch(/clusterIdentifier.*workgroupName/);
    const region = redshiftSettingsSchema.safeParse({
      region: 'Virginia',
      database: 'dev',
      clusterIdentifier: 'a',
    });
    expect(region.error!.issues[0]!.message).toMatch(/AWS region/);
    const credentials = redshiftCredentialsSchema.safeParse({ accessKeyId: ACCESS_KEY_ID });
    expect(credentials.error!.issues[0]!.message).toMatch(/accessKeyId and secretAccessKey go together/);
    expect(() => connect({ dbUser: undefined })).toThrow(/needs a dbUser setting or a secretArn/);
  });

  it('derives the instance of dataset ids', () => {
    const parse = (input: Record<string, unknown>) =>
      redshiftConnectorDefinition.instanceOf(
        redshiftSettingsSchema.parse({ region: 'us-east-1', database: 'dev', ...input }),
      );
    expect(
      parse({ clusterIdentifier: 'analytics', host: 'Analytics.abc123.us-east-1.redshift.amazonaws.com' }),
    ).toBe('analytics.abc123.us-east-1.redshift.amazonaws.com');
    expect(parse({ workgroupName: 'wg', accountId: '123456789012' })).toBe(
      'wg.123456789012.us-east-1.redshift-serverless.amazonaws.com',
    );
    expect(parse({ clusterIdentifier: 'analytics' })).toBe('analytics.us-east-1');
  });
});
