import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

export interface EdgeObservation {
  upstream: string;
  downstream: string;
  executions: number;
  firstSeenAt: Date;
  lastSeenAt: Date;
  queryKey: string | null;
  users: string[];
}

export interface ColumnEdgeObservation {
  upstream: string;
  upstreamColumn: string;
  downstream: string;
  downstreamColumn: string;
  lastSeenAt: Date;
}

export interface EdgePair {
  upstream: string;
  downstream: string;
}

export interface TraversalRow {
  datasetId: string;
  distance: number;
}

export interface GraphEdgeRow {
  upstream: string;
  downstream: string;
  origins: string[];
  executions: number;
  firstSeenAt: Date;
  lastSeenAt: Date;
}

export type TraversalDirection = 'upstream' | 'downstream';

const MAXIMUM_LIST = 20;

/**
 * The lineage graph in Postgres: dataset ids interned to bigint nodes, edges per scope. Traversals are
 * recursive CTEs over the (upstream, downstream) and (downstream, upstream) indexes.
 */
@Injectable()
export class LineageRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Node ids of the given dataset ids, creating missing nodes. */
  async intern(manager: EntityManager, datasetIds: readonly string[]): Promise<Map<string, string>> {
    const unique = [...new Set(datasetIds)];
    const nodes = new Map<string, string>();
    if (unique.length === 0) return nodes;
    // Sorted inserts keep concurrent syncs from deadlocking on the unique index.
    unique.sort();
    await manager.query(
      `INSERT INTO "warehouse"."lineage_node" ("dataset_id") SELECT unnest($1::text[]) ON CONFLICT DO NOTHING`,
      [unique],
    );
    const rows: { id: string; dataset_id: string }[] = await manager.query(
      `SELECT "id", "dataset_id" FROM "warehouse"."lineage_node" WHERE "dataset_id" = ANY($1::text[])`,
      [unique],
    );
    for (const row of rows) nodes.set(row.dataset_id, row.id);
    return nodes;
  }

  async nodeIds(datasetIds: readonly string[]): Promise<Map<string, string>> {
    const rows: { id: string; dataset_id: string }[] = await this.dataSource.query(
      `SELECT "id", "dataset_id" FROM "warehouse"."lineage_node" WHERE "dataset_id" = ANY($1::text[])`,
      [[...new Set(datasetIds)]],
    );
    return new Map(rows.map((row) => [row.dataset_id, row.id]));
  }

  /**
   * Adds executions to query edges of a scope; returns the edges that are new to the whole graph (no other
   * scope had them), which is what `lineage.edges_changed` announces.
   */
  async observeEdges(
    manager: EntityManager,
    scope: string,
    origin: string,
    edges: readonly EdgeObservation[],
  ): Promise<EdgePair[]> {
    if (edges.length === 0) return [];
    const nodes = await this.intern(
      manager,
      edges.flatMap((edge) => [edge.upstream, edge.downstream]),
    );
    // One row per edge: ON CONFLICT cannot update a row twice in one statement.
    const merged = new Map<
      string,
      { u: string; d: string; n: number; f: string; l: string; q: string[]; s: string[] }
    >();
    for (const edge of edges) {
      const u = nodes.get(edge.upstream)!;
      const d = nodes.get(edge.downstream)!;
      if (u === d) continue;
      const key = `${u}>${d}`;
      const row = merged.get(key);
      const first = edge.firstSeenAt.toISOString();
      const last = edge.lastSeenAt.toISOString();
      if (!row) {
        merged.set(key, {
          u,
          d,
          n: edge.executions,
          f: first,
          l: last,
          q: edge.queryKey ? [edge.queryKey] : [],
          s: [...new Set(edge.users)].slice(0, MAXIMUM_LIST),
        });
        continue;
      }
      row.n += edge.executions;
      if (first < row.f) row.f = first;
      if (last > row.l) row.l = last;
      if (edge.queryKey && row.q.length < MAXIMUM_LIST && !row.q.includes(edge.queryKey))
        row.q.push(edge.queryKey);
      for (const user of edge.users)
        if (row.s.length < MAXIMUM_LIST && !row.s.includes(user)) row.s.push(user);
    }
    const rows = [...merged.values()].sort(
      (left, right) => Number(left.u) - Number(right.u) || Number(left.d) - Number(right.d),
    );
    if (rows.length === 0) return [];
    const fresh: { u: string; d: string }[] = await manager.query(
      `WITH input AS (
         SELECT * FROM jsonb_to_recordset($3::jsonb) AS x(u bigint, d bigint, n bigint, f timestamptz, l timestamptz, q text[], s text[])
       ), novel AS (
         SELECT i.u, i.d FROM input i
         WHERE NOT EXISTS (SELECT 1 FROM "warehouse"."lineage_edge" e WHERE e."upstream_id" = i.u AND e."downstream_id" = i.d)
       ), written AS (
         INSERT INTO "warehouse"."lineage_edge" AS e
           ("scope", "upstream_id", "downstream_id", "origin", "first_seen_at", "last_seen_at", "executions", "query_keys", "users")
         SELECT $1, u, d, $2, f, l, n, q, s FROM input
         ON CONFLICT ("scope", "upstream_id", "downstream_id") DO UPDATE SET
           "first_seen_at" = LEAST(e."first_seen_at", EXCLUDED."first_seen_at"),
           "last_seen_at" = GREATEST(e."last_seen_at", EXCLUDED."last_seen_at"),
           "executions" = e."executions" + EXCLUDED."executions",
           "query_keys" = CASE WHEN cardinality(e."query_keys") >= ${MAXIMUM_LIST} THEN e."query_keys"
             ELSE ARRAY(SELECT DISTINCT unnest(e."query_keys" || EXCLUDED."query_keys") LIMIT ${MAXIMUM_LIST}) END,
           "users" = CASE WHEN cardinality(e."users") >= ${MAXIMUM_LIST} THEN e."users"
             ELSE ARRAY(SELECT DISTINCT unnest(e."users" || EXCLUDED."users") LIMIT ${MAXIMUM_LIST}) END
         RETURNING 1
       )
       SELECT u::text, d::text FROM novel`,
      [scope, origin, JSON.stringify(rows)],
    );
    return this.pairs(manager, fresh);
  }

  /**
   * Replaces the complete edge set of a scope (dbt projects, a connection's view definitions). Returns what
   * appeared in and disappeared from the whole graph.
   */
  async replaceEdges(
    manager: EntityManager,
    scope: string,
    origin: string,
    edges: readonly EdgePair[],
    seenAt: Date,
  ): Promise<{ added: EdgePair[]; removed: EdgePair[] }> {
    const nodes = await this.intern(
      manager,
      edges.flatMap((edge) => [edge.upstream, edge.downstream]),
    );
    const wanted = new Map<string, { u: string; d: string }>();
    for (const edge of edges) {
      const u = nodes.get(edge.upstream)!;
      const d = nodes.get(edge.downstream)!;
      if (u !== d) wanted.set(`${u}>${d}`, { u, d });
    }
    const existing: { u: string; d: string }[] = await manager.query(
      `SELECT "upstream_id"::text AS u, "downstream_id"::text AS d FROM "warehouse"."lineage_edge" WHERE "scope" = $1`,
      [scope],
    );
    const existingKeys = new Set(existing.map((row) => `${row.u}>${row.d}`));
    const gone = existing.filter((row) => !wanted.has(`${row.u}>${row.d}`));
    const appear = [...wanted.values()].filter((row) => !existingKeys.has(`${row.u}>${row.d}`));
    const exists = async (rows: { u: string; d: string }[]) => {
      if (rows.length === 0) return new Set<string>();
      const found: { u: string; d: string }[] = await manager.query(
        `SELECT DISTINCT e."upstream_id"::text AS u, e."downstream_id"::text AS d
         FROM "warehouse"."lineage_edge" e
         JOIN jsonb_to_recordset($1::jsonb) AS x(u bigint, d bigint) ON e."upstream_id" = x.u AND e."downstream_id" = x.d
         WHERE e."scope" <> $2`,
        [JSON.stringify(rows), scope],
      );
      return new Set(found.map((row) => `${row.u}>${row.d}`));
    };
    // An edge is new (or gone) for the graph only when no other scope has it.
    const elsewhereAppear = await exists(appear);
    const elsewhereGone = await exists(gone);
    if (gone.length > 0) {
      await manager.query(
        `DELETE FROM "warehouse"."lineage_edge" e USING jsonb_to_recordset($2::jsonb) AS x(u bigint, d bigint)
         WHERE e."scope" = $1 AND e."upstream_id" = x.u AND e."downstream_id" = x.d`,
        [scope, JSON.stringify(gone)],
      );
    }
    if (wanted.size > 0) {
      await manager.query(
        `INSERT INTO "warehouse"."lineage_edge" AS e ("scope", "upstream_id", "downstream_id", "origin", "first_seen_at", "last_seen_at")
         SELECT $1, x.u, x.d, $2, $3, $3 FROM jsonb_to_recordset($4::jsonb) AS x(u bigint, d bigint)
         ORDER BY x.u, x.d
         ON CONFLICT ("scope", "upstream_id", "downstream_id") DO UPDATE SET "last_seen_at" = EXCLUDED."last_seen_at"`,
        [scope, origin, seenAt.toISOString(), JSON.stringify([...wanted.values()])],
      );
    }
    return {
      added: await this.pairs(
        manager,
        appear.filter((row) => !elsewhereAppear.has(`${row.u}>${row.d}`)),
      ),
      removed: await this.pairs(
        manager,
        gone.filter((row) => !elsewhereGone.has(`${row.u}>${row.d}`)),
      ),
    };
  }

  async observeColumnEdges(
    manager: EntityManager,
    scope: string,
    edges: readonly ColumnEdgeObservation[],
  ): Promise<void> {
    if (edges.length === 0) return;
    const nodes = await this.intern(
      manager,
      edges.flatMap((edge) => [edge.upstream, edge.downstream]),
    );
    const rows = edges.map((edge) => ({
      u: nodes.get(edge.upstream)!,
      uc: edge.upstreamColumn,
      d: nodes.get(edge.downstream)!,
      dc: edge.downstreamColumn,
      l: edge.lastSeenAt.toISOString(),
    }));
    await manager.query(
      `INSERT INTO "warehouse"."column_edge" AS e ("scope", "upstream_id", "upstream_column", "downstream_id", "downstream_column", "last_seen_at")
       SELECT DISTINCT ON (u, uc, d, dc) $1, u, uc, d, dc, l FROM jsonb_to_recordset($2::jsonb) AS x(u bigint, uc text, d bigint, dc text, l timestamptz)
       ORDER BY u, uc, d, dc, l DESC
       ON CONFLICT ("scope", "upstream_id", "upstream_column", "downstream_id", "downstream_column")
       DO UPDATE SET "last_seen_at" = GREATEST(e."last_seen_at", EXCLUDED."last_seen_at")`,
      [scope, JSON.stringify(rows)],
    );
  }

  /** Datasets within `depth` hops in one direction, nearest first, at most `limit` (the start excluded). */
  async traverse(
    datasetId: string,
    direction: TraversalDirection,
    depth: number,
    limit: number,
  ): Promise<TraversalRow[]> {
    const [from, to] =
      direction === 'upstream' ? ['downstream_id', 'upstream_id'] : ['upstream_id', 'downstream_id'];
    const rows: { dataset_id: string; distance: number }[] = await this.dataSource.query(
      `WITH RECURSIVE start AS (
         SELECT "id" FROM "warehouse"."lineage_node" WHERE "dataset_id" = $1
       ), walk(node, distance) AS (
         SELECT "id", 0 FROM start
         UNION
         SELECT e."${to}", w.distance + 1
         FROM walk w JOIN "warehouse"."lineage_edge" e ON e."${from}" = w.node
         WHERE w.distance < $2
       ), nearest AS (
         SELECT node, min(distance) AS distance FROM walk WHERE node <> (SELECT "id" FROM start) GROUP BY node
       )
       SELECT n."dataset_id", nearest.distance::int AS distance
       FROM nearest JOIN "warehouse"."lineage_node" n ON n."id" = nearest.node
       ORDER BY nearest.distance, n."dataset_id"
       LIMIT $3`,
      [datasetId, depth, limit],
    );
    return rows.map((row) => ({ datasetId: row.dataset_id, distance: row.distance }));
  }

  /** The edges among a set of datasets, merged over scopes. */
  async edgesAmong(datasetIds: readonly string[]): Promise<GraphEdgeRow[]> {
    if (datasetIds.length < 2) return [];
    const rows: {
      upstream: string;
      downstream: string;
      origins: string[];
      executions: string;
      first_seen_at: Date;
      last_seen_at: Date;
    }[] = await this.dataSource.query(
      `WITH members AS (
         SELECT "id", "dataset_id" FROM "warehouse"."lineage_node" WHERE "dataset_id" = ANY($1::text[])
       )
       SELECT up."dataset_id" AS upstream, down."dataset_id" AS downstream,
              array_agg(DISTINCT e."origin" ORDER BY e."origin") AS origins,
              sum(e."executions")::text AS executions,
              min(e."first_seen_at") AS first_seen_at, max(e."last_seen_at") AS last_seen_at
       FROM "warehouse"."lineage_edge" e
       JOIN members up ON up."id" = e."upstream_id"
       JOIN members down ON down."id" = e."downstream_id"
       GROUP BY up."dataset_id", down."dataset_id"
       ORDER BY 1, 2`,
      [[...new Set(datasetIds)]],
    );
    return rows.map((row) => ({
      upstream: row.upstream,
      downstream: row.downstream,
      origins: row.origins,
      executions: Number(row.executions),
      firstSeenAt: row.first_seen_at,
      lastSeenAt: row.last_seen_at,
    }));
  }

  /** Columns downstream of one column (or of every column of a table when `column` is null), within depth. */
  async columnImpact(
    datasetId: string,
    column: string | null,
    depth: number,
    limit: number,
  ): Promise<{ datasetId: string; column: string; distance: number }[]> {
    const rows: { dataset_id: string; column_name: string; distance: number }[] = await this.dataSource.query(
      `WITH RECURSIVE start AS (
         SELECT "id" FROM "warehouse"."lineage_node" WHERE "dataset_id" = $1
       ), walk(node, column_name, distance) AS (
         SELECT e."downstream_id", e."downstream_column", 1
         FROM "warehouse"."column_edge" e
         WHERE e."upstream_id" = (SELECT "id" FROM start) AND ($2::text IS NULL OR lower(e."upstream_column") = lower($2))
         UNION
         SELECT e."downstream_id", e."downstream_column", w.distance + 1
         FROM walk w JOIN "warehouse"."column_edge" e ON e."upstream_id" = w.node AND e."upstream_column" = w.column_name
         WHERE w.distance < $3
       )
       SELECT n."dataset_id", walk.column_name, min(walk.distance)::int AS distance
       FROM walk JOIN "warehouse"."lineage_node" n ON n."id" = walk.node
       GROUP BY n."dataset_id", walk.column_name
       ORDER BY 3, 1, 2
       LIMIT $4`,
      [datasetId, column, depth, limit],
    );
    return rows.map((row) => ({
      datasetId: row.dataset_id,
      column: row.column_name,
      distance: row.distance,
    }));
  }

  /** Source columns of one column of a dataset (one hop). */
  async columnSources(datasetId: string, column: string): Promise<{ datasetId: string; column: string }[]> {
    const rows: { dataset_id: string; column_name: string }[] = await this.dataSource.query(
      `SELECT DISTINCT n."dataset_id", e."upstream_column" AS column_name
       FROM "warehouse"."column_edge" e
       JOIN "warehouse"."lineage_node" target ON target."id" = e."downstream_id"
       JOIN "warehouse"."lineage_node" n ON n."id" = e."upstream_id"
       WHERE target."dataset_id" = $1 AND lower(e."downstream_column") = lower($2)
       ORDER BY 1, 2`,
      [datasetId, column],
    );
    return rows.map((row) => ({ datasetId: row.dataset_id, column: row.column_name }));
  }

  private async pairs(manager: EntityManager, rows: { u: string; d: string }[]): Promise<EdgePair[]> {
    if (rows.length === 0) return [];
    const ids = [...new Set(rows.flatMap((row) => [row.u, row.d]))];
    const names: { id: string; dataset_id: string }[] = await manager.query(
      `SELECT "id"::text AS id, "dataset_id" FROM "warehouse"."lineage_node" WHERE "id" = ANY($1::bigint[])`,
      [ids],
    );
    const byId = new Map(names.map((row) => [row.id, row.dataset_id]));
    return rows.map((row) => ({ upstream: byId.get(String(row.u))!, downstream: byId.get(String(row.d))! }));
  }
}
