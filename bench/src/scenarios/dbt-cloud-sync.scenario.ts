import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildManifest, buildRunResults } from '@cartograph/dbt/testing';
import { FakeDbtCloud, type FakeDbtRunOptions, type TestStack } from '@cartograph/platform/testing';
import { Cleanup, prepareStackDatabase, startBenchStack } from '../lib/stack.js';
import { formatNumber } from '../lib/table.js';
import { atMost, info, type Metrics, type Scenario, type ScenarioContext } from '../scenario.js';

/*
 * A dbt Cloud account of 50 jobs × 200 finished runs (10,000 runs, 100 of them with a dbt step that kept small
 * artifacts) served by FakeDbtCloud under a rate limit; one connection synced through the gateway, then synced
 * again with nothing new.
 */
const TOKEN = 'dbtc_bench0123456789abcdefghijkl';
const ACCOUNT_ID = 4242;
const PROJECT_ID = 1;
const ENVIRONMENT_ID = 5;
const JOBS = 50;
const RUNS_PER_JOB = 200;
const ARTIFACT_RUNS = 100;
const FIRST_JOB_ID = 100;
const FIRST_RUN_ID = 500_000;
const TERMINAL = new Set(['succeeded', 'failed']);
const POLL_MS = 250;

interface SyncRunView {
  id: string;
  state: string;
  counts: Record<string, number> | null;
  error: { code: string; message: string } | null;
}

interface SyncResult {
  run: SyncRunView;
  seconds: number;
}

/** Runs, ids increasing with time, round-robin over the jobs; ARTIFACT_RUNS of them spread over every job. */
function populate(cloud: FakeDbtCloud): { runs: number; withArtifacts: number } {
  const manifest = JSON.stringify(buildManifest(12, { adapterType: 'snowflake' }));
  const total = JOBS * RUNS_PER_JOB;
  const every = Math.floor(total / ARTIFACT_RUNS);
  const start = Date.parse('2026-01-01T00:00:00Z');
  for (let job = 0; job < JOBS; job += 1) {
    cloud.job({
      id: FIRST_JOB_ID + job,
      projectId: PROJECT_ID,
      environmentId: ENVIRONMENT_ID,
      name: `Job ${job + 1}`,
      executeSteps: ['dbt build'],
    });
  }
  let withArtifacts = 0;
  for (let index = 0; index < total; index += 1) {
    const jobIndex = index % JOBS;
    const created = new Date(start + index * 60_000);
    const status = index % 17 === 3 ? 20 : 10;
    const options: FakeDbtRunOptions = {
      id: FIRST_RUN_ID + index,
      jobId: FIRST_JOB_ID + jobIndex,
      status,
      createdAt: created,
      startedAt: new Date(created.getTime() + 5_000),
      finishedAt: new Date(created.getTime() + 45_000),
      gitSha: 'abc123',
      // Like dbt Cloud for a run that kept no target/: `artifacts_saved` is false.
      artifactsSaved: false,
    };
    // index = every·k + (k mod JOBS) lands on job (every·k + k) mod JOBS: with every = 100 and 50 jobs, every job.
    const k = Math.floor(index / every);
    if (index === every * k + (k % every) && withArtifacts < ARTIFACT_RUNS) {
      withArtifacts += 1;
      options.artifactsSaved = true;
      options.steps = [
        {
          name: 'Invoke dbt with `dbt build`',
          artifacts: {
            'manifest.json': manifest,
            'run_results.json': JSON.stringify(
              buildRunResults(6, { adapterType: 'snowflake', which: 'build', invocationId: randomUUID() }),
            ),
          },
        },
      ];
    }
    cloud.run(options);
  }
  return { runs: total, withArtifacts };
}

