import dns from 'node:dns';
import { FakeDbtCloud, eventually } from '@cartograph/platform/testing';
import { admin, editor, startDbtCloud, type DbtCloudTestApp } from './dbt-cloud-test-app.js';

// The errors a user sees when a dbt Cloud sync goes wrong (on testDbtCloudConnection, on the connection's
// lastError and on the sync run), and that what an earlier good sync stored stays.

const TOKEN = 'dbtc_sync_errors_0123456789abcdef';
const LEGACY_HOSTS = new Set(['cloud.getdbt.com', 'metadata.cloud.getdbt.com']);

interface Scenario {
  cloud: FakeDbtCloud;
  baseUrl: string;
  accountId: number;
}

let app: DbtCloudTestApp;
const fakes: FakeDbtCloud[] = [];
let nextAccount = 5000;
const originalLookup = dns.lookup;

beforeAll(async () => {
  // The worker's client builds its own undici Agent (no dispatcher can be injected through the app), so the
  // legacy host name is resolved to the fake here, for this process only.
  (dns as { lookup: unknown }).lookup = (hostname: string, options: unknown, callback?: unknown): void => {
    const done = (typeof options === 'function' ? options : callback) as (...args: unknown[]) => void;
    const opts = (typeof options === 'object' && options !== null ? options : {}) as { all?: boolean };
    if (LEGACY_HOSTS.has(hostname)) {
      process.nextTick(() =>
        opts.all ? done(null, [{ address: '127.0.0.1', family: 4 }]) : done(null, '127.0.0.1', 4),
      );
      return;
    }
    (originalLookup as (...args: unknown[]) => void)(hostname, options, callback);
  };
  app = await startDbtCloud({ DBT_CLOUD_RATE_LIMIT_COOLDOWN_SECONDS: '1' });
}, 60_000);

afterAll(async () => {
  await app?.close();
  await Promise.all(fakes.map((fake) => fake.stop()));
  (dns as { lookup: unknown }).lookup = originalLookup;
});

/** A fresh fake with one account, project, environment, job and a finished run without artifacts. */
async function scenario(
  options: { runs?: Parameters<FakeDbtCloud['run']>[0][]; extraTokens?: Record<string, object> } = {},
): Promise<Scenario> {
  const cloud = new FakeDbtCloud();
  fakes.push(cloud);
  const baseUrl = await cloud.start();
  const accountId = nextAccount++;
  account(cloud, accountId);
  cloud
    .project({ id: 1, name: 'Analytics', connectionType: 'snowflake' })
    .environment({ id: 5, projectId: 1, name: 'Production', deploymentType: 'production' })
    .job({
      id: 11,
      projectId: 1,
      environmentId: 5,
      name: 'Nightly build',
      generateDocs: false,
      executeSteps: ['dbt build'],
    });
  for (const run of options.runs ?? [
    {
      id: 70001,
      jobId: 11,
      status: 10 as const,
      createdAt: '2026-11-20 03:00:00.000000+00:00',
      startedAt: '2026-11-20 03:00:10.000000+00:00',
      finishedAt: '2026-11-20 03:04:40.000000+00:00',
      hasDocsGenerated: false,
      steps: [{ name: 'Invoke dbt with `dbt build`' }],
    },
  ]) {
    cloud.run(run);
  }
  cloud.discovery.environmentModels(5, []);
  return { cloud, baseUrl, accountId };
}

function account(
  cloud: FakeDbtCloud,
  id: number,
  tokens: Record<string, { projects: 'all'; adminApi?: boolean }> = { [TOKEN]: { projects: 'all' } },
  cellBased = false,
): void {
  cloud.account({ id, name: `Acme ${id}`, tokens, cellBased });
}

async function gql(query: string, variables: object, identity = admin): Promise<any> {
  const { body } = await app.graphql(query, variables, identity);
  expect(body.errors).toBeUndefined();
  return body.data;
}

async function createConnection(
  name: string,
  accountId: number,
  accessUrl: string,
  token = TOKEN,
): Promise<string> {
  const data = await gql(
    `mutation($input: CreateDbtCloudConnectionInput!) { createDbtCloudConnection(input: $input) { id } }`,
    { input: { name, accountId: String(accountId), accessUrl, token } },
  );
  return data.createDbtCloudConnection.id;
}

async function startSync(connectionId: string): Promise<string> {
  const data = await gql(
    `mutation($id: ID!) { syncDbtCloudConnection(id: $id) { id } }`,
    { id: connectionId },
    editor,
  );
  return data.syncDbtCloudConnection.id;
}

