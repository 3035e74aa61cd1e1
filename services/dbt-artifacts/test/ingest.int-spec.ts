import {
  buildCatalog,
  buildManifest,
  buildRunResults,
  buildSources,
  jaffleShopIds,
} from '@cartograph/dbt/testing';
import { startDbtArtifacts, type DbtArtifactsTestApp } from './dbt-artifacts-test-app.js';

const json = (value: unknown) => JSON.stringify(value);

describe('artifact set ingestion', () => {
  let app: DbtArtifactsTestApp;

  beforeAll(async () => {
    app = await startDbtArtifacts();
  });

  afterAll(async () => {
    await app?.close();
  });

  it('ingests a jaffle-shop set and answers dbtNode with columns, tests, last run and freshness', async () => {
    const ids = jaffleShopIds(12);
    const upload = await app.upload([
      { field: 'manifest', fileName: 'manifest.json', body: json(buildManifest(12)) },
      { field: 'catalog', fileName: 'catalog.json', body: json(buildCatalog()) },
      {
        field: 'run_results',
        fileName: 'run_results.json',
        body: json(
          buildRunResults(6, {
            which: 'build',
            failingTest: { name: 'not_null_orders_order_id', failures: 3 },
          }),
        ),
      },
      { field: 'sources', fileName: 'sources.json', body: json(buildSources(3)) },
    ]);
    expect(upload.status).toBe(202);
    const set = await app.settled(upload.body.artifactSet.id);
    expect(set.error).toBeNull();
    expect(set.state).toBe('succeeded');
    const orders = ids.models.find((id: string) => id.endsWith('.orders'))!;
    const { body } = await app.graphql(
      `query($id: String!) { dbtNode(uniqueId: $id) { name datasetId description lastRun { status durationSeconds }
         columns { name description dataType tests { name lastRun { status message failures } } } } }`,
      { id: orders },
    );
    expect(body.errors).toBeUndefined();
    console.log(JSON.stringify(body.data, null, 1).slice(0, 3000));
  });
});
