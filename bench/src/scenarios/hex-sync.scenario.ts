import { setTimeout as sleep } from 'node:timers/promises';
import { FakeHex, type TestStack } from '@cartograph/platform/testing';
import { Cleanup, addWorkerReplica, prepareStackDatabase, startBenchStack } from '../lib/stack.js';
import { formatNumber } from '../lib/table.js';
import { atMost, info, type Metrics, type Scenario, type ScenarioContext } from '../scenario.js';

/*
 * Hex sync through the gateway, in two phases on one stack:
 * 1. 10,000 projects from FakeHex with no rate limit: one full sync (100 pages of 100), timed.
 * 2. Hex's limit of 60 requests per window (the window shortened to 6 s by default, so the phase takes seconds, not
 *    minutes; the client is configured for 55 per window): two connections with the same token synced at once by
 *    two worker processes, which share one Redis token bucket. Every request and every 429 the fake answered is
 *    counted.
 */
const TOKEN = 'hxtw_bench0123456789abcdefghijkl';
const TERMINAL = new Set(['succeeded', 'failed']);
const POLL_MS = 200;

interface SyncRunView {
  id: string;
  state: string;
  counts: Record<string, number> | null;
  error: { code: string; message: string } | null;
}

function populate(hex: FakeHex, count: number, offset: number): void {
  const start = Date.parse('2025-01-01T00:00:00Z');
  for (let index = 0; index < count; index += 1) {
    const number = offset + index;
    hex.project({
      title: `Analysis ${String(number).padStart(5, '0')}`,
      description: number % 3 === 0 ? 'Weekly revenue by region and channel.' : null,
      creatorEmail: `user${number % 40}@acme.test`,
      status: number % 4 === 0 ? 'Approved' : null,
      categories: number % 5 === 0 ? ['Finance'] : [],
      collections: number % 7 === 0 ? ['Board'] : [],
      type: number % 50 === 0 ? 'COMPONENT' : 'PROJECT',
      createdAt: new Date(start + number * 60_000),
      lastEditedAt: new Date(start + number * 60_000 + 30_000),
      lastPublishedAt: number % 2 === 0 ? new Date(start + number * 60_000 + 45_000) : null,
      appViews: { allTime: number % 100, lastSevenDays: number % 7 },
      schedules: number % 10 === 0 ? [{ cadence: 'DAILY', hour: 6 }] : [],
    });
  }
}

async function createConnection(stack: TestStack, name: string, host: string): Promise<string> {
  const created = await stack.graphql<{ createHexConnection: { id: string } }>(
    `mutation($input: CreateHexConnectionInput!) { createHexConnection(input: $input) { id } }`,
    { input: { name, host, workspaceSlug: 'acme', token: TOKEN } },
  );
  const id = created.body.data?.createHexConnection.id;
  if (!id)
    throw new Error(`createHexConnection failed: ${JSON.stringify(created.body.errors ?? created.body)}`);
  return id;
}

async function startSync(stack: TestStack, connectionId: string): Promise<string> {
  const answer = await stack.graphql<{ syncHexConnection: { id: string } }>(
    `mutation($id: ID!) { syncHexConnection(id: $id, full: true) { id } }`,
    { id: connectionId },
  );
  const runId = answer.body.data?.syncHexConnection.id;
  if (!runId)
    throw new Error(`syncHexConnection failed: ${JSON.stringify(answer.body.errors ?? answer.body)}`);
  return runId;
}

