import type { Readable } from 'node:stream';
import { inspect } from 'node:util';
import { FakeDbtCloud } from '@cartograph/platform/testing';
import {
  createDbtCloudClient,
  DbtCloudError,
  type DbtCloudClient,
  type DbtCloudClientOptions,
  type DbtCloudConnection,
} from './dbt-cloud.client.js';

// The client against a real HTTP fake of dbt Cloud (libs/platform/testing): real sockets, timeouts, retries,
// rate limits and cooldowns, with the wire shapes of research/dbt.md §9/§11.

const TOKEN = 'dbtc_s3cr3t_service_token_0123456789';
const VIEWER = 'dbtc_viewer_token_abcdef';
const METADATA_ONLY = 'dbtc_metadata_only_987654';
const CELL = 'dbtc_cell_based_token_55555';

let cloud: FakeDbtCloud;
let baseUrl: string;
const clients: DbtCloudClient[] = [];
const errors: unknown[] = [];

function client(
  options: DbtCloudClientOptions = {},
  connection: Partial<DbtCloudConnection> = {},
): DbtCloudClient {
  const created = createDbtCloudClient(
    { accountId: 123, accessUrl: baseUrl, token: TOKEN, ...connection },
    { retry: { baseDelayMs: 5, maxDelayMs: 20 }, ...options },
  );
  clients.push(created);
  return created;
}

/** The error a promise rejects with, kept for the "no token in any error" check. */
async function failure(promise: Promise<unknown>): Promise<DbtCloudError> {
  try {
    await promise;
  } catch (error) {
    errors.push(error);
    expect(error).toBeInstanceOf(DbtCloudError);
    return error as DbtCloudError;
  }
  throw new Error('expected a failure');
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const result: T[] = [];
  for await (const item of items) result.push(item);
  return result;
}

async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const buildResults = {
  metadata: {
    dbt_schema_version: 'https://schemas.getdbt.com/dbt/run-results/v6.json',
    dbt_version: '1.11.2',
  },
  results: [
    { unique_id: 'model.shop.orders', status: 'success', message: 'SUCCESS 99' },
    { unique_id: 'test.shop.unique_orders_id', status: 'fail', message: 'Got 2 results' },
  ],
  elapsed_time: 41.2,
  args: { which: 'build' },
};

beforeEach(async () => {
  cloud = new FakeDbtCloud();
  baseUrl = await cloud.start();
  cloud
    .account({
      id: 123,
      name: 'Acme',
      tokens: {
        [TOKEN]: { projects: 'all' },
        [VIEWER]: { projects: [1] },
        [METADATA_ONLY]: { projects: 'all', adminApi: false },
      },
    })
    .account({ id: 456, name: 'Cellular', cellBased: true, tokens: { [CELL]: { projects: 'all' } } })
    .project({ id: 1, accountId: 123, name: 'shop', connectionType: 'snowflake', docsJobId: 11 })
    .project({ id: 2, accountId: 123, name: 'finance', connectionType: 'bigquery' })
    .project({ id: 3, accountId: 456, name: 'cell', connectionType: 'postgres' })
    .environment({ id: 5, projectId: 1, name: 'Production', deploymentType: 'production' })
    .environment({ id: 6, projectId: 1, name: 'Development', type: 'development', deploymentType: null })
    .environment({ id: 7, projectId: 2, name: 'Prod', deploymentType: 'production' })
    .job({
      id: 11,
      projectId: 1,
      environmentId: 5,
      name: 'Nightly',
      generateDocs: true,
      executeSteps: ['dbt build'],
      cron: '0 3 * * *',
      createdAt: '2023-01-02T03:04:05.678901+00:00',
    })
    .job({ id: 12, projectId: 2, environmentId: 7, name: 'Finance', generateDocs: false })
    .run({
      id: 100,
      jobId: 11,
      status: 10,
      createdAt: '2024-05-27 10:42:16.179903+00:00',
      startedAt: '2024-05-27 10:42:25.337846+00:00',
      finishedAt: '2024-05-28 10:42:52.881023+00:00',
      gitSha: 'abc123',
      steps: [
        {
          name: 'Invoke dbt with `dbt build`',
          artifacts: { 'run_results.json': buildResults, 'manifest.json': { nodes: { a: 1 } } },
        },
      ],
      docsArtifacts: { 'catalog.json': { nodes: {}, sources: {} } },
    })
    .run({
      id: 101,
      jobId: 11,
      status: 20,
      createdAt: new Date('2024-05-29T10:00:00Z'),
      finishedAt: new Date('2024-05-29T10:05:00Z'),
    })
    .run({
      id: 102,
      jobId: 12,
      status: 10,
      createdAt: new Date('2024-05-30T10:00:00Z'),
      steps: [{ name: 'Invoke dbt with `dbt run`' }],
      artifactsSaved: false,
    });
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((created) => created.close()));
  await cloud.stop();
});

