import { JobQueue } from '@cartograph/platform/queue';
import {
  admin,
  editor,
  startDbtArtifacts,
  viewer,
  type DbtArtifactsTestApp,
} from './dbt-artifacts-test-app.js';

// Managing bucket connections: validation, roles, schedules (stored and turned into BullMQ job schedulers).
// No bucket is reached here; bucket-sync.int-spec.ts syncs real emulators.

const SECRET = 'bucket-secret-9f3a-0123456789-never-shown';
const CONNECTION = `id name provider bucket prefix region endpoint forcePathStyle credentialsHint project instance
  schedule { kind cron startDate endDate } createdAt updatedAt lastSync { id } syncRuns { totalCount }`;
const CREATE = `mutation($input: CreateDbtBucketConnectionInput!) { createDbtBucketConnection(input: $input) { ${CONNECTION} } }`;
const UPDATE = `mutation($id: ID!, $input: UpdateDbtBucketConnectionInput!) {
  updateDbtBucketConnection(id: $id, input: $input) { ${CONNECTION} } }`;

const s3Input = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  provider: 'S3',
  bucket: 'acme-dbt',
  prefix: '/prod/dbt',
  credentials: { accessKeyId: 'AKIAEXAMPLE0123', secretAccessKey: SECRET },
  ...extra,
});

