import {
  mapEnvironment,
  mapJob,
  mapModelExecution,
  mapProject,
  mapRun,
  mapRunStep,
  parseDbtCloudDuration,
  parseDbtCloudTimestamp,
  readArtifactPaths,
  readListPage,
  readModelsPage,
  readUpstreamMessage,
  runListQuery,
  runStatusFromCode,
} from './dbt-cloud.mapper.js';
import { DbtCloudError } from './dbt-cloud.error.js';

// Hand-written in the current Admin API shapes (research/dbt.md §9): integer ids and statuses, space-separated
// run timestamps, `T`-separated job timestamps, "HH:MM:SS" durations.

const runWire = {
  id: 70403103936247,
  trigger_id: 70403110283312,
  account_id: 70403103932340,
  environment_id: 70403103934598,
  project_id: 70403103931562,
  job_definition_id: 70403103936087,
  status: 10,
  dbt_version: 'versionless',
  git_branch: 'main',
  git_sha: '9c1c3c5b8f0a1d2e3f4a5b6c7d8e9f0a1b2c3d4e',
  status_message: null,
  owner_thread_id: null,
  executed_by_thread_id: 'dbt-run-70403103936247-xk2ls',
  deferring_run_id: null,
  artifacts_saved: true,
  artifact_s3_path: 'prod-us-c1/runs/70403103936247/artifacts/target',
  has_docs_generated: true,
  has_sources_generated: false,
  notifications_sent: true,
  blocked_by: [],
  created_at: '2024-05-27 10:42:16.179903+00:00',
  updated_at: '2024-05-28 10:43:01.004211+00:00',
  dequeued_at: '2024-05-27 10:42:17.001213+00:00',
  started_at: '2024-05-27 10:42:25.337846+00:00',
  finished_at: '2024-05-28 10:42:52.881023+00:00',
  last_checked_at: null,
  last_heartbeat_at: null,
  should_start_at: null,
  trigger: {
    id: 70403110283312,
    cause: 'Kicked off from UI by ann@acme.com',
    job_definition_id: 70403103936087,
    git_branch: null,
    git_sha: null,
    schema_override: null,
    generate_docs_override: null,
    steps_override: null,
    created_at: '2024-05-27 10:42:16.160225+00:00',
    cause_humanized: 'Kicked off from UI by ann@acme.com',
    cause_category: 'ui',
  },
  job: null,
  environment: null,
  run_steps: [
    {
      id: 7040310393000001,
      run_id: 70403103936247,
      account_id: 70403103932340,
      index: 2,
      status: 10,
      name: 'Create Profile from Connection Snowflake',
      logs: '',
      created_at: '2024-05-27 10:42:30.000000+00:00',
      started_at: '2024-05-27 10:42:30.000000+00:00',
      finished_at: '2024-05-27 10:42:31.000000+00:00',
      status_humanized: 'Success',
      duration: '00:00:01',
    },
    {
      id: 7040310393000000,
      run_id: 70403103936247,
      account_id: 70403103932340,
      index: 1,
      status: 10,
      name: 'Clone Git Repository',
      logs: '',
      started_at: '2024-05-27 10:42:26.000000+00:00',
      finished_at: '2024-05-27 10:42:29.500000+00:00',
      status_humanized: 'Success',
      duration: '00:00:03',
    },
    {
      id: 7040310393000003,
      run_id: 70403103936247,
      account_id: 70403103932340,
      index: 4,
      status: 20,
      name: 'Invoke dbt with `dbt build --select tag:nightly`',
      logs: '',
      started_at: '2024-05-27 10:42:40.000000+00:00',
      finished_at: '2024-05-28 10:41:00.000000+00:00',
      status_humanized: 'Error',
      duration: '23:58:20',
    },
  ],
  status_humanized: 'Success',
  in_progress: false,
  is_complete: true,
  is_success: true,
  is_error: false,
  is_cancelled: false,
  is_running: false,
  href: 'https://ab123.us1.dbt.com/deploy/70403103932340/projects/70403103931562/runs/70403103936247/',
  duration: '24:00:36',
  queued_duration: '00:00:09',
  run_duration: '24:00:27',
  duration_humanized: '1 day',
  job_id: 70403103936087,
};