async function createConnection(stack: TestStack, accessUrl: string): Promise<string> {
  const created = await stack.graphql<{ createDbtCloudConnection: { id: string } }>(
    `mutation($input: CreateDbtCloudConnectionInput!) { createDbtCloudConnection(input: $input) { id } }`,
    { input: { name: 'bench', accountId: String(ACCOUNT_ID), accessUrl, token: TOKEN } },
  );
  const id = created.body.data?.createDbtCloudConnection.id;
  if (!id) {
    throw new Error(
      `createDbtCloudConnection failed: ${JSON.stringify(created.body.errors ?? created.body)}`,
    );
  }
  return id;
}

async function sync(
  context: ScenarioContext,
  stack: TestStack,
  connectionId: string,
  timeoutSeconds: number,
): Promise<SyncResult> {
  const started = performance.now();
  const answer = await stack.graphql<{ syncDbtCloudConnection: { id: string; state: string } }>(
    `mutation($id: ID!) { syncDbtCloudConnection(id: $id) { id state } }`,
    { id: connectionId },
  );
  const runId = answer.body.data?.syncDbtCloudConnection.id;
  if (!runId) {
    throw new Error(`syncDbtCloudConnection failed: ${JSON.stringify(answer.body.errors ?? answer.body)}`);
  }
  const deadline = started + timeoutSeconds * 1_000;
  let lastLog = started;
  let last: SyncRunView | undefined;
  while (performance.now() < deadline) {
    const { body } = await stack.graphql<{
      dbtCloudConnection: { syncRuns: { edges: { node: SyncRunView }[] } } | null;
    }>(
      `query($id: ID!) { dbtCloudConnection(id: $id) { syncRuns(first: 5) { edges { node { id state counts error { code message } } } } } }`,
      { id: connectionId },
    );
    last = body.data?.dbtCloudConnection?.syncRuns.edges
      .map((edge) => edge.node)
      .find((node) => node.id === runId);
    if (last && TERMINAL.has(last.state)) {
      return { run: last, seconds: (performance.now() - started) / 1000 };
    }
    if (performance.now() - lastLog > 10_000) {
      lastLog = performance.now();
      context.log(`sync ${runId}: ${last?.state ?? '?'} ${JSON.stringify(last?.counts ?? {})}`);
    }
    await sleep(POLL_MS);
  }
  throw new Error(
    `sync ${runId} not terminal after ${timeoutSeconds} s (last: ${JSON.stringify(last ?? null)})`,
  );
}

