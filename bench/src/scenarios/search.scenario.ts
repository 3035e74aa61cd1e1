import { cpus } from 'node:os';
import pg from 'pg';
import { serviceDefinition } from '@cartograph/catalog/dist/src/catalog.definition.js';
import { createServiceDataSource } from '@cartograph/platform/database';
import { SearchRepository } from '@cartograph/catalog/dist/src/modules/search/search.repository.js';
import { bulkLoad } from '../lib/bulk-load.js';
import { CatalogApiModule } from '@cartograph/catalog/dist/src/app.module.js';
import { benchIdentity, startServiceApi } from '../lib/service-api.js';
import { databaseUrl, dropDatabase, ensureDatabase, migrateService } from '../lib/database.js';
import {
  DATASET_GENERATOR_VERSION,
  datasetInsertStatements,
  verifyGeneratedIds,
} from '../lib/dataset-generator.js';
import { createGraphqlClient, type GraphqlClient } from '../lib/graphql-client.js';
import { LatencyHistogram } from '../lib/histogram.js';
import { runClosedLoad, runOpenLoad, type LoadProgress, type LoadResult } from '../lib/load.js';
import { formatNumber, renderTable } from '../lib/table.js';
import { atLeast, atMost, info, type Scenario, type ScenarioContext } from '../scenario.js';
import { searchQueries, type SearchQuery } from './search.queries.js';

const SEARCH = `query Search($query: String!) {
  search(query: $query, first: 20) {
    totalCount
    edges { node { id title snippet score dataset { id name schema platform description } } }
  }
}`;

interface SearchData {
  search: {
    totalCount: number;
    edges: {
      node: {
        id: string;
        title: string;
        snippet: string | null;
        score: number;
        dataset: { name: string; description: string | null } | null;
      };
    }[];
  };
}

/** What the bench stores on the dataset table, so a later run knows it can reuse the rows. */
interface Marker {
  generator: string;
  rows: number;
  loadSeconds: number;
  generatedAt: string;
}

async function readMarker(client: pg.Client): Promise<Marker | null> {
  const result = await client.query<{ comment: string | null }>(
    `SELECT obj_description('catalog.dataset'::regclass, 'pg_class') AS comment`,
  );
  try {
    return JSON.parse(result.rows[0]?.comment ?? 'null') as Marker | null;
  } catch {
    return null;
  }
}

/** The generator bypasses the registry, so the vocabulary it would have built is built here, the same way. */
async function rebuildSearchVocabulary(url: string): Promise<number> {
  const dataSource = createServiceDataSource({
    url,
    schema: 'catalog',
    entities: [],
    migrations: [],
    poolSize: 1,
  });
  await dataSource.initialize();
  try {
    return await new SearchRepository(dataSource).rebuildTerms();
  } finally {
    await dataSource.destroy();
  }
}

/** A migrated database holding `rows` generated datasets; reused when an earlier run left exactly that. */
async function prepareDatabase(
  context: ScenarioContext,
  name: string,
  rows: number,
  fresh: boolean,
): Promise<{ url: string; loadSeconds: number; reused: boolean }> {
  const url = databaseUrl(name);
  if (fresh) {
    context.log(`--fresh: dropping database ${name}`);
    await dropDatabase(name);
  }
  const created = await ensureDatabase(name);
  const ran = await migrateService(url, serviceDefinition);
  context.log(
    `database ${name} ${created ? 'created' : 'exists'}; ${ran.length > 0 ? `ran migrations ${ran.join(', ')}` : 'migrations up to date'}`,
  );

  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const marker = await readMarker(client);
    if (marker && marker.generator === DATASET_GENERATOR_VERSION && marker.rows === rows) {
      const count = Number(
        (await client.query<{ count: string }>(`SELECT count(*) AS count FROM catalog.dataset`)).rows[0]!
          .count,
      );
      if (count === rows) {
        context.log(
          `reusing ${formatNumber(rows)} datasets generated ${marker.generatedAt} (pass --fresh to regenerate)`,
        );
        return { url, loadSeconds: marker.loadSeconds, reused: true };
      }
    }
    const parts = Math.max(1, cpus().length);
    context.log(
      `generating ${formatNumber(rows)} datasets (${DATASET_GENERATOR_VERSION}) with ${parts} connections…`,
    );
    const started = performance.now();
    await bulkLoad({
      url,
      schema: 'catalog',
      table: 'dataset',
      statements: datasetInsertStatements('catalog', rows, parts),
      log: (message) => context.log(message),
    });
    const terms = await rebuildSearchVocabulary(url);
    context.log(`search vocabulary: ${formatNumber(terms)} terms`);
    const loadSeconds = (performance.now() - started) / 1000;
    const checked = await verifyGeneratedIds(client, 'catalog');
    context.log(`generated in ${loadSeconds.toFixed(1)} s; ${checked} sampled ids match datasetId()`);
    const next: Marker = {
      generator: DATASET_GENERATOR_VERSION,
      rows,
      loadSeconds: Math.round(loadSeconds * 10) / 10,
      generatedAt: new Date().toISOString(),
    };
    await client.query(`COMMENT ON TABLE catalog.dataset IS ${pg.escapeLiteral(JSON.stringify(next))}`);
    return { url, loadSeconds, reused: false };
  } finally {
    await client.end();
  }
}

