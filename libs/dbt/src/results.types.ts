import type { DbtFreshnessCriteria } from './manifest.types.js';

/** The normalised model of catalog.json, run_results.json and sources.json entries. */

export interface CatalogColumn {
  /** In the warehouse's case, as the catalog gives it (Snowflake: upper case). */
  readonly name: string;
  readonly type: string | null;
  /** 1-based position. */
  readonly index: number | null;
  readonly comment: string | null;
}

export interface CatalogStats {
  readonly rowCount: number | null;
  readonly bytes: number | null;
  /** ISO 8601 where the adapter's text could be read as a time, else as given. */
  readonly lastModified: string | null;
  /** Every stat the adapter wrote, by id (`num_rows`, `clustering_key`, `has_stats`, …). */
  readonly raw: Record<string, unknown>;
}

export interface CatalogTable {
  readonly uniqueId: string;
  /** Which catalog section the table came from. */
  readonly resourceKind: 'node' | 'source';
  /**
   * `table`, `view`, `materialized_view`, `external`, or another adapter type in lower snake case;
   * Postgres/Snowflake `BASE TABLE` is `table`.
   */
  readonly tableType: string | null;
  readonly database: string | null;
  readonly schema: string | null;
  readonly name: string;
  readonly comment: string | null;
  readonly owner: string | null;
  /** Sorted by index. */
  readonly columns: CatalogColumn[];
  readonly stats: CatalogStats;
  readonly extra: Record<string, unknown>;
}

export interface DbtRunResult {
  readonly uniqueId: string;
  /** The unique id's prefix (`model`, `test`, `unit_test`, `seed`, …). */
  readonly resourceType: string;
  /**
   * Lower-cased and open: success, error, skipped, pass, fail, warn, no-op, reused, partial success, runtime
   * error, … — compare, never switch exhaustively.
   */
  readonly status: string;
  /** Of the execute step, else of the compile step; null when dbt wrote no timing (errored tests). */
  readonly startedAt: string | null;
  readonly completedAt: string | null;
  readonly compileStartedAt: string | null;
  readonly compileCompletedAt: string | null;
  /** Seconds. */
  readonly executionTime: number | null;
  readonly threadId: string | null;
  readonly message: string | null;
  /** Failing rows of a test; null for models and errors. */
  readonly failures: number | null;
  /** `adapter_response.rows_affected` (-1 for DDL on Postgres). */
  readonly rowsAffected: number | null;
  readonly adapterResponse: Record<string, unknown>;
  /** v5+; null before. */
  readonly relationName: string | null;
  readonly compiledCode: string | null;
  /** Microbatch models (dbt 1.9+): `{successful, failed}` batches. */
  readonly batchResults: Record<string, unknown> | null;
  readonly extra: Record<string, unknown>;
}

export interface DbtRunSummary {
  /** `args.which`: build, run, test, seed, snapshot, compile, generate (docs generate), source, … */
  readonly which: string | null;
  /** Seconds for the whole invocation. */
  readonly elapsedTime: number | null;
  readonly invocationCommand: string | null;
  readonly args: Record<string, unknown>;
}

export interface DbtFreshnessResult {
  readonly uniqueId: string;
  /** Lower-cased: pass | warn | error | runtime error (Fusion's `Pass` is `pass`). */
  readonly status: string;
  /** Null when the source is empty (dbt writes `0001-01-01T00:00:00+00:00`) or on runtime errors. */
  readonly maxLoadedAt: string | null;
  readonly snapshottedAt: string | null;
  readonly ageSeconds: number | null;
  readonly criteria: DbtFreshnessCriteria;
  /** The runtime error text. */
  readonly error: string | null;
  readonly executionTime: number | null;
  readonly threadId: string | null;
  readonly adapterResponse: Record<string, unknown>;
  readonly extra: Record<string, unknown>;
}
