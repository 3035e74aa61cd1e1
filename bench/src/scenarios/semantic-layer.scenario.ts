import { Redis } from 'ioredis';
import { FakeSemanticLayer } from '@cartograph/platform/testing';
import { bearerHeaders, createGraphqlClient, type GraphqlClient } from '../lib/graphql-client.js';
import { LatencyHistogram, type LatencySummary } from '../lib/histogram.js';
import { processMemory, sampleMemoryPeak, type MemoryPeak } from '../lib/process-memory.js';
import { generateSemanticLayerModel } from '../lib/semantic-layer.generator.js';
import { describeCpu } from '../lib/process-cpu.js';
import { Cleanup, prepareStackDatabase, StackCpu, startBenchStack, type CpuUsage } from '../lib/stack.js';
import { formatNumber } from '../lib/table.js';
import { atMost, info, type Metrics, type Scenario, type ScenarioContext } from '../scenario.js';

/*
 * The semantic-layer subgraph behind the gateway, against FakeSemanticLayer (a real HTTP server speaking the
 * dbt Semantic Layer GraphQL API, in this process). Two environments share one generated orders model: a large
 * one whose dataset has one row per order (grouping by `order` answers every row) and a small one for short
 * queries. Every call goes through the gateway with the bootstrapped admin key.
 *
 * 1. Cached metadata: semanticLayerMetrics and semanticLayerDimensions, warmed once, then served from Redis.
 * 2. A large result: runMetricQuery grouped by order returns `--rows` rows, read upstream in pages of the
 *    fake's size; the rows connection allows at most 500 rows per request (MAX_PAGE_SIZE), so the client pages
 *    through it with `after`, each page a new runMetricQuery answered from the result cache. The subgraph's RSS
 *    is sampled throughout.
 * 3. Proxy overhead: the same small query with the result cache on, then, with the subgraph restarted with
 *    SEMANTIC_LAYER_RESULT_TTL_SECONDS=0, end-to-end time minus the time the fake spent answering that query's
 *    requests (FakeSemanticLayer's servedMs).
 */
const TOKEN = 'dbtsl_bench0123456789abcdefghijklmnop';
const LARGE_ENVIRONMENT = 70_403_103_900_001;
const SMALL_ENVIRONMENT = 70_403_103_900_002;
const SMALL_ROWS = 2_000;
/** The rows connection's largest page (MAX_PAGE_SIZE of the platform's connections). */
const ROWS_PAGE = 500;
const MB = 1024 * 1024;

const CREATE = `mutation($input: CreateSemanticLayerConnectionInput!) {
  createSemanticLayerConnection(input: $input) { id }
}`;
const METRICS = `query Metrics($id: ID!) {
  semanticLayerMetrics(connectionId: $id) {
    name label description type requiresMetricTime queryableTimeGranularities filter meta
    measures { name agg aggTimeDimension }
  }
}`;
const DIMENSIONS = `query Dimensions($id: ID!, $metrics: [String!]!) {
  semanticLayerDimensions(connectionId: $id, metrics: $metrics) {
    metrics
    dimensions { qualifiedName label type granularities isPartition }
    entities { name type }
    savedQueries { name metrics groupBy }
  }
}`;
const RUN = `mutation Run($id: ID!, $input: MetricQueryInput!, $first: Int, $after: String) {
  runMetricQuery(connectionId: $id, input: $input) {
    queryId totalCount cached columns { name type }
    rows(first: $first, after: $after) {
      edges { node { index values } }
      pageInfo { hasNextPage endCursor }
    }
  }
}`;

/** One order per row: as many result rows as the dataset has. */
const LARGE_QUERY = {
  metrics: ['revenue', 'order_count', 'quantity'],
  groupBy: [{ name: 'order' }, { name: 'metric_time', grain: 'day' }, { name: 'customer__region' }],
};
/** Revenue and orders by region and quarter: 40 rows, one upstream page. */
const SMALL_QUERY = {
  metrics: ['revenue', 'order_count'],
  groupBy: [{ name: 'customer__region' }, { name: 'metric_time', grain: 'quarter' }],
};