describe('dbt bucket connections', () => {
  let app: DbtArtifactsTestApp;

  beforeAll(async () => {
    app = await startDbtArtifacts({}, { worker: false });
  });

  afterAll(async () => {
    await app?.close();
  });

  const scheduler = (id: string) =>
    app.api.get(JobQueue).queue('dbt-artifacts').getJobScheduler(`dbt-artifacts.sync-bucket.${id}`);

  async function errorOf(query: string, variables: object, identity = admin) {
    const { body } = await app.graphql(query, variables, identity);
    expect(body.errors).toHaveLength(1);
    return body.errors![0] as { message: string; extensions: { code: string } };
  }

  async function connectionCount(): Promise<number> {
    const [row] = await app.dataSource.query(
      `SELECT count(*)::int AS count FROM "dbt_artifacts"."bucket_connection"`,
    );
    return row.count;
  }

  it('stores a normalised location, an encrypted secret and only its hint', async () => {
    const { body } = await app.graphql(CREATE, { input: s3Input('acme-prod', { project: ' shop ' }) });
    expect(body.errors).toBeUndefined();
    const created = body.data.createDbtBucketConnection;
    expect(created).toMatchObject({
      name: 'acme-prod',
      provider: 'S3',
      bucket: 'acme-dbt',
      prefix: 'prod/dbt/',
      region: 'us-east-1',
      endpoint: null,
      forcePathStyle: false,
      credentialsHint: '…hown',
      project: 'shop',
      instance: null,
      schedule: { kind: 'MANUAL', cron: null, startDate: null, endDate: null },
      lastSync: null,
      syncRuns: { totalCount: 0 },
    });
    expect(JSON.stringify(body)).not.toContain(SECRET);
    const [row] = await app.dataSource.query(
      `SELECT "credentials_ciphertext" FROM "dbt_artifacts"."bucket_connection" WHERE "id" = $1`,
      [created.id],
    );
    expect(row.credentials_ciphertext).toMatch(/^v1\./);
    expect(row.credentials_ciphertext).not.toContain(SECRET);
    const list = await app.graphql(
      `{ dbtBucketConnections(first: 10) { totalCount edges { node { name credentialsHint } } } }`,
      {},
      viewer,
    );
    expect(list.body.data.dbtBucketConnections.edges.map((edge: any) => edge.node.name)).toContain(
      'acme-prod',
    );
    expect(JSON.stringify(list.body)).not.toContain(SECRET);
  });

  it('refuses bad input with BAD_USER_INPUT naming the field, and creates nothing', async () => {
    const before = await connectionCount();
    const cases: [Record<string, unknown>, RegExp][] = [
      [
        s3Input('c1', { credentials: { accessKeyId: 'AKIAEXAMPLE0123' } }),
        /credentials\.secretAccessKey is required for provider S3/,
      ],
      [
        s3Input('c2', { provider: 'AZURE', credentials: { accountKey: SECRET } }),
        /credentials\.accountName is required for provider AZURE/,
      ],
      [
        s3Input('c3', { credentials: { accessKeyId: 'a', secretAccessKey: SECRET, sasToken: SECRET } }),
        /credentials\.sasToken does not apply to provider S3/,
      ],
      [s3Input('c4', { prefix: 'prod/../other' }), /Prefix 'prod\/\.\.\/other\/' is rejected/],
      [
        s3Input('c5', { endpoint: `https://minio.example.com/?token=${SECRET}` }),
        /must not contain .* query string/,
      ],
      [
        s3Input('c6', { schedule: { kind: 'CRON', cron: '0 25 * * *' } }),
        /schedule\.cron "0 25 \* \* \*" is not a valid/,
      ],
      [
        s3Input('c7', { schedule: { kind: 'CRON', cron: '0 0 * * * *' } }),
        /schedule\.cron must have 5 fields/,
      ],
      [s3Input('c8', { schedule: { kind: 'CRON' } }), /schedule\.cron is required for kind CRON/],
      [
        s3Input('c9', {
          schedule: { kind: 'DAILY', startDate: '2031-02-01T00:00:00Z', endDate: '2031-01-01T00:00:00Z' },
        }),
        /schedule\.endDate must be after schedule\.startDate/,
      ],
      [s3Input(' '), /name must have 1 to 200 characters/],
      [s3Input('acme-prod'), /A dbt bucket connection named "acme-prod" already exists/],
    ];
    for (const [input, message] of cases) {
      const error = await errorOf(CREATE, { input });
      expect(error.extensions.code).toBe('BAD_USER_INPUT');
      expect(error.message).toMatch(message);
      expect(error.message).not.toContain(SECRET);
    }
    expect(await connectionCount()).toBe(before);
  });

  it('keeps connections to admins and syncs to editors', async () => {
    expect((await errorOf(CREATE, { input: s3Input('by-editor') }, editor)).extensions.code).toBe(
      'FORBIDDEN',
    );
    const { body } = await app.graphql(CREATE, { input: s3Input('acme-roles') });
    const id = body.data.createDbtBucketConnection.id;
    const test = `mutation($id: ID!) { testDbtBucketConnection(id: $id) { ok } }`;
    expect((await errorOf(test, { id }, editor)).extensions.code).toBe('FORBIDDEN');
    const sync = `mutation($id: ID!) { syncDbtBucketConnection(id: $id) { id state trigger } }`;
    expect((await errorOf(sync, { id }, viewer)).extensions.code).toBe('FORBIDDEN');
    const first = await app.graphql(sync, { id }, editor);
    expect(first.body.data.syncDbtBucketConnection).toMatchObject({ state: 'queued', trigger: 'manual' });
    // No worker here: the run stays queued, and asking again returns it instead of queueing a second one.
    const second = await app.graphql(sync, { id }, editor);
    expect(second.body.data.syncDbtBucketConnection.id).toBe(first.body.data.syncDbtBucketConnection.id);
    const unknown = await errorOf(sync, { id: '00000000-0000-4000-8000-000000000000' }, editor);
    expect(unknown.extensions.code).toBe('NOT_FOUND');
  });

  it('round-trips a CRON schedule into a UTC job scheduler, and MANUAL or delete removes it', async () => {
    const schedule = {
      kind: 'CRON',
      cron: '15 6 * * 1-5',
      startDate: '2030-01-01T00:00:00.000Z',
      endDate: '2031-01-01T00:00:00.000Z',
    };
    const { body } = await app.graphql(CREATE, { input: s3Input('acme-scheduled', { schedule }) });
    expect(body.errors).toBeUndefined();
    const created = body.data.createDbtBucketConnection;
    expect(created.schedule).toEqual(schedule);
    const fetched = await app.graphql(
      `query($id: ID!) { dbtBucketConnection(id: $id) { schedule { kind cron startDate endDate } } }`,
      { id: created.id },
      viewer,
    );
    expect(fetched.body.data.dbtBucketConnection.schedule).toEqual(schedule);
    expect(await scheduler(created.id)).toMatchObject({
      pattern: '15 6 * * 1-5',
      tz: 'UTC',
      startDate: Date.parse(schedule.startDate),
      endDate: Date.parse(schedule.endDate),
      template: { data: { connectionId: created.id } },
    });

    const hourly = await app.graphql(UPDATE, { id: created.id, input: { schedule: { kind: 'HOURLY' } } });
    expect(hourly.body.data.updateDbtBucketConnection.schedule).toEqual({
      kind: 'HOURLY',
      cron: null,
      startDate: null,
      endDate: null,
    });
    expect(await scheduler(created.id)).toMatchObject({ pattern: '0 * * * *', tz: 'UTC' });

    const invalid = await errorOf(UPDATE, {
      id: created.id,
      input: { schedule: { kind: 'WEEKLY', endDate: '2020-01-01T00:00:00Z' } },
    });
    expect(invalid.message).toMatch(/schedule\.endDate must be in the future/);
    expect(await scheduler(created.id)).toMatchObject({ pattern: '0 * * * *' });

    const manual = await app.graphql(UPDATE, { id: created.id, input: { schedule: { kind: 'MANUAL' } } });
    expect(manual.body.data.updateDbtBucketConnection.schedule.kind).toBe('MANUAL');
    expect(await scheduler(created.id)).toBeUndefined();

    await app.graphql(UPDATE, { id: created.id, input: { schedule: { kind: 'DAILY' } } });
    expect(await scheduler(created.id)).toMatchObject({ pattern: '0 0 * * *' });
    const deleted = await app.graphql(`mutation($id: ID!) { deleteDbtBucketConnection(id: $id) }`, {
      id: created.id,
    });
    expect(deleted.body.data.deleteDbtBucketConnection).toBe(true);
    expect(await scheduler(created.id)).toBeUndefined();
    const gone = await app.graphql(`query($id: ID!) { dbtBucketConnection(id: $id) { id } }`, {
      id: created.id,
    });
    expect(gone.body.data.dbtBucketConnection).toBeNull();
  });

  it('updates only what is given; a new provider needs new credentials and starts from its defaults', async () => {
    const { body } = await app.graphql(CREATE, {
      input: s3Input('acme-update', { instance: 'acme.snowflake' }),
    });
    const id = body.data.createDbtBucketConnection.id;
    const renamed = await app.graphql(UPDATE, { id, input: { name: 'acme-updated', prefix: null } });
    expect(renamed.body.data.updateDbtBucketConnection).toMatchObject({
      name: 'acme-updated',
      prefix: '',
      instance: 'acme.snowflake',
      credentialsHint: '…hown',
    });
    const noCredentials = await errorOf(UPDATE, { id, input: { provider: 'GCS' } });
    expect(noCredentials.message).toBe('credentials are required when the provider changes');
    const gcs = await app.graphql(UPDATE, {
      id,
      input: {
        provider: 'GCS',
        credentials: { accessKeyId: 'GOOG1EXAMPLE', secretAccessKey: `${SECRET}-gcs` },
      },
    });
    expect(gcs.body.errors).toBeUndefined();
    expect(gcs.body.data.updateDbtBucketConnection).toMatchObject({
      provider: 'GCS',
      region: 'auto',
      endpoint: 'https://storage.googleapis.com',
      forcePathStyle: true,
      credentialsHint: '…-gcs',
    });
    expect(JSON.stringify(gcs.body)).not.toContain(SECRET);
  });
});
