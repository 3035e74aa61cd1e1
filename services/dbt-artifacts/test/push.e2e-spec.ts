import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildCatalog, buildManifest, buildRunResults, buildSources } from '@cartograph/dbt/testing';
import { TestStack, runCartograph } from '@cartograph/platform/testing';

// The last step of a dbt Core job, `dbt build && cartograph push target/`: the built CLI in its own process
// against the real stack (gateway, catalog, dbt-artifacts API and worker).

const json = (value: unknown) => JSON.stringify(value);

describe('cartograph push to the stack', () => {
  let stack: TestStack;
  let directory: string;

  beforeAll(async () => {
    stack = await TestStack.start({ project: 'dbt-artifacts', services: ['dbt-artifacts'] });
    directory = mkdtempSync(join(tmpdir(), 'cartograph-push-'));
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
    if (directory) rmSync(directory, { recursive: true, force: true });
  });

  /** A dbt target/ directory with the given files, and what dbt writes besides them. */
  function writeTarget(name: string, files: Record<string, string | Buffer>): string {
    const target = join(directory, name, 'target');
    mkdirSync(join(target, 'compiled'), { recursive: true });
    writeFileSync(join(target, 'graph_summary.json'), '{"linked": {}}');
    writeFileSync(join(target, 'partial_parse.msgpack'), Buffer.from([0x80]));
    for (const [fileName, body] of Object.entries(files)) writeFileSync(join(target, fileName), body);
    return target;
  }

  async function push(target: string, apiKey = stack.adminKey) {
    const startedAt = Date.now();
    const result = await runCartograph(['push', target, '--url', stack.gatewayUrl], {
      ...process.env,
      CARTOGRAPH_API_KEY: apiKey,
    });
    const output = `${result.stdout}${result.stderr}`;
    // The key is never printed, not even in errors.
    expect(output).not.toContain(apiKey);
    return { ...result, output, ms: Date.now() - startedAt };
  }

  it('pushes a jaffle-shop target/ and waits until it is applied; the same push again is unchanged', async () => {
    const target = writeTarget('jaffle-shop', {
      'manifest.json': json(buildManifest(12)),
      'catalog.json.gz': gzipSync(json(buildCatalog())),
      'run_results.json': json(buildRunResults(6, { which: 'build' })),
      'sources.json': json(buildSources(3)),
    });

    const first = await push(target);

    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const id = /artifact set ([0-9a-f-]{36}): queued/.exec(first.stdout)?.[1];
    expect(id).toBeDefined();
    expect(first.stdout).toMatch(
      /^pushing manifest\.json [\d.]+ kB, catalog\.json\.gz \d+ B, run_results\.json [\d.]+ kB, sources\.json [\d.]+ kB to http/,
    );
    expect(first.stdout).toMatch(
      new RegExp(`artifact set ${id}: succeeded in [\\d.]+ s: .*model 4, .*; \\d+ row writes; 0 warnings\n`),
    );
    const { body } = await stack.graphql(
      `query($id: ID!) { dbtArtifactSet(id: $id) { state files { kind fileName } } }`,
      { id },
    );
    expect(body.data.dbtArtifactSet.state).toBe('succeeded');
    expect(body.data.dbtArtifactSet.files.map((file: { kind: string }) => file.kind).sort()).toEqual([
      'catalog',
      'manifest',
      'run_results',
      'sources',
    ]);

    const second = await push(target);

    expect(second.code).toBe(0);
    expect(second.stdout).toContain(`artifact set ${id}: unchanged`);
    expect(second.stdout).toContain(`artifact set ${id}: succeeded`);
    process.stdout.write(`cartograph push: first ${first.ms} ms, unchanged ${second.ms} ms\n`);
  }, 60_000);

  it('exits 1 for a truncated manifest, printing the error with the file name', async () => {
    const manifest = json(buildManifest(12, { projectName: 'truncated_shop' }));
    const target = writeTarget('truncated', {
      'manifest.json': manifest.slice(0, Math.floor(manifest.length / 2)),
      'run_results.json': json(buildRunResults(6)),
    });

    const result = await push(target);

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /artifact set [0-9a-f-]{36}: failed: INVALID_ARTIFACT: manifest\.json is not valid JSON: unexpected end of input \(the file is truncated\) at byte offset \d+/,
    );
    expect(result.stderr).toContain('(file manifest.json, at nodes[');
  }, 60_000);

  it('exits 2 for a wrong key and for a viewer key, without printing either', async () => {
    const target = writeTarget('keys', { 'manifest.json': json(buildManifest(12)) });

    const wrong = await push(target, 'cgk_wrong_0123456789abcdefghijklmnopqrstuv');
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain(`the gateway at ${stack.gatewayUrl} refused the API key (UNAUTHENTICATED`);

    const created = await stack.graphql(
      `mutation { createApiKey(input: { name: "push-viewer", role: VIEWER }) { key } }`,
    );
    const viewer = await push(target, created.body.data.createApiKey.key as string);
    expect(viewer.code).toBe(2);
    expect(viewer.stderr).toContain('FORBIDDEN: This needs the "editor" role; your key has "viewer"');
  }, 60_000);
});
