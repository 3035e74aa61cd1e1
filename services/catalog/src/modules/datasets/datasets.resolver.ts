import { Args, Context, ID, Int, Query, Resolver, ResolveReference } from '@nestjs/graphql';
import { RequireRole, byKeys, requestLoader } from '@cartograph/platform/graphql';
import { Dataset, DatasetConnection, DatasetFilter } from './dataset.model.js';
import { DatasetsService, toDataset } from './datasets.service.js';
import type { DatasetEntity } from './dataset.entity.js';

@Resolver(() => Dataset)
@RequireRole('viewer')
export class DatasetsResolver {
  constructor(private readonly datasetsService: DatasetsService) {}

  @Query(() => Dataset, {
    nullable: true,
    description: 'One dataset by its id; null when no source has seen it.',
  })
  async dataset(
    @Args('id', { type: () => ID }) id: string,
    @Context() context: object,
  ): Promise<Dataset | null> {
    const entity = await this.loader(context).load(id);
    return entity ? toDataset(entity) : null;
  }

  @Query(() => DatasetConnection)
  datasets(
    @Args('filter', { type: () => DatasetFilter, nullable: true }) filter: DatasetFilter | null,
    @Args('first', { type: () => Int, nullable: true, defaultValue: 50 }) first: number,
    @Args('after', { type: () => String, nullable: true }) after: string | null,
  ) {
    return this.datasetsService.list(filter, first, after);
  }

  @ResolveReference()
  async resolveReference(reference: { id: string }, context: object): Promise<Dataset | null> {
    const entity = await this.loader(context).load(reference.id);
    return entity ? toDataset(entity) : null;
  }

  private loader(context: object) {
    return requestLoader<string, DatasetEntity>(context, 'dataset', async (ids) =>
      byKeys(ids, await this.datasetsService.byIds(ids), (row) => row.id),
    );
  }
}
