import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { NestFactory } from '@nestjs/core';
import pg from 'pg';
import { loadServiceConfig } from '@cartograph/platform/nest';
import { generateKey } from '@cartograph/platform/secrets';
import { initSqlLineage } from '@cartograph/sql-lineage';
import type {
  HistoryRecord,
  WarehouseConnector,
} from '@cartograph/warehouse/dist/src/modules/connectors/warehouse-connector.js';
import { WarehouseConnectionsRepository } from '@cartograph/warehouse/dist/src/modules/connections/warehouse-connections.repository.js';
import { HistoryService } from '@cartograph/warehouse/dist/src/modules/history/history.service.js';
import {
  serviceDefinition,
  type WarehouseConfig,
} from '@cartograph/warehouse/dist/src/warehouse.definition.js';
import { WarehouseWorkerModule } from '@cartograph/warehouse/dist/src/worker.module.js';
import { databaseUrl, dropDatabase, ensureDatabase, migrateService } from '../lib/database.js';
import { sampleMemoryPeak } from '../lib/process-memory.js';
import { generateQueryHistory } from '../lib/sql-history.generator.js';
import { formatNumber } from '../lib/table.js';
import { atMost, info, type Scenario, type ScenarioContext } from '../scenario.js';
import { SyncRunsRepository } from '@cartograph/platform/sync';

/*
 * One Snowflake connection's query history of 1,000,000 rows, 95 % of them repeats of earlier query shapes with
 * new literals (the generator of the sql-lineage benchmark), fed to the warehouse worker's HistoryService as a
 * connector would: fingerprinted, grouped, parsed once per shape, and applied to Postgres in batches (queries,
 * query/dataset index, usage per day and user, lineage edges, the watermark). The connector itself (the
 * warehouse's wire protocol) is not part of the measurement; its throughput is the warehouse's.
 */
export const historyIngestScenario: Scenario = {
  name: 'history-ingest',
  description:
    '1,000,000 query history rows (95 % repeats) through fingerprinting, parsing and apply into Postgres',
  options: [
    { name: 'rows', description: 'history rows', default: 1_000_000 },
    { name: 'repeat-ratio', description: 'share of rows repeating an earlier query shape', default: 0.95 },
    { name: 'batch-size', description: 'WAREHOUSE_HISTORY_BATCH_SIZE', default: 50_000 },
  ],
  async run(context: ScenarioContext) {
    const rows = context.options.number('rows', 1_000_000, { min: 1 });
    const repeatRatio = context.options.number('repeat-ratio', 0.95, { min: 0, max: 1 });
    const batchSize = context.options.number('batch-size', 50_000, { min: 100 });
    context.parameters.rows = rows;
    context.parameters.repeatRatio = repeatRatio;
    context.parameters.batchSize = batchSize;

    const name = 'cartograph_bench_history';
    await dropDatabase(name);
    await ensureDatabase(name);
    const url = databaseUrl(name);
    await migrateService(url, serviceDefinition);
    await initSqlLineage();
    const config = loadServiceConfig(serviceDefinition, {
      NODE_ENV: 'production',
      LOG_LEVEL: 'silent',
      DATABASE_URL: url,
      REDIS_URL: process.env.BENCH_REDIS_URL ?? process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
      REDIS_PREFIX: `bench:warehouse:${randomBytes(4).toString('hex')}`,
      CARTOGRAPH_INTERNAL_SECRET: randomBytes(32).toString('hex'),
      CARTOGRAPH_ENCRYPTION_KEY: generateKey(),
      WAREHOUSE_HISTORY_BATCH_SIZE: String(batchSize),
    }) as WarehouseConfig;
    const app = await NestFactory.createApplicationContext(WarehouseWorkerModule.forRoot(config), {
      logger: false,
    });
    try {
      const connections = app.get(WarehouseConnectionsRepository);
      const connection = await connections.insert(undefined, {
        name: 'bench',
        platform: 'snowflake',
        instance: 'bench.eu-central-1',
        settings: {},
        credentialsCiphertext: 'not used: the benchmark feeds history without a warehouse',
        schedule: { kind: 'manual' },
        historyLookbackHours: 8_760,
        historyOverlapMinutes: 60,
        crawlEnabled: false,
      });
      const run = await app.get(SyncRunsRepository).create(undefined, {
        connectionId: connection.id,
        state: 'running',
        trigger: 'manual',
      });
      const start = new Date(Date.now() - 30 * 86_400_000);
      const connector: WarehouseConnector = {
        check: async () => ({ ok: true, checks: [] }),
        crawl: async function* () {},
        readHistory: async function* (): AsyncGenerator<HistoryRecord> {
          for (const row of generateQueryHistory({
            rows,
            repeatRatio,
            platformWeights: {
              snowflake: 1,
              bigquery: 0,
              redshift: 0,
              databricks: 0,
              postgres: 0,
              mysql: 0,
              clickhouse: 0,
            },
            start,
          })) {
            yield {
              queryId: row.queryId,
              text: row.text,
              startedAt: row.startedAt,
              user: row.user,
              defaultDatabase: row.defaultDatabase,
              defaultSchema: row.defaultSchema,
              sessionId: row.sessionId,
            };
          }
        },
        close: async () => undefined,
      };
      const counts: Record<string, number> = {};
      const problems: { subject: string; message: string }[] = [];
      const stopSampling = sampleMemoryPeak(process.pid);
      const cpuStart = process.cpuUsage();
      const started = performance.now();
      let lastLog = started;
      const progress = setInterval(() => {
        if (performance.now() - lastLog < 5_000) return;
        lastLog = performance.now();
        context.log(`${formatNumber(counts['historyRows'] ?? 0)} rows applied…`);
      }, 1_000);
      try {
        await app.get(HistoryService).read(connection, connector, run.id, counts, problems);
      } finally {
        clearInterval(progress);
      }
      const seconds = (performance.now() - started) / 1_000;
      const cpu = process.cpuUsage(cpuStart);
      const memory = stopSampling();
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      const [tables] = (
        await client.query(
          `SELECT (SELECT count(*) FROM warehouse.warehouse_query)::int AS queries,
                  (SELECT count(*) FROM warehouse.lineage_edge)::int AS edges,
                  (SELECT count(*) FROM warehouse.dataset_usage)::int AS usage,
                  (SELECT sum(executions) FROM warehouse.warehouse_query)::bigint AS executions`,
        )
      ).rows;
      await client.end();
      context.log(
        `${formatNumber(rows)} rows in ${seconds.toFixed(1)} s: ${formatNumber(tables.queries)} query shapes, ${formatNumber(tables.edges)} edges, ${formatNumber(counts['parseErrors'] ?? 0)} statements not parsed`,
      );
      if (Number(tables.executions) !== rows) {
        throw new Error(`executions recorded ${tables.executions} != rows ${rows}`);
      }
      return {
        seconds: atMost(seconds, 's', 60),
        rowsPerSecond: info(rows / seconds, 'rows/s'),
        cpuSeconds: info((cpu.user + cpu.system) / 1e6, 's'),
        queryShapes: info(tables.queries, 'shapes'),
        parsed: info(counts['parsed'] ?? 0, 'statements'),
        parseErrors: info(counts['parseErrors'] ?? 0, 'statements'),
        edges: info(tables.edges, 'edges'),
        usageRows: info(tables.usage, 'rows'),
        peakRss: info(Math.max(memory.peakRssBytes, memory.hwmBytes) / 2 ** 20, 'MB'),
      };
    } finally {
      await app.close();
    }
  },
};
