import { Args, Int, Query, Resolver } from '@nestjs/graphql';
import { RequireRole } from '@cartograph/platform/graphql';
import { DbtProject, DbtProjectConnection } from './dbt-project.model.js';
import { ProjectsService } from './projects.service.js';

@Resolver(() => DbtProject)
@RequireRole('viewer')
export class DbtProjectsResolver {
  constructor(private readonly projects: ProjectsService) {}

  @Query(() => DbtProjectConnection, {
    description: 'Every dbt project whose artifacts were ingested, by name.',
  })
  dbtProjects(
    @Args('first', { type: () => Int, nullable: true, defaultValue: 50 }) first: number,
    @Args('after', { type: () => String, nullable: true }) after: string | null,
  ) {
    return this.projects.list(first, after);
  }
}