interface RunAnswer {
  runMetricQuery: {
    queryId: string | null;
    totalCount: number;
    cached: boolean;
    columns: { name: string; type: string }[];
    rows: {
      edges: { node: { index: number; values: Record<string, unknown> } }[];
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
    };
  };
}

const ms = (started: number) => performance.now() - started;
const describe = (summary: LatencySummary) =>
  `p50 ${summary.p50Ms.toFixed(1)} ms, p95 ${summary.p95Ms.toFixed(1)} ms, p99 ${summary.p99Ms.toFixed(1)} ms`;

/** Bytes of the result-cache entries the subgraph wrote under the stack's Redis prefix. */
async function resultCacheBytes(prefix: string, redisUrl: string | undefined): Promise<number> {
  const redis = new Redis(redisUrl ?? 'redis://127.0.0.1:6379', {
    maxRetriesPerRequest: 1,
    lazyConnect: true,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    let cursor = '0';
    let bytes = 0;
    do {
      const [next, keys] = await redis.scan(
        cursor,
        'MATCH',
        `${prefix}:semantic-layer:result:*`,
        'COUNT',
        1000,
      );
      cursor = next;
      for (const key of keys) bytes += await redis.strlen(key);
    } while (cursor !== '0');
    return bytes;
  } catch {
    return Number.NaN;
  } finally {
    redis.disconnect();
  }
}

async function createConnection(gateway: GraphqlClient, name: string, environmentId: number, host: string) {
  const data = await gateway.query<{ createSemanticLayerConnection: { id: string } }>(CREATE, {
    input: { name, mode: 'DBT_CLOUD', host, environmentId: String(environmentId), token: TOKEN },
  });
  return data.createSemanticLayerConnection.id;
}

export const semanticLayerScenario: Scenario = {
  name: 'semantic-layer',
  description:
    'semantic-layer subgraph through the gateway: cached metadata p95, a 100,000-row result within 200 MB of RSS, proxy overhead per query',
  options: [
    { name: 'rows', description: 'rows of the large result (one per order)', default: 100_000 },
    {
      name: 'metadata-requests',
      description: 'cached metadata requests (metrics and dimensions, alternating)',
      default: 500,
    },
    { name: 'queries', description: 'small queries per result-cache setting', default: 200 },
    { name: 'metrics', description: 'metrics in the generated environment', default: 60 },
    { name: 'page-size', description: 'rows per upstream page of the fake', default: 1024 },
    { name: 'seed', description: 'seed of the generated model and dataset', default: 1 },
    {
      name: 'cpu-profile',
      description:
        'directory for V8 CPU profiles of the stack processes, semantic-layer included (off by default)',
    },
    {
      name: 'database',
      description: 'database name (dropped and recreated each run)',
      default: 'cartograph_bench_semantic_layer',
    },
  ],

  async run(context: ScenarioContext): Promise<Metrics> {
    const { options } = context;
    const rows = options.number('rows', 100_000, { min: 1, max: 100_000 });
    const metadataRequests = options.number('metadata-requests', 500, { min: 1 });
    const queries = options.number('queries', 200, { min: 1 });
    const metricCount = options.number('metrics', 60, { min: 4 });
    const pageSize = options.number('page-size', 1024, { min: 1 });
    const seed = options.number('seed', 1);
    const database = options.string('database', 'cartograph_bench_semantic_layer');
    const cpuProfileDirectory = options.string('cpu-profile', '') || undefined;
    Object.assign(context.parameters, {
      rows,
      metadataRequests,
      queries,
      metrics: metricCount,
      pageSize,
      seed,
      database,
    });

    const cleanup = new Cleanup(context);
    try {
      const started = performance.now();
      const large = generateSemanticLayerModel({ rows, seed, metrics: metricCount });
      const small = generateSemanticLayerModel({ rows: SMALL_ROWS, seed, metrics: metricCount });
      context.log(
        `generated ${large.metrics.length} metrics, ${large.dimensions.length} dimensions, ${formatNumber(rows)} orders ` +
          `in ${(ms(started) / 1000).toFixed(1)} s`,
      );
      const fake = new FakeSemanticLayer();
      fake
        .environment({ id: LARGE_ENVIRONMENT, tokens: [TOKEN], dialect: 'SNOWFLAKE', ...large })
        .environment({ id: SMALL_ENVIRONMENT, tokens: [TOKEN], dialect: 'SNOWFLAKE', ...small })
        // Done at the first poll: the measured time holds no poll wait of the subgraph.
        .queryBehaviour({ pollsBeforeDone: 0, pageSize });
      const host = await fake.start();
      cleanup.add('fake Semantic Layer', () => fake.stop());

      const url = await prepareStackDatabase(context, cleanup, database, { recreate: true });
      const stack = await startBenchStack(context, cleanup, {
        databaseUrl: url,
        project: 'bench-semantic-layer',
        services: ['semantic-layer'],
        cpuProfileDirectory,
      });
      const gateway = createGraphqlClient({
        url: `${stack.gatewayUrl}/graphql`,
        headers: bearerHeaders(stack.adminKey),
        connections: 4,
      });
      cleanup.add('gateway client', () => gateway.close());
      const largeConnection = await createConnection(gateway, 'bench-large', LARGE_ENVIRONMENT, host);
      const smallConnection = await createConnection(gateway, 'bench-small', SMALL_ENVIRONMENT, host);
      const metrics: Metrics = {};
      // CPU per process during each measured phase: a large `other` means the machine was shared.
      const cpu = new StackCpu(stack, url);
      const cpuOf = (phase: string, usage: CpuUsage) => {
        const described = describeCpu(usage.percent);
        context.parameters[`cpu_${phase}`] = described;
        context.log(`${phase}: CPU (% of one core) ${described}`);
        return usage.percent.get('other') ?? Number.NaN;
      };

      // 1. Cached metadata.
      const dimensionsOf = ['revenue', 'order_count'];
      const metricsAnswer = await gateway.query<{ semanticLayerMetrics: unknown[] }>(METRICS, {
        id: largeConnection,
      });
      await gateway.query(DIMENSIONS, { id: largeConnection, metrics: dimensionsOf });
      context.log(
        `metadata warmed: ${metricsAnswer.semanticLayerMetrics.length} metrics; ${fake.requests.length} upstream requests so far`,
      );
      fake.resetRequests();
      const metadata = new LatencyHistogram();
      const byField = { metrics: new LatencyHistogram(), dimensions: new LatencyHistogram() };
      const stopMetadataCpu = await cpu.start();
      for (let index = 0; index < metadataRequests; index += 1) {
        const sent = performance.now();
        if (index % 2 === 0) await gateway.query(METRICS, { id: largeConnection });
        else await gateway.query(DIMENSIONS, { id: largeConnection, metrics: dimensionsOf });
        const elapsed = ms(sent);
        metadata.record(elapsed);
        byField[index % 2 === 0 ? 'metrics' : 'dimensions'].record(elapsed);
      }
      const metadataSummary = metadata.summary();
      const metadataOther = cpuOf('metadata', await stopMetadataCpu());
      context.log(
        `cached metadata: ${describe(metadataSummary)} (semanticLayerMetrics ${describe(byField.metrics.summary())}; ` +
          `semanticLayerDimensions ${describe(byField.dimensions.summary())}); ${fake.requests.length} upstream requests`,
      );
      Object.assign(metrics, {
        metadata_cached_p50_ms: info(metadataSummary.p50Ms, 'ms'),
        metadata_cached_p95_ms: atMost(metadataSummary.p95Ms, 'ms', 20),
        metadata_cached_p99_ms: info(metadataSummary.p99Ms, 'ms'),
        metadata_metrics_p95_ms: info(byField.metrics.summary().p95Ms, 'ms'),
        metadata_dimensions_p95_ms: info(byField.dimensions.summary().p95Ms, 'ms'),
        metadata_upstream_requests: atMost(fake.requests.length, 'requests', 0),
        metadata_other_cpu_pct: info(metadataOther, '%'),
      });

      // 2. The large result.
      const subgraph = stack.process('semantic-layer');
      const baseline = processMemory(subgraph.pid!)?.rss ?? Number.NaN;
      fake.resetRequests();
      const stopSampling = sampleMemoryPeak(subgraph.pid!, 50);
      let stopFirstSampling: (() => MemoryPeak) | null = sampleMemoryPeak(subgraph.pid!, 50);
      let firstPeak: MemoryPeak | undefined;
      const stopLargeCpu = await cpu.start();
      const cachedPages = new LatencyHistogram();
      const queryStarted = performance.now();
      let firstMs = Number.NaN;
      let received = 0;
      let requests = 0;
      let totalCount = Number.NaN;
      let after: string | null = null;
      let outOfOrder = 0;
      let peak: MemoryPeak;
      try {
        for (;;) {
          const sent = performance.now();
          const answer: RunAnswer = await gateway.query<RunAnswer>(RUN, {
            id: largeConnection,
            input: LARGE_QUERY,
            first: ROWS_PAGE,
            after,
          });
          requests += 1;
          const result = answer.runMetricQuery;
          if (requests === 1) {
            firstMs = ms(queryStarted);
            firstPeak = stopFirstSampling!();
            stopFirstSampling = null;
            totalCount = result.totalCount;
            context.log(
              `large query: ${formatNumber(result.totalCount)} rows, ${fake.requestsFor('query').length} upstream pages, ` +
                `first ${ROWS_PAGE} rows through the gateway after ${(firstMs / 1000).toFixed(2)} s; ` +
                `columns ${result.columns.map((column) => `${column.name}:${column.type}`).join(', ')}`,
            );
          } else if (!result.cached) {
            throw new Error(`page ${requests} of the large result was not served from the result cache`);
          } else {
            cachedPages.record(ms(sent));
          }
          for (const edge of result.rows.edges) {
            if (edge.node.index !== received) outOfOrder += 1;
            received += 1;
          }
          if (requests % 50 === 0) {
            context.log(`large query: ${formatNumber(received)} rows in ${requests} requests`);
          }
          if (!result.rows.pageInfo.hasNextPage) break;
          after = result.rows.pageInfo.endCursor;
        }
      } finally {
        stopFirstSampling?.();
        peak = stopSampling();
      }
      const wallMs = ms(queryStarted);
      const largeOther = cpuOf('large', await stopLargeCpu());
      const growthMb = (peak.peakRssBytes - baseline) / MB;
      const firstGrowthMb = ((firstPeak?.peakRssBytes ?? Number.NaN) - baseline) / MB;
      const pageSummary = cachedPages.summary();
      const cacheBytes = await resultCacheBytes(stack.redisPrefix, stack.environment.REDIS_URL);
      context.log(
        `large query: ${formatNumber(received)} rows in ${requests} requests, ${(wallMs / 1000).toFixed(1)} s ` +
          `(${formatNumber(Math.round(received / (wallMs / 1000)))} rows/s); semantic-layer RSS ${formatNumber(Math.round(baseline / MB))} MB → ` +
          `peak ${formatNumber(Math.round(peak.peakRssBytes / MB))} MB (+${growthMb.toFixed(0)} MB, ${peak.samples} samples; ` +
          `+${firstGrowthMb.toFixed(0)} MB during the first request), VmHWM ${formatNumber(Math.round(peak.hwmBytes / MB))} MB`,
      );
      context.log(
        `large query: cached pages ${describe(pageSummary)}; result cache entry ${(cacheBytes / MB).toFixed(1)} MB of JSON`,
      );
      Object.assign(metrics, {
        large_rows: info(received, 'rows'),
        large_rows_missing: atMost(
          Math.abs(rows - received) + outOfOrder + Math.abs(totalCount - rows),
          'rows',
          0,
        ),
        large_upstream_pages: info(fake.requestsFor('query').length, 'pages'),
        large_gateway_requests: info(requests, 'requests'),
        large_first_page_s: info(firstMs / 1000, 's'),
        large_cached_page_p50_ms: info(pageSummary.p50Ms, 'ms'),
        large_cached_page_p95_ms: info(pageSummary.p95Ms, 'ms'),
        large_wall_s: info(wallMs / 1000, 's'),
        large_rows_per_s: info(received / (wallMs / 1000), 'rows/s'),
        large_result_cache_mb: info(cacheBytes / MB, 'MB'),
        large_other_cpu_pct: info(largeOther, '%'),
        subgraph_rss_before_mb: info(baseline / MB, 'MB'),
        subgraph_peak_rss_mb: info(peak.peakRssBytes / MB, 'MB'),
        subgraph_rss_growth_mb: atMost(growthMb, 'MB', 200),
        subgraph_rss_growth_first_request_mb: info(firstGrowthMb, 'MB'),
        subgraph_vmhwm_mb: info(peak.hwmBytes / MB, 'MB'),
      });

      // 3a. The small query with the result cache on: the first run fills it.
      const smallRun = () =>
        gateway.query<RunAnswer>(RUN, { id: smallConnection, input: SMALL_QUERY, first: 100 });
      const firstSmall = await smallRun();
      context.log(
        `small query: ${firstSmall.runMetricQuery.totalCount} rows, ${firstSmall.runMetricQuery.columns.length} columns`,
      );
      const cachedHistogram = new LatencyHistogram();
      const stopCachedCpu = await cpu.start();
      for (let index = 0; index < queries; index += 1) {
        const sent = performance.now();
        const answer = await smallRun();
        cachedHistogram.record(ms(sent));
        if (!answer.runMetricQuery.cached)
          throw new Error('the small query was not served from the result cache');
      }
      const cached = cachedHistogram.summary();
      cpuOf('cached', await stopCachedCpu());
      context.log(`small query, result cache on: ${describe(cached)}`);

      // 3b. The same query with the result cache off: what the proxy adds to the fake's own time.
      await subgraph.stop();
      await subgraph.start({ SEMANTIC_LAYER_RESULT_TTL_SECONDS: '0' });
      context.log('semantic-layer restarted with SEMANTIC_LAYER_RESULT_TTL_SECONDS=0');
      for (let warm = 0; warm < 20; warm += 1) await smallRun();
      const endToEnd = new LatencyHistogram();
      const upstream = new LatencyHistogram();
      const overhead = new LatencyHistogram();
      let upstreamRequests = 0;
      fake.resetRequests();
      const stopUncachedCpu = await cpu.start();
      for (let index = 0; index < queries; index += 1) {
        const before = fake.requests.length;
        const sent = performance.now();
        const answer = await smallRun();
        const total = ms(sent);
        if (answer.runMetricQuery.cached) throw new Error('the result cache is still on');
        const served = fake.requests.slice(before);
        upstreamRequests += served.length;
        const fakeMs = served.reduce((sum, request) => sum + request.servedMs, 0);
        endToEnd.record(total);
        upstream.record(fakeMs);
        overhead.record(total - fakeMs);
      }
      const uncached = endToEnd.summary();
      const uncachedOther = cpuOf('uncached', await stopUncachedCpu());
      const fakeTime = upstream.summary();
      const added = overhead.summary();
      context.log(
        `small query, result cache off: end to end ${describe(uncached)}; fake ${describe(fakeTime)}; ` +
          `${(upstreamRequests / queries).toFixed(1)} upstream requests per query`,
      );
      context.log(`proxy overhead per query: ${describe(added)}`);
      Object.assign(metrics, {
        query_cached_p50_ms: info(cached.p50Ms, 'ms'),
        query_cached_p95_ms: info(cached.p95Ms, 'ms'),
        query_uncached_p50_ms: info(uncached.p50Ms, 'ms'),
        query_uncached_p95_ms: info(uncached.p95Ms, 'ms'),
        query_fake_p50_ms: info(fakeTime.p50Ms, 'ms'),
        query_fake_p95_ms: info(fakeTime.p95Ms, 'ms'),
        query_upstream_requests: info(upstreamRequests / queries, 'requests'),
        proxy_overhead_p50_ms: info(added.p50Ms, 'ms'),
        proxy_overhead_p95_ms: info(added.p95Ms, 'ms'),
        query_other_cpu_pct: info(uncachedOther, '%'),
      });
      return metrics;
    } finally {
      await cleanup.run();
    }
  },
};