describe('timestamps, durations, statuses', () => {
  it('reads space- and T-separated timestamps, with micro- or milliseconds and any offset', () => {
    const expected = '2024-05-27T10:42:16.179Z';
    expect(parseDbtCloudTimestamp('2024-05-27 10:42:16.179903+00:00')?.toISOString()).toBe(expected);
    expect(parseDbtCloudTimestamp('2024-05-27T10:42:16.179903+00:00')?.toISOString()).toBe(expected);
    expect(parseDbtCloudTimestamp('2024-05-27T10:42:16.179Z')?.toISOString()).toBe(expected);
    expect(parseDbtCloudTimestamp('2024-05-27T12:42:16.1799+0200')?.toISOString()).toBe(expected);
    expect(parseDbtCloudTimestamp('2024-05-27 10:42:16')?.toISOString()).toBe('2024-05-27T10:42:16.000Z');
    expect(parseDbtCloudTimestamp(null)).toBeNull();
    expect(parseDbtCloudTimestamp('yesterday')).toBeNull();
  });

  it('reads HH:MM:SS durations with hours past 24', () => {
    expect(parseDbtCloudDuration('00:01:50')).toBe(110);
    expect(parseDbtCloudDuration('24:00:36')).toBe(86_436);
    expect(parseDbtCloudDuration('123:00:00')).toBe(442_800);
    expect(parseDbtCloudDuration('1 day, 0:00:36')).toBe(86_436);
    expect(parseDbtCloudDuration('00:00:01.5')).toBe(1.5);
    expect(parseDbtCloudDuration('soon')).toBeNull();
  });

  it('maps integer statuses', () => {
    expect([1, 2, 3, 10, 20, 30].map((code) => runStatusFromCode(code))).toEqual([
      'queued',
      'starting',
      'running',
      'success',
      'error',
      'cancelled',
    ]);
    expect(runStatusFromCode(99)).toBeNull();
    expect(runStatusFromCode('Succeeded')).toBe('success');
  });
});

describe('mapRun', () => {
  it('maps a run with steps in index order', () => {
    const run = mapRun(runWire, { withSteps: true });
    expect(run).toEqual({
      id: '70403103936247',
      accountId: '70403103932340',
      projectId: '70403103931562',
      environmentId: '70403103934598',
      jobId: '70403103936087',
      status: 'success',
      statusCode: 10,
      statusMessage: null,
      dbtVersion: 'versionless',
      gitBranch: 'main',
      gitSha: '9c1c3c5b8f0a1d2e3f4a5b6c7d8e9f0a1b2c3d4e',
      createdAt: new Date('2024-05-27T10:42:16.179Z'),
      startedAt: new Date('2024-05-27T10:42:25.337Z'),
      finishedAt: new Date('2024-05-28T10:42:52.881Z'),
      durationSeconds: 86_436,
      queuedDurationSeconds: 9,
      runDurationSeconds: 86_427,
      hasDocsGenerated: true,
      hasSourcesGenerated: false,
      artifactsSaved: true,
      url: 'https://ab123.us1.dbt.com/deploy/70403103932340/projects/70403103931562/runs/70403103936247/',
      triggerCause: 'Kicked off from UI by ann@acme.com',
      triggerCategory: 'ui',
      steps: [
        expect.objectContaining({ index: 1, name: 'Clone Git Repository', dbtCommand: null }),
        expect.objectContaining({ index: 2, status: 'success', durationSeconds: 1 }),
        {
          id: '7040310393000003',
          index: 4,
          name: 'Invoke dbt with `dbt build --select tag:nightly`',
          dbtCommand: 'dbt build --select tag:nightly',
          status: 'error',
          startedAt: new Date('2024-05-27T10:42:40.000Z'),
          finishedAt: new Date('2024-05-28T10:41:00.000Z'),
          durationSeconds: 86_300,
        },
      ],
    });
  });

  it('leaves steps null when they were not asked for, and reads job_id and timeouts', () => {
    const run = mapRun({
      ...runWire,
      job_definition_id: undefined,
      status: 30,
      status_humanized: 'Cancelled',
      status_message: 'This run timed out after running for 1 day, 0:00:36',
      run_steps: [],
      trigger: null,
    });
    expect(run).toMatchObject({
      jobId: '70403103936087',
      status: 'cancelled',
      statusMessage: 'This run timed out after running for 1 day, 0:00:36',
      triggerCause: null,
      steps: null,
    });
  });

  it('keeps an unknown status code readable from the booleans', () => {
    expect(mapRun({ ...runWire, status: 42, status_humanized: 'Shiny' }).status).toBe('success');
    expect(
      mapRun({
        ...runWire,
        status: 42,
        status_humanized: 'Shiny',
        is_success: false,
        is_complete: false,
        is_running: true,
      }).status,
    ).toBe('running');
  });

  it('rejects a run without ids as an unexpected response', () => {
    expect(() => mapRun({ ...runWire, id: null })).toThrow(DbtCloudError);
    expect(() => mapRunStep({ name: 'x' })).toThrow('unexpected response');
  });
});

