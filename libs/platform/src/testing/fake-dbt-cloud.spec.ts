import { request } from 'undici';
import { FakeDbtCloud, listValues } from './fake-dbt-cloud.js';

let cloud: FakeDbtCloud;
let baseUrl: string;

interface Answer {
  status: number;
  headers: Record<string, unknown>;
  text: string;
  json: () => any;
}

async function call(
  method: string,
  path: string,
  options: { token?: string | null; body?: unknown; host?: string; scheme?: string } = {},
): Promise<Answer> {
  const token = options.token === undefined ? 'dbtc_good' : options.token;
  const headers: Record<string, string> = {};
  if (token !== null) headers.authorization = `${options.scheme ?? 'Token'} ${token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const url = options.host ? `http://${options.host}${path}` : `${baseUrl}${path}`;
  const response = await request(url, {
    method: method as 'GET',
    headers,
    body: options.body === undefined ? null : JSON.stringify(options.body),
    dispatcher: options.host ? cloud.dispatcher() : undefined,
  });
  const text = await response.body.text();
  return { status: response.statusCode, headers: response.headers, text, json: () => JSON.parse(text) };
}

const runResults = {
  metadata: {
    dbt_schema_version: 'https://schemas.getdbt.com/dbt/run-results/v6.json',
    dbt_version: '1.11.0',
  },
  results: [
    { unique_id: 'model.shop.orders', status: 'success', message: 'SUCCESS 1' },
    { unique_id: 'test.shop.not_null_orders_id', status: 'fail', message: 'Got 3 results' },
  ],
  elapsed_time: 12.5,
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
        dbtc_good: { projects: 'all' },
        dbtc_viewer: { projects: [1] },
        dbtc_meta: { projects: 'all', adminApi: false },
      },
    })
    .project({ id: 1, name: 'shop', connectionType: 'snowflake', docsJobId: 11 })
    .project({ id: 2, name: 'finance', connectionType: 'bigquery' })
    .environment({ id: 5, projectId: 1, name: 'Production', deploymentType: 'production' })
    .environment({ id: 6, projectId: 1, name: 'Development', deploymentType: null, type: 'development' })
    .environment({ id: 7, projectId: 2, name: 'Prod', deploymentType: 'production' })
    .job({
      id: 11,
      projectId: 1,
      environmentId: 5,
      name: 'Nightly',
      generateDocs: true,
      runGenerateSources: false,
      executeSteps: ['dbt build'],
      cron: '0 3 * * *',
    })
    .job({ id: 12, projectId: 2, environmentId: 7, name: 'Finance', generateDocs: false })
    .run({
      id: 100,
      jobId: 11,
      status: 10,
      createdAt: '2024-05-27 10:40:00.000000+00:00',
      startedAt: new Date('2024-05-27T10:41:00Z'),
      finishedAt: new Date('2024-05-28T10:41:36Z'),
      gitSha: 'abc123',
      steps: [
        {
          name: 'Invoke dbt with `dbt build`',
          artifacts: { 'run_results.json': runResults, 'manifest.json': { nodes: {} } },
        },
      ],
      docsArtifacts: { 'catalog.json': { nodes: {}, sources: {} } },
    })
    .run({ id: 101, jobId: 11, status: 20, createdAt: new Date('2024-05-29T10:00:00Z'), finishedAt: null })
    .run({
      id: 102,
      jobId: 12,
      status: 10,
      createdAt: new Date('2024-05-30T10:00:00Z'),
      startedAt: new Date('2024-05-30T10:00:05Z'),
      finishedAt: new Date('2024-05-30T10:01:00Z'),
      steps: [{ name: 'Invoke dbt with `dbt run`' }],
      artifactsSaved: false,
    });
});

afterEach(async () => {
  await cloud.stop();
});

