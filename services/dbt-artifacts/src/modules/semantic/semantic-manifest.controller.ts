import { Controller, Get, HttpException, Param, Req } from '@nestjs/common';
import type { Identity } from '@cartograph/platform/auth';
import type { SemanticManifestDocument } from '@cartograph/semantic-layer';
import { semanticManifestDocument } from './semantic-manifest.mapper.js';
import { ProjectsRepository } from '../projects/projects.repository.js';
import { SemanticManifestRepository } from './semantic-manifest.repository.js';

/**
 * The semantic-layer service's view of a project's MetricFlow definitions (dbt Core mode, and
 * `Dataset.metrics`). Internal: it answers service identities only, never users.
 */
@Controller('internal/projects')
export class SemanticManifestController {
  constructor(
    private readonly projects: ProjectsRepository,
    private readonly repository: SemanticManifestRepository,
  ) {}

  @Get(':project/semantic-manifest')
  async semanticManifest(
    @Param('project') project: string,
    @Req() request: { identity?: Identity },
  ): Promise<SemanticManifestDocument> {
    if (request.identity?.kind !== 'service') {
      throw new HttpException({ error: { code: 'FORBIDDEN', message: 'only services may read this' } }, 403);
    }
    const found = await this.projects.byName(project);
    if (!found) {
      throw new HttpException(
        { error: { code: 'NOT_FOUND', message: `no dbt project named "${project}"` } },
        404,
      );
    }
    const [rows, models] = await Promise.all([
      this.repository.semanticNodes(found.id),
      this.repository.models(found.id),
    ]);
    return semanticManifestDocument(project, rows, models);
  }
}
