import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { BucketFolderEntity } from './bucket-folder.entity.js';
import { SyncRunEntity } from './sync-run.entity.js';

export interface SyncRunError {
  code: string;
  message: string;
}

export interface SyncRunOutcome {
  state: 'succeeded' | 'failed';
  counts: Record<string, number>;
  error: SyncRunError | null;
  problems: { key: string; message: string }[];
  artifactSetIds: string[];
}

@Injectable()
export class SyncRunsRepository {
  constructor(private readonly dataSource: DataSource) {}

  private runs(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(SyncRunEntity);
  }

  private folders(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(BucketFolderEntity);
  }

  byId(id: string, manager?: EntityManager): Promise<SyncRunEntity | null> {
    return this.runs(manager).findOneBy({ id });
  }

  insert(values: Partial<SyncRunEntity>, manager?: EntityManager): Promise<SyncRunEntity> {
    return this.runs(manager).save(this.runs(manager).create(values));
  }

  /**
   * A run of the connection that is queued, or running and started within `windowSeconds`: one older than
   * that was left by a worker that went away, and must not block new syncs forever.
   */
  activeRun(
    connectionId: string,
    windowSeconds: number,
    manager?: EntityManager,
  ): Promise<SyncRunEntity | null> {
    return this.runs(manager)
      .createQueryBuilder('run')
      .where('run.connectionId = :connectionId', { connectionId })
      .andWhere(
        `(run.state = 'queued' OR (run.state = 'running' AND run.startedAt > now() - make_interval(secs => :window)))`,
        { window: windowSeconds },
      )
      .orderBy('run.queuedAt', 'DESC')
      .getOne();
  }

  /** Held until the caller's transaction ends: one job at a time decides what runs for a connection. */
  async lockConnection(manager: EntityManager, connectionId: string): Promise<void> {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtext('dbt-artifacts.sync-bucket'), hashtext($1))`, [
      connectionId,
    ]);
  }

  /** The run a job already made, when BullMQ delivers the same job again (a retry or a stalled job). */
  byJobId(manager: EntityManager, connectionId: string, jobId: string): Promise<SyncRunEntity | null> {
    return this.runs(manager).findOneBy({ connectionId, jobId });
  }

  /**
   * Takes a run for one job: a queued run, or a running one this same job held before (redelivered after a
   * worker crash). Null when the run is finished or another job holds it.
   */
  async claim(
    manager: EntityManager,
    id: string,
    connectionId: string,
    jobId: string,
  ): Promise<SyncRunEntity | null> {
    const [, affected]: [unknown, number] = await manager.query(
      `UPDATE "dbt_artifacts"."sync_run"
          SET "state" = 'running', "started_at" = now(), "finished_at" = NULL, "job_id" = $2
        WHERE "id" = $1 AND "connection_id" = $3
          AND ("state" = 'queued' OR ("state" = 'running' AND "job_id" = $2))`,
      [id, jobId, connectionId],
    );
    return affected > 0 ? this.byId(id, manager) : null;
  }

  async progress(id: string, counts: Record<string, number>): Promise<void> {
    await this.runs().update({ id, state: 'running' }, { counts });
  }

  /**
   * Back to queued, with the error that will be retried, for the job's next attempt. `queuedAt` moves too:
   * the stranded sweep measures from it, and must not race BullMQ's own backoff.
   */
  async requeue(manager: EntityManager, id: string, error: SyncRunError, counts: Record<string, number>) {
    await this.runs(manager).update(
      { id },
      { state: 'queued', error, counts, queuedAt: new Date(), finishedAt: null },
    );
  }

  async finish(manager: EntityManager, id: string, outcome: SyncRunOutcome): Promise<void> {
    await this.runs(manager).update(
      { id },
      {
        state: outcome.state,
        counts: outcome.counts,
        error: outcome.error,
        problems: outcome.problems,
        artifactSetIds: outcome.artifactSetIds,
        finishedAt: new Date(),
      },
    );
  }

  /** The newest run of each connection, in one query. */
  latest(connectionIds: readonly string[]): Promise<SyncRunEntity[]> {
    return this.runs()
      .createQueryBuilder('run')
      .distinctOn(['run.connectionId'])
      .where('run.connectionId = ANY(:ids)', { ids: [...connectionIds] })
      .orderBy('run.connectionId')
      .addOrderBy('run.queuedAt', 'DESC')
      .addOrderBy('run.id', 'DESC')
      .getMany();
  }

  /** Newest first. */
  async list(
    connectionId: string,
    limit: number,
    after: [string, string] | null,
  ): Promise<{ rows: SyncRunEntity[]; total: number }> {
    const query = this.runs()
      .createQueryBuilder('run')
      .where('run.connectionId = :connectionId', { connectionId });
    const total = await query.getCount();
    if (after) {
      query.andWhere('(run.queuedAt, run.id) < (:queuedAt, :id)', { queuedAt: after[0], id: after[1] });
    }
    const rows = await query
      .orderBy('run.queuedAt', 'DESC')
      .addOrderBy('run.id', 'DESC')
      .take(limit)
      .getMany();
    return { rows, total };
  }

  /** Runs queued longer than `olderThanMs` (but less than a day): their job was lost with Redis, or never made. */
  async stranded(olderThanMs: number): Promise<{ id: string; connectionId: string }[]> {
    const rows: { id: string; connection_id: string }[] = await this.dataSource.query(
      `SELECT "id", "connection_id" FROM "dbt_artifacts"."sync_run"
        WHERE "state" = 'queued' AND "queued_at" < now() - make_interval(secs => $1)
          AND "queued_at" > now() - interval '1 day'
        ORDER BY "queued_at" LIMIT 1000`,
      [olderThanMs / 1_000],
    );
    return rows.map((row) => ({ id: row.id, connectionId: row.connection_id }));
  }

  /** folder → fingerprint of what was ingested from it last. */
  async fingerprints(connectionId: string): Promise<Map<string, string>> {
    const rows = await this.folders().find({
      select: { folder: true, fingerprint: true },
      where: { connectionId },
    });
    return new Map(rows.map((row) => [row.folder, row.fingerprint]));
  }

  /** Every folder is new again at the next sync. */
  async forgetFolders(manager: EntityManager, connectionId: string): Promise<void> {
    await manager.delete(BucketFolderEntity, { connectionId });
  }

  async recordFolder(
    connectionId: string,
    folder: string,
    fingerprint: string,
    artifactSetId: string | null,
  ): Promise<void> {
    // Not for a connection deleted while its sync ran: nothing would ever remove the row.
    await this.dataSource.query(
      `INSERT INTO "dbt_artifacts"."bucket_folder" ("connection_id", "folder", "fingerprint", "artifact_set_id", "seen_at")
       SELECT $1, $2, $3, $4, now()
        WHERE EXISTS (SELECT 1 FROM "dbt_artifacts"."bucket_connection" WHERE "id" = $1)
       ON CONFLICT ("connection_id", "folder") DO UPDATE
         SET "fingerprint" = EXCLUDED."fingerprint", "artifact_set_id" = EXCLUDED."artifact_set_id",
             "seen_at" = EXCLUDED."seen_at"`,
      [connectionId, folder, fingerprint, artifactSetId],
    );
  }
}
