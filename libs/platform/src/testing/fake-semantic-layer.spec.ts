import { tableFromIPC } from 'apache-arrow';
import { request } from 'undici';
import { FakeSemanticLayer, type FakeSemanticLayerEnvironmentOptions } from './fake-semantic-layer.js';

let fake: FakeSemanticLayer;

interface Answer {
  status: number;
  headers: Record<string, unknown>;
  json: any;
}

async function graphql(
  query: string,
  variables: Record<string, unknown> = {},
  options: { token?: string | null; body?: unknown } = {},
): Promise<Answer> {
  const token = options.token === undefined ? 'dbtsl_good' : options.token;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const response = await request(fake.graphqlUrl, {
    method: 'POST',
    headers,
    body: JSON.stringify(options.body ?? { query, variables }),
  });
  const text = await response.body.text();
  return { status: response.statusCode, headers: response.headers, json: JSON.parse(text) };
}

const CREATE = `mutation Create($environmentId: BigInt!, $savedQuery: String, $metrics: [MetricInput!], $groupBy: [GroupByInput!],
  $where: [WhereInput!], $orderBy: [OrderByInput!], $limit: Int) {
  createQuery(environmentId: $environmentId, savedQuery: $savedQuery, metrics: $metrics, groupBy: $groupBy, where: $where,
    orderBy: $orderBy, limit: $limit) { queryId }
}`;

const POLL = `query Poll($environmentId: BigInt!, $queryId: String!, $pageNum: Int!) {
  query(environmentId: $environmentId, queryId: $queryId, pageNum: $pageNum) { queryId status sql error totalPages arrowResult }
}`;

const environment: FakeSemanticLayerEnvironmentOptions = {
  id: 101,
  tokens: ['dbtsl_good'],
  dialect: 'BIGQUERY',
  dimensions: [
    { name: 'customer__region', label: 'Region' },
    { name: 'customer__is_vip' },
    { name: 'order__ordered_at', timeGranularity: 'day' },
  ],
  entities: [
    { name: 'customer', type: 'PRIMARY' },
    { name: 'order', type: 'FOREIGN' },
  ],
  metrics: [
    {
      name: 'revenue',
      label: 'Revenue',
      dimensions: ['metric_time', 'customer__region', 'customer__is_vip', 'order__ordered_at'],
      entities: ['customer', 'order'],
      measures: [{ name: 'revenue_amount', agg: 'SUM', aggTimeDimension: 'ordered_at' }],
      resultType: 'decimal',
      decimalScale: 2,
      meta: { owner: 'finance' },
    },
    {
      name: 'orders',
      dimensions: ['metric_time', 'customer__region'],
      entities: ['customer'],
      resultType: 'int64',
    },
  ],
  savedQueries: [
    {
      name: 'monthly_revenue',
      metrics: ['revenue'],
      groupBy: [{ name: 'metric_time', grain: 'month' }],
      where: "{{ Dimension('customer__region') }} = 'EU'",
    },
  ],
  rows: [
    {
      metric_time: '2024-01-03T10:00:00',
      customer__region: 'EU',
      customer__is_vip: true,
      customer: 1,
      revenue: 10.5,
      orders: 1,
    },
    {
      metric_time: '2024-01-20T08:00:00',
      customer__region: 'EU',
      customer__is_vip: false,
      customer: 2,
      revenue: 4.25,
      orders: 2,
    },
    {
      metric_time: '2024-01-21T08:00:00',
      customer__region: 'NA',
      customer__is_vip: false,
      customer: 3,
      revenue: 7,
      orders: 1,
    },
    {
      metric_time: '2024-02-02T00:00:00',
      customer__region: 'EU',
      customer__is_vip: true,
      customer: 1,
      revenue: 1,
      orders: 1,
    },
    {
      metric_time: '2024-03-15T00:00:00',
      customer__region: null,
      customer__is_vip: null,
      customer: 4,
      revenue: 100,
      orders: 5,
    },
  ],
};

