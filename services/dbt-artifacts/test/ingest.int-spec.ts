import { gzipSync } from 'node:zlib';
import {
  buildCatalog,
  buildManifest,
  buildRunResults,
  buildSources,
  jaffleShopIds,
} from '@cartograph/dbt/testing';
import { signIdentity } from '@cartograph/platform/auth';
import {
  INTERNAL_SECRET,
  editor,
  startDbtArtifacts,
  viewer,
  type DbtArtifactsTestApp,
} from './dbt-artifacts-test-app.js';

const json = (value: unknown) => JSON.stringify(value);
const ids = jaffleShopIds(12);
const ordersId = ids.models.find((id) => id.endsWith('.orders'))!;

/**
 * Every row version in every table of the schema (ctid and xmin change on any insert, update or delete), to
 * prove that something wrote nothing.
 */
async function rowCounts(app: DbtArtifactsTestApp): Promise<Record<string, string>> {
  const tables = [
    'artifact_blob',
    'artifact_blob_chunk',
    'artifact_set',
    'project',
    'node',
    'edge',
    'run',
    'run_result',
    'freshness_check',
    'latest_result',
    'latest_freshness',
    'outbox',
  ];
  const versions: Record<string, string> = {};
  for (const table of tables) {
    const [row] = await app.dataSource.query(
      `SELECT count(*) || ':' || coalesce(md5(string_agg(ctid::text || '/' || xmin::text, ',' ORDER BY ctid)), '') AS version FROM "dbt_artifacts"."${table}"`,
    );
    versions[table] = row.version;
  }
  return versions;
}

async function ordersNode(app: DbtArtifactsTestApp) {
  const { body } = await app.graphql(
    `query($id: String!) { dbtNode(uniqueId: $id) { name description lastRun { status command }
       tests { name lastRun { status message failures command } } } }`,
    { id: ordersId },
  );
  expect(body.errors).toBeUndefined();
  return body.data.dbtNode;
}

const buildSet = () => [
  { field: 'manifest', fileName: 'manifest.json', body: json(buildManifest(12)) },
  { field: 'catalog', fileName: 'catalog.json', body: json(buildCatalog()) },
  {
    field: 'run_results',
    fileName: 'run_results.json',
    body: json(
      buildRunResults(6, { which: 'build', failingTest: { name: 'not_null_orders_order_id', failures: 3 } }),
    ),
  },
  { field: 'sources', fileName: 'sources.json', body: json(buildSources(3)) },
];

