import type {
  DbtDocBlock,
  DbtExposure,
  DbtGroup,
  DbtMetric,
  DbtNode,
  DbtSavedQuery,
  DbtSemanticModel,
  DbtSource,
  DbtTest,
  DbtUnitTest,
} from './manifest.types.js';
import type { CatalogTable, DbtFreshnessResult, DbtRunResult, DbtRunSummary } from './results.types.js';

export type ArtifactKind = 'manifest' | 'catalog' | 'run_results' | 'sources' | 'semantic_manifest';

export const ARTIFACT_KINDS: readonly ArtifactKind[] = [
  'manifest',
  'catalog',
  'run_results',
  'sources',
  'semantic_manifest',
];

/** The `metadata` block of an artifact, read before any entry. */
export interface ArtifactHeader {
  readonly kind: ArtifactKind;
  /** N of `…/<name>/vN.json`; null for semantic_manifest.json, which has no metadata. */
  readonly schemaVersion: number | null;
  readonly schemaUrl: string | null;
  /** `1.11.7`, calendar versions of dbt Cloud "Latest" (`2025.10.10+79ec687`), Fusion `2.0.x`. */
  readonly dbtVersion: string | null;
  readonly generatedAt: string | null;
  readonly invocationId: string | null;
  readonly invocationStartedAt: string | null;
  /** metadata.env: `DBT_ENV_CUSTOM_ENV_*` without the prefix, and dbt Cloud's DBT_CLOUD_RUN_ID, DBT_CLOUD_JOB_ID, … */
  readonly env: Record<string, string>;
  /** Manifest only; take it from the manifest of the same invocation for the other artifacts. */
  readonly adapterType: string | null;
  readonly projectName: string | null;
  readonly projectId: string | null;
  /** The project's `quoting:` (manifest, dbt 1.10+); null when not written. */
  readonly quoting: { database?: boolean; schema?: boolean; identifier?: boolean; column?: boolean } | null;
  /** The other metadata fields (user_id, send_anonymous_usage_stats, run_started_at, …). */
  readonly extra: Record<string, unknown>;
}

/** Trailing record of a manifest: what was read and what was skipped on purpose. */
export interface ManifestSummary {
  /** Nodes in `disabled` (a list in v1–v3, a dict of lists from v4); they are not emitted. */
  readonly disabledNodes: number;
  /** Entries read per section (`nodes`, `sources`, …), malformed ones included. */
  readonly entries: Record<string, number>;
}

export type ArtifactRecord =
  | { type: 'header'; header: ArtifactHeader }
  | { type: 'node'; node: DbtNode }
  | { type: 'test'; test: DbtTest }
  | { type: 'unit_test'; unitTest: DbtUnitTest }
  | { type: 'source'; source: DbtSource }
  | { type: 'exposure'; exposure: DbtExposure }
  | { type: 'metric'; metric: DbtMetric }
  | { type: 'semantic_model'; semanticModel: DbtSemanticModel }
  | { type: 'saved_query'; savedQuery: DbtSavedQuery }
  | { type: 'group'; group: DbtGroup }
  | { type: 'doc'; doc: DbtDocBlock }
  | { type: 'catalog_table'; table: CatalogTable }
  | { type: 'run_result'; result: DbtRunResult }
  | { type: 'run_summary'; summary: DbtRunSummary }
  | { type: 'freshness_result'; result: DbtFreshnessResult }
  | { type: 'manifest_summary'; summary: ManifestSummary }
  | { type: 'warning'; warning: string };

export interface ReadArtifactOptions {
  /** What the caller believes the file is; a different kind is an `ArtifactReadError`. */
  readonly expectedKind?: ArtifactKind;
  /** For messages only (the reader does no I/O). */
  readonly fileName?: string;
}
