import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { LineageEdgesChanged, type EventData } from '@cartograph/contracts';
import { OutboxPublisher } from '@cartograph/platform/events';
import {
  LineageRepository,
  type EdgePair,
  type GraphEdgeRow,
  type TraversalDirection,
  type TraversalRow,
} from './lineage.repository.js';

/** Edges per `lineage.edges_changed` event: large change sets are split so no event is huge. */
const EDGES_PER_EVENT = 1_000;

export const MAXIMUM_DEPTH = 10;
export const MAXIMUM_NODES = 1_000;

export type LineageOrigin = 'query' | 'view' | 'dbt';

export interface LineageGraph {
  nodes: TraversalRow[];
  edges: GraphEdgeRow[];
  /** More datasets were within reach than `first`. */
  truncated: boolean;
}

@Injectable()
export class LineageService {
  constructor(
    private readonly lineage: LineageRepository,
    private readonly publisher: OutboxPublisher,
  ) {}

  /** Announces a change set of a scope, in events of at most 1,000 edges each. */
  async announce(
    manager: EntityManager,
    scope: string,
    origin: LineageOrigin,
    change: { added: EdgePair[]; removed: EdgePair[] },
  ): Promise<void> {
    const changedAt = new Date().toISOString();
    const events: EventData<typeof LineageEdgesChanged>[] = [];
    for (
      let offset = 0;
      offset < Math.max(change.added.length, change.removed.length);
      offset += EDGES_PER_EVENT
    ) {
      events.push({
        scope,
        origin,
        added: change.added.slice(offset, offset + EDGES_PER_EVENT),
        removed: change.removed.slice(offset, offset + EDGES_PER_EVENT),
        changedAt,
      });
    }
    if (events.length > 0) await this.publisher.publishMany(manager, LineageEdgesChanged, events);
  }

  /**
   * One batch of another source's observation. Batches wait in `observed_edge_batch` until the observation is
   * complete; then the scope's edges are replaced by the union and the difference is announced.
   */
  async applyObservation(
    manager: EntityManager,
    observation: {
      source: string;
      scope: string;
      observationId: string;
      batch: { index: number; count: number };
      edges: EdgePair[];
      observedAt: string;
    },
  ): Promise<void> {
    await manager.query(
      `INSERT INTO "warehouse"."observed_edge_batch" ("observation_id", "batch_index", "batch_count", "scope", "edges", "observed_at")
       VALUES ($1, $2, $3, $4, $5::jsonb, $6) ON CONFLICT DO NOTHING`,
      [
        observation.observationId,
        observation.batch.index,
        observation.batch.count,
        observation.scope,
        JSON.stringify(observation.edges),
        observation.observedAt,
      ],
    );
    const batches: { edges: EdgePair[]; observed_at: Date }[] = await manager.query(
      `SELECT "edges", "observed_at" FROM "warehouse"."observed_edge_batch" WHERE "observation_id" = $1 ORDER BY "batch_index"`,
      [observation.observationId],
    );
    if (batches.length < observation.batch.count) return;
    // An older observation arriving late must not replace a newer one.
    const newer: { found: number }[] = await manager.query(
      `SELECT 1 AS found FROM "warehouse"."lineage_edge" WHERE "scope" = $1 AND "last_seen_at" > $2 LIMIT 1`,
      [observation.scope, observation.observedAt],
    );
    await manager.query(`DELETE FROM "warehouse"."observed_edge_batch" WHERE "observation_id" = $1`, [
      observation.observationId,
    ]);
    if (newer.length > 0) return;
    const origin: LineageOrigin =
      observation.source === 'dbt' || observation.source === 'dbt-cloud' ? 'dbt' : 'query';
    const change = await this.lineage.replaceEdges(
      manager,
      observation.scope,
      origin,
      batches.flatMap((batch) => batch.edges),
      new Date(observation.observedAt),
    );
    await this.announce(manager, observation.scope, origin, change);
  }

  neighbours(
    datasetId: string,
    direction: TraversalDirection,
    depth: number,
    first: number,
  ): Promise<TraversalRow[]> {
    return this.lineage.traverse(datasetId, direction, clampDepth(depth), clampNodes(first));
  }

  async graph(
    datasetId: string,
    direction: TraversalDirection | 'both',
    depth: number,
    first: number,
  ): Promise<LineageGraph> {
    const limit = clampNodes(first);
    const directions: TraversalDirection[] = direction === 'both' ? ['upstream', 'downstream'] : [direction];
    const found = new Map<string, TraversalRow>();
    let truncated = false;
    for (const side of directions) {
      const rows = await this.lineage.traverse(datasetId, side, clampDepth(depth), limit + 1);
      if (rows.length > limit) truncated = true;
      for (const row of rows.slice(0, limit)) {
        const previous = found.get(row.datasetId);
        if (!previous || previous.distance > row.distance) found.set(row.datasetId, row);
      }
    }
    const nodes = [
      { datasetId, distance: 0 },
      ...[...found.values()].filter((row) => row.datasetId !== datasetId),
    ];
    const edges = await this.lineage.edgesAmong(nodes.map((node) => node.datasetId));
    return { nodes, edges, truncated };
  }

  impact(datasetId: string, column: string | null, depth: number, first: number) {
    return this.lineage.columnImpact(datasetId, column, clampDepth(depth), clampNodes(first));
  }

  columnSources(datasetId: string, column: string) {
    return this.lineage.columnSources(datasetId, column);
  }
}

function clampDepth(depth: number): number {
  return Math.max(1, Math.min(MAXIMUM_DEPTH, Math.trunc(depth)));
}

function clampNodes(first: number): number {
  return Math.max(1, Math.min(MAXIMUM_NODES, Math.trunc(first)));
}
