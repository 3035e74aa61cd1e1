import { Query, Resolver } from '@nestjs/graphql';
import { RequireRole } from '@cartograph/platform/graphql';
import { DbtProject } from './dbt-project.model.js';
import { ProjectsService } from './projects.service.js';

@Resolver(() => DbtProject)
@RequireRole('viewer')
export class DbtProjectsResolver {
  constructor(private readonly projects: ProjectsService) {}

  @Query(() => [DbtProject], { description: 'Every dbt project whose artifacts were ingested, by name.' })
  dbtProjects(): Promise<DbtProject[]> {
    return this.projects.all();
  }
}
