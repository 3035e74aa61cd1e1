import pg from 'pg';
import { datasetId } from '@cartograph/catalog-model';
import { randomBytes } from 'node:crypto';
import { freePort, ServiceProcess } from '@cartograph/platform/testing';
import { generateKey } from '@cartograph/platform/secrets';
import { serviceDefinition } from '@cartograph/warehouse/dist/src/warehouse.definition.js';
import { databaseUrl, dropDatabase, ensureDatabase, migrateService } from '../lib/database.js';
import { createGraphqlClient } from '../lib/graphql-client.js';
import { LatencyHistogram } from '../lib/histogram.js';
import { benchIdentity } from '../lib/service-api.js';
import { formatNumber } from '../lib/table.js';
import { atMost, info, type Scenario, type ScenarioContext } from '../scenario.js';

/*
 * A lineage graph shaped like a warehouse's: LAYERS layers of tables (raw → staging → … → marts → BI extracts),
 * each table built from 1–5 tables of the layer before, one pick in ten going to one of the layer's 100 hubs
 * (the dim_date / customers everyone joins). 5-hop upstream and downstream queries from random tables of the
 * middle layers go through the warehouse subgraph's GraphQL API (resolver, repository, Postgres).
 */
const GENERATOR_VERSION = 'lineage-graph-v2';
const LAYERS = 10;
const HUBS_PER_LAYER = 100;

const UPSTREAM = `query($id: ID!) { _entities(representations: [{ __typename: "Dataset", id: $id }]) {
  ... on Dataset { upstream(depth: 5, first: 1000) { dataset { id } distance } } } }`;
const DOWNSTREAM = `query($id: ID!) { _entities(representations: [{ __typename: "Dataset", id: $id }]) {
  ... on Dataset { downstream(depth: 5, first: 1000) { dataset { id } distance } } } }`;

const nodeId = (index: number) =>
  datasetId({
    platform: 'postgres',
    instance: 'bench:5432',
    database: 'analytics',
    schema: 'layer',
    name: `t${index}`,
  });

/** Node ids 1..N in layers of N / LAYERS; every node past the first layer gets 1–5 edges from the layer before. */
async function generate(client: pg.Client, edges: number, log: (message: string) => void): Promise<number> {
  // About four distinct upstream picks per table survive the dedupe (measured), so nodes ≈ edges / 4.
  const nodes = Math.round(edges / 4 / (1 - 1 / LAYERS));
  const layerSize = Math.ceil(nodes / LAYERS);
  log(`generating ${formatNumber(nodes)} tables in ${LAYERS} layers and about ${formatNumber(edges)} edges…`);
  await client.query(`TRUNCATE warehouse.lineage_edge, warehouse.lineage_node RESTART IDENTITY`);
  const prefix = nodeId(0).slice(0, -1);
  await client.query(
    `INSERT INTO warehouse.lineage_node (dataset_id) SELECT $1 || g FROM generate_series(1, $2) AS g ORDER BY g`,
    [prefix, nodes],
  );
  await client.query(`SELECT setseed(0.42)`);
  await client.query(
    `INSERT INTO warehouse.lineage_edge (scope, upstream_id, downstream_id, origin, first_seen_at, last_seen_at, executions)
     SELECT DISTINCT ON (up, down) 'warehouse/bench', up, down, 'query', now(), now(), 1
     FROM (
       SELECT n AS down,
         CASE WHEN random() < 0.1
           THEN ((n - 1) / $2 - 1) * $2 + 1 + floor(random() * $3)::bigint
           ELSE ((n - 1) / $2 - 1) * $2 + 1 + floor(random() * $2)::bigint
         END AS up
       FROM generate_series($2 + 1, $1::bigint) AS n, generate_series(1, 1 + floor(random() * 5)::int) AS pick
     ) picks
     WHERE up BETWEEN 1 AND $1`,
    [nodes, layerSize, HUBS_PER_LAYER],
  );
  await client.query(`ANALYZE warehouse.lineage_node`);
  await client.query(`ANALYZE warehouse.lineage_edge`);
  const count = Number((await client.query(`SELECT count(*) FROM warehouse.lineage_edge`)).rows[0].count);
  await client.query(
    `COMMENT ON TABLE warehouse.lineage_edge IS ${pg.escapeLiteral(JSON.stringify({ generator: GENERATOR_VERSION, edges, nodes }))}`,
  );
  return count;
}

