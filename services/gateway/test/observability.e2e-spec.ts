import { FakeUpstream, TestStack, eventually } from '@cartograph/platform/testing';

describe('observability', () => {
  const collector = new FakeUpstream();
  let stack: TestStack;

  beforeAll(async () => {
    collector.route('POST', '/v1/traces', () => ({}));
    const endpoint = await collector.start();
    stack = await TestStack.start({
      project: 'gateway',
      // One subgraph besides the catalog: the others are listed as unreachable, which the status test wants too.
      services: ['dbt-artifacts'],
      environment: { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint },
    });
  }, 150_000);

  afterAll(async () => {
    await stack?.stop();
    await collector.stop();
  });

  it('exports traces over OTLP/HTTP when an endpoint is configured', async () => {
    await stack.graphql(`{ datasets { totalCount } }`);
    const exports = await eventually(async () => {
      const requests = collector.requestsTo('POST', '/v1/traces');
      return requests.length > 0 ? requests : null;
    }, 15_000);
    const bodies = exports.map((request) =>
      typeof request.body === 'string' ? request.body : JSON.stringify(request.body),
    );
    expect(bodies.join('')).toMatch(/cartograph-(gateway|catalog)/);
  });

  it('serves Prometheus metrics and health without authentication', async () => {
    const metrics = await (await fetch(`${stack.gatewayUrl}/metrics`)).text();
    expect(metrics).toContain('cartograph_graphql_operations_total');
    expect(metrics).toContain('cartograph_process_cpu_seconds_total');
    const ready = await fetch(`${stack.gatewayUrl}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      status: 'ok',
      checks: { redis: { status: 'ok' }, supergraph: { status: 'ok' } },
    });
  });

  it('reports every service through the status endpoint the CLI uses', async () => {
    const response = await fetch(`${stack.gatewayUrl}/api/status`, {
      headers: { authorization: `Bearer ${stack.adminKey}` },
    });
    expect(await response.json()).toMatchObject({
      gateway: 'ok',
      // Every subgraph of the supergraph is listed; the ones this stack did not start say so.
      services: [
        { name: 'catalog', status: 'ok' },
        { name: 'dbt-artifacts', status: 'ok' },
        { name: 'dbt-cloud', status: 'unreachable' },
        { name: 'hex', status: 'unreachable' },
        { name: 'semantic-layer', status: 'unreachable' },
        { name: 'warehouse', status: 'unreachable' },
      ],
    });
  });
});
