import { generateKeyPairSync } from 'node:crypto';
import { datasetId } from '@cartograph/catalog-model';
import {
  eventually,
  FakeAthena,
  FakeBigQuery,
  FakeClickHouse,
  FakeDatabricks,
  FakeRedshiftData,
  type FakeClickHouseUser,
} from '@cartograph/platform/testing';
import { startWarehouse, type WarehouseTestApp } from './warehouse-test-app.js';

// The HTTP warehouses other than Snowflake, each served by its fake vendor server and synced by the real worker
// through the GraphQL API: a crawl and a history read over several result pages with a write from A into B and
// Hex reads of B; a second sync that meets a throttled history request and starts from the watermark; a
// credential that stops working. One adapter per platform says how its fake is seeded and inspected.

interface TableName {
  database: string;
  schema: string;
  name: string;
}

interface WarehouseAdapter {
  platform: string;
  /** A, written into B by the write statement. */
  source: TableName;
  /** B, read by the Hex project. */
  target: TableName;
  /** B as the Hex SELECT names it. */
  targetInSql: string;
  /** Where the lineage of the write statement comes from: the engine's own record, or our SQL parser. */
  writeLineageOrigin: 'engine' | 'parser';
  /** Where the lineage of the Hex read comes from. */
  readLineageOrigin: 'engine' | 'parser';
  /** Query shapes of the first sync whose lineage the engine reported. */
  engineLineageShapes: number;
  start(): Promise<void>;
  stop(): Promise<void>;
  connection(): { settings: Record<string, unknown>; credentials: Record<string, unknown> };
  /** An INSERT…SELECT or CTAS from A into B. */
  addWrite(id: string, at: Date): void;
  /** A SELECT of B carrying the Hex comment. */
  addHexRead(id: string, at: Date, text: string): void;
  /** Pages, chunks or partitions of history results the fake has served so far. */
  historyPages(): number;
  /** The window starts bound to the history statements the fake received, in order; null when none is sent. */
  windowStarts(): Date[] | null;
  throttleNextRequest(): void;
  /** What each throttled request asked for (its SQL or operation). */
  throttledRequests(): string[];
  /** What the first request of a history read looks like. */
  historyRequest: RegExp;
  expireCredential(): void;
  /** Credential values that must never be shown. */
  secrets(): string[];
}

const HEX_PROJECT_NAME = 'Revenue by region';
const hexComment = (project: string) =>
  `\n-- Hex query metadata: {"context": "SCHEDULED_RUN", "project_id": "${project}", "project_name": "${HEX_PROJECT_NAME}", "project_url": "https://app.hex.tech/acme/hex/${project}/draft/logic", "user_email": "ana@example.com"}`;