describe('FakeDbtCloud auth', () => {
  it('answers the 401 envelope without a valid Token/Bearer header', async () => {
    const expected = {
      status: { code: 401, is_success: false, user_message: 'Invalid token.', developer_message: null },
      data: null,
    };
    for (const answer of [
      await call('GET', '/api/v3/accounts/', { token: null }),
      await call('GET', '/api/v3/accounts/', { token: 'dbtc_wrong' }),
      await call('GET', '/api/v3/accounts/', { token: 'dbtc_good', scheme: 'Basic' }),
    ]) {
      expect(answer.status).toBe(401);
      expect(answer.json()).toEqual(expected);
    }
    expect((await call('GET', '/api/v3/accounts/', { scheme: 'Bearer' })).status).toBe(200);
    expect(cloud.requests.at(-1)!.headers.authorization).toBe('Bearer dbtc_good');
  });

  it('hides projects the token cannot read: lists skip them, details and filters are 404', async () => {
    const projects = await call('GET', '/api/v3/accounts/123/projects/', { token: 'dbtc_viewer' });
    expect(projects.json().data.map((project: { id: number }) => project.id)).toEqual([1]);
    const denied = await call('GET', '/api/v2/accounts/123/runs/102/', { token: 'dbtc_viewer' });
    expect(denied.status).toBe(404);
    expect(denied.json().status.user_message).toBe(
      'The requested resource was not found. Please check that you have the proper permissions.',
    );
    expect(
      (await call('GET', '/api/v2/accounts/123/jobs/?project_id=2', { token: 'dbtc_viewer' })).status,
    ).toBe(404);
    expect((await call('GET', '/api/v2/accounts/999/projects/')).status).toBe(404);
  });

  it('refuses a Metadata Only token on the Admin API (403) but not on Discovery', async () => {
    expect((await call('GET', '/api/v3/accounts/123/projects/', { token: 'dbtc_meta' })).status).toBe(403);
    const discovery = await call('POST', '/graphql', {
      token: 'dbtc_meta',
      body: { query: '{ environment(id: 5) { dbtProjectName } }' },
    });
    expect(discovery.json()).toEqual({ data: { environment: { dbtProjectName: 'shop' } } });
  });

  it('answers 401 Invalid token. to a cell-based account on the legacy host only', async () => {
    cloud.account({ id: 9, name: 'Cell', cellBased: true, tokens: { dbtc_cell: { projects: 'all' } } });
    const legacy = await call('GET', '/api/v3/accounts/9/', { token: 'dbtc_cell', host: 'cloud.getdbt.com' });
    expect(legacy.status).toBe(401);
    expect(legacy.json().status.user_message).toBe('Invalid token.');
    const cell = await call('GET', '/api/v3/accounts/9/', { token: 'dbtc_cell', host: 'ab123.us1.dbt.com' });
    expect(cell.json().data.name).toBe('Cell');
    expect(cloud.requests.map((entry) => entry.host)).toEqual(['cloud.getdbt.com', 'ab123.us1.dbt.com']);
  });

  it('refuses unpaid accounts with dbt Cloud message', async () => {
    cloud.account({ id: 8, name: 'Free', plan: 'developer', tokens: { dbtc_free: { projects: 'all' } } });
    const answer = await call('GET', '/api/v3/accounts/8/', { token: 'dbtc_free' });
    expect(answer.status).toBe(401);
    expect(answer.json().status.user_message).toBe('The API is not accessible to unpaid accounts.');
  });
});