export const lineageTraversalScenario: Scenario = {
  name: 'lineage-traversal',
  description: '5-hop upstream and downstream queries on a generated lineage graph of 1,000,000 edges',
  options: [
    { name: 'edges', description: 'edges in the generated graph', default: 1_000_000 },
    { name: 'queries', description: 'queries per direction', default: 300 },
    { name: 'fresh', description: 'regenerate the graph even if an earlier run left it', default: false },
  ],
  async run(context: ScenarioContext) {
    const edges = context.options.number('edges', 1_000_000);
    const queries = context.options.number('queries', 300);
    const name = 'cartograph_bench_lineage';
    if (context.options.boolean('fresh')) await dropDatabase(name);
    await ensureDatabase(name);
    const url = databaseUrl(name);
    await migrateService(url, serviceDefinition);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    let total: number;
    let nodes: number;
    try {
      const marker = (
        await client.query(
          `SELECT obj_description('warehouse.lineage_edge'::regclass, 'pg_class') AS comment`,
        )
      ).rows[0]?.comment as string | null;
      const previous = marker
        ? (JSON.parse(marker) as { generator: string; edges: number; nodes: number })
        : null;
      const started = performance.now();
      if (previous?.generator === GENERATOR_VERSION && previous.edges === edges) {
        total = Number((await client.query(`SELECT count(*) FROM warehouse.lineage_edge`)).rows[0].count);
        nodes = previous.nodes;
        context.log(`reusing the graph of ${formatNumber(total)} edges (pass --fresh to regenerate)`);
      } else {
        total = await generate(client, edges, context.log);
        nodes = Number((await client.query(`SELECT count(*) FROM warehouse.lineage_node`)).rows[0].count);
        context.log(
          `generated ${formatNumber(total)} edges in ${((performance.now() - started) / 1000).toFixed(1)} s`,
        );
      }
    } finally {
      await client.end();
    }
    context.parameters.edges = total;
    context.parameters.nodes = nodes;

    // The subgraph runs as its own process, as in production (and so its GraphQL types never meet another
    // service's in this process).
    const port = await freePort();
    const secret = randomBytes(32).toString('hex');
    const api = new ServiceProcess(
      'warehouse',
      ['serve', 'warehouse'],
      {
        ...process.env,
        NODE_ENV: 'production',
        LOG_LEVEL: 'warn',
        HOST: '127.0.0.1',
        PORT: String(port),
        DATABASE_URL: url,
        REDIS_URL: process.env.BENCH_REDIS_URL ?? process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
        REDIS_PREFIX: `bench:warehouse:${randomBytes(4).toString('hex')}`,
        CARTOGRAPH_INTERNAL_SECRET: secret,
        CARTOGRAPH_ENCRYPTION_KEY: generateKey(),
      },
      `http://127.0.0.1:${port}/health/ready`,
    );
    await api.start();
    try {
      const graphql = createGraphqlClient({
        url: `http://127.0.0.1:${port}/graphql`,
        identity: { identity: benchIdentity, secret },
      });
      const layerSize = Math.ceil(nodes / LAYERS);
      // Deterministic picks from the middle layers (3–7), where both directions have five layers to walk.
      let seed = 12345;
      const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
      const pick = () => nodeId(3 * layerSize + 1 + Math.floor(random() * 5 * layerSize));
      const results: Record<string, { histogram: LatencyHistogram; found: number }> = {};
      for (const [direction, query] of [
        ['upstream', UPSTREAM],
        ['downstream', DOWNSTREAM],
      ] as const) {
        const histogram = new LatencyHistogram();
        let found = 0;
        for (let warm = 0; warm < 20; warm += 1) await graphql.query(query, { id: pick() });
        for (let index = 0; index < queries; index += 1) {
          const started = performance.now();
          const answer = await graphql.query<any>(query, { id: pick() });
          histogram.record(performance.now() - started);
          found += answer._entities[0][direction].length;
        }
        results[direction] = { histogram, found };
        const summary = histogram.summary();
        context.log(
          `${direction}: p50 ${summary.p50Ms.toFixed(1)} ms, p95 ${summary.p95Ms.toFixed(1)} ms, ${(found / queries).toFixed(0)} datasets per answer`,
        );
      }
      const up = results['upstream']!.histogram.summary();
      const down = results['downstream']!.histogram.summary();
      return {
        edges: info(total, 'edges'),
        upstreamP50: info(up.p50Ms, 'ms'),
        upstreamP95: atMost(up.p95Ms, 'ms', 100),
        upstreamP99: info(up.p99Ms, 'ms'),
        upstreamDatasetsPerAnswer: info(results['upstream']!.found / queries, 'datasets'),
        downstreamP50: info(down.p50Ms, 'ms'),
        downstreamP95: atMost(down.p95Ms, 'ms', 100),
        downstreamP99: info(down.p99Ms, 'ms'),
        downstreamDatasetsPerAnswer: info(results['downstream']!.found / queries, 'datasets'),
      };
    } finally {
      await api.stop();
    }
  },
};
