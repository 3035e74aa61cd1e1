import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { NodeRow } from './dbt-node.mapper.js';
import { DbtNodeEntity } from './dbt-node.entity.js';

export interface StoredNodeState {
  contentHash: string;
  catalogHash: string | null;
  datasetId: string | null;
  isExternal: boolean;
}

export interface DatasetNodeRow {
  unique_id: string;
  resource_type: string;
  dataset_id: string;
  database: string | null;
  schema: string | null;
  identifier: string | null;
  name: string;
  description: string | null;
  materialized: string | null;
  columns: { name: string; description?: string | null }[];
  catalog_type: string | null;
}

export interface LineageNodeRow {
  unique_id: string;
  resource_type: string;
  dataset_id: string | null;
  materialized: string | null;
  depends_on: string[];
}

export interface NodeFilter {
  projectId?: string | null;
  types?: string[] | null;
  packageName?: string | null;
  tag?: string | null;
  search?: string | null;
  status?: string | null;
}

const nodeColumns = `"unique_id" text, "resource_type" text, "name" text, "package_name" text, "dataset_id" text,
  "database" text, "schema" text, "identifier" text, "materialized" text, "description" text, "columns" jsonb,
  "tags" text[], "meta" jsonb, "owner" text, "raw_code" text, "compiled_code" text, "depends_on" text[],
  "tested_unique_id" text, "column_name" text, "is_external" boolean, "details" jsonb, "content_hash" text`;

const nodeColumnList = `"unique_id", "resource_type", "name", "package_name", "dataset_id", "database", "schema",
  "identifier", "materialized", "description", "columns", "tags", "meta", "owner", "raw_code", "compiled_code",
  "depends_on", "tested_unique_id", "column_name", "is_external", "details", "content_hash"`;

/** Only this file speaks SQL to `node` and `edge`. Batches go as one JSON parameter: one round trip each. */
@Injectable()
export class NodesRepository {
  constructor(private readonly dataSource: DataSource) {}

  async storedStates(manager: EntityManager, projectId: string): Promise<Map<string, StoredNodeState>> {
    const rows: {
      unique_id: string;
      content_hash: string;
      catalog_hash: string | null;
      dataset_id: string | null;
      is_external: boolean;
    }[] = await manager.query(
      `SELECT "unique_id", "content_hash", "catalog_hash", "dataset_id", "is_external" FROM "dbt_artifacts"."node" WHERE "project_id" = $1`,
      [projectId],
    );
    return new Map(
      rows.map((row) => [
        row.unique_id,
        {
          contentHash: row.content_hash,
          catalogHash: row.catalog_hash,
          datasetId: row.dataset_id,
          isExternal: row.is_external,
        },
      ]),
    );
  }

  /** Inserts or replaces changed nodes; returns rows written. */
  async upsert(manager: EntityManager, projectId: string, rows: NodeRow[]): Promise<number> {
    if (rows.length === 0) return 0;
    const updates = nodeColumnList
      .split(',')
      .map((column) => column.trim())
      .filter((column) => column !== '"unique_id"')
      .map((column) => `${column} = excluded.${column}`)
      .join(', ');
    await manager.query(
      `INSERT INTO "dbt_artifacts"."node" ("project_id", ${nodeColumnList}, "updated_at")
       SELECT $1, ${nodeColumnList}, now() FROM jsonb_to_recordset($2::jsonb) AS row(${nodeColumns})
       ON CONFLICT ("project_id", "unique_id") DO UPDATE SET ${updates}, "updated_at" = now()`,
      [projectId, `[${rows.map((row) => row.json).join(',')}]`],
    );
    return rows.length;
  }

  async updateCatalogs(
    manager: EntityManager,
    projectId: string,
    rows: { unique_id: string; catalog: Record<string, unknown>; catalog_hash: string }[],
  ): Promise<number> {
    if (rows.length === 0) return 0;
    const result: [unknown[], number] = await manager.query(
      `UPDATE "dbt_artifacts"."node" AS node SET "catalog" = row."catalog", "catalog_hash" = row."catalog_hash", "updated_at" = now()
       FROM jsonb_to_recordset($2::jsonb) AS row("unique_id" text, "catalog" jsonb, "catalog_hash" text)
       WHERE node."project_id" = $1 AND node."unique_id" = row."unique_id"`,
      [projectId, JSON.stringify(rows)],
    );
    return result[1];
  }

