import { Args, Context, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { RequireRole, type SubgraphContext } from '@cartograph/platform/graphql';
import { ApiKey, ApiKeyConnection, CreateApiKeyInput, CreatedApiKey } from './api-key.model.js';
import { ApiKeysService } from './api-keys.service.js';

@Resolver(() => ApiKey)
@RequireRole('admin')
export class ApiKeysResolver {
  constructor(private readonly keys: ApiKeysService) {}

  @Query(() => ApiKeyConnection, { description: 'API keys, newest first. Admin only.' })
  apiKeys(
    @Args('first', { type: () => Int, nullable: true, defaultValue: 50 }) first: number,
    @Args('after', { type: () => String, nullable: true }) after: string | null,
  ) {
    return this.keys.list(first, after);
  }

  @Mutation(() => CreatedApiKey, {
    description: 'Creates a key; the response is the only time the key is shown.',
  })
  createApiKey(@Args('input') input: CreateApiKeyInput, @Context() context: SubgraphContext) {
    return this.keys.create(input, ApiKeysService.creator(context.identity));
  }

  @Mutation(() => ApiKey, {
    description: 'Revokes a key; the gateway stops accepting it within its cache TTL.',
  })
  revokeApiKey(@Args('id', { type: () => ID }) id: string) {
    return this.keys.revoke(id);
  }
}
