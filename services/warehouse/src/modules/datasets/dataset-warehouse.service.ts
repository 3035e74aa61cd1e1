import { Injectable } from '@nestjs/common';
import {
  badUserInput,
  decodeCursor,
  pageSize,
  requestLoader,
  toConnection,
} from '@cartograph/platform/graphql';
import { WarehouseTablesRepository } from '../crawl/warehouse-tables.repository.js';
import { LineageService, MAXIMUM_DEPTH, MAXIMUM_NODES } from '../lineage/lineage.service.js';
import type { TraversalDirection } from '../lineage/lineage.repository.js';
import type { WarehouseTableEntity } from '../crawl/warehouse-table.entity.js';
import { DatasetInsightsRepository, type QueryRow } from './dataset-insights.repository.js';
import type {
  DatasetConsumer,
  DatasetReference,
  DatasetUsage,
  ImpactAnalysis,
  LineageGraph,
  LineageNeighbor,
  WarehouseColumn,
  WarehouseQuery,
  WarehouseTable,
} from './dataset-warehouse.model.js';

function checkDepth(depth: number): number {
  if (!Number.isInteger(depth) || depth < 1 || depth > MAXIMUM_DEPTH) {
    throw badUserInput(`depth must be from 1 to ${MAXIMUM_DEPTH}, got ${depth}`, { argument: 'depth' });
  }
  return depth;
}

function checkFirst(first: number): number {
  if (!Number.isInteger(first) || first < 1 || first > MAXIMUM_NODES) {
    throw badUserInput(`first must be from 1 to ${MAXIMUM_NODES}, got ${first}`, { argument: 'first' });
  }
  return first;
}

const reference = (id: string) => ({ id });

/** The warehouse's fields of `Dataset`: columns and stats from the crawl, lineage, queries, usage, consumers. */
@Injectable()
export class DatasetWarehouseService {
  constructor(
    private readonly tables: WarehouseTablesRepository,
    private readonly lineage: LineageService,
    private readonly insights: DatasetInsightsRepository,
  ) {}

  private table(context: object, datasetId: string): Promise<WarehouseTableEntity | null> {
    return requestLoader<string, WarehouseTableEntity>(context, 'warehouse-table', async (ids) => {
      const rows = await this.tables.byDatasetIds(ids);
      const byId = new Map(rows.map((row) => [row.datasetId, row]));
      return ids.map((id) => byId.get(id) ?? null);
    }).load(datasetId);
  }

  async columns(context: object, datasetId: string): Promise<WarehouseColumn[] | null> {
    const table = await this.table(context, datasetId);
    return table ? table.columns.map((column) => ({ ...column })) : null;
  }

  async warehouseTable(context: object, datasetId: string): Promise<WarehouseTable | null> {
    const table = await this.table(context, datasetId);
    if (!table) return null;
    return {
      connectionId: table.connectionId,
      kind: table.kind,
      comment: table.comment,
      rowCount: table.rowCount === null ? null : Number(table.rowCount),
      bytes: table.bytes === null ? null : Number(table.bytes),
      viewDefinition: table.viewDefinition,
      createdAt: table.createdInWarehouseAt,
      alteredAt: table.alteredAt,
      crawledAt: table.crawledAt,
    };
  }

  async neighbours(
    datasetId: string,
    direction: TraversalDirection,
    depth: number,
    first: number,
  ): Promise<LineageNeighbor[]> {
    const rows = await this.lineage.neighbours(datasetId, direction, checkDepth(depth), checkFirst(first));
    return rows.map((row) => ({ dataset: reference(row.datasetId), distance: row.distance }));
  }

  async graph(
    datasetId: string,
    direction: TraversalDirection | 'both',
    depth: number,
    first: number,
  ): Promise<LineageGraph> {
    const graph = await this.lineage.graph(datasetId, direction, checkDepth(depth), checkFirst(first));
    return {
      nodes: graph.nodes.map((node) => ({ dataset: reference(node.datasetId), distance: node.distance })),
      edges: graph.edges,
      truncated: graph.truncated,
    };
  }

  async impact(
    datasetId: string,
    column: string | null,
    depth: number,
    first: number,
  ): Promise<ImpactAnalysis> {
    const limit = checkFirst(first);
    const datasets = await this.lineage.neighbours(datasetId, 'downstream', checkDepth(depth), limit + 1);
    const columns = await this.lineage.impact(datasetId, column?.trim() || null, depth, limit + 1);
    return {
      datasets: (column ? this.fromColumns(columns) : datasets)
        .slice(0, limit)
        .map((row) => ({ dataset: reference(row.datasetId), distance: row.distance })),
      columns: columns
        .slice(0, limit)
        .map((row) => ({ dataset: reference(row.datasetId), column: row.column, distance: row.distance })),
      truncated: datasets.length > limit || columns.length > limit,
    };
  }

  /** The datasets the impacted columns belong to, nearest first. */
  private fromColumns(
    columns: { datasetId: string; distance: number }[],
  ): { datasetId: string; distance: number }[] {
    const nearest = new Map<string, number>();
    for (const row of columns)
      nearest.set(row.datasetId, Math.min(nearest.get(row.datasetId) ?? row.distance, row.distance));
    return [...nearest]
      .map(([datasetId, distance]) => ({ datasetId, distance }))
      .sort((left, right) => left.distance - right.distance);
  }

