import { ArtifactReadError } from './artifact-read.error.js';
import { readArtifact } from './artifact.reader.js';
import type { ArtifactRecord, ReadArtifactOptions } from './artifact.types.js';
import type { DbtMetric, DbtNode, DbtSource, DbtTest } from './manifest.types.js';
import {
  artifactBytes,
  buildCatalog,
  buildManifest,
  buildRunResults,
  buildSemanticManifest,
  buildSources,
  chunked,
  jaffleShopIds,
  MANIFEST_SCHEMA_VERSIONS,
  RUN_RESULTS_SCHEMA_VERSIONS,
  SOURCES_SCHEMA_VERSIONS,
  splitBytes,
} from './testing/index.js';

type Json = Record<string, any>;

async function readAll(
  value: unknown,
  options: ReadArtifactOptions = {},
  chunking: Parameters<typeof chunked>[1] = { chunkSize: 4096 },
): Promise<ArtifactRecord[]> {
  const records: ArtifactRecord[] = [];
  for await (const record of readArtifact(chunked(value, chunking), options)) records.push(record);
  return records;
}

async function readError(value: unknown, options: ReadArtifactOptions = {}): Promise<ArtifactReadError> {
  try {
    await readAll(value, options);
  } catch (error) {
    if (error instanceof ArtifactReadError) return error;
    throw error;
  }
  throw new Error('expected an ArtifactReadError');
}

function ofType<T extends ArtifactRecord['type']>(
  records: ArtifactRecord[],
  type: T,
): Extract<ArtifactRecord, { type: T }>[] {
  return records.filter((record): record is Extract<ArtifactRecord, { type: T }> => record.type === type);
}

const nodesOf = (records: ArtifactRecord[]): DbtNode[] =>
  ofType(records, 'node').map((record) => record.node);
const testsOf = (records: ArtifactRecord[]): DbtTest[] =>
  ofType(records, 'test').map((record) => record.test);
const sourcesOf = (records: ArtifactRecord[]): DbtSource[] =>
  ofType(records, 'source').map((record) => record.source);
const metricsOf = (records: ArtifactRecord[]): DbtMetric[] =>
  ofType(records, 'metric').map((record) => record.metric);
const warningsOf = (records: ArtifactRecord[]): string[] =>
  ofType(records, 'warning').map((record) => record.warning);