function bigQuery(): WarehouseAdapter {
  const project = 'analytics-prod';
  const email = 'catalog-reader@analytics-prod.iam.gserviceaccount.com';
  const keys = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  let fake: FakeBigQuery;
  const historyJobs = () =>
    fake.queries.filter((query) => query.sql.includes('JOBS_BY_PROJECT') && query.sql.includes('@until'));
  return {
    platform: 'bigquery',
    source: { database: project, schema: 'raw', name: 'orders' },
    target: { database: project, schema: 'marts', name: 'revenue' },
    targetInSql: `\`${project}.marts.revenue\``,
    writeLineageOrigin: 'engine',
    readLineageOrigin: 'engine',
    // The write (referenced → destination) and the Hex read (referenced tables).
    engineLineageShapes: 2,
    async start() {
      fake = new FakeBigQuery({ pageSize: 2, pollsBeforeResult: 1 });
      await fake.start();
      fake
        .serviceAccount(email, { publicKey: keys.publicKey })
        .table({
          project,
          dataset: 'raw',
          name: 'orders',
          columns: [
            { name: 'id', type: 'INT64' },
            { name: 'amount', type: 'NUMERIC' },
          ],
        })
        .table({ project, dataset: 'marts', name: 'revenue', columns: [{ name: 'total', type: 'NUMERIC' }] });
    },
    stop: () => fake.stop(),
    connection: () => ({
      settings: {
        projectId: project,
        regions: ['region-us'],
        baseUrl: `${fake.baseUrl}/bigquery/v2/`,
        pollIntervalMs: 5,
        maxPollIntervalMs: 20,
        pageSize: 2,
        jobWaitMs: 0,
      },
      credentials: {
        serviceAccountKey: JSON.stringify({
          type: 'service_account',
          project_id: project,
          private_key_id: 'key-1234',
          private_key: keys.privateKey,
          client_email: email,
          token_uri: fake.tokenUri,
        }),
      },
    }),
    addWrite(id, at) {
      fake.job({
        id,
        project,
        query: `INSERT INTO \`${project}.marts.revenue\` SELECT SUM(amount) AS total FROM \`${project}.raw.orders\``,
        creationTime: at,
        user: 'dbt@analytics-prod.iam.gserviceaccount.com',
        statementType: 'INSERT',
        referenced: [`${project}.raw.orders`],
        destination: `${project}.marts.revenue`,
      });
    },
    addHexRead(id, at, text) {
      fake.job({
        id,
        project,
        query: text,
        creationTime: at,
        user: 'hex@analytics-prod.iam.gserviceaccount.com',
        referenced: [`${project}.marts.revenue`],
      });
    },
    historyPages: () =>
      historyJobs().reduce(
        (pages, job) =>
          pages +
          1 +
          fake.upstream
            .requestsTo('GET', '/bigquery/v2/projects/:project/queries/:jobId')
            .filter((request) => request.params.jobId === job.jobId && request.query.pageToken !== undefined)
            .length,
        0,
      ),
    windowStarts: () => historyJobs().map((job) => new Date(String(job.parameters.since!.value))),
    throttleNextRequest() {
      fake.failNext(429, { method: 'POST', path: '/bigquery/v2/projects/:project/queries' });
    },
    throttledRequests: () =>
      fake.upstream.requests
        .filter((request) => request.faulted)
        .map((request) => String((request.body as { query?: string } | undefined)?.query)),
    historyRequest: /INFORMATION_SCHEMA\.JOBS_BY_PROJECT/,
    // A deleted key: the token endpoint refuses the signed assertion with invalid_grant.
    expireCredential() {
      fake.disableServiceAccount(email);
    },
    secrets: () => [keys.privateKey.split('\n')[1]!, 'PRIVATE KEY'],
  };
}