describe('artifact set ingestion', () => {
  let app: DbtArtifactsTestApp;

  beforeAll(async () => {
    app = await startDbtArtifacts({
      UPLOAD_MAX_BYTES: String(8 * 1024 * 1024),
      ARTIFACT_MAX_BYTES: String(4 * 1024 * 1024),
    });
    const upload = await app.upload(buildSet());
    expect(upload.status).toBe(202);
    const set = await app.settled(upload.body.artifactSet.id);
    expect(set).toMatchObject({ state: 'succeeded', error: null });
  });

  afterAll(async () => {
    await app?.close();
  });

  it('answers dbtNode with documented and warehouse columns, tests and their last outcome', async () => {
    const { body } = await app.graphql(
      `query($id: String!) { dbtNode(uniqueId: $id) { name datasetId description lastRun { status durationSeconds }
         columns { name description dataType documented tests { name lastRun { status message failures } } } } }`,
      { id: ordersId },
    );
    expect(body.errors).toBeUndefined();
    const node = body.data.dbtNode;
    expect(node.datasetId).toBe('postgres://default/analytics.dbt_prod.orders');
    expect(node.lastRun.status).toBe('success');
    const orderId = node.columns.find((column: any) => column.name === 'order_id');
    expect(orderId).toMatchObject({ dataType: 'integer', documented: true });
    expect(orderId.tests.map((test: any) => test.lastRun.status).sort()).toEqual(['fail', 'pass']);
  });

  it('lists projects, filters nodes by type, package, tag, search and status, and walks dbt lineage', async () => {
    const { body } = await app.graphql(
      `query($orders: String!) {
         dbtProjects { totalCount edges { node { name adapterType instance } } }
         models: dbtNodes(filter: { types: ["model"] }, first: 100) { totalCount edges { node { uniqueId } } }
         failing: dbtNodes(filter: { status: "fail" }) { edges { node { name resourceType } } }
         searched: dbtNodes(filter: { search: "orders", types: ["model"] }) { edges { node { name } } }
         inPackage: dbtNodes(filter: { packageName: "jaffle_shop", types: ["seed"] }) { totalCount }
         page: dbtNodes(first: 2) { edges { cursor } pageInfo { hasNextPage endCursor } }
         dbtNode(uniqueId: $orders) {
           upstream: lineage(direction: UPSTREAM, depth: 3) { nodes { uniqueId resourceType } edges { parent child depth } }
           downstream: lineage(direction: DOWNSTREAM, depth: 1) { nodes { resourceType } }
         }
       }`,
      { orders: ordersId },
    );
    expect(body.errors).toBeUndefined();
    expect(body.data.dbtProjects.edges.map((edge: any) => edge.node)).toEqual([
      { name: 'jaffle_shop', adapterType: 'postgres', instance: 'default' },
    ]);
    expect(body.data.models.totalCount).toBe(ids.models.length);
    expect(body.data.failing.edges.map((edge: any) => edge.node)).toEqual([
      { name: 'not_null_orders_order_id', resourceType: 'test' },
    ]);
    expect(body.data.searched.edges.map((edge: any) => edge.node.name).sort()).toEqual([
      'orders',
      'stg_orders',
    ]);
    expect(body.data.inPackage.totalCount).toBe(1);
    expect(body.data.page.pageInfo.hasNextPage).toBe(true);
    const upstream = body.data.dbtNode.upstream;
    expect(upstream.nodes.map((node: any) => node.uniqueId)).toEqual(
      expect.arrayContaining([
        ids.models.find((id) => id.endsWith('.stg_orders')),
        ids.sources.find((id) => id.endsWith('.raw_orders')),
      ]),
    );
    expect(upstream.edges.every((edge: any) => edge.depth >= 1 && edge.depth <= 3)).toBe(true);
    expect(body.data.dbtNode.downstream.nodes.map((node: any) => node.resourceType)).toContain('test');
  });

  it('an identical re-upload is answered from what is there and writes no row', async () => {
    const before = await rowCounts(app);
    const answer = await app.upload(buildSet());
    expect(answer.status).toBe(200);
    expect(answer.body.unchanged).toBe(true);
    expect(answer.body.artifactSet.state).toBe('succeeded');
    expect(await rowCounts(app)).toEqual(before);
  });

  it("answers from the files' hashes alone whether a set was received, writing nothing", async () => {
    const { createHash } = await import('node:crypto');
    const files = buildSet().map((file) => ({
      kind: file.field,
      sha256: createHash('sha256').update(file.body).digest('hex'),
    }));
    const before = await rowCounts(app);
    const ask = async (body: unknown) => {
      const response = await fetch(`${app.baseUrl}/api/v1/uploads/check`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...signIdentity(editor, INTERNAL_SECRET) },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as any };
    };
    const known = await ask({ files });
    expect(known.status).toBe(200);
    expect(known.body.unchanged).toBe(true);
    expect(known.body.artifactSet.state).toBe('succeeded');
    expect((await ask({ files: files.slice(1) })).body).toEqual({ unchanged: false });
    expect((await ask({ files, project: 'another' })).body).toEqual({ unchanged: false });
    const bad = await ask({ files: [{ kind: 'manifest', sha256: 'nope' }] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/files\.0\.sha256/);
    expect(await rowCounts(app)).toEqual(before);
  });

  it('a docs generate run_results next to the build never overwrites test outcomes', async () => {
    const answer = await app.upload([
      {
        field: 'run_results',
        fileName: 'run_results.json',
        body: json(
          buildRunResults(6, {
            which: 'generate',
            invocationId: '0b1d2c3e-0000-4000-8000-000000000002',
            generatedAt: '2026-03-12T06:00:00Z',
          }),
        ),
      },
    ]);
    expect(answer.status).toBe(202);
    const set = await app.settled(answer.body.artifactSet.id);
    expect(set.state).toBe('succeeded');
    expect(set.warnings.join(' ')).toMatch(/"generate" run/);
    const node = await ordersNode(app);
    const notNull = node.tests.find((test: any) => test.name === 'not_null_orders_order_id');
    expect(notNull.lastRun).toMatchObject({ status: 'fail', failures: 3, command: 'build' });
  });

  it('a later build changes the outcome and says so with dbt.test.status_changed', async () => {
    const answer = await app.upload([
      {
        field: 'run_results',
        fileName: 'run_results.json',
        body: json(
          buildRunResults(6, {
            which: 'build',
            invocationId: '0b1d2c3e-0000-4000-8000-000000000003',
            generatedAt: '2026-03-13T05:00:00Z',
          }),
        ),
      },
    ]);
    const set = await app.settled(answer.body.artifactSet.id);
    expect(set.state).toBe('succeeded');
    const node = await ordersNode(app);
    expect(node.tests.find((test: any) => test.name === 'not_null_orders_order_id').lastRun.status).toBe(
      'pass',
    );
    const events = await app.dataSource.query(
      `SELECT "data" FROM "dbt_artifacts"."outbox" WHERE "type" = 'dbt.test.status_changed' AND "data"->>'artifactSetId' = $1`,
      [set.id],
    );
    expect(
      events.map((event: any) => [
        event.data.uniqueId.split('.')[2],
        event.data.previousStatus,
        event.data.status,
      ]),
    ).toEqual([['not_null_orders_order_id', 'fail', 'pass']]);
    expect(events[0].data.datasetId).toBe('postgres://default/analytics.dbt_prod.orders');
  });

  it('announces each table and the dbt lineage between tables', async () => {
    const upserted = await app.dataSource.query(
      `SELECT "subject", "data" FROM "dbt_artifacts"."outbox" WHERE "type" = 'dataset.upserted'`,
    );
    const subjects = upserted.map((event: any) => event.subject);
    expect(subjects).toContain('postgres://default/analytics.dbt_prod.orders');
    expect(subjects).toContain('postgres://default/analytics.raw.raw_customers');
    const orders = upserted.find((event: any) => event.subject.endsWith('.orders')).data;
    expect(orders.columns.map((column: any) => column.name)).toContain('order_id');
    const lineage = await app.dataSource.query(
      `SELECT "data" FROM "dbt_artifacts"."outbox" WHERE "type" = 'lineage.edges_observed'`,
    );
    const edges = lineage.flatMap((event: any) => event.data.edges);
    expect(edges).toContainEqual({
      upstream: 'postgres://default/analytics.dbt_prod.stg_orders',
      downstream: 'postgres://default/analytics.dbt_prod.orders',
    });
  });

  it('serves the semantic manifest to services only, and says with dbt.artifacts.applied when it changed', async () => {
    const url = `${app.baseUrl}/internal/projects/jaffle_shop/semantic-manifest`;
    const service = { subject: 'service:semantic-layer', kind: 'service' as const, role: 'editor' as const };
    const refused = await fetch(url, { headers: signIdentity(viewer, INTERNAL_SECRET) });
    expect(refused.status).toBe(403);
    const unknown = await fetch(url.replace('jaffle_shop', 'no_such_project'), {
      headers: signIdentity(service, INTERNAL_SECRET),
    });
    expect(unknown.status).toBe(404);
    const answer = await fetch(url, { headers: signIdentity(service, INTERNAL_SECRET) });
    expect(answer.status).toBe(200);
    const document = (await answer.json()) as any;
    expect(document.semanticModels).toEqual([
      expect.objectContaining({
        name: 'orders',
        datasetId: expect.stringMatching(/^postgres:\/\/default\/analytics\.dbt_prod\.orders$/),
        modelUniqueId: ordersId,
        defaultAggTimeDimension: 'ordered_at',
        measures: [
          expect.objectContaining({ name: 'order_count', agg: 'sum' }),
          expect.objectContaining({ name: 'order_total', agg: 'sum' }),
        ],
      }),
    ]);
    expect(document.metrics.map((metric: any) => [metric.name, metric.type, metric.inputMeasures])).toEqual([
      ['average_order_value', 'ratio', ['order_total', 'order_count']],
      ['order_count', 'simple', ['order_count']],
      ['order_total', 'simple', ['order_total']],
    ]);
    expect(document.savedQueries.map((saved: any) => saved.name)).toEqual(['order_metrics']);

    const applied = async (setId: string) =>
      (
        await app.dataSource.query(
          `SELECT "subject", "data" FROM "dbt_artifacts"."outbox" WHERE "type" = 'dbt.artifacts.applied' AND "data"->>'artifactSetId' = $1`,
          [setId],
        )
      )[0];
    const [first] = await app.dataSource.query(
      `SELECT "data" FROM "dbt_artifacts"."outbox" WHERE "type" = 'dbt.artifacts.applied' ORDER BY "sequence" LIMIT 1`,
    );
    expect(first.data).toMatchObject({ project: 'jaffle_shop', semanticChanged: true, dbtCloud: null });

    // A new model description is not a semantic change; a new metric label is, and changes the version.
    const manifest = buildManifest(12) as any;
    manifest.nodes[ordersId].description = 'Orders, one row each.';
    const quiet = await app.settled(
      (await app.upload([{ field: 'manifest', fileName: 'manifest.json', body: json(manifest) }])).body
        .artifactSet.id,
    );
    expect((await applied(quiet.id)).data.semanticChanged).toBe(false);
    manifest.metrics['metric.jaffle_shop.order_total'].label = 'Gross order total';
    const changed = await app.settled(
      (await app.upload([{ field: 'manifest', fileName: 'manifest.json', body: json(manifest) }])).body
        .artifactSet.id,
    );
    expect(await applied(changed.id)).toMatchObject({
      subject: 'dbt/jaffle_shop',
      data: { semanticChanged: true },
    });
    const after = (await (
      await fetch(url, { headers: signIdentity(service, INTERNAL_SECRET) })
    ).json()) as any;
    expect(after.version).not.toBe(document.version);
    expect(after.metrics.find((metric: any) => metric.name === 'order_total').label).toBe(
      'Gross order total',
    );
    // Back to the manifest the other tests expect.
    const restored = await app.upload([
      { field: 'manifest', fileName: 'manifest.json', body: json(buildManifest(12)) },
    ]);
    expect((await app.settled(restored.body.artifactSet.id)).state).toBe('succeeded');
  });

  it('keeps dbt Cloud ids from metadata.env on the run, and announces a change of source freshness', async () => {
    const env = { DBT_CLOUD_RUN_ID: '70403103', DBT_CLOUD_JOB_ID: '302', DBT_CLOUD_PROJECT_ID: '7' };
    const answer = await app.upload([
      {
        field: 'run_results',
        fileName: 'run_results.json',
        body: json(
          buildRunResults(6, {
            which: 'build',
            env,
            invocationId: '0b1d2c3e-0000-4000-8000-000000000004',
            generatedAt: '2026-03-14T05:00:00Z',
          }),
        ),
      },
      {
        field: 'sources',
        fileName: 'sources.json',
        body: json(
          buildSources(3, {
            emptySource: true,
            env,
            invocationId: '0b1d2c3e-0000-4000-8000-000000000004',
            generatedAt: '2026-03-14T05:00:00Z',
          }),
        ),
      },
    ]);
    const set = await app.settled(answer.body.artifactSet.id);
    expect(set.state).toBe('succeeded');
    expect(set.dbtCloud).toMatchObject({ DBT_CLOUD_RUN_ID: '70403103', DBT_CLOUD_JOB_ID: '302' });
    const { body } = await app.graphql(
      `query($id: String!) { dbtNode(uniqueId: $id) { runHistory(first: 5) { totalCount edges { node { status command dbtCloudRunId } } } } }`,
      { id: ordersId },
    );
    const history = body.data.dbtNode.runHistory;
    expect(history.edges[0].node).toEqual({ status: 'success', command: 'build', dbtCloudRunId: '70403103' });
    expect(history.totalCount).toBeGreaterThanOrEqual(2);
    const freshness = await app.dataSource.query(
      `SELECT "data" FROM "dbt_artifacts"."outbox" WHERE "type" = 'dbt.source.freshness_changed' AND "data"->>'artifactSetId' = $1`,
      [set.id],
    );
    expect(
      freshness.map((event: any) => [
        event.data.uniqueId.split('.').at(-1),
        event.data.previousStatus,
        event.data.status,
        event.data.maxLoadedAt,
      ]),
    ).toEqual([['raw_customers', 'pass', 'error', null]]);
  });

  it('keeps Mesh copies out of the registry, gives ephemeral models no table, and looks through them for lineage', async () => {
    const options = {
      projectName: 'mesh_shop',
      schema: 'mesh',
      crossProject: true,
      ephemeralModel: true,
      versionedModel: true,
    };
    const answer = await app.upload([
      { field: 'manifest', fileName: 'manifest.json', body: json(buildManifest(12, options)) },
    ]);
    const set = await app.settled(answer.body.artifactSet.id);
    expect(set).toMatchObject({ state: 'succeeded', error: null });
    const { body } = await app.graphql(
      `{ dbtNodes(filter: { project: "mesh_shop", types: ["model"] }, first: 50) { edges { node { uniqueId datasetId isExternal materialized identifier } } } }`,
    );
    const models = body.data.dbtNodes.edges.map((edge: any) => edge.node);
    const external = models.find((model: any) => model.isExternal);
    expect(external.uniqueId).toBe('model.platform_core.dim_dates');
    expect(models.find((model: any) => model.materialized === 'ephemeral').datasetId).toBeNull();
    expect(models.map((model: any) => model.identifier)).toEqual(
      expect.arrayContaining(['customers_v1', 'customers_v2']),
    );
    const announced = await app.dataSource.query(
      `SELECT "subject" FROM "dbt_artifacts"."outbox" WHERE "type" = 'dataset.upserted' AND "subject" LIKE '%dim_dates%'`,
    );
    expect(announced).toEqual([]);
    const lineage = await app.dataSource.query(
      `SELECT "data" FROM "dbt_artifacts"."outbox" WHERE "type" = 'lineage.edges_observed' AND "data"->>'scope' = 'dbt-project/mesh_shop'`,
    );
    const edges = lineage.flatMap((event: any) => event.data.edges);
    // stg_orders → int_order_totals (ephemeral, a CTE) → orders: one table-to-table edge.
    expect(edges).toContainEqual({
      upstream: 'postgres://default/analytics.mesh.stg_orders',
      downstream: 'postgres://default/analytics.mesh.orders',
    });
    expect(
      edges.some(
        (edge: any) =>
          edge.upstream.includes('int_order_totals') || edge.downstream.includes('int_order_totals'),
      ),
    ).toBe(false);
  });

  describe('bad input: a clear error, and what was visible before stays', () => {
    async function expectUnchangedState(): Promise<void> {
      const node = await ordersNode(app);
      expect(node.name).toBe('orders');
      expect(node.description).toMatch(/Order overview data mart/);
    }

    it('truncated JSON fails the set with the file and the byte offset', async () => {
      const text = json(buildManifest(12, { generatedAt: '2026-04-01T00:00:00Z' }));
      const answer = await app.upload([
        { field: 'manifest', fileName: 'manifest.json', body: text.slice(0, Math.floor(text.length / 2)) },
      ]);
      const set = await app.settled(answer.body.artifactSet.id);
      expect(set.state).toBe('failed');
      expect(set.error.code).toBe('INVALID_ARTIFACT');
      expect(set.error.fileName).toBe('manifest.json');
      expect(set.error.message).toMatch(/manifest\.json/);
      expect(set.error.message).toMatch(/byte|offset|end/i);
      await expectUnchangedState();
    });

    it('a catalog uploaded as a manifest fails and says what the file really is', async () => {
      const answer = await app.upload([
        {
          field: 'manifest',
          fileName: 'manifest.json',
          body: json(buildCatalog({ generatedAt: '2026-04-02T00:00:00Z' })),
        },
      ]);
      const set = await app.settled(answer.body.artifactSet.id);
      expect(set.state).toBe('failed');
      expect(set.error.message).toMatch(/catalog/);
      expect(set.error.message).toMatch(/manifest/);
      await expectUnchangedState();
    });

    it('an unknown future schema version is read leniently, with a warning', async () => {
      const manifest = buildManifest(12, { generatedAt: '2026-04-03T00:00:00Z' }) as any;
      manifest.metadata.dbt_schema_version = 'https://schemas.getdbt.com/dbt/manifest/v13.json';
      const answer = await app.upload([
        { field: 'manifest', fileName: 'manifest.json', body: json(manifest) },
      ]);
      const set = await app.settled(answer.body.artifactSet.id);
      expect(set.state).toBe('succeeded');
      expect(set.warnings.join(' ')).toMatch(/v13|13/);
      await expectUnchangedState();
    });

    it('a gzip bomb is refused once it passes the decompressed limit; nothing is stored', async () => {
      const before = await rowCounts(app);
      const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20));
      const answer = await app.upload([{ field: 'manifest', fileName: 'manifest.json.gz', body: bomb }]);
      expect(answer.status).toBe(413);
      expect(answer.body.error.message).toMatch(
        /manifest\.json\.gz is larger than 4194304 bytes once decompressed/,
      );
      expect(await rowCounts(app)).toEqual(before);
    });

    it('an upload over the configured size is refused with 413; nothing is stored', async () => {
      const before = await rowCounts(app);
      const answer = await app.upload([
        { field: 'manifest', fileName: 'manifest.json', body: Buffer.alloc(9 * 1024 * 1024, 0x20) },
      ]);
      expect(answer.status).toBe(413);
      expect(answer.body.error.code).toBe('PAYLOAD_TOO_LARGE');
      expect(await rowCounts(app)).toEqual(before);
    });

    it('a file whose kind cannot be told is refused', async () => {
      const answer = await app.upload([{ field: 'file', fileName: 'notes.json', body: '{"hello": 1}' }]);
      expect(answer.status).toBe(400);
      expect(answer.body.error.message).toMatch(/Cannot tell which dbt artifact "notes.json"/);
    });

    it('a viewer cannot upload', async () => {
      const answer = await app.upload(buildSet(), {}, viewer);
      expect(answer.status).toBe(403);
      expect(answer.body.error.code).toBe('FORBIDDEN');
    });
  });

  it('a gzip-compressed manifest is the same content as the plain one (one blob, unchanged set)', async () => {
    const set = buildSet();
    const gzipped = set.map((file) => ({
      ...file,
      fileName: `${file.fileName}.gz`,
      body: gzipSync(file.body),
    }));
    const answer = await app.upload(gzipped);
    expect(answer.status).toBe(200);
    expect(answer.body.unchanged).toBe(true);
  });
});
