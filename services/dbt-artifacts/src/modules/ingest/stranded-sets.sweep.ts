import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { LOGGER } from '@cartograph/platform/nest';
import { ArtifactSetsRepository } from '../artifact-sets/artifact-sets.repository.js';
import { ArtifactSetsService } from '../artifact-sets/artifact-sets.service.js';

const SWEEP_INTERVAL_MS = 60_000;
/** Longer than any ingest's queue wait plus run, so a set in progress is not queued twice without need. */
const STRANDED_AFTER_MS = 10 * 60_000;

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
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep(), SWEEP_INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async sweep(): Promise<number> {
    try {
      const stranded = await this.sets.stranded(STRANDED_AFTER_MS);
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