describe('readArtifact: manifest.json of every schema version', () => {
  describe.each(MANIFEST_SCHEMA_VERSIONS.map((version) => [version]))('v%i', (version) => {
    let records: ArtifactRecord[];
    const ids = jaffleShopIds(version);
    beforeAll(async () => {
      records = await readAll(buildManifest(version), {
        expectedKind: 'manifest',
        fileName: 'manifest.json',
      });
    });

    it('starts with the header and ends with the manifest summary', () => {
      expect(records[0]).toMatchObject({
        type: 'header',
        header: {
          kind: 'manifest',
          schemaVersion: version,
          schemaUrl: `https://schemas.getdbt.com/dbt/manifest/v${version}.json`,
          adapterType: 'postgres',
          projectName: version >= 10 ? 'jaffle_shop' : null,
        },
      });
      expect(records.at(-1)).toEqual({
        type: 'manifest_summary',
        summary: expect.objectContaining({ disabledNodes: 1 }),
      });
      expect(warningsOf(records)).toEqual([]);
    });

    it('reads models and the seed, with code under either spelling', () => {
      const nodes = nodesOf(records);
      expect(nodes.map((node) => node.uniqueId).sort()).toEqual([...ids.models, ids.seed].sort());
      const stgOrders = nodes.find((node) => node.name === 'stg_orders')!;
      expect(stgOrders.rawCode).toContain("{{ source('ecom', 'raw_orders') }}");
      expect(stgOrders.language).toBe(version >= 7 ? 'sql' : null);
      expect(stgOrders.materialized).toBe('view');
      expect(stgOrders.dependsOn).toEqual(['source.jaffle_shop.ecom.raw_orders']);
      expect(stgOrders.dependsOnMacros).toEqual(['macro.jaffle_shop.cents_to_dollars']);
      expect(stgOrders.columns.map((column) => column.name)).toEqual([
        'order_id',
        'customer_id',
        'ordered_at',
        'status',
        'order_total',
      ]);
      expect(stgOrders.columns[0]!.description).toBe('The unique key for each order.');
      expect(stgOrders.relationName).toBe(version >= 8 ? '"analytics"."dbt_prod"."stg_orders"' : null);
      const customers = nodes.find((node) => node.name === 'customers')!;
      expect(customers.dependsOn).toEqual(['model.jaffle_shop.stg_customers', 'model.jaffle_shop.orders']);
      expect(customers.access).toBe(version >= 9 ? 'public' : null);
      expect(customers.group).toBe(version >= 9 ? 'finance' : null);
      expect(customers.primaryKey).toEqual(version >= 12 ? ['customer_id'] : []);
      const orders = nodes.find((node) => node.name === 'orders')!;
      expect(orders.contractEnforced).toBe(version >= 9);
      expect(orders.isExternal).toBe(false);
    });

    it('reads generic and singular tests and finds the tested node', () => {
      const tests = testsOf(records);
      expect(tests.map((test) => test.uniqueId).sort()).toEqual([...ids.tests].sort());
      expect(tests.filter((test) => test.testKind === 'singular')).toHaveLength(1);
      const relationships = tests.find((test) => test.testName === 'relationships')!;
      // depends on stg_customers (the `to`) and orders: the tested one comes from kwargs.model before v9.
      expect(relationships.dependsOn).toHaveLength(2);
      expect(relationships.attachedNodeId).toBe('model.jaffle_shop.orders');
      expect(relationships.columnName).toBe('customer_id');
      expect(relationships.kwargs).toMatchObject({ to: "ref('stg_customers')", field: 'customer_id' });
      expect(relationships.severity).toBe('error');
      const sourceTest = tests.find((test) => test.name === 'source_not_null_ecom_raw_customers_id')!;
      expect(sourceTest.attachedNodeId).toBe('source.jaffle_shop.ecom.raw_customers');
      const singular = tests.find((test) => test.testKind === 'singular')!;
      expect(singular).toMatchObject({
        testName: null,
        columnName: null,
        attachedNodeId: 'model.jaffle_shop.orders',
        originalFilePath: 'tests/assert_order_total_is_positive.sql',
      });
      expect(singular.rawCode).toContain("ref('orders')");
      const accepted = tests.find((test) => test.testName === 'accepted_values')!;
      expect(accepted.kwargs.values).toEqual([
        'placed',
        'shipped',
        'completed',
        'return_pending',
        'returned',
      ]);
    });

    it('reads sources with freshness and documented columns', () => {
      const sources = sourcesOf(records);
      expect(sources.map((source) => source.uniqueId)).toEqual(ids.sources);
      expect(sources[1]).toMatchObject({
        sourceName: 'ecom',
        name: 'raw_orders',
        identifier: 'raw_orders',
        database: 'analytics',
        schema: 'raw',
        loader: 'fivetran',
        loadedAtField: '_loaded_at',
        freshness: {
          warnAfter: { count: 12, period: 'hour' },
          errorAfter: { count: 24, period: 'hour' },
          filter: null,
        },
        sourceDescription: 'E-commerce data for the Jaffle Shop',
      });
      expect(sources[1]!.columns.map((column) => column.name)).toEqual([
        'id',
        'customer',
        'ordered_at',
        'status',
        'order_total',
      ]);
    });

    it('reads the exposure', () => {
      const [exposure] = ofType(records, 'exposure');
      expect(exposure!.exposure).toMatchObject({
        uniqueId: 'exposure.jaffle_shop.weekly_kpis',
        type: 'dashboard',
        maturity: 'high',
        owner: { name: 'Data team', email: ['data@jaffle.shop'] },
        dependsOn: ['model.jaffle_shop.customers', 'model.jaffle_shop.orders'],
      });
    });

    it("reads metrics in the version's era", () => {
      const metrics = metricsOf(records);
      if (version < 4) {
        expect(metrics).toEqual([]);
        return;
      }
      const orderCount = metrics.find((metric) => metric.name === 'order_count')!;
      if (version <= 6) {
        expect(orderCount).toMatchObject({
          style: 'legacy',
          calculation: 'count',
          expression: 'order_id',
          modelName: 'orders',
        });
        expect(orderCount.definition).toMatchObject({
          type: 'count',
          sql: 'order_id',
          timestamp: 'ordered_at',
        });
      } else if (version <= 9) {
        expect(orderCount).toMatchObject({
          style: 'calculation_method',
          calculation: 'count',
          expression: 'order_id',
          modelName: 'orders',
        });
      } else {
        expect(orderCount).toMatchObject({
          style: 'metricflow',
          calculation: 'simple',
          inputMeasures: ['order_count'],
          dependsOn: ['semantic_model.jaffle_shop.orders'],
        });
        const ratio = metrics.find((metric) => metric.name === 'average_order_value')!;
        expect(ratio.calculation).toBe('ratio');
        expect(ratio.inputMeasures).toEqual(['order_total', 'order_count']);
      }
    });

    it('reads docs, groups, semantic models, saved queries and unit tests where the version has them', () => {
      expect(ofType(records, 'doc').map((record) => record.doc.uniqueId)).toEqual([
        'doc.jaffle_shop.order_status',
        'doc.dbt.__overview__',
      ]);
      expect(ofType(records, 'group')).toHaveLength(version >= 9 ? 1 : 0);
      expect(ofType(records, 'semantic_model')).toHaveLength(version >= 10 ? 1 : 0);
      expect(ofType(records, 'saved_query')).toHaveLength(version >= 11 ? 1 : 0);
      expect(ofType(records, 'unit_test')).toHaveLength(version >= 12 ? 1 : 0);
    });
  });

  it('reads a v12 manifest with semantic models, saved queries, unit tests and groups', async () => {
    const records = await readAll(buildManifest(12));
    const [semanticModel] = ofType(records, 'semantic_model');
    expect(semanticModel!.semanticModel).toMatchObject({
      uniqueId: 'semantic_model.jaffle_shop.orders',
      modelName: 'orders',
      nodeRelation: { alias: 'orders', schemaName: 'dbt_prod', database: 'analytics' },
      defaultAggTimeDimension: 'ordered_at',
      dependsOn: ['model.jaffle_shop.orders'],
    });
    expect(
      semanticModel!.semanticModel.entities.map((entity) => [entity.name, entity.type, entity.expr]),
    ).toEqual([
      ['order', 'primary', 'order_id'],
      ['customer', 'foreign', 'customer_id'],
    ]);
    expect(semanticModel!.semanticModel.dimensions[0]).toMatchObject({
      name: 'ordered_at',
      type: 'time',
      timeGranularity: 'day',
    });
    expect(semanticModel!.semanticModel.measures.map((measure) => [measure.name, measure.agg])).toEqual([
      ['order_count', 'sum'],
      ['order_total', 'sum'],
    ]);
    const [savedQuery] = ofType(records, 'saved_query');
    expect(savedQuery!.savedQuery).toMatchObject({
      metrics: ['order_count', 'order_total'],
      groupBy: ["TimeDimension('metric_time', 'day')", "Dimension('order__status')"],
      where: ["{{ Dimension('order__status') }} != 'returned'"],
      exports: [{ name: 'order_metrics', exportAs: 'table', schema: 'dbt_prod', alias: 'order_metrics' }],
    });
    const [unitTest] = ofType(records, 'unit_test');
    expect(unitTest!.unitTest).toMatchObject({
      uniqueId: 'unit_test.jaffle_shop.customers.test_lifetime_spend_sums_orders',
      modelName: 'customers',
      modelUniqueId: 'model.jaffle_shop.customers',
      description: 'Lifetime spend is the sum of the order totals.',
    });
    expect(unitTest!.unitTest.given).toHaveLength(2);
    expect(unitTest!.unitTest.expect).toMatchObject({ rows: [{ customer_id: 1, lifetime_spend: 15.5 }] });
    const [group] = ofType(records, 'group');
    expect(group!.group).toMatchObject({
      name: 'finance',
      owner: { name: 'Finance', email: ['finance@jaffle.shop'] },
      description: 'Owns the customer marts.',
    });
  });

  it('reads cross-project (mesh) nodes as external', async () => {
    for (const version of [4, 9, 12]) {
      const records = await readAll(buildManifest(version, { crossProject: true }));
      const external = nodesOf(records).find((node) => node.packageName === 'platform_core')!;
      expect(external).toMatchObject({
        uniqueId: 'model.platform_core.dim_dates',
        rawCode: '',
        originalFilePath: '',
        isExternal: true,
      });
      expect(nodesOf(records).find((node) => node.name === 'orders')!.dependsOn).toContain(
        'model.platform_core.dim_dates',
      );
      expect(nodesOf(records).filter((node) => node.isExternal)).toHaveLength(1);
    }
  });

  it('reads versioned models with their aliases and latest version', async () => {
    const records = await readAll(buildManifest(12, { versionedModel: true }));
    const customers = nodesOf(records).filter((node) => node.name === 'customers');
    expect(customers.map((node) => [node.uniqueId, node.alias, node.version, node.latestVersion])).toEqual([
      ['model.jaffle_shop.customers.v1', 'customers_v1', 1, 2],
      ['model.jaffle_shop.customers.v2', 'customers_v2', 2, 2],
    ]);
    const tests = testsOf(records).filter((test) => test.name.startsWith('unique_customers'));
    expect(tests.map((test) => test.attachedNodeId).sort()).toEqual([
      'model.jaffle_shop.customers.v1',
      'model.jaffle_shop.customers.v2',
    ]);
    expect(ofType(records, 'unit_test')[0]!.unitTest.modelUniqueId).toBe('model.jaffle_shop.customers.v2');
    expect(nodesOf(records).find((node) => node.name === 'orders')!.dependsOn).not.toContain(
      'model.jaffle_shop.customers',
    );
  });

  it('derives the attachment of a test on a versioned model from kwargs before attached_node existed', async () => {
    const manifest = buildManifest(9, { versionedModel: true }) as Json;
    for (const node of Object.values(manifest.nodes) as Json[]) delete node.attached_node;
    const tests = testsOf(await readAll(manifest)).filter((test) => test.name.startsWith('unique_customers'));
    expect(tests.map((test) => test.attachedNodeId).sort()).toEqual([
      'model.jaffle_shop.customers.v1',
      'model.jaffle_shop.customers.v2',
    ]);
  });

  it('reads ephemeral models without a relation', async () => {
    const records = await readAll(buildManifest(12, { ephemeralModel: true }));
    const ephemeral = nodesOf(records).find((node) => node.name === 'int_order_totals')!;
    expect(ephemeral).toMatchObject({ materialized: 'ephemeral', relationName: null });
  });

  it('lists the exposure owner emails when written as a list', async () => {
    const records = await readAll(
      buildManifest(12, { exposureOwnerEmails: ['a@jaffle.shop', 'b@jaffle.shop'] }),
    );
    expect(ofType(records, 'exposure')[0]!.exposure.owner.email).toEqual(['a@jaffle.shop', 'b@jaffle.shop']);
  });

  it('reads the header fields of a dbt Cloud manifest', async () => {
    const records = await readAll(
      buildManifest(12, {
        dbtVersion: '2025.10.10+79ec687',
        env: { DBT_CLOUD_RUN_ID: '70403103', DBT_CLOUD_JOB_ID: '42', DBT_CLOUD_PROJECT_ID: '7' },
        quoting: { identifier: false },
      }),
    );
    expect(records[0]).toEqual({
      type: 'header',
      header: {
        kind: 'manifest',
        schemaVersion: 12,
        schemaUrl: 'https://schemas.getdbt.com/dbt/manifest/v12.json',
        dbtVersion: '2025.10.10+79ec687',
        generatedAt: '2026-03-12T05:47:33.531072Z',
        invocationId: '6a2f0d3c-8a4b-4f1e-9d2c-1b7e5f3a9c01',
        invocationStartedAt: '2026-03-12T05:47:33.531072Z',
        env: { DBT_CLOUD_RUN_ID: '70403103', DBT_CLOUD_JOB_ID: '42', DBT_CLOUD_PROJECT_ID: '7' },
        adapterType: 'postgres',
        projectName: 'jaffle_shop',
        projectId: '06e5b98c2db46f8a72cc4f66410e9b3b',
        quoting: { identifier: false },
        extra: {
          user_id: null,
          send_anonymous_usage_stats: false,
          run_started_at: '2026-03-12T05:47:33.531072+00:00',
        },
      },
    });
  });

  it('counts disabled nodes in both shapes without emitting them', async () => {
    for (const version of [3, 4]) {
      const records = await readAll(buildManifest(version));
      expect(ofType(records, 'manifest_summary')[0]!.summary.disabledNodes).toBe(1);
      expect(nodesOf(records).some((node) => node.name === 'legacy_orders')).toBe(false);
    }
  });
});

