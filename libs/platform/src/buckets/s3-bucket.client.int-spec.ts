import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { gzipSync } from 'node:zlib';
import type { Readable } from 'node:stream';
import { Secret } from '../secrets/secret.js';
import { freePort } from '../testing/stack.js';
import { startS3Emulator, type S3Emulator } from '../testing/s3.emulator.js';
import { collectArtifactFolders } from './artifact-folders.js';
import { createBucketClient } from './bucket-client.factory.js';
import { BucketError } from './bucket.errors.js';
import type { BucketClient, BucketClientOptions, BucketLocation, BucketObject } from './bucket.models.js';

// S3 and GCS (through its S3-compatible XML API) against a real s3rver with SigV4 checking in front.

const BUCKET = 'dbt-artifacts';
const WRONG_SECRET = 'wrong-secret-Zx81QpLm0vT3';

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function listAll(client: BucketClient, prefix?: string): Promise<BucketObject[]> {
  const objects: BucketObject[] = [];
  for await (const object of client.list(prefix)) objects.push(object);
  return objects;
}

async function bucketError(promise: Promise<unknown>): Promise<BucketError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(BucketError);
    return error as BucketError;
  }
  throw new Error('expected a BucketError');
}

function expectNoSecret(error: BucketError, secrets: readonly string[]): void {
  for (const text of [error.message, JSON.stringify(error), inspect(error), String(error.stack)]) {
    for (const secret of secrets) expect(text).not.toContain(secret);
  }
}

