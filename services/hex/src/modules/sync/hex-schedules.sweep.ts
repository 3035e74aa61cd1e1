import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { Logger } from 'pino';
import { SyncHexConnection } from '@cartograph/contracts';
import { LOGGER } from '@cartograph/platform/nest';
import { JobQueue, jobSchedule } from '@cartograph/platform/queue';
import { HexConnectionsService, schedulerId } from '../connections/hex-connections.service.js';

/** Postgres is the truth of schedules: a worker that starts rebuilds every connection's BullMQ scheduler. */
@Injectable()
export class HexSchedulesSweep implements OnApplicationBootstrap {
  constructor(
    private readonly connections: HexConnectionsService,
    private readonly jobs: JobQueue,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    try {
      for (const { id, schedule } of await this.connections.schedules()) {
        await this.jobs.schedule(SyncHexConnection, schedulerId(id), jobSchedule(schedule), {
          connectionId: id,
        });
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'could not rebuild Hex sync schedules');
    }
  }
}
