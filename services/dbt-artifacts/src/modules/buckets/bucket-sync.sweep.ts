import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { SyncBucket } from '@cartograph/contracts';
import { CONFIG, LOGGER } from '@cartograph/platform/nest';
import { JobQueue } from '@cartograph/platform/queue';
import type { DbtArtifactsConfig } from '../../dbt-artifacts.definition.js';
import { BucketConnectionsRepository } from './bucket-connections.repository.js';
import { jobSchedule, storedSchedule } from '@cartograph/platform/queue';
import { schedulerId } from './bucket-schedule.js';
import { SyncRunsRepository } from './sync-runs.repository.js';

const SWEEP_INTERVAL_MS = 60_000;
const SCHEDULER_PREFIX = schedulerId('');

/**
 * Postgres, not Redis, is the truth of bucket syncs (DESIGN §2). At worker start every connection's job
 * scheduler is made again from its row (and schedulers of deleted connections are removed), so a Redis that
 * lost its data syncs on schedule again; every minute, runs queued for longer than
 * DBT_ARTIFACTS_STRANDED_AFTER_SECONDS get a job again. A duplicate job is harmless: only one job can
 * claim a queued run.
 */
@Injectable()
export class BucketSyncSweep implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly connections: BucketConnectionsRepository,
    private readonly runs: SyncRunsRepository,
    private readonly jobs: JobQueue,
    @Inject(CONFIG) private readonly config: DbtArtifactsConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    void this.reconcileSchedules().then(() => this.sweep());
    this.timer = setInterval(() => void this.sweep(), SWEEP_INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async reconcileSchedules(): Promise<void> {
    try {
      const connections = await this.connections.all();
      for (const connection of connections) {
        await this.jobs.schedule(
          SyncBucket,
          schedulerId(connection.id),
          jobSchedule(storedSchedule(connection.schedule)),
          { connectionId: connection.id },
        );
      }
      const known = new Set(connections.map((connection) => connection.id));
      const queue = this.jobs.queue(SyncBucket.queue);
      for (const scheduler of await queue.getJobSchedulers(0, -1)) {
        const id = scheduler.id ?? scheduler.key;
        if (id.startsWith(SCHEDULER_PREFIX) && !known.has(id.slice(SCHEDULER_PREFIX.length))) {
          await queue.removeJobScheduler(id);
        }
      }
    } catch (error) {
      this.logger.warn(
        { err: error },
        'could not reconcile bucket sync schedules; retried at the next start',
      );
    }
  }

  async sweep(): Promise<number> {
    try {
      const stranded = await this.runs.stranded(this.config.DBT_ARTIFACTS_STRANDED_AFTER_SECONDS * 1_000);
      for (const run of stranded) {
        await this.jobs.enqueue(SyncBucket, { connectionId: run.connectionId, syncRunId: run.id });
      }
      if (stranded.length > 0)
        this.logger.info({ count: stranded.length }, 'queued stranded bucket syncs again');
      return stranded.length;
    } catch (error) {
      this.logger.warn({ err: error }, 'stranded bucket sync sweep failed');
      return 0;
    }
  }
}
