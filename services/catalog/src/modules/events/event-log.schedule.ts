import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { Logger } from 'pino';
import { PruneEventLog } from '@cartograph/contracts';
import { CONFIG, LOGGER } from '@cartograph/platform/nest';
import { JobQueue } from '@cartograph/platform/queue';

/** Keeps the event log (and the consumer ledger) to its retention with a daily job, idempotently upserted. */
@Injectable()
export class EventLogSchedule implements OnApplicationBootstrap {
  constructor(
    private readonly jobs: JobQueue,
    @Inject(CONFIG) private readonly config: { EVENT_LOG_RETENTION_DAYS: number },
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    try {
      await this.jobs.schedule(
        PruneEventLog,
        'catalog.prune-event-log',
        { kind: 'daily' },
        { olderThanDays: this.config.EVENT_LOG_RETENTION_DAYS },
      );
    } catch (error) {
      // Redis may be down at boot; the next worker start schedules it, and nothing is lost meanwhile.
      this.logger.warn({ err: error }, 'could not schedule event log pruning');
    }
  }
}
