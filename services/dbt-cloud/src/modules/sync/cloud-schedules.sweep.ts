import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { Logger } from 'pino';
import { SyncDbtCloudConnection } from '@cartograph/contracts';
import { LOGGER } from '@cartograph/platform/nest';
import { JobQueue, jobSchedule } from '@cartograph/platform/queue';
import { CloudConnectionsService, schedulerId } from '../connections/cloud-connections.service.js';

/** Postgres is the truth of schedules: a worker that starts rebuilds every connection's BullMQ scheduler. */
@Injectable()
export class CloudSchedulesSweep implements OnApplicationBootstrap {
  constructor(
    private readonly connections: CloudConnectionsService,
    private readonly jobs: JobQueue,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    try {
      for (const { id, schedule } of await this.connections.schedules()) {
        await this.jobs.schedule(SyncDbtCloudConnection, schedulerId(id), jobSchedule(schedule), {
          connectionId: id,
        });
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'could not rebuild dbt Cloud sync schedules');
    }
  }
}
