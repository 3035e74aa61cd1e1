import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { datasetForCatalogTable, readArtifact, type ArtifactSummary } from '@cartograph/dbt';
import { buildCatalog } from '@cartograph/dbt/testing';
import { runCartograph } from '@cartograph/platform/testing';
import {
  removeTemporaryDirectories,
  snowflakeManifest,
  temporaryDirectory,
  truncated,
  writeSnowflakeTarget,
} from './dbt-target.fixture.js';

// `cartograph dbt inspect` as a user runs it: the built CLI in its own process, on files on disk.

const environment = { ...process.env };

async function inspect(args: string[]) {
  const result = await runCartograph(['dbt', 'inspect', ...args], environment);
  let summary: ArtifactSummary | null = null;
  try {
    summary = JSON.parse(result.stdout) as ArtifactSummary;
  } catch {
    throw new Error(`stdout is not JSON (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  }
  return { ...result, summary };
}

/** The id libs/dbt gives the catalog's upper-case Snowflake table, to compare the models' ids with. */
async function catalogDatasetId(name: string): Promise<string> {
  const bytes = [Buffer.from(JSON.stringify(buildCatalog({ adapterType: 'snowflake', upperCase: true })))];
  for await (const record of readArtifact(bytes)) {
    if (record.type === 'catalog_table' && record.table.name === name) {
      return datasetForCatalogTable(record.table, { adapterType: 'snowflake' })!.id;
    }
  }
  throw new Error(`no catalog table ${name}`);
}

afterAll(() => removeTemporaryDirectories());

describe('cartograph dbt inspect', () => {
  it('summarises a target/ directory: versions, counts, tests, columns, Snowflake dataset ids', async () => {
    const target = writeSnowflakeTarget();

    const { code, summary, stderr } = await inspect([target]);

    expect(stderr).toBe('');
    expect(code).toBe(0);
    // Manifest first; graph_summary.json, partial_parse.msgpack and compiled/ are not artifacts.
    expect(summary!.files.map((file) => [file.fileName, file.kind, file.schemaVersion, file.error])).toEqual([
      [join(target, 'manifest.json'), 'manifest', 12, null],
      [join(target, 'catalog.json.gz'), 'catalog', 1, null],
      [join(target, 'run_results.json'), 'run_results', 6, null],
      [join(target, 'sources.json'), 'sources', 3, null],
    ]);
    expect(summary!.files[0]).toMatchObject({
      dbtVersion: '1.11.7',
      adapterType: 'snowflake',
      projectName: 'jaffle_shop',
    });
    expect(summary!.resources).toMatchObject({ model: 4, seed: 1, source: 2, test: 9, unit_test: 1 });
    expect(summary!.tests).toEqual({ generic: 8, singular: 1, unit: 1 });
    expect(summary!.columns).toBe(23);
    expect(summary!.disabledNodes).toBe(1);
    expect(summary!.catalog).toEqual({ tables: 7, columns: 26 });
    expect(summary!.runResults).toEqual([
      expect.objectContaining({ which: 'build', statuses: { success: 5, pass: 10 } }),
    ]);
    expect(summary!.freshness).toEqual({ pass: 1, warn: 1 });

    // Snowflake folds unquoted names to upper case: the YAML's `orders` and the catalog's ORDERS are one
    // table, so libs/dbt gives them one id (case-folded, lower case).
    const orders = summary!.datasets.find((dataset) => dataset.uniqueId === 'model.jaffle_shop.orders');
    expect(orders).toEqual({
      uniqueId: 'model.jaffle_shop.orders',
      resourceType: 'model',
      name: 'orders',
      datasetId: 'snowflake://default/analytics.dbt_prod.orders',
      isExternal: false,
    });
    expect(orders!.datasetId).toBe(await catalogDatasetId('ORDERS'));
    expect(summary!.datasets.map((dataset) => dataset.datasetId).sort()).toEqual([
      'snowflake://default/analytics.dbt_prod.country_codes',
      'snowflake://default/analytics.dbt_prod.customers',
      'snowflake://default/analytics.dbt_prod.orders',
      'snowflake://default/analytics.dbt_prod.stg_customers',
      'snowflake://default/analytics.dbt_prod.stg_orders',
      'snowflake://default/analytics.raw.raw_customers',
      'snowflake://default/analytics.raw.raw_orders',
    ]);
  });

  it('puts --instance into the dataset ids; --adapter names the adapter of a manifest that does not', async () => {
    const directory = temporaryDirectory();
    const manifest = snowflakeManifest();
    delete (manifest.metadata as Record<string, unknown>).adapter_type;
    writeFileSync(join(directory, 'manifest.json'), JSON.stringify(manifest));

    const withInstance = await inspect([writeSnowflakeTarget(), '--instance', 'prod']);
    expect(withInstance.code).toBe(0);
    expect(
      withInstance.summary!.datasets.every((dataset) => dataset.datasetId?.startsWith('snowflake://prod/')),
    ).toBe(true);

    const unknownAdapter = await inspect([directory]);
    expect(unknownAdapter.code).toBe(0);
    expect(unknownAdapter.summary!.datasets.every((dataset) => dataset.datasetId === null)).toBe(true);
    expect(unknownAdapter.summary!.files[0]!.warnings).toEqual([
      'no adapter type in the manifest metadata: dataset ids are left out',
    ]);

    const named = await inspect([directory, '--adapter', 'snowflake']);
    expect(named.summary!.datasets.find((dataset) => dataset.name === 'orders')!.datasetId).toBe(
      'snowflake://default/analytics.dbt_prod.orders',
    );
  });

  it('exits 1 for a truncated manifest, naming the file, the byte offset and the entry; the other files are read', async () => {
    const directory = temporaryDirectory();
    const broken = join(directory, 'manifest.json');
    writeFileSync(broken, truncated(JSON.stringify(snowflakeManifest())));
    const runResults = join(writeSnowflakeTarget(), 'run_results.json');

    const { code, summary, stderr } = await inspect([broken, runResults]);

    expect(code).toBe(1);
    const file = summary!.files.find((candidate) => candidate.fileName === broken)!;
    expect(file.error).toContain(`${broken} is not valid JSON`);
    expect(file.error).toMatch(/truncated\) at byte offset \d+ \(in nodes\["[^"]+"\]\)/);
    expect(stderr).toContain(file.error!);
    expect(summary!.files.find((candidate) => candidate.fileName === runResults)).toMatchObject({
      kind: 'run_results',
      error: null,
    });
  });

  it('exits 1 for a truncated gzip file, a missing path and a directory without artifacts', async () => {
    const directory = temporaryDirectory();
    const gzipped = gzipSync(JSON.stringify(snowflakeManifest()));
    const brokenGzip = join(directory, 'manifest.json.gz');
    writeFileSync(brokenGzip, gzipped.subarray(0, gzipped.length - 64));
    const missing = join(directory, 'nowhere', 'manifest.json');
    const empty = join(directory, 'empty');
    mkdirSync(empty);

    const { code, summary, stderr } = await inspect([brokenGzip, missing, empty]);

    expect(code).toBe(1);
    expect(summary!.files.map((file) => [file.fileName, file.error])).toEqual([
      [
        brokenGzip,
        `${brokenGzip} is not valid gzip: unexpected end of file (the file is truncated or corrupt)`,
      ],
      [missing, `${missing}: no such file or directory`],
      [empty, expect.stringContaining(`${empty} holds no dbt artifact (looked for manifest.json`)],
    ]);
    expect(stderr.trim().split('\n')).toHaveLength(3);
  });
});