describe('readArtifact: catalog.json', () => {
  it('reads tables with normalised types, columns in order and adapter stats', async () => {
    const records = await readAll(buildCatalog({ adapterType: 'snowflake', upperCase: true }), {
      expectedKind: 'catalog',
    });
    expect(records[0]).toMatchObject({ type: 'header', header: { kind: 'catalog', schemaVersion: 1 } });
    const tables = ofType(records, 'catalog_table').map((record) => record.table);
    expect(tables).toHaveLength(7);
    const orders = tables.find((table) => table.uniqueId === 'model.jaffle_shop.orders')!;
    expect(orders).toMatchObject({
      resourceKind: 'node',
      tableType: 'table',
      database: 'ANALYTICS',
      schema: 'DBT_PROD',
      name: 'ORDERS',
      owner: 'TRANSFORMER',
      stats: { rowCount: 1000, bytes: 512000, lastModified: '2026-03-12T05:40:00Z' },
    });
    expect(orders.columns.map((column) => [column.name, column.type, column.index])).toEqual([
      ['ORDER_ID', 'NUMBER', 1],
      ['CUSTOMER_ID', 'NUMBER', 2],
      ['ORDERED_AT', 'TIMESTAMP_NTZ', 3],
      ['STATUS', 'TEXT', 4],
      ['ORDER_TOTAL', 'NUMBER', 5],
    ]);
    expect(orders.stats.raw).toMatchObject({ row_count: 1000, has_stats: true });
    const view = tables.find((table) => table.uniqueId === 'model.jaffle_shop.stg_orders')!;
    expect(view).toMatchObject({ tableType: 'view', stats: { rowCount: null, bytes: null } });
    const source = tables.find((table) => table.uniqueId === 'source.jaffle_shop.ecom.raw_orders')!;
    expect(source.resourceKind).toBe('source');
    expect(source.columns.at(-1)!.name).toBe('_LOADED_AT');
  });

  it('reads BigQuery and Redshift stats', async () => {
    const bigquery = ofType(await readAll(buildCatalog({ adapterType: 'bigquery' })), 'catalog_table');
    expect(bigquery.find((record) => record.table.name === 'orders')!.table).toMatchObject({
      tableType: 'table',
      stats: { rowCount: 1000, bytes: 512000, lastModified: null },
    });
    const redshift = ofType(await readAll(buildCatalog({ adapterType: 'redshift' })), 'catalog_table');
    expect(redshift.find((record) => record.table.name === 'orders')!.table.stats).toMatchObject({
      rowCount: 1000,
      bytes: 2 * 1024 * 1024,
    });
  });

  it('turns catalog errors into warnings', async () => {
    const records = await readAll(
      buildCatalog({ errors: ['Database Error: permission denied for schema raw'] }),
    );
    expect(warningsOf(records)).toEqual(['catalog error: Database Error: permission denied for schema raw']);
  });
});

