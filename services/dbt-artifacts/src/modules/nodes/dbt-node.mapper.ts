import { createHash } from 'node:crypto';
import {
  datasetForResource,
  type ArtifactHeader,
  type ArtifactRecord,
  type CatalogTable,
  type DbtNode,
  type DbtSource,
} from '@cartograph/dbt';

/** A `node` row as the ingest writes it (snake_case keys: it goes to Postgres as JSON). */
export interface NodeRow {
  unique_id: string;
  resource_type: string;
  name: string;
  package_name: string | null;
  dataset_id: string | null;
  database: string | null;
  schema: string | null;
  identifier: string | null;
  materialized: string | null;
  description: string | null;
  columns: unknown[];
  tags: string[];
  meta: Record<string, unknown>;
  owner: string | null;
  raw_code: string | null;
  compiled_code: string | null;
  depends_on: string[];
  tested_unique_id: string | null;
  column_name: string | null;
  is_external: boolean;
  details: Record<string, unknown>;
  content_hash: string;
  /** The row as JSON, serialised once for both the hash and the batch insert (manifests reach hundreds of MB). */
  json: string;
}

export interface MappingContext {
  header: ArtifactHeader;
  instance: string;
  projectName: string;
}

export function contentHash(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('base64url');
}

function ownerOf(meta: Record<string, unknown> | null | undefined): string | null {
  const owner = meta?.['owner'];
  if (typeof owner === 'string' && owner.trim() !== '') return owner;
  if (owner && typeof owner === 'object') {
    const named = owner as { name?: unknown; email?: unknown };
    if (typeof named.email === 'string') return named.email;
    if (typeof named.name === 'string') return named.name;
  }
  return null;
}

function datasetOf(resource: DbtNode | DbtSource, context: MappingContext): string | null {
  if (!context.header.adapterType) return null;
  try {
    return (
      datasetForResource(resource, {
        adapterType: context.header.adapterType,
        instance: context.instance,
        quoting: context.header.quoting,
      })?.id ?? null
    );
  } catch {
    // A name the platform cannot hold (or an adapter we do not know) leaves the node without a dataset.
    return null;
  }
}

function finish(row: Omit<NodeRow, 'content_hash' | 'json'>): NodeRow {
  const text = JSON.stringify(row);
  const hash = createHash('sha256').update(text).digest('base64url');
  return { ...row, content_hash: hash, json: `{"content_hash":${JSON.stringify(hash)},${text.slice(1)}` };
}