async function waitForRun(
  connectionId: string,
  runId: string,
  done: (run: any) => boolean = (run) => ['succeeded', 'failed'].includes(run.state),
): Promise<any> {
  return eventually(async () => {
    const { body } = await app.graphql(
      `query($id: ID!) { dbtCloudConnection(id: $id) { syncRuns(first: 20) { edges { node {
         id state error { code message } problems counts } } } } }`,
      { id: connectionId },
    );
    const run = body.data?.dbtCloudConnection?.syncRuns.edges
      .map((edge: any) => edge.node)
      .find((node: any) => node.id === runId);
    return run && done(run) ? run : null;
  }, 30_000);
}

async function syncOnce(connectionId: string): Promise<any> {
  return waitForRun(connectionId, await startSync(connectionId));
}

async function stored(connectionId: string): Promise<any> {
  const data = await gql(
    `query($id: ID!) { dbtCloudConnection(id: $id) {
       projects { name } runs { totalCount edges { node { id status statusMessage artifactSetIds } } }
       lastError { code message } } }`,
    { id: connectionId },
  );
  return data.dbtCloudConnection;
}

async function testConnection(connectionId: string): Promise<any> {
  const data = await gql(
    `mutation($id: ID!) { testDbtCloudConnection(id: $id) { ok error { code message } accountName } }`,
    { id: connectionId },
  );
  return data.testDbtCloudConnection;
}

/** A first good sync; returns what it stored. */
async function goodSync(connectionId: string): Promise<any> {
  const run = await syncOnce(connectionId);
  expect(run).toMatchObject({ state: 'succeeded', error: null });
  expect(run.counts).toMatchObject({ projects: 1, jobs: 1, newRuns: 1 });
  const before = await stored(connectionId);
  expect(before.projects).toEqual([{ name: 'Analytics' }]);
  expect(before.runs.totalCount).toBe(1);
  return before;
}

function unchanged(before: any, after: any): void {
  expect(after.projects).toEqual(before.projects);
  expect(after.runs.totalCount).toBe(before.runs.totalCount);
  expect(after.runs.edges).toEqual(before.runs.edges);
}