function hitMatches(query: SearchQuery, data: SearchData): boolean {
  const top = data.search.edges[0]?.node;
  if (!top) {
    return false;
  }
  const text = `${top.title} ${top.dataset?.description ?? ''}`.toLowerCase();
  return (query.expect ?? []).every((word) => text.includes(word.toLowerCase()));
}

interface SerialPass {
  histogram: LatencyHistogram;
  typoTotal: number;
  typoCorrect: number;
  rows: { query: SearchQuery; ms: number; total: number; top: string }[];
}

/** Every query once, one at a time: warms caches, checks typo results, and shows the cost of each query alone. */
async function serialPass(context: ScenarioContext, client: GraphqlClient): Promise<SerialPass> {
  const histogram = new LatencyHistogram();
  const rows: SerialPass['rows'] = [];
  let typoTotal = 0;
  let typoCorrect = 0;
  for (const query of searchQueries) {
    const started = performance.now();
    const data = await client.query<SearchData>(SEARCH, { query: query.text });
    const ms = performance.now() - started;
    histogram.record(ms);
    rows.push({
      query,
      ms,
      total: data.search.totalCount,
      top: data.search.edges[0]?.node.title ?? '(no hit)',
    });
    if (query.kind === 'typo') {
      typoTotal += 1;
      if (hitMatches(query, data)) {
        typoCorrect += 1;
      } else {
        context.log(
          `typo miss: "${query.text}" (want ${query.expect!.join(' + ')}) → top hit ${data.search.edges[0]?.node.title ?? '(none)'}`,
        );
      }
    }
  }
  return { histogram, typoTotal, typoCorrect, rows };
}

function progressLogger(context: ScenarioContext, phase: string) {
  return (progress: LoadProgress) =>
    context.log(
      `${phase}: ${progress.elapsedSeconds.toFixed(0)} s, ${progress.completed}/${progress.sent} done, ${progress.inFlight} in flight, ` +
        `${progress.errors} errors, p95 so far ${formatNumber(progress.p95Ms)} ms`,
    );
}

function describeLoad(result: LoadResult): string {
  const l = result.latency;
  return (
    `${result.completed} requests, ${formatNumber(result.throughputRps)} req/s, p50 ${formatNumber(l.p50Ms)} ms, p95 ${formatNumber(l.p95Ms)} ms, ` +
    `p99 ${formatNumber(l.p99Ms)} ms, max ${formatNumber(l.maxMs)} ms, ${result.errors} errors${result.dropped ? `, ${result.dropped} dropped` : ''}` +
    (result.errorSamples.length ? ` (first error: ${result.errorSamples[0]})` : '')
  );
}