describe('projects, environments, jobs', () => {
  it('maps a project and its adapter', () => {
    const project = mapProject({
      id: 70403103931562,
      name: 'jaffle_shop',
      description: '',
      account_id: 70403103932340,
      connection_id: 70403103922761,
      repository_id: 70403103929002,
      semantic_layer_config_id: null,
      dbt_project_subdirectory: 'transform',
      docs_job_id: 70403103936087,
      freshness_job_id: null,
      type: 0,
      state: 1,
      created_at: '2021-04-14 20:23:00.395285+00:00',
      connection: { id: 70403103922761, type: 'adapter', adapter_version: 'databricks_v0' },
    });
    expect(project).toEqual({
      id: '70403103931562',
      accountId: '70403103932340',
      name: 'jaffle_shop',
      description: null,
      connectionType: 'adapter',
      adapterType: 'databricks',
      docsJobId: '70403103936087',
      freshnessJobId: null,
      dbtProjectSubdirectory: 'transform',
      hybrid: false,
      state: 1,
    });
    expect(mapProject({ id: 1, name: 'p', connection: { type: 'snowflake' } }).adapterType).toBe('snowflake');
  });

  it('maps environments', () => {
    expect(
      mapEnvironment({
        id: 49818,
        project_id: 26597,
        account_id: 16182,
        name: 'Production',
        type: 'deployment',
        deployment_type: 'production',
        dbt_version: '1.7.0-latest',
        supports_docs: true,
        state: 1,
        updated_at: '2021-11-16T16:26:02.542525+00:00',
      }),
    ).toEqual({
      id: '49818',
      projectId: '26597',
      name: 'Production',
      type: 'deployment',
      deploymentType: 'production',
      dbtVersion: '1.7.0-latest',
      state: 1,
    });
  });

  it('maps jobs: T-separated timestamps, the cron of an active schedule only', () => {
    const wire = {
      id: 43167,
      account_id: 123456,
      project_id: 123457,
      environment_id: 49819,
      name: 'Nightly',
      description: 'Build and document',
      dbt_version: null,
      execute_steps: ['dbt source freshness', 'dbt build'],
      generate_docs: true,
      run_generate_sources: true,
      state: 1,
      job_type: 'scheduled',
      triggers: { github_webhook: false, git_provider_webhook: false, schedule: true, on_merge: false },
      schedule: {
        cron: '0 3 * * *',
        date: { type: 'custom_cron', cron: '0 3 * * *' },
        time: { type: 'every_hour' },
      },
      created_at: '2021-11-18T15:19:03.185668+00:00',
      updated_at: '2021-12-25T09:17:12.788186+00:00',
    };
    expect(mapJob(wire)).toEqual({
      id: '43167',
      projectId: '123457',
      environmentId: '49819',
      name: 'Nightly',
      description: 'Build and document',
      executeSteps: ['dbt source freshness', 'dbt build'],
      generateDocs: true,
      runGenerateSources: true,
      cron: '0 3 * * *',
      jobType: 'scheduled',
      state: 1,
      dbtVersion: null,
      createdAt: new Date('2021-11-18T15:19:03.185Z'),
      updatedAt: new Date('2021-12-25T09:17:12.788Z'),
    });
    expect(mapJob({ ...wire, triggers: { ...wire.triggers, schedule: false } }).cron).toBeNull();
  });
});