beforeEach(async () => {
  fake = new FakeSemanticLayer();
  await fake.start();
  fake.environment(environment).environment({ id: '202', tokens: ['dbtsl_other'], metrics: [] });
});

afterEach(async () => {
  await fake.stop();
});

async function runToSuccess(
  variables: Record<string, unknown>,
): Promise<{ queryId: string; statuses: string[]; last: any }> {
  const created = await graphql(CREATE, { environmentId: 101, ...variables });
  expect(created.json.errors).toBeUndefined();
  const queryId = created.json.data.createQuery.queryId as string;
  const statuses: string[] = [];
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const polled = await graphql(POLL, { environmentId: '101', queryId, pageNum: 1 });
    const result = polled.json.data.query;
    statuses.push(result.status);
    if (result.status === 'SUCCESSFUL' || result.status === 'FAILED')
      return { queryId, statuses, last: result };
  }
  throw new Error(`query ${queryId} did not finish: ${statuses.join(', ')}`);
}

function decodeArrow(base64: string): Record<string, unknown>[] {
  const table = tableFromIPC(Buffer.from(base64, 'base64'));
  return table.toArray().map((row) => row.toJSON() as Record<string, unknown>);
}

describe('FakeSemanticLayer metadata', () => {
  it('serves metrics with nested dimensions, entities, measures and config', async () => {
    const answer = await graphql(
      `
        query Metrics($environmentId: BigInt!) {
          metrics(environmentId: $environmentId) {
            name
            label
            type
            requiresMetricTime
            queryableTimeGranularities
            config {
              meta
            }
            dimensions {
              qualifiedName
              name
              type
            }
            entities {
              name
              type
            }
            measures {
              name
              agg
              aggTimeDimension
            }
          }
        }
      `,
      { environmentId: 101 },
    );
    expect(answer.status).toBe(200);
    const [revenue, orders] = answer.json.data.metrics;
    expect(revenue).toMatchObject({
      name: 'revenue',
      label: 'Revenue',
      type: 'SIMPLE',
      requiresMetricTime: false,
      queryableTimeGranularities: ['day', 'week', 'month', 'quarter', 'year'],
      config: { meta: { owner: 'finance' } },
      entities: [
        { name: 'customer', type: 'PRIMARY' },
        { name: 'order', type: 'FOREIGN' },
      ],
      measures: [{ name: 'revenue_amount', agg: 'SUM', aggTimeDimension: 'ordered_at' }],
    });
    expect(revenue.dimensions).toContainEqual({
      qualifiedName: 'customer__region',
      name: 'region',
      type: 'CATEGORICAL',
    });
    expect(revenue.dimensions).toContainEqual({
      qualifiedName: 'metric_time',
      name: 'metric_time',
      type: 'TIME',
    });
    expect(orders.name).toBe('orders');
  });

  it('answers dimensions and entities of a metric set as their intersection, and saved queries', async () => {
    const answer = await graphql(
      `
        query Set($environmentId: BigInt!, $metrics: [MetricInput!]!) {
          dimensions(environmentId: $environmentId, metrics: $metrics) {
            qualifiedName
            queryableTimeGranularities
            typeParams {
              timeGranularity
            }
          }
          entities(environmentId: $environmentId, metrics: $metrics) {
            name
          }
          savedQueries(environmentId: $environmentId) {
            name
            queryParams {
              metrics {
                name
              }
              groupBy {
                name
                grain
                timeGranularity
              }
              where {
                whereSqlTemplate
              }
            }
          }
          environmentInfo(environmentId: $environmentId) {
            dialect
            hasMetricsDefined
          }
        }
      `,
      { environmentId: 101, metrics: [{ name: 'revenue' }, { name: 'orders' }] },
    );
    expect(answer.json.errors).toBeUndefined();
    expect(answer.json.data.dimensions.map((dimension: any) => dimension.qualifiedName)).toEqual([
      'metric_time',
      'customer__region',
    ]);
    expect(answer.json.data.dimensions[0].typeParams).toEqual({ timeGranularity: 'DAY' });
    expect(answer.json.data.entities).toEqual([{ name: 'customer' }]);
    expect(answer.json.data.savedQueries).toEqual([
      {
        name: 'monthly_revenue',
        queryParams: {
          metrics: [{ name: 'revenue' }],
          groupBy: [{ name: 'metric_time', grain: 'MONTH', timeGranularity: 'month' }],
          where: { whereSqlTemplate: "{{ Dimension('customer__region') }} = 'EU'" },
        },
      },
    ]);
    expect(answer.json.data.environmentInfo).toEqual({ dialect: 'BIGQUERY', hasMetricsDefined: true });
  });

  it('pages metricsPaginated and filters by search', async () => {
    const answer = await graphql(
      `
        query P($environmentId: BigInt!) {
          metricsPaginated(environmentId: $environmentId, pageNum: 2, pageSize: 1) {
            items {
              name
            }
            pageNum
            totalItems
            totalPages
          }
        }
      `,
      { environmentId: 101 },
    );
    expect(answer.json.data.metricsPaginated).toEqual({
      items: [{ name: 'orders' }],
      pageNum: 2,
      totalItems: 2,
      totalPages: 2,
    });
    const searched = await graphql(
      `
        query S($environmentId: BigInt!) {
          metrics(environmentId: $environmentId, search: "rev") {
            name
          }
        }
      `,
      {
        environmentId: 101,
      },
    );
    expect(searched.json.data.metrics).toEqual([{ name: 'revenue' }]);
  });
});

