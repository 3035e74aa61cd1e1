import { datasetId } from '@cartograph/catalog-model';
import { buildCatalog, buildManifest, buildRunResults } from '@cartograph/dbt/testing';
import { FakeDbtCloud, TestStack, eventually } from '@cartograph/platform/testing';

const TOKEN = 'dbtc_0123456789abcdefghijklmnop';
const orders = datasetId({
  platform: 'snowflake',
  database: 'analytics',
  schema: 'dbt_prod',
  name: 'orders',
});
const manifest = buildManifest(12, { adapterType: 'snowflake' });
const build = buildRunResults(6, {
  adapterType: 'snowflake',
  which: 'build',
  invocationId: '11111111-1111-4111-8111-111111111111',
  failingTest: { name: 'not_null_orders_order_id', failures: 4 },
});

describe('dbt Cloud sync through the gateway', () => {
  const cloud = new FakeDbtCloud();
  let stack: TestStack;
  let connectionId: string;

  beforeAll(async () => {
    const baseUrl = await cloud.start();
    cloud
      .account({
        id: 4242,
        name: 'Acme',
        tokens: { [TOKEN]: { projects: 'all' }, dbtc_viewer_only: { projects: 'all', adminApi: false } },
      })
      .project({ id: 1, name: 'Analytics', connectionType: 'snowflake', docsJobId: 11 })
      .environment({ id: 5, projectId: 1, name: 'Production', deploymentType: 'production' })
      .job({
        id: 11,
        projectId: 1,
        environmentId: 5,
        name: 'Nightly build',
        generateDocs: true,
        executeSteps: ['dbt build'],
      })
      .run({
        id: 70001,
        jobId: 11,
        status: 10,
        createdAt: '2026-11-20 03:00:00.000000+00:00',
        startedAt: '2026-11-20 03:00:10.000000+00:00',
        finishedAt: '2026-11-20 03:04:40.000000+00:00',
        gitSha: 'abc123',
        hasDocsGenerated: true,
        steps: [
          {
            name: 'Invoke dbt with `dbt build`',
            artifacts: { 'manifest.json': manifest, 'run_results.json': build },
          },
        ],
        docsArtifacts: { 'catalog.json': buildCatalog({ adapterType: 'snowflake', upperCase: true }) },
      });
    cloud.discovery.environmentModels(5, [
      {
        uniqueId: 'model.jaffle_shop.orders',
        name: 'orders',
        database: 'analytics',
        schema: 'dbt_prod',
        alias: 'orders',
        executionInfo: {
          lastRunStatus: 'success',
          lastRunId: 70001,
          lastSuccessRunId: 70001,
          lastJobDefinitionId: 11,
          executeCompletedAt: '2026-11-20T03:04:00Z',
          runElapsedTime: 12.5,
        },
      },
    ]);
    stack = await TestStack.start({ project: 'dbt-cloud', services: ['dbt-artifacts', 'dbt-cloud'] });
    const created = await stack.graphql(
      `mutation($input: CreateDbtCloudConnectionInput!) { createDbtCloudConnection(input: $input) { id tokenHint } }`,
      { input: { name: 'acme', accountId: '4242', accessUrl: baseUrl, token: TOKEN } },
    );
    expect(created.body.errors).toBeUndefined();
    connectionId = created.body.data.createDbtCloudConnection.id;
    expect(created.body.data.createDbtCloudConnection.tokenHint).toBe('…mnop');
  }, 90_000);

  afterAll(async () => {
    await stack?.stop();
    await cloud.stop();
  });

  async function syncOnce(): Promise<any> {
    const started = await stack.graphql(
      `mutation($id: ID!) { syncDbtCloudConnection(id: $id) { id state } }`,
      { id: connectionId },
    );
    expect(started.body.errors).toBeUndefined();
    const runId = started.body.data.syncDbtCloudConnection.id;
    return eventually(async () => {
      const { body } = await stack.graphql(
        `query($id: ID!) { dbtCloudConnection(id: $id) { syncRuns(first: 5) { edges { node { id state counts error { code message } problems } } } } }`,
        { id: connectionId },
      );
      const run = body.data?.dbtCloudConnection?.syncRuns.edges
        .map((edge: any) => edge.node)
        .find((node: any) => node.id === runId);
      return run && ['succeeded', 'failed'].includes(run.state) ? run : null;
    }, 60_000);
  }

  it('shows dbt fields from the downloaded artifacts (build-step outcomes) and dbtCloud.lastRun on the dataset', async () => {
    const run = await syncOnce();
    expect(run.error).toBeNull();
    expect(run.state).toBe('succeeded');
    expect(run.counts).toMatchObject({ projects: 1, jobs: 1, newRuns: 1 });

    const dataset = await eventually(async () => {
      const { body } = await stack.graphql(
        `query($id: ID!) { dataset(id: $id) { description
           dbt { description columns { name tests { name lastRun { status failures command } } } }
           dbtCloud { project { name } job { id name } health docsUrl
             lastRun { id jobId status durationSeconds url startedAt finishedAt } } } }`,
        { id: orders },
      );
      const value = body.data?.dataset;
      const tested = value?.dbt?.columns?.some((column: any) =>
        column.tests.some((test: any) => test.lastRun),
      );
      return value?.dbtCloud && tested ? value : null;
    }, 60_000);
    expect(dataset.dbt.description).toMatch(/Order overview/);
    const notNull = dataset.dbt.columns
      .flatMap((column: any) => column.tests)
      .find((test: any) => test.name === 'not_null_orders_order_id');
    // The build step's outcome, not the docs generate step's "success".
    expect(notNull.lastRun).toEqual({ status: 'fail', failures: 4, command: 'build' });
    expect(dataset.dbtCloud.lastRun).toMatchObject({
      id: '70001',
      jobId: '11',
      status: 'success',
      durationSeconds: 270,
    });
    expect(dataset.dbtCloud.lastRun.url).toMatch(/70001/);
    expect(dataset.dbtCloud.job).toEqual({ id: '11', name: 'Nightly build' });
    expect(dataset.dbtCloud.health).toBe('success');
  }, 120_000);

  it('a second sync without new runs downloads nothing and makes a handful of list calls', async () => {
    cloud.resetRequests();
    const run = await syncOnce();
    expect(run.state).toBe('succeeded');
    expect(run.counts.newRuns).toBe(0);
    expect(cloud.requestsTo('GET', /\/artifacts\//)).toHaveLength(0);
    expect(cloud.requests.length).toBeLessThanOrEqual(5);
  }, 90_000);

  it('never shows the token', async () => {
    const { body } = await stack.graphql(
      `query($id: ID!) { dbtCloudConnection(id: $id) { tokenHint accessUrl lastError { message } syncRuns { edges { node { error { message } problems } } } } }`,
      { id: connectionId },
    );
    expect(JSON.stringify(body)).not.toContain(TOKEN);
    expect(stack.logs.join('\n')).not.toContain(TOKEN);
  });
});
