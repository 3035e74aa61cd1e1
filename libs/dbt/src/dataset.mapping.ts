import {
  datasetId,
  platformFromAdapter,
  type IdentityOptions,
  type Platform,
} from '@cartograph/catalog-model';
import type { ArtifactHeader } from './artifact.types.js';
import type { DbtNode, DbtQuoting, DbtSource } from './manifest.types.js';
import type { CatalogTable } from './results.types.js';

/** Where a dbt project's tables live: the manifest's adapter and the warehouse connection's instance. */
export interface DatasetContext {
  /** The manifest's `metadata.adapter_type` (or a platform name). */
  readonly adapterType: string;
  /** Account, host[:port] or workspace of the warehouse connection; blank means `default`. */
  readonly instance?: string | null;
  /** The project's `quoting:` (manifest header, dbt 1.10+). */
  readonly quoting?: ArtifactHeader['quoting'];
  /** The connection's case-sensitivity setting, where the platform has one (see catalog-model). */
  readonly caseSensitive?: IdentityOptions['caseSensitive'];
}

export interface DatasetReference {
  readonly id: string;
  readonly platform: Platform;
  /** The parts as dbt wrote them (the id folds them the way the warehouse resolves names). */
  readonly database: string | null;
  readonly schema: string | null;
  readonly name: string;
}

/** Resource types that are a table or view in the warehouse (unless ephemeral). */
const tableResourceTypes = new Set(['model', 'seed', 'snapshot']);

/**
 * Adapters whose relations are unquoted unless configured otherwise. Every other adapter inherits dbt's
 * `BaseRelation` default of quoting all parts (postgres, redshift, duckdb, bigquery, databricks, athena, …).
 */
const unquotedByDefault = new Set(['snowflake', 'spark', 'oracle', 'clickhouse']);

/** dbt-spark relations have no database part (`schema.identifier`). */
const withoutDatabase = new Set(['spark']);

function isSource(resource: DbtNode | DbtSource): resource is DbtSource {
  return 'sourceName' in resource;
}

/**
 * The dataset (DESIGN §3) a model, seed, snapshot or source is materialised as, or null when it has no table
 * of its own: ephemeral models (CTEs), tests, analyses, operations. Models, seeds and snapshots are
 * (database, schema, alias), sources (database, schema, identifier). Each part is quoted or not as dbt would
 * render it — the node's (or source's) `quoting` config, else the project's `quoting:`, else the adapter's
 * default — so `datasetId` folds it exactly as the warehouse resolves it, and the Snowflake model `orders`
 * and the catalog's `ORDERS` get one id. Throws catalog-model's errors for an unknown adapter type or a
 * missing level the platform needs.
 */
export function datasetForResource(
  resource: DbtNode | DbtSource,
  context: DatasetContext,
): DatasetReference | null {
  let name: string;
  if (isSource(resource)) {
    name = resource.identifier;
  } else {
    if (!tableResourceTypes.has(resource.resourceType)) return null;
    if (resource.materialized === 'ephemeral') return null;
    name = resource.alias ?? resource.name;
  }
  if (!name) return null;
  return referenceFor(resource.database, resource.schema, name, context, resource.quoting);
}

/**
 * The dataset of a catalog.json table. Catalog names come from the warehouse's own catalog, so they are the
 * stored names and count as quoted: `ORDERS` on Snowflake is the table a model `orders` creates.
 */
export function datasetForCatalogTable(
  table: CatalogTable,
  context: DatasetContext,
): DatasetReference | null {
  if (!table.name) return null;
  return referenceFor(table.database, table.schema, table.name, context, {
    database: true,
    schema: true,
    identifier: true,
  });
}

function referenceFor(
  database: string | null,
  schema: string | null,
  name: string,
  context: DatasetContext,
  ownQuoting: DbtQuoting,
): DatasetReference {
  const adapter = context.adapterType.trim().toLowerCase();
  const platform = platformFromAdapter(adapter, { host: context.instance });
  const adapterDefault = !unquotedByDefault.has(adapter);
  const quoted = (part: 'database' | 'schema' | 'identifier'): boolean =>
    ownQuoting[part] ?? context.quoting?.[part] ?? adapterDefault;
  const effectiveDatabase = withoutDatabase.has(adapter) ? null : database;
  const id = datasetId(
    {
      platform: adapter,
      instance: context.instance,
      database: effectiveDatabase,
      schema,
      name,
      quoted: { database: quoted('database'), schema: quoted('schema'), name: quoted('identifier') },
    },
    context.caseSensitive === undefined ? {} : { caseSensitive: context.caseSensitive },
  );
  return { id, platform, database: effectiveDatabase, schema, name };
}

/**
 * dbt's `mapping_key`: the lower-cased (database, schema, identifier) that `dbt docs generate` uses to join
 * catalog rows to nodes, case-insensitively. Use it to join catalog tables, information_schema rows or
 * query-history names to manifest resources without knowing the adapter.
 */
export function catalogKey(
  database: string | null | undefined,
  schema: string | null | undefined,
  name: string | null | undefined,
): string {
  return JSON.stringify([
    (database ?? '').toLowerCase(),
    (schema ?? '').toLowerCase(),
    (name ?? '').toLowerCase(),
  ]);
}

/** `catalogKey` of a manifest resource (alias for nodes, identifier for sources) or of a catalog table. */
export function catalogKeyOf(resource: DbtNode | DbtSource | CatalogTable): string {
  if ('sourceName' in resource) return catalogKey(resource.database, resource.schema, resource.identifier);
  if ('resourceKind' in resource) return catalogKey(resource.database, resource.schema, resource.name);
  return catalogKey(resource.database, resource.schema, resource.alias ?? resource.name);
}
