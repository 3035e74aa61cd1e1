import { Args, Context, ID, Int, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { RequireRole, type SubgraphContext } from '@cartograph/platform/graphql';
import {
  CreateDbtBucketConnectionInput,
  DbtBucketConnection,
  DbtBucketConnectionConnection,
  DbtBucketConnectionTest,
  DbtBucketSyncRun,
  DbtBucketSyncRunConnection,
  UpdateDbtBucketConnectionInput,
} from './bucket-connection.model.js';
import { BucketConnectionsService } from './bucket-connections.service.js';

@Resolver(() => DbtBucketConnection)
export class BucketConnectionsResolver {
  constructor(private readonly service: BucketConnectionsService) {}

  @Query(() => DbtBucketConnectionConnection, { description: 'Bucket connections, by name.' })
  @RequireRole('viewer')
  dbtBucketConnections(
    @Args('first', { type: () => Int, nullable: true, defaultValue: 50 }) first: number,
    @Args('after', { type: () => String, nullable: true }) after: string | null,
  ) {
    return this.service.list(first, after);
  }

  @Query(() => DbtBucketConnection, { nullable: true })
  @RequireRole('viewer')
  dbtBucketConnection(@Args('id', { type: () => ID }) id: string): Promise<DbtBucketConnection | null> {
    return this.service.get(id);
  }

  @ResolveField(() => DbtBucketSyncRun, { nullable: true, description: 'The newest sync run.' })
  lastSync(
    @Parent() connection: DbtBucketConnection,
    @Context() context: object,
  ): Promise<DbtBucketSyncRun | null> {
    return this.service.lastSync(context, connection.id);
  }

  @ResolveField(() => DbtBucketSyncRunConnection, { description: 'Sync runs, newest first.' })
  syncRuns(
    @Parent() connection: DbtBucketConnection,
    @Args('first', { type: () => Int, nullable: true, defaultValue: 20 }) first: number,
    @Args('after', { type: () => String, nullable: true }) after: string | null,
  ) {
    return this.service.syncRuns(connection.id, first, after);
  }

  @Mutation(() => DbtBucketConnection, {
    description: 'Saves a bucket connection; credentials are encrypted and never returned.',
  })
  @RequireRole('admin')
  createDbtBucketConnection(
    @Args('input', { type: () => CreateDbtBucketConnectionInput }) input: CreateDbtBucketConnectionInput,
    @Context() context: SubgraphContext,
  ): Promise<DbtBucketConnection> {
    return this.service.create(input, `${context.identity.kind}:${context.identity.subject}`);
  }

  @Mutation(() => DbtBucketConnection)
  @RequireRole('admin')
  updateDbtBucketConnection(
    @Args('id', { type: () => ID }) id: string,
    @Args('input', { type: () => UpdateDbtBucketConnectionInput }) input: UpdateDbtBucketConnectionInput,
  ): Promise<DbtBucketConnection> {
    return this.service.update(id, input);
  }

  @Mutation(() => Boolean, {
    description: 'Deletes the connection, its sync history and its schedule; ingested artifact sets stay.',
  })
  @RequireRole('admin')
  deleteDbtBucketConnection(@Args('id', { type: () => ID }) id: string): Promise<boolean> {
    return this.service.delete(id);
  }

  @Mutation(() => DbtBucketConnectionTest, {
    description: 'Reaches the bucket with the stored credentials and lists one key under the prefix.',
  })
  @RequireRole('admin')
  testDbtBucketConnection(@Args('id', { type: () => ID }) id: string): Promise<DbtBucketConnectionTest> {
    return this.service.test(id);
  }

  @Mutation(() => DbtBucketSyncRun, {
    description:
      'Queues a sync now and returns its run; when one is already queued or running, returns that one instead.',
  })
  @RequireRole('editor')
  syncDbtBucketConnection(@Args('id', { type: () => ID }) id: string): Promise<DbtBucketSyncRun> {
    return this.service.requestSync(id);
  }
}
