import { Injectable } from '@nestjs/common';
import { decodeCursor, pageSize, requestLoader, toConnection } from '@cartograph/platform/graphql';
import type { DbtProjectEntity } from './dbt-project.entity.js';
import type { DbtProject } from './dbt-project.model.js';
import { ProjectsRepository } from './projects.repository.js';

export function toDbtProject(entity: DbtProjectEntity): DbtProject {
  return {
    id: entity.id,
    name: entity.name,
    adapterType: entity.adapterType,
    instance: entity.instance,
    dbtVersion: entity.dbtVersion,
    manifestGeneratedAt: entity.manifestGeneratedAt,
    lastArtifactSetId: entity.lastArtifactSetId,
    updatedAt: entity.updatedAt,
  };
}

@Injectable()
export class ProjectsService {
  constructor(private readonly projects: ProjectsRepository) {}

  async list(first: number, after: string | null) {
    const size = pageSize(first);
    const cursor = decodeCursor(after) as [string] | null;
    const { rows, total } = await this.projects.page(size + 1, cursor?.[0] ?? null);
    return toConnection(rows, size, total, (row) => [row.name], Boolean(cursor), toDbtProject);
  }

  byId(context: object, id: string): Promise<DbtProject | null> {
    return requestLoader<string, DbtProject>(context, 'dbt-project', async (ids) => {
      const rows = await this.projects.byIds(ids);
      const found = new Map(rows.map((row) => [row.id, toDbtProject(row)]));
      return ids.map((projectId) => found.get(projectId) ?? null);
    }).load(id);
  }
}
