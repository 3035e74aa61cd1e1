import { Args, Context, Int, Parent, ResolveField, Resolver, ResolveReference } from '@nestjs/graphql';
import { RequireRole } from '@cartograph/platform/graphql';
import {
  ColumnReference,
  DatasetConsumer,
  DatasetReference,
  DatasetUsage,
  HexProjectReference,
  ImpactAnalysis,
  LineageDirection,
  LineageGraph,
  LineageNeighbor,
  WarehouseColumn,
  WarehouseQueryConnection,
  WarehouseTable,
} from './dataset-warehouse.model.js';
import { DatasetWarehouseService } from './dataset-warehouse.service.js';

@Resolver(() => DatasetReference)
@RequireRole('viewer')
export class DatasetWarehouseResolver {
  constructor(private readonly datasets: DatasetWarehouseService) {}

  @ResolveReference()
  resolveReference(reference: { id: string }): DatasetReference {
    return { id: reference.id };
  }

  @ResolveField(() => [WarehouseColumn], {
    nullable: true,
    description:
      'Columns as the warehouse describes them (types, comments); null when no crawl has seen the table.',
  })
  columns(@Parent() dataset: DatasetReference, @Context() context: object) {
    return this.datasets.columns(context, dataset.id);
  }

  @ResolveField(() => WarehouseTable, { nullable: true, description: 'What the last warehouse crawl saw.' })
  warehouseTable(@Parent() dataset: DatasetReference, @Context() context: object) {
    return this.datasets.warehouseTable(context, dataset.id);
  }

  @ResolveField(() => [LineageNeighbor], {
    description: 'Datasets this one is computed from, within `depth` hops (1–10), nearest first.',
  })
  upstream(
    @Parent() dataset: DatasetReference,
    @Args('depth', { type: () => Int, defaultValue: 1 }) depth: number,
    @Args('first', { type: () => Int, defaultValue: 100 }) first: number,
  ) {
    return this.datasets.neighbours(dataset.id, 'upstream', depth, first);
  }

  @ResolveField(() => [LineageNeighbor], {
    description: 'Datasets computed from this one, within `depth` hops (1–10), nearest first.',
  })
  downstream(
    @Parent() dataset: DatasetReference,
    @Args('depth', { type: () => Int, defaultValue: 1 }) depth: number,
    @Args('first', { type: () => Int, defaultValue: 100 }) first: number,
  ) {
    return this.datasets.neighbours(dataset.id, 'downstream', depth, first);
  }

  @ResolveField(() => LineageGraph, {
    description:
      'Nodes and edges around the dataset for drawing, from query history, view definitions and dbt together.',
  })
  lineage(
    @Parent() dataset: DatasetReference,
    @Args('direction', { type: () => LineageDirection, defaultValue: LineageDirection.BOTH })
    direction: LineageDirection,
    @Args('depth', { type: () => Int, defaultValue: 2 }) depth: number,
    @Args('first', { type: () => Int, defaultValue: 200 }) first: number,
  ) {
    return this.datasets.graph(dataset.id, direction, depth, first);
  }

  @ResolveField(() => ImpactAnalysis, {
    description:
      'Everything downstream of the table, or of one column (then only what column lineage shows is computed from it).',
  })
  impact(
    @Parent() dataset: DatasetReference,
    @Args('column', { type: () => String, nullable: true }) column: string | null,
    @Args('depth', { type: () => Int, defaultValue: 5 }) depth: number,
    @Args('first', { type: () => Int, defaultValue: 500 }) first: number,
  ) {
    return this.datasets.impact(dataset.id, column, depth, first);
  }

  @ResolveField(() => [ColumnReference], {
    description: 'The columns one column is computed from (one hop).',
  })
  columnLineage(@Parent() dataset: DatasetReference, @Args('column') column: string) {
    return this.datasets.columnSources(dataset.id, column);
  }

  @ResolveField(() => WarehouseQueryConnection, {
    description: 'Query shapes that read or wrote the dataset, most recent first.',
  })
  queries(
    @Parent() dataset: DatasetReference,
    @Args('first', { type: () => Int, nullable: true, defaultValue: 20 }) first: number,
    @Args('after', { type: () => String, nullable: true }) after: string | null,
  ) {
    return this.datasets.queries(dataset.id, first, after);
  }

  @ResolveField(() => DatasetUsage, { description: 'Reads and writes per day and the heaviest users.' })
  usage(
    @Parent() dataset: DatasetReference,
    @Args('days', { type: () => Int, defaultValue: 30 }) days: number,
  ) {
    return this.datasets.usage(dataset.id, days);
  }

  @ResolveField(() => [DatasetConsumer], {
    description: 'BI projects (Hex, …) whose queries read the dataset, by the comments their queries carry.',
  })
  consumers(@Parent() dataset: DatasetReference, @Context() context: object) {
    return this.datasets.consumers(context, dataset.id);
  }

  @ResolveField(() => [HexProjectReference], {
    description:
      'Hex projects whose queries read the dataset, by the Hex comments in query history (the hex subgraph resolves their fields).',
  })
  hexProjects(@Parent() dataset: DatasetReference, @Context() context: object) {
    return this.datasets.hexProjects(context, dataset.id);
  }
}

/** `HexProject.datasets`: the warehouse owns the attribution, so it resolves HexProject by id for this field. */
@Resolver(() => HexProjectReference)
@RequireRole('viewer')
export class HexProjectWarehouseResolver {
  constructor(private readonly warehouse: DatasetWarehouseService) {}

  @ResolveReference()
  resolveReference(reference: { id: string }): HexProjectReference {
    return { id: reference.id };
  }

  @ResolveField(() => [DatasetReference], {
    description: 'Tables the project read, by the Hex comments its queries carry in warehouse query history.',
  })
  datasets(@Parent() project: HexProjectReference, @Context() context: object) {
    return this.warehouse.hexProjectDatasets(context, project.id);
  }
}
