import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { ArtifactSetEntity, type ArtifactSetError } from './artifact-set.entity.js';

export interface ArtifactSetFilter {
  projectId?: string | null;
  state?: string | null;
}

export interface AppliedSet {
  projectId: string;
  counts: Record<string, number>;
  rowWrites: number;
  warnings: string[];
  invocationId: string | null;
  dbtVersion: string | null;
  generatedAt: Date | null;
  dbtCloud: Record<string, string> | null;
}

@Injectable()
export class ArtifactSetsRepository {
  constructor(private readonly dataSource: DataSource) {}

  private repository(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(ArtifactSetEntity);
  }

  byFingerprint(manager: EntityManager, fingerprint: string): Promise<ArtifactSetEntity | null> {
    return this.repository(manager).findOneBy({ fingerprint });
  }

  byId(id: string): Promise<ArtifactSetEntity | null> {
    return this.repository().findOneBy({ id });
  }

  byIds(ids: readonly string[]): Promise<ArtifactSetEntity[]> {
    return this.repository()
      .createQueryBuilder('set')
      .where('set.id = ANY(:ids)', { ids: [...ids] })
      .getMany();
  }

  insert(manager: EntityManager, set: Partial<ArtifactSetEntity>): Promise<ArtifactSetEntity> {
    return this.repository(manager).save(this.repository(manager).create(set));
  }

  async requeue(manager: EntityManager, id: string): Promise<void> {
    await this.repository(manager).update(
      { id },
      { state: 'queued', error: null, startedAt: null, finishedAt: null, attempts: 0 },
    );
  }

  /** Claims a set for processing; false when it is already applied. */
  async markProcessing(id: string): Promise<ArtifactSetEntity | null> {
    const rows: [Record<string, unknown>[], number] = await this.dataSource.query(
      `UPDATE "dbt_artifacts"."artifact_set" SET "state" = 'processing', "attempts" = "attempts" + 1,
         "started_at" = now(), "error" = NULL
       WHERE "id" = $1 AND "state" <> 'succeeded' RETURNING "id"`,
      [id],
    );
    return rows[1] > 0 ? this.byId(id) : null;
  }

  async markSucceeded(manager: EntityManager, id: string, applied: AppliedSet): Promise<void> {
    await this.repository(manager).update(
      { id },
      {
        state: 'succeeded',
        projectId: applied.projectId,
        counts: applied.counts,
        rowWrites: applied.rowWrites,
        warnings: applied.warnings,
        invocationId: applied.invocationId,
        dbtVersion: applied.dbtVersion,
        generatedAt: applied.generatedAt,
        dbtCloud: applied.dbtCloud,
        error: null,
        finishedAt: new Date(),
      },
    );
  }

  async markFailed(
    manager: EntityManager,
    id: string,
    error: ArtifactSetError,
    warnings: string[],
    final: boolean,
  ): Promise<void> {
    await this.repository(manager).update(
      { id },
      { state: final ? 'failed' : 'queued', error, warnings, finishedAt: final ? new Date() : null },
    );
  }

  /** Sets queued or processing for longer than `olderThanMs`: their job was lost with Redis, or never made. */
  async stranded(olderThanMs: number): Promise<string[]> {
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT "id" FROM "dbt_artifacts"."artifact_set"
       WHERE "state" IN ('queued', 'processing') AND coalesce("started_at", "created_at") < now() - make_interval(secs => $1)
       ORDER BY "created_at" LIMIT 1000`,
      [olderThanMs / 1_000],
    );
    return rows.map((row) => row.id);
  }

  async list(
    filter: ArtifactSetFilter,
    limit: number,
    after: [string, string] | null,
  ): Promise<{ rows: ArtifactSetEntity[]; total: number }> {
    const query = this.repository().createQueryBuilder('set');
    if (filter.projectId) query.andWhere('set.projectId = :projectId', { projectId: filter.projectId });
    if (filter.state) query.andWhere('set.state = :state', { state: filter.state });
    const total = await query.getCount();
    if (after) {
      query.andWhere('(set.createdAt, set.id) < (:createdAt, :id)', { createdAt: after[0], id: after[1] });
    }
    const rows = await query
      .orderBy('set.createdAt', 'DESC')
      .addOrderBy('set.id', 'DESC')
      .take(limit)
      .getMany();
    return { rows, total };
  }
}
