import { BucketError } from './bucket.errors.js';
import { createBucketClient } from './bucket-client.factory.js';
import { normalizeBucketLocation } from './bucket-location.js';
import type { BucketCredentials, BucketLocation } from './bucket.models.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY';

function configurationError(run: () => unknown): BucketError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(BucketError);
    expect((error as BucketError).code).toBe('BAD_CONFIGURATION');
    return error as BucketError;
  }
  throw new Error('expected a BAD_CONFIGURATION error');
}

describe('normalizeBucketLocation', () => {
  it('applies the defaults of each provider', () => {
    expect(normalizeBucketLocation({ provider: 's3', bucket: 'artifacts', prefix: '/dbt' })).toEqual({
      provider: 's3',
      bucket: 'artifacts',
      prefix: 'dbt/',
      region: 'us-east-1',
      endpoint: null,
      forcePathStyle: false,
    });
    expect(normalizeBucketLocation({ provider: 'gcs', bucket: 'artifacts', prefix: '' })).toEqual({
      provider: 'gcs',
      bucket: 'artifacts',
      prefix: '',
      region: 'auto',
      endpoint: 'https://storage.googleapis.com',
      forcePathStyle: true,
    });
    expect(
      normalizeBucketLocation({
        provider: 's3',
        bucket: 'artifacts',
        prefix: '',
        endpoint: 'http://minio.local:9000/',
        region: 'eu-west-3',
      }),
    ).toMatchObject({ endpoint: 'http://minio.local:9000', region: 'eu-west-3', forcePathStyle: true });
    expect(
      normalizeBucketLocation({ provider: 'azure', bucket: '$web', prefix: 'dbt', region: 'ignored' }),
    ).toMatchObject({ bucket: '$web', prefix: 'dbt/', region: null, endpoint: null });
  });

  it('refuses an endpoint that carries credentials, without echoing them', () => {
    for (const endpoint of [
      `https://account.blob.core.windows.net/?sv=2024-01-01&sig=${SECRET}`,
      `https://user:${SECRET}@minio.local`,
      `ftp://minio.local/${SECRET}`,
      `not a url ${SECRET}`,
    ]) {
      const error = configurationError(() =>
        normalizeBucketLocation({ provider: 'azure', bucket: 'artifacts', prefix: '', endpoint }),
      );
      expect(error.message).not.toContain(SECRET);
    }
  });

  it.each<Partial<BucketLocation>>([
    { bucket: '' },
    { bucket: 'a/b' },
    { bucket: '../x' },
    { bucket: 'with space' },
    { region: 'us-east-1/../' },
    { prefix: '../other' },
    { provider: 'ftp' as never },
  ])('refuses %j', (override) => {
    configurationError(() =>
      normalizeBucketLocation({ provider: 's3', bucket: 'artifacts', prefix: '', ...override }),
    );
  });
});

describe('createBucketClient', () => {
  const s3Location: BucketLocation = { provider: 's3', bucket: 'artifacts', prefix: '' };

  it('refuses credentials of another provider or without keys, before any request', () => {
    configurationError(() =>
      createBucketClient(s3Location, { provider: 'azure', accountName: 'acct', accountKey: SECRET }),
    );
    configurationError(() =>
      createBucketClient(s3Location, { provider: 's3', accessKeyId: '', secretAccessKey: SECRET }),
    );
    const azure = configurationError(() =>
      createBucketClient(
        { provider: 'azure', bucket: 'artifacts', prefix: '' },
        { provider: 'azure', accountName: 'acct' },
      ),
    );
    expect(azure.message).toBe('Azure Blob Storage needs an account key, a SAS token or a connection string');
  });

  it('refuses an invalid connection string without quoting it', () => {
    const credentials: BucketCredentials = {
      provider: 'azure',
      accountName: 'acct',
      connectionString: `AccountName=acct;AccountKey=${SECRET};Garbage`,
    };
    const error = configurationError(() =>
      createBucketClient({ provider: 'azure', bucket: 'artifacts', prefix: '' }, credentials),
    );
    expect(error.message).not.toContain(SECRET);
  });

  it('checks its tuning options', () => {
    const credentials: BucketCredentials = { provider: 's3', accessKeyId: 'AKID', secretAccessKey: SECRET };
    expect(() => createBucketClient(s3Location, credentials, { pageSize: 0 })).toThrow(RangeError);
    expect(() => createBucketClient(s3Location, credentials, { timeoutMs: 1.5 })).toThrow(RangeError);
    const client = createBucketClient(s3Location, credentials, { pageSize: 2, timeoutMs: 1000 });
    expect(client.location).toMatchObject({ provider: 's3', bucket: 'artifacts', region: 'us-east-1' });
    client.close();
  });

  it('rejects a key outside the prefix before any request', async () => {
    const client = createBucketClient(
      { provider: 's3', bucket: 'artifacts', prefix: 'dbt', endpoint: 'http://127.0.0.1:9' },
      { provider: 's3', accessKeyId: 'AKID', secretAccessKey: SECRET },
    );
    await expect(client.download('../etc/passwd', { maxBytes: 10 })).rejects.toMatchObject({
      code: 'INVALID_KEY',
    });
    await expect(client.download('other/manifest.json', { maxBytes: 10 })).rejects.toMatchObject({
      code: 'INVALID_KEY',
    });
    await expect(async () => {
      for await (const _object of client.list('other/')) break;
    }).rejects.toMatchObject({ code: 'INVALID_KEY' });
    client.close();
  });
});
