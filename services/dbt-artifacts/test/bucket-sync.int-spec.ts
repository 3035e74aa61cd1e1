import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { SyncBucket } from '@cartograph/contracts';
import { buildCatalog, buildManifest, buildRunResults, buildSources } from '@cartograph/dbt/testing';
import { JobQueue } from '@cartograph/platform/queue';
import {
  eventually,
  freePort,
  startAzurite,
  startS3Emulator,
  type Azurite,
  type S3Emulator,
} from '@cartograph/platform/testing';
import {
  admin,
  editor,
  startDbtArtifacts,
  viewer,
  type DbtArtifactsTestApp,
} from './dbt-artifacts-test-app.js';

// Bucket sync against real emulators (DESIGN §6): s3rver (S3, and GCS through its S3-compatible API) and
// azurite (Azure Blob). Each connection ingests as its own dbt project, so its sets are its own.

const BUCKET = 'dbt-prod';
const WRONG_SECRET = 'wrong-secret-Zx81QpLm0vT3-do-not-echo';
const SECOND_INVOCATION = 'a0000000-0000-4000-8000-000000000002';

const RUN = `id connectionId state trigger counts error { code message } problems { key message } artifactSetIds
  queuedAt startedAt finishedAt`;
const CONNECTION = `id name provider bucket prefix region endpoint forcePathStyle credentialsHint project instance
  schedule { kind cron startDate endDate } createdAt updatedAt lastSync { ${RUN} }
  syncRuns(first: 20) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { ${RUN} } } }`;

const json = (value: unknown) => JSON.stringify(value);

/** Two dbt invocations: `target/` (plain JSON) and `runs/2026-11-02/` (a gzipped manifest), plus noise. */
const objects: [string, string | Buffer][] = [
  ['dbt/target/manifest.json', json(buildManifest(12))],
  ['dbt/target/catalog.json', json(buildCatalog())],
  ['dbt/target/run_results.json', json(buildRunResults(6, { which: 'build' }))],
  ['dbt/target/sources.json', json(buildSources(3))],
  ['dbt/target/compiled/jaffle_shop/models/orders.sql', 'select 1'],
  [
    'dbt/runs/2026-11-02/manifest.json.gz',
    gzipSync(
      json(buildManifest(12, { generatedAt: '2026-11-02T06:00:00Z', invocationId: SECOND_INVOCATION })),
    ),
  ],
  [
    'dbt/runs/2026-11-02/run_results.json',
    json(
      buildRunResults(6, {
        which: 'build',
        generatedAt: '2026-11-02T06:10:00Z',
        invocationId: SECOND_INVOCATION,
      }),
    ),
  ],
  ['elsewhere/manifest.json', '{}'],
];

interface Run {
  id: string;
  state: string;
  trigger: string;
  counts: Record<string, number>;
  error: { code: string; message: string } | null;
  problems: { key: string; message: string }[];
  artifactSetIds: string[];
}

/** An S3 front that adds hostile keys to every listing of one bucket (no emulator stores them) and logs GETs. */
async function startHostileLister(
  target: string,
  bucket: string,
  keys: string[],
): Promise<{ endpoint: string; requests: string[]; server: Server }> {
  const requests: string[] = [];
  const server = createServer((incoming, outgoing) => {
    requests.push(`${incoming.method} ${incoming.url}`);
    const url = new URL(incoming.url ?? '/', 'http://front');
    const listing =
      incoming.method === 'GET' &&
      url.pathname.replace(/\/$/, '') === `/${bucket}` &&
      url.searchParams.get('list-type') === '2';
    // Headers pass unchanged: the signature covers the Host the client saw, which the emulator checks.
    const forwarded = request(
      `${target}${incoming.url}`,
      { method: incoming.method, headers: incoming.headers },
      (answer) => {
        if (!listing || answer.statusCode !== 200) {
          outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(outgoing);
          return;
        }
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
          const extra = keys
            .map(
              (key) =>
                `<Contents><Key>${key}</Key><LastModified>2026-11-03T06:00:00.000Z</LastModified>` +
                `<ETag>&quot;0123456789abcdef&quot;</ETag><Size>2</Size><StorageClass>STANDARD</StorageClass></Contents>`,
            )
            .join('');
          const body = Buffer.from(
            Buffer.concat(chunks)
              .toString('utf8')
              .replace('</ListBucketResult>', `${extra}</ListBucketResult>`),
          );
          const headers = { ...answer.headers, 'content-length': String(body.length) };
          delete headers['transfer-encoding'];
          outgoing.writeHead(200, headers);
          outgoing.end(body);
        });
      },
    );
    forwarded.on('error', () => outgoing.destroy());
    incoming.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, server };
}

