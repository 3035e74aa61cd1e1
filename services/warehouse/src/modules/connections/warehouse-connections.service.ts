import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { normalizeInstance, type Platform } from '@cartograph/catalog-model';
import { DatasetRemoved, SyncWarehouseConnection } from '@cartograph/contracts';
import { OutboxPublisher } from '@cartograph/platform/events';
import { isUniqueViolation } from '@cartograph/platform/database';
import {
  badUserInput,
  checkConnectionName,
  decodeCursor,
  isUuid,
  notFound,
  pageSize,
  toConnection,
} from '@cartograph/platform/graphql';
import { compilePatterns, PatternError } from '@cartograph/platform/patterns';
import {
  JobQueue,
  MANUAL_SCHEDULE,
  jobSchedule,
  scheduleFromInput,
  storedSchedule,
  type StoredSchedule,
} from '@cartograph/platform/queue';
import type { WarehouseConnector } from '../connectors/warehouse-connector.js';
import { ConnectorFactory } from './connector.factory.js';
import type { WarehouseConnectionEntity } from './warehouse-connection.entity.js';
import type {
  CreateWarehouseConnectionInput,
  UpdateWarehouseConnectionInput,
  WarehouseConnection,
  WarehouseConnectionTest,
  WarehouseSyncRun,
} from './warehouse-connection.model.js';
import { toWarehouseConnectionView, toWarehouseSyncRunView } from './warehouse-connection.view.js';
import { WarehouseConnectionsRepository } from './warehouse-connections.repository.js';
import { describeWarehouseFailure } from './warehouse-failure.js';
import { SyncRunsRepository } from '@cartograph/platform/sync';

export function schedulerId(connectionId: string): string {
  return `warehouse.sync-connection.${connectionId}`;
}

function checkRange(value: number, argument: string, minimum: number, maximum: number): number {
  if (!Number.isInteger(value) || value < minimum || value > maximum) {
    throw badUserInput(`${argument} must be a whole number from ${minimum} to ${maximum}, got ${value}`, {
      argument,
    });
  }
  return value;
}

/** Patterns are stored as written once they compiled and passed the backtracking check. */
function checkPatterns(patterns: string[] | null | undefined, argument: string): string[] {
  try {
    return compilePatterns(patterns, argument).map((pattern) => pattern.source);
  } catch (error) {
    if (error instanceof PatternError) throw badUserInput(error.message, { argument });
    throw error;
  }
}

