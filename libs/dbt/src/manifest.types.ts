/**
 * The normalised model of manifest resources. Every type is camelCase and version-independent: the
 * normalisers fill it from whichever spelling a schema version used (`raw_sql` or `raw_code`, refs as lists
 * or dicts, …). `extra` keeps the fields of the entry this model does not name, so nothing dbt wrote is lost;
 * a few bulky fields that only repeat what is already here (`refs`, `unrendered_config`, …) are dropped.
 */

/** Quoting flags of a node's `config.quoting`, the project's `quoting:` or a source's `quoting`. */
export interface DbtQuoting {
  readonly database?: boolean;
  readonly schema?: boolean;
  readonly identifier?: boolean;
  readonly column?: boolean;
}

export interface DbtColumn {
  /** As written in YAML; the warehouse may store another case (see `catalogKey`). */
  readonly name: string;
  readonly description: string;
  readonly dataType: string | null;
  readonly meta: Record<string, unknown>;
  readonly tags: string[];
  /** Column constraints (dbt 1.5+ contracts), as dbt wrote them. */
  readonly constraints: Record<string, unknown>[];
  readonly quote: boolean | null;
  readonly extra: Record<string, unknown>;
}

export interface DbtChecksum {
  readonly name: string;
  readonly checksum: string;
}

/** model, seed, snapshot, analysis, operation (hooks), sql_operation — `resourceType` says which. */
export interface DbtNode {
  readonly uniqueId: string;
  readonly resourceType: string;
  readonly name: string;
  readonly packageName: string | null;
  readonly path: string | null;
  readonly originalFilePath: string | null;
  /** `"pkg://models/x.yml"`: the YAML file that documents the node. */
  readonly patchPath: string | null;
  readonly fqn: string[];
  readonly database: string | null;
  readonly schema: string | null;
  /** The identifier of the warehouse object (dbt's `alias`; defaults to the name). */
  readonly alias: string | null;
  /** Rendered by the adapter; null for ephemeral models and before dbt 1.4 unless compiled. */
  readonly relationName: string | null;
  readonly materialized: string | null;
  readonly enabled: boolean;
  readonly description: string;
  readonly columns: DbtColumn[];
  readonly meta: Record<string, unknown>;
  readonly tags: string[];
  readonly config: Record<string, unknown>;
  /** The node's own `config.quoting`; empty when the project's or the adapter's default applies. */
  readonly quoting: DbtQuoting;
  /** Unique ids of the nodes, sources and metrics this node reads (`depends_on.nodes`). */
  readonly dependsOn: string[];
  readonly dependsOnMacros: string[];
  /** `raw_code` (v7+) or `raw_sql` (v1–v6). */
  readonly rawCode: string | null;
  /** `compiled_code` (v7+) or `compiled_sql` (v1–v6); only present on compiled or executed nodes. */
  readonly compiledCode: string | null;
  /** sql or python; absent before v7 (always SQL then), so null. */
  readonly language: string | null;
  readonly checksum: DbtChecksum | null;
  /** private | protected | public (v9+). */
  readonly access: string | null;
  readonly group: string | null;
  readonly version: string | number | null;
  readonly latestVersion: string | number | null;
  readonly contractEnforced: boolean;
  readonly deprecationDate: string | null;
  readonly primaryKey: string[];
  /** Epoch seconds. */
  readonly createdAt: number | null;
  /**
   * True for a node copied in from another project (dbt Mesh, dbt-loom): empty `raw_code` and empty
   * `original_file_path`. Check `packageName` against the manifest's project name before attributing it.
   */
  readonly isExternal: boolean;
  /** Unique ids of the doc blocks the description uses (dbt 1.10+). */
  readonly docBlocks: string[];
  readonly extra: Record<string, unknown>;
}

/** A data test (generic or singular), from `nodes` with resource_type `test`. */
export interface DbtTest {
  readonly uniqueId: string;
  readonly name: string;
  readonly packageName: string | null;
  readonly path: string | null;
  readonly originalFilePath: string | null;
  readonly fqn: string[];
  /** generic: from `test_metadata` (not_null, unique, relationships, …); singular: a SQL file in tests/. */
  readonly testKind: 'generic' | 'singular';
  /** `test_metadata.name`, e.g. `not_null`, `relationships`; null for singular tests. */
  readonly testName: string | null;
  /** `null` for dbt's own tests, `dbt_utils`, … for package tests. */
  readonly namespace: string | null;
  readonly kwargs: Record<string, unknown>;
  /** The tested column; null for model-level and singular tests. */
  readonly columnName: string | null;
  /** The model, seed, snapshot or source the test belongs to; see the README for how it is derived. */
  readonly attachedNodeId: string | null;
  readonly dependsOn: string[];
  /** `error` or `warn`, lower-cased. */
  readonly severity: string | null;
  readonly enabled: boolean;
  readonly config: Record<string, unknown>;
  readonly rawCode: string | null;
  readonly compiledCode: string | null;
  readonly description: string;
  readonly tags: string[];
  readonly meta: Record<string, unknown>;
  /** Where failures are stored (`store_failures`), else null. */
  readonly database: string | null;
  readonly schema: string | null;
  readonly alias: string | null;
  readonly relationName: string | null;
  /** `models.<name>` or `sources.<source>`: the YAML key the test was declared under. */
  readonly fileKeyName: string | null;
  readonly createdAt: number | null;
  readonly extra: Record<string, unknown>;
}