function databricks(): WarehouseAdapter {
  const token = 'dapi0123456789abcdef0123456789abcdef';
  const warehouseId = 'abcdef0123456789';
  let fake: FakeDatabricks;
  const historyStatements = () =>
    fake.statements.filter((statement) => /FROM system\.query\.history\b/.test(statement.sql));
  return {
    platform: 'databricks',
    source: { database: 'main', schema: 'raw', name: 'orders' },
    target: { database: 'main', schema: 'marts', name: 'revenue' },
    targetInSql: 'main.marts.revenue',
    writeLineageOrigin: 'engine',
    readLineageOrigin: 'engine',
    // The write and the Hex read both have rows in system.access.table_lineage.
    engineLineageShapes: 2,
    async start() {
      fake = new FakeDatabricks({ rowsPerChunk: 2, pollsBeforeResult: 1, warehouseId });
      await fake.start();
      fake
        .personalAccessToken(token, 'catalog-bot@example.com')
        .table({
          catalog: 'main',
          schema: 'raw',
          name: 'orders',
          columns: [
            { name: 'id', type: 'bigint' },
            { name: 'amount', type: 'decimal(10,2)' },
          ],
        })
        .table({
          catalog: 'main',
          schema: 'marts',
          name: 'revenue',
          columns: [{ name: 'total', type: 'decimal(12,2)' }],
        });
    },
    stop: () => fake.stop(),
    connection: () => ({
      settings: {
        host: 'dbc-a1b2c3d4-e5f6.cloud.databricks.com',
        warehouseId,
        baseUrl: fake.baseUrl,
        pollIntervalMs: 5,
        maxPollIntervalMs: 20,
        waitTimeoutSeconds: 0,
      },
      credentials: { type: 'personal-access-token', token },
    }),
    addWrite(id, at) {
      fake.query({
        id,
        text: 'CREATE OR REPLACE TABLE main.marts.revenue AS SELECT sum(amount) AS total FROM main.raw.orders',
        startTime: at,
        user: 'etl@example.com',
        statementType: 'CREATE_TABLE_AS_SELECT',
        lineage: { sources: ['main.raw.orders'], targets: ['main.marts.revenue'] },
      });
    },
    addHexRead(id, at, text) {
      fake.query({
        id,
        text,
        startTime: at,
        user: 'hex-service@example.com',
        clientApplication: 'Hex',
        lineage: { sources: ['main.marts.revenue'] },
      });
    },
    historyPages: () =>
      historyStatements().reduce(
        (chunks, statement) =>
          chunks +
          1 +
          fake.upstream
            .requestsTo('GET', '/api/2.0/sql/statements/:id/result/chunks/:index')
            .filter((request) => request.params.id === statement.id).length,
        0,
      ),
    windowStarts: () => historyStatements().map((statement) => new Date(statement.parameters.since!.value!)),
    throttleNextRequest() {
      fake.failNext(429, { method: 'POST', path: '/api/2.0/sql/statements' });
    },
    throttledRequests: () =>
      fake.upstream.requests
        .filter((request) => request.faulted)
        .map((request) => String((request.body as { statement?: string } | undefined)?.statement)),
    historyRequest: /FROM system\.query\.history\b/,
    expireCredential() {
      fake.expireToken(token);
    },
    secrets: () => [token],
  };
}

/** `2024-03-01 10:00:00.123000`, as Redshift timestamps are bound, back to a Date. */
function redshiftTime(text: string): Date {
  const match = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.(\d+))?$/.exec(text);
  if (!match) throw new Error(`not a Redshift timestamp: ${text}`);
  return new Date(`${match[1]}T${match[2]}.${(match[3] ?? '').padEnd(3, '0').slice(0, 3)}Z`);
}

function redshift(): WarehouseAdapter {
  const accessKeyId = 'AKIAFAKEREDSHIFT0001';
  const secretAccessKey = 'redshift+Secret/Access/Key/1234567890abcd';
  let fake: FakeRedshiftData;
  const historyStatements = () =>
    fake.statements.filter((statement) => /\bsys_query_history\b/.test(statement.sql));
  return {
    platform: 'redshift',
    source: { database: 'dev', schema: 'raw', name: 'orders' },
    target: { database: 'dev', schema: 'marts', name: 'revenue' },
    targetInSql: 'marts.revenue',
    // SYS_QUERY_HISTORY has no table lineage: the statement text is parsed.
    writeLineageOrigin: 'parser',
    readLineageOrigin: 'parser',
    engineLineageShapes: 0,
    async start() {
      fake = new FakeRedshiftData({ credentials: [{ accessKeyId, secretAccessKey }], resultPageSize: 2 });
      fake.addTables(
        {
          database: 'dev',
          schema: 'raw',
          name: 'orders',
          columns: [
            { name: 'id', type: 'bigint' },
            { name: 'amount', type: 'numeric(10,2)' },
          ],
        },
        {
          database: 'dev',
          schema: 'marts',
          name: 'revenue',
          columns: [{ name: 'total', type: 'numeric(12,2)' }],
        },
      );
      await fake.start();
    },
    stop: () => fake.stop(),
    connection: () => ({
      settings: {
        region: 'us-east-1',
        clusterIdentifier: 'analytics',
        database: 'dev',
        dbUser: 'awsuser',
        endpoint: fake.endpoint,
        maxAttempts: 3,
        pollIntervalMs: 2,
        maxPollIntervalMs: 10,
        historyPageSize: 2,
      },
      credentials: { accessKeyId, secretAccessKey },
    }),
    addWrite(_id, at) {
      fake.addQueries({
        text: 'INSERT INTO marts.revenue SELECT sum(amount) AS total FROM raw.orders',
        startTime: at,
        queryType: 'INSERT',
        database: 'dev',
      });
    },
    addHexRead(_id, at, text) {
      fake.addQueries({ text, startTime: at, database: 'dev' });
    },
    // Keyset pages of historyPageSize rows, one statement each.
    historyPages: () => historyStatements().length,
    windowStarts: () => historyStatements().map((statement) => redshiftTime(statement.parameters.since!)),
    throttleNextRequest() {
      fake.service.throttleNext(1, 'ExecuteStatement');
    },
    throttledRequests: () =>
      fake.service.calls.filter((call) => call.faulted).map((call) => String(call.input.Sql)),
    // A history read starts with the user names (SYS_QUERY_HISTORY has only ids), so that statement is the one
    // throttled; the fake scripts faults per API operation and cannot pick the SYS_QUERY_HISTORY statement.
    historyRequest: /\bpg_user\b/,
    expireCredential() {
      fake.service.expireCredentials(accessKeyId);
    },
    secrets: () => [secretAccessKey],
  };
}