describe('readArtifact: run_results.json of every schema version', () => {
  describe.each(RUN_RESULTS_SCHEMA_VERSIONS.map((version) => [version]))('v%i', (version) => {
    let records: ArtifactRecord[];
    beforeAll(async () => {
      records = await readAll(
        buildRunResults(version, {
          failingTest: { name: 'not_null_orders_order_id', failures: 3 },
        }),
        { expectedKind: 'run_results' },
      );
    });

    it('reads every result with lower-cased status, timing and adapter response', () => {
      expect(records[0]).toMatchObject({
        type: 'header',
        header: { kind: 'run_results', schemaVersion: version },
      });
      const results = ofType(records, 'run_result').map((record) => record.result);
      expect(results).toHaveLength(version >= 6 ? 15 : 14);
      const orders = results.find((result) => result.uniqueId === 'model.jaffle_shop.orders')!;
      expect(orders).toMatchObject({
        resourceType: 'model',
        status: 'success',
        message: 'SELECT 1000',
        rowsAffected: 1000,
        failures: null,
        threadId: version >= 6 ? 'Thread-1 (worker)' : 'Thread-1',
        relationName: version >= 5 ? '"analytics"."dbt_prod"."orders"' : null,
      });
      expect(orders.startedAt).toMatch(/^2026-03-12T/);
      expect(orders.completedAt! > orders.startedAt!).toBe(true);
      expect(orders.compileStartedAt! < orders.startedAt!).toBe(true);
      expect(orders.compiledCode === null).toBe(version < 5);
      const view = results.find((result) => result.uniqueId === 'model.jaffle_shop.stg_orders')!;
      expect(view.rowsAffected).toBe(-1);
      const failing = results.find((result) =>
        result.uniqueId.startsWith('test.jaffle_shop.not_null_orders_order_id'),
      )!;
      expect(failing).toMatchObject({
        resourceType: 'test',
        status: 'fail',
        failures: version >= 2 ? 3 : null,
        message: 'Got 3 results, configured to fail if != 0',
      });
      const passing = results.filter((result) => result.resourceType === 'test' && result.status === 'pass');
      expect(passing).toHaveLength(8);
      if (version >= 6) {
        expect(results.find((result) => result.resourceType === 'unit_test')!.status).toBe('pass');
      }
    });

    it('ends with the run summary read from the trailing args', () => {
      expect(records.at(-1)).toEqual({
        type: 'run_summary',
        summary: {
          which: 'build',
          elapsedTime: 12.5,
          invocationCommand: version >= 4 ? 'dbt build' : null,
          args: expect.objectContaining({ which: 'build' }),
        },
      });
    });
  });

  it('tells a docs generate step from the build next to it', async () => {
    const build = await readAll(buildRunResults(6, { which: 'build' }));
    const generate = await readAll(buildRunResults(6, { which: 'generate' }));
    expect(ofType(build, 'run_summary')[0]!.summary.which).toBe('build');
    const summary = ofType(generate, 'run_summary')[0]!.summary;
    expect(summary).toMatchObject({ which: 'generate', invocationCommand: 'dbt docs generate' });
    const results = ofType(generate, 'run_result').map((record) => record.result);
    expect(new Set(results.map((result) => result.status))).toEqual(new Set(['success']));
    expect(results.every((result) => result.message === null)).toBe(true);
  });

  it('reads statuses it has never seen as open strings', async () => {
    const runResults = buildRunResults(6) as Json;
    runResults.results[0].status = 'Reused';
    runResults.results[1].status = 'partial success';
    runResults.results[2].status = 'no-op';
    const statuses = ofType(await readAll(runResults), 'run_result').map((record) => record.result.status);
    expect(statuses.slice(0, 3)).toEqual(['reused', 'partial success', 'no-op']);
  });

  it('falls back to the compile timing and to null without timing', async () => {
    const runResults = buildRunResults(6) as Json;
    runResults.results[0].timing = [runResults.results[0].timing[0]];
    runResults.results[1].timing = [];
    const [first, second] = ofType(await readAll(runResults), 'run_result').map((record) => record.result);
    expect(first!.startedAt).toBe(first!.compileStartedAt);
    expect(second!.startedAt).toBeNull();
  });
});

