import { datasetId } from '@cartograph/catalog-model';
import { eventually, FakeSnowflake } from '@cartograph/platform/testing';
import { startWarehouse, type WarehouseTestApp } from './warehouse-test-app.js';

// A Snowflake account served by FakeSnowflake (SQL API v2 over HTTP), synced by the real worker: crawl, history
// from the watermark, engine lineage, statements we cannot read, and a credential that expires.
const TOKEN = 'oauth-token-for-cartograph-7d1f0c';
const id = (schema: string, name: string) =>
  datasetId({ platform: 'snowflake', instance: 'xy12345.us-east-1', database: 'ANALYTICS', schema, name });
const entity = (fields: string) =>
  `query($id: ID!) { _entities(representations: [{ __typename: "Dataset", id: $id }]) { ... on Dataset { ${fields} } } }`;
const HEX = (project: string) =>
  `\n-- Hex query metadata: {"cell_type": "SQL", "context": "SCHEDULED_RUN", "project_id": "${project}", "project_name": "Revenue {EU}", "project_url": "https://app.hex.tech/acme/hex/${project}/draft/logic", "user_email": "ana@example.com"}`;

describe('Snowflake sync through the worker', () => {
  let fake: FakeSnowflake;
  let app: WarehouseTestApp;
  let connectionId: string;
  let firstWatermark: string;

  beforeAll(async () => {
    fake = new FakeSnowflake({ account: 'XY12345', rowsPerPartition: 3, pollsBeforeResult: 1 });
    fake.user('CARTOGRAPH', { tokens: [TOKEN] });
    fake.database('ANALYTICS');
    fake.table({
      database: 'ANALYTICS',
      schema: 'RAW',
      name: 'ORDERS',
      comment: 'orders as loaded',
      rowCount: 1200,
      bytes: 65536,
      columns: [
        { name: 'ID', type: 'NUMBER', precision: 38, scale: 0 },
        { name: 'AMOUNT', type: 'NUMBER', precision: 10, scale: 2, comment: 'order total in EUR' },
      ],
    });
    fake.table({
      database: 'ANALYTICS',
      schema: 'MARTS',
      name: 'REVENUE',
      columns: [{ name: 'TOTAL', type: 'NUMBER', precision: 12, scale: 2 }],
    });
    fake.table({
      database: 'ANALYTICS',
      schema: 'MARTS',
      name: 'BIG_ORDERS',
      type: 'VIEW',
      viewDefinition: 'create view BIG_ORDERS as select ID from ANALYTICS.RAW.ORDERS where AMOUNT > 100',
      columns: [{ name: 'ID', type: 'NUMBER', precision: 38, scale: 0 }],
    });
    await fake.start();
    app = await startWarehouse({ WAREHOUSE_HISTORY_BATCH_SIZE: '100' });
    const { body } = await app.graphql(
      `mutation($input: CreateWarehouseConnectionInput!) { createWarehouseConnection(input: $input) { id instance credentialHints } }`,
      {
        input: {
          name: 'snowflake',
          platform: 'snowflake',
          settings: {
            account: 'xy12345.us-east-1',
            user: 'CARTOGRAPH',
            warehouse: 'COMPUTE_WH',
            role: 'CARTOGRAPH_READER',
            baseUrl: fake.baseUrl,
            pollIntervalMs: 5,
            maxPollIntervalMs: 20,
          },
          credentials: { type: 'oauth', token: TOKEN },
          historyLookbackHours: 48,
          historyOverlapMinutes: 30,
        },
      },
    );
    expect(body.errors).toBeUndefined();
    connectionId = body.data.createWarehouseConnection.id;
    expect(body.data.createWarehouseConnection.instance).toBe('xy12345.us-east-1');
    expect(JSON.stringify(body.data)).not.toContain(TOKEN);
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await fake?.stop();
  });

  async function sync(): Promise<any> {
    const { body } = await app.graphql(`mutation($id: ID!) { syncWarehouseConnection(id: $id) { id } }`, {
      id: connectionId,
    });
    expect(body.errors).toBeUndefined();
    const runId = body.data.syncWarehouseConnection.id;
    return eventually(async () => {
      const { body: runs } = await app.graphql(
        `query($id: ID!) { warehouseConnection(id: $id) { lastError { code message } syncRuns(first: 5) { edges { node { id state counts problems watermark error { code message } } } } } }`,
        { id: connectionId },
      );
      const run = runs.data.warehouseConnection.syncRuns.edges.find(
        (edge: any) => edge.node.id === runId,
      )?.node;
      return run && ['succeeded', 'failed'].includes(run.state)
        ? { ...run, lastError: runs.data.warehouseConnection.lastError }
        : null;
    }, 30_000);
  }

  const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000);

  it('crawls, reads history with engine lineage and Hex attribution, and records what it could not read', async () => {
    fake.query(
      {
        id: 'q-ctas',
        text: 'create or replace table ANALYTICS.MARTS.REVENUE as select sum(AMOUNT) as TOTAL from ANALYTICS.RAW.ORDERS',
        startTime: minutesAgo(120),
        type: 'CREATE_TABLE_AS_SELECT',
        user: 'DBT',
        database: 'ANALYTICS',
        schema: 'MARTS',
        accessed: ['ANALYTICS.RAW.ORDERS'],
        modified: ['ANALYTICS.MARTS.REVENUE'],
      },
      {
        id: 'q-hex-1',
        text: `select TOTAL from MARTS.REVENUE where TOTAL > 10${HEX('4f1c-hex-project')}`,
        startTime: minutesAgo(110),
        user: 'HEX_SERVICE',
        database: 'ANALYTICS',
        schema: 'PUBLIC',
      },
      {
        id: 'q-hex-2',
        text: `select TOTAL from MARTS.REVENUE where TOTAL > 99${HEX('4f1c-hex-project')}`,
        startTime: minutesAgo(100),
        user: 'HEX_SERVICE',
        database: 'ANALYTICS',
        schema: 'PUBLIC',
      },
      {
        id: 'q-junk',
        text: 'selec * frm where ((',
        startTime: minutesAgo(90),
        database: 'ANALYTICS',
        schema: 'PUBLIC',
      },
      {
        id: 'q-huge',
        text: `select ${'1 + '.repeat(400_000)}1 from ANALYTICS.RAW.ORDERS`,
        startTime: minutesAgo(80),
        database: 'ANALYTICS',
        schema: 'PUBLIC',
      },
      {
        id: 'q-hostile',
        text: 'insert into "ANALYTICS"."MARTS"."we""ird/../name" select ID from ANALYTICS.RAW.ORDERS',
        startTime: minutesAgo(70),
        type: 'INSERT',
        database: 'ANALYTICS',
        schema: 'PUBLIC',
      },
      {
        // QUERY_HISTORY keeps the first 100,000 characters of a text: this one was cut inside its IN list.
        id: 'q-cut',
        text: `select ID from ANALYTICS.RAW.ORDERS where ID in (${'12345, '.repeat(20_000)}`.slice(
          0,
          100_000,
        ),
        startTime: minutesAgo(65),
        database: 'ANALYTICS',
        schema: 'PUBLIC',
      },
      {
        id: 'q-failed',
        text: 'insert into ANALYTICS.MARTS.NEVER select 1',
        startTime: minutesAgo(60),
        status: 'FAIL',
      },
    );
    const run = await sync();
    expect(run.error).toBeNull();
    expect(run.state).toBe('succeeded');
    firstWatermark = run.watermark;
    expect(run.counts).toMatchObject({
      tables: 3,
      datasetsUpserted: 3,
      historyRows: 7,
      queries: 6,
      engineLineage: 1,
    });
    expect(run.counts.parseErrors).toBeGreaterThanOrEqual(2);
    expect(run.counts['parseErrors.too_large']).toBe(1);
    expect(run.counts['parseErrors.truncated']).toBe(1);
    const messages = run.problems.map((problem: any) => `${problem.subject} ${problem.message}`).join('\n');
    expect(messages).toMatch(/q-junk/);
    expect(messages).toMatch(/q-huge.*too_large/);
    expect(messages).toMatch(/q-cut.*truncated: the warehouse cut the text/);

    const revenue = id('MARTS', 'REVENUE');
    const { body } = await app.graphql(
      entity(`upstream(depth: 2) { dataset { id } distance }
        consumers { tool projectId projectName executions users hexProject { id } }
        queries(first: 10) { totalCount edges { node { statementType role executions lineageOrigin attribution { tool projectId context } } } }
        usage(days: 7) { reads writes topUsers { user executions } }`),
      { id: revenue },
    );
    expect(body.errors).toBeUndefined();
    const dataset = body.data._entities[0];
    expect(dataset.upstream).toEqual([{ dataset: { id: id('RAW', 'ORDERS') }, distance: 1 }]);
    // Two texts differing only in literals are one query shape, credited to the person in the Hex comment.
    expect(dataset.consumers).toEqual([
      {
        tool: 'hex',
        projectId: '4f1c-hex-project',
        projectName: 'Revenue {EU}',
        executions: 2,
        users: ['ana@example.com'],
        hexProject: { id: '4f1c-hex-project' },
      },
    ]);
    const shapes = dataset.queries.edges.map((edge: any) => edge.node);
    expect(shapes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ role: 'TARGET', lineageOrigin: 'engine', executions: 1 }),
        expect.objectContaining({
          role: 'SOURCE',
          executions: 2,
          attribution: { tool: 'hex', projectId: '4f1c-hex-project', context: 'SCHEDULED_RUN' },
        }),
      ]),
    );
    expect(dataset.usage).toMatchObject({ reads: 2, writes: 1 });

    const orders = id('RAW', 'ORDERS');
    const { body: ordersBody } = await app.graphql(
      entity(
        `columns { name type comment } warehouseTable { rowCount bytes comment } downstream(depth: 1) { dataset { id } }`,
      ),
      { id: orders },
    );
    const ordersDataset = ordersBody.data._entities[0];
    expect(ordersDataset.columns).toEqual([
      { name: 'ID', type: 'NUMBER(38,0)', comment: null },
      { name: 'AMOUNT', type: 'NUMBER(10,2)', comment: 'order total in EUR' },
    ]);
    expect(ordersDataset.warehouseTable).toEqual({
      rowCount: 1200,
      bytes: 65536,
      comment: 'orders as loaded',
    });
    // The view's definition and the CTAS both read ORDERS; the hostile name is kept as a quoted identifier.
    const hostile = datasetId({
      platform: 'snowflake',
      instance: 'xy12345.us-east-1',
      database: 'ANALYTICS',
      schema: 'MARTS',
      name: 'we"ird/../name',
      quoted: { database: false, schema: false, name: true },
    });
    expect(ordersDataset.downstream.map((entry: any) => entry.dataset.id)).toEqual(
      expect.arrayContaining([revenue, id('MARTS', 'BIG_ORDERS'), hostile]),
    );
  }, 60_000);

  it('column lineage: the impact of a column and the sources of another', async () => {
    const { body } = await app.graphql(
      entity(
        'impact(column: "amount") { datasets { dataset { id } distance } columns { dataset { id } column distance } }',
      ),
      { id: id('RAW', 'ORDERS') },
    );
    expect(body.errors).toBeUndefined();
    expect(body.data._entities[0].impact.columns).toEqual([
      { dataset: { id: id('MARTS', 'REVENUE') }, column: 'TOTAL', distance: 1 },
    ]);
    expect(body.data._entities[0].impact.datasets).toEqual([
      { dataset: { id: id('MARTS', 'REVENUE') }, distance: 1 },
    ]);
    const { body: sources } = await app.graphql(
      entity('columnLineage(column: "total") { dataset { id } column }'),
      {
        id: id('MARTS', 'REVENUE'),
      },
    );
    expect(sources.data._entities[0].columnLineage).toEqual([
      { dataset: { id: id('RAW', 'ORDERS') }, column: 'AMOUNT' },
    ]);
  });

  it('a second sync starts from the watermark and counts a row read twice once', async () => {
    const before = fake.statements.length;
    fake.query({
      id: 'q-later',
      text: `select TOTAL from MARTS.REVENUE where TOTAL > 500${HEX('4f1c-hex-project')}`,
      startTime: minutesAgo(5),
      user: 'HEX_SERVICE',
      database: 'ANALYTICS',
      schema: 'PUBLIC',
    });
    const run = await sync();
    expect(run.state).toBe('succeeded');
    const history = fake.statements
      .slice(before)
      .find((statement) => statement.sql.includes('QUERY_HISTORY'))!;
    const bound = Object.values(history.bindings).map((binding) => binding.value);
    // The window starts the overlap (30 minutes) before the newest row of the first sync, not at the lookback.
    expect(bound).toContain(new Date(Date.parse(firstWatermark) - 30 * 60_000).toISOString());
    expect(run.counts.duplicateRows ?? 0).toBeGreaterThanOrEqual(1);
    expect(run.counts.historyRows - (run.counts.duplicateRows ?? 0)).toBe(1);
    const { body } = await app.graphql(entity('consumers { executions }'), { id: id('MARTS', 'REVENUE') });
    expect(body.data._entities[0].consumers[0].executions).toBe(3);
  }, 60_000);

  it('an expired credential fails the sync with a clear message and keeps the lineage found before', async () => {
    fake.expireToken(TOKEN);
    const run = await sync();
    expect(run.state).toBe('failed');
    expect(run.error.code).toBe('UPSTREAM_AUTH_FAILED');
    expect(run.error.message).not.toContain(TOKEN);
    expect(run.lastError.code).toBe('UPSTREAM_AUTH_FAILED');
    const { body } = await app.graphql(entity('upstream { dataset { id } } columns { name }'), {
      id: id('MARTS', 'REVENUE'),
    });
    expect(body.data._entities[0].upstream).toEqual([{ dataset: { id: id('RAW', 'ORDERS') } }]);
    expect(body.data._entities[0].columns).toEqual([{ name: 'TOTAL' }]);
  }, 60_000);
});