afterAll(() => {
  // Every error any test saw: the token is in none of the ways an error leaves the process.
  expect(errors.length).toBeGreaterThan(8);
  for (const error of errors) {
    for (const text of [(error as Error).message, String(error), JSON.stringify(error), inspect(error)]) {
      for (const token of [TOKEN, VIEWER, METADATA_ONLY, CELL]) expect(text).not.toContain(token);
    }
  }
});

describe('DbtCloudClient reads', () => {
  it('checks the account, its projects and the Discovery API', async () => {
    const cloudClient = client();
    await expect(cloudClient.check()).resolves.toEqual({
      accountName: 'Acme',
      projectCount: 2,
      discoveryReachable: true,
    });
    expect(cloudClient.requestCount).toBe(3);
    cloud.account({
      id: 123,
      name: 'Acme',
      tokens: { [TOKEN]: { projects: [1], discoveryApi: false } },
    });
    const limited = await client().check();
    expect(limited).toMatchObject({ projectCount: 1, discoveryReachable: false });
    expect(limited.discoveryError).toContain('Metadata Only');
  });

  it('lists projects, environments and jobs with integer ids as strings and both timestamp styles', async () => {
    const cloudClient = client();
    const projects = await collect(cloudClient.projects());
    expect(
      projects.map((project) => [project.id, project.name, project.adapterType, project.docsJobId]),
    ).toEqual([
      ['1', 'shop', 'snowflake', '11'],
      ['2', 'finance', 'bigquery', null],
    ]);
    const environments = await cloudClient.environments('1');
    expect(
      environments.map((environment) => [environment.id, environment.type, environment.deploymentType]),
    ).toEqual([
      ['5', 'deployment', 'production'],
      ['6', 'development', null],
    ]);
    const [job] = await collect(cloudClient.jobs({ projectId: 1 }));
    expect(job).toMatchObject({
      id: '11',
      environmentId: '5',
      generateDocs: true,
      cron: '0 3 * * *',
      createdAt: new Date('2023-01-02T03:04:05.678Z'),
    });
    const run = await cloudClient.run(100);
    expect(run).toMatchObject({
      status: 'success',
      createdAt: new Date('2024-05-27T10:42:16.179Z'),
      finishedAt: new Date('2024-05-28T10:42:52.881Z'),
      durationSeconds: 86_436,
    });
    // Every Admin path ends with a slash: dbt Cloud redirects GETs without one and refuses such POSTs.
    expect(
      cloud.requests
        .filter((request) => request.api === 'admin')
        .every((request) => request.path.endsWith('/')),
    ).toBe(true);
  });

  it('pages runs 100 at a time, with filters dbt Cloud understands', async () => {
    for (let id = 1000; id < 1250; id++) {
      cloud.run({
        id,
        jobId: 11,
        status: id % 3 === 0 ? 20 : 10,
        createdAt: new Date(Date.UTC(2024, 5, 1, 0, 0, id)),
        finishedAt: new Date(Date.UTC(2024, 5, 1, 1, 0, id)),
      });
    }
    const cloudClient = client();
    const runs = await collect(cloudClient.runs({ jobId: 11, idGreaterThan: '999' }));
    expect(runs).toHaveLength(250);
    expect(runs.map((run) => Number(run.id))).toEqual(
      Array.from({ length: 250 }, (_, index) => 1000 + index),
    );
    const pages = cloud.requestsTo('GET', '/api/v2/accounts/123/runs/');
    expect(pages.map((request) => [request.query.offset, request.query.limit])).toEqual([
      ['0', '100'],
      ['100', '100'],
      ['200', '100'],
    ]);
    expect(pages[0]!.query).toMatchObject({ job_definition_id: '11', id__gt: '999', order_by: 'id' });
    expect(runs[0]!.steps).toBeNull();

    cloud.resetRequests();
    const failed = await collect(
      cloudClient.runs({ statuses: ['error', 'cancelled'], orderBy: '-finished_at' }),
    );
    expect(failed.every((run) => run.status === 'error')).toBe(true);
    expect(failed[0]!.id).toBe('1248');
    expect(cloud.requests[0]!.query).toMatchObject({ status__in: '[20,30]', order_by: '-finished_at' });
  });

  it('reads a run with its steps and the artifacts of each step, streamed', async () => {
    const cloudClient = client();
    const run = await cloudClient.run('100');
    expect(run.steps!.map((step) => [step.index, step.dbtCommand])).toEqual([
      [1, null],
      [2, null],
      [3, 'dbt deps'],
      [4, 'dbt build'],
      [5, 'dbt docs generate'],
    ]);
    expect(run.triggerCategory).toBe('scheduled');
    expect(await cloudClient.artifactPaths(100)).toEqual([
      'catalog.json',
      'manifest.json',
      'run_results.json',
    ]);
    expect(await cloudClient.artifactPaths(100, 4)).toEqual(['manifest.json', 'run_results.json']);
    expect(await cloudClient.artifactPaths(100, 1)).toBeNull();
    expect(await cloudClient.artifactPaths(102)).toBeNull();

    // Without ?step: the last step, `dbt docs generate`, whose run_results replaced the build's.
    const latest = JSON.parse(
      await readAll((await cloudClient.artifact(100, 'run_results.json', { maxBytes: 1e6 }))!),
    );
    expect(latest.args.which).toBe('generate');
    const build = JSON.parse(
      await readAll((await cloudClient.artifact(100, 'run_results.json', { step: 4, maxBytes: 1e6 }))!),
    );
    expect(build).toEqual(buildResults);
    expect(await cloudClient.artifact(100, 'catalog.json', { step: 4, maxBytes: 1e6 })).toBeNull();
    expect(await cloudClient.artifact(100, 'sources.json', { maxBytes: 1e6 })).toBeNull();
    expect(
      cloud.requestsTo('GET', '/api/v2/accounts/123/runs/100/artifacts/run_results.json')[1]!.query,
    ).toEqual({
      step: '4',
    });
  });

  it('returns the artifact stream at the headers, before the body arrives', async () => {
    const big = 'x'.repeat(3 * 1024 * 1024);
    cloud.run({
      id: 200,
      jobId: 12,
      status: 10,
      createdAt: new Date(),
      steps: [{ name: 'Invoke dbt with `dbt run`', artifacts: { 'manifest.json': big } }],
    });
    const cloudClient = client();
    cloud.delay(400, { phase: 'body', path: '/api/v2/accounts/123/runs/200/artifacts/manifest.json' });
    const startedAt = performance.now();
    const stream = await cloudClient.artifact(200, 'manifest.json', { maxBytes: 10 * 1024 * 1024 });
    expect(performance.now() - startedAt).toBeLessThan(300);
    expect((await readAll(stream!)).length).toBe(big.length);
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(390);

    const tooLarge = await failure(cloudClient.artifact(200, 'manifest.json', { maxBytes: 1024 }));
    expect(tooLarge.code).toBe('BAD_USER_INPUT');
  });

  it('pages the Discovery API 500 models at a time', async () => {
    cloud.discovery.environmentModels(
      5,
      Array.from({ length: 1203 }, (_, index) => ({
        uniqueId: `model.shop.m${index}`,
        database: 'ANALYTICS',
        schema: 'PROD',
        executionInfo: {
          lastRunStatus: 'success',
          lastRunId: 100,
          lastSuccessRunId: 100,
          lastJobDefinitionId: 11,
          executeCompletedAt: '2024-05-28T10:40:00.000Z',
          runElapsedTime: 1.5,
        },
      })),
    );
    const cloudClient = client();
    const models = await collect(cloudClient.environmentModels(5));
    expect(models).toHaveLength(1203);
    expect(models[1202]).toMatchObject({
      uniqueId: 'model.shop.m1202',
      name: 'm1202',
      lastRunId: '100',
      lastJobId: '11',
      executeCompletedAt: new Date('2024-05-28T10:40:00.000Z'),
      runElapsedTime: 1.5,
    });
    const pages = cloud.requestsTo('POST', '/graphql');
    expect(
      pages.map((request) => (request.body as { variables: { first: number } }).variables.first),
    ).toEqual([500, 500, 500]);
    const missing = await failure(collect(client({}, { token: VIEWER }).environmentModels(7)));
    expect(missing.code).toBe('NOT_FOUND');
    expect(missing.message).toContain('Metadata Only');
  });
});

