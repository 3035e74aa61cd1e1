import { SyncRunsRepository } from '@cartograph/platform/sync';
import { FakeHex } from '@cartograph/platform/testing';
import { createHexClient } from '../src/modules/hex-api/hex.client.js';
import { HexSyncService } from '../src/modules/sync/hex-sync.service.js';
import { startHex, type HexTestApp } from './hex-test-app.js';

// The sync against the fake in this process: resuming at the page a failed attempt reached, and the shared
// Redis token bucket keeping parallel syncs of one token under Hex's limit.

const TOKEN = 'hxtw_limits_0123456789abcdefghij';
const PROJECTS = 450;

describe('Hex sync: checkpoints and the shared rate limit', () => {
  const hex = new FakeHex();
  let app: HexTestApp;

  beforeAll(async () => {
    await hex.start();
    hex.token(TOKEN).user({ email: 'ana@acme.test' });
    for (let index = 0; index < PROJECTS; index++) {
      hex.project({
        title: `Project ${String(index).padStart(4, '0')}`,
        createdAt: new Date(Date.UTC(2025, 0, 1, 0, index)),
        lastEditedAt: new Date(Date.UTC(2025, 1, 1, 0, index)),
      });
    }
    // 9 requests a second for the token, a burst of 1: any 1-second window sees at most 10.
    app = await startHex({ HEX_REQUESTS_PER_MINUTE: '540', HEX_RATE_LIMIT_BURST: '1' }, { worker: true });
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await hex.stop();
  });

  async function connect(name: string): Promise<string> {
    const { body } = await app.graphql(
      `mutation($input: CreateHexConnectionInput!) { createHexConnection(input: $input) { id } }`,
      { input: { name, host: hex.baseUrl, workspaceSlug: 'acme', token: TOKEN } },
    );
    expect(body.errors).toBeUndefined();
    return body.data.createHexConnection.id;
  }

  /** A sync_run row without a queued job: the test plays the worker's attempts itself. */
  async function run(connectionId: string): Promise<string> {
    const created = await app.api
      .get(SyncRunsRepository)
      .create(undefined, { connectionId, state: 'queued', trigger: 'manual' });
    return created.id;
  }

  async function syncRun(connectionId: string, id: string): Promise<any> {
    const { body } = await app.graphql(
      `query($id: ID!) { hexConnection(id: $id) { syncRuns { edges { node { id state counts error { code } } } } } }`,
      { id: connectionId },
    );
    return body.data.hexConnection.syncRuns.edges
      .map((edge: any) => edge.node)
      .find((node: any) => node.id === id);
  }

  it('a sync that failed on page 3 resumes at page 3 on its next attempt', async () => {
    const connectionId = await connect('resume');
    const runId = await run(connectionId);
    const sync = app.worker!.get(HexSyncService);
    hex.resetRequests();
    // Pages 1 and 2 pass, then page 3 gets 429 until the client gives up (6 attempts, Retry-After 0).
    hex.fail(6, 429, { path: '/api/v1/projects', skip: 2, headers: { 'retry-after': '0' } });
    const first = await sync.sync(connectionId, runId, 1, true).catch((error: unknown) => error);
    expect(first).toMatchObject({ code: 'RATE_LIMITED' });
    const failed = await syncRun(connectionId, runId);
    expect(failed.state).toBe('queued');
    expect(failed.error.code).toBe('RATE_LIMITED');
    expect(failed.counts).toMatchObject({ pages: 2, upserted: 200 });
    const third = hex.requestsTo('/api/v1/projects').at(-1)!.searchParams.get('after');
    expect(third).toBeTruthy();

    hex.resetRequests();
    expect(await sync.sync(connectionId, runId, 2)).toBe('done');
    const done = await syncRun(connectionId, runId);
    expect(done.state).toBe('succeeded');
    expect(done.counts).toMatchObject({ full: 1, pages: 5, upserted: PROJECTS, removed: 0 });
    // The second attempt started at the third page: pages 1 and 2 were not asked for again.
    const listings = hex.requestsTo('/api/v1/projects');
    expect(listings[0]!.searchParams.get('after')).toBe(third);
    expect(listings).toHaveLength(3);
    const { body } = await app.graphql(
      `query($id: String) { hexProjects(filter: { connectionId: $id }) { totalCount } }`,
      {
        id: connectionId,
      },
    );
    expect(body.data.hexProjects.totalCount).toBe(PROJECTS);
  }, 120_000);

  it('parallel syncs of one token share one Redis bucket and get no 429 from a limit of 10 a second', async () => {
    hex.resetRequests();
    hex.rateLimit({ requests: 10, windowMs: 1_000 });
    try {
      const connections = [
        await connect('parallel-a'),
        await connect('parallel-b'),
        await connect('parallel-c'),
      ];
      const sync = app.worker!.get(HexSyncService);
      const runs = await Promise.all(connections.map((connectionId) => run(connectionId)));
      // Three syncs at once (as three workers would run them), one token.
      await Promise.all(
        connections.map((connectionId, index) => sync.sync(connectionId, runs[index], 1, true)),
      );
      for (const [index, connectionId] of connections.entries()) {
        const finished = await syncRun(connectionId, runs[index]!);
        expect(finished.state).toBe('succeeded');
        expect(finished.counts.rateLimited).toBe(0);
      }
      // 3 × (1 users + 5 pages) requests, never over 10 in a second.
      expect(hex.requests.length).toBeGreaterThanOrEqual(18);
      expect(hex.tooManyRequests).toBe(0);
      const times = hex.requests.map((request) => request.receivedAt.getTime()).sort((a, b) => a - b);
      for (const time of times) {
        expect(times.filter((other) => other >= time && other < time + 1_000).length).toBeLessThanOrEqual(10);
      }
    } finally {
      hex.rateLimit(undefined);
    }
  }, 120_000);

  it('without the shared limiter the same listing meets 429s, waits Retry-After and still finishes', async () => {
    hex.resetRequests();
    hex.rateLimit({ requests: 3, windowMs: 1_000 });
    const client = createHexClient({ host: hex.baseUrl, token: TOKEN });
    try {
      let listed = 0;
      for await (const page of client.projectPages({
        includeComponents: true,
        includeArchived: false,
        includeTrashed: false,
      })) {
        listed += page.values.length;
      }
      expect(listed).toBe(PROJECTS);
      expect(client.rateLimitedCount).toBeGreaterThan(0);
      expect(hex.tooManyRequests).toBe(client.rateLimitedCount);
    } finally {
      hex.rateLimit(undefined);
      await client.close();
    }
  }, 60_000);

  it('retries 5xx answers and slow pages, then lists everything', async () => {
    hex.resetRequests();
    const client = createHexClient(
      { host: hex.baseUrl, token: TOKEN },
      { timeoutMs: 2_000, retry: { baseDelayMs: 10, maxDelayMs: 20 } },
    );
    try {
      hex.fail(2, 502, { path: '/api/v1/projects', skip: 1 });
      hex.delay(5_000, { path: '/api/v1/projects', times: 1 });
      let listed = 0;
      for await (const page of client.projectPages({
        includeComponents: true,
        includeArchived: false,
        includeTrashed: false,
      })) {
        listed += page.values.length;
      }
      expect(listed).toBe(PROJECTS);
      // 5 pages, one slow answer abandoned and two 502s repeated.
      expect(client.requestCount).toBe(8);
    } finally {
      hex.delay(0);
      await client.close();
    }
  }, 60_000);

  it('hexProjects pages through every project with first/after (Relay connection)', async () => {
    const connectionId = (
      await app.graphql(`{ hexConnections { edges { node { id name } } } }`)
    ).body.data.hexConnections.edges
      .map((edge: any) => edge.node)
      .find((node: any) => node.name === 'resume').id;
    const seen = new Set<string>();
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const { body }: { body: any } = await app.graphql(
        `query($id: String, $after: String) { hexProjects(filter: { connectionId: $id }, first: 100, after: $after) {
           totalCount pageInfo { hasNextPage endCursor } edges { node { id title } } } }`,
        { id: connectionId, after },
      );
      expect(body.errors).toBeUndefined();
      expect(body.data.hexProjects.totalCount).toBe(PROJECTS);
      for (const edge of body.data.hexProjects.edges) seen.add(edge.node.id);
      pages += 1;
      if (!body.data.hexProjects.pageInfo.hasNextPage) break;
      after = body.data.hexProjects.pageInfo.endCursor;
    }
    expect(seen.size).toBe(PROJECTS);
    expect(pages).toBe(5);
    const unknown = await app.graphql(`{ hexProjects(filter: { connectionId: "nope" }) { totalCount } }`);
    expect(unknown.body.data.hexProjects.totalCount).toBe(0);
  });
});
