import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { DbtFreshnessCheckEntity } from './dbt-freshness-check.entity.js';
import { DbtLatestFreshnessEntity } from './dbt-latest-freshness.entity.js';
import { DbtLatestResultEntity } from './dbt-latest-result.entity.js';
import { DbtRunResultEntity } from './dbt-run-result.entity.js';
import { DbtRunEntity } from './dbt-run.entity.js';

export interface ResultRow {
  unique_id: string;
  status: string;
  started_at: string | null;
  completed_at: string | null;
  execution_time: number | null;
  rows_affected: number | null;
  message: string | null;
  failures: number | null;
  adapter_response: Record<string, unknown> | null;
}

export interface FreshnessRow {
  unique_id: string;
  status: string;
  max_loaded_at: string | null;
  snapshotted_at: string | null;
  age_seconds: number | null;
  criteria: Record<string, unknown> | null;
  error: string | null;
}

export interface PreviousStatus {
  status: string;
  generatedAt: Date;
}

const BATCH = 2_000;

function batches<T>(rows: T[]): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < rows.length; start += BATCH) result.push(rows.slice(start, start + BATCH));
  return result;
}

/** Only this file speaks SQL to the run history and latest-outcome tables. */
@Injectable()
export class RunsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Inserts the run unless this invocation's file of this kind is already stored; null when it is. */
  async insertRun(manager: EntityManager, run: Omit<DbtRunEntity, 'id'>): Promise<string | null> {
    const rows: { id: string }[] = await manager.query(
      `INSERT INTO "dbt_artifacts"."run" ("project_id", "artifact_set_id", "kind", "invocation_key", "which", "invocation_command",
         "dbt_version", "generated_at", "elapsed_time", "dbt_cloud_run_id", "dbt_cloud_job_id", "counts", "counts_as_outcome")
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
       ON CONFLICT ("project_id", "invocation_key", "kind") DO NOTHING RETURNING "id"`,
      [
        run.projectId,
        run.artifactSetId,
        run.kind,
        run.invocationKey,
        run.which,
        run.invocationCommand,
        run.dbtVersion,
        run.generatedAt,
        run.elapsedTime,
        run.dbtCloudRunId,
        run.dbtCloudJobId,
        JSON.stringify(run.counts),
        run.countsAsOutcome,
      ],
    );
    return rows[0]?.id ?? null;
  }

  async insertResults(
    manager: EntityManager,
    projectId: string,
    runId: string,
    rows: ResultRow[],
  ): Promise<number> {
    for (const batch of batches(rows)) {
      await manager.query(
        `INSERT INTO "dbt_artifacts"."run_result" ("run_id", "project_id", "unique_id", "status", "started_at", "completed_at",
           "execution_time", "rows_affected", "message", "failures", "adapter_response")
         SELECT $1, $2, "unique_id", "status", "started_at", "completed_at", "execution_time", "rows_affected", "message", "failures", "adapter_response"
         FROM jsonb_to_recordset($3::jsonb) AS row("unique_id" text, "status" text, "started_at" timestamptz, "completed_at" timestamptz,
           "execution_time" double precision, "rows_affected" bigint, "message" text, "failures" bigint, "adapter_response" jsonb)
         ON CONFLICT DO NOTHING`,
        [runId, projectId, JSON.stringify(batch)],
      );
    }
    return rows.length;
  }

  async previousResults(
    manager: EntityManager,
    projectId: string,
    uniqueIds: string[],
  ): Promise<Map<string, PreviousStatus>> {
    const result = new Map<string, PreviousStatus>();
    for (const batch of batches(uniqueIds)) {
      const rows: { unique_id: string; status: string; generated_at: Date }[] = await manager.query(
        `SELECT "unique_id", "status", "generated_at" FROM "dbt_artifacts"."latest_result" WHERE "project_id" = $1 AND "unique_id" = ANY($2)`,
        [projectId, batch],
      );
      for (const row of rows)
        result.set(row.unique_id, { status: row.status, generatedAt: row.generated_at });
    }
    return result;
  }

  /** Makes these results the latest unless a newer run already is; returns rows written. */
  async upsertLatestResults(
    manager: EntityManager,
    projectId: string,
    runId: string,
    generatedAt: Date,
    rows: ResultRow[],
  ): Promise<number> {
    let written = 0;
    for (const batch of batches(rows)) {
      const result: { unique_id: string }[] = await manager.query(
        `INSERT INTO "dbt_artifacts"."latest_result" ("project_id", "unique_id", "run_id", "generated_at", "status", "started_at",
           "completed_at", "execution_time", "rows_affected", "message", "failures")
         SELECT $1, "unique_id", $2, $3, "status", "started_at", "completed_at", "execution_time", "rows_affected", "message", "failures"
         FROM jsonb_to_recordset($4::jsonb) AS row("unique_id" text, "status" text, "started_at" timestamptz, "completed_at" timestamptz,
           "execution_time" double precision, "rows_affected" bigint, "message" text, "failures" bigint)
         ON CONFLICT ("project_id", "unique_id") DO UPDATE SET "run_id" = excluded."run_id", "generated_at" = excluded."generated_at",
           "status" = excluded."status", "started_at" = excluded."started_at", "completed_at" = excluded."completed_at",
           "execution_time" = excluded."execution_time", "rows_affected" = excluded."rows_affected", "message" = excluded."message",
           "failures" = excluded."failures"
         WHERE "latest_result"."generated_at" <= excluded."generated_at"
         RETURNING "unique_id"`,
        [projectId, runId, generatedAt, JSON.stringify(batch)],
      );
      written += result.length;
    }
    return written;
  }

  async insertFreshness(
    manager: EntityManager,
    projectId: string,
    runId: string,
    rows: FreshnessRow[],
  ): Promise<number> {
    for (const batch of batches(rows)) {
      await manager.query(
        `INSERT INTO "dbt_artifacts"."freshness_check" ("run_id", "project_id", "unique_id", "status", "max_loaded_at", "snapshotted_at",
           "age_seconds", "criteria", "error")
         SELECT $1, $2, "unique_id", "status", "max_loaded_at", "snapshotted_at", "age_seconds", "criteria", "error"
         FROM jsonb_to_recordset($3::jsonb) AS row("unique_id" text, "status" text, "max_loaded_at" timestamptz,
           "snapshotted_at" timestamptz, "age_seconds" double precision, "criteria" jsonb, "error" text)
         ON CONFLICT DO NOTHING`,
        [runId, projectId, JSON.stringify(batch)],
      );
    }
    return rows.length;
  }

  async previousFreshness(
    manager: EntityManager,
    projectId: string,
    uniqueIds: string[],
  ): Promise<Map<string, PreviousStatus>> {
    const result = new Map<string, PreviousStatus>();
    for (const batch of batches(uniqueIds)) {
      const rows: { unique_id: string; status: string; generated_at: Date }[] = await manager.query(
        `SELECT "unique_id", "status", "generated_at" FROM "dbt_artifacts"."latest_freshness" WHERE "project_id" = $1 AND "unique_id" = ANY($2)`,
        [projectId, batch],
      );
      for (const row of rows)
        result.set(row.unique_id, { status: row.status, generatedAt: row.generated_at });
    }
    return result;
  }

  async upsertLatestFreshness(
    manager: EntityManager,
    projectId: string,
    runId: string,
    generatedAt: Date,
    rows: FreshnessRow[],
  ): Promise<number> {
    let written = 0;
    for (const batch of batches(rows)) {
      const result: { unique_id: string }[] = await manager.query(
        `INSERT INTO "dbt_artifacts"."latest_freshness" ("project_id", "unique_id", "run_id", "generated_at", "status", "max_loaded_at",
           "snapshotted_at", "age_seconds", "criteria", "error")
         SELECT $1, "unique_id", $2, $3, "status", "max_loaded_at", "snapshotted_at", "age_seconds", "criteria", "error"
         FROM jsonb_to_recordset($4::jsonb) AS row("unique_id" text, "status" text, "max_loaded_at" timestamptz,
           "snapshotted_at" timestamptz, "age_seconds" double precision, "criteria" jsonb, "error" text)
         ON CONFLICT ("project_id", "unique_id") DO UPDATE SET "run_id" = excluded."run_id", "generated_at" = excluded."generated_at",
           "status" = excluded."status", "max_loaded_at" = excluded."max_loaded_at", "snapshotted_at" = excluded."snapshotted_at",
           "age_seconds" = excluded."age_seconds", "criteria" = excluded."criteria", "error" = excluded."error"
         WHERE "latest_freshness"."generated_at" <= excluded."generated_at"
         RETURNING "unique_id"`,
        [projectId, runId, generatedAt, JSON.stringify(batch)],
      );
      written += result.length;
    }
    return written;
  }

  // ---- reads for the API ----

  /** Latest outcomes with the command and dbt Cloud run of the run they came from. */
  async latestResults(
    keys: { projectId: string; uniqueId: string }[],
  ): Promise<(DbtLatestResultEntity & { which: string | null; dbtCloudRunId: string | null })[]> {
    if (keys.length === 0) return [];
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT latest.*, run."which", run."dbt_cloud_run_id" FROM "dbt_artifacts"."latest_result" latest
       JOIN "dbt_artifacts"."run" run ON run."id" = latest."run_id"
       WHERE (latest."project_id", latest."unique_id") IN (SELECT * FROM unnest($1::uuid[], $2::text[]))`,
      [keys.map((key) => key.projectId), keys.map((key) => key.uniqueId)],
    );
    return rows.map((row) => ({
      projectId: row['project_id'] as string,
      uniqueId: row['unique_id'] as string,
      runId: row['run_id'] as string,
      generatedAt: row['generated_at'] as Date,
      status: row['status'] as string,
      startedAt: row['started_at'] as Date | null,
      completedAt: row['completed_at'] as Date | null,
      executionTime: row['execution_time'] as number | null,
      rowsAffected: row['rows_affected'] as string | null,
      message: row['message'] as string | null,
      failures: row['failures'] as string | null,
      which: row['which'] as string | null,
      dbtCloudRunId: row['dbt_cloud_run_id'] as string | null,
    }));
  }

  latestFreshness(keys: { projectId: string; uniqueId: string }[]): Promise<DbtLatestFreshnessEntity[]> {
    if (keys.length === 0) return Promise.resolve([]);
    return this.dataSource
      .getRepository(DbtLatestFreshnessEntity)
      .createQueryBuilder('latest')
      .where(
        `(latest.projectId, latest.uniqueId) IN (SELECT * FROM unnest(:projects::uuid[], :ids::text[]))`,
        {
          projects: keys.map((key) => key.projectId),
          ids: keys.map((key) => key.uniqueId),
        },
      )
      .getMany();
  }

  async resultHistory(
    projectId: string,
    uniqueId: string,
    limit: number,
    before: [string, string] | null,
  ): Promise<{
    rows: (DbtRunResultEntity & { which: string | null; generatedAt: Date; dbtCloudRunId: string | null })[];
    total: number;
  }> {
    const params: unknown[] = [projectId, uniqueId, limit];
    let cursor = '';
    if (before) {
      params.push(before[0], before[1]);
      cursor = `AND (run."generated_at", run."id") < ($4, $5)`;
    }
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT result.*, run."which", run."generated_at", run."dbt_cloud_run_id" FROM "dbt_artifacts"."run_result" result
       JOIN "dbt_artifacts"."run" run ON run."id" = result."run_id"
       WHERE result."project_id" = $1 AND result."unique_id" = $2 ${cursor}
       ORDER BY run."generated_at" DESC, run."id" DESC LIMIT $3`,
      params,
    );
    const [{ count }]: { count: string }[] = await this.dataSource.query(
      `SELECT count(*) FROM "dbt_artifacts"."run_result" WHERE "project_id" = $1 AND "unique_id" = $2`,
      [projectId, uniqueId],
    );
    return {
      rows: rows.map((row) => ({
        runId: row['run_id'] as string,
        uniqueId: row['unique_id'] as string,
        projectId: row['project_id'] as string,
        status: row['status'] as string,
        startedAt: row['started_at'] as Date | null,
        completedAt: row['completed_at'] as Date | null,
        executionTime: row['execution_time'] as number | null,
        rowsAffected: row['rows_affected'] as string | null,
        message: row['message'] as string | null,
        failures: row['failures'] as string | null,
        adapterResponse: row['adapter_response'] as Record<string, unknown> | null,
        which: row['which'] as string | null,
        generatedAt: row['generated_at'] as Date,
        dbtCloudRunId: row['dbt_cloud_run_id'] as string | null,
      })),
      total: Number(count),
    };
  }

  freshnessHistory(projectId: string, uniqueId: string, limit: number): Promise<DbtFreshnessCheckEntity[]> {
    return this.dataSource
      .getRepository(DbtFreshnessCheckEntity)
      .createQueryBuilder('check')
      .where('check.projectId = :projectId AND check.uniqueId = :uniqueId', { projectId, uniqueId })
      .orderBy('check.snapshottedAt', 'DESC', 'NULLS LAST')
      .take(limit)
      .getMany();
  }
}
