import { datasetIdFromQualifiedName } from '@cartograph/catalog-model';
import { readArtifact } from './artifact.reader.js';
import type { ArtifactRecord } from './artifact.types.js';
import { catalogKey, catalogKeyOf, datasetForCatalogTable, datasetForResource } from './dataset.mapping.js';
import type { DbtNode, DbtSource } from './manifest.types.js';
import type { CatalogTable } from './results.types.js';
import { buildCatalog, buildManifest, chunked, type JaffleShopOptions } from './testing/index.js';

async function readAll(value: unknown): Promise<ArtifactRecord[]> {
  const records: ArtifactRecord[] = [];
  for await (const record of readArtifact(chunked(value))) records.push(record);
  return records;
}

async function project(options: JaffleShopOptions & { upperCase?: boolean } = {}) {
  const manifest = await readAll(buildManifest(12, options));
  const catalog = await readAll(buildCatalog(options));
  const nodes = manifest.flatMap((record) => (record.type === 'node' ? [record.node] : []));
  const sources = manifest.flatMap((record) => (record.type === 'source' ? [record.source] : []));
  const tests = manifest.flatMap((record) => (record.type === 'test' ? [record.test] : []));
  const tables = catalog.flatMap((record) => (record.type === 'catalog_table' ? [record.table] : []));
  const header = manifest[0]!.type === 'header' ? manifest[0]!.header : null;
  const node = (name: string): DbtNode => nodes.find((entry) => entry.name === name)!;
  const table = (uniqueId: string): CatalogTable => tables.find((entry) => entry.uniqueId === uniqueId)!;
  return { nodes, sources, tests, tables, header: header!, node, table };
}

