import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { CONFIG, LOGGER } from '@cartograph/platform/nest';
import type { DbtArtifactsConfig } from '../../dbt-artifacts.definition.js';
import { ArtifactSetsRepository } from '../artifact-sets/artifact-sets.repository.js';
import { ArtifactSetsService } from '../artifact-sets/artifact-sets.service.js';

const SWEEP_INTERVAL_MS = 60_000;

/**
 * Postgres is the truth of what is queued: a set whose job was lost with Redis (or never made it there)
 * is queued again. A duplicate job is harmless: it finds the set applied and stops.
 */
@Injectable()
export class StrandedSetsSweep implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly sets: ArtifactSetsRepository,
    private readonly service: ArtifactSetsService,
    @Inject(CONFIG) private readonly config: DbtArtifactsConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    // A worker that starts after a crash picks up what the crashed one left at once.
    void this.sweep();
    this.timer = setInterval(() => void this.sweep(), SWEEP_INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async sweep(): Promise<number> {
    try {
      const stranded = await this.sets.stranded(this.config.DBT_ARTIFACTS_STRANDED_AFTER_SECONDS * 1_000);
      for (const id of stranded) await this.service.enqueue(id);
      if (stranded.length > 0)
        this.logger.info({ count: stranded.length }, 'queued stranded artifact sets again');
      return stranded.length;
    } catch (error) {
      this.logger.warn({ err: error }, 'stranded artifact set sweep failed');
      return 0;
    }
  }
}