function clickHouse(): WarehouseAdapter {
  const password = 'ch-Password-1234567890';
  const rotatedPassword = 'ch-Rotated-0987654321';
  const users: FakeClickHouseUser[] = [{ name: 'catalog', password }];
  let fake: FakeClickHouse;
  const historyRequests = () => fake.received.filter((request) => /\bsystem\.query_log\b/.test(request.sql));
  return {
    platform: 'clickhouse',
    source: { database: 'analytics', schema: 'analytics', name: 'orders' },
    target: { database: 'analytics', schema: 'analytics', name: 'revenue' },
    targetInSql: 'analytics.revenue',
    // query_log lists the tables a query touched without saying which one it wrote, so an INSERT…SELECT
    // touching two tables is parsed; the Hex SELECT gets its sources from the engine.
    writeLineageOrigin: 'parser',
    readLineageOrigin: 'engine',
    engineLineageShapes: 1,
    async start() {
      fake = new FakeClickHouse({ users });
      fake.addTables(
        {
          database: 'analytics',
          name: 'orders',
          columns: [
            { name: 'id', type: 'UInt64' },
            { name: 'amount', type: 'Decimal(10, 2)' },
          ],
        },
        { database: 'analytics', name: 'revenue', columns: [{ name: 'total', type: 'Decimal(12, 2)' }] },
      );
      await fake.start();
    },
    stop: () => fake.stop(),
    connection: () => ({
      settings: {
        host: 'ch.example.com',
        secure: false,
        user: 'catalog',
        endpoint: fake.baseUrl,
        maxAttempts: 3,
        retryBaseDelayMs: 5,
        historyPageSize: 2,
      },
      credentials: { password },
    }),
    addWrite(id, at) {
      fake.addQueries({
        queryId: id,
        query: 'INSERT INTO analytics.revenue SELECT sum(amount) AS total FROM analytics.orders',
        startTime: at,
        user: 'dbt',
        currentDatabase: 'analytics',
        queryKind: 'Insert',
        tables: ['analytics.orders', 'analytics.revenue'],
        writtenRows: 1,
      });
    },
    addHexRead(id, at, text) {
      fake.addQueries({
        queryId: id,
        query: text,
        startTime: at,
        user: 'hex',
        currentDatabase: 'analytics',
        queryKind: 'Select',
        tables: ['analytics.revenue'],
        resultRows: 1,
      });
    },
    // Keyset pages of historyPageSize rows, one query each.
    historyPages: () => historyRequests().length,
    windowStarts: () =>
      historyRequests().map((request) => new Date(Number(BigInt(request.parameters.since_us!) / 1000n))),
    throttleNextRequest() {
      fake.failNext(1, 429);
    },
    throttledRequests: () =>
      fake.upstream.requests
        .filter((request) => request.faulted)
        .map((request) => request.rawBody.toString()),
    historyRequest: /\bsystem\.query_log\b/,
    // The fake has no way to expire a password; changing the user's password on the server is what a rotated
    // secret looks like to the connection (ClickHouse answers 516 AUTHENTICATION_FAILED).
    expireCredential() {
      users[0]!.password = rotatedPassword;
    },
    secrets: () => [password, rotatedPassword],
  };
}

