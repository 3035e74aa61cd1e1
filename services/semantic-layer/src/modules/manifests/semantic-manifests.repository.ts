import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { SemanticManifestDocument } from '@cartograph/semantic-layer';
import { SemanticModelDatasetEntity } from './semantic-model-dataset.entity.js';
import { SemanticProjectEntity } from './semantic-project.entity.js';

@Injectable()
export class SemanticManifestsRepository {
  constructor(private readonly dataSource: DataSource) {}

  byProject(project: string): Promise<SemanticProjectEntity | null> {
    return this.dataSource.getRepository(SemanticProjectEntity).findOneBy({ project });
  }

  byProjects(projects: readonly string[]): Promise<SemanticProjectEntity[]> {
    if (projects.length === 0) return Promise.resolve([]);
    return this.dataSource
      .getRepository(SemanticProjectEntity)
      .createQueryBuilder('project')
      .where('project.project = ANY(:projects)', { projects: [...projects] })
      .getMany();
  }

  /** Replaces a project's document and its table index in one transaction, so readers see one or the other. */
  async replace(document: SemanticManifestDocument): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await manager.getRepository(SemanticProjectEntity).upsert(
        {
          project: document.project,
          version: document.version,
          document: document as never,
          refreshedAt: new Date(),
        },
        ['project'],
      );
      await manager.getRepository(SemanticModelDatasetEntity).delete({ project: document.project });
      const rows = document.semanticModels
        .filter((model) => model.datasetId)
        .map((model) => ({
          datasetId: model.datasetId!,
          project: document.project,
          semanticModel: model.name,
        }));
      if (rows.length > 0) {
        await manager
          .getRepository(SemanticModelDatasetEntity)
          .upsert(rows, ['datasetId', 'project', 'semanticModel']);
      }
    });
  }

  /** A project the artifact store no longer has. */
  async remove(project: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await manager.getRepository(SemanticModelDatasetEntity).delete({ project });
      await manager.getRepository(SemanticProjectEntity).delete({ project });
    });
  }

  /** The projects with a semantic model on each table. */
  async projectsOf(datasetIds: readonly string[]): Promise<Map<string, string[]>> {
    const rows = await this.dataSource
      .getRepository(SemanticModelDatasetEntity)
      .createQueryBuilder('row')
      .where('row.datasetId = ANY(:ids)', { ids: [...datasetIds] })
      .orderBy('row.project')
      .getMany();
    const out = new Map<string, string[]>();
    for (const row of rows) {
      const projects = out.get(row.datasetId) ?? [];
      if (!projects.includes(row.project)) projects.push(row.project);
      out.set(row.datasetId, projects);
    }
    return out;
  }
}
