import { Inject, Injectable } from '@nestjs/common';
import { GraphQLError } from 'graphql';
import type { Logger } from 'pino';
import { requestLoader } from '@cartograph/platform/graphql';
import { createDbtArtifactsClient, type DbtArtifactsClient } from '@cartograph/platform/internal';
import { CONFIG, LOGGER } from '@cartograph/platform/nest';
import {
  ManifestMetadata,
  type SemanticLayerMetric,
  type SemanticModelDocument,
} from '@cartograph/semantic-layer';
import type { SemanticLayerConfig } from '../../semantic-layer.definition.js';
import { SemanticManifestsRepository } from './semantic-manifests.repository.js';

export interface DatasetSemantics {
  semanticModels: (SemanticModelDocument & { project: string })[];
  metrics: (SemanticLayerMetric & { project: string })[];
}

/**
 * dbt projects' MetricFlow definitions, copied from the artifact store when they change (the
 * `dbt.artifacts.applied` event) or when first asked for, and read from Postgres after that.
 */
@Injectable()
export class SemanticManifestsService {
  private readonly artifacts: DbtArtifactsClient;

  constructor(
    private readonly repository: SemanticManifestsRepository,
    @Inject(CONFIG) config: SemanticLayerConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.artifacts = createDbtArtifactsClient({
      baseUrl: config.DBT_ARTIFACTS_URL,
      internalSecret: config.CARTOGRAPH_INTERNAL_SECRET,
      service: 'semantic-layer',
      timeoutMs: 30_000,
    });
  }

  /** Re-reads a project's definitions; true when they changed. */
  async refresh(project: string): Promise<boolean> {
    const document = await this.artifacts.semanticManifest(project);
    if (!document) {
      await this.repository.remove(project);
      return false;
    }
    const stored = await this.repository.byProject(project);
    if (stored?.version === document.version) return false;
    await this.repository.replace(document);
    this.logger.info(
      {
        project,
        semanticModels: document.semanticModels.length,
        metrics: document.metrics.length,
        savedQueries: document.savedQueries.length,
      },
      'semantic manifest refreshed',
    );
    return true;
  }

  /** The metadata of a dbt Core project, read from the artifact store on first use. */
  async metadata(project: string): Promise<ManifestMetadata> {
    let stored = await this.repository.byProject(project);
    if (!stored) {
      try {
        await this.refresh(project);
      } catch (error) {
        throw new GraphQLError(
          `The artifact store could not be asked for dbt project "${project}": ${(error as Error).message}`,
          { extensions: { code: 'UPSTREAM_UNAVAILABLE' } },
        );
      }
      stored = await this.repository.byProject(project);
    }
    if (!stored) {
      throw new GraphQLError(
        `No dbt project named "${project}" in the artifact store: upload its artifacts (manifest.json with semantic models) first`,
        { extensions: { code: 'NOT_FOUND' } },
      );
    }
    return new ManifestMetadata(stored.document);
  }

  /** Semantic models on a table and the metrics reading them, across projects; batched per request. */
  async forDataset(context: object, datasetId: string): Promise<DatasetSemantics> {
    const loaded = await requestLoader<string, DatasetSemantics>(
      context,
      'dataset-semantics',
      async (ids) => {
        const projectsOf = await this.repository.projectsOf(ids);
        const projects = [...new Set([...projectsOf.values()].flat())];
        const metadata = new Map(
          (await this.repository.byProjects(projects)).map((row) => [
            row.project,
            new ManifestMetadata(row.document),
          ]),
        );
        return ids.map((id) => {
          const answer: DatasetSemantics = { semanticModels: [], metrics: [] };
          for (const project of projectsOf.get(id) ?? []) {
            const manifest = metadata.get(project);
            if (!manifest) continue;
            const models = manifest.semanticModelsOn(id);
            answer.semanticModels.push(...models.map((model) => ({ ...model, project })));
            answer.metrics.push(...manifest.metricsOn(models).map((metric) => ({ ...metric, project })));
          }
          return answer;
        });
      },
    ).load(datasetId);
    return loaded ?? { semanticModels: [], metrics: [] };
  }
}