describe('S3 bucket client (s3rver)', () => {
  let emulator: S3Emulator;
  const clients: BucketClient[] = [];
  const manifest = Buffer.from(JSON.stringify({ metadata: { dbt_schema_version: 'v12' }, nodes: {} }));

  function client(
    location: Partial<BucketLocation> = {},
    secretAccessKey: string | Secret = emulator.secretAccessKey,
    options: BucketClientOptions = {},
    accessKeyId: string = emulator.accessKeyId,
  ): BucketClient {
    const provider = location.provider ?? 's3';
    const created = createBucketClient(
      { provider, bucket: BUCKET, prefix: 'dbt/', endpoint: emulator.endpoint, ...location },
      { provider: provider === 'azure' ? 's3' : provider, accessKeyId, secretAccessKey },
      { maxAttempts: 1, timeoutMs: 5_000, ...options },
    );
    clients.push(created);
    return created;
  }

  beforeAll(async () => {
    emulator = await startS3Emulator();
    await emulator.createBucket(BUCKET);
    for (let index = 0; index < 7; index += 1) {
      await emulator.putObject(BUCKET, `dbt/prod/run ${index}/manifest.json`, manifest);
    }
    await emulator.putObject(BUCKET, 'dbt/prod/run 3/run_results.json.gz', gzipSync('{"results":[]}'));
    await emulator.putObject(BUCKET, 'dbt/prod/run 3/semantic_manifest.json', '{}');
    await emulator.putObject(BUCKET, 'other-team/manifest.json', '{}');
  });

  afterAll(async () => {
    for (const created of clients) created.close();
    await emulator?.stop();
  });

  it('lists every object under the prefix, page by page', async () => {
    const before = emulator.requests.length;
    const objects = await listAll(client({}, emulator.secretAccessKey, { pageSize: 2 }));
    expect(objects.map((object) => object.key)).toEqual([
      'dbt/prod/run 0/manifest.json',
      'dbt/prod/run 1/manifest.json',
      'dbt/prod/run 2/manifest.json',
      'dbt/prod/run 3/manifest.json',
      'dbt/prod/run 3/run_results.json.gz',
      'dbt/prod/run 3/semantic_manifest.json',
      'dbt/prod/run 4/manifest.json',
      'dbt/prod/run 5/manifest.json',
      'dbt/prod/run 6/manifest.json',
    ]);
    expect(objects[0]).toEqual({
      key: 'dbt/prod/run 0/manifest.json',
      etag: expect.stringMatching(/^[0-9a-f]{32}$/) as string,
      size: manifest.length,
      lastModified: expect.any(Date) as Date,
      version: null,
    });
    const pages = emulator.requests.slice(before).filter((request) => request.url.includes('list-type=2'));
    expect(pages).toHaveLength(5);
    expect(pages.slice(1).every((request) => request.url.includes('continuation-token='))).toBe(true);
  });

  it('lists a narrower prefix inside the location, and refuses one outside it', async () => {
    const bucket = client();
    const objects = await listAll(bucket, 'dbt/prod/run 3/');
    expect(objects.map((object) => object.key)).toEqual([
      'dbt/prod/run 3/manifest.json',
      'dbt/prod/run 3/run_results.json.gz',
      'dbt/prod/run 3/semantic_manifest.json',
    ]);
    const error = await bucketError(listAll(bucket, 'other-team/'));
    expect(error.code).toBe('INVALID_KEY');
  });

  it('feeds a streamed listing into the artifact folders', async () => {
    const scan = await collectArtifactFolders(
      client({}, emulator.secretAccessKey, { pageSize: 3 }).list(),
      'dbt/',
    );
    expect(scan.folders).toHaveLength(7);
    expect(scan.folders[3]!.files.map((file) => file.kind)).toEqual([
      'manifest',
      'run_results',
      'semantic_manifest',
    ]);
  });

  it('downloads an object as a stream', async () => {
    const stream = await client().download('dbt/prod/run 1/manifest.json', { maxBytes: manifest.length });
    expect(await readAll(stream)).toEqual(manifest);
    const gzipped = await client().download('dbt/prod/run 3/run_results.json.gz', { maxBytes: 1024 });
    expect((await readAll(gzipped)).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
  });

  it('refuses an object larger than maxBytes from its Content-Length, before reading it', async () => {
    const error = await bucketError(
      client().download('dbt/prod/run 1/manifest.json', { maxBytes: manifest.length - 1 }),
    );
    expect(error.code).toBe('TOO_LARGE');
    expect(error.message).toBe(
      `S3 object 'dbt/prod/run 1/manifest.json' in bucket '${BUCKET}' is larger than the limit of ${manifest.length - 1} bytes`,
    );
  });

  it('checks a key before asking for it', async () => {
    const before = emulator.requests.length;
    for (const key of ['dbt/../other-team/manifest.json', 'other-team/manifest.json', '/etc/passwd']) {
      expect((await bucketError(client().download(key, { maxBytes: 100 }))).code).toBe('INVALID_KEY');
    }
    expect(emulator.requests.length).toBe(before);
  });

  it('reports a missing object and a missing bucket as NOT_FOUND', async () => {
    const missingObject = await bucketError(client().download('dbt/prod/nothing.json', { maxBytes: 100 }));
    expect(missingObject.code).toBe('NOT_FOUND');
    expect(missingObject.message).toBe(
      `S3 object 'dbt/prod/nothing.json' does not exist in bucket '${BUCKET}' (NoSuchKey)`,
    );
    const missingBucket = await bucketError(client({ bucket: 'no-such-bucket' }).check());
    expect(missingBucket.code).toBe('NOT_FOUND');
    expect(missingBucket.message).toBe("S3 bucket 'no-such-bucket' does not exist (NoSuchBucket)");
    expect(missingBucket.status).toBe(404);
  });

  it('reports a wrong secret (SignatureDoesNotMatch) as AUTH_FAILED without the secret', async () => {
    const error = await bucketError(client({}, WRONG_SECRET).check());
    expect(error.code).toBe('AUTH_FAILED');
    expect(error.message).toBe(`S3 refused the credentials for bucket '${BUCKET}' (SignatureDoesNotMatch)`);
    expect(error.graphqlCode).toBe('UPSTREAM_AUTH_FAILED');
    expectNoSecret(error, [WRONG_SECRET]);
    expect(emulator.requests.at(-1)?.refused).toBe(true);
    // The same through a list and a download.
    expect((await bucketError(listAll(client({}, new Secret(WRONG_SECRET))))).code).toBe('AUTH_FAILED');
    expect(
      (
        await bucketError(
          client({}, WRONG_SECRET).download('dbt/prod/run 1/manifest.json', { maxBytes: 1e6 }),
        )
      ).code,
    ).toBe('AUTH_FAILED');
  });

  it('reports an unknown access key id (InvalidAccessKeyId) as AUTH_FAILED without the key', async () => {
    const unknownKeyId = 'AKIAUNKNOWNKEY000042';
    const error = await bucketError(client({}, emulator.secretAccessKey, {}, unknownKeyId).check());
    expect(error.code).toBe('AUTH_FAILED');
    expect(error.message).toBe(`S3 refused the credentials for bucket '${BUCKET}' (InvalidAccessKeyId)`);
    expectNoSecret(error, [unknownKeyId]);
  });

  it('reaches a GCS bucket through the S3-compatible API: region auto, path-style', async () => {
    const before = emulator.requests.length;
    const gcs = client({ provider: 'gcs' }, emulator.secretAccessKey, { pageSize: 4 });
    expect(gcs.location).toMatchObject({ provider: 'gcs', region: 'auto', forcePathStyle: true });
    await gcs.check();
    expect(await listAll(gcs)).toHaveLength(9);
    const stream = await gcs.download('dbt/prod/run 6/manifest.json', { maxBytes: 1_000 });
    expect(await readAll(stream)).toEqual(manifest);
    const requests = emulator.requests.slice(before);
    expect(requests.every((request) => request.signedRegion === 'auto' && !request.refused)).toBe(true);
    expect(requests.every((request) => request.url.startsWith(`/${BUCKET}`))).toBe(true);
    const wrong = await bucketError(client({ provider: 'gcs' }, WRONG_SECRET).check());
    expect(wrong.message).toBe(`GCS refused the credentials for bucket '${BUCKET}' (SignatureDoesNotMatch)`);
  });

  it('gives up on a server that never answers after timeoutMs, as UNAVAILABLE', async () => {
    // Accepts connections and reads requests, never answers.
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    try {
      const started = Date.now();
      const error = await bucketError(
        client({ endpoint: `${origin}` }, undefined, { timeoutMs: 300 }).check(),
      );
      expect(error.code).toBe('UNAVAILABLE');
      expect(error.message).toBe(`S3 bucket '${BUCKET}' at ${origin} did not answer within 300 ms (check)`);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });

  it('reports an endpoint nobody listens on as UNAVAILABLE', async () => {
    const endpoint = `http://127.0.0.1:${await freePort()}`;
    const error = await bucketError(client({ endpoint }).check());
    expect(error.code).toBe('UNAVAILABLE');
    expect(error.message).toBe(`S3 bucket '${BUCKET}' at ${endpoint} is unavailable (check: ECONNREFUSED)`);
    expect(error.retryable).toBe(true);
  });

  it('rejects with the caller’s abort reason', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      client().download('dbt/prod/run 1/manifest.json', { maxBytes: 1e6, signal: controller.signal }),
    ).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('cannot be used after close', async () => {
    const closed = client();
    closed.close();
    await expect(closed.check()).rejects.toThrow('closed');
  });
});