/** A unit test (manifest v12, `unit_tests`). */
export interface DbtUnitTest {
  readonly uniqueId: string;
  readonly name: string;
  readonly packageName: string | null;
  readonly path: string | null;
  readonly originalFilePath: string | null;
  readonly fqn: string[];
  /** The tested model's name as written (`model: customers`). */
  readonly modelName: string | null;
  /** The tested model's unique id, found in `depends_on.nodes`. */
  readonly modelUniqueId: string | null;
  readonly given: Record<string, unknown>[];
  readonly expect: Record<string, unknown> | null;
  readonly overrides: Record<string, unknown> | null;
  /** `versions: {include, exclude}` of a unit test on a versioned model. */
  readonly versions: Record<string, unknown> | null;
  readonly version: string | number | null;
  readonly dependsOn: string[];
  readonly description: string;
  readonly tags: string[];
  readonly meta: Record<string, unknown>;
  readonly config: Record<string, unknown>;
  readonly extra: Record<string, unknown>;
}

export interface DbtFreshnessPeriod {
  readonly count: number;
  /** minute | hour | day */
  readonly period: string | null;
}

/** A freshness threshold. dbt writes "not configured" as `{count: null, period: null}`, read here as null. */
export interface DbtFreshnessCriteria {
  readonly warnAfter: DbtFreshnessPeriod | null;
  readonly errorAfter: DbtFreshnessPeriod | null;
  readonly filter: string | null;
}

export interface DbtSource {
  readonly uniqueId: string;
  readonly sourceName: string;
  readonly name: string;
  /** The table name in the warehouse; defaults to `name`. */
  readonly identifier: string;
  readonly database: string | null;
  readonly schema: string | null;
  readonly relationName: string | null;
  readonly loader: string | null;
  readonly loadedAtField: string | null;
  readonly loadedAtQuery: string | null;
  readonly freshness: DbtFreshnessCriteria;
  readonly description: string;
  readonly sourceDescription: string;
  readonly columns: DbtColumn[];
  readonly meta: Record<string, unknown>;
  readonly sourceMeta: Record<string, unknown>;
  readonly tags: string[];
  readonly packageName: string | null;
  readonly path: string | null;
  readonly originalFilePath: string | null;
  readonly fqn: string[];
  readonly enabled: boolean;
  /** `external:` properties (location, file format, partitions) for external tables, else null. */
  readonly external: Record<string, unknown> | null;
  /** The source's own `quoting:`; empty when the project's or the adapter's default applies. */
  readonly quoting: DbtQuoting;
  readonly config: Record<string, unknown>;
  readonly createdAt: number | null;
  readonly extra: Record<string, unknown>;
}

export interface DbtOwner {
  readonly name: string | null;
  /** Always a list: recent schemas allow several addresses, older ones one string. */
  readonly email: string[];
}

export interface DbtExposure {
  readonly uniqueId: string;
  readonly name: string;
  readonly label: string | null;
  /** dashboard | notebook | analysis | ml | application */
  readonly type: string | null;
  /** low | medium | high */
  readonly maturity: string | null;
  readonly url: string | null;
  readonly description: string;
  readonly owner: DbtOwner;
  readonly dependsOn: string[];
  readonly meta: Record<string, unknown>;
  readonly tags: string[];
  readonly packageName: string | null;
  readonly path: string | null;
  readonly originalFilePath: string | null;
  readonly fqn: string[];
  readonly enabled: boolean;
  readonly config: Record<string, unknown>;
  readonly createdAt: number | null;
  readonly extra: Record<string, unknown>;
}

/**
 * Which of dbt's three metric specifications an entry follows, by the fields it has:
 * `legacy` (v4–v6: `type` + `sql`), `calculation_method` (v7–v9: `calculation_method` + `expression`),
 * `metricflow` (v10+ and semantic_manifest.json: `type` + `type_params`).
 */
export type DbtMetricStyle = 'legacy' | 'calculation_method' | 'metricflow';