describe('datasetForResource', () => {
  it('joins a Snowflake model (lower-case YAML) and its catalog table (upper case) to one dataset id', async () => {
    const { node, table, header } = await project({
      adapterType: 'snowflake',
      database: 'analytics',
      schema: 'dbt_prod',
      upperCase: true,
    });
    const context = {
      adapterType: header.adapterType!,
      instance: 'XY12345.us-east-1.snowflakecomputing.com',
    };
    const fromManifest = datasetForResource(node('orders'), context);
    const fromCatalog = datasetForCatalogTable(table('model.jaffle_shop.orders'), context);
    expect(fromManifest).toEqual({
      id: 'snowflake://xy12345.us-east-1/analytics.dbt_prod.orders',
      platform: 'snowflake',
      database: 'analytics',
      schema: 'dbt_prod',
      name: 'orders',
    });
    expect(fromCatalog!.id).toBe(fromManifest!.id);
    expect(catalogKeyOf(node('orders'))).toBe(catalogKeyOf(table('model.jaffle_shop.orders')));
    // Column names join case-insensitively too: YAML `order_id`, warehouse `ORDER_ID`.
    expect(table('model.jaffle_shop.orders').columns[0]!.name.toLowerCase()).toBe(
      node('orders').columns[0]!.name,
    );
  });

  it('keeps the case of a Snowflake name dbt is told to quote', async () => {
    const { node } = await project({ adapterType: 'snowflake' });
    const quoted = { ...node('orders'), alias: 'Orders', quoting: { identifier: true } };
    expect(datasetForResource(quoted, { adapterType: 'snowflake' })!.id).toBe(
      'snowflake://default/analytics.dbt_prod."Orders"',
    );
    // The project's quoting applies when the node says nothing; the node's own config wins.
    expect(
      datasetForResource(
        { ...quoted, quoting: {} },
        { adapterType: 'snowflake', quoting: { identifier: true } },
      )!.id,
    ).toBe('snowflake://default/analytics.dbt_prod."Orders"');
    expect(
      datasetForResource(
        { ...quoted, quoting: { identifier: false } },
        { adapterType: 'snowflake', quoting: { identifier: true } },
      )!.id,
    ).toBe('snowflake://default/analytics.dbt_prod.orders');
  });

  it('gives a Postgres model, its quoted relation name and its catalog table one id', async () => {
    const { node, table } = await project({ adapterType: 'postgres' });
    const context = { adapterType: 'postgres', instance: 'db.internal:5432' };
    const id = datasetForResource(node('customers'), context)!.id;
    expect(id).toBe('postgres://db.internal/analytics.dbt_prod.customers');
    expect(datasetForCatalogTable(table('model.jaffle_shop.customers'), context)!.id).toBe(id);
    expect(
      datasetIdFromQualifiedName('postgres', node('customers').relationName!, { instance: 'db.internal' }),
    ).toBe(id);
    // Postgres quotes by default, so a mixed-case alias keeps its case.
    expect(datasetForResource({ ...node('customers'), alias: 'Customers' }, context)!.id).toBe(
      'postgres://db.internal/analytics.dbt_prod."Customers"',
    );
  });

  it('maps sources by identifier', async () => {
    const { sources } = await project({ adapterType: 'bigquery', database: 'my-project' });
    const source: DbtSource = { ...sources[1]!, identifier: 'orders_2024' };
    expect(datasetForResource(source, { adapterType: 'bigquery' })).toEqual({
      id: 'bigquery://default/my-project.raw.orders_2024',
      platform: 'bigquery',
      database: 'my-project',
      schema: 'raw',
      name: 'orders_2024',
    });
  });

  it('maps versioned models to their own alias', async () => {
    const { nodes } = await project({ versionedModel: true });
    const ids = nodes
      .filter((node) => node.name === 'customers')
      .map((node) => datasetForResource(node, { adapterType: 'postgres' })!.id);
    expect(ids).toEqual([
      'postgres://default/analytics.dbt_prod.customers_v1',
      'postgres://default/analytics.dbt_prod.customers_v2',
    ]);
  });

  it('gives no dataset to ephemeral models, tests, analyses and operations', async () => {
    const { node, nodes, tests } = await project({ ephemeralModel: true });
    expect(datasetForResource(node('int_order_totals'), { adapterType: 'postgres' })).toBeNull();
    expect(
      datasetForResource({ ...node('orders'), resourceType: 'analysis' }, { adapterType: 'postgres' }),
    ).toBeNull();
    expect(
      datasetForResource({ ...node('orders'), resourceType: 'operation' }, { adapterType: 'postgres' }),
    ).toBeNull();
    expect(
      datasetForResource({ ...node('orders'), resourceType: 'test' }, { adapterType: 'postgres' }),
    ).toBeNull();
    expect(tests.length).toBeGreaterThan(0);
    expect(nodes.filter((entry) => datasetForResource(entry, { adapterType: 'postgres' })).length).toBe(
      nodes.length - 1,
    );
  });

  it('maps a mesh node to the upstream table', async () => {
    const { node } = await project({ crossProject: true });
    expect(datasetForResource(node('dim_dates'), { adapterType: 'postgres' })!.id).toBe(
      'postgres://default/analytics.core.dim_dates',
    );
  });

  it('drops the database of dbt-spark relations', async () => {
    const { node } = await project({ adapterType: 'spark' });
    expect(
      datasetForResource(node('orders'), { adapterType: 'spark', instance: 'adb-1.2.azuredatabricks.net' }),
    ).toEqual({
      id: 'databricks://adb-1.2.azuredatabricks.net/hive_metastore.dbt_prod.orders',
      platform: 'databricks',
      database: null,
      schema: 'dbt_prod',
      name: 'orders',
    });
  });
});

describe('catalogKey', () => {
  it('lower-cases the triple like dbt’s mapping_key', () => {
    expect(catalogKey('ANALYTICS', 'DBT_PROD', 'ORDERS')).toBe(catalogKey('analytics', 'dbt_prod', 'orders'));
    expect(catalogKey(null, 'S', 'T')).toBe('["","s","t"]');
  });

  it('cannot be fooled by dots inside names', () => {
    expect(catalogKey('a.b', 'c', 'd')).not.toBe(catalogKey('a', 'b.c', 'd'));
  });
});
