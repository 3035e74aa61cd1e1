import { Args, Context, ID, Int, Query, Resolver, ResolveReference } from '@nestjs/graphql';
import { tryParseDatasetId } from '@cartograph/catalog-model';
import { RequireRole, byKeys, requestLoader } from '@cartograph/platform/graphql';
import { Dataset, DatasetConnection, DatasetFilter } from './dataset.model.js';
import { DatasetsService, toDataset, unregisteredDataset } from './datasets.service.js';
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

  /**
   * Another subgraph's reference (a lineage neighbour, a table a Hex project reads). One no source registered — a
   * table seen only in query history, say — is answered from its id with kind UNKNOWN, rather than null, which
   * would null the whole object that lists it.
   */
  @ResolveReference()
  async resolveReference(reference: { id: string }, context: object): Promise<Dataset | null> {
    const entity = await this.loader(context).load(reference.id);
    if (entity) return toDataset(entity);
    const parsed = tryParseDatasetId(reference.id);
    return parsed ? unregisteredDataset(parsed) : null;
  }

  private loader(context: object) {
    return requestLoader<string, DatasetEntity>(context, 'dataset', async (ids) =>
      byKeys(ids, await this.datasetsService.byIds(ids), (row) => row.id),
    );
  }
}