@Injectable()
export class WarehouseConnectionsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly connections: WarehouseConnectionsRepository,
    private readonly runs: SyncRunsRepository,
    private readonly connectors: ConnectorFactory,
    private readonly publisher: OutboxPublisher,
    private readonly jobs: JobQueue,
  ) {}

  async get(id: string): Promise<WarehouseConnection | null> {
    const connection = isUuid(id) ? await this.connections.byId(id) : null;
    return connection ? toWarehouseConnectionView(connection) : null;
  }

  async list(first: number, after: string | null) {
    const size = pageSize(first);
    const cursor = decodeCursor(after) as [string, string] | null;
    const { rows, total } = await this.connections.list(size + 1, cursor);
    return toConnection(
      rows,
      size,
      total,
      (row) => [row.name, row.id],
      Boolean(cursor),
      toWarehouseConnectionView,
    );
  }

  async create(
    input: CreateWarehouseConnectionInput,
    createdBy: string | null,
  ): Promise<WarehouseConnection> {
    const name = checkConnectionName(input.name);
    const platform = input.platform.trim().toLowerCase();
    const definition = this.connectors.definition(platform);
    const settings = this.connectors.settings(platform, input.settings);
    const credentials = this.connectors.credentials(platform, input.credentials);
    const instance = this.instance(platform, input.instance, definition.instanceOf(settings));
    const schedule = scheduleFromInput(input.schedule);
    const id = randomUUID();
    try {
      const entity = await this.dataSource.transaction(async (manager) => {
        const created = await this.connections.insert(manager, {
          id,
          name,
          platform,
          instance,
          settings,
          credentialsCiphertext: this.connectors.encrypt(id, credentials),
          credentialHints: this.connectors.hints(credentials),
          includeDatabases: checkPatterns(input.includeDatabases, 'includeDatabases'),
          excludeDatabases: checkPatterns(input.excludeDatabases, 'excludeDatabases'),
          includeSchemas: checkPatterns(input.includeSchemas, 'includeSchemas'),
          excludeSchemas: checkPatterns(input.excludeSchemas, 'excludeSchemas'),
          crawlEnabled: input.crawlEnabled ?? true,
          historyEnabled: input.historyEnabled ?? true,
          historyLookbackHours: checkRange(
            input.historyLookbackHours ?? 168,
            'historyLookbackHours',
            1,
            8_760,
          ),
          historyOverlapMinutes: checkRange(
            input.historyOverlapMinutes ?? 60,
            'historyOverlapMinutes',
            0,
            1_440,
          ),
          schedule: { ...schedule },
          createdBy,
        });
        // In the transaction: if the scheduler cannot be made, the connection is not made either.
        if (schedule.kind !== 'manual') await this.applySchedule(id, schedule);
        return created;
      });
      return toWarehouseConnectionView(entity);
    } catch (error) {
      if (isUniqueViolation(error))
        throw badUserInput(`A warehouse connection named "${name}" already exists`, { argument: 'name' });
      throw error;
    }
  }

  async update(id: string, input: UpdateWarehouseConnectionInput): Promise<WarehouseConnection> {
    const existing = await this.require(id);
    const platform = existing.platform;
    const changes: Partial<WarehouseConnectionEntity> = {};
    if (input.name != null) changes.name = checkConnectionName(input.name);
    if (input.settings != null) changes.settings = this.connectors.settings(platform, input.settings);
    if (input.credentials != null) {
      const credentials = this.connectors.credentials(platform, input.credentials);
      changes.credentialsCiphertext = this.connectors.encrypt(id, credentials);
      changes.credentialHints = this.connectors.hints(credentials);
    }
    if (input.instance !== undefined || changes.settings) {
      const derived = this.connectors.definition(platform).instanceOf(changes.settings ?? existing.settings);
      changes.instance = this.instance(platform, input.instance, derived);
    }
    for (const argument of [
      'includeDatabases',
      'excludeDatabases',
      'includeSchemas',
      'excludeSchemas',
    ] as const) {
      if (input[argument] != null) changes[argument] = checkPatterns(input[argument], argument);
    }
    if (input.crawlEnabled != null) changes.crawlEnabled = input.crawlEnabled;
    if (input.historyEnabled != null) changes.historyEnabled = input.historyEnabled;
    if (input.historyLookbackHours != null)
      changes.historyLookbackHours = checkRange(input.historyLookbackHours, 'historyLookbackHours', 1, 8_760);
    if (input.historyOverlapMinutes != null)
      changes.historyOverlapMinutes = checkRange(
        input.historyOverlapMinutes,
        'historyOverlapMinutes',
        0,
        1_440,
      );
    const schedule = input.schedule !== undefined ? scheduleFromInput(input.schedule) : null;
    if (schedule) changes.schedule = { ...schedule };
    try {
      await this.dataSource.transaction(async (manager) => {
        await this.connections.update(manager, id, changes);
        if (schedule) await this.applySchedule(id, schedule);
      });
    } catch (error) {
      if (isUniqueViolation(error))
        throw badUserInput(`A warehouse connection named "${changes.name}" already exists`, {
          argument: 'name',
        });
      throw error;
    }
    return toWarehouseConnectionView({ ...existing, ...changes, updatedAt: new Date() });
  }

  /** Deletes the connection with what it found; its tables are announced as removed. */
  async delete(id: string): Promise<boolean> {
    await this.require(id);
    await this.dataSource.transaction(async (manager) => {
      const tables: { dataset_id: string }[] = await manager.query(
        `SELECT "dataset_id" FROM "warehouse"."warehouse_table" WHERE "connection_id" = $1`,
        [id],
      );
      const removedAt = new Date().toISOString();
      await this.publisher.publishMany(
        manager,
        DatasetRemoved,
        tables.map((table) => ({ id: table.dataset_id, source: 'warehouse' as const, removedAt })),
      );
      await this.connections.remove(manager, id);
      await this.applySchedule(id, MANUAL_SCHEDULE);
    });
    return true;
  }

  /** Checks reach and the grants history reading needs; the answer names what is missing. */
  async test(id: string): Promise<WarehouseConnectionTest> {
    const connection = await this.require(id);
    let connector: WarehouseConnector | null = null;
    try {
      connector = this.connectors.create(connection);
      const answer = await connector.check();
      const firstFailure = answer.checks.find((check) => !check.ok);
      await this.connections.update(undefined, id, {
        lastError: firstFailure
          ? {
              code: firstFailure.name === 'reach' ? 'UPSTREAM_UNAVAILABLE' : 'FORBIDDEN',
              message: [firstFailure.message, firstFailure.fix].filter(Boolean).join(' — '),
            }
          : null,
      });
      return {
        ok: answer.ok,
        error: null,
        checks: answer.checks.map((check) => ({
          name: check.name,
          ok: check.ok,
          message: check.message ?? null,
          fix: check.fix ?? null,
        })),
      };
    } catch (error) {
      const failure = describeWarehouseFailure(error);
      await this.connections.update(undefined, id, { lastError: failure });
      return { ok: false, error: failure, checks: [] };
    } finally {
      await connector?.close().catch(() => undefined);
    }
  }

  /** Queues a sync now; a sync already queued or running is returned instead of queueing a second. */
  async sync(id: string): Promise<WarehouseSyncRun> {
    await this.require(id);
    const active = await this.runs.active(id);
    if (active) return toWarehouseSyncRunView(active);
    const run = await this.runs.create(undefined, { connectionId: id, state: 'queued', trigger: 'manual' });
    await this.jobs.enqueue(SyncWarehouseConnection, { connectionId: id, syncRunId: run.id });
    return toWarehouseSyncRunView(run);
  }

  async syncRuns(connectionId: string, first: number, after: string | null) {
    const size = pageSize(first, 20);
    const cursor = decodeCursor(after) as [string, string] | null;
    const { rows, total } = await this.runs.list(connectionId, size + 1, cursor);
    return toConnection(
      rows,
      size,
      total,
      (row) => [row.queuedAt.toISOString(), row.id],
      Boolean(cursor),
      toWarehouseSyncRunView,
    );
  }

  /** The stored schedule of every connection, for the worker to rebuild its schedulers from Postgres. */
  async schedules(): Promise<{ id: string; schedule: StoredSchedule }[]> {
    return (await this.connections.all()).map((connection) => ({
      id: connection.id,
      schedule: storedSchedule(connection.schedule),
    }));
  }

  private instance(platform: string, given: string | null | undefined, derived: string): string {
    const value = given?.trim() || derived;
    try {
      return normalizeInstance(platform as Platform, value);
    } catch (error) {
      throw badUserInput(`instance: ${(error as Error).message}`, { argument: 'instance' });
    }
  }

  private async require(id: string): Promise<WarehouseConnectionEntity> {
    const connection = isUuid(id) ? await this.connections.byId(id) : null;
    if (!connection) throw notFound(`warehouse connection ${id}`);
    return connection;
  }

  private applySchedule(id: string, schedule: StoredSchedule): Promise<void> {
    return this.jobs.schedule(SyncWarehouseConnection, schedulerId(id), jobSchedule(schedule), {
      connectionId: id,
    });
  }
}