export interface DbtMetric {
  /** Null when read from semantic_manifest.json, which carries no unique ids. */
  readonly uniqueId: string | null;
  readonly name: string;
  readonly label: string | null;
  readonly description: string;
  readonly style: DbtMetricStyle;
  /**
   * The aggregation or metric type: legacy `type` (count, sum, …), `calculation_method`, or the MetricFlow
   * type (simple, ratio, cumulative, derived, conversion).
   */
  readonly calculation: string | null;
  /** Legacy `sql`, `expression`, or MetricFlow `type_params.expr`. */
  readonly expression: string | null;
  /** The model a legacy metric is defined on (`model: "ref('orders')"` → `orders`). */
  readonly modelName: string | null;
  /** MetricFlow: names of the measures the metric reads (`type_params.input_measures`). */
  readonly inputMeasures: string[];
  /** The fields of the metric's specification, as dbt wrote them (snake_case). */
  readonly definition: Record<string, unknown>;
  readonly dependsOn: string[];
  readonly meta: Record<string, unknown>;
  readonly tags: string[];
  readonly group: string | null;
  readonly packageName: string | null;
  readonly path: string | null;
  readonly originalFilePath: string | null;
  readonly fqn: string[];
  readonly extra: Record<string, unknown>;
}

export interface DbtSemanticEntity {
  readonly name: string;
  /** primary | unique | foreign | natural */
  readonly type: string | null;
  /** SQL expression; null means the column of the same name. */
  readonly expr: string | null;
  readonly role: string | null;
  readonly description: string | null;
  readonly label: string | null;
  readonly extra: Record<string, unknown>;
}

export interface DbtSemanticDimension {
  readonly name: string;
  /** categorical | time */
  readonly type: string | null;
  readonly expr: string | null;
  readonly isPartition: boolean;
  readonly timeGranularity: string | null;
  readonly description: string | null;
  readonly label: string | null;
  readonly extra: Record<string, unknown>;
}

export interface DbtSemanticMeasure {
  readonly name: string;
  readonly agg: string | null;
  readonly expr: string | null;
  readonly aggTimeDimension: string | null;
  readonly createMetric: boolean;
  readonly description: string | null;
  readonly label: string | null;
  readonly extra: Record<string, unknown>;
}

export interface DbtNodeRelation {
  readonly alias: string | null;
  readonly schemaName: string | null;
  readonly database: string | null;
  readonly relationName: string | null;
}

export interface DbtSemanticModel {
  /** Null when read from semantic_manifest.json. */
  readonly uniqueId: string | null;
  readonly name: string;
  readonly label: string | null;
  readonly description: string;
  /** `model: "ref('orders')"` → `orders`. */
  readonly modelName: string | null;
  readonly nodeRelation: DbtNodeRelation | null;
  readonly primaryEntity: string | null;
  readonly defaultAggTimeDimension: string | null;
  readonly entities: DbtSemanticEntity[];
  readonly dimensions: DbtSemanticDimension[];
  readonly measures: DbtSemanticMeasure[];
  readonly dependsOn: string[];
  readonly meta: Record<string, unknown>;
  readonly group: string | null;
  readonly packageName: string | null;
  readonly path: string | null;
  readonly originalFilePath: string | null;
  readonly fqn: string[];
  readonly extra: Record<string, unknown>;
}

export interface DbtSavedQueryExport {
  readonly name: string;
  /** table | view */
  readonly exportAs: string | null;
  readonly database: string | null;
  readonly schema: string | null;
  readonly alias: string | null;
}

export interface DbtSavedQuery {
  /** Null when read from semantic_manifest.json. */
  readonly uniqueId: string | null;
  readonly name: string;
  readonly label: string | null;
  readonly description: string;
  readonly metrics: string[];
  /** `TimeDimension('metric_time', 'day')`, `Entity('customer')`, … */
  readonly groupBy: string[];
  /** The `where_sql_template` of each filter. */
  readonly where: string[];
  readonly orderBy: string[];
  readonly limit: number | null;
  readonly exports: DbtSavedQueryExport[];
  readonly dependsOn: string[];
  readonly meta: Record<string, unknown>;
  readonly tags: string[];
  readonly group: string | null;
  readonly packageName: string | null;
  readonly path: string | null;
  readonly originalFilePath: string | null;
  readonly fqn: string[];
  readonly extra: Record<string, unknown>;
}

export interface DbtGroup {
  readonly uniqueId: string;
  readonly name: string;
  readonly owner: DbtOwner;
  readonly description: string | null;
  readonly packageName: string | null;
  readonly path: string | null;
  readonly originalFilePath: string | null;
  readonly meta: Record<string, unknown>;
  readonly extra: Record<string, unknown>;
}

export interface DbtDocBlock {
  readonly uniqueId: string;
  readonly name: string;
  readonly packageName: string | null;
  readonly path: string | null;
  readonly originalFilePath: string | null;
  readonly blockContents: string;
  readonly extra: Record<string, unknown>;
}
