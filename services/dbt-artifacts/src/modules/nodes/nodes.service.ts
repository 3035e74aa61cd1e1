import { Injectable } from '@nestjs/common';
import { decodeCursor, notFound, pageSize, requestLoader, toConnection } from '@cartograph/platform/graphql';
import { ProjectsRepository } from '../projects/projects.repository.js';
import type { DbtNodeEntity } from './dbt-node.entity.js';
import type { DbtNode, DbtNodeFilter } from './dbt-node.model.js';
import { NodesRepository } from './nodes.repository.js';

export function toDbtNode(entity: DbtNodeEntity): DbtNode {
  return {
    uniqueId: entity.uniqueId,
    projectId: entity.projectId,
    resourceType: entity.resourceType,
    name: entity.name,
    packageName: entity.packageName,
    description: entity.description,
    database: entity.database,
    schema: entity.schema,
    identifier: entity.identifier,
    materialized: entity.materialized,
    datasetId: entity.datasetId,
    rawSql: entity.rawCode,
    compiledSql: entity.compiledCode,
    owner: entity.owner ?? ((entity.catalog?.['owner'] as string | undefined) || null),
    tags: entity.tags,
    meta: entity.meta,
    details: entity.details,
    catalog: entity.catalog,
    isExternal: entity.isExternal,
    columnName: entity.columnName,
    testedUniqueId: entity.testedUniqueId,
    dependsOn: entity.dependsOn,
    documentedColumns: entity.columns,
  };
}

const key = (projectId: string, uniqueId: string) => `${projectId}\u0000${uniqueId}`;

@Injectable()
export class NodesService {
  constructor(
    private readonly nodes: NodesRepository,
    private readonly projects: ProjectsRepository,
  ) {}

  /** The node owning each dataset (batched per request). */
  byDataset(context: object, datasetId: string): Promise<DbtNode | null> {
    return requestLoader<string, DbtNode | null>(context, 'dbt-node-by-dataset', async (ids) => {
      const rows = await this.nodes.byDatasetIds(ids);
      const first = new Map<string, DbtNode>();
      for (const row of rows)
        if (row.datasetId && !first.has(row.datasetId)) first.set(row.datasetId, toDbtNode(row));
      return ids.map((id) => first.get(id) ?? null);
    }).load(datasetId);
  }

  async byUniqueId(uniqueId: string, projectName: string | null): Promise<DbtNode | null> {
    const projectId = projectName ? (await this.projects.byName(projectName))?.id : null;
    if (projectName && !projectId) throw notFound(`dbt project "${projectName}"`);
    const rows = await this.nodes.byUniqueIds([{ projectId: projectId ?? null, uniqueId }]);
    const row = rows.find((candidate) => !projectId || candidate.projectId === projectId);
    return row ? toDbtNode(row) : null;
  }

  /** Nodes of one project by unique id (batched per request). */
  inProject(context: object, projectId: string, uniqueId: string): Promise<DbtNode | null> {
    return requestLoader<string, DbtNode | null>(context, 'dbt-node', async (keys) => {
      const rows = await this.nodes.byUniqueIds(
        keys.map((entry) => ({ projectId: entry.split('\u0000')[0]!, uniqueId: entry.split('\u0000')[1]! })),
      );
      const found = new Map(rows.map((row) => [key(row.projectId, row.uniqueId), toDbtNode(row)]));
      return keys.map((entry) => found.get(entry) ?? null);
    }).load(key(projectId, uniqueId));
  }

  /** Tests attached to a node (batched per request). */
  async testsOf(context: object, node: DbtNode): Promise<DbtNode[]> {
    const tests = await requestLoader<string, DbtNode[]>(context, 'dbt-tests-of', async (keys) => {
      const rows = await this.nodes.testsOfNodes(
        keys.map((entry) => ({ projectId: entry.split('\u0000')[0]!, uniqueId: entry.split('\u0000')[1]! })),
      );
      const grouped = new Map<string, DbtNode[]>();
      for (const row of rows) {
        const parent = key(row.projectId, row.testedUniqueId ?? '');
        grouped.set(parent, [...(grouped.get(parent) ?? []), toDbtNode(row)]);
      }
      return keys.map((entry) => grouped.get(entry) ?? []);
    }).load(key(node.projectId, node.uniqueId));
    return tests ?? [];
  }

  async list(filter: DbtNodeFilter | null, first: number, after: string | null) {
    const size = pageSize(first);
    const cursor = decodeCursor(after) as [string, string] | null;
    let projectId: string | null = null;
    if (filter?.project) {
      projectId = (await this.projects.byName(filter.project))?.id ?? null;
      if (!projectId) throw notFound(`dbt project "${filter.project}"`);
    }
    const { rows, total } = await this.nodes.list({ ...filter, projectId }, size + 1, cursor);
    return toConnection(
      rows,
      size,
      total,
      (row) => [row.projectId, row.uniqueId],
      Boolean(cursor),
      toDbtNode,
    );
  }

  async lineage(context: object, node: DbtNode, direction: 'upstream' | 'downstream', depth: number) {
    const edges = await this.nodes.lineage(node.projectId, node.uniqueId, direction, depth);
    const ids = [...new Set(edges.flatMap((edge) => [edge.parent, edge.child]))].filter(
      (id) => id !== node.uniqueId,
    );
    const nodes = (await Promise.all(ids.map((id) => this.inProject(context, node.projectId, id)))).filter(
      (candidate): candidate is DbtNode => candidate !== null,
    );
    return { nodes, edges };
  }
}