describe('dbt Cloud sync errors, as the user sees them', () => {
  it('an invalid token (401): UPSTREAM_AUTH_FAILED mentioning the token, never showing it; data stays', async () => {
    const { cloud, baseUrl, accountId } = await scenario();
    const connectionId = await createConnection('invalid-token', accountId, baseUrl);
    const before = await goodSync(connectionId);

    // The token is revoked in dbt Cloud.
    account(cloud, accountId, {});
    const test = await testConnection(connectionId);
    expect(test.ok).toBe(false);
    expect(test.error.code).toBe('UPSTREAM_AUTH_FAILED');
    expect(test.error.message).toMatch(/token/i);

    const run = await syncOnce(connectionId);
    expect(run.state).toBe('failed');
    expect(run.error.code).toBe('UPSTREAM_AUTH_FAILED');
    expect(run.error.message).toMatch(/rejected the token/);
    expect(run.error.message).toMatch(/Invalid token\./);
    const after = await stored(connectionId);
    expect(after.lastError).toEqual(run.error);
    unchanged(before, after);
    // A token error fails at once: no retry of the 401.
    expect(cloud.requests.filter((request) => request.status === 401).length).toBeGreaterThan(0);
    expect(JSON.stringify({ test, run, after })).not.toContain(TOKEN);
    expect(JSON.stringify({ test, run, after })).not.toContain(TOKEN.slice(5));
  }, 60_000);

  it('a token without the Job Viewer permission (403): FORBIDDEN naming Job Viewer; data stays', async () => {
    const { cloud, baseUrl, accountId } = await scenario();
    const connectionId = await createConnection('forbidden', accountId, baseUrl);
    const before = await goodSync(connectionId);

    // The token becomes a "Metadata Only" token.
    account(cloud, accountId, { [TOKEN]: { projects: 'all', adminApi: false } });
    const test = await testConnection(connectionId);
    expect(test.ok).toBe(false);
    expect(test.error.code).toBe('FORBIDDEN');
    expect(test.error.message).toMatch(/Job Viewer/);

    const run = await syncOnce(connectionId);
    expect(run.state).toBe('failed');
    expect(run.error.code).toBe('FORBIDDEN');
    expect(run.error.message).toMatch(/Job Viewer/);
    expect(run.error.message).not.toContain(TOKEN);
    const after = await stored(connectionId);
    expect(after.lastError).toEqual(run.error);
    unchanged(before, after);
  }, 60_000);

  it('a cell-based account reached through the legacy host: use the account access URL; data stays', async () => {
    const { cloud, accountId } = await scenario();
    const port = new URL(cloud.baseUrl).port;
    const connectionId = await createConnection('legacy-host', accountId, `http://cloud.getdbt.com:${port}`);
    const before = await goodSync(connectionId);
    expect(cloud.requests[0]!.host).toBe(`cloud.getdbt.com:${port}`);

    // The account moves to a cell: its tokens now get `401 Invalid token.` on the legacy host.
    account(cloud, accountId, { [TOKEN]: { projects: 'all' } }, true);
    const test = await testConnection(connectionId);
    expect(test.ok).toBe(false);
    expect(test.error.code).toBe('UPSTREAM_AUTH_FAILED');
    expect(test.error.message).toMatch(/use its access URL \(https:\/\/ACCOUNT_PREFIX\.<region>\.dbt\.com\)/);

    const run = await syncOnce(connectionId);
    expect(run.state).toBe('failed');
    expect(run.error.code).toBe('UPSTREAM_AUTH_FAILED');
    expect(run.error.message).toMatch(/If your account is cell-based, use its access URL/);
    expect(run.error.message).toContain('cloud.getdbt.com');
    expect(run.error.message).not.toContain(TOKEN);
    const after = await stored(connectionId);
    expect(after.lastError).toEqual(run.error);
    unchanged(before, after);
  }, 60_000);

  it('no jobs in the project: NOT_FOUND "No jobs found for this project" naming "Generate docs on run"; data stays', async () => {
    const { baseUrl, accountId } = await scenario();
    const connectionId = await createConnection('no-jobs', accountId, baseUrl);
    const before = await goodSync(connectionId);

    // The job filter now matches no job of the project.
    await gql(
      `mutation($id: ID!, $input: UpdateDbtCloudConnectionInput!) { updateDbtCloudConnection(id: $id, input: $input) { id } }`,
      { id: connectionId, input: { jobIds: ['999'] } },
    );
    const run = await syncOnce(connectionId);
    expect(run.state).toBe('failed');
    expect(run.error.code).toBe('NOT_FOUND');
    expect(run.error.message).toMatch(/^No jobs found for this project/);
    expect(run.error.message).toContain('"Generate docs on run"');
    const after = await stored(connectionId);
    expect(after.lastError).toEqual(run.error);
    unchanged(before, after);
  }, 60_000);

  it('a job that never succeeded: the sync succeeds, no artifact sets, the runs show status error', async () => {
    const { baseUrl, accountId } = await scenario({
      runs: [70011, 70012].map((id, index) => ({
        id,
        jobId: 11,
        status: 20 as const,
        statusMessage: 'Database Error in model orders',
        createdAt: `2026-11-2${index} 03:00:00.000000+00:00`,
        startedAt: `2026-11-2${index} 03:00:10.000000+00:00`,
        finishedAt: `2026-11-2${index} 03:01:10.000000+00:00`,
        hasDocsGenerated: false,
        steps: [{ name: 'Invoke dbt with `dbt build`' }],
      })),
    });
    const connectionId = await createConnection('never-succeeded', accountId, baseUrl);
    const run = await syncOnce(connectionId);
    expect(run).toMatchObject({ state: 'succeeded', error: null, problems: [] });
    expect(run.counts).toMatchObject({ projects: 1, jobs: 1, runs: 2, newRuns: 2 });
    expect(run.counts.artifactSets ?? 0).toBe(0);
    const after = await stored(connectionId);
    expect(after.lastError).toBeNull();
    expect(after.runs.totalCount).toBe(2);
    expect(after.runs.edges.map((edge: any) => edge.node)).toEqual(
      expect.arrayContaining([
        {
          id: '70011',
          status: 'error',
          statusMessage: 'Database Error in model orders',
          artifactSetIds: [],
        },
        {
          id: '70012',
          status: 'error',
          statusMessage: 'Database Error in model orders',
          artifactSetIds: [],
        },
      ]),
    );
  }, 60_000);

  it('an artifact listed but missing (404): the sync succeeds with a problem on the run', async () => {
    const { cloud, baseUrl, accountId } = await scenario({
      runs: [
        {
          id: 70021,
          jobId: 11,
          status: 10,
          createdAt: '2026-11-20 03:00:00.000000+00:00',
          startedAt: '2026-11-20 03:00:10.000000+00:00',
          finishedAt: '2026-11-20 03:04:40.000000+00:00',
          hasDocsGenerated: false,
          steps: [
            { name: 'Invoke dbt with `dbt build`', artifacts: { 'run_results.json': { results: [] } } },
          ],
        },
      ],
    });
    cloud.fail({ path: /\/runs\/70021\/artifacts\/run_results\.json$/, status: 404, times: Infinity });
    const connectionId = await createConnection('artifact-404', accountId, baseUrl);
    const run = await syncOnce(connectionId);
    expect(run).toMatchObject({ state: 'succeeded', error: null });
    // Setup steps 1-3 (clone, profile, deps), then the build at step 4.
    expect(run.problems).toEqual([
      { subject: 'run 70021 step 4', message: 'run_results.json is listed but missing (404)' },
    ]);
    expect(run.counts.artifactSets ?? 0).toBe(0);
    const after = await stored(connectionId);
    expect(after.lastError).toBeNull();
    expect(after.runs.edges.map((edge: any) => edge.node)).toEqual([
      { id: '70021', status: 'success', statusMessage: null, artifactSetIds: [] },
    ]);
  }, 60_000);

  it('a run that kept no artifacts (data: null) but reports docs: the sync succeeds with a problem on the run', async () => {
    const { baseUrl, accountId } = await scenario({
      runs: [
        {
          id: 70031,
          jobId: 11,
          status: 10,
          createdAt: '2026-11-20 03:00:00.000000+00:00',
          startedAt: '2026-11-20 03:00:10.000000+00:00',
          finishedAt: '2026-11-20 03:04:40.000000+00:00',
          hasDocsGenerated: true,
          artifactsSaved: false,
          steps: [
            { name: 'Invoke dbt with `dbt build`', artifacts: { 'run_results.json': { results: [] } } },
          ],
        },
      ],
    });
    const connectionId = await createConnection('artifacts-null', accountId, baseUrl);
    const run = await syncOnce(connectionId);
    expect(run).toMatchObject({ state: 'succeeded', error: null });
    expect(run.problems).toEqual([
      {
        subject: 'run 70031',
        message: 'the run reports docs generated, but dbt Cloud lists no artifacts for it',
      },
    ]);
    expect(run.counts.downloads ?? 0).toBe(0);
    const after = await stored(connectionId);
    expect(after.runs.edges.map((edge: any) => edge.node.artifactSetIds)).toEqual([[]]);
  }, 60_000);

  it('rate limiting (one 429): the sync waits the cooldown and succeeds; the fake saw exactly one 429', async () => {
    const { cloud, baseUrl, accountId } = await scenario();
    cloud.cooldown429(500);
    const connectionId = await createConnection('rate-limited', accountId, baseUrl);
    cloud.fail({ status: 429, times: 1 });
    const run = await syncOnce(connectionId);
    expect(run).toMatchObject({ state: 'succeeded', error: null, problems: [] });
    expect(run.counts).toMatchObject({ projects: 1, jobs: 1, newRuns: 1 });
    expect(cloud.requests.filter((request) => request.status === 429)).toHaveLength(1);
    expect((await stored(connectionId)).lastError).toBeNull();
  }, 60_000);

  it('a short outage (two 503s): retried inside the client, the sync succeeds', async () => {
    const { cloud, baseUrl, accountId } = await scenario();
    const connectionId = await createConnection('short-outage', accountId, baseUrl);
    cloud.fail({ status: 503, times: 2 });
    const run = await syncOnce(connectionId);
    expect(run).toMatchObject({ state: 'succeeded', error: null, problems: [] });
    expect(run.counts).toMatchObject({ projects: 1, jobs: 1, newRuns: 1 });
    expect(cloud.requests.filter((request) => request.status === 503)).toHaveLength(2);
    // The retries are counted as requests.
    expect(run.counts.requests).toBe(cloud.requests.length);
  }, 60_000);

  it('a lasting outage: UPSTREAM_UNAVAILABLE shown while the sync waits for its next attempt; data stays', async () => {
    const { cloud, baseUrl, accountId } = await scenario();
    const connectionId = await createConnection('long-outage', accountId, baseUrl);
    const before = await goodSync(connectionId);

    cloud.fail({ path: /\/runs\/$/, status: 503, times: Infinity });
    const runId = await startSync(connectionId);
    // After the client's attempts, the job is queued again (BullMQ backoff) with the error shown meanwhile.
    const run = await waitForRun(connectionId, runId, (node) => node.error !== null);
    expect(['queued', 'failed']).toContain(run.state);
    expect(run.error.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(run.error.message).toMatch(/^dbt Cloud is unavailable: .*Try again later$/);
    expect(run.error.message).not.toContain(TOKEN);
    expect(cloud.requestsTo('GET', /\/runs\/$/).length).toBeGreaterThan(1);
    const after = await stored(connectionId);
    expect(after.lastError).toEqual(run.error);
    unchanged(before, after);
    // Stop the later attempts: a deleted connection's sync is skipped.
    await gql(`mutation($id: ID!) { deleteDbtCloudConnection(id: $id) }`, { id: connectionId });
  }, 60_000);
});