describe('FakeSemanticLayer errors', () => {
  it('answers 401 for a missing or unknown token', async () => {
    for (const token of [null, 'dbtsl_wrong']) {
      const answer = await graphql('query { __typename }', {}, { token });
      expect(answer.status).toBe(401);
      expect(answer.json).toEqual({ data: null, errors: [{ message: 'User is not authorized' }] });
    }
    expect(fake.requests.map((entry) => entry.status)).toEqual([401, 401]);
  });

  it('refuses an environment the token cannot use, naming it', async () => {
    for (const environmentId of [202, 999]) {
      const answer = await graphql(
        `
          query M($environmentId: BigInt!) {
            metrics(environmentId: $environmentId) {
              name
            }
          }
        `,
        { environmentId },
      );
      expect(answer.status).toBe(200);
      expect(answer.json.data).toBeNull();
      expect(answer.json.errors).toEqual([
        expect.objectContaining({
          message: `Environment ${environmentId} was not found or the token cannot access it.`,
          path: ['metrics'],
          extensions: { code: 'NOT_FOUND' },
        }),
      ]);
    }
  });

  it('validates documents and variables against the schema, worded as the Python server does', async () => {
    // The document of the recorded answer: the variable is defined at line 1, column 9.
    const metricsDocument =
      'query M($environmentId: BigInt!) { metrics(environmentId: $environmentId) { name } }';
    const missing = await graphql(metricsDocument, {});
    expect(missing.json).toEqual({
      data: null,
      errors: [
        {
          message: "Variable '$environmentId' of required type 'BigInt!' was not provided.",
          locations: [{ line: 1, column: 9 }],
        },
      ],
    });
    const document = `query M($environmentId: BigInt!) { metrics(environmentId: $environmentId) { name owner } }`;
    const unknownField = await graphql(document, { environmentId: 101 });
    expect(unknownField.json.data).toBeNull();
    expect(unknownField.json.errors[0].message).toBe("Cannot query field 'owner' on type 'Metric'.");
    expect(unknownField.json.errors[0].locations).toEqual([
      { line: 1, column: document.indexOf('owner') + 1 },
    ]);
    const badId = await graphql(
      `
        query M($environmentId: BigInt!) {
          metrics(environmentId: $environmentId) {
            name
          }
        }
      `,
      {
        environmentId: 'abc',
      },
    );
    expect(badId.json.errors[0].message).toContain("BigInt cannot represent value: 'abc'");
    const syntax = await graphql('query { metrics(', {});
    expect(syntax.json.errors[0].message).toContain('Syntax Error');
    const notGraphql = await graphql('', {}, { body: { hello: 'world' } });
    expect(notGraphql.status).toBe(400);
  });

  it('refuses unknown metrics and group-bys with suggestions', async () => {
    const metric = await graphql(CREATE, { environmentId: 101, metrics: [{ name: 'revehue' }] });
    expect(metric.json.data).toBeNull();
    expect(metric.json.errors[0].message).toContain("Input: 'revehue'. Suggestions: ['revenue'");
    expect(metric.json.errors[0].path).toEqual(['createQuery']);
    const dimension = await graphql(CREATE, {
      environmentId: 101,
      metrics: [{ name: 'orders' }],
      groupBy: [{ name: 'customer__is_vip' }],
    });
    expect(dimension.json.errors[0].message).toContain("Input: 'customer__is_vip'");
  });

  it('answers scripted 429s with Retry-After, then recovers', async () => {
    fake.fail({ status: 429, times: 2, retryAfterSeconds: 7, field: 'createQuery' });
    const metadata = await graphql(
      `
        query M($environmentId: BigInt!) {
          metrics(environmentId: $environmentId) {
            name
          }
        }
      `,
      { environmentId: 101 },
    );
    expect(metadata.status).toBe(200);
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const limited = await graphql(CREATE, { environmentId: 101, metrics: [{ name: 'revenue' }] });
      expect(limited.status).toBe(429);
      expect(limited.headers['retry-after']).toBe('7');
    }
    expect((await graphql(CREATE, { environmentId: 101, metrics: [{ name: 'revenue' }] })).status).toBe(200);
  });
});

