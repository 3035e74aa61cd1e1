import { Args, Context, Int, Parent, Query, ResolveField, Resolver, ResolveReference } from '@nestjs/graphql';
import { RequireRole, badUserInput } from '@cartograph/platform/graphql';
import { RunsService } from '../runs/runs.service.js';
import type { DbtProject } from '../projects/dbt-project.model.js';
import { DbtProject as DbtProjectType } from '../projects/dbt-project.model.js';
import { ProjectsService } from '../projects/projects.service.js';
import { mergeColumns, type CatalogColumn, type DocumentedColumn } from './column-merge.js';
import {
  DatasetReference,
  DbtColumn,
  DbtFreshness,
  DbtLineage,
  DbtNode,
  DbtNodeConnection,
  DbtNodeFilter,
  DbtRunOutcome,
  DbtRunOutcomeConnection,
  LineageDirection,
} from './dbt-node.model.js';
import { NodesService } from './nodes.service.js';

const MAX_LINEAGE_DEPTH = 10;

@Resolver(() => DbtNode)
@RequireRole('viewer')
export class DbtNodesResolver {
  constructor(
    private readonly nodes: NodesService,
    private readonly runs: RunsService,
    private readonly projects: ProjectsService,
  ) {}

  @Query(() => DbtNode, {
    nullable: true,
    description: 'One dbt resource by unique id (in a project, when several have it).',
  })
  dbtNode(
    @Args('uniqueId') uniqueId: string,
    @Args('project', { type: () => String, nullable: true }) project: string | null,
  ): Promise<DbtNode | null> {
    return this.nodes.byUniqueId(uniqueId, project);
  }

  @Query(() => DbtNodeConnection)
  dbtNodes(
    @Args('filter', { type: () => DbtNodeFilter, nullable: true }) filter: DbtNodeFilter | null,
    @Args('first', { type: () => Int, nullable: true, defaultValue: 50 }) first: number,
    @Args('after', { type: () => String, nullable: true }) after: string | null,
  ) {
    return this.nodes.list(filter, first, after);
  }

  @ResolveField(() => DbtProjectType)
  project(@Parent() node: DbtNode, @Context() context: object): Promise<DbtProject | null> {
    return this.projects.byId(context, node.projectId);
  }

  @ResolveField(() => DatasetReference, { nullable: true, description: 'The catalog dataset of its table.' })
  dataset(@Parent() node: DbtNode): DatasetReference | null {
    return node.datasetId ? { id: node.datasetId } : null;
  }

  @ResolveField(() => [DbtColumn], {
    description: 'Documented and warehouse columns, joined case-insensitively.',
  })
  async columns(@Parent() node: DbtNode, @Context() context: object): Promise<DbtColumn[]> {
    const catalogColumns = ((node.catalog as { columns?: CatalogColumn[] } | null)?.columns ??
      []) as CatalogColumn[];
    const merged = mergeColumns(node.documentedColumns as DocumentedColumn[], catalogColumns);
    const tests = (await this.nodes.testsOf(context, node)) ?? [];
    return merged.map((column) => ({
      ...column,
      tests: tests.filter((test) => test.columnName?.toLowerCase() === column.name.toLowerCase()),
    }));
  }

  @ResolveField(() => [DbtNode], {
    description: 'Data and unit tests attached to it (model- and column-level).',
  })
  async tests(@Parent() node: DbtNode, @Context() context: object): Promise<DbtNode[]> {
    return (await this.nodes.testsOf(context, node)) ?? [];
  }

  @ResolveField(() => DbtNode, { nullable: true, description: 'Tests: the node tested.' })
  testedNode(@Parent() node: DbtNode, @Context() context: object): Promise<DbtNode | null> {
    return node.testedUniqueId
      ? this.nodes.inProject(context, node.projectId, node.testedUniqueId)
      : Promise.resolve(null);
  }

  @ResolveField(() => DbtRunOutcome, {
    nullable: true,
    description:
      'The latest outcome from a run that counts (build, run, test, seed, snapshot; never docs generate).',
  })
  lastRun(@Parent() node: DbtNode, @Context() context: object): Promise<DbtRunOutcome | null> {
    return this.runs.lastRun(context, node.projectId, node.uniqueId);
  }

  @ResolveField(() => DbtRunOutcomeConnection, { description: 'Outcomes, newest first.' })
  runHistory(
    @Parent() node: DbtNode,
    @Args('first', { type: () => Int, nullable: true, defaultValue: 20 }) first: number,
    @Args('after', { type: () => String, nullable: true }) after: string | null,
  ) {
    return this.runs.history(node.projectId, node.uniqueId, first, after);
  }

  @ResolveField(() => DbtFreshness, { nullable: true, description: 'Sources: the latest freshness check.' })
  freshness(@Parent() node: DbtNode, @Context() context: object): Promise<DbtFreshness | null> {
    return node.resourceType === 'source'
      ? this.runs.freshness(context, node.projectId, node.uniqueId)
      : Promise.resolve(null);
  }

  @ResolveField(() => [DbtFreshness], { description: 'Sources: freshness checks, newest first.' })
  freshnessHistory(
    @Parent() node: DbtNode,
    @Args('first', { type: () => Int, nullable: true, defaultValue: 20 }) first: number,
  ): Promise<DbtFreshness[]> {
    return this.runs.freshnessHistory(node.projectId, node.uniqueId, first);
  }

  @ResolveField(() => DbtLineage, {
    description: 'dbt resources up- or downstream within `depth` hops (at most 10).',
  })
  lineage(
    @Parent() node: DbtNode,
    @Context() context: object,
    @Args('direction', { type: () => LineageDirection, defaultValue: LineageDirection.UPSTREAM })
    direction: LineageDirection,
    @Args('depth', { type: () => Int, defaultValue: 1 }) depth: number,
  ) {
    if (!Number.isInteger(depth) || depth < 1 || depth > MAX_LINEAGE_DEPTH) {
      throw badUserInput(`"depth" must be between 1 and ${MAX_LINEAGE_DEPTH}, got ${depth}`, {
        argument: 'depth',
      });
    }
    return this.nodes.lineage(context, node, direction, depth);
  }
}

/** `Dataset.dbt`: what dbt knows of a table, beside what the catalog and other subgraphs know. */
@Resolver(() => DatasetReference)
@RequireRole('viewer')
export class DatasetDbtResolver {
  constructor(private readonly nodes: NodesService) {}

  @ResolveReference()
  resolveReference(reference: { id: string }): DatasetReference {
    return { id: reference.id };
  }

  @ResolveField(() => DbtNode, {
    nullable: true,
    description:
      'The dbt model, seed, snapshot or source of this table (its own project before a Mesh copy).',
  })
  dbt(@Parent() dataset: DatasetReference, @Context() context: object): Promise<DbtNode | null> {
    return this.nodes.byDataset(context, dataset.id);
  }
}