describe('readArtifact: sources.json of every schema version', () => {
  it.each(SOURCES_SCHEMA_VERSIONS.map((version) => [version]))('v%i', async (version) => {
    const records = await readAll(buildSources(version), { expectedKind: 'sources' });
    expect(records[0]).toMatchObject({ type: 'header', header: { kind: 'sources', schemaVersion: version } });
    const results = ofType(records, 'freshness_result').map((record) => record.result);
    expect(results.map((result) => [result.uniqueId, result.status, result.ageSeconds])).toEqual([
      ['source.jaffle_shop.ecom.raw_customers', 'pass', 3600],
      ['source.jaffle_shop.ecom.raw_orders', 'warn', 46800],
    ]);
    expect(results[1]).toMatchObject({
      maxLoadedAt: '2026-03-11T17:00:00.000000+00:00',
      snapshottedAt: '2026-03-12T06:00:00.000000+00:00',
      criteria: { warnAfter: { count: 12, period: 'hour' }, errorAfter: { count: 24, period: 'hour' } },
      error: null,
    });
    expect(ofType(records, 'run_summary')).toEqual([]);
  });

  it('reads an empty source (max_loaded_at 0001-01-01) as no load time', async () => {
    const records = await readAll(buildSources(3, { emptySource: true }));
    const empty = ofType(records, 'freshness_result')[0]!.result;
    expect(empty).toMatchObject({ status: 'error', maxLoadedAt: null, ageSeconds: null });
  });

  it("lower-cases Fusion's capitalised statuses", async () => {
    const records = await readAll(buildSources(3, { fusion: true }));
    expect(ofType(records, 'freshness_result').map((record) => record.result.status)).toEqual([
      'pass',
      'warn',
    ]);
    expect(records[0]).toMatchObject({ header: { dbtVersion: '2.0.0-preview.45' } });
  });

  it('reads the runtime-error shape', async () => {
    const records = await readAll(buildSources(3, { runtimeError: true }));
    expect(ofType(records, 'freshness_result')[1]!.result).toMatchObject({
      status: 'runtime error',
      error: 'Database Error in source raw_orders: column "_loaded_at" does not exist',
      maxLoadedAt: null,
      criteria: { warnAfter: null, errorAfter: null, filter: null },
    });
  });
});