describe('FakeSemanticLayer queries', () => {
  it('moves a query through PENDING, RUNNING, COMPILED and SUCCESSFUL and aggregates the dataset', async () => {
    fake.queryBehaviour({ pollsBeforeDone: 3 });
    const { queryId, statuses, last } = await runToSuccess({
      metrics: [{ name: 'revenue' }, { name: 'orders' }],
      groupBy: [{ name: 'metric_time', timeGranularity: 'month' }],
      orderBy: [{ groupBy: { name: 'metric_time', timeGranularity: 'month' }, descending: false }],
    });
    expect(queryId).toMatch(/^[0-9A-Za-z]{27}$/);
    expect(statuses).toEqual(['PENDING', 'RUNNING', 'COMPILED', 'SUCCESSFUL']);
    expect(fake.requests.every((request) => request.servedMs > 0)).toBe(true);
    expect(last.totalPages).toBe(1);
    expect(last.sql).toContain("DATE_TRUNC('month', metric_time) AS metric_time__month");
    const table = tableFromIPC(Buffer.from(last.arrowResult, 'base64'));
    expect(table.schema.fields.map((field) => `${field.name}: ${String(field.type)}`)).toEqual([
      'metric_time__month: Timestamp<MICROSECOND>',
      'revenue: Decimal[38e+2]',
      'orders: Int64',
    ]);
    const months = table.getChild('metric_time__month')!.toArray() as BigInt64Array;
    expect(Array.from(months, (value) => new Date(Number(value / 1000n)).toISOString())).toEqual([
      '2024-01-01T00:00:00.000Z',
      '2024-02-01T00:00:00.000Z',
      '2024-03-01T00:00:00.000Z',
    ]);
    const revenue = table.getChild('revenue')!.data[0]!.values as Uint32Array;
    expect([revenue[0], revenue[4], revenue[8]]).toEqual([2175, 100, 10000]);
    expect(Array.from(table.getChild('orders')!.toArray() as BigInt64Array)).toEqual([4n, 1n, 5n]);
  });

  it('splits results into pages of the configured size', async () => {
    fake.queryBehaviour({ pollsBeforeDone: 0, pageSize: 2 });
    const { queryId, last } = await runToSuccess({
      metrics: [{ name: 'orders' }],
      groupBy: [{ name: 'metric_time', timeGranularity: 'day' }],
      orderBy: [{ metric: { name: 'orders' }, descending: true }],
    });
    expect(last.totalPages).toBe(3);
    // Days ordered by orders, descending: 5, 2, then three days with 1.
    expect(decodeArrow(last.arrowResult).map((row) => Number(row.orders))).toEqual([5, 2]);
    const third = await graphql(POLL, { environmentId: 101, queryId, pageNum: 3 });
    expect(decodeArrow(third.json.data.query.arrowResult)).toHaveLength(1);
    const beyond = await graphql(POLL, { environmentId: 101, queryId, pageNum: 4 });
    expect(beyond.json.errors[0].message).toBe('Page 4 does not exist: the query has 3 page(s).');
  });

  it('serves pandas JSON, base64-encoded by default, in the orient asked', async () => {
    fake.queryBehaviour({ pollsBeforeDone: 0 });
    const { queryId } = await runToSuccess({
      metrics: [{ name: 'revenue' }],
      groupBy: [{ name: 'customer__region' }],
    });
    const json = await graphql(
      `
        query J($environmentId: BigInt!, $queryId: String!) {
          query(environmentId: $environmentId, queryId: $queryId) {
            table: jsonResult
            records: jsonResult(orient: RECORDS, encoded: false)
          }
        }
      `,
      { environmentId: 101, queryId },
    );
    const table = JSON.parse(Buffer.from(json.json.data.query.table, 'base64').toString('utf8'));
    expect(table.schema.fields).toEqual([
      { name: 'index', type: 'integer' },
      { name: 'customer__region', type: 'string' },
      { name: 'revenue', type: 'number' },
    ]);
    expect(table.data).toEqual([
      { index: 0, customer__region: 'EU', revenue: 15.75 },
      { index: 1, customer__region: 'NA', revenue: 7 },
      { index: 2, customer__region: null, revenue: 100 },
    ]);
    expect(JSON.parse(json.json.data.query.records)).toEqual([
      { customer__region: 'EU', revenue: 15.75 },
      { customer__region: 'NA', revenue: 7 },
      { customer__region: null, revenue: 100 },
    ]);
  });

  it('ends FAILED with the scripted error, for the next query only', async () => {
    fake.queryBehaviour(
      { pollsBeforeDone: 1, fail: 'INVALID_ARGUMENT: [FlightSQL] warehouse said no' },
      { times: 1 },
    );
    const failed = await runToSuccess({ metrics: [{ name: 'revenue' }] });
    expect(failed.statuses).toEqual(['COMPILED', 'FAILED']);
    expect(failed.last).toMatchObject({
      status: 'FAILED',
      error: 'INVALID_ARGUMENT: [FlightSQL] warehouse said no',
      arrowResult: null,
    });
    const next = await runToSuccess({ metrics: [{ name: 'revenue' }] });
    expect(next.last.status).toBe('SUCCESSFUL');
  });

  it('keeps a slow query RUNNING until released', async () => {
    fake.queryBehaviour({ pollsBeforeDone: 1, runningForMs: 10 * 60_000 });
    const created = await graphql(CREATE, { environmentId: 101, metrics: [{ name: 'revenue' }] });
    const queryId = created.json.data.createQuery.queryId;
    const statuses: string[] = [];
    for (let poll = 0; poll < 4; poll += 1) {
      statuses.push(
        (await graphql(POLL, { environmentId: 101, queryId, pageNum: 1 })).json.data.query.status,
      );
    }
    expect(statuses).toEqual(['PENDING', 'RUNNING', 'RUNNING', 'RUNNING']);
    fake.releaseSlowQueries();
    expect((await graphql(POLL, { environmentId: 101, queryId, pageNum: 1 })).json.data.query.status).toBe(
      'SUCCESSFUL',
    );
  });

  it('records the variables and the coerced arguments of every query', async () => {
    const rowFilter = "{{ Dimension('customer__region') }} = 'EU'";
    await graphql(CREATE, {
      environmentId: '101',
      metrics: [{ name: 'revenue' }],
      groupBy: [{ name: 'customer__region' }],
      where: [{ sql: rowFilter }],
      limit: 10,
    });
    expect(fake.requestsFor('createQuery')).toHaveLength(1);
    expect(fake.requestsFor('createQuery')[0]!.variables.where).toEqual([{ sql: rowFilter }]);
    expect(fake.requestsFor('createQuery')[0]!.operationName).toBeUndefined();
    expect(fake.queries).toHaveLength(1);
    expect(fake.queries[0]).toMatchObject({
      kind: 'createQuery',
      environmentId: '101',
      arguments: { where: [{ sql: rowFilter }], limit: 10, savedQuery: null },
    });
    // Literal arguments are recorded the same way as variables.
    await graphql(`
      mutation {
        compileSql(
          environmentId: 101
          metrics: [{ name: "orders" }]
          where: [{ sql: "{{ Dimension('customer__region') }} = 'NA'" }]
        ) {
          sql
        }
      }
    `);
    expect(fake.queries[1]!.arguments.where).toEqual([{ sql: "{{ Dimension('customer__region') }} = 'NA'" }]);
  });

  it('compiles SQL with the filters in it', async () => {
    const answer = await graphql(
      `
        mutation C($environmentId: BigInt!, $metrics: [MetricInput!], $where: [WhereInput!]) {
          compileSql(environmentId: $environmentId, metrics: $metrics, where: $where) {
            sql
          }
        }
      `,
      {
        environmentId: 101,
        metrics: [{ name: 'revenue' }],
        where: [{ sql: "{{ Dimension('customer__region') }} = 'EU'" }],
      },
    );
    expect(answer.json.data.compileSql.sql).toBe(
      "SELECT\n  SUM(revenue) AS revenue\nFROM fake_semantic_layer.dataset\nWHERE (customer__region = 'EU')",
    );
  });

  it('runs a saved query, and answers upper-case columns for a Snowflake-like environment', async () => {
    fake.environment({ ...environment, id: 303, tokens: ['dbtsl_good'], uppercaseColumns: true });
    fake.queryBehaviour({ pollsBeforeDone: 0 });
    const created = await graphql(CREATE, { environmentId: 303, savedQuery: 'monthly_revenue', limit: 2 });
    const queryId = created.json.data.createQuery.queryId;
    const polled = await graphql(POLL, { environmentId: 303, queryId, pageNum: 1 });
    const rows = decodeArrow(polled.json.data.query.arrowResult);
    expect(Object.keys(rows[0]!)).toEqual(['METRIC_TIME__MONTH', 'REVENUE']);
    expect(rows).toHaveLength(2);
    const mixed = await graphql(CREATE, {
      environmentId: 303,
      savedQuery: 'monthly_revenue',
      metrics: [{ name: 'revenue' }],
    });
    expect(mixed.json.errors[0].message).toBe('metrics and groupBy must be null when savedQuery is given.');
  });

  it('refuses a query id of another environment and an unknown one', async () => {
    fake.environment({ ...environment, id: 404, tokens: ['dbtsl_good'] });
    const created = await graphql(CREATE, { environmentId: 101, metrics: [{ name: 'revenue' }] });
    const queryId = created.json.data.createQuery.queryId;
    for (const [environmentId, id] of [
      [404, queryId],
      [101, 'nope'],
    ]) {
      const answer = await graphql(POLL, { environmentId, queryId: id, pageNum: 1 });
      expect(answer.json.errors[0]).toMatchObject({
        message: `Query ${id} was not found.`,
        extensions: { code: 'NOT_FOUND' },
      });
    }
  });
});