  async columnSources(datasetId: string, column: string) {
    const rows = await this.lineage.columnSources(datasetId, column);
    return rows.map((row) => ({ dataset: reference(row.datasetId), column: row.column, distance: 1 }));
  }

  async queries(datasetId: string, first: number, after: string | null) {
    const size = pageSize(first, 20);
    const cursor = decodeCursor(after) as [string, string, string] | null;
    const { rows, total } = await this.insights.queries(datasetId, size + 1, cursor);
    return toConnection(
      rows,
      size,
      total,
      (row) => [row.last_seen_at.toISOString(), row.query_key, row.role],
      Boolean(cursor),
      toQueryView,
    );
  }

  async usage(datasetId: string, days: number): Promise<DatasetUsage> {
    if (!Number.isInteger(days) || days < 1 || days > 365) {
      throw badUserInput(`days must be from 1 to 365, got ${days}`, { argument: 'days' });
    }
    const { daily, users } = await this.insights.usage(datasetId, days);
    return {
      days,
      reads: daily.reduce((sum, row) => sum + row.reads, 0),
      writes: daily.reduce((sum, row) => sum + row.writes, 0),
      distinctUsers: users.length,
      topUsers: users.slice(0, 10),
      daily,
    };
  }

  consumers(context: object, datasetId: string): Promise<DatasetConsumer[] | null> {
    return requestLoader<string, DatasetConsumer[]>(context, 'warehouse-consumers', async (ids) => {
      const rows = await this.insights.attributedReads(ids);
      const byDataset = new Map<string, Map<string, DatasetConsumer>>();
      for (const row of rows) {
        const tool = row.attribution.tool;
        const projectId = row.attribution.projectId;
        const key = `${tool}\n${projectId ?? ''}`;
        const consumers = byDataset.get(row.dataset_id) ?? new Map<string, DatasetConsumer>();
        byDataset.set(row.dataset_id, consumers);
        const consumer = consumers.get(key) ?? {
          tool,
          projectId,
          projectName: null,
          executions: 0,
          queries: 0,
          lastSeenAt: row.last_seen_at,
          users: [],
          hexProject: tool === 'hex' && projectId ? reference(projectId) : null,
        };
        consumers.set(key, consumer);
        consumer.projectName ??= row.attribution.projectName;
        consumer.executions += Number(row.executions);
        consumer.queries += 1;
        if (row.last_seen_at > consumer.lastSeenAt) consumer.lastSeenAt = row.last_seen_at;
        for (const user of row.users) {
          if (consumer.users.length < 20 && !consumer.users.includes(user)) consumer.users.push(user);
        }
      }
      return ids.map((id) =>
        [...(byDataset.get(id)?.values() ?? [])].sort(
          (left, right) => right.lastSeenAt.getTime() - left.lastSeenAt.getTime(),
        ),
      );
    }).load(datasetId);
  }

  /** Hex projects whose queries read the dataset (by their query comments), by project id. */
  async hexProjects(context: object, datasetId: string): Promise<{ id: string }[]> {
    const projects = await requestLoader<string, { id: string }[]>(
      context,
      'warehouse-hex-projects',
      async (ids) => {
        const rows = await this.insights.hexProjectReads({ datasetIds: ids });
        return ids.map((id) =>
          rows.filter((row) => row.dataset_id === id).map((row) => ({ id: row.project_id })),
        );
      },
    ).load(datasetId);
    return projects ?? [];
  }

  /** Datasets a Hex project's queries read (by their query comments). */
  async hexProjectDatasets(context: object, projectId: string): Promise<DatasetReference[]> {
    const datasets = await requestLoader<string, DatasetReference[]>(
      context,
      'warehouse-hex-project-datasets',
      async (ids) => {
        const rows = await this.insights.hexProjectReads({ projectIds: ids });
        return ids.map((id) =>
          rows.filter((row) => row.project_id === id).map((row) => reference(row.dataset_id)),
        );
      },
    ).load(projectId);
    return datasets ?? [];
  }
}

function toQueryView(row: QueryRow): WarehouseQuery {
  const executions = Number(row.executions);
  return {
    id: `${row.connection_id}:${row.query_key}`,
    connectionId: row.connection_id,
    sql: row.sample_text,
    sqlTruncated: row.sample_truncated,
    statementType: row.statement_type,
    role: row.role.toUpperCase(),
    sources: row.sources,
    targets: row.targets,
    executions,
    users: row.users,
    firstSeenAt: row.first_seen_at,
    lastSeenAt: row.last_seen_at,
    averageDurationMs:
      row.total_duration_ms === null || executions === 0 ? null : Number(row.total_duration_ms) / executions,
    attribution: row.attribution
      ? {
          tool: row.attribution.tool,
          projectId: row.attribution.projectId,
          projectName: row.attribution.projectName,
          context: row.attribution.detail?.['context'] ?? null,
        }
      : null,
    lineageOrigin: row.lineage_origin,
    error: row.error_reason ? `${row.error_reason}: ${row.error_message ?? ''}`.trim() : null,
  };
}