describe('FakeDbtCloud Admin API', () => {
  it('redirects a GET without trailing slash and answers 405 to such a POST', async () => {
    const redirect = await call('GET', '/api/v2/accounts/123/runs?limit=1');
    expect(redirect.status).toBe(301);
    expect(redirect.headers.location).toBe('/api/v2/accounts/123/runs/?limit=1');
    const post = await call('POST', '/api/v2/accounts/123/jobs/11/run', { body: { cause: 'x' } });
    expect(post.status).toBe(405);
    expect(post.json()).toEqual({ detail: 'Method "GET" not allowed.' });
    const triggered = await call('POST', '/api/v2/accounts/123/jobs/11/run/', { body: { cause: 'x' } });
    expect(triggered.json().data).toMatchObject({ id: 103, status: 1, status_humanized: 'Queued' });
  });

  it('pages lists with a clamped limit, offset, order_by and the extra envelope', async () => {
    for (let id = 200; id < 330; id++) {
      cloud.run({ id, jobId: 12, status: 10, createdAt: new Date(Date.UTC(2024, 0, 1, 0, id)) });
    }
    const first = (await call('GET', '/api/v2/accounts/123/runs/?limit=500&order_by=-id')).json();
    expect(first.data).toHaveLength(100);
    expect(first.data[0].id).toBe(329);
    expect(first.extra).toEqual({
      filters: { limit: 100, offset: 0, account_id: 123 },
      order_by: '-id',
      pagination: { count: 100, total_count: 133 },
    });
    const last = (await call('GET', '/api/v2/accounts/123/runs/?offset=100&order_by=created_at')).json();
    expect(last.extra.pagination).toEqual({ count: 33, total_count: 133 });
    expect(last.data.at(-1).id).toBe(102);
    expect((await call('GET', '/api/v2/accounts/123/runs/?order_by=bogus')).status).toBe(400);
  });

  it('accepts list parameters in all four styles', async () => {
    const styles = [
      'status__in=[10,20]',
      'status__in=10,20',
      "status__in=['10','20']",
      'status__in=10&status__in=20',
    ];
    for (const style of styles) {
      const answer = (await call('GET', `/api/v2/accounts/123/runs/?job_definition_id=11&${style}`)).json();
      expect(answer.data.map((run: { id: number }) => run.id)).toEqual([100, 101]);
      expect(answer.extra.filters).toMatchObject({ status__in: [10, 20], job_definition_id: 11 });
    }
    const filtered = (
      await call('GET', '/api/v2/accounts/123/runs/?status=10&has_docs_generated=true&id__gt=99&project_id=1')
    ).json();
    expect(filtered.data.map((run: { id: number }) => run.id)).toEqual([100]);
    const environments = (
      await call('GET', '/api/v3/accounts/123/projects/1/environments/?deployment_type=production')
    ).json();
    expect(environments.data.map((environment: { id: number }) => environment.id)).toEqual([5]);
    expect(
      listValues(new URLSearchParams("include_related=['run_steps', 'job']"), 'include_related'),
    ).toEqual(['run_steps', 'job']);
  });

  it('serves runs with integer statuses, space timestamps, durations and related objects', async () => {
    const run = (
      await call('GET', '/api/v2/accounts/123/runs/100/?include_related=run_steps,trigger,job,environment')
    ).json().data;
    expect(run).toMatchObject({
      id: 100,
      job_definition_id: 11,
      job_id: 11,
      project_id: 1,
      environment_id: 5,
      status: 10,
      status_humanized: 'Success',
      is_success: true,
      created_at: '2024-05-27 10:40:00.000000+00:00',
      finished_at: '2024-05-28 10:41:36.000000+00:00',
      duration: '24:01:36',
      run_duration: '24:00:36',
      git_sha: 'abc123',
      has_docs_generated: true,
      trigger: { cause_category: 'scheduled' },
      job: { id: 11, created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) },
      environment: { id: 5, deployment_type: 'production' },
    });
    expect(run.href).toMatch(/\/deploy\/123\/projects\/1\/runs\/100\/$/);
    expect(run.run_steps.map((step: { index: number; name: string }) => [step.index, step.name])).toEqual([
      [1, 'Clone Git Repository'],
      [2, 'Create Profile from Connection Snowflake'],
      [3, 'Invoke dbt with `dbt deps`'],
      [4, 'Invoke dbt with `dbt build`'],
      [5, 'Invoke dbt with `dbt docs generate`'],
    ]);
    const plain = (await call('GET', '/api/v2/accounts/123/runs/101/')).json().data;
    expect(plain).toMatchObject({ status: 20, status_humanized: 'Error', run_steps: [], trigger: null });
  });

  it('serves artifacts per step; the docs step replaces run_results.json', async () => {
    const list = (await call('GET', '/api/v2/accounts/123/runs/100/artifacts/')).json();
    expect(list.data).toEqual(['catalog.json', 'manifest.json', 'run_results.json']);
    const docs = (await call('GET', '/api/v2/accounts/123/runs/100/artifacts/run_results.json')).json();
    expect(docs.args.which).toBe('generate');
    expect(docs.results.map((result: { status: string }) => result.status)).toEqual(['success', 'success']);
    const build = await call('GET', '/api/v2/accounts/123/runs/100/artifacts/run_results.json?step=4');
    expect(build.headers['content-type']).toBe('application/json');
    expect(build.json()).toEqual(runResults);
    expect((await call('GET', '/api/v2/accounts/123/runs/100/artifacts/catalog.json?step=4')).status).toBe(
      404,
    );
    expect((await call('GET', '/api/v2/accounts/123/runs/100/artifacts/?step=3')).json().data).toBeNull();
    expect((await call('GET', '/api/v2/accounts/123/runs/102/artifacts/')).json().data).toBeNull();
    const latest = await call('GET', '/api/v2/accounts/123/jobs/11/artifacts/catalog.json');
    expect(latest.json()).toEqual({ nodes: {}, sources: {} });
  });
});

