import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import type { Readable } from 'node:stream';
import {
  ContainerSASPermissions,
  generateBlobSASQueryParameters,
  StorageSharedKeyCredential,
} from '@azure/storage-blob';
import { freePort } from '../testing/stack.js';
import { startAzurite, type Azurite } from '../testing/azurite.emulator.js';
import { collectArtifactFolders } from './artifact-folders.js';
import { createBucketClient } from './bucket-client.factory.js';
import { BucketError } from './bucket.errors.js';
import type {
  AzureBucketCredentials,
  BucketClient,
  BucketClientOptions,
  BucketLocation,
  BucketObject,
} from './bucket.models.js';

// Azure Blob Storage against a real azurite.

const CONTAINER = 'dbt-artifacts';
// Valid base64, so the SDK signs with it and azurite refuses the signature.
const WRONG_KEY = Buffer.from('not-the-account-key-Q7mZ2xVb').toString('base64');

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

describe('Azure bucket client (azurite)', () => {
  let azurite: Azurite;
  const clients: BucketClient[] = [];
  const manifest = Buffer.from(JSON.stringify({ metadata: { dbt_schema_version: 'v12' }, nodes: {} }));

  function client(
    location: Partial<BucketLocation> = {},
    credentials: Partial<AzureBucketCredentials> = {},
    options: BucketClientOptions = {},
  ): BucketClient {
    const created = createBucketClient(
      { provider: 'azure', bucket: CONTAINER, prefix: 'dbt/', endpoint: azurite.accountUrl, ...location },
      { provider: 'azure', accountName: azurite.accountName, accountKey: azurite.accountKey, ...credentials },
      { maxAttempts: 1, timeoutMs: 5_000, ...options },
    );
    clients.push(created);
    return created;
  }

  function containerSas(permissions: string): string {
    return generateBlobSASQueryParameters(
      {
        containerName: CONTAINER,
        permissions: ContainerSASPermissions.parse(permissions),
        expiresOn: new Date(Date.now() + 3_600_000),
      },
      new StorageSharedKeyCredential(azurite.accountName, azurite.accountKey),
    ).toString();
  }

  beforeAll(async () => {
    azurite = await startAzurite();
    await azurite.createContainer(CONTAINER);
    for (let index = 0; index < 5; index += 1) {
      await azurite.putBlob(CONTAINER, `dbt/prod/run-${index}/manifest.json`, manifest);
    }
    await azurite.putBlob(CONTAINER, 'dbt/prod/run-2/catalog.json', '{"nodes":{}}');
    await azurite.putBlob(CONTAINER, 'elsewhere/manifest.json', '{}');
  });

  afterAll(async () => {
    for (const created of clients) created.close();
    await azurite?.stop();
  });

  it('lists every blob under the prefix, page by page', async () => {
    const objects = await listAll(client({}, {}, { pageSize: 2 }));
    expect(objects.map((object) => object.key)).toEqual([
      'dbt/prod/run-0/manifest.json',
      'dbt/prod/run-1/manifest.json',
      'dbt/prod/run-2/catalog.json',
      'dbt/prod/run-2/manifest.json',
      'dbt/prod/run-3/manifest.json',
      'dbt/prod/run-4/manifest.json',
    ]);
    expect(objects[0]).toEqual({
      key: 'dbt/prod/run-0/manifest.json',
      etag: expect.stringMatching(/^0x[0-9A-F]+$/) as string,
      size: manifest.length,
      lastModified: expect.any(Date) as Date,
      version: null,
    });
  });

  it('feeds a streamed listing into the artifact folders', async () => {
    const scan = await collectArtifactFolders(client({}, {}, { pageSize: 2 }).list(), 'dbt/');
    expect(scan.folders.map((folder) => folder.folder)).toEqual([
      'dbt/prod/run-0/',
      'dbt/prod/run-1/',
      'dbt/prod/run-2/',
      'dbt/prod/run-3/',
      'dbt/prod/run-4/',
    ]);
    expect(scan.folders[2]!.files.map((file) => file.kind)).toEqual(['manifest', 'catalog']);
  });

  it('downloads a blob as a stream', async () => {
    const stream = await client().download('dbt/prod/run-3/manifest.json', { maxBytes: manifest.length });
    expect(await readAll(stream)).toEqual(manifest);
  });

  it('refuses a blob larger than maxBytes before reading it', async () => {
    const error = await bucketError(client().download('dbt/prod/run-3/manifest.json', { maxBytes: 10 }));
    expect(error.code).toBe('TOO_LARGE');
    expect(error.message).toBe(
      `Azure Blob Storage object 'dbt/prod/run-3/manifest.json' in container '${CONTAINER}' is larger than the limit of 10 bytes`,
    );
  });

  it('reports a missing blob and a missing container as NOT_FOUND', async () => {
    const missingBlob = await bucketError(client().download('dbt/prod/nothing.json', { maxBytes: 100 }));
    expect(missingBlob.code).toBe('NOT_FOUND');
    expect(missingBlob.message).toBe(
      `Azure Blob Storage object 'dbt/prod/nothing.json' does not exist in container '${CONTAINER}' (BlobNotFound)`,
    );
    const missingContainer = await bucketError(client({ bucket: 'no-such-container' }).check());
    expect(missingContainer.code).toBe('NOT_FOUND');
    expect(missingContainer.message).toBe(
      "Azure Blob Storage container 'no-such-container' does not exist (ContainerNotFound)",
    );
    expect((await bucketError(listAll(client({ bucket: 'no-such-container' })))).code).toBe('NOT_FOUND');
  });

  it('reports a wrong account key as AUTH_FAILED without the key', async () => {
    const error = await bucketError(client({}, { accountKey: WRONG_KEY }).check());
    expect(error.code).toBe('AUTH_FAILED');
    expect(error.message).toBe(
      `Azure Blob Storage refused the credentials for container '${CONTAINER}' (AuthorizationFailure)`,
    );
    expect(error.status).toBe(403);
    expectNoSecret(error, [WRONG_KEY, azurite.accountKey]);
    expect(await bucketError(listAll(client({}, { accountKey: WRONG_KEY })))).toMatchObject({
      code: 'AUTH_FAILED',
    });
  });

  it('works with a container SAS token, and refuses a tampered one without quoting it', async () => {
    const sas = containerSas('rl');
    const withSas = client({}, { accountKey: null, sasToken: `?${sas}` });
    await withSas.check();
    expect(await listAll(withSas)).toHaveLength(6);
    expect(
      await readAll(await withSas.download('dbt/prod/run-0/manifest.json', { maxBytes: 1_000 })),
    ).toEqual(manifest);

    const signature = new URLSearchParams(sas).get('sig')!;
    const tampered = sas.replace(encodeURIComponent(signature), encodeURIComponent(`x${signature.slice(1)}`));
    const error = await bucketError(client({}, { accountKey: null, sasToken: tampered }).check());
    expect(error.code).toBe('AUTH_FAILED');
    expectNoSecret(error, [tampered, signature.slice(1, 20), encodeURIComponent(signature).slice(3, 20)]);
  });

  it('works with a connection string, and never quotes it', async () => {
    const withConnectionString = client(
      { endpoint: null },
      { accountKey: null, connectionString: azurite.connectionString },
    );
    await withConnectionString.check();
    const wrong = azurite.connectionString.replace(azurite.accountKey, WRONG_KEY);
    const error = await bucketError(
      client({ endpoint: null }, { accountKey: null, connectionString: wrong }).check(),
    );
    expect(error.code).toBe('AUTH_FAILED');
    expectNoSecret(error, [wrong, WRONG_KEY]);
  });

  it('gives up on a server that never answers after timeoutMs, as UNAVAILABLE', async () => {
    // Accepts connections and reads requests, never answers.
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    try {
      const started = Date.now();
      const error = await bucketError(
        client({ endpoint: `${origin}/devstoreaccount1` }, undefined, { timeoutMs: 300 }).check(),
      );
      expect(error.code).toBe('UNAVAILABLE');
      expect(error.message).toBe(
        `Azure Blob Storage container '${CONTAINER}' at ${origin} did not answer within 300 ms (check)`,
      );
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });

  it('reports an endpoint nobody listens on as UNAVAILABLE', async () => {
    const endpoint = `http://127.0.0.1:${await freePort()}/devstoreaccount1`;
    const error = await bucketError(client({ endpoint }).check());
    expect(error.code).toBe('UNAVAILABLE');
    expect(error.message).toBe(
      `Azure Blob Storage container '${CONTAINER}' at ${new URL(endpoint).origin} is unavailable (check: ECONNREFUSED)`,
    );
  });

  it('checks a key before asking for it', async () => {
    for (const key of ['dbt/../elsewhere/manifest.json', 'elsewhere/manifest.json', 'dbt\\x']) {
      expect((await bucketError(client().download(key, { maxBytes: 100 }))).code).toBe('INVALID_KEY');
    }
  });
});
