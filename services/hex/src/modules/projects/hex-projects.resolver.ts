import { Args, Context, ID, Int, Mutation, Query, Resolver, ResolveReference } from '@nestjs/graphql';
import { RequireRole } from '@cartograph/platform/graphql';
import { HexProject, HexProjectConnection, HexProjectFilter } from './hex-project.model.js';
import { HexProjectsService } from './hex-projects.service.js';

@Resolver(() => HexProject)
export class HexProjectsResolver {
  constructor(private readonly projects: HexProjectsService) {}

  @Query(() => HexProjectConnection, { description: 'Synced Hex projects and components, by title.' })
  @RequireRole('viewer')
  hexProjects(
    @Args('filter', { type: () => HexProjectFilter, nullable: true }) filter: HexProjectFilter | null,
    @Args('first', { type: () => Int, nullable: true, defaultValue: 50 }) first: number,
    @Args('after', { type: () => String, nullable: true }) after: string | null,
  ) {
    return this.projects.list(filter, first, after);
  }

  @Query(() => HexProject, { nullable: true, description: 'A synced project by its Hex id.' })
  @RequireRole('viewer')
  hexProject(
    @Args('id', { type: () => ID }) id: string,
    @Context() context: object,
  ): Promise<HexProject | null> {
    return this.projects.get(context, id);
  }

  @Mutation(() => HexProject, {
    description:
      'Sets the owner of a project by hand (a null email clears it, so syncs match one again); syncs never overwrite an owner set by hand.',
  })
  @RequireRole('editor')
  setHexProjectOwner(
    @Args('id', { type: () => ID }) id: string,
    @Args('email', { type: () => String, nullable: true }) email: string | null,
    @Args('connectionId', { type: () => ID, nullable: true }) connectionId: string | null,
  ): Promise<HexProject> {
    return this.projects.setOwner(id, connectionId, email);
  }

  @ResolveReference()
  resolveReference(reference: { id: string }, context: object): Promise<HexProject> {
    return this.projects.reference(context, reference.id);
  }
}