describe('readArtifact: semantic_manifest.json', () => {
  it('recognises it by its lists and reads models, metrics and saved queries without ids', async () => {
    const records = await readAll(buildSemanticManifest(), { expectedKind: 'semantic_manifest' });
    expect(records[0]).toMatchObject({
      type: 'header',
      header: { kind: 'semantic_manifest', schemaVersion: null },
    });
    const [model] = ofType(records, 'semantic_model');
    expect(model!.semanticModel).toMatchObject({ uniqueId: null, name: 'orders', modelName: null });
    expect(model!.semanticModel.nodeRelation).toMatchObject({ alias: 'orders', schemaName: 'dbt_prod' });
    expect(metricsOf(records).map((metric) => [metric.uniqueId, metric.name, metric.style])).toEqual([
      [null, 'order_count', 'metricflow'],
      [null, 'order_total', 'metricflow'],
    ]);
    expect(ofType(records, 'saved_query')[0]!.savedQuery.name).toBe('order_metrics');
    expect(warningsOf(records)).toEqual([]);
  });

  it('is not taken for a manifest', async () => {
    const error = await readError(buildSemanticManifest(), {
      expectedKind: 'manifest',
      fileName: 'semantic_manifest.json',
    });
    expect(error.message).toMatch(/^semantic_manifest.json was uploaded as manifest: it has no metadata/);
  });
});

