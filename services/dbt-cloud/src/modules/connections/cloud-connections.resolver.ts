import { Args, Context, ID, Int, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import type { Identity } from '@cartograph/platform/auth';
import { RequireRole } from '@cartograph/platform/graphql';
import { CloudRunsService } from '../runs/cloud-runs.service.js';
import {
  CreateDbtCloudConnectionInput,
  DbtCloudConnection,
  DbtCloudConnectionConnection,
  DbtCloudConnectionTest,
  DbtCloudJobConnection,
  DbtCloudProject,
  DbtCloudRunConnection,
  DbtCloudSyncRun,
  DbtCloudSyncRunConnection,
  UpdateDbtCloudConnectionInput,
} from './cloud-connection.model.js';
import { CloudConnectionsService } from './cloud-connections.service.js';

@Resolver(() => DbtCloudConnection)
export class CloudConnectionsResolver {
  constructor(
    private readonly connections: CloudConnectionsService,
    private readonly cloudRuns: CloudRunsService,
  ) {}

  @Query(() => DbtCloudConnectionConnection)
  @RequireRole('viewer')
  dbtCloudConnections(
    @Args('first', { type: () => Int, nullable: true, defaultValue: 50 }) first: number,
    @Args('after', { type: () => String, nullable: true }) after: string | null,
  ) {
    return this.connections.list(first, after);
  }

  @Query(() => DbtCloudConnection, { nullable: true })
  @RequireRole('viewer')
  dbtCloudConnection(@Args('id', { type: () => ID }) id: string): Promise<DbtCloudConnection | null> {
    return this.connections.get(id);
  }

  @Mutation(() => DbtCloudConnection)
  @RequireRole('admin')
  createDbtCloudConnection(
    @Args('input', { type: () => CreateDbtCloudConnectionInput }) input: CreateDbtCloudConnectionInput,
    @Context() context: { identity?: Identity },
  ): Promise<DbtCloudConnection> {
    return this.connections.create(input, context.identity?.name ?? context.identity?.subject ?? null);
  }

  @Mutation(() => DbtCloudConnection)
  @RequireRole('admin')
  updateDbtCloudConnection(
    @Args('id', { type: () => ID }) id: string,
    @Args('input', { type: () => UpdateDbtCloudConnectionInput }) input: UpdateDbtCloudConnectionInput,
  ): Promise<DbtCloudConnection> {
    return this.connections.update(id, input);
  }

  @Mutation(() => Boolean)
  @RequireRole('admin')
  deleteDbtCloudConnection(@Args('id', { type: () => ID }) id: string): Promise<boolean> {
    return this.connections.delete(id);
  }

  @Mutation(() => DbtCloudConnectionTest, {
    description:
      'Checks the token, its permissions (Admin and Discovery APIs) and the host, without syncing.',
  })
  @RequireRole('admin')
  testDbtCloudConnection(@Args('id', { type: () => ID }) id: string): Promise<DbtCloudConnectionTest> {
    return this.connections.test(id);
  }

  @Mutation(() => DbtCloudSyncRun, {
    description: 'Syncs now; a sync already queued or running is returned instead.',
  })
  @RequireRole('editor')
  syncDbtCloudConnection(@Args('id', { type: () => ID }) id: string): Promise<DbtCloudSyncRun> {
    return this.connections.sync(id);
  }

  @ResolveField(() => DbtCloudSyncRunConnection)
  syncRuns(
    @Parent() connection: DbtCloudConnection,
    @Args('first', { type: () => Int, nullable: true, defaultValue: 20 }) first: number,
    @Args('after', { type: () => String, nullable: true }) after: string | null,
  ) {
    return this.connections.syncRuns(connection.id, first, after);
  }

  @ResolveField(() => [DbtCloudProject])
  projects(@Parent() connection: DbtCloudConnection): Promise<DbtCloudProject[]> {
    return this.cloudRuns.projects(connection.id);
  }

  @ResolveField(() => DbtCloudJobConnection)
  jobs(
    @Parent() connection: DbtCloudConnection,
    @Args('first', { type: () => Int, nullable: true, defaultValue: 50 }) first: number,
    @Args('after', { type: () => String, nullable: true }) after: string | null,
  ) {
    return this.cloudRuns.jobs(connection.id, first, after);
  }

  @ResolveField(() => DbtCloudRunConnection, { description: 'Runs, newest first.' })
  runs(
    @Parent() connection: DbtCloudConnection,
    @Args('jobId', { type: () => String, nullable: true }) jobId: string | null,
    @Args('first', { type: () => Int, nullable: true, defaultValue: 20 }) first: number,
    @Args('after', { type: () => String, nullable: true }) after: string | null,
  ) {
    return this.cloudRuns.runs(connection.id, { jobId }, first, after);
  }
}
