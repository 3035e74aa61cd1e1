import { Inject } from '@nestjs/common';
import { Args, Context, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import type { Identity } from '@cartograph/platform/auth';
import {
  RequireRole,
  badUserInput,
  decodeCursor,
  notFound,
  pageSize,
  toConnection,
} from '@cartograph/platform/graphql';
import { CONFIG } from '@cartograph/platform/nest';
import type { DbtArtifactsConfig } from '../../dbt-artifacts.definition.js';
import { ProjectsRepository } from '../projects/projects.repository.js';
import { discardSpooled, spoolArtifact } from '../uploads/artifact-spool.js';
import type { UploadedArtifact } from '../uploads/upload-request.reader.js';
import { toArtifactSetView } from './artifact-set.view.js';
import {
  DbtArtifactSet,
  DbtArtifactSetConnection,
  DbtArtifactsInput,
  DbtArtifactUpload,
} from './artifact-set.model.js';
import { ArtifactSetsRepository } from './artifact-sets.repository.js';
import { ArtifactSetsService } from './artifact-sets.service.js';

const inlineFiles = [
  ['manifest', 'manifest', 'manifest.json'],
  ['catalog', 'catalog', 'catalog.json'],
  ['runResults', 'run_results', 'run_results.json'],
  ['sources', 'sources', 'sources.json'],
  ['semanticManifest', 'semantic_manifest', 'semantic_manifest.json'],
] as const;

@Resolver(() => DbtArtifactSet)
export class ArtifactSetsResolver {
  constructor(
    private readonly service: ArtifactSetsService,
    private readonly sets: ArtifactSetsRepository,
    private readonly projects: ProjectsRepository,
    @Inject(CONFIG) private readonly config: DbtArtifactsConfig,
  ) {}

  @Query(() => DbtArtifactSet, { nullable: true })
  @RequireRole('viewer')
  async dbtArtifactSet(@Args('id', { type: () => ID }) id: string): Promise<DbtArtifactSet | null> {
    const set = /^[0-9a-f-]{36}$/i.test(id) ? await this.sets.byId(id) : null;
    return set ? (toArtifactSetView(set) as DbtArtifactSet) : null;
  }

  @Query(() => DbtArtifactSetConnection, { description: 'Artifact sets, newest first.' })
  @RequireRole('viewer')
  async dbtArtifactSets(
    @Args('project', { type: () => String, nullable: true }) project: string | null,
    @Args('state', { type: () => String, nullable: true }) state: string | null,
    @Args('first', { type: () => Int, nullable: true, defaultValue: 20 }) first: number,
    @Args('after', { type: () => String, nullable: true }) after: string | null,
  ) {
    const size = pageSize(first);
    const cursor = decodeCursor(after) as [string, string] | null;
    let projectId: string | null = null;
    if (project) {
      projectId = (await this.projects.byName(project))?.id ?? null;
      if (!projectId) throw notFound(`dbt project "${project}"`);
    }
    const { rows, total } = await this.sets.list({ projectId, state }, size + 1, cursor);
    return toConnection(
      rows,
      size,
      total,
      (row) => [row.createdAt.toISOString(), row.id],
      Boolean(cursor),
      (row) => toArtifactSetView(row) as DbtArtifactSet,
    );
  }

  @Mutation(() => DbtArtifactUpload, {
    description:
      'Ingests a small artifact set sent inline (each file as its JSON text); for large ones POST /api/dbt-artifacts/v1/uploads.',
  })
  @RequireRole('editor')
  async uploadDbtArtifacts(
    @Args('input', { type: () => DbtArtifactsInput }) input: DbtArtifactsInput,
    @Context() context: { identity?: Identity },
  ): Promise<DbtArtifactUpload> {
    const artifacts: UploadedArtifact[] = [];
    try {
      for (const [field, kind, fileName] of inlineFiles) {
        const text = input[field];
        if (!text) continue;
        const spooled = await spoolArtifact(
          (async function* () {
            yield Buffer.from(text, 'utf8');
          })(),
          {
            fileName,
            maxBytes: this.config.ARTIFACT_MAX_BYTES,
            directory: this.config.UPLOAD_TEMP_DIRECTORY,
          },
        );
        artifacts.push({ ...spooled, kind });
      }
    } catch (error) {
      await discardSpooled(artifacts);
      throw badUserInput((error as Error).message);
    }
    if (artifacts.length === 0) {
      throw badUserInput('Send at least one of manifest, catalog, runResults, sources, semanticManifest');
    }
    const accepted = await this.service.accept({
      artifacts,
      project: input.project?.trim() || null,
      instance: input.instance?.trim() || null,
      origin: 'graphql',
      createdBy: context.identity?.name ?? context.identity?.subject ?? null,
    });
    return { artifactSet: toArtifactSetView(accepted.set) as DbtArtifactSet, unchanged: accepted.unchanged };
  }
}
