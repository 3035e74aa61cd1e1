import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { SyncCompleted, SyncFailed, SyncStarted, SyncWarehouseConnection } from '@cartograph/contracts';
import { OutboxPublisher } from '@cartograph/platform/events';
import { LOGGER } from '@cartograph/platform/nest';
import type { JobOutcome } from '@cartograph/platform/queue';
import { ConnectorFactory } from '../connections/connector.factory.js';
import { WarehouseConnectionsRepository } from '../connections/warehouse-connections.repository.js';
import { describeWarehouseFailure, isRetryableWarehouseFailure } from '../connections/warehouse-failure.js';
import { CrawlService } from '../crawl/crawl.service.js';
import { HistoryService, type Counts, type Problems } from '../history/history.service.js';
import { SyncRunEntity, SyncRunsRepository } from '@cartograph/platform/sync';

/**
 * One sync of a warehouse connection: the schema crawl (applied in one transaction), then query history from
 * the watermark (applied batch by batch). A refused credential fails the sync with a clear message and keeps
 * everything found before: the previous tables, queries and lineage stay.
 */
@Injectable()
export class WarehouseSyncService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly connections: WarehouseConnectionsRepository,
    private readonly syncRuns: SyncRunsRepository,
    private readonly connectors: ConnectorFactory,
    private readonly crawl: CrawlService,
    private readonly history: HistoryService,
    private readonly publisher: OutboxPublisher,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async sync(connectionId: string, syncRunId: string | undefined, attempt: number): Promise<JobOutcome> {
    const connection = await this.connections.byId(connectionId);
    if (!connection) return 'skipped';
    let run: SyncRunEntity | null = syncRunId ? await this.syncRuns.byId(syncRunId) : null;
    if (!run) {
      const active = await this.syncRuns.active(connectionId);
      if (active && active.state === 'running') return 'skipped';
      run =
        active ??
        (await this.syncRuns.create(undefined, { connectionId, state: 'queued', trigger: 'schedule' }));
    }
    const started = Date.now();
    const startedAt = new Date();
    await this.dataSource.transaction(async (manager) => {
      await this.syncRuns.update(manager, run.id, { state: 'running', startedAt, error: null });
      await this.publisher.publish(manager, SyncStarted, {
        service: 'warehouse',
        connectionId,
        syncRunId: run.id,
        startedAt: startedAt.toISOString(),
      });
    });
    const counts: Counts = {};
    const problems: Problems = [];
    const abort = new AbortController();
    let connector: ReturnType<ConnectorFactory['create']> | null = null;
    try {
      connector = this.connectors.create(connection, abort.signal);
      if (connection.crawlEnabled)
        Object.assign(counts, await this.crawl.crawl(connection, connector, problems));
      let watermark = connection.historyWatermark;
      if (connection.historyEnabled) {
        watermark = await this.history.read(connection, connector, run.id, counts, problems);
      }
      await this.dataSource.transaction(async (manager) => {
        await this.syncRuns.update(manager, run.id, {
          state: 'succeeded',
          counts,
          problems: problems.slice(0, 100),
          cursor: watermark ? { watermark: watermark.toISOString() } : {},
          finishedAt: new Date(),
        });
        await this.connections.update(manager, connectionId, { lastSyncAt: new Date(), lastError: null });
        await this.publisher.publish(manager, SyncCompleted, {
          service: 'warehouse',
          connectionId,
          syncRunId: run.id,
          finishedAt: new Date().toISOString(),
          durationMs: Date.now() - started,
          counts,
        });
      });
      return 'done';
    } catch (error) {
      abort.abort();
      const failure = describeWarehouseFailure(error);
      const retry =
        isRetryableWarehouseFailure(error) && attempt < (SyncWarehouseConnection.options.attempts ?? 1);
      if (failure.code === 'INTERNAL')
        this.logger.error({ err: error, connectionId }, 'warehouse sync failed');
      await this.dataSource.transaction(async (manager) => {
        await this.syncRuns.update(manager, run.id, {
          state: retry ? 'queued' : 'failed',
          counts,
          problems: problems.slice(0, 100),
          error: failure,
          finishedAt: retry ? null : new Date(),
        });
        await this.connections.update(manager, connectionId, { lastError: failure });
        if (!retry) {
          await this.publisher.publish(manager, SyncFailed, {
            service: 'warehouse',
            connectionId,
            syncRunId: run.id,
            finishedAt: new Date().toISOString(),
            durationMs: Date.now() - started,
            error: failure,
          });
        }
      });
      if (retry) throw error;
      return 'done';
    } finally {
      await connector?.close().catch(() => undefined);
    }
  }
}
