import { randomBytes } from 'node:crypto';
import { DatasetUpserted, type EventData } from '@cartograph/contracts';
import { createServiceDataSource } from '@cartograph/platform/database';
import { eventStreamKey, OutboxPublisher } from '@cartograph/platform/events';
import {
  PrivatePostgres,
  PrivateRedis,
  TestStack,
  eventually,
  runCartograph,
  type GraphqlAnswer,
} from '@cartograph/platform/testing';
import type { DataSource } from 'typeorm';

// Outages of the stack's dependencies, on private Redis and Postgres instances (the shared ones keep running):
// the services must ride them out without a restart and without losing or duplicating events (DESIGN §4).

function datasets(run: string, from: number, count: number): EventData<typeof DatasetUpserted>[] {
  return Array.from({ length: count }, (_, index) => ({
    id: `snowflake://resilience/analytics.${run}.table_${from + index}`,
    platform: 'snowflake',
    instance: 'resilience',
    database: 'analytics',
    schema: run,
    name: `table_${from + index}`,
    kind: 'table',
    description: null,
    source: 'dbt' as const,
    seenAt: new Date().toISOString(),
  }));
}

/** Every dataset id the gateway lists, page by page. */
async function listedDatasetIds(stack: TestStack): Promise<string[]> {
  const ids: string[] = [];
  let after: string | null = null;
  for (;;) {
    const { body }: GraphqlAnswer = await stack.graphql(
      `query($after: String) { datasets(first: 50, after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } } }`,
      { after },
    );
    expect(body.errors).toBeUndefined();
    ids.push(...body.data.datasets.edges.map((edge: { node: { id: string } }) => edge.node.id));
    if (!body.data.datasets.pageInfo.hasNextPage) {
      return ids;
    }
    after = body.data.datasets.pageInfo.endCursor;
  }
}

async function counts(stack: TestStack): Promise<{ datasets: number; events: number } | null> {
  const { body } = await stack.graphql(`{ datasets { totalCount } events { totalCount } }`);
  return body.data ? { datasets: body.data.datasets.totalCount, events: body.data.events.totalCount } : null;
}

async function ready(url: string): Promise<{ status: number; body: any }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  return { status: response.status, body: await response.json() };
}

function healthUrl(stack: TestStack, name: string): string {
  return stack.process(name).healthUrl!;
}

describe('resilience: a Redis outage', () => {
  let redis: PrivateRedis;
  let stack: TestStack;
  let producer: DataSource;
  const publisher = new OutboxPublisher({ schema: 'catalog', service: 'e2e-producer' });

  beforeAll(async () => {
    redis = await PrivateRedis.start();
    stack = await TestStack.start({ project: 'gateway', redisUrl: redis.url });
    producer = createServiceDataSource({
      url: stack.databaseUrl,
      schema: 'catalog',
      entities: [],
      migrations: [],
      poolSize: 2,
    });
    await producer.initialize();
  }, 90_000);

  afterAll(async () => {
    await producer?.destroy();
    await stack?.stop();
    await redis?.stop();
  });

  const pendingInOutbox = async (): Promise<number> =>
    Number(
      (await producer.query(`SELECT count(*) AS n FROM "catalog"."outbox" WHERE "relayed_at" IS NULL`))[0].n,
    );
  const processedEvents = async (): Promise<number> =>
    Number((await producer.query(`SELECT count(*) AS n FROM "catalog"."processed_events"`))[0].n);

  /** True once the relay sent everything and the catalog's consumer group read and acknowledged all of it. */
  async function quiescent(): Promise<boolean> {
    if ((await pendingInOutbox()) > 0) {
      return false;
    }
    const client = redis.client();
    try {
      await client.connect();
      const stream = eventStreamKey(stack.redisPrefix);
      const info = (await client.xinfo('STREAM', stream)) as unknown[];
      const lastId = info[info.indexOf('last-generated-id') + 1];
      const groups = (await client.xinfo('GROUPS', stream)) as unknown[][];
      const group = groups
        .map((fields) =>
          Object.fromEntries(
            fields.flatMap((value, index, all) => (index % 2 ? [] : [[value, all[index + 1]]])),
          ),
        )
        .find((fields) => fields.name === 'catalog');
      return Boolean(group && group.pending === 0 && group['last-delivered-id'] === lastId);
    } catch {
      return false;
    } finally {
      client.disconnect();
    }
  }

  it('events written while Redis is stopped are delivered after it comes back, none lost, none duplicated for an idempotent consumer', async () => {
    const run = `r${randomBytes(3).toString('hex')}`;
    const before = datasets(run, 0, 50);
    const during = datasets(run, 50, 30);
    const total = before.length + during.length;
    const pids = Object.fromEntries(stack.processes.map((process) => [process.name, process.pid]));

    // 1. With Redis up: 50 events in 5 transactions, all applied.
    for (let start = 0; start < before.length; start += 10) {
      await producer.transaction((manager) =>
        publisher.publishMany(manager, DatasetUpserted, before.slice(start, start + 10)),
      );
    }
    await eventually(async () => {
      const current = await counts(stack);
      return current?.datasets === before.length && current.events === before.length;
    }, 30_000);
    await eventually(quiescent);
    expect(await processedEvents()).toBe(before.length);

    // 2. Redis goes away (with its data: no persistence). Readiness says so.
    await redis.stop();
    await eventually(async () => {
      const { status, body } = await ready(healthUrl(stack, 'catalog'));
      return status === 503 && body.checks.redis.status === 'failing';
    });

    // 3. 30 more events: committed to the outbox, which keeps them while the relay cannot reach Redis.
    for (let start = 0; start < during.length; start += 10) {
      await producer.transaction((manager) =>
        publisher.publishMany(manager, DatasetUpserted, during.slice(start, start + 10)),
      );
    }
    await eventually(
      async () => stack.process('catalog-worker').lines.some((line) => line.includes('outbox relay paused')),
      30_000,
    );
    expect(await pendingInOutbox()).toBe(during.length);
    expect(await processedEvents()).toBe(before.length);

    // 4. Redis comes back on the same port, empty. Everything arrives, exactly once.
    await redis.start();
    await eventually(async () => {
      const current = await counts(stack);
      return current?.datasets === total && current.events === total;
    }, 60_000);
    await eventually(quiescent, 30_000);
    expect(await counts(stack)).toEqual({ datasets: total, events: total });
    expect(await processedEvents()).toBe(total);
    expect((await listedDatasetIds(stack)).sort()).toEqual(
      [...before, ...during].map((dataset) => dataset.id).sort(),
    );

    // 5. Nothing crashed or restarted: same pids, all ready again.
    for (const process of stack.processes) {
      expect(process.exitCode).toBeNull();
      expect(process.pid).toBe(pids[process.name]);
      await eventually(async () => (await ready(healthUrl(stack, process.name))).status === 200, 30_000);
    }
  }, 180_000);
});

