import {
  DescribeStatementCommand,
  ExecuteStatementCommand,
  GetStatementResultCommand,
  RedshiftDataClient,
} from '@aws-sdk/client-redshift-data';
import { FakeRedshiftData } from './fake-redshift-data.js';

const credentials = { accessKeyId: 'AKIAFAKESPEC00000001', secretAccessKey: 'spec-secret-key-0001' };

describe('FakeRedshiftData', () => {
  let fake: FakeRedshiftData;
  let client: RedshiftDataClient;
  const target = { ClusterIdentifier: 'analytics', Database: 'dev', DbUser: 'awsuser' };

  beforeEach(async () => {
    fake = new FakeRedshiftData({
      credentials: [credentials],
      users: [
        { id: 100, name: 'awsuser', superuser: true },
        { id: 101, name: 'analyst' },
      ],
      resultPageSize: 1,
    });
    await fake.start();
    client = new RedshiftDataClient({
      region: 'us-east-1',
      endpoint: fake.endpoint,
      credentials,
      maxAttempts: 1,
    });
  });

  afterEach(async () => {
    client.destroy();
    await fake.stop();
  });

  async function runToEnd(sql: string, user = 'awsuser', parameters?: { name: string; value: string }[]) {
    const { Id } = await client.send(
      new ExecuteStatementCommand({ ...target, DbUser: user, Sql: sql, Parameters: parameters }),
    );
    const statuses: string[] = [];
    for (;;) {
      const description = await client.send(new DescribeStatementCommand({ Id }));
      statuses.push(description.Status!);
      if (description.Status === 'FINISHED' || description.Status === 'FAILED')
        return { Id: Id!, statuses, description };
    }
  }

  it('refuses unsigned requests the way AWS does', async () => {
    const response = await fetch(fake.endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'RedshiftData.ExecuteStatement',
      },
      body: '{}',
    });
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({
      __type: 'MissingAuthenticationTokenException',
      message: 'Missing Authentication Token',
    });
  });

  it('refuses a wrong secret and an unbound placeholder', async () => {
    const wrong = new RedshiftDataClient({
      region: 'us-east-1',
      endpoint: fake.endpoint,
      credentials: { ...credentials, secretAccessKey: 'another-secret' },
      maxAttempts: 1,
    });
    await expect(
      wrong.send(new ExecuteStatementCommand({ ...target, Sql: 'SELECT 1' })),
    ).rejects.toMatchObject({
      name: 'InvalidSignatureException',
    });
    wrong.destroy();
    await expect(
      client.send(
        new ExecuteStatementCommand({
          ...target,
          Sql: 'SELECT * FROM sys_query_history WHERE start_time >= :since',
        }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringMatching(/since/) });
  });

  it('walks a statement through its statuses and pages typed records', async () => {
    fake.addQueries({
      text: 'SELECT 1',
      startTime: new Date('2024-03-01T10:00:00Z'),
      user: 'analyst',
      returnedRows: 1,
    });
    await expect(
      (async () => {
        const { Id } = await client.send(
          new ExecuteStatementCommand({ ...target, Sql: 'SELECT query_id FROM sys_query_history' }),
        );
        return client.send(new GetStatementResultCommand({ Id }));
      })(),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });

    const { Id, statuses } = await runToEnd(
      'SELECT * FROM sys_query_history WHERE start_time < CAST(:until AS TIMESTAMP)',
      'awsuser',
      [{ name: 'until', value: '2024-03-01 11:00:00.000000' }],
    );
    expect(statuses).toEqual(['SUBMITTED', 'PICKED', 'FINISHED']);
    const first = await client.send(new GetStatementResultCommand({ Id }));
    expect(first.TotalNumRows).toBe(1);
    expect(first.NextToken).toBeUndefined();
    const row = Object.fromEntries(
      first.ColumnMetadata!.map((column, index) => [column.name, first.Records![0]![index]]),
    );
    expect(row.user_id).toEqual({ longValue: 101 });
    expect(row.start_time).toEqual({ stringValue: '2024-03-01 10:00:00.000000' });
    expect(row.query_text).toEqual({ stringValue: 'SELECT 1' });

    const pages = await runToEnd('SELECT usename FROM pg_user');
    const page1 = await client.send(new GetStatementResultCommand({ Id: pages.Id }));
    expect(page1.Records).toHaveLength(1);
    const page2 = await client.send(
      new GetStatementResultCommand({ Id: pages.Id, NextToken: page1.NextToken }),
    );
    expect(page2.Records![0]).toEqual(
      expect.arrayContaining([{ stringValue: 'analyst' }, { booleanValue: false }]),
    );
  });

  it('shows users without a monitoring role only their own history, including the statements just run', async () => {
    fake.addQueries({
      text: 'SELECT secret_stuff',
      startTime: new Date('2024-03-01T10:00:00Z'),
      user: 'awsuser',
    });
    const { Id } = await runToEnd('SELECT query_text FROM sys_query_history', 'analyst');
    const result = await client.send(new GetStatementResultCommand({ Id }));
    const texts = result.Records!.map((record) => record[12]!.stringValue);
    expect(texts).not.toContain('SELECT secret_stuff');
    expect(fake.queries.filter((query) => query.user === 'analyst').map((query) => query.text)).toEqual([
      'SELECT query_text FROM sys_query_history',
    ]);
  });

  it('fails a statement on a denied relation with the Redshift error text', async () => {
    const locked = new FakeRedshiftData({
      credentials: [credentials],
      users: [{ id: 1, name: 'awsuser', deniedRelations: ['svv_table_info'] }],
    });
    await locked.start();
    const lockedClient = new RedshiftDataClient({
      region: 'us-east-1',
      endpoint: locked.endpoint,
      credentials,
      maxAttempts: 1,
    });
    try {
      const { Id } = await lockedClient.send(
        new ExecuteStatementCommand({ ...target, Sql: 'SELECT * FROM svv_table_info' }),
      );
      let description;
      do description = await lockedClient.send(new DescribeStatementCommand({ Id }));
      while (description.Status !== 'FAILED' && description.Status !== 'FINISHED');
      expect(description).toMatchObject({
        Status: 'FAILED',
        Error: 'ERROR: permission denied for relation svv_table_info',
      });
    } finally {
      lockedClient.destroy();
      await locked.stop();
    }
  });
});
