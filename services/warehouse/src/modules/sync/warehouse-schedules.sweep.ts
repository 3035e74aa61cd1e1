import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { Logger } from 'pino';
import { SyncWarehouseConnection } from '@cartograph/contracts';
import { LOGGER } from '@cartograph/platform/nest';
import { JobQueue, jobSchedule } from '@cartograph/platform/queue';
import { WarehouseConnectionsService, schedulerId } from '../connections/warehouse-connections.service.js';

/** Postgres is the truth of schedules: a worker that starts rebuilds every connection's BullMQ scheduler. */
@Injectable()
export class WarehouseSchedulesSweep implements OnApplicationBootstrap {
  constructor(
    private readonly connections: WarehouseConnectionsService,
    private readonly jobs: JobQueue,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    try {
      for (const { id, schedule } of await this.connections.schedules()) {
        await this.jobs.schedule(SyncWarehouseConnection, schedulerId(id), jobSchedule(schedule), {
          connectionId: id,
        });
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'could not rebuild warehouse sync schedules');
    }
  }
}
