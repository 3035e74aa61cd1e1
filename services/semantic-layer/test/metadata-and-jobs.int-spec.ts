import { randomUUID } from 'node:crypto';
import { DbtCloudRunIngested, type CloudEvent } from '@cartograph/contracts';
import { FakeSemanticLayer, eventually } from '@cartograph/platform/testing';
import { SemanticEventsConsumer } from '../src/modules/manifests/semantic-events.consumer.js';
import { admin, startSemanticLayer, viewer, type SemanticLayerTestApp } from './semantic-layer-test-app.js';

// Metadata freshness (a new dbt Cloud run drops the cached metadata of its environment, other environments
// keep theirs) and background metric queries (their outcomes, who may read them, the finished event).
const TOKEN = 'dbtc_freshness-token-1c7d2e';
const ENVIRONMENT = 5150;

function runIngested(environmentId: string): CloudEvent {
  return {
    specversion: '1.0',
    id: randomUUID(),
    source: 'cartograph/dbt-cloud',
    type: DbtCloudRunIngested.type,
    subject: 'dbt-cloud/1/runs/9',
    time: new Date().toISOString(),
    datacontenttype: 'application/json',
    data: {
      connectionId: randomUUID(),
      accountId: '1',
      projectId: '2',
      environmentId,
      jobId: '3',
      runId: '9',
      status: 'success',
      startedAt: null,
      finishedAt: null,
      durationSeconds: null,
      url: null,
      artifactSetIds: [],
    },
  } as CloudEvent;
}

describe('semantic layer metadata freshness and background queries', () => {
  let fake: FakeSemanticLayer;
  let app: SemanticLayerTestApp;
  let connectionId: string;

  beforeAll(async () => {
    fake = new FakeSemanticLayer();
    fake.environment({
      id: ENVIRONMENT,
      tokens: [TOKEN],
      dimensions: [{ name: 'metric_time', type: 'TIME', timeGranularity: 'day' }],
      metrics: [{ name: 'revenue', dimensions: ['metric_time'] }],
      rows: [{ metric_time: '2024-01-01T00:00:00', revenue: 1 }],
    });
    fake.queryBehaviour({ pollsBeforeDone: 1 });
    await fake.start();
    app = await startSemanticLayer({
      SEMANTIC_LAYER_POLL_INTERVAL_MS: '5',
      SEMANTIC_LAYER_POLL_MAX_INTERVAL_MS: '20',
      SEMANTIC_LAYER_QUERY_TIMEOUT_SECONDS: '2',
    });
    const { body } = await app.graphql(
      `mutation($input: CreateSemanticLayerConnectionInput!) { createSemanticLayerConnection(input: $input) { id } }`,
      {
        input: {
          name: 'fresh',
          mode: 'DBT_CLOUD',
          host: fake.baseUrl,
          environmentId: String(ENVIRONMENT),
          token: TOKEN,
        },
      },
    );
    connectionId = body.data.createSemanticLayerConnection.id;
  });

  afterAll(async () => {
    await app?.close();
    await fake?.stop();
  });

  const listMetrics = async () => {
    const { body } = await app.graphql(
      `query($id: ID!) { semanticLayerMetrics(connectionId: $id) { name } }`,
      {
        id: connectionId,
      },
    );
    expect(body.errors).toBeUndefined();
    return body.data.semanticLayerMetrics;
  };

  it('serves metadata from the cache until a dbt Cloud run of the same environment is ingested', async () => {
    await listMetrics();
    await listMetrics();
    expect(fake.requestsFor('metrics')).toHaveLength(1);
    const consumer = app.worker!.get(SemanticEventsConsumer);
    await consumer.handle(runIngested('999'));
    await listMetrics();
    expect(fake.requestsFor('metrics')).toHaveLength(1);
    await consumer.handle(runIngested(String(ENVIRONMENT)));
    await listMetrics();
    expect(fake.requestsFor('metrics')).toHaveLength(2);
  });

  async function submit(input: object, identity = admin): Promise<string> {
    const { body } = await app.graphql(
      `mutation($id: ID!, $input: MetricQueryInput) { submitMetricQuery(connectionId: $id, input: $input) { id status } }`,
      { id: connectionId, input },
      identity,
    );
    expect(body.errors).toBeUndefined();
    return body.data.submitMetricQuery.id;
  }

  async function finished(id: string, identity = admin): Promise<any> {
    return eventually(async () => {
      const { body } = await app.graphql(
        `query($id: ID!) { metricQueryJob(id: $id) { status rowCount error { code message } startedAt finishedAt } }`,
        { id },
        identity,
      );
      const job = body.data?.metricQueryJob;
      return job && !['QUEUED', 'RUNNING'].includes(job.status) ? job : null;
    }, 20_000);
  }

  it('reports a FAILED upstream query with the Semantic Layer’s error, and emits semantic_layer.query.finished', async () => {
    fake.queryBehaviour({ fail: 'Binder Error: column "amount" not found' }, { times: 1 });
    const id = await submit({ metrics: ['revenue'] });
    const job = await finished(id);
    expect(job.status).toBe('FAILED');
    expect(job.error.message).toContain('column "amount" not found');
    expect(job.finishedAt).not.toBeNull();
    const outbox: { type: string; subject: string; data: any }[] = await app.dataSource.query(
      `SELECT "type", "subject", "data" FROM "semantic_layer"."outbox" WHERE "subject" = $1`,
      [`semantic-layer/queries/${id}`],
    );
    expect(outbox).toEqual([
      expect.objectContaining({
        type: 'semantic_layer.query.finished',
        data: expect.objectContaining({ jobId: id, status: 'FAILED' }),
      }),
    ]);
  });

  it('reports a query still running at the timeout as TIMED_OUT', async () => {
    fake.queryBehaviour({ runningForMs: 60_000 }, { times: 1 });
    const job = await finished(await submit({ metrics: ['revenue'] }));
    fake.releaseSlowQueries();
    expect(job.status).toBe('TIMED_OUT');
    expect(job.error).toEqual({
      code: 'UPSTREAM_UNAVAILABLE',
      message: expect.stringContaining('was cancelled after 2 s'),
    });
  });

  it('refuses a malformed request at submit time and keeps a job private to its submitter', async () => {
    const { body } = await app.graphql(
      `mutation($id: ID!) { submitMetricQuery(connectionId: $id, text: "{{ semantic_layer.query(metrics=['revenue'], limit=drop()) }}") { id } }`,
      { id: connectionId },
    );
    expect(body.errors![0].extensions.code).toBe('BAD_USER_INPUT');

    const id = await submit({ metrics: ['revenue'] });
    expect((await finished(id)).status).toBe('SUCCEEDED');
    const { body: other } = await app.graphql(
      `query($id: ID!) { metricQueryJob(id: $id) { id } }`,
      { id },
      viewer,
    );
    expect(other.errors![0].extensions.code).toBe('NOT_FOUND');
  });
});
