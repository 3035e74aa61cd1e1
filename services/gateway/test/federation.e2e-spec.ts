import { createHash } from 'node:crypto';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { DatasetUpserted } from '@cartograph/contracts';
import { createServiceDataSource } from '@cartograph/platform/database';
import { OutboxPublisher } from '@cartograph/platform/events';
import { TestStack, WebhookReceiver, eventually } from '@cartograph/platform/testing';
import type { DataSource } from 'typeorm';

const tables = ['customers', 'orders', 'payments', 'order_items', 'customer_lifetime_value'].map((name) => ({
  id: `snowflake://acme/analytics.marts.${name}`,
  platform: 'snowflake',
  instance: 'acme',
  database: 'analytics',
  schema: 'marts',
  name,
  kind: 'table',
  description: `The ${name.replace(/_/g, ' ')} model.`,
  source: 'dbt' as const,
  seenAt: new Date().toISOString(),
}));

describe('federated stack end to end (gateway + catalog as separate processes)', () => {
  let stack: TestStack;
  let producer: DataSource;
  let subscriptionClient: Client;
  const receiver = new WebhookReceiver();
  const streamed: { id: string; type: string; subject: string }[] = [];

  beforeAll(async () => {
    stack = await TestStack.start({ project: 'gateway' });
    producer = createServiceDataSource({
      url: stack.databaseUrl,
      schema: 'catalog',
      entities: [],
      migrations: [],
      poolSize: 2,
    });
    await producer.initialize();
  });

  afterAll(async () => {
    await subscriptionClient?.dispose();
    await producer?.destroy();
    await receiver.stop();
    await stack?.stop();
  });

  it('subscribes, registers a webhook, publishes through the outbox, and serves the result through the gateway', async () => {
    // 1. A GraphQL subscription over graphql-ws on the gateway's /graphql.
    subscriptionClient = createClient({
      url: `${stack.gatewayUrl.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${stack.adminKey}` },
    });
    const subscribed = new Promise<void>((resolve, reject) => {
      subscriptionClient.subscribe<{ events: { id: string; type: string; subject: string } }>(
        {
          query: `subscription { events(types: ["dataset.upserted"], subject: "snowflake://acme/*") { id type subject } }`,
        },
        {
          next: (message) => message.data && streamed.push(message.data.events),
          error: reject,
          complete: () => undefined,
        },
      );
      // graphql-ws has no "subscribed" acknowledgement; the server registers the listener right after the message.
      setTimeout(resolve, 500);
    });
    await subscribed;

    // 2. A webhook that fails twice first.
    const url = await receiver.start();
    const created = await stack.graphql(
      `mutation($input: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $input) { secret subscription { id secretHint } } }`,
      { input: { url, eventTypes: ['dataset.upserted'], subjectFilter: 'snowflake://acme/*' } },
    );
    expect(created.body.errors).toBeUndefined();
    receiver.secret = created.body.data.createWebhookSubscription.secret;
    receiver.failuresLeft = 2;

    // 3. Events through the platform outbox, in one transaction.
    const published = await producer.transaction((manager) =>
      new OutboxPublisher({ schema: 'catalog', service: 'e2e-producer' }).publishMany(
        manager,
        DatasetUpserted,
        tables,
      ),
    );
    const publishedIds = published.map((event) => event.id).sort();

    // 4. dataset(id) and a misspelled search, through the gateway.
    const dataset = await eventually(async () => {
      const { body } = await stack.graphql(
        `query($id: ID!) { dataset(id: $id) { id name description sources } }`,
        { id: tables[1]!.id },
      );
      return body.data?.dataset;
    });
    expect(dataset).toEqual({
      id: tables[1]!.id,
      name: 'orders',
      description: 'The orders model.',
      sources: ['dbt'],
    });
    const search = await stack.graphql(
      `{ search(query: "custmer lifetme") { edges { node { id snippet } } } }`,
    );
    expect(search.body.errors).toBeUndefined();
    expect(search.body.data.search.edges[0].node.id).toBe(tables[4]!.id);

    // 5. Each event on the subscription, once.
    await eventually(async () => streamed.length >= tables.length);
    expect(streamed.map((event) => event.id).sort()).toEqual(publishedIds);
    expect(streamed.every((event) => event.type === 'dataset.upserted')).toBe(true);

    // 6. Each event at the webhook exactly once with a valid signature, after two 500s.
    await eventually(async () => receiver.delivered().length >= tables.length, 30_000);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const delivered = receiver.delivered();
    expect(delivered.map((webhook) => webhook.eventId).sort()).toEqual(publishedIds);
    expect(receiver.received.filter((webhook) => webhook.status === 500)).toHaveLength(2);
    expect(receiver.received.every((webhook) => webhook.signatureValid)).toBe(true);

    // 7. The delivery log shows the attempts and status codes.
    const log = await stack.graphql(
      `query($id: ID!) { webhookDeliveries(subscriptionId: $id, first: 20) { totalCount edges { node { status attempts lastStatusCode } } } }`,
      { id: created.body.data.createWebhookSubscription.subscription.id },
    );
    expect(log.body.data.webhookDeliveries.totalCount).toBe(tables.length);
    const nodes = log.body.data.webhookDeliveries.edges.map((edge: any) => edge.node);
    expect(nodes.every((node: any) => node.status === 'delivered' && node.lastStatusCode === 200)).toBe(true);
    expect(nodes.reduce((sum: number, node: any) => sum + node.attempts, 0)).toBe(tables.length + 2);
  });

  it('lists recent events through the events query', async () => {
    const { body } = await stack.graphql(
      `{ events(types: ["dataset.upserted"], first: 3) { totalCount edges { node { type subject } } } }`,
    );
    expect(body.data.events.totalCount).toBe(tables.length);
    expect(body.data.events.edges).toHaveLength(3);
  });

  it('answers a test ping with the receiver status code', async () => {
    const list = await stack.graphql(`{ webhookSubscriptions { edges { node { id } } } }`);
    const id = list.body.data.webhookSubscriptions.edges[0].node.id;
    const ping = await stack.graphql(
      `mutation($id: ID!) { testWebhookSubscription(id: $id) { status lastStatusCode eventType } }`,
      { id },
    );
    expect(ping.body.data.testWebhookSubscription).toEqual({
      status: 'delivered',
      lastStatusCode: 200,
      eventType: 'webhook.ping',
    });
  });

  it('reports a stopped subgraph as UPSTREAM_UNAVAILABLE, and recovers when it is back', async () => {
    await stack.process('catalog').stop();
    const down = await stack.graphql(`{ datasets { totalCount } }`);
    expect(down.body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(JSON.stringify(down.body)).not.toMatch(/127\.0\.0\.1|ECONNREFUSED/);
    await stack.process('catalog').start();
    const up = await stack.graphql(`{ datasets { totalCount } }`);
    expect(up.body.data).toEqual({ datasets: { totalCount: tables.length } });
  });

  it('passes /api/<service>/* through to the service with the caller identity, and only with a key', async () => {
    const id = encodeURIComponent(tables[0]!.id);
    const withKey = await fetch(`${stack.gatewayUrl}/api/catalog/datasets/${id}`, {
      headers: { authorization: `Bearer ${stack.adminKey}` },
    });
    expect(withKey.status).toBe(200);
    expect(await withKey.json()).toMatchObject({ id: tables[0]!.id, name: 'customers' });
    const missing = await fetch(`${stack.gatewayUrl}/api/catalog/datasets/nope`, {
      headers: { authorization: `Bearer ${stack.adminKey}` },
    });
    expect(missing.status).toBe(404);
    expect((await fetch(`${stack.gatewayUrl}/api/catalog/datasets/${id}`)).status).toBe(401);
    expect(
      (
        await fetch(`${stack.gatewayUrl}/api/unknown-service/x`, {
          headers: { authorization: `Bearer ${stack.adminKey}` },
        })
      ).status,
    ).toBe(404);
  });

  it('serves automatic persisted queries (APQ): a hash alone once the query was registered', async () => {
    const query = '{ datasets(first: 1) { totalCount } }';
    const sha256Hash = createHash('sha256').update(query).digest('hex');
    const persisted = { extensions: { persistedQuery: { version: 1, sha256Hash } } };
    const post = (body: object) =>
      fetch(`${stack.gatewayUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.adminKey}` },
        body: JSON.stringify(body),
      }).then((response) => response.json() as Promise<{ data?: unknown; errors?: { message: string }[] }>);
    expect((await post(persisted)).errors?.[0]?.message).toBe('PersistedQueryNotFound');
    expect((await post({ query, ...persisted })).data).toEqual({ datasets: { totalCount: tables.length } });
    expect((await post(persisted)).data).toEqual({ datasets: { totalCount: tables.length } });
  });
});
