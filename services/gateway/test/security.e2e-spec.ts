import { createClient } from 'graphql-ws';
import { request } from 'undici';
import WebSocket from 'ws';
import { TestStack, eventually } from '@cartograph/platform/testing';

async function catalogGraphqlRequests(stack: TestStack): Promise<number> {
  const metrics = await (await fetch(stack.catalogUrl.replace('/graphql', '/metrics'))).text();
  return metrics
    .split('\n')
    .filter(
      (line) =>
        line.startsWith('cartograph_http_request_duration_seconds_count') &&
        line.includes('route="/graphql"'),
    )
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}

describe('security at the edge and in the subgraphs', () => {
  let stack: TestStack;
  const responses: string[] = [];
  let viewerKey = '';

  const call = async (query: string, variables: object = {}, key: string | null = stack.adminKey) => {
    const answer = await stack.graphql(query, variables, key);
    responses.push(JSON.stringify(answer.body));
    return answer;
  };

  beforeAll(async () => {
    stack = await TestStack.start({
      project: 'gateway',
      environment: {
        AUTH_KEY_CACHE_TTL_SECONDS: '1',
        CORS_ORIGINS: 'https://app.example.com',
        QUERY_MAX_DEPTH: '6',
        QUERY_MAX_COST: '500',
        LOG_LEVEL: 'debug',
      },
    });
    const created = await stack.graphql(
      `mutation { createApiKey(input: { name: "reader", role: VIEWER }) { key } }`,
    );
    viewerKey = created.body.data.createApiKey.key;
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('answers 401 UNAUTHENTICATED without a key, and with a malformed or unknown key', async () => {
    for (const key of [null, 'not-a-key', 'cgk_unknownunknownunknownunknownunknown']) {
      const { status, body } = await call(`{ datasets { totalCount } }`, {}, key);
      expect(status).toBe(401);
      expect(body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    }
  });

  it('answers CORS preflights for configured origins only', async () => {
    // undici.request, not fetch: fetch treats Origin as a browser-controlled header.
    const preflight = async (origin: string) => {
      const response = await request(`${stack.gatewayUrl}/graphql`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST' },
      });
      await response.body.dump();
      return {
        status: response.statusCode,
        headers: { get: (name: string) => (response.headers[name] as string | undefined) ?? null },
      };
    };
    const allowed = await preflight('https://app.example.com');
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(allowed.headers.get('access-control-allow-headers')).toContain('authorization');
    const other = await preflight('https://evil.example.com');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses a subscription connection without a valid key', async () => {
    for (const connectionParams of [
      {},
      { authorization: 'Bearer cgk_unknownunknownunknownunknownunknown' },
    ]) {
      const client = createClient({
        url: `${stack.gatewayUrl.replace('http', 'ws')}/graphql`,
        webSocketImpl: WebSocket,
        connectionParams,
        retryAttempts: 0,
      });
      const closed = await new Promise<{ code: number }>((resolve) => {
        client.on('closed', (event) => resolve(event as { code: number }));
        client.subscribe(
          { query: 'subscription { events { id } }' },
          { next: () => undefined, error: () => undefined, complete: () => undefined },
        );
      });
      expect(closed.code).toBe(4403);
      await client.dispose();
    }
  });

  it('lets a viewer read but refuses its mutation with FORBIDDEN', async () => {
    const read = await call(`{ datasets { totalCount } }`, {}, viewerKey);
    expect(read.body.data).toEqual({ datasets: { totalCount: 0 } });
    const write = await call(
      `mutation { createApiKey(input: { name: "escalate", role: ADMIN }) { key } }`,
      {},
      viewerKey,
    );
    expect(write.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(write.body.data).toBeNull();
  });

  it('refuses a subgraph called directly without the gateway signature', async () => {
    const direct = await fetch(stack.catalogUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.adminKey}` },
      body: JSON.stringify({ query: '{ apiKeys { totalCount } }' }),
    });
    expect(direct.status).toBe(401);
    const forged = await fetch(stack.catalogUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-cartograph-identity': Buffer.from(
          JSON.stringify({ subject: 'x', kind: 'api-key', role: 'admin' }),
        ).toString('base64url'),
        'x-cartograph-signature': `t=${Math.floor(Date.now() / 1000)},v1=forged`,
      },
      body: JSON.stringify({ query: '{ apiKeys { totalCount } }' }),
    });
    expect(forged.status).toBe(401);
    const internal = await fetch(stack.catalogUrl.replace('/graphql', '/internal/api-keys/verify'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ key: stack.adminKey }),
    });
    expect(internal.status).toBe(401);
  });

  it('stops accepting a revoked key within the cache TTL', async () => {
    const created = await call(
      `mutation { createApiKey(input: { name: "short-lived", role: VIEWER }) { key apiKey { id } } }`,
    );
    const { key, apiKey } = created.body.data.createApiKey;
    expect((await call(`{ datasets { totalCount } }`, {}, key)).status).toBe(200);
    await call(`mutation($id: ID!) { revokeApiKey(id: $id) { revokedAt } }`, { id: apiKey.id });
    const revokedAt = Date.now();
    await eventually(
      async () => (await call(`{ datasets { totalCount } }`, {}, key)).status === 401,
      5_000,
      200,
    );
    // TTL is 1 s; allow scheduling slack but not more.
    expect(Date.now() - revokedAt).toBeLessThan(2_500);
  });

  it('rejects queries over the depth or cost limit before any subgraph sees them', async () => {
    const before = await catalogGraphqlRequests(stack);
    const deep = await call(`{ __schema { types { fields { type { ofType { ofType { name } } } } } } }`);
    expect(deep.body.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      limit: 'depth',
      maximum: 6,
    });
    const costly = await call(`{ datasets(first: 500) { edges { node { id name description } } } }`);
    expect(costly.body.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      limit: 'cost',
      maximum: 500,
    });
    expect(costly.body.data).toBeUndefined();
    expect(await catalogGraphqlRequests(stack)).toBe(before);
    // The same query within the limits does reach the subgraph.
    await call(`{ datasets(first: 5) { edges { node { id } } } }`);
    expect(await catalogGraphqlRequests(stack)).toBeGreaterThan(before);
  });

  it('never shows a webhook secret or an API key in any later response or any log line', async () => {
    const created = await call(
      `mutation { createWebhookSubscription(input: { url: "http://127.0.0.1:9/unreachable" }) { secret subscription { id secretHint } } }`,
    );
    const { secret, subscription } = created.body.data.createWebhookSubscription;
    expect(secret).toMatch(/^whsec_/);
    const creationResponses = new Set(
      responses.filter((text) => text.includes(secret) || text.includes(viewerKey)),
    );
    await call(
      `{ webhookSubscriptions { edges { node { id url secretHint } } } apiKeys { edges { node { id hint name } } } }`,
    );
    await call(`mutation($id: ID!) { testWebhookSubscription(id: $id) { status lastError } }`, {
      id: subscription.id,
    });
    await call(`mutation($id: ID!) { updateWebhookSubscription(id: $id, input: { active: false }) { id } }`, {
      id: subscription.id,
    });

    const secrets = [
      secret,
      viewerKey,
      stack.adminKey,
      stack.environment.CARTOGRAPH_INTERNAL_SECRET!,
      stack.environment.CARTOGRAPH_ENCRYPTION_KEY!,
    ];
    const laterResponses = responses.filter((text) => !creationResponses.has(text));
    for (const value of secrets) {
      expect(laterResponses.filter((text) => text.includes(value))).toEqual([]);
      expect(stack.logs.filter((line) => line.includes(value))).toEqual([]);
    }
    // The log is not empty: the assertion above would pass vacuously otherwise.
    expect(stack.logs.length).toBeGreaterThan(10);
  });
});