export const dbtCloudSyncScenario: Scenario = {
  name: 'dbt-cloud-sync',
  description:
    'dbt Cloud sync of 10,000 runs (100 with artifacts) under a rate limit: ≤ 60 s, no 429 after the first',
  options: [
    { name: 'rpm', description: 'requests per minute the fake dbt Cloud allows', default: 3000 },
    { name: 'timeout', description: 'seconds to wait for a sync to finish', default: 900 },
    {
      name: 'database',
      description: 'database name (dropped and recreated each run)',
      default: 'cartograph_bench_dbt_cloud_sync',
    },
  ],

  async run(context) {
    const { options } = context;
    const rpm = options.number('rpm', 3000, { min: 10 });
    const timeout = options.number('timeout', 900, { min: 1 });
    const database = options.string('database', 'cartograph_bench_dbt_cloud_sync');
    const clientRpm = Math.max(1, Math.min(5_000, Math.floor(rpm * 0.9)));
    Object.assign(context.parameters, {
      rpm,
      clientRpm,
      timeout,
      database,
      jobs: JOBS,
      runsPerJob: RUNS_PER_JOB,
    });

    const cleanup = new Cleanup(context);
    try {
      const cloud = new FakeDbtCloud();
      const baseUrl = await cloud.start();
      cleanup.add('fake dbt Cloud', () => cloud.stop());
      cloud
        .account({ id: ACCOUNT_ID, name: 'Acme', tokens: { [TOKEN]: { projects: 'all' } } })
        .project({ id: PROJECT_ID, name: 'Analytics', connectionType: 'snowflake' })
        .environment({
          id: ENVIRONMENT_ID,
          projectId: PROJECT_ID,
          name: 'Production',
          deploymentType: 'production',
        });
      const populated = populate(cloud);
      cloud.rateLimit({ requestsPerMinute: rpm });
      context.log(
        `fake dbt Cloud at ${baseUrl}: ${formatNumber(populated.runs)} runs, ${populated.withArtifacts} with artifacts, ` +
          `${rpm} requests/min (the service is configured for ${clientRpm})`,
      );

      const url = await prepareStackDatabase(context, cleanup, database, { recreate: true });
      const stack = await startBenchStack(context, cleanup, {
        databaseUrl: url,
        project: 'bench-dbt-cloud-sync',
        services: ['dbt-artifacts', 'dbt-cloud'],
        environment: {
          DBT_CLOUD_REQUESTS_PER_MINUTE: String(clientRpm),
          DBT_CLOUD_RATE_LIMIT_COOLDOWN_SECONDS: '5',
        },
      });
      // startBenchStack does not set <SERVICE>_URL: point dbt-cloud at the dbt-artifacts port it chose.
      const artifactsHealth = stack.process('dbt-artifacts').healthUrl;
      if (!artifactsHealth) {
        throw new Error('dbt-artifacts has no health URL');
      }
      const artifactsUrl = new URL(artifactsHealth).origin;
      for (const name of ['dbt-cloud', 'dbt-cloud-worker']) {
        const service = stack.process(name);
        await service.stop();
        await service.start({ DBT_ARTIFACTS_URL: artifactsUrl });
      }
      context.log(`dbt-cloud restarted with DBT_ARTIFACTS_URL=${artifactsUrl}`);

      const connectionId = await createConnection(stack, baseUrl);
      cloud.resetRequests();
      cloud.rateLimit({ requestsPerMinute: rpm });

      const first = await sync(context, stack, connectionId, timeout);
      const firstRequests = cloud.requests.length;
      const firstCounts = first.run.counts ?? {};
      const http429 = cloud.requests.filter((request) => request.status === 429).length;
      context.log(
        `sync ${first.run.state} in ${first.seconds.toFixed(1)} s: ${JSON.stringify(firstCounts)}; ` +
          `fake saw ${formatNumber(firstRequests)} requests, ${http429} answered 429` +
          (first.run.error ? `; error ${first.run.error.code}: ${first.run.error.message}` : ''),
      );
      const runs = firstCounts['runs'] ?? Number.NaN;
      const metrics: Metrics = {
        sync_succeeded: info(first.run.state === 'succeeded' ? 1 : 0, 'bool'),
        sync_seconds: atMost(first.seconds, 's', 60),
        requests: info(firstCounts['requests'] ?? Number.NaN, 'requests'),
        fake_requests: info(firstRequests, 'requests'),
        http_429: atMost(http429, 'answers', 1),
        runs: info(runs, 'runs'),
        new_runs: info(firstCounts['newRuns'] ?? Number.NaN, 'runs'),
        artifact_sets: info(firstCounts['artifactSets'] ?? 0, 'sets'),
        overhead_ms_per_run: info((first.seconds * 1000) / runs, 'ms'),
      };

      cloud.resetRequests();
      cloud.rateLimit({ requestsPerMinute: rpm });
      const second = await sync(context, stack, connectionId, timeout);
      context.log(
        `re-sync ${second.run.state} in ${second.seconds.toFixed(2)} s: ${JSON.stringify(second.run.counts ?? {})}; ` +
          `fake saw ${cloud.requests.length} requests` +
          (second.run.error ? `; error ${second.run.error.code}: ${second.run.error.message}` : ''),
      );
      return {
        ...metrics,
        resync_seconds: info(second.seconds, 's'),
        resync_requests: info(second.run.counts?.['requests'] ?? cloud.requests.length, 'requests'),
        resync_fake_requests: info(cloud.requests.length, 'requests'),
      };
    } finally {
      await cleanup.run();
    }
  },
};