async function finished(
  context: ScenarioContext,
  stack: TestStack,
  connectionId: string,
  runId: string,
  timeoutSeconds: number,
): Promise<SyncRunView> {
  const deadline = performance.now() + timeoutSeconds * 1_000;
  let lastLog = performance.now();
  let last: SyncRunView | undefined;
  while (performance.now() < deadline) {
    const { body } = await stack.graphql<{
      hexConnection: { syncRuns: { edges: { node: SyncRunView }[] } } | null;
    }>(
      `query($id: ID!) { hexConnection(id: $id) { syncRuns(first: 5) { edges { node { id state counts error { code message } } } } } }`,
      { id: connectionId },
    );
    last = body.data?.hexConnection?.syncRuns.edges
      .map((edge) => edge.node)
      .find((node) => node.id === runId);
    if (last && TERMINAL.has(last.state)) return last;
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

export const hexSyncScenario: Scenario = {
  name: 'hex-sync',
  description:
    'Hex sync of 10,000 projects without a rate limit (≤ 10 s), then two workers under the 60-requests-per-window limit (no 429)',
  options: [
    { name: 'projects', description: 'projects of the unlimited phase', default: 10_000 },
    {
      name: 'limited-projects',
      description: 'projects of the rate-limited phase (each of 2 connections lists them)',
      default: 5_000,
    },
    {
      name: 'window',
      description: "milliseconds of the fake's rate-limit window (Hex: 60000)",
      default: 6_000,
    },
    { name: 'requests', description: 'requests the fake allows per window (Hex: 60)', default: 60 },
    { name: 'timeout', description: 'seconds to wait for a sync', default: 600 },
    {
      name: 'database',
      description: 'database (dropped and recreated)',
      default: 'cartograph_bench_hex_sync',
    },
  ],

  async run(context) {
    const { options } = context;
    const projects = options.number('projects', 10_000, { min: 1 });
    const limitedProjects = options.number('limited-projects', 5_000, { min: 1 });
    const windowMs = options.number('window', 6_000, { min: 100 });
    const allowed = options.number('requests', 60, { min: 2 });
    const timeout = options.number('timeout', 600, { min: 1 });
    const database = options.string('database', 'cartograph_bench_hex_sync');
    // 55 of the 60 per window, as a rate per minute; a burst of 3 keeps any window at 55 + 3 at most.
    const clientPerMinute = Math.floor(((allowed - 5) * 60_000) / windowMs);
    Object.assign(context.parameters, {
      projects,
      limitedProjects,
      windowMs,
      allowed,
      clientPerMinute,
      burst: 3,
      database,
    });

    const cleanup = new Cleanup(context);
    try {
      const hex = new FakeHex();
      const host = await hex.start();
      cleanup.add('fake Hex', () => hex.stop());
      hex.token(TOKEN);
      for (let user = 0; user < 40; user += 1)
        hex.user({ email: `user${user}@acme.test`, name: `User ${user}` });
      populate(hex, projects, 0);
      context.log(`fake Hex at ${host}: ${formatNumber(projects)} projects, no rate limit`);

      const url = await prepareStackDatabase(context, cleanup, database, { recreate: true });
      const stack = await startBenchStack(context, cleanup, {
        databaseUrl: url,
        project: 'bench-hex-sync',
        services: ['hex'],
        environment: { HEX_REQUESTS_PER_MINUTE: '60000', HEX_RATE_LIMIT_BURST: '60' },
      });

      // Phase 1: no limit.
      const unlimited = await createConnection(stack, 'unlimited', host);
      hex.resetRequests();
      const started = performance.now();
      const first = await finished(context, stack, unlimited, await startSync(stack, unlimited), timeout);
      const seconds = (performance.now() - started) / 1000;
      context.log(
        `unlimited sync ${first.state} in ${seconds.toFixed(1)} s: ${JSON.stringify(first.counts)}; ` +
          `fake saw ${hex.requests.length} requests` +
          (first.error ? `; error ${first.error.code}: ${first.error.message}` : ''),
      );
      const metrics: Metrics = {
        sync_succeeded: info(first.state === 'succeeded' ? 1 : 0, 'bool'),
        sync_seconds: atMost(seconds, 's', 10),
        projects_synced: info(first.counts?.['upserted'] ?? Number.NaN, 'projects'),
        requests: info(hex.requests.length, 'requests'),
        ms_per_project: info((seconds * 1000) / projects, 'ms'),
      };

      // Phase 2: the limit, two connections of one token, two workers.
      hex.rateLimit(undefined);
      for (const id of hex.projectIds()) hex.removeProject(id);
      populate(hex, limitedProjects, 0);
      for (const name of ['hex-worker']) {
        const service = stack.process(name);
        await service.stop();
        await service.start({ HEX_REQUESTS_PER_MINUTE: String(clientPerMinute), HEX_RATE_LIMIT_BURST: '3' });
      }
      const replica = await addWorkerReplica(stack, 'hex', 'hex-worker-2');
      await replica.stop();
      await replica.start({ HEX_REQUESTS_PER_MINUTE: String(clientPerMinute), HEX_RATE_LIMIT_BURST: '3' });
      const connections = [
        await createConnection(stack, 'limited-a', host),
        await createConnection(stack, 'limited-b', host),
      ];
      hex.resetRequests();
      hex.rateLimit({ requests: allowed, windowMs });
      context.log(
        `rate limit: ${allowed} requests per ${windowMs} ms; workers configured for ${clientPerMinute}/min, burst 3; ` +
          `${formatNumber(limitedProjects)} projects per connection`,
      );
      const limitedStarted = performance.now();
      const runs = await Promise.all(connections.map((connection) => startSync(stack, connection)));
      const results = await Promise.all(
        connections.map((connection, index) => finished(context, stack, connection, runs[index]!, timeout)),
      );
      const limitedSeconds = (performance.now() - limitedStarted) / 1000;
      const times = hex.requests
        .map((request) => request.receivedAt.getTime())
        .sort((left, right) => left - right);
      let busiestWindow = 0;
      for (const time of times) {
        busiestWindow = Math.max(
          busiestWindow,
          times.filter((other) => other >= time && other < time + windowMs).length,
        );
      }
      context.log(
        `limited syncs ${results.map((result) => result.state).join(', ')} in ${limitedSeconds.toFixed(1)} s: ` +
          `${hex.requests.length} requests, ${hex.tooManyRequests} answered 429, busiest window ${busiestWindow}`,
      );
      return {
        ...metrics,
        limited_succeeded: info(results.every((result) => result.state === 'succeeded') ? 1 : 0, 'bool'),
        limited_seconds: info(limitedSeconds, 's'),
        limited_requests: info(hex.requests.length, 'requests'),
        limited_http_429: atMost(hex.tooManyRequests, 'answers', 0),
        limited_busiest_window: atMost(busiestWindow, 'requests', allowed),
        limited_requests_per_minute: info((hex.requests.length * 60) / limitedSeconds, 'req/min'),
      };
    } finally {
      await cleanup.run();
    }
  },
};