describe('FakeDbtCloud Discovery API', () => {
  const models = Array.from({ length: 1203 }, (_, index) => ({
    uniqueId: `model.shop.m${index}`,
    database: 'ANALYTICS',
    schema: 'PROD',
    executionInfo: { lastRunStatus: index % 2 ? 'success' : 'error', lastRunId: 100 },
  }));
  const query = `
    query Models($environmentId: BigInt!, $first: Int!, $after: String) {
      environment(id: $environmentId) {
        applied {
          models(first: $first, after: $after) {
            totalCount
            pageInfo { hasNextPage endCursor }
            edges { node { ...Model } }
          }
        }
      }
    }
    fragment Model on ModelAppliedStateNode { uniqueId name schema executionInfo { lastRunStatus lastRunId lastSuccessRunId } }`;

  it('pages applied models relay-style, answering only the selected fields', async () => {
    cloud.discovery.environmentModels(5, models);
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const answer = await call('POST', '/graphql', {
        body: { query, variables: { environmentId: '5', first: 500, after } },
      });
      const connection = answer.json().data.environment.applied.models;
      expect(connection.totalCount).toBe(1203);
      seen.push(...connection.edges.map((edge: { node: { uniqueId: string } }) => edge.node.uniqueId));
      after = connection.pageInfo.hasNextPage ? connection.pageInfo.endCursor : null;
      pages += 1;
    } while (after);
    expect(pages).toBe(3);
    expect(seen).toEqual(models.map((model) => model.uniqueId));
    const first = (
      await call('POST', '/graphql', { body: { query, variables: { environmentId: 5, first: 1 } } })
    ).json().data.environment.applied.models.edges[0].node;
    expect(first).toEqual({
      uniqueId: 'model.shop.m0',
      name: 'm0',
      schema: 'PROD',
      executionInfo: { lastRunStatus: 'error', lastRunId: 100, lastSuccessRunId: null },
    });
  });

  it('rejects first > 500 and unknown or unreadable environments', async () => {
    const tooMany = (
      await call('POST', '/graphql', { body: { query, variables: { environmentId: 5, first: 501 } } })
    ).json();
    expect(tooMany.errors[0].message).toContain('at most 500');
    const hidden = (
      await call('POST', '/graphql', {
        token: 'dbtc_viewer',
        body: { query, variables: { environmentId: 7, first: 10 } },
      })
    ).json();
    expect(hidden.data.environment).toBeNull();
    expect(hidden.errors[0].extensions.code).toBe('NOT_FOUND');
    const invalid = await call('POST', '/graphql', { body: { query: '{ nope }' } });
    expect(invalid.status).toBe(400);
  });
});

describe('FakeDbtCloud faults', () => {
  it('rate-limits with Retry-After and a cooldown in which every request gets 429', async () => {
    cloud.rateLimit({ requestsPerMinute: 2 }).cooldown429(300);
    expect((await call('GET', '/api/v3/accounts/')).status).toBe(200);
    expect((await call('GET', '/api/v3/accounts/')).status).toBe(200);
    const limited = await call('GET', '/api/v3/accounts/');
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('1');
    expect((await call('POST', '/graphql', { body: { query: '{ __typename }' } })).status).toBe(429);
    expect(cloud.coolingDown).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 320));
    cloud.rateLimit(undefined);
    expect((await call('GET', '/api/v3/accounts/')).status).toBe(200);
    expect(cloud.requests.map((entry) => entry.status)).toEqual([200, 200, 429, 429, 200]);
  });

  it('fails chosen paths a number of times, and counts requests per route', async () => {
    cloud.fail({ path: '/api/v2/accounts/:accountId/runs/', status: 503, times: 2 });
    expect((await call('GET', '/api/v2/accounts/123/runs/')).status).toBe(503);
    expect((await call('GET', '/api/v3/accounts/')).status).toBe(200);
    expect((await call('GET', '/api/v2/accounts/123/runs/')).json().status.code).toBe(503);
    expect((await call('GET', '/api/v2/accounts/123/runs/')).status).toBe(200);
    expect(cloud.requestsTo('GET', '/api/v2/accounts/:accountId/runs/')).toHaveLength(3);
    expect(cloud.requestsTo('GET', '/api/v2/accounts/123/runs/')).toHaveLength(3);
    expect(cloud.requestsTo('GET', /\/accounts\/$/)).toHaveLength(1);
  });

  it('delays answers', async () => {
    cloud.delay(150, { times: 1 });
    const startedAt = performance.now();
    await call('GET', '/api/v3/accounts/');
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(140);
  });
});
