import { closeSync, openSync, writeFileSync, ftruncateSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { FakeUpstream, freePort, isFakeResponse, reply, runCartograph } from '@cartograph/platform/testing';
import { push, type PushOptions } from '../src/commands/push.command.js';
import {
  removeTemporaryDirectories,
  snowflakeManifest,
  temporaryDirectory,
  truncated,
  writeSnowflakeTarget,
} from './dbt-target.fixture.js';

// `cartograph push` against a fake gateway speaking the dbt-artifacts REST shapes: every answer the real
// service gives (services/dbt-artifacts/test/push.e2e-spec.ts runs the real one), and the ones it rarely
// gives (5xx while polling, a key echoed back, a set that never finishes).

const key = 'cgk_test_0123456789abcdefghijklmnop';
const setId = '5d0f6a57-3c1e-4f5e-9f52-8f4b1f0c2a11';
const uploads = '/api/dbt-artifacts/v1/uploads';
const status = '/api/dbt-artifacts/v1/artifact-sets/:id';

function artifactSet(state: string, extra: Record<string, unknown> = {}) {
  return {
    id: setId,
    state,
    origin: 'upload',
    error: null,
    warnings: [],
    counts: {},
    rowWrites: 0,
    createdAt: '2026-03-12T05:50:00.000Z',
    durationMs: null,
    ...extra,
  };
}

const succeeded = artifactSet('succeeded', {
  counts: { model: 4, seed: 1, source: 2, test: 9 },
  rowWrites: 42,
  durationMs: 1234,
  warnings: ['run_results.json: docs generate results are not applied as outcomes'],
});

/** Answers GET status with the given sets (or fake responses) in turn, the last one from then on. */
function statesInTurn(fake: FakeUpstream, ...answers: unknown[]): void {
  let index = 0;
  fake.route('GET', status, () => {
    const answer = answers[Math.min(index++, answers.length - 1)];
    return isFakeResponse(answer) ? answer : { artifactSet: answer };
  });
}

async function pushTo(fake: FakeUpstream, paths: string[], options: PushOptions = {}) {
  const lines: string[] = [];
  const code = await push(
    paths,
    { url: fake.baseUrl, apiKey: key, pollIntervalMs: 20, ...options },
    { out: (line) => lines.push(line), err: (line) => lines.push(`ERR ${line}`) },
  );
  const output = lines.join('\n');
  expect(output).not.toContain(key);
  return { code, output };
}

/** Multipart parts of a recorded upload: field name → file name (or text value). */
function partsOf(body: Buffer): Record<string, string> {
  const parts: Record<string, string> = {};
  for (const match of body
    .toString('latin1')
    .matchAll(/name="([^"]+)"(?:; filename="([^"]+)")?\r\n(?:[^\r]*\r\n)?\r\n/g)) {
    const [whole, name, fileName] = match;
    parts[name!] = fileName ?? body.toString('latin1', match.index! + whole.length).split('\r\n')[0]!;
  }
  return parts;
}