const postgresUnavailable = PrivatePostgres.unavailableReason();
if (postgresUnavailable) {
  console.warn(`resilience: skipping the Postgres outage test: ${postgresUnavailable}`);
}

describe('resilience: a Postgres outage', () => {
  let postgres: PrivatePostgres | null = null;
  let stack: TestStack | null = null;

  beforeAll(async () => {
    if (postgresUnavailable) {
      return;
    }
    postgres = await PrivatePostgres.create();
    const url = await postgres.createDatabase('cartograph');
    const migrated = await runCartograph(['migrate'], { ...process.env, DATABASE_URL: url });
    if (migrated.code !== 0) {
      throw new Error(`cartograph migrate failed:\n${migrated.stdout}\n${migrated.stderr}`);
    }
    stack = await TestStack.start({ project: 'gateway', databaseUrl: url });
  }, 120_000);

  afterAll(async () => {
    try {
      await stack?.stop();
    } finally {
      await postgres?.destroy();
    }
  });

  (postgresUnavailable ? it.skip : it)(
    '/health/ready turns false when Postgres is stopped and true again after it restarts, without restarting the service',
    async () => {
      const cluster = postgres!;
      const services = stack!;
      const catalog = services.process('catalog');
      const catalogReady = healthUrl(services, 'catalog');
      const pid = catalog.pid;
      const query = `{ datasets { totalCount } }`;

      expect((await ready(catalogReady)).status).toBe(200);
      const before = await services.graphql(query);
      expect(before.body).toEqual({ data: { datasets: { totalCount: 0 } } });

      await cluster.stop();
      const down = await eventually(async () => {
        const answer = await ready(catalogReady);
        return answer.status === 503 ? answer.body : null;
      });
      expect(down.status).toBe('unavailable');
      expect(down.checks.postgres).toMatchObject({ status: 'failing', error: expect.any(String) });
      expect(down.checks.redis.status).toBe('ok');
      const failing = await services.graphql(query);
      expect(failing.body.data?.datasets).toBeFalsy();

      await cluster.start();
      await eventually(async () => (await ready(catalogReady)).status === 200, 30_000);
      const after = await eventually(async () => {
        const answer = await services.graphql(query);
        return answer.body.errors ? null : answer;
      }, 30_000);
      expect(after.body).toEqual({ data: { datasets: { totalCount: 0 } } });

      expect(catalog.exitCode).toBeNull();
      expect(catalog.pid).toBe(pid);
      for (const process of services.processes) {
        expect(process.exitCode).toBeNull();
      }
    },
    120_000,
  );
});