describe('readArtifact: errors and leniency', () => {
  it('names the file and the byte offset of truncated JSON', async () => {
    const bytes = artifactBytes(buildManifest(12));
    for (const length of [0, 1, 200, Math.floor(bytes.length / 2), bytes.length - 1]) {
      const error = await readError(bytes.subarray(0, length), { fileName: 'manifest.json' });
      expect(error.fileName).toBe('manifest.json');
      if (length === 0) {
        expect(error.message).toBe('manifest.json is not valid JSON: the input is empty at byte offset 0');
      } else {
        expect(error.message).toMatch(
          new RegExp(
            `^manifest.json is not valid JSON: unexpected end of input \\(the file is truncated\\) at byte offset ${length}`,
          ),
        );
      }
      expect(error.offset).toBe(length);
    }
  });

  it('says in which entry a truncated file ends', async () => {
    const text = JSON.stringify(buildManifest(12));
    const cut = text.indexOf('"model.jaffle_shop.orders":') + 100;
    const error = await readError(text.slice(0, cut), { fileName: 'manifest.json' });
    expect(error.path).toBe('nodes["model.jaffle_shop.orders"]');
    expect(error.message).toContain('(in nodes["model.jaffle_shop.orders"])');
  });

  it('names the byte offset of invalid JSON inside an entry', async () => {
    const text = JSON.stringify(buildManifest(12)).replace('"materialized":"table"', '"materialized":tabel');
    const error = await readError(text, { fileName: 'manifest.json' });
    // `t` could still begin `true`: the error is at the `a` of `tabel`, one byte after the `t`.
    const expectedOffset = new TextEncoder().encode(text.slice(0, text.indexOf('tabel') + 1)).length;
    expect(error.offset).toBe(expectedOffset);
    expect(error.message).toMatch(
      /^manifest.json is not valid JSON: .* at byte offset \d+ \(in nodes\["model\.jaffle_shop\./,
    );
  });

  it('refuses a catalog uploaded as manifest with a clear message', async () => {
    const error = await readError(buildCatalog(), { expectedKind: 'manifest', fileName: 'catalog.json' });
    expect(error.message).toBe(
      'catalog.json was uploaded as manifest: its dbt_schema_version is https://schemas.getdbt.com/dbt/catalog/v1.json',
    );
    expect(error.fileName).toBe('catalog.json');
  });

  it('emits nothing before refusing a wrong kind', async () => {
    const seen: ArtifactRecord[] = [];
    await expect(async () => {
      for await (const record of readArtifact(chunked(buildRunResults(6)), { expectedKind: 'sources' })) {
        seen.push(record);
      }
    }).rejects.toThrow(
      'the artifact was uploaded as sources: its dbt_schema_version is https://schemas.getdbt.com/dbt/run-results/v6.json',
    );
    expect(seen).toEqual([]);
  });

  it.each([
    [{ nodes: {} }, 'x.json is not a dbt artifact: it has no metadata.dbt_schema_version'],
    [
      { metadata: { dbt_version: '1.8.0' } },
      'x.json is not a dbt artifact: it has no metadata.dbt_schema_version',
    ],
    [{ metadata: 'v12' }, 'x.json is not a dbt artifact: "metadata" is not an object'],
    [
      { metadata: { dbt_schema_version: 'https://schemas.getdbt.com/dbt/graph-summary/v1.json' } },
      'x.json is not a dbt artifact this reader knows (manifest, catalog, run_results, sources, semantic_manifest): its dbt_schema_version is https://schemas.getdbt.com/dbt/graph-summary/v1.json',
    ],
    [[1, 2], 'x.json is not valid JSON: expected a JSON object, found "[" at byte offset 0'],
  ])('refuses what is not a dbt artifact: %j', async (value, message) => {
    expect((await readError(value, { fileName: 'x.json' })).message).toBe(message);
  });

  it('reads an unknown future version leniently, with a warning', async () => {
    const manifest = buildManifest(12) as Json;
    manifest.metadata.dbt_schema_version = 'https://schemas.getdbt.com/dbt/manifest/v13.json';
    manifest.nodes['model.jaffle_shop.orders'].brand_new_field = { added: 'in v13' };
    manifest.brand_new_section = { 'thing.a.b': { name: 'b' } };
    const records = await readAll(manifest, { expectedKind: 'manifest' });
    expect(records[1]).toEqual({
      type: 'warning',
      warning:
        'manifest schema v13 is newer than the newest this reader knows (v12); it is read leniently and fields it does not know are kept in "extra"',
    });
    expect(nodesOf(records).find((node) => node.name === 'orders')!.extra.brand_new_field).toEqual({
      added: 'in v13',
    });
    expect(testsOf(records)).toHaveLength(9);

    const runResults = buildRunResults(6) as Json;
    runResults.metadata.dbt_schema_version = 'https://schemas.getdbt.com/dbt/run-results/v7.json';
    const runRecords = await readAll(runResults);
    expect(warningsOf(runRecords)).toEqual([expect.stringMatching(/^run_results schema v7 is newer/)]);
    expect(ofType(runRecords, 'run_result')).toHaveLength(15);
  });

  it('skips a lone malformed entry with a warning and reads the rest', async () => {
    const manifest = buildManifest(12) as Json;
    manifest.nodes['model.jaffle_shop.broken'] = 42;
    manifest.sources['source.jaffle_shop.ecom.null'] = null;
    const records = await readAll(manifest);
    expect(warningsOf(records)).toEqual([
      'nodes["model.jaffle_shop.broken"] is not an object (found number); skipped',
      'sources["source.jaffle_shop.ecom.null"] is not an object (found null); skipped',
    ]);
    expect(nodesOf(records)).toHaveLength(5);
    expect(sourcesOf(records)).toHaveLength(2);

    const runResults = buildRunResults(6) as Json;
    runResults.results.splice(1, 0, 'oops');
    const runRecords = await readAll(runResults);
    expect(warningsOf(runRecords)).toEqual(['results[1] is not an object (found string); skipped']);
  });

  it('does not depend on metadata coming first', async () => {
    const manifest = buildManifest(12, { crossProject: true }) as Json;
    const { metadata, ...rest } = manifest;
    const metadataLast = await readAll({ ...rest, metadata });
    expect(metadataLast).toEqual(await readAll(manifest));

    const runResults = buildRunResults(6) as Json;
    const { metadata: runMetadata, ...runRest } = runResults;
    expect(await readAll({ ...runRest, metadata: runMetadata }, { expectedKind: 'run_results' })).toEqual(
      await readAll(runResults),
    );
  });

  it('keeps unknown fields of every entry in extra and drops the bulky known ones', async () => {
    const manifest = buildManifest(12) as Json;
    manifest.nodes['model.jaffle_shop.orders'].columns.order_id.pii = true;
    manifest.sources['source.jaffle_shop.ecom.raw_orders'].owner_team = 'ingest';
    manifest.exposures['exposure.jaffle_shop.weekly_kpis'].sla = '1h';
    const records = await readAll(manifest);
    const orders = nodesOf(records).find((node) => node.name === 'orders')!;
    expect(orders.columns[0]!.extra).toMatchObject({ pii: true, granularity: null });
    expect(orders.extra).toMatchObject({
      docs: { show: true, node_color: null },
      constraints: [],
      time_spine: null,
    });
    for (const dropped of ['refs', 'sources', 'unrendered_config', 'raw_code', 'depends_on', 'columns']) {
      expect(orders.extra).not.toHaveProperty(dropped);
    }
    expect(sourcesOf(records)[1]!.extra).toMatchObject({ owner_team: 'ingest' });
    expect(ofType(records, 'exposure')[0]!.exposure.extra).toMatchObject({ sla: '1h' });

    const runResults = buildRunResults(6) as Json;
    runResults.results[0].static_analysis_off_reason = 'jinja';
    expect(ofType(await readAll(runResults), 'run_result')[0]!.result.extra).toEqual({
      compiled: true,
      static_analysis_off_reason: 'jinja',
    });
    const catalog = buildCatalog() as Json;
    catalog.nodes['model.jaffle_shop.orders'].tags = ['x'];
    const table = ofType(await readAll(catalog), 'catalog_table').find(
      (record) => record.table.uniqueId === 'model.jaffle_shop.orders',
    )!;
    expect(table.table.extra).toEqual({ tags: ['x'] });
  });

  it('reads raw_sql and raw_code, refs in both shapes, whatever the version says', async () => {
    const manifest = buildManifest(12) as Json;
    const orders = manifest.nodes['model.jaffle_shop.orders'];
    orders.raw_sql = orders.raw_code;
    delete orders.raw_code;
    orders.compiled_sql = 'select 1';
    orders.refs = [['stg_orders']];
    const node = nodesOf(await readAll(manifest)).find((entry) => entry.name === 'orders')!;
    expect(node.rawCode).toBe("select * from {{ ref('stg_orders') }}");
    expect(node.compiledCode).toBe('select 1');
  });
});

describe('readArtifact: chunk boundaries', () => {
  it('gives identical records for a small file split at every byte position', async () => {
    const bytes = artifactBytes(buildSources(3, { emptySource: true }));
    const expected = await readAll(bytes, {}, { splitAt: [] });
    for (let position = 1; position < bytes.length; position += 1) {
      expect(await readAll(bytes, {}, { splitAt: [position] })).toEqual(expected);
    }
  });

  it('gives identical records for a manifest in random chunk sizes', async () => {
    const bytes = artifactBytes(
      buildManifest(12, { crossProject: true, versionedModel: true, ephemeralModel: true }),
    );
    const expected = await readAll(bytes, {}, { splitAt: [] });
    for (const seed of [1, 7, 42, 1234, 99_999]) {
      expect(await readAll(bytes, {}, { randomSeed: seed, maximumChunk: 97 })).toEqual(expected);
    }
    expect(splitBytes(bytes, { randomSeed: 7, maximumChunk: 97 }).length).toBeGreaterThan(100);
  });

  it('gives identical records for one-byte chunks of a run_results file', async () => {
    const bytes = artifactBytes(buildRunResults(6, { which: 'generate' }));
    expect(await readAll(bytes, {}, { chunkSize: 1 })).toEqual(await readAll(bytes, {}, { splitAt: [] }));
  });
});