function athena(): WarehouseAdapter {
  const accessKeyId = 'AKIAFAKEATHENA000001';
  const secretAccessKey = 'athena/Secret+Access/Key/0987654321zyxw';
  let fake: FakeAthena;
  const listCalls = () => fake.service.callsTo('ListQueryExecutions').filter((call) => !call.faulted);
  return {
    platform: 'athena',
    source: { database: 'AwsDataCatalog', schema: 'raw', name: 'orders' },
    target: { database: 'AwsDataCatalog', schema: 'marts', name: 'revenue' },
    targetInSql: 'marts.revenue',
    // Query executions carry no lineage: the statement text is parsed.
    writeLineageOrigin: 'parser',
    readLineageOrigin: 'parser',
    engineLineageShapes: 0,
    async start() {
      fake = new FakeAthena({ credentials: [{ accessKeyId, secretAccessKey }], pageSize: 2 });
      fake.addDatabases(
        {
          name: 'raw',
          tables: [
            {
              name: 'orders',
              columns: [
                { name: 'id', type: 'bigint' },
                { name: 'amount', type: 'decimal(10,2)' },
              ],
            },
          ],
        },
        { name: 'marts', tables: [{ name: 'revenue', columns: [{ name: 'total', type: 'decimal(12,2)' }] }] },
      );
      await fake.start();
    },
    stop: () => fake.stop(),
    connection: () => ({
      settings: { region: 'us-east-1', endpoint: fake.endpoint, maxAttempts: 3 },
      credentials: { accessKeyId, secretAccessKey },
    }),
    addWrite(id, at) {
      fake.addQueryExecutions({
        id,
        query: 'CREATE TABLE marts.revenue AS SELECT sum(amount) AS total FROM raw.orders',
        submittedAt: at,
        statementType: 'DDL',
        substatementType: 'CREATE_TABLE_AS_SELECT',
        database: 'raw',
      });
    },
    addHexRead(id, at, text) {
      fake.addQueryExecutions({
        id,
        query: text,
        submittedAt: at,
        substatementType: 'SELECT',
        database: 'marts',
      });
    },
    // ListQueryExecutions pages, newest first.
    historyPages: () => listCalls().length,
    // ListQueryExecutions takes no time range: the connector pages back until it passes the window start and
    // drops older executions itself, so the start shows only in which rows come back.
    windowStarts: () => null,
    throttleNextRequest() {
      fake.service.throttleNext(1, 'ListQueryExecutions');
    },
    throttledRequests: () => fake.service.calls.filter((call) => call.faulted).map((call) => call.operation),
    historyRequest: /^ListQueryExecutions$/,
    expireCredential() {
      fake.service.expireCredentials(accessKeyId);
    },
    secrets: () => [secretAccessKey],
  };
}

const entity = (fields: string) =>
  `query($id: ID!) { _entities(representations: [{ __typename: "Dataset", id: $id }]) { ... on Dataset { ${fields} } } }`;
const HISTORY_LOOKBACK_HOURS = 48;
const HISTORY_OVERLAP_MINUTES = 30;
/** Whole seconds, so every fake's timestamp format carries the instant exactly. */
const minutesBefore = (base: number, minutes: number) => new Date(base - minutes * 60_000);
const wholeSecondNow = () => Math.floor(Date.now() / 1000) * 1000;

let app: WarehouseTestApp;

beforeAll(async () => {
  app = await startWarehouse({ WAREHOUSE_HISTORY_BATCH_SIZE: '100' });
}, 60_000);