export const searchScenario: Scenario = {
  name: 'search',
  description: 'GraphQL search(query) latency on 1M generated datasets, straight to the catalog subgraph',
  options: [
    { name: 'rows', description: 'datasets to generate', default: 1_000_000 },
    {
      name: 'rate',
      description: 'requests per second of the steady (open-model) phase; keep it below the max throughput',
      default: 5,
    },
    { name: 'duration', description: 'seconds of the steady phase', default: 25 },
    { name: 'concurrency', description: 'clients of the max-throughput (closed-model) phase', default: 4 },
    { name: 'max-duration', description: 'seconds of the max-throughput phase (0 skips it)', default: 8 },
    {
      name: 'fresh',
      description: 'regenerate the database even when it already holds the rows',
      default: false,
    },
    { name: 'database', description: 'database name', default: 'cartograph_bench_search' },
  ],

  async run(context) {
    const { options } = context;
    const rows = options.number('rows', 1_000_000, { min: 1 });
    const rate = options.number('rate', 5, { min: 0.1 });
    const duration = options.number('duration', 25, { min: 1 });
    const concurrency = options.number('concurrency', 4, { min: 1 });
    const maxDuration = options.number('max-duration', 8, { min: 0 });
    const database = options.string('database', 'cartograph_bench_search');
    Object.assign(context.parameters, {
      rows,
      rate,
      duration,
      concurrency,
      maxDuration,
      database,
      queries: searchQueries.length,
    });

    const prepared = await prepareDatabase(context, database, rows, options.boolean('fresh'));
    context.parameters.reused = prepared.reused;

    const api = await startServiceApi({
      definition: serviceDefinition,
      module: (config) => CatalogApiModule.forRoot(config, { schemaFile: false }),
      databaseUrl: prepared.url,
    });
    const client = createGraphqlClient({
      url: api.url,
      identity: { identity: benchIdentity, secret: api.secret },
      connections: 256,
    });
    try {
      context.log(`catalog API listening on ${api.url}`);
      const queryText = (index: number) => searchQueries[index % searchQueries.length]!.text;

      context.log(`serial pass: ${searchQueries.length} queries, one at a time`);
      const serial = await serialPass(context, client);
      const slowest = [...serial.rows].sort((a, b) => b.ms - a.ms).slice(0, 8);
      context.log(
        `serial pass: p50 ${formatNumber(serial.histogram.percentile(50))} ms, p95 ${formatNumber(serial.histogram.percentile(95))} ms; slowest:\n` +
          renderTable(
            ['query', 'kind', 'ms', 'totalCount', 'top hit'],
            slowest.map((row) => [
              row.query.text,
              row.query.kind,
              formatNumber(row.ms),
              String(row.total),
              row.top,
            ]),
          ),
      );

      let maxThroughput = Number.NaN;
      if (maxDuration > 0) {
        context.log(`max throughput: ${concurrency} clients back to back for ${maxDuration} s`);
        const closed = await runClosedLoad({
          concurrency,
          durationSeconds: maxDuration,
          send: async (index, signal) =>
            void (await client.query(SEARCH, { query: queryText(index) }, signal)),
          onProgress: progressLogger(context, 'max throughput'),
        });
        context.log(`max throughput: ${describeLoad(closed)}`);
        maxThroughput = closed.throughputRps;
        if (rate > maxThroughput) {
          context.log(
            `warning: --rate ${rate} is above the measured max throughput; the steady phase will queue and time out`,
          );
        }
      }

      context.log(
        `steady load: ${rate} req/s for ${duration} s (open model: latency counts from when a request was due)`,
      );
      const steady = await runOpenLoad({
        rate,
        durationSeconds: duration,
        maxInFlight: 256,
        timeoutMs: 10_000,
        send: async (index, signal) => void (await client.query(SEARCH, { query: queryText(index) }, signal)),
        onProgress: progressLogger(context, 'steady load'),
      });
      context.log(`steady load: ${describeLoad(steady)}`);

      return {
        search_p50_ms: info(steady.latency.p50Ms, 'ms'),
        search_p95_ms: atMost(steady.latency.p95Ms, 'ms', 50),
        search_p99_ms: info(steady.latency.p99Ms, 'ms'),
        search_throughput_rps: info(steady.throughputRps, 'req/s'),
        search_offered_rps: info(rate, 'req/s'),
        search_errors: atMost(steady.errors + steady.dropped, 'requests', 0),
        search_max_throughput_rps: info(maxThroughput, 'req/s'),
        search_serial_p50_ms: info(serial.histogram.percentile(50), 'ms'),
        search_serial_p95_ms: info(serial.histogram.percentile(95), 'ms'),
        search_typo_top_hit: atLeast(
          serial.typoTotal ? serial.typoCorrect / serial.typoTotal : Number.NaN,
          'fraction',
          0.9,
        ),
        datasets: info(rows, 'datasets'),
        load_seconds: info(Math.round(prepared.loadSeconds * 10) / 10, 's'),
      };
    } finally {
      await client.close();
      await api.close();
    }
  },
};
