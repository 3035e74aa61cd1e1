import { datasetId } from '@cartograph/catalog-model';
import { buildCatalog, buildManifest, buildRunResults, buildSources } from '@cartograph/dbt/testing';
import { TestStack, eventually } from '@cartograph/platform/testing';

const json = (value: unknown) => JSON.stringify(value);

describe('dbt artifacts through the gateway', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await TestStack.start({ project: 'dbt-artifacts', services: ['dbt-artifacts'] });
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
  });

  async function upload(files: { field: string; body: string }[], apiKey = stack.adminKey) {
    const form = new FormData();
    for (const file of files) form.append(file.field, new Blob([file.body]), `${file.field}.json`);
    const response = await fetch(`${stack.gatewayUrl}/api/dbt-artifacts/v1/uploads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}` },
      body: form,
    });
    return { status: response.status, body: (await response.json()) as any };
  }

  it('uploads jaffle-shop artifacts; dataset(id) has the catalog and dbt fields; search finds a column description word', async () => {
    const answer = await upload([
      { field: 'manifest', body: json(buildManifest(12)) },
      { field: 'catalog', body: json(buildCatalog()) },
      {
        field: 'run_results',
        body: json(
          buildRunResults(6, {
            which: 'build',
            failingTest: { name: 'not_null_orders_order_id', failures: 3 },
          }),
        ),
      },
      { field: 'sources', body: json(buildSources(3, { emptySource: true })) },
    ]);
    expect(answer.status).toBe(202);
    const setId = answer.body.artifactSet.id as string;
    const set = await eventually(async () => {
      const { body } = await stack.graphql(
        `query($id: ID!) { dbtArtifactSet(id: $id) { state error { message } } }`,
        { id: setId },
      );
      return ['succeeded', 'failed'].includes(body.data?.dbtArtifactSet?.state)
        ? body.data.dbtArtifactSet
        : null;
    }, 30_000);
    expect(set).toEqual({ state: 'succeeded', error: null });

    const orders = datasetId({
      platform: 'postgres',
      database: 'analytics',
      schema: 'dbt_prod',
      name: 'orders',
    });
    const dataset = await eventually(async () => {
      const { body } = await stack.graphql(
        `query($id: ID!) { dataset(id: $id) { id name description descriptionSource sources
           dbt { uniqueId description lastRun { status durationSeconds }
             columns { name description tests { name lastRun { status message failures } } } } } }`,
        { id: orders },
      );
      return body.data?.dataset ?? null;
    }, 20_000);
    expect(dataset.sources).toContain('dbt');
    expect(dataset.descriptionSource).toBe('dbt');
    expect(dataset.dbt.description).toBe(dataset.description);
    expect(dataset.dbt.lastRun.status).toBe('success');
    expect(dataset.dbt.lastRun.durationSeconds).toBeGreaterThan(0);
    const orderId = dataset.dbt.columns.find((column: any) => column.name === 'order_id');
    const failing = orderId.tests.find((test: any) => test.lastRun?.status === 'fail');
    expect(failing.lastRun).toEqual({
      status: 'fail',
      message: 'Got 3 results, configured to fail if != 0',
      failures: 3,
    });

    const source = datasetId({
      platform: 'postgres',
      database: 'analytics',
      schema: 'raw',
      name: 'raw_customers',
    });
    const { body: sourceBody } = await stack.graphql(
      `query($id: ID!) { dataset(id: $id) { dbt { resourceType freshness { status maxLoadedAt } } } }`,
      { id: source },
    );
    expect(sourceBody.data.dataset.dbt.resourceType).toBe('source');
    expect(sourceBody.data.dataset.dbt.freshness).toEqual({ status: 'error', maxLoadedAt: null });

    // "foreign" appears in no table name or description, only in the documentation of orders.customer_id.
    const word = 'foreign';
    const search = await eventually(async () => {
      const { body } = await stack.graphql(
        `query($q: String!) { search(query: $q, first: 20) { edges { node { dataset { id } } } } }`,
        { q: word },
      );
      const ids = body.data?.search?.edges?.map((edge: any) => edge.node.dataset?.id) ?? [];
      return ids.includes(orders) ? ids : null;
    }, 10_000);
    expect(search).toContain(orders);
  }, 90_000);

  it('refuses an upload from a viewer key', async () => {
    const created = await stack.graphql(
      `mutation { createApiKey(input: { name: "v", role: VIEWER }) { key } }`,
    );
    const key = created.body.data?.createApiKey?.key as string;
    const answer = await upload([{ field: 'manifest', body: json(buildManifest(12)) }], key);
    expect(answer.status).toBe(403);
  });
});
