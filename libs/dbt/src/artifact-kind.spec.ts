import { detectArtifactKind, parseSchemaUrl, sniffArtifactKind } from './artifact-kind.js';

describe('detectArtifactKind', () => {
  it.each([
    ['https://schemas.getdbt.com/dbt/manifest/v12.json', 'manifest'],
    ['https://schemas.getdbt.com/dbt/manifest/v1.json', 'manifest'],
    ['https://schemas.getdbt.com/dbt/catalog/v1.json', 'catalog'],
    ['https://schemas.getdbt.com/dbt/run-results/v6.json', 'run_results'],
    ['https://schemas.getdbt.com/dbt/sources/v3.json', 'sources'],
    ['https://schemas.getdbt.com/dbt/manifest/v13.json', 'manifest'],
  ])('%s → %s', (url, kind) => {
    expect(detectArtifactKind(url)).toBe(kind);
  });

  it.each([
    'https://schemas.getdbt.com/dbt/graph-summary/v1.json',
    'not a url',
    'https://schemas.getdbt.com/dbt/manifest/latest.json',
  ])('does not recognise %s', (url) => {
    expect(detectArtifactKind(url)).toBeNull();
  });

  it('ignores non-strings', () => {
    expect(detectArtifactKind(null)).toBeNull();
    expect(detectArtifactKind(undefined)).toBeNull();
  });

  it('reads the version number', () => {
    expect(parseSchemaUrl('https://schemas.getdbt.com/dbt/run-results/v6.json')).toEqual({
      name: 'run-results',
      version: 6,
    });
  });
});

describe('sniffArtifactKind', () => {
  it.each([
    ['manifest.json', 'manifest'],
    ['target/manifest.json.gz', 'manifest'],
    ['manifest_v12_dbt1.11.json', 'manifest'],
    ['C:\\dbt\\target\\catalog.json', 'catalog'],
    ['run_results.json', 'run_results'],
    ['run-results-step-4.json', 'run_results'],
    ['sources.json', 'sources'],
    ['semantic_manifest.json', 'semantic_manifest'],
    ['RUN_RESULTS.JSON', 'run_results'],
    ['manifest_20261101.json.gz', 'manifest'],
    ['catalog_v2.json.gz', 'catalog'],
    ['semantic_manifest_1.json.gz', 'semantic_manifest'],
  ])('%s → %s', (fileName, kind) => {
    expect(sniffArtifactKind(fileName)).toBe(kind);
  });

  it.each([
    'graph_summary.json',
    'partial_parse.msgpack',
    'manifest.yml',
    'my_manifest.json',
    'manifest.json.bak',
    'run_results.json.zip',
    'catalog.gz',
  ])('returns null for %s', (fileName) => {
    expect(sniffArtifactKind(fileName)).toBeNull();
  });
});
