import { cpus } from 'node:os';
import pg from 'pg';
import type { Identity } from '@cartograph/platform/auth';
import { datasetInsertStatement } from '../lib/dataset-generator.js';
import {
  bearerHeaders,
  createGraphqlClient,
  signedIdentityHeaders,
  type GraphqlClient,
} from '../lib/graphql-client.js';
import { runClosedLoad, runOpenLoad, type LoadResult, type SendRequest } from '../lib/load.js';
import { describeLoad, progressLogger } from '../lib/load-report.js';
import { describeCpu } from '../lib/process-cpu.js';
import {
  Cleanup,
  cpuMsPer,
  prepareStackDatabase,
  StackCpu,
  startBenchStack,
  type CpuUsage,
} from '../lib/stack.js';
import { formatNumber } from '../lib/table.js';
import { atLeast, atMost, info, type Scenario, type ScenarioContext } from '../scenario.js';

/** A catalog page: one dataset by id (most requests) … */
const DATASET = `query Dataset($id: ID!) {
  dataset(id: $id) { id name displayName description sources kind lastSeenAt }
}`;

/** … and the first page of the dataset list (one request in ten). */
const DATASETS = `query Datasets {
  datasets(first: 20) { totalCount edges { node { id name displayName kind lastSeenAt } } }
}`;

/** Direct subgraph calls carry the identity the gateway would sign for the admin key. */
const directIdentity: Identity = {
  subject: 'cartograph-bench',
  kind: 'api-key',
  role: 'admin',
  name: 'benchmark',
};

/** The generated datasets (rows 0..n-1 of the bench generator); reused when the table holds exactly those. */
async function seedDatasets(context: ScenarioContext, url: string, count: number): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // A reused database still holds the admin key of the previous run; `keys bootstrap` only creates the first.
    await client.query(`TRUNCATE catalog.api_key`);
    const existing = Number(
      (await client.query<{ count: string }>(`SELECT count(*) AS count FROM catalog.dataset`)).rows[0]!.count,
    );
    if (existing !== count) {
      const started = performance.now();
      await client.query('BEGIN');
      await client.query(`TRUNCATE catalog.dataset, catalog.dataset_sighting`);
      await client.query(datasetInsertStatement('catalog', 0, count));
      await client.query('COMMIT');
      await client.query(`VACUUM (ANALYZE) catalog.dataset`);
      context.log(
        `seeded ${formatNumber(count)} datasets in ${((performance.now() - started) / 1000).toFixed(1)} s`,
      );
    } else {
      context.log(`reusing ${formatNumber(count)} seeded datasets`);
    }
    const rows = await client.query<{ id: string }>(`SELECT id FROM catalog.dataset ORDER BY id`);
    return rows.rows.map((row) => row.id);
  } finally {
    await client.end();
  }
}

/** Request i: every tenth is the list page, the others a dataset by id, rotating over the seeded ids. */
function catalogPageRequests(client: GraphqlClient, ids: string[]): SendRequest {
  return async (index, signal) => {
    if (index % 10 === 9) {
      const data = await client.query<{ datasets: { edges: unknown[] } }>(DATASETS, {}, signal);
      if (data.datasets.edges.length === 0) {
        throw new Error('datasets(first: 20) returned no rows');
      }
      return;
    }
    const id = ids[(index * 7919) % ids.length]!;
    const data = await client.query<{ dataset: { id: string } | null }>(DATASET, { id }, signal);
    if (data.dataset?.id !== id) {
      throw new Error(`dataset(id: ${id}) returned ${JSON.stringify(data.dataset)}`);
    }
  };
}