/** The `node` row of a manifest (or semantic manifest) record; null for records that are not resources. */
export function nodeRowOf(record: ArtifactRecord, context: MappingContext): NodeRow | null {
  switch (record.type) {
    case 'node': {
      const { node } = record;
      const {
        uniqueId,
        resourceType,
        name,
        packageName,
        database,
        schema,
        alias,
        materialized,
        description,
        columns,
        tags,
        meta,
        rawCode,
        compiledCode,
        dependsOn,
        ...details
      } = node;
      return finish({
        unique_id: uniqueId,
        resource_type: resourceType,
        name,
        package_name: packageName,
        dataset_id: datasetOf(node, context),
        database,
        schema,
        identifier: alias,
        materialized,
        description: description || null,
        columns,
        tags,
        meta,
        owner: ownerOf(meta) ?? ownerOf(node.config?.['meta'] as Record<string, unknown> | undefined),
        raw_code: rawCode,
        compiled_code: compiledCode,
        depends_on: dependsOn,
        tested_unique_id: null,
        column_name: null,
        is_external: node.isExternal === true && packageName !== context.projectName,
        details,
      });
    }
    case 'source': {
      const { source } = record;
      const {
        uniqueId,
        name,
        packageName,
        database,
        schema,
        identifier,
        description,
        columns,
        tags,
        meta,
        ...details
      } = source;
      return finish({
        unique_id: uniqueId,
        resource_type: 'source',
        name,
        package_name: packageName,
        dataset_id: datasetOf(source, context),
        database,
        schema,
        identifier,
        materialized: null,
        description: description || null,
        columns,
        tags,
        meta,
        owner: ownerOf(meta) ?? ownerOf(source.sourceMeta),
        raw_code: null,
        compiled_code: null,
        depends_on: [],
        tested_unique_id: null,
        column_name: null,
        is_external: false,
        details,
      });
    }
    case 'test': {
      const { test } = record;
      const {
        uniqueId,
        name,
        packageName,
        description,
        tags,
        meta,
        rawCode,
        compiledCode,
        dependsOn,
        ...details
      } = test;
      return finish({
        unique_id: uniqueId,
        resource_type: 'test',
        name,
        package_name: packageName,
        dataset_id: null,
        database: null,
        schema: null,
        identifier: null,
        materialized: 'test',
        description: description || null,
        columns: [],
        tags,
        meta,
        owner: ownerOf(meta),
        raw_code: rawCode,
        compiled_code: compiledCode,
        depends_on: dependsOn,
        tested_unique_id: test.attachedNodeId,
        column_name: test.columnName,
        is_external: false,
        details,
      });
    }
    case 'unit_test': {
      const { unitTest } = record;
      const { uniqueId, name, packageName, description, tags, dependsOn, ...details } = unitTest;
      return finish({
        ...generic(uniqueId, 'unit_test', name, packageName, description, dependsOn, details),
        tags: tags ?? [],
        tested_unique_id: unitTest.modelUniqueId,
      });
    }
    case 'exposure': {
      const { uniqueId, name, packageName, description, tags, meta, dependsOn, ...details } = record.exposure;
      const owner = record.exposure.owner;
      return finish({
        ...generic(uniqueId, 'exposure', name, packageName, description, dependsOn, details),
        tags,
        meta,
        owner: owner?.email?.[0] ?? owner?.name ?? null,
      });
    }
    case 'metric': {
      const { uniqueId, name, packageName, description, tags, meta, dependsOn, ...details } = record.metric;
      return finish({
        ...generic(
          uniqueId ?? `metric.${context.projectName}.${name}`,
          'metric',
          name ?? uniqueId ?? '',
          packageName,
          description,
          dependsOn,
          details,
        ),
        tags,
        meta,
      });
    }
    case 'semantic_model': {
      const { uniqueId, name, packageName, description, dependsOn, ...details } = record.semanticModel;
      return finish(
        generic(
          uniqueId ?? `semantic_model.${context.projectName}.${name}`,
          'semantic_model',
          name ?? uniqueId ?? '',
          packageName,
          description,
          dependsOn,
          details,
        ),
      );
    }
    case 'saved_query': {
      const { uniqueId, name, packageName, description, dependsOn, ...details } = record.savedQuery;
      return finish(
        generic(
          uniqueId ?? `saved_query.${context.projectName}.${name}`,
          'saved_query',
          name ?? uniqueId ?? '',
          packageName,
          description,
          dependsOn,
          details,
        ),
      );
    }
    case 'group': {
      const { group } = record;
      const uniqueId = `group.${context.projectName}.${group.name}`;
      return finish({
        ...generic(uniqueId, 'group', group.name, context.projectName, group.description, [], { ...group }),
        owner: group.owner?.email?.[0] ?? group.owner?.name ?? null,
      });
    }
    case 'doc': {
      const { doc } = record;
      return finish(generic(doc.uniqueId, 'doc', doc.name, doc.packageName, doc.blockContents, [], {}));
    }
    default:
      return null;
  }
}

function generic(
  uniqueId: string,
  resourceType: string,
  name: string,
  packageName: string | null | undefined,
  description: string | null | undefined,
  dependsOn: string[] | null | undefined,
  details: Record<string, unknown>,
): Omit<NodeRow, 'content_hash' | 'json'> {
  return {
    unique_id: uniqueId,
    resource_type: resourceType,
    name,
    package_name: packageName ?? null,
    dataset_id: null,
    database: null,
    schema: null,
    identifier: null,
    materialized: null,
    description: description || null,
    columns: [],
    tags: [],
    meta: {},
    owner: null,
    raw_code: null,
    compiled_code: null,
    depends_on: dependsOn ?? [],
    tested_unique_id: null,
    column_name: null,
    is_external: false,
    details,
  };
}

/** The warehouse's view of a node from catalog.json, stored beside the documented columns. */
export function catalogOf(table: CatalogTable): { catalog: Record<string, unknown>; hash: string } {
  const catalog = {
    type: table.tableType,
    owner: table.owner,
    comment: table.comment,
    columns: table.columns,
    rowCount: table.stats.rowCount,
    bytes: table.stats.bytes,
    lastModified: table.stats.lastModified,
    stats: table.stats.raw,
  };
  return { catalog, hash: contentHash(catalog) };
}
