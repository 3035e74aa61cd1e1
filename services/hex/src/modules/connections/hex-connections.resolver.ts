import { Args, Context, ID, Int, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import type { Identity } from '@cartograph/platform/auth';
import { RequireRole } from '@cartograph/platform/graphql';
import {
  CreateHexConnectionInput,
  HexConnection,
  HexConnectionConnection,
  HexConnectionTest,
  HexSyncRun,
  HexSyncRunConnection,
  UpdateHexConnectionInput,
} from './hex-connection.model.js';
import { HexConnectionsService } from './hex-connections.service.js';

@Resolver(() => HexConnection)
export class HexConnectionsResolver {
  constructor(private readonly connections: HexConnectionsService) {}

  @Query(() => HexConnectionConnection)
  @RequireRole('viewer')
  hexConnections(
    @Args('first', { type: () => Int, nullable: true, defaultValue: 50 }) first: number,
    @Args('after', { type: () => String, nullable: true }) after: string | null,
  ) {
    return this.connections.list(first, after);
  }

  @Query(() => HexConnection, { nullable: true })
  @RequireRole('viewer')
  hexConnection(@Args('id', { type: () => ID }) id: string): Promise<HexConnection | null> {
    return this.connections.get(id);
  }

  @Mutation(() => HexConnection)
  @RequireRole('admin')
  createHexConnection(
    @Args('input', { type: () => CreateHexConnectionInput }) input: CreateHexConnectionInput,
    @Context() context: { identity?: Identity },
  ): Promise<HexConnection> {
    return this.connections.create(input, context.identity?.name ?? context.identity?.subject ?? null);
  }

  @Mutation(() => HexConnection)
  @RequireRole('admin')
  updateHexConnection(
    @Args('id', { type: () => ID }) id: string,
    @Args('input', { type: () => UpdateHexConnectionInput }) input: UpdateHexConnectionInput,
  ): Promise<HexConnection> {
    return this.connections.update(id, input);
  }

  @Mutation(() => Boolean)
  @RequireRole('admin')
  deleteHexConnection(@Args('id', { type: () => ID }) id: string): Promise<boolean> {
    return this.connections.delete(id);
  }

  @Mutation(() => HexConnectionTest, {
    description:
      'Checks the token and tells what it can see (projects, data connections, collections, users), without syncing.',
  })
  @RequireRole('admin')
  testHexConnection(@Args('id', { type: () => ID }) id: string): Promise<HexConnectionTest> {
    return this.connections.test(id);
  }

  @Mutation(() => HexSyncRun, {
    description:
      'Syncs now (full: list every project and detect deletions); a sync already queued or running is returned instead.',
  })
  @RequireRole('editor')
  syncHexConnection(
    @Args('id', { type: () => ID }) id: string,
    @Args('full', { type: () => Boolean, nullable: true, defaultValue: false }) full: boolean,
  ): Promise<HexSyncRun> {
    return this.connections.sync(id, full);
  }

  @ResolveField(() => HexSyncRunConnection)
  syncRuns(
    @Parent() connection: HexConnection,
    @Args('first', { type: () => Int, nullable: true, defaultValue: 20 }) first: number,
    @Args('after', { type: () => String, nullable: true }) after: string | null,
  ) {
    return this.connections.syncRuns(connection.id, first, after);
  }
}