describe('envelopes', () => {
  it('reads list pages, artifact lists and error messages', () => {
    expect(
      readListPage({
        status: { code: 200, is_success: true, user_message: 'Success!', developer_message: '' },
        data: [{ id: 1 }],
        extra: {
          filters: { limit: 100, offset: 0 },
          order_by: 'id',
          pagination: { count: 1, total_count: 7 },
        },
      }),
    ).toEqual({ items: [{ id: 1 }], totalCount: 7 });
    expect(readArtifactPaths({ status: { code: 200 }, data: null })).toBeNull();
    expect(readArtifactPaths({ status: { code: 200 }, data: ['manifest.json', 'run_results.json'] })).toEqual(
      ['manifest.json', 'run_results.json'],
    );
    expect(() => readListPage({ detail: 'nope' })).toThrow(DbtCloudError);
    expect(
      readUpstreamMessage(
        '{"status":{"code":401,"is_success":false,"user_message":"Invalid token.","developer_message":null},"data":null}',
      ),
    ).toBe('Invalid token.');
    expect(readUpstreamMessage('{"detail": "Method \\"GET\\" not allowed."}')).toBe(
      'Method "GET" not allowed.',
    );
    expect(readUpstreamMessage('{"errors":[{"message":"Unauthorized"}]}')).toBe('Unauthorized');
    expect(
      readUpstreamMessage('{"status":{"code":404,"user_message":"The requested resource was not fou'),
    ).toBe(undefined);
    expect(readUpstreamMessage('{"status":{"user_message":"Cut \\"short\\"", "x": "')).toBe('Cut "short"');
  });

  it('builds run list parameters', () => {
    expect(
      runListQuery({
        jobId: 7,
        statuses: ['success', 'error'],
        idGreaterThan: '99',
        orderBy: '-finished_at',
      }),
    ).toEqual({
      job_definition_id: '7',
      project_id: undefined,
      environment_id: undefined,
      id__gt: '99',
      status: undefined,
      status__in: '[10,20]',
      has_docs_generated: undefined,
      order_by: '-finished_at',
    });
    expect(runListQuery({ statuses: ['success'] })).toMatchObject({
      status: 10,
      status__in: undefined,
      order_by: 'id',
    });
    expect(() => runListQuery({ jobId: 'abc' })).toThrow(DbtCloudError);
  });
});

describe('Discovery', () => {
  it('reads a models page and maps executions', () => {
    const page = readModelsPage({
      data: {
        environment: {
          applied: {
            models: {
              totalCount: 2,
              pageInfo: { hasNextPage: true, endCursor: 'Y3Vyc29yOjA=' },
              edges: [
                {
                  node: {
                    uniqueId: 'model.jaffle_shop.orders',
                    name: 'orders',
                    description: 'One row per order',
                    database: 'ANALYTICS',
                    schema: 'PROD',
                    alias: null,
                    materializedType: 'table',
                    executionInfo: {
                      lastRunStatus: 'success',
                      lastRunError: null,
                      lastRunId: 70403103936247,
                      lastSuccessRunId: '70403103936247',
                      lastJobDefinitionId: 70403103936087,
                      executeStartedAt: '2024-05-27T10:43:01.112Z',
                      executeCompletedAt: '2024-05-27T10:43:04.950Z',
                      runElapsedTime: 3.84,
                    },
                  },
                },
              ],
            },
          },
        },
      },
    });
    expect(page).toMatchObject({
      environmentFound: true,
      totalCount: 2,
      hasNextPage: true,
      endCursor: 'Y3Vyc29yOjA=',
    });
    expect(mapModelExecution(page.nodes[0])).toEqual({
      uniqueId: 'model.jaffle_shop.orders',
      name: 'orders',
      description: 'One row per order',
      database: 'ANALYTICS',
      schema: 'PROD',
      alias: null,
      materializedType: 'table',
      lastRunStatus: 'success',
      lastRunError: null,
      lastRunId: '70403103936247',
      lastSuccessRunId: '70403103936247',
      lastJobId: '70403103936087',
      executeStartedAt: new Date('2024-05-27T10:43:01.112Z'),
      executeCompletedAt: new Date('2024-05-27T10:43:04.950Z'),
      runElapsedTime: 3.84,
    });
    expect(mapModelExecution({ uniqueId: 'model.a.b' })).toMatchObject({
      lastRunId: null,
      runElapsedTime: null,
    });
    expect(readModelsPage({ data: { environment: null } }).environmentFound).toBe(false);
  });
});