  async remove(manager: EntityManager, projectId: string, uniqueIds: string[]): Promise<number> {
    if (uniqueIds.length === 0) return 0;
    const result: [unknown[], number] = await manager.query(
      `DELETE FROM "dbt_artifacts"."node" WHERE "project_id" = $1 AND "unique_id" = ANY($2)`,
      [projectId, uniqueIds],
    );
    const edges: [unknown[], number] = await manager.query(
      `DELETE FROM "dbt_artifacts"."edge" WHERE "project_id" = $1 AND "child_id" = ANY($2)`,
      [projectId, uniqueIds],
    );
    return result[1] + edges[1];
  }

  /** Replaces the parents of the given children; returns rows written. */
  async replaceEdges(
    manager: EntityManager,
    projectId: string,
    children: { child: string; parents: string[] }[],
  ): Promise<number> {
    if (children.length === 0) return 0;
    const deleted: [unknown[], number] = await manager.query(
      `DELETE FROM "dbt_artifacts"."edge" WHERE "project_id" = $1 AND "child_id" = ANY($2)`,
      [projectId, children.map((entry) => entry.child)],
    );
    const edges = children.flatMap((entry) =>
      [...new Set(entry.parents)].map((parent) => ({ c: entry.child, p: parent })),
    );
    if (edges.length > 0) {
      await manager.query(
        `INSERT INTO "dbt_artifacts"."edge" ("project_id", "child_id", "parent_id")
         SELECT $1, row."c", row."p" FROM jsonb_to_recordset($2::jsonb) AS row("c" text, "p" text) ON CONFLICT DO NOTHING`,
        [projectId, JSON.stringify(edges)],
      );
    }
    return deleted[1] + edges.length;
  }

  async datasetNodes(
    manager: EntityManager,
    projectId: string,
    uniqueIds: string[],
  ): Promise<DatasetNodeRow[]> {
    if (uniqueIds.length === 0) return [];
    return manager.query(
      `SELECT "unique_id", "resource_type", "dataset_id", "database", "schema", "identifier", "name", "description",
              "materialized", "columns", "catalog"->>'type' AS "catalog_type"
       FROM "dbt_artifacts"."node"
       WHERE "project_id" = $1 AND "unique_id" = ANY($2) AND "dataset_id" IS NOT NULL AND NOT "is_external"`,
      [projectId, uniqueIds],
    );
  }

  /** Tests (and their tested node's dataset) by id, for status events. */
  async testsOf(
    manager: EntityManager,
    projectId: string,
    uniqueIds: string[],
  ): Promise<
    Map<
      string,
      {
        testName: string | null;
        testedUniqueId: string | null;
        columnName: string | null;
        datasetId: string | null;
      }
    >
  > {
    if (uniqueIds.length === 0) return new Map();
    const rows: {
      unique_id: string;
      test_name: string | null;
      tested_unique_id: string | null;
      column_name: string | null;
      dataset_id: string | null;
    }[] = await manager.query(
      `SELECT test."unique_id", test."details"->>'testName' AS "test_name", test."tested_unique_id", test."column_name", tested."dataset_id"
         FROM "dbt_artifacts"."node" test
         LEFT JOIN "dbt_artifacts"."node" tested ON tested."project_id" = test."project_id" AND tested."unique_id" = test."tested_unique_id"
         WHERE test."project_id" = $1 AND test."unique_id" = ANY($2) AND test."resource_type" IN ('test', 'unit_test')`,
      [projectId, uniqueIds],
    );
    return new Map(
      rows.map((row) => [
        row.unique_id,
        {
          testName: row.test_name,
          testedUniqueId: row.tested_unique_id,
          columnName: row.column_name,
          datasetId: row.dataset_id,
        },
      ]),
    );
  }

  async datasetIdsOf(
    manager: EntityManager,
    projectId: string,
    uniqueIds: string[],
  ): Promise<Map<string, string | null>> {
    if (uniqueIds.length === 0) return new Map();
    const rows: { unique_id: string; dataset_id: string | null }[] = await manager.query(
      `SELECT "unique_id", "dataset_id" FROM "dbt_artifacts"."node" WHERE "project_id" = $1 AND "unique_id" = ANY($2)`,
      [projectId, uniqueIds],
    );
    return new Map(rows.map((row) => [row.unique_id, row.dataset_id]));
  }

  lineageNodes(manager: EntityManager, projectId: string): Promise<LineageNodeRow[]> {
    return manager.query(
      `SELECT "unique_id", "resource_type", "dataset_id", "materialized", "depends_on" FROM "dbt_artifacts"."node"
       WHERE "project_id" = $1 AND "resource_type" IN ('model', 'seed', 'snapshot', 'source')`,
      [projectId],
    );
  }

  // ---- reads for the API ----