afterAll(async () => {
  await app?.close();
});

describe.each([bigQuery(), databricks(), redshift(), clickHouse(), athena()])(
  '$platform sync through the worker',
  (adapter) => {
    const hexProject = `hex-${adapter.platform}-4f1c`;
    const hexRead = `SELECT total FROM ${adapter.targetInSql} WHERE total > 10${hexComment(hexProject)}`;
    let connectionId: string;
    let instance: string;
    let firstWatermark: string;
    let source: string;
    let target: string;

    const idOf = (table: TableName) => datasetId({ platform: adapter.platform, instance, ...table });

    beforeAll(async () => {
      await adapter.start();
      const { settings, credentials } = adapter.connection();
      const { body } = await app.graphql(
        `mutation($input: CreateWarehouseConnectionInput!) { createWarehouseConnection(input: $input) { id instance credentialHints } }`,
        {
          input: {
            name: `${adapter.platform} warehouse`,
            platform: adapter.platform,
            settings,
            credentials,
            historyLookbackHours: HISTORY_LOOKBACK_HOURS,
            historyOverlapMinutes: HISTORY_OVERLAP_MINUTES,
          },
        },
      );
      expect(body.errors).toBeUndefined();
      connectionId = body.data.createWarehouseConnection.id;
      instance = body.data.createWarehouseConnection.instance;
      for (const secret of adapter.secrets()) expect(JSON.stringify(body.data)).not.toContain(secret);
      source = idOf(adapter.source);
      target = idOf(adapter.target);
    }, 30_000);

    afterAll(async () => {
      await adapter.stop();
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

    async function setCrawl(enabled: boolean): Promise<void> {
      const { body } = await app.graphql(
        `mutation($id: ID!, $input: UpdateWarehouseConnectionInput!) { updateWarehouseConnection(id: $id, input: $input) { crawlEnabled } }`,
        { id: connectionId, input: { crawlEnabled: enabled } },
      );
      expect(body.errors).toBeUndefined();
      expect(body.data.updateWarehouseConnection.crawlEnabled).toBe(enabled);
    }

    async function dataset(id: string, fields: string): Promise<any> {
      const { body } = await app.graphql(entity(fields), { id });
      expect(body.errors).toBeUndefined();
      return body.data._entities[0];
    }

    it('crawls both tables, reads history across pages, and links A → B and B → the Hex project', async () => {
      const base = wholeSecondNow();
      adapter.addWrite('q-write', minutesBefore(base, 90));
      adapter.addHexRead('q-hex-1', minutesBefore(base, 40), hexRead);
      adapter.addHexRead('q-hex-2', minutesBefore(base, 25), hexRead);

      const run = await sync();
      expect(run.error).toBeNull();
      expect(run.state).toBe('succeeded');
      expect(run.problems).toEqual([]);
      expect(run.counts).toMatchObject({
        tables: 2,
        datasetsUpserted: 2,
        historyRows: 3,
        // The write, and the two Hex runs of one cell as one shape.
        queries: 2,
        newQueries: 2,
        parsed: 2,
        edgesAdded: 1,
      });
      expect(run.counts.engineLineage ?? 0).toBe(adapter.engineLineageShapes);
      // Three rows in pages of two.
      expect(adapter.historyPages()).toBeGreaterThanOrEqual(2);
      firstWatermark = run.watermark;
      expect(firstWatermark).toBe(minutesBefore(base, 25).toISOString());

      // The crawled ids are the ids the history names: A's columns come from the crawl.
      const a = await dataset(source, 'columns { name } downstream { dataset { id } }');
      expect(a.columns.map((column: any) => column.name)).toEqual(['id', 'amount']);
      expect(a.downstream).toEqual([{ dataset: { id: target } }]);

      const b = await dataset(
        target,
        `columns { name } upstream { dataset { id } }
         consumers { tool projectId projectName executions users hexProject { id } }
         queries(first: 10) { edges { node { role executions lineageOrigin attribution { tool projectId context } } } }`,
      );
      expect(b.columns).toEqual([{ name: 'total' }]);
      expect(b.upstream).toEqual([{ dataset: { id: source } }]);
      expect(b.consumers).toEqual([
        {
          tool: 'hex',
          projectId: hexProject,
          projectName: HEX_PROJECT_NAME,
          executions: 2,
          users: ['ana@example.com'],
          hexProject: { id: hexProject },
        },
      ]);
      expect(b.queries.edges.map((edge: any) => edge.node)).toEqual(
        expect.arrayContaining([
          { role: 'TARGET', executions: 1, lineageOrigin: adapter.writeLineageOrigin, attribution: null },
          {
            role: 'SOURCE',
            executions: 2,
            lineageOrigin: adapter.readLineageOrigin,
            attribution: { tool: 'hex', projectId: hexProject, context: 'SCHEDULED_RUN' },
          },
        ]),
      );
    }, 30_000);

    it('after a throttled history request, a second sync starts from the watermark and counts the overlap once', async () => {
      // Without the crawl the first request of the sync is a history request, which is the one throttled.
      await setCrawl(false);
      const newest = minutesBefore(wholeSecondNow(), 5);
      adapter.addHexRead('q-hex-3', newest, hexRead);
      const startsBefore = adapter.windowStarts()?.length ?? 0;
      adapter.throttleNextRequest();

      const run = await sync();
      expect(run.error).toBeNull();
      expect(run.state).toBe('succeeded');
      expect(run.lastError).toBeNull();
      const throttled = adapter.throttledRequests();
      expect(throttled).toHaveLength(1);
      expect(throttled[0]).toMatch(adapter.historyRequest);

      const expectedStart = new Date(Date.parse(firstWatermark) - HISTORY_OVERLAP_MINUTES * 60_000);
      const starts = adapter.windowStarts();
      // Every history statement of this sync bound the window start (Athena binds none: see its adapter).
      if (starts) {
        expect(starts.length).toBeGreaterThan(startsBefore);
        for (const start of starts.slice(startsBefore))
          expect(start.toISOString()).toBe(expectedStart.toISOString());
      }
      // The window [watermark − overlap, now) holds both Hex runs of the first sync again and the new one, and
      // not the write 90 minutes back: only the new row counts.
      expect(run.counts).toMatchObject({ historyRows: 3, duplicateRows: 2, queries: 1 });
      // The new run is of a shape seen before: counted, not parsed again.
      expect(run.counts.newQueries ?? 0).toBe(0);
      expect(run.watermark).toBe(newest.toISOString());

      const b = await dataset(target, 'upstream { dataset { id } } consumers { executions }');
      expect(b.consumers).toEqual([{ executions: 3 }]);
      expect(b.upstream).toEqual([{ dataset: { id: source } }]);
    }, 30_000);

    it('a credential that stops working fails the sync as UPSTREAM_AUTH_FAILED and keeps the lineage', async () => {
      // With the crawl back on, the refusal comes from the crawl: it must keep the tables found before too.
      await setCrawl(true);
      adapter.expireCredential();

      const run = await sync();
      expect(run.state).toBe('failed');
      expect(run.error.code).toBe('UPSTREAM_AUTH_FAILED');
      expect(run.lastError).toEqual(run.error);
      for (const secret of adapter.secrets()) {
        expect(run.error.message).not.toContain(secret);
        expect(JSON.stringify(run.problems)).not.toContain(secret);
      }

      const b = await dataset(
        target,
        'columns { name } upstream { dataset { id } } consumers { executions }',
      );
      expect(b.upstream).toEqual([{ dataset: { id: source } }]);
      expect(b.columns).toEqual([{ name: 'total' }]);
      expect(b.consumers).toEqual([{ executions: 3 }]);
      const a = await dataset(source, 'downstream { dataset { id } }');
      expect(a.downstream).toEqual([{ dataset: { id: target } }]);
    }, 30_000);
  },
);