export const gatewayScenario: Scenario = {
  name: 'gateway',
  description: 'same query against the gateway and directly against the catalog subgraph in one run',
  options: [
    { name: 'datasets', description: 'datasets to seed', default: 1_000 },
    { name: 'concurrency', description: 'clients of the max-throughput (closed-model) phases', default: 16 },
    { name: 'max-duration', description: 'seconds of each max-throughput phase', default: 10 },
    { name: 'warmup', description: 'seconds of warm-up before each max-throughput phase', default: 3 },
    {
      name: 'serial',
      description: 'seconds of one-at-a-time requests per target (latency the gateway adds)',
      default: 3,
    },
    {
      name: 'rate',
      description: 'requests per second of the open-model phase against the gateway',
      default: 200,
    },
    { name: 'duration', description: 'seconds of the open-model phase', default: 20 },
    {
      name: 'cpu-profile',
      description:
        'directory for V8 CPU profiles of the gateway, catalog and worker processes (off by default)',
    },
    { name: 'database', description: 'database name', default: 'cartograph_bench_gateway' },
  ],

  async run(context) {
    const { options } = context;
    const datasets = options.number('datasets', 1_000, { min: 1, max: 100_000 });
    const concurrency = options.number('concurrency', 16, { min: 1 });
    const maxDuration = options.number('max-duration', 10, { min: 1 });
    const warmup = options.number('warmup', 3, { min: 0 });
    const serialSeconds = options.number('serial', 3, { min: 1 });
    const rate = options.number('rate', 200, { min: 1 });
    const duration = options.number('duration', 20, { min: 1 });
    const database = options.string('database', 'cartograph_bench_gateway');
    const cpuProfileDirectory = options.string('cpu-profile', '') || undefined;
    Object.assign(context.parameters, {
      datasets,
      concurrency,
      maxDuration,
      warmup,
      serialSeconds,
      rate,
      duration,
      database,
      mix: '90% dataset(id), 10% datasets(first: 20)',
    });

    const cleanup = new Cleanup(context);
    try {
      const url = await prepareStackDatabase(context, cleanup, database);
      const ids = await seedDatasets(context, url, datasets);
      const stack = await startBenchStack(context, cleanup, {
        databaseUrl: url,
        project: 'bench-gateway',
        cpuProfileDirectory,
      });
      const cpu = new StackCpu(stack, url);

      const connections = Math.max(64, concurrency * 2);
      const gateway = createGraphqlClient({
        url: `${stack.gatewayUrl}/graphql`,
        headers: bearerHeaders(stack.adminKey),
        connections,
      });
      cleanup.add('gateway client', () => gateway.close());
      const subgraph = createGraphqlClient({
        url: stack.catalogUrl,
        headers: signedIdentityHeaders(directIdentity, stack.environment.CARTOGRAPH_INTERNAL_SECRET!),
        connections,
      });
      cleanup.add('subgraph client', () => subgraph.close());

      // What one request costs alone: no queueing, so the difference is the latency the gateway adds.
      const serialPass = async (target: string, client: GraphqlClient): Promise<LoadResult> => {
        const send = catalogPageRequests(client, ids);
        const result = await runClosedLoad({ concurrency: 1, durationSeconds: serialSeconds, send });
        context.log(`${target} serial: ${describeLoad(result)}`);
        return result;
      };

      const cpuByPhase: Record<string, string> = {};
      const closedPhase = async (
        target: string,
        client: GraphqlClient,
      ): Promise<{ result: LoadResult; usage: CpuUsage; serial: LoadResult }> => {
        const send = catalogPageRequests(client, ids);
        if (warmup > 0) {
          context.log(`${target}: warming up for ${warmup} s`);
          const warm = await runClosedLoad({ concurrency, durationSeconds: warmup, send });
          if (warm.errors > 0) {
            throw new Error(`${target} warm-up failed: ${describeLoad(warm)}`);
          }
        }
        const serial = await serialPass(target, client);
        context.log(`${target}: max throughput, ${concurrency} clients back to back for ${maxDuration} s`);
        const stopCpu = await cpu.start();
        const result = await runClosedLoad({
          concurrency,
          durationSeconds: maxDuration,
          send,
          onProgress: progressLogger(context, `${target} max`),
        });
        const usage = await stopCpu();
        cpuByPhase[target] = describeCpu(usage.percent);
        context.log(`${target} max: ${describeLoad(result)}`);
        context.log(`${target} max: CPU (% of one core; ${cpus().length} cores) ${cpuByPhase[target]}`);
        return { result, usage, serial };
      };

      const viaGateway = await closedPhase('gateway', gateway);
      const direct = await closedPhase('subgraph', subgraph);
      const perRequest = {
        gateway: cpuMsPer(viaGateway.usage, 'gateway', viaGateway.result.completed),
        catalogBehindGateway: cpuMsPer(viaGateway.usage, 'catalog', viaGateway.result.completed),
        catalogDirect: cpuMsPer(direct.usage, 'catalog', direct.result.completed),
      };
      context.log(
        `CPU per request: gateway ${formatNumber(perRequest.gateway)} ms; catalog ${formatNumber(perRequest.catalogBehindGateway)} ms ` +
          `behind the gateway, ${formatNumber(perRequest.catalogDirect)} ms called directly`,
      );

      context.log(`gateway steady: ${rate} req/s for ${duration} s (open model)`);
      if (rate > viaGateway.result.throughputRps) {
        context.log(
          `warning: --rate ${rate} is above the gateway's measured max throughput; requests will queue`,
        );
      }
      const stopCpu = await cpu.start();
      const steady = await runOpenLoad({
        rate,
        durationSeconds: duration,
        maxInFlight: 512,
        timeoutMs: 10_000,
        send: catalogPageRequests(gateway, ids),
        onProgress: progressLogger(context, 'gateway steady'),
      });
      cpuByPhase.steady = describeCpu((await stopCpu()).percent);
      context.log(`gateway steady: ${describeLoad(steady)}`);
      context.log(`gateway steady: CPU ${cpuByPhase.steady}`);
      Object.assign(context.parameters, {
        cpu_gateway_max: cpuByPhase.gateway ?? '',
        cpu_subgraph_max: cpuByPhase.subgraph ?? '',
        cpu_gateway_steady: cpuByPhase.steady ?? '',
      });

      const errors =
        viaGateway.result.errors +
        viaGateway.serial.errors +
        direct.result.errors +
        direct.serial.errors +
        steady.errors +
        steady.dropped;
      return {
        gateway_max_rps: info(viaGateway.result.throughputRps, 'req/s'),
        subgraph_max_rps: info(direct.result.throughputRps, 'req/s'),
        gateway_throughput_ratio: atLeast(
          viaGateway.result.throughputRps / direct.result.throughputRps,
          'ratio',
          0.5,
        ),
        gateway_p50_ms: info(steady.latency.p50Ms, 'ms'),
        gateway_p95_ms: info(steady.latency.p95Ms, 'ms'),
        gateway_p99_ms: atMost(steady.latency.p99Ms, 'ms', 50),
        gateway_errors: atMost(errors, 'requests', 0),
        offered_rps: info(rate, 'req/s'),
        achieved_rps: info(steady.throughputRps, 'req/s'),
        gateway_serial_p50_ms: info(viaGateway.serial.latency.p50Ms, 'ms'),
        subgraph_serial_p50_ms: info(direct.serial.latency.p50Ms, 'ms'),
        gateway_added_ms: info(viaGateway.serial.latency.p50Ms - direct.serial.latency.p50Ms, 'ms'),
        gateway_cpu_ms_per_request: info(perRequest.gateway, 'ms'),
        catalog_cpu_ms_per_gateway_request: info(perRequest.catalogBehindGateway, 'ms'),
        catalog_cpu_ms_per_direct_request: info(perRequest.catalogDirect, 'ms'),
      };
    } finally {
      await cleanup.run();
    }
  },
};
