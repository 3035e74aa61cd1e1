import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { datasetId } from '@cartograph/catalog-model';
import { buildManifest } from '@cartograph/dbt/testing';
import { FakeSemanticLayer, TestStack, eventually } from '@cartograph/platform/testing';

// The semantic layer as a frontend team uses it: through the gateway, with the subgraph and its worker as
// processes. A dbt Cloud environment (FakeSemanticLayer) is listed and queried; a dbt Core project uploaded to
// the artifact store is listed with no dbt Cloud at all, and its metrics show on the table they are built on.

const TOKEN = 'dbtc_gateway-semantic-token-93be1f';
const ENVIRONMENT = 88123;

const rows: Record<string, unknown>[] = [];
for (let month = 1; month <= 6; month += 1) {
  for (const region of ['EU', 'US', 'APAC']) {
    rows.push({
      metric_time: `2024-0${month}-01T00:00:00`,
      customer__region: region,
      revenue: month * 100 + region.length,
    });
  }
}

describe('semantic layer through the gateway', () => {
  let stack: TestStack;
  let fake: FakeSemanticLayer;
  let cloudId: string;

  async function graphql(query: string, variables: Record<string, unknown> = {}): Promise<any> {
    const { body } = await stack.graphql(query, variables);
    return body;
  }

  async function upload(manifest: object): Promise<void> {
    const form = new FormData();
    form.append('manifest', new Blob([JSON.stringify(manifest)]), 'manifest.json');
    const response = await fetch(`${stack.gatewayUrl}/api/dbt-artifacts/v1/uploads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.adminKey}` },
      body: form,
    });
    expect(response.status).toBeLessThan(300);
    const { artifactSet } = (await response.json()) as { artifactSet: { id: string } };
    await eventually(async () => {
      const body = await graphql(
        `
          query ($id: ID!) {
            dbtArtifactSet(id: $id) {
              state
            }
          }
        `,
        { id: artifactSet.id },
      );
      return body.data?.dbtArtifactSet?.state === 'succeeded' ? true : null;
    }, 60_000);
  }

  beforeAll(async () => {
    fake = new FakeSemanticLayer();
    fake.environment({
      id: ENVIRONMENT,
      tokens: [TOKEN],
      dimensions: [
        { name: 'metric_time', type: 'TIME', timeGranularity: 'day' },
        { name: 'customer__region', label: 'Region' },
      ],
      entities: [{ name: 'customer', type: 'PRIMARY' }],
      metrics: [
        {
          name: 'revenue',
          label: 'Revenue',
          description: 'Order totals',
          dimensions: ['metric_time', 'customer__region'],
          measures: [{ name: 'order_total', agg: 'SUM', aggTimeDimension: 'ordered_at' }],
        },
      ],
      rows,
    });
    fake.queryBehaviour({ pollsBeforeDone: 2, pageSize: 4 });
    await fake.start();
    stack = await TestStack.start({
      project: 'semantic-layer',
      services: ['dbt-artifacts', 'semantic-layer'],
      environment: { SEMANTIC_LAYER_POLL_INTERVAL_MS: '10', SEMANTIC_LAYER_POLL_MAX_INTERVAL_MS: '50' },
    });
    const body = await graphql(
      `
        mutation ($input: CreateSemanticLayerConnectionInput!) {
          createSemanticLayerConnection(input: $input) {
            id
          }
        }
      `,
      {
        input: {
          name: 'cloud',
          mode: 'DBT_CLOUD',
          host: fake.baseUrl,
          environmentId: String(ENVIRONMENT),
          token: TOKEN,
        },
      },
    );
    expect(body.errors).toBeUndefined();
    cloudId = body.data.createSemanticLayerConnection.id;
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
    await fake?.stop();
  });

  it('lists metrics and dimensions, runs a metric by month and region with a filter over several pages, and compiles its SQL', async () => {
    const listing = await graphql(
      `
        query ($id: ID!) {
          semanticLayerMetrics(connectionId: $id) {
            name
            label
            type
          }
          semanticLayerDimensions(connectionId: $id, metrics: ["revenue"]) {
            dimensions {
              qualifiedName
              type
              granularities
            }
          }
        }
      `,
      { id: cloudId },
    );
    expect(listing.errors).toBeUndefined();
    expect(listing.data.semanticLayerMetrics).toEqual([
      { name: 'revenue', label: 'Revenue', type: 'SIMPLE' },
    ]);
    expect(listing.data.semanticLayerDimensions.dimensions.map((item: any) => item.qualifiedName)).toEqual([
      'metric_time',
      'customer__region',
    ]);

    const input = {
      metrics: ['revenue'],
      groupBy: [{ name: 'metric_time', grain: 'month' }, { name: 'customer__region' }],
      where: ["{{ Dimension('customer__region') }} != 'APAC'"],
      orderBy: [{ name: 'metric_time', grain: 'month' }],
    };
    const answer = await graphql(
      `
        mutation ($id: ID!, $input: MetricQueryInput) {
          runMetricQuery(connectionId: $id, input: $input) {
            status
            totalCount
            sql
            columns {
              name
            }
            rows(first: 100) {
              edges {
                node {
                  values
                }
              }
            }
          }
        }
      `,
      { id: cloudId, input },
    );
    expect(answer.errors).toBeUndefined();
    const result = answer.data.runMetricQuery;
    expect(result.status).toBe('SUCCESSFUL');
    expect(result.totalCount).toBe(rows.length);
    expect(result.rows.edges).toHaveLength(rows.length);
    const record = fake.queries.at(-1)!;
    expect(record.arguments.groupBy).toEqual([
      expect.objectContaining({ name: 'metric_time', timeGranularity: 'month' }),
      expect.objectContaining({ name: 'customer__region' }),
    ]);
    expect(record.arguments.where).toEqual([{ sql: "{{ Dimension('customer__region') }} != 'APAC'" }]);
    // 18 rows at 4 per page: the proxy read all 5 pages.
    const pages = fake
      .requestsFor('query')
      .filter((request) => request.variables.queryId === record.queryId && request.variables.pageNum);
    expect(new Set(pages.map((request) => request.variables.pageNum)).size).toBe(5);

    const compiled = await graphql(
      `
        mutation ($id: ID!, $input: MetricQueryInput) {
          compileMetricSql(connectionId: $id, input: $input)
        }
      `,
      { id: cloudId, input },
    );
    expect(compiled.errors).toBeUndefined();
    expect(compiled.data.compileMetricSql).toMatch(/select/i);
  });

  it('runs a long query in the background: submit, hear it finish on a subscription, read its rows', async () => {
    const subscriptions = createClient({
      url: `${stack.gatewayUrl.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${stack.adminKey}` },
    });
    const finished: { subject: string; data: any }[] = [];
    subscriptions.subscribe<{ events: { subject: string; data: any } }>(
      {
        query: `subscription { events(types: ["semantic_layer.query.finished"], subject: "semantic-layer/queries/*") { subject data } }`,
      },
      {
        next: (message) => message.data && finished.push(message.data.events),
        error: () => undefined,
        complete: () => undefined,
      },
    );
    // graphql-ws has no "subscribed" acknowledgement; the server registers the listener right after the message.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const submitted = await graphql(
      `
        mutation ($id: ID!, $text: String) {
          submitMetricQuery(connectionId: $id, text: $text) {
            id
            status
          }
        }
      `,
      {
        id: cloudId,
        text: "{{ semantic_layer.query(metrics=['revenue'], group_by=[Dimension('customer__region')]) }}",
      },
    );
    expect(submitted.errors).toBeUndefined();
    expect(submitted.data.submitMetricQuery.status).toBe('QUEUED');
    const job = await eventually(async () => {
      const body = await graphql(
        `
          query ($id: ID!) {
            metricQueryJob(id: $id) {
              status
              rowCount
              error {
                code
                message
              }
              result {
                totalCount
                rows(first: 2) {
                  edges {
                    node {
                      values
                    }
                  }
                  pageInfo {
                    hasNextPage
                  }
                }
              }
            }
          }
        `,
        { id: submitted.data.submitMetricQuery.id },
      );
      const found = body.data?.metricQueryJob;
      return found && !['QUEUED', 'RUNNING'].includes(found.status) ? found : null;
    }, 60_000);
    // One row per region: the Semantic Layer aggregated the 18 rows by the only group-by.
    expect(job).toMatchObject({ status: 'SUCCEEDED', rowCount: 3, error: null });
    expect(job.result.totalCount).toBe(3);
    expect(job.result.rows.edges).toHaveLength(2);
    expect(job.result.rows.pageInfo.hasNextPage).toBe(true);
    const heard = await eventually(async () => finished[0] ?? null, 20_000);
    await subscriptions.dispose();
    expect(heard).toEqual({
      subject: `semantic-layer/queries/${submitted.data.submitMetricQuery.id}`,
      data: expect.objectContaining({ status: 'SUCCEEDED', rowCount: 3, error: null }),
    });
  });

  it('lists a dbt Core project’s metrics with no dbt Cloud, and shows them on the table they are built on', async () => {
    const manifest = buildManifest(12, { projectName: 'shop_core', adapterType: 'postgres' });
    await upload(manifest);
    const created = await graphql(
      `
        mutation ($input: CreateSemanticLayerConnectionInput!) {
          createSemanticLayerConnection(input: $input) {
            id
          }
        }
      `,
      { input: { name: 'core', mode: 'DBT_CORE', dbtProject: 'shop_core' } },
    );
    expect(created.errors).toBeUndefined();
    const coreId = created.data.createSemanticLayerConnection.id;
    const requestsBefore = fake.requests.length;
    const tested = await graphql(
      `
        mutation ($id: ID!) {
          testSemanticLayerConnection(id: $id) {
            ok
            metricCount
            error {
              code
              message
            }
          }
        }
      `,
      { id: coreId },
    );
    expect(tested.data.testSemanticLayerConnection).toEqual({ ok: true, metricCount: 3, error: null });
    const missing = await graphql(
      `
        mutation ($input: CreateSemanticLayerConnectionInput!) {
          createSemanticLayerConnection(input: $input) {
            id
          }
        }
      `,
      { input: { name: 'core-missing', mode: 'DBT_CORE', dbtProject: 'never_uploaded' } },
    );
    const missingTest = await graphql(
      `
        mutation ($id: ID!) {
          testSemanticLayerConnection(id: $id) {
            ok
            error {
              code
              message
            }
          }
        }
      `,
      { id: missing.data.createSemanticLayerConnection.id },
    );
    expect(missingTest.data.testSemanticLayerConnection).toEqual({
      ok: false,
      error: {
        code: 'NOT_FOUND',
        message: expect.stringContaining('No dbt project named "never_uploaded" in the artifact store'),
      },
    });

    const listing = await graphql(
      `
        query ($id: ID!) {
          semanticLayerMetrics(connectionId: $id) {
            name
            label
            type
          }
          semanticLayerDimensions(connectionId: $id, metrics: ["order_total"]) {
            dimensions {
              qualifiedName
              type
              granularities
            }
            entities {
              name
              type
            }
          }
        }
      `,
      { id: coreId },
    );
    expect(listing.errors).toBeUndefined();
    expect(listing.data.semanticLayerMetrics).toEqual([
      { name: 'average_order_value', label: 'AOV', type: 'RATIO' },
      { name: 'order_count', label: 'Orders', type: 'SIMPLE' },
      { name: 'order_total', label: 'Order total', type: 'SIMPLE' },
    ]);
    const dimensions = listing.data.semanticLayerDimensions.dimensions;
    expect(dimensions.map((item: any) => item.qualifiedName)).toEqual(
      expect.arrayContaining(['metric_time', 'order__ordered_at', 'order__status']),
    );
    expect(dimensions.find((item: any) => item.qualifiedName === 'metric_time').granularities).toContain(
      'month',
    );
    expect(fake.requests.length).toBe(requestsBefore);

    const orders = datasetId({
      platform: 'postgres',
      instance: 'default',
      database: 'analytics',
      schema: 'dbt_prod',
      name: 'orders',
    });
    const dataset = await eventually(async () => {
      const body = await graphql(
        `
          query ($id: ID!) {
            dataset(id: $id) {
              id
              semanticModels {
                name
                project
                measures {
                  name
                  agg
                }
              }
              metrics {
                name
                type
                project
              }
            }
          }
        `,
        { id: orders },
      );
      if (body.errors) throw new Error(JSON.stringify(body.errors));
      return body.data?.dataset?.semanticModels?.length ? body.data.dataset : null;
    }, 30_000);
    expect(dataset.semanticModels).toEqual([
      {
        name: 'orders',
        project: 'shop_core',
        measures: [
          { name: 'order_count', agg: 'SUM' },
          { name: 'order_total', agg: 'SUM' },
        ],
      },
    ]);
    expect(dataset.metrics.map((metric: any) => metric.name).sort()).toEqual([
      'average_order_value',
      'order_count',
      'order_total',
    ]);

    // Queries need the Semantic Layer API: a DBT_CORE connection says so instead of failing obscurely.
    const refused = await graphql(
      `
        mutation ($id: ID!) {
          runMetricQuery(connectionId: $id, input: { metrics: ["order_total"] }) {
            status
          }
        }
      `,
      { id: coreId },
    );
    expect(refused.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(refused.errors[0].message).toContain('needs a DBT_CLOUD connection');
  });

  it('shows a changed metric of a dbt Core project as soon as its new artifacts are applied', async () => {
    const manifest = buildManifest(12, { projectName: 'shop_core', adapterType: 'postgres' }) as any;
    const metric = manifest.metrics['metric.shop_core.order_total'];
    metric.label = 'Gross order total';
    await upload(manifest);
    const connections = await graphql(`
      {
        semanticLayerConnections(first: 10) {
          edges {
            node {
              id
              name
            }
          }
        }
      }
    `);
    const coreId = connections.data.semanticLayerConnections.edges.find(
      (edge: any) => edge.node.name === 'core',
    ).node.id;
    const label = await eventually(async () => {
      const body = await graphql(
        `
          query ($id: ID!) {
            semanticLayerMetrics(connectionId: $id) {
              name
              label
            }
          }
        `,
        {
          id: coreId,
        },
      );
      const found = body.data?.semanticLayerMetrics?.find((item: any) => item.name === 'order_total');
      return found?.label === 'Gross order total' ? found.label : null;
    }, 30_000);
    expect(label).toBe('Gross order total');
  });
});