describe('DbtCloudClient errors', () => {
  it('explains a 401 on a legacy host as the cell-based access URL problem', async () => {
    const legacy = client(
      { dispatcher: cloud.dispatcher() },
      { accountId: 456, accessUrl: 'http://cloud.getdbt.com', token: CELL },
    );
    const error = await failure(legacy.check());
    expect(error.code).toBe('UPSTREAM_AUTH_FAILED');
    expect(error.message).toBe(
      'dbt Cloud rejected the token (Invalid token.). If your account is cell-based, use its access URL (https://ACCOUNT_PREFIX.<region>.dbt.com), not cloud.getdbt.com',
    );
    expect(cloud.requests[0]!.host).toBe('cloud.getdbt.com');

    // The same token on the account's own host works, Discovery on its derived metadata host included.
    const cell = client(
      { dispatcher: cloud.dispatcher() },
      { accountId: 456, accessUrl: 'http://ab123.us1.dbt.com', token: CELL },
    );
    await expect(cell.check()).resolves.toMatchObject({ accountName: 'Cellular', discoveryReachable: true });
    expect(cloud.requests.at(-1)!.host).toBe('ab123.metadata.us1.dbt.com');

    const wrongToken = await failure(client({}, { token: 'dbtc_not_a_token_at_all' }).check());
    expect(wrongToken.code).toBe('UPSTREAM_AUTH_FAILED');
    expect(wrongToken.message).not.toContain('cell-based');
    expect(wrongToken.message).not.toContain('dbtc_not_a_token_at_all');
  });

  it('explains an unpaid plan', async () => {
    cloud.account({ id: 123, name: 'Acme', plan: 'developer', tokens: { [TOKEN]: { projects: 'all' } } });
    const error = await failure(client().check());
    expect(error.code).toBe('UPSTREAM_AUTH_FAILED');
    expect(error.message).toContain('The API is not accessible to unpaid accounts.');
    expect(error.message).toContain('paid plan');
  });

  it('maps 403 to FORBIDDEN and 404 to NOT_FOUND, both with the permissions hint', async () => {
    const forbidden = await failure(collect(client({}, { token: METADATA_ONLY }).projects()));
    expect(forbidden.code).toBe('FORBIDDEN');
    expect(forbidden.status).toBe(403);
    expect(forbidden.message).toContain(
      'The token needs the Job Viewer (Admin API) and Metadata Only (Discovery API) permissions',
    );
    const missing = await failure(client({}, { token: VIEWER }).run(102));
    expect(missing.code).toBe('NOT_FOUND');
    expect(missing.message).toContain('run 102');
    expect(missing.message).toContain('Job Viewer');
    expect(missing.upstreamMessage).toBe(
      'The requested resource was not found. Please check that you have the proper permissions.',
    );
  });

  it('redacts the token even when dbt Cloud echoes it', async () => {
    cloud.fail({
      path: '/api/v2/accounts/123/runs/100/',
      status: 403,
      body: { status: { code: 403, user_message: `Token ${TOKEN} lacks permission` }, data: null },
    });
    const error = await failure(client().run(100));
    expect(error.message).toContain('lacks permission');
    expect(error.message).not.toContain(TOKEN);
  });

  it('retries 5xx answers, then succeeds', async () => {
    cloud.fail({ path: '/api/v2/accounts/123/runs/100/', status: 503, times: 2 });
    const cloudClient = client();
    await expect(cloudClient.run(100)).resolves.toMatchObject({ id: '100' });
    expect(
      cloud.requestsTo('GET', '/api/v2/accounts/123/runs/100/').map((request) => request.status),
    ).toEqual([503, 503, 200]);
    expect(cloudClient.requestCount).toBe(3);

    cloud.fail({ path: '/api/v2/accounts/123/runs/100/', status: 500, times: Infinity });
    const error = await failure(cloudClient.run(100));
    expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(error.message).toContain('after 4 attempts');
  });

  it('gives up on a slow answer with UPSTREAM_UNAVAILABLE', async () => {
    cloud.delay(2_000);
    const startedAt = performance.now();
    const error = await failure(client({ timeoutMs: 150, retry: { maxAttempts: 2 } }).run(100));
    expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(error.message).toContain('timed out after 2 attempts');
    expect(performance.now() - startedAt).toBeLessThan(1_500);
  });

  it('after a 429 waits the cooldown before its next request, without a second 429', async () => {
    cloud.rateLimit({ requestsPerMinute: 3 }).cooldown429(300);
    const cloudClient = client({ cooldownMs: 300 });
    for (let index = 0; index < 6; index++) await cloudClient.run(100);
    const statuses = cloud.requests.map((request) => request.status);
    expect(statuses).toEqual([200, 200, 200, 429, 200, 200, 200]);
    const limited = cloud.requests[3]!;
    const next = cloud.requests[4]!;
    // The fake asks for Retry-After: 1 (whole seconds); the client honours the longer of the two.
    expect(next.receivedAt.getTime() - limited.answeredAt.getTime()).toBeGreaterThanOrEqual(990);
    expect(cloudClient.requestCount).toBe(7);
  });

  it('fails with RATE_LIMITED when the request meets a 429 again after the cooldown', async () => {
    cloud.cooldown429(100).fail({ path: '/api/v2/accounts/123/runs/100/', status: 429, times: 2 });
    const error = await failure(client({ cooldownMs: 100 }).run(100));
    expect(error.code).toBe('RATE_LIMITED');
    expect(error.retryAfterMs).toBeGreaterThanOrEqual(1_000);
    expect(cloud.requests.map((request) => request.status)).toEqual([429, 429]);
  });

  it('never sends more than requestsPerMinute', async () => {
    const cloudClient = client({ requestsPerMinute: 600 });
    for (let index = 0; index < 6; index++) await cloudClient.run(100);
    const times = cloud.requests.map((request) => request.receivedAt.getTime());
    // 600 per minute = one every 100 ms: six requests span at least 500 ms. (The span, not each gap: on a busy
    // machine the server may read two spaced requests in one turn of its event loop, and the first one late by
    // tens of milliseconds; 450 still fails a limiter that lets even one request through early.)
    expect(times).toHaveLength(6);
    expect(times.at(-1)! - times[0]!).toBeGreaterThanOrEqual(450);
  });

  it('refuses invalid ids and paths before sending anything', async () => {
    const cloudClient = client();
    expect((await failure(cloudClient.run('12; drop'))).code).toBe('BAD_USER_INPUT');
    expect((await failure(cloudClient.artifact(100, '../secrets', { maxBytes: 10 }))).code).toBe(
      'BAD_USER_INPUT',
    );
    expect(cloud.requests).toHaveLength(0);
  });
});
