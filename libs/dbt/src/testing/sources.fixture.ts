import {
  DBT_VERSION_BY_SOURCES,
  jaffleShopProject,
  MANIFEST_BY_SOURCES,
  schemaUrl,
  SOURCE_NAME,
  sourceId,
  type JaffleShopOptions,
} from './jaffle-shop.project.js';

type Json = Record<string, unknown>;

export const SOURCES_SCHEMA_VERSIONS = [1, 2, 3] as const;

export interface SourcesFixtureOptions extends JaffleShopOptions {
  /** `raw_customers` is empty: dbt writes max_loaded_at `0001-01-01T00:00:00+00:00` and status `error`. */
  readonly emptySource?: boolean;
  /** dbt Fusion (2.0): capitalised statuses (`Pass`), criteria with `loaded_at_field`, string adapter responses. */
  readonly fusion?: boolean;
  /** `raw_orders` fails with a runtime error (`{unique_id, error, status: "runtime error"}`). */
  readonly runtimeError?: boolean;
}

/**
 * sources.json (`dbt source freshness`) of the jaffle-shop-like project for schema `version` (1–3):
 * `criteria.filter` from v2 (dbt 0.21), `adapter_response` from v2; Fusion's capitalised statuses with
 * `fusion`; both sources have warn_after 12 h and error_after 24 h.
 */
export function buildSources(version: number, options: SourcesFixtureOptions = {}): Json {
  if (!Number.isInteger(version) || version < 1 || version > 3) {
    throw new RangeError(`sources schema versions are 1–3, got ${version}`);
  }
  const project = jaffleShopProject(MANIFEST_BY_SOURCES[version]!, options);
  const resolved = project.options;
  const fusion = options.fusion ?? false;
  const status = (text: string) => (fusion ? text.charAt(0).toUpperCase() + text.slice(1) : text);
  const snapshottedAt = '2026-03-12T06:00:00.000000+00:00';
  const criteria: Json = {
    warn_after: { count: 12, period: 'hour' },
    error_after: { count: 24, period: 'hour' },
    ...(version >= 2 ? { filter: null } : {}),
    ...(fusion ? { loaded_at_field: '_loaded_at', loaded_at_query: null } : {}),
  };
  const result = (table: string, maxLoadedAt: string, ageSeconds: number, text: string): Json => ({
    unique_id: sourceId(project, SOURCE_NAME, table),
    max_loaded_at: maxLoadedAt,
    snapshotted_at: snapshottedAt,
    max_loaded_at_time_ago_in_s: ageSeconds,
    status: status(text),
    criteria,
    ...(version >= 2 ? { adapter_response: fusion ? { _message: 'SELECT 1', rows_affected: '1' } : {} } : {}),
    timing: [
      {
        name: 'compile',
        started_at: '2026-03-12T06:00:00.000000Z',
        completed_at: '2026-03-12T06:00:00.010000Z',
      },
      {
        name: 'execute',
        started_at: '2026-03-12T06:00:00.010000Z',
        completed_at: '2026-03-12T06:00:00.090000Z',
      },
    ],
    thread_id: 'Thread-1',
    execution_time: 0.09,
  });
  const results: Json[] = [
    options.emptySource
      ? result('raw_customers', '0001-01-01T00:00:00+00:00', 63_906_847_200, 'error')
      : result('raw_customers', '2026-03-12T05:00:00.000000+00:00', 3600, 'pass'),
    options.runtimeError
      ? {
          unique_id: sourceId(project, SOURCE_NAME, 'raw_orders'),
          error: 'Database Error in source raw_orders: column "_loaded_at" does not exist',
          status: 'runtime error',
        }
      : result('raw_orders', '2026-03-11T17:00:00.000000+00:00', 46_800, 'warn'),
  ];
  return {
    metadata: {
      dbt_schema_version: schemaUrl('sources', version),
      dbt_version: resolved.dbtVersion ?? (fusion ? '2.0.0-preview.45' : DBT_VERSION_BY_SOURCES[version]),
      generated_at: resolved.generatedAt,
      invocation_id: resolved.invocationId,
      ...(fusion ? { invocation_started_at: resolved.generatedAt } : {}),
      env: { ...resolved.env },
    },
    results,
    elapsed_time: 0.42,
  };
}
