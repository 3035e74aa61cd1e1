import { Args, Int, Query, Resolver } from '@nestjs/graphql';
import { RequireRole } from '@cartograph/platform/graphql';
import { SearchHitConnection, SearchResultType } from './search.model.js';
import { SearchService } from './search.service.js';

@Resolver()
@RequireRole('viewer')
export class SearchResolver {
  constructor(private readonly searchService: SearchService) {}

  @Query(() => SearchHitConnection, {
    description:
      'Ranked, typo-tolerant search over names and descriptions, with highlighted snippets. totalCount counts the ranked candidates and saturates at 300; very broad queries rank a sample of their matches.',
  })
  search(
    @Args('query') query: string,
    @Args('types', { type: () => [SearchResultType], nullable: true }) types: SearchResultType[] | null,
    @Args('first', { type: () => Int, nullable: true, defaultValue: 20 }) first: number,
    @Args('after', { type: () => String, nullable: true }) after: string | null,
  ) {
    return this.searchService.find(query, types, first, after);
  }
}
