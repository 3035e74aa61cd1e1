import { Args, Context, Int, Parent, ResolveField, Resolver, ResolveReference } from '@nestjs/graphql';
import { RequireRole } from '@cartograph/platform/graphql';
import {
  DatasetReference,
  DbtCloudDataset,
  DbtCloudRunConnection,
} from '../connections/cloud-connection.model.js';
import { CloudRunsService } from '../runs/cloud-runs.service.js';
import { CloudDatasetsService } from './cloud-datasets.service.js';

@Resolver(() => DatasetReference)
@RequireRole('viewer')
export class DatasetDbtCloudResolver {
  constructor(private readonly datasets: CloudDatasetsService) {}

  @ResolveReference()
  resolveReference(reference: { id: string }): DatasetReference {
    return { id: reference.id };
  }

  @ResolveField(() => DbtCloudDataset, {
    nullable: true,
    description: 'What dbt Cloud says of the model building this table.',
  })
  dbtCloud(@Parent() dataset: DatasetReference, @Context() context: object): Promise<DbtCloudDataset | null> {
    return this.datasets.forDataset(context, dataset.id);
  }
}

@Resolver(() => DbtCloudDataset)
@RequireRole('viewer')
export class DbtCloudDatasetResolver {
  constructor(private readonly runs: CloudRunsService) {}

  @ResolveField(() => DbtCloudRunConnection, { description: 'Runs of the job that builds it, newest first.' })
  runHistory(
    @Parent() dataset: DbtCloudDataset,
    @Args('first', { type: () => Int, nullable: true, defaultValue: 20 }) first: number,
    @Args('after', { type: () => String, nullable: true }) after: string | null,
  ) {
    return this.runs.runs(dataset.connectionId, { jobId: dataset.job?.id ?? '-' }, first, after);
  }
}
