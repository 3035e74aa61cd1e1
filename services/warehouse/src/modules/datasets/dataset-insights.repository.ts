import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { StoredAttribution } from '../history/warehouse-query.entity.js';

export interface QueryRow {
  connection_id: string;
  query_key: string;
  role: string;
  sample_text: string;
  sample_truncated: boolean;
  statement_type: string;
  sources: string[];
  targets: string[];
  executions: string;
  users: string[];
  first_seen_at: Date;
  last_seen_at: Date;
  total_duration_ms: string | null;
  attribution: StoredAttribution | null;
  lineage_origin: string;
  error_reason: string | null;
  error_message: string | null;
}

/** Reads behind `Dataset.queries`, `usage` and `consumers`. */
@Injectable()
export class DatasetInsightsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async queries(
    datasetId: string,
    limit: number,
    after: [string, string, string] | null,
  ): Promise<{ rows: QueryRow[]; total: number }> {
    const [{ total }] = (await this.dataSource.query(
      `SELECT count(*)::int AS total FROM "warehouse"."query_dataset" WHERE "dataset_id" = $1`,
      [datasetId],
    )) as { total: number }[];
    const rows: QueryRow[] = await this.dataSource.query(
      `SELECT r."connection_id", r."query_key", r."role", q."sample_text", q."sample_truncated", q."statement_type",
              q."sources", q."targets", q."executions", q."users", q."first_seen_at", q."last_seen_at",
              q."total_duration_ms", q."attribution", q."lineage_origin", q."error_reason", q."error_message"
       FROM "warehouse"."query_dataset" r
       JOIN "warehouse"."warehouse_query" q ON q."connection_id" = r."connection_id" AND q."query_key" = r."query_key"
       WHERE r."dataset_id" = $1
         AND ($2::timestamptz IS NULL OR (q."last_seen_at", r."query_key" || r."role") < ($2::timestamptz, $3::text))
       ORDER BY q."last_seen_at" DESC, r."query_key" || r."role" DESC
       LIMIT $4`,
      [datasetId, after?.[0] ?? null, after ? `${after[1]}${after[2]}` : null, limit],
    );
    return { rows, total };
  }

  async usage(
    datasetId: string,
    days: number,
  ): Promise<{
    daily: { day: string; reads: number; writes: number }[];
    users: { user: string; executions: number }[];
  }> {
    const daily: { day: string; reads: string; writes: string }[] = await this.dataSource.query(
      `SELECT to_char("day", 'YYYY-MM-DD') AS day, sum("reads")::text AS reads, sum("writes")::text AS writes
       FROM "warehouse"."dataset_usage"
       WHERE "dataset_id" = $1 AND "day" > (now() AT TIME ZONE 'UTC')::date - $2::int
       GROUP BY "day" ORDER BY "day"`,
      [datasetId, days],
    );
    const users: { user: string; executions: string }[] = await this.dataSource.query(
      `SELECT "user", sum("reads" + "writes")::text AS executions
       FROM "warehouse"."dataset_usage"
       WHERE "dataset_id" = $1 AND "day" > (now() AT TIME ZONE 'UTC')::date - $2::int AND "user" <> ''
       GROUP BY "user" ORDER BY 2 DESC, 1`,
      [datasetId, days],
    );
    return {
      daily: daily.map((row) => ({ day: row.day, reads: Number(row.reads), writes: Number(row.writes) })),
      users: users.map((row) => ({ user: row.user, executions: Number(row.executions) })),
    };
  }

  /** Attributed (non-dbt) query shapes reading the datasets; grouped per project by the caller. */
  async attributedReads(datasetIds: readonly string[]): Promise<
    {
      dataset_id: string;
      attribution: StoredAttribution;
      executions: string;
      last_seen_at: Date;
      users: string[];
    }[]
  > {
    return this.dataSource.query(
      `SELECT r."dataset_id", q."attribution", q."executions", q."last_seen_at", q."users"
       FROM "warehouse"."query_dataset" r
       JOIN "warehouse"."warehouse_query" q ON q."connection_id" = r."connection_id" AND q."query_key" = r."query_key"
       WHERE r."dataset_id" = ANY($1::text[]) AND r."role" = 'source'
         AND q."attribution" IS NOT NULL AND q."attribution"->>'tool' <> 'dbt'`,
      [[...new Set(datasetIds)]],
    );
  }

  /** Pairs (Hex project id, dataset id) of the tables the projects' queries read, by their query comments. */
  async hexProjectReads(filter: {
    projectIds?: readonly string[];
    datasetIds?: readonly string[];
  }): Promise<{ project_id: string; dataset_id: string }[]> {
    const byProject = filter.projectIds !== undefined;
    return this.dataSource.query(
      `SELECT DISTINCT q."attribution"->>'projectId' AS "project_id", r."dataset_id"
       FROM "warehouse"."query_dataset" r
       JOIN "warehouse"."warehouse_query" q ON q."connection_id" = r."connection_id" AND q."query_key" = r."query_key"
       WHERE r."role" = 'source' AND q."attribution"->>'tool' = 'hex' AND q."attribution"->>'projectId' IS NOT NULL
         AND ${byProject ? `q."attribution"->>'projectId'` : 'r."dataset_id"'} = ANY($1::text[])
       ORDER BY 1, 2`,
      [[...new Set(byProject ? filter.projectIds : filter.datasetIds)]],
    );
  }
}
