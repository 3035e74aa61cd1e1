import { setTimeout as sleep } from 'node:timers/promises';
import type { DataSource } from 'typeorm';
import { DatasetUpserted, type EventData } from '@cartograph/contracts';
import { datasetId } from '@cartograph/catalog-model';
import { createServiceDataSource } from '@cartograph/platform/database';
import { OutboxPublisher } from '@cartograph/platform/events';
import { LatencyHistogram } from '../lib/histogram.js';
import { describeCpu } from '../lib/process-cpu.js';
import { addWorkerReplica, Cleanup, prepareStackDatabase, StackCpu, startBenchStack } from '../lib/stack.js';
import { formatNumber, renderTable } from '../lib/table.js';
import { BenchWebhookReceiver, preciseNow } from '../lib/webhook-receiver.js';
import { atMost, info, type Scenario, type ScenarioContext } from '../scenario.js';

const CREATE_SUBSCRIPTION = `mutation($input: CreateWebhookSubscriptionInput!) {
  createWebhookSubscription(input: $input) { secret subscription { id } }
}`;

/** How many distinct datasets the events name: the first pass creates them, later events update them. */
const DISTINCT_DATASETS = 2_000;

function datasetEvent(index: number): EventData<typeof DatasetUpserted> {
  const table = index % DISTINCT_DATASETS;
  const name = `bench_events_${table}`;
  return {
    id: datasetId({ platform: 'snowflake', instance: 'acme', database: 'analytics', schema: 'bench', name }),
    platform: 'snowflake',
    instance: 'acme',
    database: 'analytics',
    schema: 'bench',
    name,
    kind: table % 5 === 0 ? 'view' : 'table',
    description: `Benchmark table ${table}: orders joined to customers, revision ${Math.floor(index / DISTINCT_DATASETS)}.`,
    source: 'dbt',
    seenAt: new Date().toISOString(),
  };
}

interface Published {
  events: number;
  /** Commit time (preciseNow()) per event id. */
  commits: Map<string, number>;
  firstCommit: number;
  lastCommit: number;
  /** Batches that started later than one interval after they were due (the producer could not keep up). */
  lateBatches: number;
  commitMs: LatencyHistogram;
}

/**
 * Every `interval` ms a transaction with `batch` events, on schedule whether or not earlier ones committed
 * (open model), so a slow commit shows up as latency instead of silently lowering the rate.
 */
async function publishAtRate(
  context: ScenarioContext,
  producer: DataSource,
  options: { rate: number; batch: number; durationSeconds: number },
): Promise<Published> {
  const publisher = new OutboxPublisher({ schema: 'catalog', service: 'bench' });
  const intervalMs = (1000 * options.batch) / options.rate;
  const batches = Math.max(1, Math.round((options.rate * options.durationSeconds) / options.batch));
  const result: Published = {
    events: 0,
    commits: new Map(),
    firstCommit: Number.POSITIVE_INFINITY,
    lastCommit: 0,
    lateBatches: 0,
    commitMs: new LatencyHistogram(),
  };
  const pending = new Set<Promise<void>>();
  let failure: unknown = null;
  const started = performance.now();
  let lastLog = started;
  for (let index = 0; index < batches && failure === null; index += 1) {
    const due = started + index * intervalMs;
    const wait = due - performance.now();
    if (wait > 0) {
      await sleep(wait);
    } else if (-wait > intervalMs) {
      result.lateBatches += 1;
    }
    const items = Array.from({ length: options.batch }, (_, item) =>
      datasetEvent(index * options.batch + item),
    );
    const begun = performance.now();
    const transaction = producer
      .transaction((manager) => publisher.publishMany(manager, DatasetUpserted, items))
      .then((events) => {
        const committed = preciseNow();
        result.commitMs.record(performance.now() - begun);
        for (const event of events) {
          result.commits.set(event.id, committed);
        }
        result.events += events.length;
        result.firstCommit = Math.min(result.firstCommit, committed);
        result.lastCommit = Math.max(result.lastCommit, committed);
      })
      .catch((error: unknown) => {
        failure ??= error;
      });
    pending.add(transaction);
    void transaction.finally(() => pending.delete(transaction));
    if (performance.now() - lastLog >= 2_000) {
      lastLog = performance.now();
      context.log(`publishing: ${result.events} events committed, ${pending.size} transactions in flight`);
    }
  }
  await Promise.all(pending);
  if (failure !== null) {
    throw failure instanceof Error ? failure : new Error(String(failure));
  }
  return result;
}