  private nodes() {
    return this.dataSource.getRepository(DbtNodeEntity);
  }

  byUniqueIds(keys: { projectId: string | null; uniqueId: string }[]): Promise<DbtNodeEntity[]> {
    if (keys.length === 0) return Promise.resolve([]);
    return this.nodes()
      .createQueryBuilder('node')
      .where('node.uniqueId = ANY(:ids)', { ids: keys.map((key) => key.uniqueId) })
      .orderBy('node.isExternal', 'ASC')
      .addOrderBy('node.updatedAt', 'DESC')
      .getMany();
  }

  /** The node that owns each dataset: a project's own node before a Mesh copy, then the newest. */
  byDatasetIds(datasetIds: readonly string[]): Promise<DbtNodeEntity[]> {
    return this.nodes()
      .createQueryBuilder('node')
      .where('node.datasetId = ANY(:ids)', { ids: [...datasetIds] })
      .andWhere(`node.resourceType IN ('model', 'seed', 'snapshot', 'source')`)
      .orderBy('node.isExternal', 'ASC')
      .addOrderBy('node.updatedAt', 'DESC')
      .getMany();
  }

  testsOfNodes(keys: { projectId: string; uniqueId: string }[]): Promise<DbtNodeEntity[]> {
    if (keys.length === 0) return Promise.resolve([]);
    return this.nodes()
      .createQueryBuilder('node')
      .where(`node.resourceType IN ('test', 'unit_test')`)
      .andWhere(
        `(node.projectId, node.testedUniqueId) IN (SELECT * FROM unnest(:projects::uuid[], :ids::text[]))`,
        { projects: keys.map((key) => key.projectId), ids: keys.map((key) => key.uniqueId) },
      )
      .orderBy('node.uniqueId')
      .getMany();
  }

  async list(
    filter: NodeFilter,
    limit: number,
    after: [string, string] | null,
  ): Promise<{ rows: DbtNodeEntity[]; total: number }> {
    const query = this.nodes().createQueryBuilder('node');
    if (filter.projectId) query.andWhere('node.projectId = :projectId', { projectId: filter.projectId });
    if (filter.types?.length) query.andWhere('node.resourceType = ANY(:types)', { types: filter.types });
    if (filter.packageName)
      query.andWhere('node.packageName = :packageName', { packageName: filter.packageName });
    if (filter.tag) query.andWhere(':tag = ANY(node.tags)', { tag: filter.tag });
    if (filter.search) {
      query.andWhere(
        `(node.name ILIKE :pattern OR node.uniqueId ILIKE :pattern OR node.description ILIKE :pattern)`,
        {
          pattern: `%${filter.search.replace(/[\\%_]/g, (character) => `\\${character}`)}%`,
        },
      );
    }
    if (filter.status) {
      query.andWhere(
        `EXISTS (SELECT 1 FROM "dbt_artifacts"."latest_result" latest WHERE latest."project_id" = node."project_id" AND latest."unique_id" = node."unique_id" AND latest."status" = :status)`,
        { status: filter.status.toLowerCase() },
      );
    }
    const total = await query.getCount();
    if (after) {
      query.andWhere('(node.projectId, node.uniqueId) > (:afterProject, :afterId)', {
        afterProject: after[0],
        afterId: after[1],
      });
    }
    const rows = await query.orderBy('node.projectId').addOrderBy('node.uniqueId').take(limit).getMany();
    return { rows, total };
  }

  /** Resources within `depth` hops up or down from one node, with the edges between them. */
  async lineage(
    projectId: string,
    uniqueId: string,
    direction: 'upstream' | 'downstream',
    depth: number,
  ): Promise<{ parent: string; child: string; depth: number }[]> {
    const [from, to] = direction === 'upstream' ? ['child_id', 'parent_id'] : ['parent_id', 'child_id'];
    return this.dataSource.query(
      `WITH RECURSIVE walk("parent", "child", "depth", "next") AS (
         SELECT edge."parent_id", edge."child_id", 1, edge."${to}" FROM "dbt_artifacts"."edge" edge
         WHERE edge."project_id" = $1 AND edge."${from}" = $2
         UNION
         SELECT edge."parent_id", edge."child_id", walk."depth" + 1, edge."${to}"
         FROM walk JOIN "dbt_artifacts"."edge" edge ON edge."project_id" = $1 AND edge."${from}" = walk."next"
         WHERE walk."depth" < $3
       )
       SELECT "parent", "child", min("depth")::int AS "depth" FROM walk GROUP BY "parent", "child" LIMIT 10000`,
      [projectId, uniqueId, depth],
    );
  }
}
