import { DatasetUpserted, DatasetRemoved } from '@cartograph/contracts';
import { JobQueue } from '@cartograph/platform/queue';
import { PruneEventLogJob } from '../src/modules/events/prune-event-log.job.js';
import { admin, eventually, startCatalog, viewer, type CatalogTestApp } from './catalog-test-app.js';

const seenAt = '2026-11-20T10:00:00.000Z';
const datasets = [
  {
    id: 'snowflake://acme/analytics.marts.dim_customers',
    schema: 'marts',
    name: 'dim_customers',
    description: 'One row per customer, with lifetime value.',
  },
  {
    id: 'snowflake://acme/analytics.marts.fct_orders',
    schema: 'marts',
    name: 'fct_orders',
    description: 'Orders with payment totals.',
  },
  {
    id: 'snowflake://acme/analytics.staging.stg_payments',
    schema: 'staging',
    name: 'stg_payments',
    description: null,
  },
];

describe('catalog subgraph', () => {
  let app: CatalogTestApp;

  beforeAll(async () => {
    app = await startCatalog();
    await app.producer.transaction((manager) =>
      app.publisher.publishMany(
        manager,
        DatasetUpserted,
        datasets.map((dataset) => ({
          ...dataset,
          platform: 'snowflake',
          instance: 'acme',
          database: 'analytics',
          kind: 'table',
          source: 'dbt' as const,
          seenAt,
        })),
      ),
    );
    await app.relay.drain();
    await eventually(
      async () =>
        (await app.graphql(`{ datasets { totalCount } }`)).body.data?.datasets.totalCount === datasets.length,
    );
  });

  afterAll(async () => {
    await app?.close();
  });

  it('builds the registry from dataset.upserted events and resolves dataset(id)', async () => {
    const dataset = await eventually(async () => {
      const { body } = await app.graphql(
        `query($id: ID!) { dataset(id: $id) { id name displayName description descriptionSource sources kind } }`,
        {
          id: datasets[0]!.id,
        },
      );
      return body.data?.dataset;
    });
    expect(dataset).toEqual({
      id: datasets[0]!.id,
      name: 'dim_customers',
      displayName: 'marts.dim_customers',
      description: 'One row per customer, with lifetime value.',
      descriptionSource: 'dbt',
      sources: ['dbt'],
      kind: 'TABLE',
    });
  });

  it('answers a reference to a dataset no source registered from its id, so the object listing it stays whole', async () => {
    await eventually(async () => {
      const { body } = await app.graphql(`query($id: ID!) { dataset(id: $id) { id } }`, {
        id: datasets[0]!.id,
      });
      return body.data?.dataset;
    });
    const unknown = 'mysql://db.internal/shop.shop.tmp_orders';
    const { body } = await app.graphql(
      `query($representations: [_Any!]!) { _entities(representations: $representations) {
         ... on Dataset { id platform instance schema name displayName kind sources firstSeenAt lastSeenAt } } }`,
      {
        representations: [
          { __typename: 'Dataset', id: datasets[0]!.id },
          { __typename: 'Dataset', id: unknown },
          { __typename: 'Dataset', id: 'not a dataset id' },
        ],
      },
    );
    expect(body.errors).toBeUndefined();
    const [known, stub, malformed] = body.data._entities;
    expect(known).toMatchObject({ id: datasets[0]!.id, kind: 'TABLE', sources: ['dbt'] });
    expect(known.firstSeenAt).not.toBeNull();
    expect(stub).toEqual({
      id: unknown,
      platform: 'mysql',
      instance: 'db.internal',
      schema: 'shop',
      name: 'tmp_orders',
      displayName: 'shop.tmp_orders',
      kind: 'UNKNOWN',
      sources: [],
      firstSeenAt: null,
      lastSeenAt: null,
    });
    expect(malformed).toBeNull();
    // An explicit lookup still says it is not in the catalog.
    const lookup = await app.graphql(`query($id: ID!) { dataset(id: $id) { id } }`, { id: unknown });
    expect(lookup.body.data.dataset).toBeNull();
  });

  it('lists datasets as a cursor connection', async () => {
    const first = await app.graphql(
      `{ datasets(first: 2) { totalCount edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }`,
    );
    expect(first.body.data.datasets.totalCount).toBe(3);
    expect(first.body.data.datasets.edges).toHaveLength(2);
    expect(first.body.data.datasets.pageInfo.hasNextPage).toBe(true);
    const second = await app.graphql(
      `query($after: String) { datasets(first: 2, after: $after) { edges { node { id } } pageInfo { hasNextPage } } }`,
      {
        after: first.body.data.datasets.pageInfo.endCursor,
      },
    );
    expect(second.body.data.datasets.edges.map((edge: any) => edge.node.id)).toEqual([datasets[2]!.id]);
    expect(second.body.data.datasets.pageInfo.hasNextPage).toBe(false);
  });

  it('finds a dataset by a misspelled search, ranked, with a highlighted snippet', async () => {
    const { body } = await app.graphql(
      `{ search(query: "custmers") { totalCount edges { node { id title snippet score dataset { name } } } } }`,
    );
    expect(body.errors).toBeUndefined();
    const top = body.data.search.edges[0].node;
    expect(top.id).toBe(datasets[0]!.id);
    expect(top.snippet).toContain('<mark>');
    expect(top.score).toBeGreaterThan(0);
  });

  it('ranks full-text matches in descriptions', async () => {
    const { body } = await app.graphql(
      `{ search(query: "payment totals") { edges { node { id snippet } } } }`,
    );
    expect(body.data.search.edges[0].node.id).toBe(datasets[1]!.id);
    expect(body.data.search.edges[0].node.snippet).toContain('<mark>payment</mark>');
  });

  it('refuses a request without the gateway signature', async () => {
    const { status, body } = await app.graphql(`{ datasets { totalCount } }`, {}, null);
    expect(status).toBe(401);
    expect(body.errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('refuses a mutation to a viewer with FORBIDDEN', async () => {
    const { body } = await app.graphql(
      `mutation { createApiKey(input: { name: "x", role: VIEWER }) { key } }`,
      {},
      viewer,
    );
    expect(body.errors?.[0].extensions.code).toBe('FORBIDDEN');
    expect(body.data).toBeNull();
  });

  it('creates, lists and revokes API keys, showing the key only once', async () => {
    const created = await app.graphql(
      `mutation { createApiKey(input: { name: "ci", role: EDITOR }) { key apiKey { id hint role } } }`,
      {},
      admin,
    );
    const { key, apiKey } = created.body.data.createApiKey;
    expect(key).toMatch(/^cgk_/);
    const listed = await app.graphql(`{ apiKeys { edges { node { id hint role revokedAt } } } }`);
    expect(JSON.stringify(listed.body)).not.toContain(key);
    expect(listed.body.data.apiKeys.edges.map((edge: any) => edge.node.id)).toContain(apiKey.id);
    const revoked = await app.graphql(`mutation($id: ID!) { revokeApiKey(id: $id) { revokedAt } }`, {
      id: apiKey.id,
    });
    expect(revoked.body.data.revokeApiKey.revokedAt).not.toBeNull();
  });

  it('marks a dataset removed once its only source removes it', async () => {
    await app.producer.transaction((manager) =>
      app.publisher.publish(manager, DatasetRemoved, {
        id: datasets[2]!.id,
        source: 'dbt',
        removedAt: '2026-11-21T00:00:00.000Z',
      }),
    );
    await app.relay.drain();
    const removedAt = await eventually(async () => {
      const { body } = await app.graphql(`query($id: ID!) { dataset(id: $id) { removedAt } }`, {
        id: datasets[2]!.id,
      });
      return body.data?.dataset?.removedAt;
    });
    expect(removedAt).toBe('2026-11-21T00:00:00.000Z');
  });

  it('answers bad input with BAD_USER_INPUT', async () => {
    const { body } = await app.graphql(`{ datasets(first: 100000) { totalCount } }`);
    expect(body.errors?.[0].extensions.code).toBe('BAD_USER_INPUT');
    const badCursor = await app.graphql(`{ datasets(after: "nonsense") { totalCount } }`);
    expect(badCursor.body.errors?.[0].extensions.code).toBe('BAD_USER_INPUT');
  });

  it('schedules the daily event log pruning, which deletes only events past the retention', async () => {
    const schedulers = await app.worker.get(JobQueue).queue('catalog').getJobSchedulers();
    expect(schedulers).toEqual([
      expect.objectContaining({ key: 'catalog.prune-event-log', pattern: '0 0 * * *', tz: 'UTC' }),
    ]);
    await app.producer.query(
      `INSERT INTO catalog.event_log (id, type, source, subject, time, data) VALUES (gen_random_uuid(), 'dataset.upserted', '/x', 'old', now() - interval '30 days', '{}')`,
    );
    const before = await app.graphql(`{ events { totalCount } }`);
    await app.worker.get(PruneEventLogJob).handle({ olderThanDays: 14 });
    const after = await app.graphql(`{ events { totalCount } }`);
    expect(after.body.data.events.totalCount).toBe(before.body.data.events.totalCount - 1);
  });
});