/** Where the events are in the pipeline: outbox → stream (relay) → consumer → delivery job → endpoint. */
async function pipelineState(dataSource: DataSource): Promise<string> {
  const [row] = (await dataSource.query(
    `SELECT (SELECT count(*) FROM catalog.outbox WHERE relayed_at IS NULL) AS unrelayed,
            (SELECT count(*) FROM catalog.processed_events) AS consumed,
            (SELECT count(*) FROM catalog.webhook_delivery WHERE status = 'pending') AS pending,
            (SELECT count(*) FROM catalog.webhook_delivery WHERE status = 'delivered') AS delivered`,
  )) as { unrelayed: string; consumed: string; pending: string; delivered: string }[];
  return `outbox not relayed ${row!.unrelayed}, consumed ${row!.consumed}, deliveries pending ${row!.pending}, delivered ${row!.delivered}`;
}

interface StageRow {
  id: string;
  relayed: number | null;
  consumed: number | null;
  attempts: number | null;
}

/** Per-stage latency from the timestamps the pipeline leaves in Postgres (same machine, same clock). */
async function stageBreakdown(
  dataSource: DataSource,
  published: Published,
  arrivals: Map<string, number>,
): Promise<{ table: string; retried: number }> {
  const rows = (await dataSource.query(
    `SELECT o.id,
            extract(epoch FROM o.relayed_at) * 1000 AS relayed,
            extract(epoch FROM p.processed_at) * 1000 AS consumed,
            d.attempts
       FROM catalog.outbox o
       LEFT JOIN catalog.processed_events p ON p.event_id = o.id AND p.consumer = 'catalog'
       LEFT JOIN catalog.webhook_delivery d ON d.event_id = o.id`,
  )) as StageRow[];
  const stages = {
    'commit → relayed (relay picks it up)': new LatencyHistogram(),
    'relayed → consumer transaction starts': new LatencyHistogram(),
    'consumer → endpoint (fan-out, BullMQ, POST)': new LatencyHistogram(),
    'commit → endpoint (total)': new LatencyHistogram(),
  };
  const [relay, consume, deliver, total] = Object.values(stages);
  let retried = 0;
  for (const row of rows) {
    const committed = published.commits.get(row.id);
    const arrived = arrivals.get(row.id);
    if (committed === undefined) {
      continue;
    }
    const relayed = row.relayed === null ? null : Number(row.relayed);
    const consumed = row.consumed === null ? null : Number(row.consumed);
    if (relayed !== null) relay!.record(Math.max(0, relayed - committed));
    if (relayed !== null && consumed !== null) consume!.record(Math.max(0, consumed - relayed));
    if (consumed !== null && arrived !== undefined) deliver!.record(Math.max(0, arrived - consumed));
    if (arrived !== undefined) total!.record(Math.max(0, arrived - committed));
    if ((row.attempts ?? 0) > 1) retried += 1;
  }
  const table = renderTable(
    ['stage', 'events', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms'],
    Object.entries(stages).map(([stage, histogram]) => {
      const summary = histogram.summary();
      return [
        stage,
        String(summary.count),
        formatNumber(summary.p50Ms),
        formatNumber(summary.p95Ms),
        formatNumber(summary.p99Ms),
        formatNumber(summary.maxMs),
      ];
    }),
  );
  return { table, retried };
}

export const webhookScenario: Scenario = {
  name: 'webhook',
  description: 'outbox-to-webhook p99 ≤ 1 s at 500 events/s',
  options: [
    { name: 'rate', description: 'events per second published through the outbox', default: 500 },
    { name: 'batch', description: 'events per outbox transaction', default: 10 },
    { name: 'duration', description: 'seconds of publishing', default: 10 },
    {
      name: 'workers',
      description:
        'catalog worker processes (replicas share the consumer group, the job queue and the relay)',
      default: 1,
    },
    { name: 'timeout', description: 'seconds to wait for the last delivery after publishing', default: 60 },
    {
      name: 'cpu-profile',
      description:
        'directory for V8 CPU profiles of the gateway, catalog and worker processes (off by default)',
    },
    {
      name: 'database',
      description: 'database name (dropped and recreated each run)',
      default: 'cartograph_bench_webhook',
    },
  ],

  async run(context) {
    const { options } = context;
    const rate = options.number('rate', 500, { min: 1 });
    const batch = options.number('batch', 10, { min: 1, max: 1_000 });
    const duration = options.number('duration', 10, { min: 1 });
    const timeout = options.number('timeout', 60, { min: 1 });
    const workers = options.number('workers', 1, { min: 1, max: 8 });
    const database = options.string('database', 'cartograph_bench_webhook');
    const cpuProfileDirectory = options.string('cpu-profile', '') || undefined;
    Object.assign(context.parameters, { rate, batch, duration, timeout, workers, database });

    const cleanup = new Cleanup(context);
    try {
      const url = await prepareStackDatabase(context, cleanup, database, { recreate: true });

      const receiver = new BenchWebhookReceiver();
      const endpoint = await receiver.start();
      cleanup.add('webhook receiver', () => receiver.stop());
      context.log(`webhook receiver on ${endpoint}`);

      const stack = await startBenchStack(context, cleanup, {
        databaseUrl: url,
        project: 'bench-webhook',
        cpuProfileDirectory,
      });
      for (let replica = 2; replica <= workers; replica += 1) {
        await addWorkerReplica(stack, 'catalog', `catalog-worker-${replica}`);
        context.log(`started catalog-worker-${replica}`);
      }
      const cpu = new StackCpu(stack, url);

      const created = await stack.graphql<{
        createWebhookSubscription: { secret: string; subscription: { id: string } };
      }>(CREATE_SUBSCRIPTION, {
        input: { url: endpoint, eventTypes: ['dataset.upserted'], description: 'bench' },
      });
      if (created.body.errors?.length || !created.body.data) {
        throw new Error(
          `createWebhookSubscription failed: ${JSON.stringify(created.body.errors ?? created.body)}`,
        );
      }
      receiver.secret = created.body.data.createWebhookSubscription.secret;
      context.log(
        `webhook subscription ${created.body.data.createWebhookSubscription.subscription.id} for dataset.upserted`,
      );

      const producer = createServiceDataSource({
        url,
        schema: 'catalog',
        entities: [],
        migrations: [],
        poolSize: 8,
        applicationName: 'cartograph-bench-producer',
      });
      await producer.initialize();
      cleanup.add('producer DataSource', () => producer.destroy());

      context.log(`publishing ${rate} events/s for ${duration} s (${batch} events per transaction)`);
      const stopCpu = await cpu.start();
      const published = await publishAtRate(context, producer, { rate, batch, durationSeconds: duration });
      const publishSeconds = Math.max(
        1e-3,
        (published.lastCommit - published.firstCommit) / 1000 + batch / rate,
      );
      const achieved = published.events / publishSeconds;
      context.log(
        `published ${published.events} events in ${publishSeconds.toFixed(1)} s (${formatNumber(achieved)} events/s); ` +
          `commit p50 ${formatNumber(published.commitMs.percentile(50))} ms, p99 ${formatNumber(published.commitMs.percentile(99))} ms` +
          (published.lateBatches ? `, ${published.lateBatches} batches started late` : ''),
      );

      const expected = () => [...published.commits.keys()].filter((id) => receiver.arrivals.has(id)).length;
      const deadline = performance.now() + timeout * 1000;
      let lastLog = 0;
      while (expected() < published.events && performance.now() < deadline) {
        if (performance.now() - lastLog >= 5_000) {
          lastLog = performance.now();
          context.log(
            `waiting: ${expected()}/${published.events} delivered; ${await pipelineState(producer)}`,
          );
        }
        await sleep(50);
      }
      const cpuDuring = describeCpu((await stopCpu()).percent);
      // Late duplicates (a redelivered event) would arrive shortly after the last first arrival.
      await sleep(1_000);

      const latency = new LatencyHistogram();
      let delivered = 0;
      for (const [id, committed] of published.commits) {
        const arrived = receiver.arrivals.get(id);
        if (arrived !== undefined) {
          delivered += 1;
          latency.record(Math.max(0, arrived - committed));
        }
      }
      const unexpected = [...receiver.arrivals.keys()].filter((id) => !published.commits.has(id)).length;
      context.log(
        `delivered ${delivered}/${published.events}; ${receiver.requests} requests, ${receiver.duplicates} duplicates, ` +
          `${receiver.badSignatures} bad signatures${unexpected ? `, ${unexpected} unexpected event ids` : ''}; ${await pipelineState(producer)}`,
      );
      context.log(`CPU from first publish to last arrival (% of one core): ${cpuDuring}`);
      const stages = await stageBreakdown(producer, published, receiver.arrivals);
      context.log(
        `latency by stage${stages.retried ? ` (${stages.retried} deliveries needed a retry)` : ''}:\n${stages.table}`,
      );
      context.parameters.cpu = cpuDuring;

      const summary = latency.summary();
      return {
        webhook_p50_ms: info(summary.p50Ms, 'ms'),
        webhook_p95_ms: info(summary.p95Ms, 'ms'),
        webhook_p99_ms: atMost(summary.p99Ms, 'ms', 1000),
        webhook_max_ms: info(summary.maxMs, 'ms'),
        events: info(published.events, 'events'),
        delivered: info(delivered, 'events'),
        lost: atMost(published.events - delivered, 'events', 0),
        duplicates: atMost(receiver.duplicates, 'deliveries', 0),
        bad_signatures: atMost(receiver.badSignatures, 'deliveries', 0),
        achieved_events_per_s: info(achieved, 'events/s'),
        offered_events_per_s: info(rate, 'events/s'),
      };
    } finally {
      await cleanup.run();
    }
  },
};
