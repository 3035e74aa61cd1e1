import { Args, Context, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import type { Identity } from '@cartograph/platform/auth';
import { RequireRole, connectionType } from '@cartograph/platform/graphql';
import {
  CreateSemanticLayerConnectionInput,
  SemanticLayerConnection,
  SemanticLayerConnectionTest,
  UpdateSemanticLayerConnectionInput,
} from './semantic-layer-connection.model.js';
import { SemanticLayerConnectionsService } from './semantic-layer-connections.service.js';

export const SemanticLayerConnectionConnection = connectionType(
  SemanticLayerConnection,
  'SemanticLayerConnection',
);

@Resolver(() => SemanticLayerConnection)
export class SemanticLayerConnectionsResolver {
  constructor(private readonly connections: SemanticLayerConnectionsService) {}

  @Query(() => SemanticLayerConnectionConnection)
  @RequireRole('viewer')
  semanticLayerConnections(
    @Args('first', { type: () => Int, nullable: true, defaultValue: 50 }) first: number,
    @Args('after', { type: () => String, nullable: true }) after: string | null,
  ) {
    return this.connections.list(first, after);
  }

  @Query(() => SemanticLayerConnection, { nullable: true })
  @RequireRole('viewer')
  semanticLayerConnection(
    @Args('id', { type: () => ID }) id: string,
  ): Promise<SemanticLayerConnection | null> {
    return this.connections.get(id);
  }

  @Mutation(() => SemanticLayerConnection)
  @RequireRole('admin')
  createSemanticLayerConnection(
    @Args('input', { type: () => CreateSemanticLayerConnectionInput })
    input: CreateSemanticLayerConnectionInput,
    @Context() context: { identity?: Identity },
  ): Promise<SemanticLayerConnection> {
    return this.connections.create(input, context.identity?.name ?? context.identity?.subject ?? null);
  }

  @Mutation(() => SemanticLayerConnection)
  @RequireRole('admin')
  updateSemanticLayerConnection(
    @Args('id', { type: () => ID }) id: string,
    @Args('input', { type: () => UpdateSemanticLayerConnectionInput })
    input: UpdateSemanticLayerConnectionInput,
  ): Promise<SemanticLayerConnection> {
    return this.connections.update(id, input);
  }

  @Mutation(() => Boolean, { description: 'Deletes the connection and its query audit.' })
  @RequireRole('admin')
  deleteSemanticLayerConnection(@Args('id', { type: () => ID }) id: string): Promise<boolean> {
    return this.connections.delete(id);
  }

  @Mutation(() => SemanticLayerConnectionTest, {
    description:
      "Lists the environment's metrics with the token; a refused token is recorded on the connection as UPSTREAM_AUTH_FAILED.",
  })
  @RequireRole('admin')
  testSemanticLayerConnection(
    @Args('id', { type: () => ID }) id: string,
  ): Promise<SemanticLayerConnectionTest> {
    return this.connections.test(id);
  }
}
