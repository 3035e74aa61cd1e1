/** Which connector reported a dataset; the catalog keeps one row per (dataset, source). */
export const DATASET_SOURCES = ['dbt', 'dbt-cloud', 'warehouse', 'hex', 'semantic-layer'] as const;

export type DatasetSource = (typeof DATASET_SOURCES)[number];

const sourceSet: ReadonlySet<string> = new Set(DATASET_SOURCES);

export function isDatasetSource(value: unknown): value is DatasetSource {
  return typeof value === 'string' && sourceSet.has(value);
}