describe('cartograph push against a fake gateway', () => {
  const fake = new FakeUpstream();
  let target: string;

  beforeAll(async () => {
    await fake.start();
    target = writeSnowflakeTarget();
  });

  afterAll(async () => {
    await fake.stop();
    removeTemporaryDirectories();
  });

  beforeEach(() => {
    fake.reset();
    fake.route('POST', uploads, () =>
      reply.json({ artifactSet: artifactSet('queued'), unchanged: false }, 202),
    );
  });

  it('sends the artifacts of target/ as multipart parts, prints each state and a summary, exits 0', async () => {
    statesInTurn(
      fake,
      artifactSet('queued'),
      artifactSet('processing'),
      artifactSet('processing'),
      succeeded,
    );

    const { code, output } = await pushTo(fake, [target], { project: 'jaffle_shop', instance: 'prod' });

    expect(code).toBe(0);
    expect(output.split('\n')).toEqual([
      expect.stringMatching(
        new RegExp(
          `^pushing manifest.json [\\d.]+ kB, catalog.json.gz [\\d.]+ kB, run_results.json [\\d.]+ kB, sources.json [\\d.]+ kB to ${fake.baseUrl}$`,
        ),
      ),
      `artifact set ${setId}: queued`,
      `artifact set ${setId}: processing`,
      `artifact set ${setId}: succeeded in 1.2 s: model 4, seed 1, source 2, test 9; 42 row writes; 1 warning`,
      '  warning: run_results.json: docs generate results are not applied as outcomes',
    ]);
    const [upload] = fake.requestsTo('POST', uploads);
    expect(upload!.headers.authorization).toBe(`Bearer ${key}`);
    expect(upload!.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(partsOf(upload!.rawBody)).toEqual({
      manifest: 'manifest.json',
      catalog: 'catalog.json.gz',
      run_results: 'run_results.json',
      sources: 'sources.json',
      project: 'jaffle_shop',
      instance: 'prod',
    });
    expect(fake.requestsTo('GET', status).every((request) => request.params.id === setId)).toBe(true);
  });

  it('exits 1 on a failed set, printing its error code, message, file and JSON path', async () => {
    statesInTurn(
      fake,
      artifactSet('failed', {
        error: {
          code: 'INVALID_ARTIFACT',
          message:
            'manifest.json is not valid JSON: unexpected end of input (the file is truncated) at byte offset 24579',
          fileName: 'manifest.json',
          path: 'nodes["model.jaffle_shop.orders"]',
        },
      }),
    );

    const { code, output } = await pushTo(fake, [target]);

    expect(code).toBe(1);
    expect(output).toContain(
      `ERR artifact set ${setId}: failed: INVALID_ARTIFACT: manifest.json is not valid JSON: unexpected end of input (the file is truncated) at byte offset 24579 (file manifest.json, at nodes["model.jaffle_shop.orders"])`,
    );
  });

  it('exits 0 at once for an unchanged set that was applied, and with --no-wait without polling', async () => {
    fake.route('POST', uploads, () => reply.json({ artifactSet: succeeded, unchanged: true }));
    const unchanged = await pushTo(fake, [target]);
    expect(unchanged.code).toBe(0);
    expect(unchanged.output).toContain(
      `artifact set ${setId}: unchanged (these artifacts were received before`,
    );
    expect(unchanged.output).toContain(`artifact set ${setId}: succeeded in 1.2 s`);

    fake.route('POST', uploads, () =>
      reply.json({ artifactSet: artifactSet('queued'), unchanged: false }, 202),
    );
    const noWait = await pushTo(fake, [target], { wait: false });
    expect(noWait.code).toBe(0);
    expect(noWait.output).toContain(
      `not waiting; follow it at ${fake.baseUrl}/api/dbt-artifacts/v1/artifact-sets/${setId}`,
    );
    expect(fake.requestsTo('GET', status)).toHaveLength(0);
  });

  it('waits out 5xx answers while polling; gives up at the timeout with exit 2', async () => {
    statesInTurn(
      fake,
      reply.json({ error: { code: 'UPSTREAM_UNAVAILABLE', message: 'dbt-artifacts is restarting' } }, 503),
      reply.json({ error: { code: 'UPSTREAM_UNAVAILABLE', message: 'dbt-artifacts is restarting' } }, 503),
      succeeded,
    );
    const recovered = await pushTo(fake, [target]);
    expect(recovered.code).toBe(0);
    expect(recovered.output.match(/trying again/g)).toHaveLength(1);

    statesInTurn(fake, artifactSet('processing'));
    const started = Date.now();
    const stuck = await pushTo(fake, [target], { timeout: 0.3 });
    expect(stuck.code).toBe(2);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(stuck.output).toContain(`artifact set ${setId} is still processing after 0.3 s`);
  });

  it('exits 2 on a refused key (never printing it, even when echoed), 2 for a viewer key, 1 for a refused upload', async () => {
    fake.route('POST', uploads, () =>
      reply.json(
        { errors: [{ message: `Unknown API key ${key}`, extensions: { code: 'UNAUTHENTICATED' } }] },
        401,
      ),
    );
    const refused = await pushTo(fake, [target]);
    expect(refused.code).toBe(2);
    expect(refused.output).toContain(
      `the gateway at ${fake.baseUrl} refused the API key (UNAUTHENTICATED: Unknown API key [api key])`,
    );

    fake.route('POST', uploads, () =>
      reply.json(
        { error: { code: 'FORBIDDEN', message: 'This needs the "editor" role; your key has "viewer"' } },
        403,
      ),
    );
    const viewer = await pushTo(fake, [target]);
    expect(viewer.code).toBe(2);
    expect(viewer.output).toContain('use an editor key');

    fake.route('POST', uploads, () =>
      reply.json(
        {
          error: {
            code: 'PAYLOAD_TOO_LARGE',
            message: 'The upload is larger than 1024 bytes (UPLOAD_MAX_BYTES)',
          },
        },
        413,
      ),
    );
    const tooLarge = await pushTo(fake, [target]);
    expect(tooLarge.code).toBe(1);
    expect(tooLarge.output).toContain(
      'the gateway refused the upload: PAYLOAD_TOO_LARGE: The upload is larger than 1024 bytes',
    );
  });

  it('exits 2 before sending anything for a missing target/, an unknown file and two manifests', async () => {
    const directory = temporaryDirectory();
    const notes = join(directory, 'notes.json');
    writeFileSync(notes, '{"hello": "world"}');
    const renamed = join(directory, 'prod-export.json');
    writeFileSync(renamed, truncated(JSON.stringify(snowflakeManifest())));

    const missing = await pushTo(fake, []);
    expect(missing.code).toBe(2);
    expect(missing.output).toContain('target: no such file or directory; run dbt first');
    const unknown = await pushTo(fake, [notes]);
    expect(unknown.code).toBe(2);
    expect(unknown.output).toContain(`${notes} is not a dbt artifact`);
    // A file with another name is taken for what its metadata says it is.
    const twoManifests = await pushTo(fake, [target, renamed]);
    expect(twoManifests.code).toBe(2);
    expect(twoManifests.output).toContain(
      `one push takes one manifest, got ${join(target, 'manifest.json')} and ${renamed}`,
    );
    expect(fake.requestsTo('POST', uploads)).toHaveLength(0);
  });

  it('asks by content hash first and sends nothing when the set was received before', async () => {
    const checks: any[] = [];
    fake.route('POST', `${uploads}/check`, (request) => {
      checks.push(request.body);
      return reply.json({ unchanged: true, artifactSet: succeeded });
    });
    fake.route('POST', uploads, () => reply.json({ artifactSet: succeeded, unchanged: true }));
    const result = await pushTo(fake, [target]);
    expect(result.code).toBe(0);
    expect(result.output).toMatch(/unchanged .*nothing sent/);
    expect(fake.requestsTo('POST', uploads)).toHaveLength(0);
    expect(checks[0].files.map((file: any) => file.kind).sort()).toEqual([
      'catalog',
      'manifest',
      'run_results',
      'sources',
    ]);
    for (const file of checks[0].files) expect(file.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('streams a large manifest from disk instead of holding it in memory', async () => {
    // A sink that counts and drops the body; a sparse file costs no disk and reads fast.
    let received = 0;
    const sink = createServer((request, response) => {
      const check = request.url?.endsWith('/uploads/check');
      request.on('data', (chunk: Buffer) => (received += check ? 0 : chunk.length));
      request.on('end', () => {
        response.writeHead(200, { 'content-type': 'application/json' });
        // The hash check says "not received", so the file is sent.
        response.end(
          JSON.stringify(check ? { unchanged: false } : { artifactSet: succeeded, unchanged: true }),
        );
      });
    });
    await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
    const manifest = join(temporaryDirectory(), 'manifest.json');
    const size = 320 * 1024 * 1024;
    const descriptor = openSync(manifest, 'w');
    ftruncateSync(descriptor, size);
    closeSync(descriptor);

    let peak = 0;
    const baseline = process.memoryUsage().arrayBuffers;
    const sampler = setInterval(
      () => (peak = Math.max(peak, process.memoryUsage().arrayBuffers - baseline)),
      5,
    );
    try {
      const code = await push(
        [manifest],
        { url: `http://127.0.0.1:${(sink.address() as AddressInfo).port}`, apiKey: key },
        { out: () => undefined, err: (line) => process.stderr.write(`${line}\n`) },
      );
      expect(code).toBe(0);
    } finally {
      clearInterval(sampler);
      await new Promise((resolve) => sink.close(resolve));
    }
    expect(received).toBeGreaterThan(size);
    // Node's fetch keeps the whole body when it may have to follow a redirect (about `size` here).
    expect(peak).toBeLessThan(96 * 1024 * 1024);
    process.stdout.write(`push of ${size >> 20} MB: peak array buffers +${(peak / 1048576).toFixed(0)} MB\n`);
  }, 60_000);
});

describe('cartograph push, the command', () => {
  const environment = { ...process.env };
  delete environment.CARTOGRAPH_URL;
  delete environment.CARTOGRAPH_API_KEY;

  it('exits 2 without a key, for an unreachable gateway (naming its URL) and for a bad option', async () => {
    const target = writeSnowflakeTarget();
    const url = `http://127.0.0.1:${await freePort()}`;

    const noKey = await runCartograph(['push', target, '--url', url], environment);
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain('no API key: pass --api-key or set CARTOGRAPH_API_KEY');

    const unreachable = await runCartograph(['push', target, '--url', url], {
      ...environment,
      CARTOGRAPH_API_KEY: key,
    });
    expect(unreachable.code).toBe(2);
    expect(unreachable.stderr).toContain(`cannot reach the gateway at ${url} (connect ECONNREFUSED`);
    expect(unreachable.stdout + unreachable.stderr).not.toContain(key);

    const badTimeout = await runCartograph(['push', target, '--timeout', 'soon'], environment);
    expect(badTimeout.code).toBe(2);
    expect(badTimeout.stderr).toContain("option '--timeout <seconds>' argument 'soon' is invalid");
  });

  it('passes --project, --instance and --no-wait through; the help lists the exit statuses', async () => {
    const fake = new FakeUpstream();
    await fake.start();
    fake.route('POST', uploads, () =>
      reply.json({ artifactSet: artifactSet('queued'), unchanged: false }, 202),
    );
    try {
      const result = await runCartograph(
        ['push', writeSnowflakeTarget(), '--project', 'jaffle_shop', '--instance', 'prod', '--no-wait'],
        { ...environment, CARTOGRAPH_URL: fake.baseUrl, CARTOGRAPH_API_KEY: key },
      );
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`artifact set ${setId}: queued`);
      expect(partsOf(fake.requestsTo('POST', uploads)[0]!.rawBody)).toMatchObject({
        project: 'jaffle_shop',
        instance: 'prod',
      });
    } finally {
      await fake.stop();
    }

    const help = await runCartograph(['push', '--help'], environment);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: cartograph push [options] [paths...]');
    expect(help.stdout).toContain('2 usage, missing or refused API key, unreachable gateway');
    const root = await runCartograph(['--help'], environment);
    expect(root.stdout).toMatch(/push \[options\] \[paths\.\.\.\]/);
    expect(root.stdout).toMatch(/dbt\s+dbt artifacts without a server/);
  });
});
