import { FakeSemanticLayer } from '@cartograph/platform/testing';
import { admin, startSemanticLayer, viewer, type SemanticLayerTestApp } from './semantic-layer-test-app.js';

// The semantic-layer subgraph against FakeSemanticLayer over HTTP: connections, cached metadata, metric queries
// over several pages, role policies, the pasted-text form, upstream failures, the result cache and the audit.
const TOKEN = 'dbtc_semantic-layer-token-5f2a9c';
const ENVIRONMENT = 70403103931234;

const CREATE = `mutation($input: CreateSemanticLayerConnectionInput!) {
  createSemanticLayerConnection(input: $input) { id tokenHint environmentId lastError { code message } }
}`;
const RUN = `mutation($id: ID!, $input: MetricQueryInput, $text: String, $first: Int, $after: String) {
  runMetricQuery(connectionId: $id, input: $input, text: $text) {
    queryId status totalCount sql cached columns { name type }
    rows(first: $first, after: $after) { totalCount edges { node { index values } } pageInfo { hasNextPage endCursor } }
  }
}`;

const rows: Record<string, unknown>[] = [];
['2024-01-05', '2024-01-20', '2024-02-03', '2024-02-14', '2024-03-09', '2024-04-11'].forEach((day, index) => {
  for (const region of ['EU', 'US']) {
    rows.push({
      metric_time: `${day}T10:00:00`,
      customer__region: region,
      orders_total: index + (region === 'EU' ? 1 : 10),
      revenue: (index + 1) * 100,
    });
  }
});