describe('dbt bucket sync', () => {
  let app: DbtArtifactsTestApp;
  let s3: S3Emulator;
  let azurite: Azurite;

  beforeAll(async () => {
    [app, s3, azurite] = await Promise.all([
      startDbtArtifacts({ ARTIFACT_MAX_BYTES: String(4 * 1024 * 1024) }),
      startS3Emulator(),
      startAzurite(),
    ]);
    await s3.createBucket(BUCKET);
    await azurite.createContainer(BUCKET);
    for (const [key, body] of objects) {
      await s3.putObject(BUCKET, key, body);
      await azurite.putBlob(BUCKET, key, body);
    }
  }, 60_000);

  afterAll(async () => {
    await Promise.all([app?.close(), s3?.stop(), azurite?.stop()]);
  });

  async function createConnection(input: Record<string, unknown>) {
    const { body } = await app.graphql(
      `mutation($input: CreateDbtBucketConnectionInput!) { createDbtBucketConnection(input: $input) { ${CONNECTION} } }`,
      { input: { prefix: 'dbt', ...input } },
      admin,
    );
    expect(body.errors).toBeUndefined();
    return body.data.createDbtBucketConnection;
  }

  async function connection(id: string) {
    const { body } = await app.graphql(
      `query($id: ID!) { dbtBucketConnection(id: $id) { ${CONNECTION} } }`,
      { id },
      viewer,
    );
    expect(body.errors).toBeUndefined();
    return body;
  }

  async function testConnection(id: string) {
    const { body } = await app.graphql(
      `mutation($id: ID!) { testDbtBucketConnection(id: $id) { ok error { code message } } }`,
      { id },
      admin,
    );
    expect(body.errors).toBeUndefined();
    return { result: body.data.testDbtBucketConnection, text: JSON.stringify(body) };
  }

  async function finished(connectionId: string, runId: string): Promise<Run> {
    return eventually(async () => {
      const body = await connection(connectionId);
      const run = body.data.dbtBucketConnection.syncRuns.edges
        .map((edge: { node: Run }) => edge.node)
        .find((node: Run) => node.id === runId);
      return run && ['succeeded', 'failed'].includes(run.state) ? (run as Run) : null;
    }, 40_000);
  }

  async function sync(connectionId: string): Promise<Run> {
    const { body } = await app.graphql(
      `mutation($id: ID!) { syncDbtBucketConnection(id: $id) { ${RUN} } }`,
      { id: connectionId },
      editor,
    );
    expect(body.errors).toBeUndefined();
    expect(body.data.syncDbtBucketConnection).toMatchObject({ trigger: 'manual' });
    return finished(connectionId, body.data.syncDbtBucketConnection.id);
  }

  async function modelNames(project: string): Promise<string[]> {
    const { body } = await app.graphql(
      `query($project: String!) { dbtNodes(filter: { project: $project, types: ["model"] }, first: 100) {
         edges { node { name } } } }`,
      { project },
      viewer,
    );
    expect(body.errors).toBeUndefined();
    return body.data.dbtNodes.edges.map((edge: any) => edge.node.name);
  }

  /** First sync: both folders are new, become artifact sets, and are ingested. */
  async function expectFirstSync(connectionId: string, project: string): Promise<Run> {
    const run = await sync(connectionId);
    expect(run).toMatchObject({ state: 'succeeded', error: null, problems: [] });
    expect(run.counts).toMatchObject({
      folders: 2,
      new: 2,
      unchanged: 0,
      failed: 0,
      downloads: 6,
      artifactSets: 2,
      unsafeKeys: 0,
    });
    expect(run.counts.downloadedBytes).toBeGreaterThan(10_000);
    expect(run.artifactSetIds).toHaveLength(2);
    for (const id of run.artifactSetIds) {
      expect(await app.settled(id)).toMatchObject({ state: 'succeeded', origin: 'bucket' });
    }
    expect(await modelNames(project)).toEqual(expect.arrayContaining(['orders', 'customers']));
    return run;
  }

  /** Second sync: same keys and ETags, nothing downloaded, no new set. */
  async function expectUnchangedSync(connectionId: string): Promise<Run> {
    const run = await sync(connectionId);
    expect(run).toMatchObject({ state: 'succeeded', error: null, problems: [], artifactSetIds: [] });
    expect(run.counts).toMatchObject({ folders: 2, new: 0, unchanged: 2, downloads: 0, downloadedBytes: 0 });
    return run;
  }

  /** Object GETs (path-style `/bucket/key`), as opposed to listings (`/bucket?list-type=2`). */
  const objectGets = (requests: readonly { method: string; url: string }[]) =>
    requests.filter((entry) => entry.method === 'GET' && /^\/[^/?]+\/[^?]/.test(entry.url));

  it('S3: creates a connection that never returns its secret, tests it, syncs, and skips what it has seen', async () => {
    const created = await createConnection({
      name: 'acme-s3',
      provider: 'S3',
      bucket: BUCKET,
      endpoint: s3.endpoint,
      region: 'eu-west-1',
      forcePathStyle: true,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
      project: 's3_shop',
    });
    expect(created).toMatchObject({
      provider: 'S3',
      prefix: 'dbt/',
      region: 'eu-west-1',
      forcePathStyle: true,
      credentialsHint: '…',
      schedule: { kind: 'MANUAL', cron: null },
      lastSync: null,
      syncRuns: { totalCount: 0 },
    });
    expect((await testConnection(created.id)).result).toEqual({ ok: true, error: null });

    const first = await expectFirstSync(created.id, 's3_shop');
    const events = await app.dataSource.query(
      `SELECT "type", "data" FROM "dbt_artifacts"."outbox" WHERE "data"->>'syncRunId' = $1 ORDER BY "time"`,
      [first.id],
    );
    expect(events.map((event: any) => event.type)).toEqual(['sync.started', 'sync.completed']);
    expect(events[1].data).toMatchObject({
      service: 'dbt-artifacts',
      connectionId: created.id,
      counts: { folders: 2, new: 2 },
    });

    const before = s3.requests.length;
    await expectUnchangedSync(created.id);
    const during = s3.requests.slice(before);
    expect(during.filter((entry) => entry.url.includes('list-type=2')).length).toBeGreaterThan(0);
    expect(objectGets(during)).toEqual([]);

    // A scheduled job carries no run id: it makes its own run, with trigger `schedule`.
    await app.api.get(JobQueue).enqueue(SyncBucket, { connectionId: created.id });
    const scheduled = await eventually(async () => {
      const run = (await connection(created.id)).data.dbtBucketConnection.lastSync;
      return run?.trigger === 'schedule' && run.state === 'succeeded' ? run : null;
    }, 30_000);
    expect(scheduled.counts).toMatchObject({ unchanged: 2, new: 0 });

    const body = await connection(created.id);
    expect(body.data.dbtBucketConnection.syncRuns.totalCount).toBe(3);
    // Nothing anywhere in what the API returns holds the secret.
    expect(JSON.stringify(body)).not.toContain(s3.secretAccessKey);
    expect(JSON.stringify(created)).not.toContain(s3.secretAccessKey);
  });

  it('GCS: the S3-compatible API, path style, signed for region auto', async () => {
    const created = await createConnection({
      name: 'acme-gcs',
      provider: 'GCS',
      bucket: BUCKET,
      endpoint: s3.endpoint,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
      project: 'gcs_shop',
    });
    expect(created).toMatchObject({ provider: 'GCS', region: 'auto', forcePathStyle: true });
    const before = s3.requests.length;
    await expectFirstSync(created.id, 'gcs_shop');
    const signed = s3.requests.slice(before).filter((entry) => entry.signedRegion !== null);
    expect(signed.length).toBeGreaterThan(0);
    expect(new Set(signed.map((entry) => entry.signedRegion))).toEqual(new Set(['auto']));
    const again = s3.requests.length;
    await expectUnchangedSync(created.id);
    expect(objectGets(s3.requests.slice(again))).toEqual([]);

    // Another project for the same folders: what was remembered no longer holds, so they are synced again.
    const { body } = await app.graphql(
      `mutation($id: ID!) { updateDbtBucketConnection(id: $id, input: { project: "gcs_shop_2" }) { project } }`,
      { id: created.id },
      admin,
    );
    expect(body.data.updateDbtBucketConnection.project).toBe('gcs_shop_2');
    await expectFirstSync(created.id, 'gcs_shop_2');
  });

  it('Azure Blob: the same first and second sync', async () => {
    const created = await createConnection({
      name: 'acme-azure',
      provider: 'AZURE',
      bucket: BUCKET,
      endpoint: azurite.accountUrl,
      credentials: { accountName: azurite.accountName, accountKey: azurite.accountKey },
      project: 'azure_shop',
    });
    expect(created).toMatchObject({ provider: 'AZURE', region: null, credentialsHint: '…Gw==' });
    expect((await testConnection(created.id)).result).toEqual({ ok: true, error: null });
    await expectFirstSync(created.id, 'azure_shop');
    await expectUnchangedSync(created.id);
    expect(JSON.stringify(await connection(created.id))).not.toContain(azurite.accountKey);
  });

  it('a wrong secret: the test says UPSTREAM_AUTH_FAILED, the sync fails clearly, the secret is nowhere', async () => {
    const created = await createConnection({
      name: 'acme-wrong-secret',
      provider: 'S3',
      bucket: BUCKET,
      endpoint: s3.endpoint,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: WRONG_SECRET },
      project: 'wrong_shop',
    });
    expect(created.credentialsHint).toBe('…echo');
    const tested = await testConnection(created.id);
    expect(tested.result.ok).toBe(false);
    expect(tested.result.error.code).toBe('UPSTREAM_AUTH_FAILED');
    expect(tested.result.error.message).toMatch(/refused the credentials for bucket 'dbt-prod'/);
    expect(tested.text).not.toContain(WRONG_SECRET);

    const run = await sync(created.id);
    expect(run.state).toBe('failed');
    expect(run.error).toEqual({
      code: 'UPSTREAM_AUTH_FAILED',
      message: "S3 refused the credentials for bucket 'dbt-prod' (SignatureDoesNotMatch)",
    });
    expect(run.counts).toMatchObject({ new: 0, downloads: 0 });
    const events = await app.dataSource.query(
      `SELECT "type", "data" FROM "dbt_artifacts"."outbox" WHERE "data"->>'syncRunId' = $1 ORDER BY "time"`,
      [run.id],
    );
    expect(events.map((event: any) => event.type)).toEqual(['sync.started', 'sync.failed']);
    expect(events[1].data.error.code).toBe('UPSTREAM_AUTH_FAILED');
    const stored = await app.dataSource.query(
      `SELECT * FROM "dbt_artifacts"."bucket_connection" WHERE "id" = $1`,
      [created.id],
    );
    for (const text of [
      JSON.stringify(await connection(created.id)),
      JSON.stringify(events),
      JSON.stringify(stored),
    ]) {
      expect(text).not.toContain(WRONG_SECRET);
    }

    // Fixing the secret is an update; the next test of the connection passes.
    const { body } = await app.graphql(
      `mutation($id: ID!, $input: UpdateDbtBucketConnectionInput!) {
         updateDbtBucketConnection(id: $id, input: $input) { credentialsHint } }`,
      {
        id: created.id,
        input: { credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } },
      },
      admin,
    );
    expect(body.errors).toBeUndefined();
    expect(body.data.updateDbtBucketConnection.credentialsHint).toBe('…');
    expect((await testConnection(created.id)).result).toEqual({ ok: true, error: null });
  });

  it('a missing bucket fails the run with NOT_FOUND and no retry', async () => {
    const created = await createConnection({
      name: 'acme-missing',
      provider: 'S3',
      bucket: 'no-such-bucket',
      endpoint: s3.endpoint,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    });
    const run = await sync(created.id);
    expect(run).toMatchObject({ state: 'failed', error: { code: 'NOT_FOUND' } });
    expect(run.error!.message).toMatch(/no-such-bucket/);
  });

  it('an unreachable endpoint is retried by BullMQ (the run waits in queued), then fails', async () => {
    const created = await createConnection({
      name: 'acme-unreachable',
      provider: 'S3',
      bucket: BUCKET,
      endpoint: `http://127.0.0.1:${await freePort()}`,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    });
    const { body } = await app.graphql(
      `mutation($id: ID!) { syncDbtBucketConnection(id: $id) { id } }`,
      { id: created.id },
      editor,
    );
    const runId = body.data.syncDbtBucketConnection.id;
    const retrying = await eventually(async () => {
      const run = (await connection(created.id)).data.dbtBucketConnection.lastSync;
      return run?.state === 'queued' && run.error ? run : null;
    });
    expect(retrying.error.code).toBe('UPSTREAM_UNAVAILABLE');
    // Three attempts with exponential backoff (5 s, 10 s, half of it jitter).
    const run = await finished(created.id, runId);
    expect(run.state).toBe('failed');
    expect(run.error!.code).toBe('UPSTREAM_UNAVAILABLE');
    const events = await app.dataSource.query(
      `SELECT "type" FROM "dbt_artifacts"."outbox" WHERE "data"->>'syncRunId' = $1 ORDER BY "time"`,
      [runId],
    );
    expect(events.map((event: any) => event.type)).toEqual([
      'sync.started',
      'sync.started',
      'sync.started',
      'sync.failed',
    ]);
  }, 45_000);

  it('hostile keys become problems, are never downloaded, and the rest is synced', async () => {
    const hostile = ['dbt/x/../manifest.json', '/etc/manifest.json'];
    await s3.createBucket('dbt-hostile');
    for (const [key, body] of objects.filter(([key]) => key.startsWith('dbt/target/'))) {
      await s3.putObject('dbt-hostile', key, body);
    }
    // Rewritten by the gzip check, not the key check: a folder that fails is a problem too.
    await s3.putObject(
      'dbt-hostile',
      'dbt/broken/manifest.json.gz',
      Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x01]),
    );
    const front = await startHostileLister(s3.endpoint, 'dbt-hostile', hostile);
    try {
      const created = await createConnection({
        name: 'acme-hostile',
        provider: 'S3',
        bucket: 'dbt-hostile',
        endpoint: front.endpoint,
        credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
        project: 'hostile_shop',
      });
      const run = await sync(created.id);
      expect(run.state).toBe('succeeded');
      expect(run.counts).toMatchObject({ folders: 2, new: 1, failed: 1, unsafeKeys: 2, artifactSets: 1 });
      const problems = Object.fromEntries(run.problems.map((problem) => [problem.key, problem.message]));
      expect(problems['dbt/x/../manifest.json']).toMatch(/'\.\.' segment; it was not downloaded/);
      expect(problems['/etc/manifest.json']).toMatch(/absolute/);
      expect(problems['dbt/broken/manifest.json.gz']).toMatch(/not readable gzip|end of file/);
      expect(front.requests.filter((entry) => entry.includes('..') || entry.includes('/etc/'))).toEqual([]);
      expect(await app.settled(run.artifactSetIds[0]!)).toMatchObject({ state: 'succeeded' });
      expect(await modelNames('hostile_shop')).toContain('orders');
    } finally {
      front.server.closeAllConnections();
      await new Promise((resolve) => front.server.close(resolve));
    }
  });
});
