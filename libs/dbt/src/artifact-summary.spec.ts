import { ArtifactSummaryBuilder, summarizeArtifacts } from './artifact-summary.js';
import {
  artifactBytes,
  buildCatalog,
  buildManifest,
  buildRunResults,
  buildSources,
  chunked,
} from './testing/index.js';

describe('summarizeArtifacts', () => {
  it('summarises a dbt Cloud job: manifest, catalog, a build step and its docs generate step, freshness', async () => {
    const options = { adapterType: 'snowflake', ephemeralModel: true, crossProject: true };
    const summary = await summarizeArtifacts(
      [
        { fileName: 'manifest.json', bytes: chunked(buildManifest(12, options)) },
        { fileName: 'catalog.json', bytes: chunked(buildCatalog({ ...options, upperCase: true })) },
        {
          fileName: 'run_results.json?step=4',
          bytes: chunked(
            buildRunResults(6, {
              ...options,
              which: 'build',
              failingTest: { name: 'unique_orders_order_id' },
            }),
          ),
        },
        {
          fileName: 'run_results.json?step=5',
          bytes: chunked(buildRunResults(6, { ...options, which: 'generate' })),
        },
        { fileName: 'sources.json', bytes: chunked(buildSources(3, { emptySource: true })) },
        { fileName: 'broken.json', bytes: [artifactBytes('{"metadata": {')] },
      ],
      { instance: 'xy12345.eu-west-1' },
    );
    expect(summary.files.map((file) => [file.fileName, file.kind, file.schemaVersion, file.error])).toEqual([
      ['manifest.json', 'manifest', 12, null],
      ['catalog.json', 'catalog', 1, null],
      ['run_results.json?step=4', 'run_results', 6, null],
      ['run_results.json?step=5', 'run_results', 6, null],
      ['sources.json', 'sources', 3, null],
      [
        'broken.json',
        null,
        null,
        'broken.json is not valid JSON: unexpected end of input (the file is truncated) at byte offset 14 (in metadata)',
      ],
    ]);
    expect(summary.resources).toEqual({
      model: 6,
      seed: 1,
      test: 9,
      unit_test: 1,
      source: 2,
      exposure: 1,
      metric: 3,
      semantic_model: 1,
      saved_query: 1,
      group: 1,
      doc: 2,
    });
    expect(summary.tests).toEqual({ generic: 8, singular: 1, unit: 1 });
    expect(summary.columns).toBe(5 + 2 + 5 + 4 + 2 + 5);
    expect(summary.disabledNodes).toBe(1);
    expect(summary.datasets).toContainEqual({
      uniqueId: 'model.jaffle_shop.orders',
      resourceType: 'model',
      name: 'orders',
      datasetId: 'snowflake://xy12345.eu-west-1/analytics.dbt_prod.orders',
      isExternal: false,
    });
    expect(summary.datasets).toContainEqual({
      uniqueId: 'model.jaffle_shop.int_order_totals',
      resourceType: 'model',
      name: 'int_order_totals',
      datasetId: null,
      isExternal: false,
    });
    expect(summary.datasets).toContainEqual(
      expect.objectContaining({ uniqueId: 'model.platform_core.dim_dates', isExternal: true }),
    );
    expect(summary.datasets).toContainEqual({
      uniqueId: 'source.jaffle_shop.ecom.raw_orders',
      resourceType: 'source',
      name: 'ecom.raw_orders',
      datasetId: 'snowflake://xy12345.eu-west-1/analytics.raw.raw_orders',
      isExternal: false,
    });
    expect(summary.datasets).toHaveLength(6 + 1 + 2);
    expect(summary.catalog).toEqual({ tables: 7, columns: 26 });
    expect(summary.runResults).toEqual([
      {
        fileName: 'run_results.json?step=4',
        which: 'build',
        elapsedTime: 12.5,
        invocationCommand: 'dbt build',
        statuses: { success: 5, pass: 9, fail: 1 },
      },
      {
        fileName: 'run_results.json?step=5',
        which: 'generate',
        elapsedTime: 12.5,
        invocationCommand: 'dbt docs generate',
        statuses: { success: 13 },
      },
    ]);
    expect(summary.freshness).toEqual({ error: 1, warn: 1 });
    // The CLI prints it as JSON.
    expect(JSON.parse(JSON.stringify(summary))).toEqual(summary);
  });

  it('warns when dataset ids cannot be made', async () => {
    const builder = new ArtifactSummaryBuilder();
    const manifest = buildManifest(12, { adapterType: 'materialize' });
    const { readArtifact } = await import('./artifact.reader.js');
    for await (const record of readArtifact(chunked(manifest))) builder.add('manifest.json', record);
    const summary = builder.result();
    expect(summary.datasets.every((dataset) => dataset.datasetId === null)).toBe(true);
    expect(summary.files[0]!.warnings[0]).toMatch(
      /^no dataset id for seed\.jaffle_shop\.country_codes: Unsupported platform/,
    );
  });
});
