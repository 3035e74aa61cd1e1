import { DATASET_KINDS, isDatasetKind, normalizeDatasetKind } from './dataset-kind.js';
import { DATASET_SOURCES, isDatasetSource } from './dataset-source.js';
import { isPlatform, PLATFORMS } from './platform.js';

describe('normalizeDatasetKind', () => {
  it.each([
    ['BASE TABLE', 'table'],
    ['table', 'table'],
    ['MANAGED', 'table'],
    ['incremental', 'table'],
    ['VIEW', 'view'],
    ['VIRTUAL_VIEW', 'view'],
    ['materialized view', 'materialized_view'],
    ['MATERIALIZED_VIEW', 'materialized_view'],
    ['materialized-view', 'materialized_view'],
    ['DYNAMIC TABLE', 'materialized_view'],
    ['EXTERNAL', 'external'],
    ['EXTERNAL_TABLE', 'external'],
    ['FOREIGN TABLE', 'external'],
    ['snapshot', 'snapshot'],
    ['seed', 'seed'],
    ['source', 'source'],
    ['ephemeral', 'ephemeral'],
    ['MergeTree', 'unknown'],
    ['', 'unknown'],
    [null, 'unknown'],
    [undefined, 'unknown'],
  ])('%j → %s', (text, expected) => {
    expect(normalizeDatasetKind(text)).toBe(expected);
  });

  it('returns only declared kinds', () => {
    for (const kind of DATASET_KINDS) expect(normalizeDatasetKind(kind)).toBe(kind);
  });
});

describe('enumerations', () => {
  it.each([
    [isPlatform, PLATFORMS, 'spark'],
    [isDatasetKind, DATASET_KINDS, 'BASE TABLE'],
    [isDatasetSource, DATASET_SOURCES, 'airflow'],
  ] as const)('guard %#: accepts the listed values and nothing else', (guard, values, outsider) => {
    for (const value of values) expect(guard(value)).toBe(true);
    expect(guard(outsider)).toBe(false);
    expect(guard(undefined)).toBe(false);
    expect(guard(1)).toBe(false);
  });

  it('keeps the values other code stores', () => {
    expect(DATASET_SOURCES).toEqual(['dbt', 'dbt-cloud', 'warehouse', 'hex', 'semantic-layer']);
    expect(DATASET_KINDS).toEqual(
      expect.arrayContaining([
        'table',
        'view',
        'materialized_view',
        'external',
        'snapshot',
        'seed',
        'source',
        'ephemeral',
        'unknown',
      ]),
    );
  });
});
