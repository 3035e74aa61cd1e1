import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { DbtProjectEntity } from './dbt-project.entity.js';

@Injectable()
export class ProjectsRepository {
  constructor(private readonly dataSource: DataSource) {}

  private repository(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(DbtProjectEntity);
  }

  /**
   * The project row, created on first sight, with a transaction-scoped lock so two sets of one project
   * never apply at once (their diffs against the stored state would interleave).
   */
  async lockOrCreate(manager: EntityManager, name: string): Promise<DbtProjectEntity> {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtext('dbt-artifacts/project/' || $1))`, [name]);
    await manager.query(
      `INSERT INTO "dbt_artifacts"."project" ("name") VALUES ($1) ON CONFLICT ("name") DO NOTHING`,
      [name],
    );
    return (await this.repository(manager).findOneBy({ name }))!;
  }

  async update(manager: EntityManager, id: string, changes: Partial<DbtProjectEntity>): Promise<void> {
    await this.repository(manager).update({ id }, changes);
  }

  byName(name: string): Promise<DbtProjectEntity | null> {
    return this.repository().findOneBy({ name });
  }

  byIds(ids: readonly string[]): Promise<DbtProjectEntity[]> {
    return this.repository()
      .createQueryBuilder('project')
      .where('project.id = ANY(:ids)', { ids: [...ids] })
      .getMany();
  }

  async page(limit: number, after: string | null): Promise<{ rows: DbtProjectEntity[]; total: number }> {
    const query = this.repository().createQueryBuilder('project');
    const total = await query.getCount();
    if (after !== null) query.where('project.name > :after', { after });
    return { rows: await query.orderBy('project.name').take(limit).getMany(), total };
  }

  all(): Promise<DbtProjectEntity[]> {
    return this.repository().find({ order: { name: 'ASC' } });
  }

  /** The project an earlier set of the same dbt invocation was applied to. */
  async byInvocation(invocationId: string): Promise<DbtProjectEntity | null> {
    const [row]: { project_id: string }[] = await this.dataSource.query(
      `SELECT "project_id" FROM "dbt_artifacts"."artifact_set" WHERE "invocation_id" = $1 AND "project_id" IS NOT NULL
       ORDER BY "created_at" DESC LIMIT 1`,
      [invocationId],
    );
    return row ? this.repository().findOneBy({ id: row.project_id }) : null;
  }
}
