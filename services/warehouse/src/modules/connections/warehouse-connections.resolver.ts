import { Args, Context, ID, Int, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import type { Identity } from '@cartograph/platform/auth';
import { RequireRole } from '@cartograph/platform/graphql';
import {
  CreateWarehouseConnectionInput,
  UpdateWarehouseConnectionInput,
  WarehouseConnection,
  WarehouseConnectionConnection,
  WarehouseConnectionTest,
  WarehouseSyncRun,
  WarehouseSyncRunConnection,
} from './warehouse-connection.model.js';
import { WarehouseConnectionsService } from './warehouse-connections.service.js';

@Resolver(() => WarehouseConnection)
export class WarehouseConnectionsResolver {
  constructor(private readonly connections: WarehouseConnectionsService) {}

  @Query(() => WarehouseConnectionConnection)
  @RequireRole('viewer')
  warehouseConnections(
    @Args('first', { type: () => Int, nullable: true, defaultValue: 50 }) first: number,
    @Args('after', { type: () => String, nullable: true }) after: string | null,
  ) {
    return this.connections.list(first, after);
  }

  @Query(() => WarehouseConnection, { nullable: true })
  @RequireRole('viewer')
  warehouseConnection(@Args('id', { type: () => ID }) id: string): Promise<WarehouseConnection | null> {
    return this.connections.get(id);
  }

  @Mutation(() => WarehouseConnection)
  @RequireRole('admin')
  createWarehouseConnection(
    @Args('input', { type: () => CreateWarehouseConnectionInput }) input: CreateWarehouseConnectionInput,
    @Context() context: { identity?: Identity },
  ): Promise<WarehouseConnection> {
    return this.connections.create(input, context.identity?.name ?? context.identity?.subject ?? null);
  }

  @Mutation(() => WarehouseConnection)
  @RequireRole('admin')
  updateWarehouseConnection(
    @Args('id', { type: () => ID }) id: string,
    @Args('input', { type: () => UpdateWarehouseConnectionInput }) input: UpdateWarehouseConnectionInput,
  ): Promise<WarehouseConnection> {
    return this.connections.update(id, input);
  }

  @Mutation(() => Boolean, { description: 'Deletes the connection; its tables are announced as removed.' })
  @RequireRole('admin')
  deleteWarehouseConnection(@Args('id', { type: () => ID }) id: string): Promise<boolean> {
    return this.connections.delete(id);
  }

  @Mutation(() => WarehouseConnectionTest, {
    description:
      'Checks that the warehouse answers the credentials and that the grants schema crawling and query history need are there; a missing one is named with the statement that grants it.',
  })
  @RequireRole('admin')
  testWarehouseConnection(@Args('id', { type: () => ID }) id: string): Promise<WarehouseConnectionTest> {
    return this.connections.test(id);
  }

  @Mutation(() => WarehouseSyncRun, {
    description: 'Crawls and reads history now; a sync already queued or running is returned instead.',
  })
  @RequireRole('editor')
  syncWarehouseConnection(@Args('id', { type: () => ID }) id: string): Promise<WarehouseSyncRun> {
    return this.connections.sync(id);
  }

  @ResolveField(() => WarehouseSyncRunConnection)
  syncRuns(
    @Parent() connection: WarehouseConnection,
    @Args('first', { type: () => Int, nullable: true, defaultValue: 20 }) first: number,
    @Args('after', { type: () => String, nullable: true }) after: string | null,
  ) {
    return this.connections.syncRuns(connection.id, first, after);
  }
}
