import {
  AthenaClient,
  BatchGetQueryExecutionCommand,
  ListQueryExecutionsCommand,
  ListTableMetadataCommand,
} from '@aws-sdk/client-athena';
import { FakeAthena } from './fake-athena.js';

const credentials = { accessKeyId: 'AKIAFAKEATHENASPEC01', secretAccessKey: 'athena-spec-secret' };

describe('FakeAthena', () => {
  let fake: FakeAthena;
  let client: AthenaClient;

  beforeEach(async () => {
    fake = new FakeAthena({ credentials: [credentials] });
    fake.addDatabases({
      name: 'sales',
      tables: [{ name: 'orders', columns: [{ name: 'id', type: 'bigint' }] }],
    });
    await fake.start();
    client = new AthenaClient({ region: 'us-east-1', endpoint: fake.endpoint, credentials, maxAttempts: 1 });
  });

  afterEach(async () => {
    client.destroy();
    await fake.stop();
  });

  it('lists executions newest first and reports unknown ids as unprocessed', async () => {
    const [older, newer] = fake.addQueryExecutions(
      { query: 'SELECT 1', submittedAt: new Date('2024-03-01T10:00:00Z') },
      { query: 'SELECT 2', submittedAt: new Date('2024-03-01T11:00:00Z') },
    );
    const list = await client.send(new ListQueryExecutionsCommand({ WorkGroup: 'primary' }));
    expect(list.QueryExecutionIds).toEqual([newer, older]);
    const batch = await client.send(
      new BatchGetQueryExecutionCommand({ QueryExecutionIds: [older!, 'unknown-id'] }),
    );
    expect(batch.QueryExecutions![0]!.Status!.SubmissionDateTime).toEqual(new Date('2024-03-01T10:00:00Z'));
    expect(batch.UnprocessedQueryExecutionIds).toEqual([
      expect.objectContaining({ QueryExecutionId: 'unknown-id', ErrorCode: 'INVALID_INPUT' }),
    ]);
  });

  it('enforces the API limits and answers unknown databases with MetadataException', async () => {
    await expect(
      client.send(new ListQueryExecutionsCommand({ WorkGroup: 'primary', MaxResults: 51 })),
    ).rejects.toMatchObject({
      name: 'InvalidRequestException',
    });
    await expect(client.send(new ListQueryExecutionsCommand({ WorkGroup: 'nope' }))).rejects.toMatchObject({
      name: 'InvalidRequestException',
      message: 'WorkGroup nope is not found.',
    });
    await expect(
      client.send(new ListTableMetadataCommand({ CatalogName: 'AwsDataCatalog', DatabaseName: 'missing' })),
    ).rejects.toMatchObject({ name: 'MetadataException' });
  });

  it('answers denied actions and expired tokens like AWS', async () => {
    fake.service.denyActions(credentials.accessKeyId, ['athena:ListQueryExecutions']);
    await expect(client.send(new ListQueryExecutionsCommand({}))).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: expect.stringContaining('is not authorized to perform: athena:ListQueryExecutions'),
    });
    fake.service.expireCredentials(credentials.accessKeyId);
    await expect(client.send(new ListQueryExecutionsCommand({}))).rejects.toMatchObject({
      name: 'ExpiredTokenException',
      $metadata: expect.objectContaining({ httpStatusCode: 400 }),
    });
  });
});
