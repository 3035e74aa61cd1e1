import { buildManifest, largeManifestChunks } from '@cartograph/dbt/testing';
import { TestStack, eventually } from '@cartograph/platform/testing';

/** A worker killed in the middle of an ingest: readers keep the old state, and the set is applied on restart. */
describe('a worker killed mid-ingest', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await TestStack.start({
      project: 'dbt-artifacts',
      services: ['dbt-artifacts'],
      environment: { DBT_ARTIFACTS_STRANDED_AFTER_SECONDS: '1' },
    });
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
  });

  async function upload(manifest: Blob): Promise<string> {
    const form = new FormData();
    form.append('manifest', manifest, 'manifest.json');
    const response = await fetch(`${stack.gatewayUrl}/api/dbt-artifacts/v1/uploads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.adminKey}` },
      body: form,
    });
    expect(response.status).toBe(202);
    return ((await response.json()) as { artifactSet: { id: string } }).artifactSet.id;
  }

  async function setState(id: string): Promise<{ state: string; attempts: number }> {
    const { body } = await stack.graphql(`query($id: ID!) { dbtArtifactSet(id: $id) { state attempts } }`, {
      id,
    });
    return body.data.dbtArtifactSet;
  }

  async function projectNodes(): Promise<{ total: number; orders: string | null }> {
    const { body } = await stack.graphql(
      `{ dbtNodes(filter: { project: "jaffle_shop" }, first: 0) { totalCount }
         dbtNode(uniqueId: "model.jaffle_shop.orders") { description } }`,
    );
    return { total: body.data.dbtNodes.totalCount, orders: body.data.dbtNode?.description ?? null };
  }

  it('leaves the previous state visible, then applies the set once the worker is back', async () => {
    const first = await upload(new Blob([JSON.stringify(buildManifest(12, { adapterType: 'snowflake' }))]));
    await eventually(async () => (await setState(first)).state === 'succeeded', 30_000);
    const before = await projectNodes();
    expect(before.orders).toMatch(/Order overview/);

    // A manifest of the same project large enough to take seconds to apply; its node ids are all new.
    const large = await upload(new Blob([...largeManifestChunks(60 * 1024 * 1024)]));
    await eventually(async () => (await setState(large)).state === 'processing', 30_000, 20);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const worker = stack.process('dbt-artifacts-worker');
    process.kill(worker.pid!, 'SIGKILL');
    await eventually(async () => worker.exitCode !== null || !isAlive(worker.pid!), 5_000);

    // Nothing of the half-applied set is visible.
    expect(await projectNodes()).toEqual(before);
    expect((await setState(large)).state).not.toBe('succeeded');

    await worker.start();
    await eventually(async () => (await setState(large)).state === 'succeeded', 90_000, 200);
    const after = await projectNodes();
    expect(after.total).toBeGreaterThan(before.total);
    expect(after.orders).toBeNull();
  }, 180_000);
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