describe('semantic layer proxy', () => {
  let fake: FakeSemanticLayer;
  let app: SemanticLayerTestApp;
  let connectionId: string;

  const run = async (
    variables: Record<string, unknown>,
    identity = admin,
  ): Promise<{ data?: any; errors?: { message: string; extensions: { code: string } }[] }> =>
    (await app.graphql(RUN, { id: connectionId, ...variables }, identity)).body;

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
          name: 'orders_total',
          label: 'Orders',
          description: 'Orders placed',
          dimensions: ['metric_time', 'customer__region'],
          entities: ['customer'],
          measures: [{ name: 'order_count', agg: 'SUM', aggTimeDimension: 'ordered_at' }],
          resultType: 'int64',
        },
        {
          name: 'revenue',
          type: 'SIMPLE',
          requiresMetricTime: false,
          dimensions: ['metric_time', 'customer__region'],
          filter: "{{ Dimension('customer__region') }} IS NOT NULL",
        },
      ],
      savedQueries: [
        {
          name: 'monthly_orders',
          metrics: ['orders_total'],
          groupBy: [{ name: 'metric_time', grain: 'month' }],
        },
      ],
      rows,
    });
    fake.queryBehaviour({ pollsBeforeDone: 2, pageSize: 2 });
    await fake.start();
    app = await startSemanticLayer(
      {
        SEMANTIC_LAYER_POLL_INTERVAL_MS: '5',
        SEMANTIC_LAYER_POLL_MAX_INTERVAL_MS: '20',
        SEMANTIC_LAYER_QUERY_TIMEOUT_SECONDS: '2',
      },
      { worker: false },
    );
    const { body } = await app.graphql(CREATE, {
      input: {
        name: 'jaffle',
        mode: 'DBT_CLOUD',
        host: fake.baseUrl,
        environmentId: String(ENVIRONMENT),
        token: TOKEN,
      },
    });
    expect(body.errors).toBeUndefined();
    connectionId = body.data.createSemanticLayerConnection.id;
    expect(body.data.createSemanticLayerConnection.tokenHint).not.toContain('semantic-layer-token');
    expect(JSON.stringify(body.data)).not.toContain(TOKEN);
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await fake?.stop();
  });

  beforeEach(() => fake.resetRequests());

  it('tests the connection with the token', async () => {
    const { body } = await app.graphql(
      `mutation($id: ID!) { testSemanticLayerConnection(id: $id) { ok metricCount error { code } } }`,
      { id: connectionId },
    );
    expect(body.data.testSemanticLayerConnection).toEqual({ ok: true, metricCount: 2, error: null });
    expect(fake.requests[0]!.token).toBe(TOKEN);
    expect(fake.requests[0]!.headers['x-dbt-partner-source']).toBe('cartograph');
  });

  it('lists metrics and dimensions, the second time from the cache', async () => {
    const metricsQuery = `query($id: ID!) { semanticLayerMetrics(connectionId: $id) { name label type requiresMetricTime filter measures { name agg aggTimeDimension } } }`;
    const first = await app.graphql(metricsQuery, { id: connectionId }, viewer);
    expect(first.body.errors).toBeUndefined();
    const orders = first.body.data.semanticLayerMetrics.find(
      (metric: { name: string }) => metric.name === 'orders_total',
    );
    expect(orders).toMatchObject({
      label: 'Orders',
      type: 'SIMPLE',
      measures: [{ name: 'order_count', agg: 'SUM', aggTimeDimension: 'ordered_at' }],
    });
    const revenue = first.body.data.semanticLayerMetrics.find(
      (metric: { name: string }) => metric.name === 'revenue',
    );
    expect(revenue.filter).toBe("{{ Dimension('customer__region') }} IS NOT NULL");
    const second = await app.graphql(metricsQuery, { id: connectionId }, viewer);
    expect(second.body.data).toEqual(first.body.data);
    expect(fake.requestsFor('metrics')).toHaveLength(1);

    const dimensionsQuery = `query($id: ID!) { semanticLayerDimensions(connectionId: $id, metrics: ["orders_total", "revenue"]) {
      dimensions { qualifiedName type granularities } entities { name type } savedQueries { name metrics groupBy } } }`;
    const dimensions = await app.graphql(dimensionsQuery, { id: connectionId }, viewer);
    expect(dimensions.body.errors).toBeUndefined();
    const set = dimensions.body.data.semanticLayerDimensions;
    expect(
      set.dimensions.map((dimension: { qualifiedName: string }) => dimension.qualifiedName).sort(),
    ).toEqual(['customer__region', 'metric_time']);
    const time = set.dimensions.find((dimension: { type: string }) => dimension.type === 'TIME');
    expect(time.granularities).toEqual(expect.arrayContaining(['day', 'month', 'year']));
    expect(set.savedQueries).toEqual([
      { name: 'monthly_orders', metrics: ['orders_total'], groupBy: ['metric_time__month'] },
    ]);
    await app.graphql(dimensionsQuery, { id: connectionId }, viewer);
    expect(fake.requestsFor('dimensions')).toHaveLength(1);
  });

  it('runs a metric by month and region with a filter, across several pages, values only in variables', async () => {
    const where = `{{ Dimension('customer__region') }} <> 'say "hi"; DROP TABLE x'`;
    const input = {
      metrics: ['orders_total'],
      groupBy: [{ name: 'metric_time', grain: 'month' }, { name: 'customer__region' }],
      where: [where],
      orderBy: [{ name: 'metric_time', grain: 'month' }, { name: 'customer__region' }],
    };
    const body = await run({ input, first: 3 });
    expect(body.errors).toBeUndefined();
    const result = body.data.runMetricQuery;
    expect(result.status).toBe('SUCCESSFUL');
    expect(result.cached).toBe(false);
    expect(result.columns).toEqual([
      { name: 'metric_time__month', type: 'timestamp' },
      { name: 'customer__region', type: 'string' },
      { name: 'orders_total', type: 'integer' },
    ]);
    // 4 months × 2 regions, 2 rows per upstream page: every page was fetched.
    expect(result.totalCount).toBe(8);
    expect(fake.requestsFor('query').filter((request) => Number(request.variables.pageNum) > 1)).toHaveLength(
      3,
    );
    expect(result.rows.edges).toHaveLength(3);
    expect(result.rows.pageInfo.hasNextPage).toBe(true);
    const januaryEu = result.rows.edges[0].node.values;
    expect(januaryEu).toMatchObject({ customer__region: 'EU', orders_total: 3 });
    expect(String(januaryEu.metric_time__month)).toMatch(/^2024-01-01/);
    const next = await run({ input, first: 10, after: result.rows.pageInfo.endCursor });
    expect(
      next.data.runMetricQuery.rows.edges.map((edge: { node: { index: number } }) => edge.node.index),
    ).toEqual([3, 4, 5, 6, 7]);

    const created = fake.requestsFor('createQuery');
    expect(created).toHaveLength(1);
    expect(created[0]!.query).not.toContain('DROP TABLE');
    expect(created[0]!.query).not.toContain('orders_total');
    expect(created[0]!.variables.where).toEqual([{ sql: where }]);
    expect(fake.queries.at(-1)!.arguments.where).toEqual([{ sql: where }]);
  });

  it('refuses a metric name carrying SQL before anything goes upstream', async () => {
    const body = await run({ input: { metrics: ['revenue"; DROP TABLE orders; --'] } });
    expect(body.errors?.[0]?.extensions.code).toBe('BAD_USER_INPUT');
    expect(body.errors?.[0]?.message).toContain('metrics[0]');
    expect(fake.requestsFor('createQuery')).toHaveLength(0);
  });

  it('compiles SQL without running the query', async () => {
    const { body } = await app.graphql(
      `mutation($id: ID!, $input: MetricQueryInput) { compileMetricSql(connectionId: $id, input: $input) }`,
      {
        id: connectionId,
        input: { metrics: ['revenue'], groupBy: [{ name: 'metric_time', grain: 'quarter' }] },
      },
    );
    expect(body.errors).toBeUndefined();
    expect(body.data.compileMetricSql).toContain("DATE_TRUNC('quarter'");
    expect(fake.requestsFor('compileSql')).toHaveLength(1);
    expect(fake.requestsFor('createQuery')).toHaveLength(0);
  });

  it('runs pasted semantic_layer.query text, and reports the parser message for what it refuses', async () => {
    const ok = await run({
      text: "{{ semantic_layer.query(metrics=['revenue'], group_by=[Dimension('metric_time').grain('year')]) }}",
    });
    expect(ok.errors).toBeUndefined();
    expect(ok.data.runMetricQuery.rows.edges[0].node.values.revenue).toBe(4200);

    const unknown = await run({ text: "{{ semantic_layer.query(metrics=[evil('x')]) }}" });
    expect(unknown.errors?.[0]?.extensions.code).toBe('BAD_USER_INPUT');
    expect(unknown.errors?.[0]?.message).toContain("unknown object 'evil'");
    const nested = await run({
      text: `{{ semantic_layer.query(metrics=['revenue'], where=["{{ Dimension('customer__region') }} = '{{ x }}'"]) }}`,
    });
    expect(nested.errors?.[0]?.extensions.code).toBe('BAD_USER_INPUT');
    expect(nested.errors?.[0]?.message).toContain('templates are not allowed inside a SQL string literal');
    expect(fake.requestsFor('createQuery')).toHaveLength(1);
  });

  it('serves an identical query of the same role from the result cache', async () => {
    const input = { metrics: ['revenue'], groupBy: [{ name: 'customer__region' }] };
    const first = await run({ input });
    expect(first.data.runMetricQuery.cached).toBe(false);
    const second = await run({ input: { groupBy: [{ name: 'customer__region' }], metrics: ['REVENUE'] } });
    expect(second.errors).toBeUndefined();
    expect(second.data.runMetricQuery.cached).toBe(true);
    expect(second.data.runMetricQuery.rows).toEqual(first.data.runMetricQuery.rows);
    expect(fake.requestsFor('createQuery')).toHaveLength(1);
  });

  it('applies role policies: a forbidden metric, and the row filter sent upstream', async () => {
    const filter = "{{ Dimension('customer__region') }} = 'EU'";
    const set = await app.graphql(
      `mutation($policy: SemanticLayerRolePolicyInput!) { setSemanticLayerRolePolicy(role: "viewer", policy: $policy) { role allowedMetrics rowFilters } }`,
      { policy: { allowedMetrics: ['orders_*'], rowFilters: [filter] } },
    );
    expect(set.body.errors).toBeUndefined();
    const forbidden = await run({ input: { metrics: ['revenue'] } }, viewer);
    expect(forbidden.errors?.[0]?.extensions.code).toBe('FORBIDDEN');
    expect(forbidden.errors?.[0]?.message).toContain("metric 'revenue'");
    expect(fake.requestsFor('createQuery')).toHaveLength(0);

    const allowed = await run(
      { input: { metrics: ['orders_total'], groupBy: [{ name: 'customer__region' }] } },
      viewer,
    );
    expect(allowed.errors).toBeUndefined();
    expect(fake.queries.at(-1)!.arguments.where).toEqual([{ sql: filter }]);
    const policies = await app.graphql(`{ semanticLayerRolePolicies { role } }`, {}, viewer);
    expect(policies.body.errors?.[0]?.extensions.code).toBe('FORBIDDEN');
  });

  it('shows the upstream error of a FAILED query', async () => {
    fake.queryBehaviour(
      {
        pollsBeforeDone: 1,
        fail: "Unable to resolve group by 'customer__regoin'. Suggestions: ['customer__region']",
      },
      { times: 1 },
    );
    const body = await run({ input: { metrics: ['revenue'], limit: 7 } });
    expect(body.errors?.[0]?.extensions.code).toBe('BAD_USER_INPUT');
    expect(body.errors?.[0]?.message).toContain("Suggestions: ['customer__region']");

    fake.queryBehaviour({ pollsBeforeDone: 1, fail: 'Warehouse connection refused' }, { times: 1 });
    const outage = await run({ input: { metrics: ['revenue'], limit: 8 } });
    expect(outage.errors?.[0]?.extensions.code).toBe('UPSTREAM_UNAVAILABLE');
  });

  it('gives up on a query past SEMANTIC_LAYER_QUERY_TIMEOUT_SECONDS and says so', async () => {
    fake.queryBehaviour({ pollsBeforeDone: 1, runningForMs: 600_000 }, { times: 1 });
    const body = await run({ input: { metrics: ['revenue'], limit: 9 } });
    fake.releaseSlowQueries();
    expect(body.errors?.[0]?.extensions.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(body.errors?.[0]?.message).toMatch(/was cancelled after 2 s/);
  });

  it('writes an audit row for every query', async () => {
    const { body } = await app.graphql(
      `{ semanticLayerQueryAudit(first: 100) { totalCount edges { node { role kind status rowCount errorCode request subject } } } }`,
    );
    expect(body.errors).toBeUndefined();
    const nodes = body.data.semanticLayerQueryAudit.edges.map((edge: { node: unknown }) => edge.node);
    const statuses = nodes.map((node: { status: string }) => node.status);
    expect(statuses).toEqual(
      expect.arrayContaining(['succeeded', 'cached', 'forbidden', 'invalid', 'failed', 'timed_out']),
    );
    expect(nodes).toContainEqual(
      expect.objectContaining({
        role: 'viewer',
        status: 'forbidden',
        errorCode: 'FORBIDDEN',
        subject: viewer.subject,
      }),
    );
    expect(nodes).toContainEqual(expect.objectContaining({ kind: 'compile', status: 'succeeded' }));
    expect(nodes).toContainEqual(expect.objectContaining({ status: 'succeeded', rowCount: 8 }));
  });

  it('marks the connection failed when the token is refused (401)', async () => {
    const { body } = await app.graphql(
      `mutation($id: ID!, $input: UpdateSemanticLayerConnectionInput!) { updateSemanticLayerConnection(id: $id, input: $input) { tokenHint } }`,
      { id: connectionId, input: { token: 'dbtc_revoked-token-000000' } },
    );
    expect(body.errors).toBeUndefined();
    const failed = await run({ input: { metrics: ['orders_total'], limit: 3 } });
    expect(failed.errors?.[0]?.extensions.code).toBe('UPSTREAM_AUTH_FAILED');
    expect(failed.errors?.[0]?.message).not.toContain('dbtc_revoked-token-000000');
    expect(fake.requests.at(-1)!.status).toBe(401);
    const connection = await app.graphql(
      `query($id: ID!) { semanticLayerConnection(id: $id) { lastError { code message } } }`,
      { id: connectionId },
    );
    expect(connection.body.data.semanticLayerConnection.lastError.code).toBe('UPSTREAM_AUTH_FAILED');
    const test = await app.graphql(
      `mutation($id: ID!) { testSemanticLayerConnection(id: $id) { ok error { code message } } }`,
      { id: connectionId },
    );
    expect(test.body.data.testSemanticLayerConnection.ok).toBe(false);
    expect(test.body.data.testSemanticLayerConnection.error.code).toBe('UPSTREAM_AUTH_FAILED');
  });
});
