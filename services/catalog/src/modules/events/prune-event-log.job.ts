import { Injectable } from '@nestjs/common';
import { PruneEventLog, type JobInput } from '@cartograph/contracts';
import type { JobHandler, JobOutcome } from '@cartograph/platform/queue';
import { EventsRepository } from './events.repository.js';

@Injectable()
export class PruneEventLogJob implements JobHandler<typeof PruneEventLog> {
  readonly contract = PruneEventLog;

  constructor(private readonly events: EventsRepository) {}

  async handle(input: JobInput<typeof PruneEventLog>): Promise<JobOutcome> {
    await this.events.prune(input.olderThanDays);
    return 'done';
  }
}
