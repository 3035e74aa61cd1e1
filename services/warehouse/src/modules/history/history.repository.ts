import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { StoredAttribution } from './warehouse-query.entity.js';

export interface KnownQuery {
  queryKey: string;
  statementType: string;
  sources: string[];
  targets: string[];
}

export interface QueryWrite {
  queryKey: string;
  fingerprint: string;
  sampleText: string;
  sampleTruncated: boolean;
  statementType: string;
  sources: string[];
  targets: string[];
  columns: unknown[];
  attribution: StoredAttribution | null;
  lineageOrigin: string;
  errorReason: string | null;
  errorMessage: string | null;
  executions: number;
  users: string[];
  firstSeenAt: string;
  lastSeenAt: string;
  totalDurationMs: number | null;
}

export type QueryCount = Pick<
  QueryWrite,
  'queryKey' | 'executions' | 'users' | 'firstSeenAt' | 'lastSeenAt' | 'totalDurationMs'
>;

export interface UsageWrite {
  datasetId: string;
  day: string;
  user: string;
  reads: number;
  writes: number;
}

const MAXIMUM_USERS = 50;

@Injectable()
export class HistoryRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Engine query ids already applied, among the given ones. */
  async seen(connectionId: string, queryIds: readonly string[]): Promise<Set<string>> {
    if (queryIds.length === 0) return new Set();
    const rows: { query_id: string }[] = await this.dataSource.query(
      `SELECT "query_id" FROM "warehouse"."history_seen" WHERE "connection_id" = $1 AND "query_id" = ANY($2::text[])`,
      [connectionId, [...new Set(queryIds)]],
    );
    return new Set(rows.map((row) => row.query_id));
  }

  /** For aggregated sources: the cumulative call count last applied per query id. */
  async seenCalls(connectionId: string, queryIds: readonly string[]): Promise<Map<string, number>> {
    if (queryIds.length === 0) return new Map();
    const rows: { query_id: string; calls: string }[] = await this.dataSource.query(
      `SELECT "query_id", "calls" FROM "warehouse"."history_seen"
       WHERE "connection_id" = $1 AND "query_id" = ANY($2::text[]) AND "calls" IS NOT NULL`,
      [connectionId, [...new Set(queryIds)]],
    );
    return new Map(rows.map((row) => [row.query_id, Number(row.calls)]));
  }

  async known(connectionId: string, queryKeys: readonly string[]): Promise<Map<string, KnownQuery>> {
    if (queryKeys.length === 0) return new Map();
    const rows: { query_key: string; statement_type: string; sources: string[]; targets: string[] }[] =
      await this.dataSource.query(
        `SELECT "query_key", "statement_type", "sources", "targets" FROM "warehouse"."warehouse_query"
         WHERE "connection_id" = $1 AND "query_key" = ANY($2::text[])`,
        [connectionId, [...queryKeys]],
      );
    return new Map(
      rows.map((row) => [
        row.query_key,
        {
          queryKey: row.query_key,
          statementType: row.statement_type,
          sources: row.sources,
          targets: row.targets,
        },
      ]),
    );
  }

  /** Newly seen shapes, whole; a shape another sync inserted meanwhile only gets the counts added. */
  async insertQueries(
    manager: EntityManager,
    connectionId: string,
    queries: readonly QueryWrite[],
  ): Promise<void> {
    for (let offset = 0; offset < queries.length; offset += 2_000) {
      const slice = [...queries.slice(offset, offset + 2_000)].sort((left, right) =>
        left.queryKey < right.queryKey ? -1 : 1,
      );
      await manager.query(
        `INSERT INTO "warehouse"."warehouse_query" AS q
           ("connection_id", "query_key", "fingerprint", "sample_text", "sample_truncated", "statement_type", "sources",
            "targets", "columns", "attribution", "lineage_origin", "error_reason", "error_message", "executions", "users",
            "first_seen_at", "last_seen_at", "total_duration_ms")
         SELECT $1::uuid, x."queryKey", x."fingerprint", x."sampleText", x."sampleTruncated", x."statementType", x."sources",
                x."targets", x."columns", x."attribution", x."lineageOrigin", x."errorReason",
                x."errorMessage", x."executions", x."users", x."firstSeenAt", x."lastSeenAt", x."totalDurationMs"
         FROM jsonb_to_recordset($2::jsonb) AS x(
           "queryKey" text, "fingerprint" text, "sampleText" text, "sampleTruncated" boolean, "statementType" text,
           "sources" text[], "targets" text[], "columns" jsonb, "attribution" jsonb, "lineageOrigin" text,
           "errorReason" text, "errorMessage" text, "executions" bigint, "users" text[], "firstSeenAt" timestamptz,
           "lastSeenAt" timestamptz, "totalDurationMs" bigint)
         ON CONFLICT ("connection_id", "query_key") DO UPDATE SET
           "executions" = q."executions" + EXCLUDED."executions",
           "first_seen_at" = LEAST(q."first_seen_at", EXCLUDED."first_seen_at"),
           "last_seen_at" = GREATEST(q."last_seen_at", EXCLUDED."last_seen_at")`,
        [connectionId, JSON.stringify(slice)],
      );
    }
  }

  /**
   * Adds the executions of known shapes: a narrow update (counters, last seen, users only while fewer than the
   * maximum) so a repeated dashboard query costs one small row update per batch.
   */
  async countQueries(
    manager: EntityManager,
    connectionId: string,
    counts: readonly QueryCount[],
  ): Promise<void> {
    for (let offset = 0; offset < counts.length; offset += 5_000) {
      const slice = [...counts.slice(offset, offset + 5_000)].sort((left, right) =>
        left.queryKey < right.queryKey ? -1 : 1,
      );
      await manager.query(
        `UPDATE "warehouse"."warehouse_query" AS q SET
           "executions" = q."executions" + x."executions",
           "first_seen_at" = LEAST(q."first_seen_at", x."firstSeenAt"),
           "last_seen_at" = GREATEST(q."last_seen_at", x."lastSeenAt"),
           "total_duration_ms" = CASE WHEN x."totalDurationMs" IS NULL THEN q."total_duration_ms"
             ELSE COALESCE(q."total_duration_ms", 0) + x."totalDurationMs" END,
           "users" = CASE WHEN cardinality(q."users") >= ${MAXIMUM_USERS} OR x."users" <@ q."users" THEN q."users"
             ELSE ARRAY(SELECT DISTINCT unnest(q."users" || x."users") LIMIT ${MAXIMUM_USERS}) END
         FROM jsonb_to_recordset($2::jsonb) AS x(
           "queryKey" text, "executions" bigint, "users" text[], "firstSeenAt" timestamptz, "lastSeenAt" timestamptz,
           "totalDurationMs" bigint)
         WHERE q."connection_id" = $1::uuid AND q."query_key" = x."queryKey"`,
        [connectionId, JSON.stringify(slice)],
      );
    }
  }

  /** The tables of newly seen shapes. */
  async writeQueryDatasets(
    manager: EntityManager,
    connectionId: string,
    rows: readonly { queryKey: string; datasetId: string; role: string }[],
  ): Promise<void> {
    for (let offset = 0; offset < rows.length; offset += 5_000) {
      await manager.query(
        `INSERT INTO "warehouse"."query_dataset" ("connection_id", "query_key", "dataset_id", "role")
         SELECT DISTINCT $1::uuid, x."queryKey", x."datasetId", x."role"
         FROM jsonb_to_recordset($2::jsonb) AS x("queryKey" text, "datasetId" text, "role" text)
         ORDER BY 2, 3, 4
         ON CONFLICT DO NOTHING`,
        [connectionId, JSON.stringify(rows.slice(offset, offset + 5_000))],
      );
    }
  }

  async writeUsage(manager: EntityManager, connectionId: string, rows: readonly UsageWrite[]): Promise<void> {
    for (let offset = 0; offset < rows.length; offset += 5_000) {
      await manager.query(
        `INSERT INTO "warehouse"."dataset_usage" AS u ("dataset_id", "day", "user", "connection_id", "reads", "writes")
         SELECT x."datasetId", x."day", x."user", $1::uuid, x."reads", x."writes"
         FROM jsonb_to_recordset($2::jsonb) AS x("datasetId" text, "day" date, "user" text, "reads" bigint, "writes" bigint)
         ORDER BY 1, 2, 3
         ON CONFLICT ("dataset_id", "day", "user", "connection_id")
         DO UPDATE SET "reads" = u."reads" + EXCLUDED."reads", "writes" = u."writes" + EXCLUDED."writes"`,
        [connectionId, JSON.stringify(rows.slice(offset, offset + 5_000))],
      );
    }
  }

  /** Records applied ids (and cumulative calls) and forgets those the next read can no longer reach. */
  async markSeen(
    manager: EntityManager,
    connectionId: string,
    rows: readonly { queryId: string; startedAt: string; calls: number | null }[],
    forgetBefore: Date,
  ): Promise<void> {
    for (let offset = 0; offset < rows.length; offset += 5_000) {
      await manager.query(
        `INSERT INTO "warehouse"."history_seen" AS s ("connection_id", "query_id", "started_at", "calls")
         SELECT $1::uuid, x."queryId", x."startedAt", x."calls"
         FROM jsonb_to_recordset($2::jsonb) AS x("queryId" text, "startedAt" timestamptz, "calls" bigint)
         ON CONFLICT ("connection_id", "query_id") DO UPDATE SET "calls" = EXCLUDED."calls", "started_at" = EXCLUDED."started_at"`,
        [connectionId, JSON.stringify(rows.slice(offset, offset + 5_000))],
      );
    }
    await manager.query(
      `DELETE FROM "warehouse"."history_seen" WHERE "connection_id" = $1 AND "calls" IS NULL AND "started_at" < $2`,
      [connectionId, forgetBefore],
    );
  }
}
