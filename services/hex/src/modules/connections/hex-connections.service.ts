import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { SyncHexConnection } from '@cartograph/contracts';
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
import {
  JobQueue,
  MANUAL_SCHEDULE,
  jobSchedule,
  scheduleFromInput,
  storedSchedule,
  type StoredSchedule,
} from '@cartograph/platform/queue';
import { secretHint } from '@cartograph/platform/secrets';
import { SyncRunsRepository, toSyncRunView } from '@cartograph/platform/sync';
import type { HexClient } from '../hex-api/hex.client.js';
import { HEX_CLOUD_HOST, hexTokenType, normaliseHexHost } from '../hex-api/hex-urls.js';
import { HexClientFactory } from './hex-client.factory.js';
import { checkDataConnections, checkOptions } from './hex-connection-options.js';
import type { HexConnectionEntity } from './hex-connection.entity.js';
import type {
  CreateHexConnectionInput,
  HexConnection,
  HexConnectionTest,
  HexSyncRun,
  UpdateHexConnectionInput,
} from './hex-connection.model.js';
import { toHexConnectionView } from './hex-connection.view.js';
import { HexConnectionsRepository } from './hex-connections.repository.js';
import { describeHexFailure } from './hex-failure.js';

const SLUG_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._~-]{0,99}$/;

const COVERAGE = {
  personal:
    'A personal access token (hxtp_) sees only what its user can see, and expires; use a workspace token (hxtw_) to catalog the whole workspace.',
  workspace: 'A workspace token (hxtw_) sees every project of the workspace its scopes allow.',
  unknown: 'The token has neither the hxtp_ (personal) nor the hxtw_ (workspace) prefix.',
};

export function schedulerId(connectionId: string): string {
  return `hex.sync-connection.${connectionId}`;
}

function checkHost(value: string | null | undefined): string {
  try {
    return normaliseHexHost(value?.trim() || HEX_CLOUD_HOST);
  } catch (error) {
    throw badUserInput((error as Error).message, { argument: 'host' });
  }
}

function checkSlug(value: string): string {
  const slug = value.trim();
  if (!SLUG_PATTERN.test(slug)) {
    throw badUserInput(
      `workspaceSlug is the workspace name in Hex URLs (letters, digits, . _ ~ -), got "${slug.slice(0, 40)}"`,
      { argument: 'workspaceSlug' },
    );
  }
  return slug;
}

function checkToken(token: string): string {
  const trimmed = token.trim();
  if (trimmed.length < 8 || /\s/.test(trimmed)) {
    throw badUserInput('token is not a Hex API token (hxtw_… or hxtp_…)', { argument: 'token' });
  }
  return trimmed;
}

@Injectable()
export class HexConnectionsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly connections: HexConnectionsRepository,
    private readonly runs: SyncRunsRepository,
    private readonly clients: HexClientFactory,
    private readonly jobs: JobQueue,
  ) {}

  async get(id: string): Promise<HexConnection | null> {
    const connection = isUuid(id) ? await this.connections.byId(id) : null;
    return connection ? toHexConnectionView(connection) : null;
  }

  async list(first: number, after: string | null) {
    const size = pageSize(first);
    const cursor = decodeCursor(after) as [string, string] | null;
    const { rows, total } = await this.connections.list(size + 1, cursor);
    return toConnection(rows, size, total, (row) => [row.name, row.id], Boolean(cursor), toHexConnectionView);
  }

  async create(input: CreateHexConnectionInput, createdBy: string | null): Promise<HexConnection> {
    const name = checkConnectionName(input.name);
    const token = checkToken(input.token);
    const values: Partial<HexConnectionEntity> = {
      name,
      host: checkHost(input.host),
      workspaceSlug: checkSlug(input.workspaceSlug),
      tokenHint: secretHint(token) ?? '…',
      tokenType: hexTokenType(token),
      dataConnections: checkDataConnections(input.dataConnections),
      ...checkOptions(input.options),
      createdBy,
    };
    const schedule = scheduleFromInput(input.schedule);
    const id = randomUUID();
    try {
      const entity = await this.dataSource.transaction(async (manager) => {
        const created = await this.connections.insert(manager, {
          ...values,
          id,
          tokenCiphertext: this.clients.encrypt(id, token),
          schedule: { ...schedule },
        });
        // In the transaction: if the scheduler cannot be made, the connection is not made either.
        if (schedule.kind !== 'manual') await this.applySchedule(id, schedule);
        return created;
      });
      return toHexConnectionView(entity);
    } catch (error) {
      if (isUniqueViolation(error))
        throw badUserInput(`A Hex connection named "${name}" already exists`, { argument: 'name' });
      throw error;
    }
  }

  async update(id: string, input: UpdateHexConnectionInput): Promise<HexConnection> {
    const existing = await this.require(id);
    const changes: Partial<HexConnectionEntity> = {};
    if (input.name != null) changes.name = checkConnectionName(input.name);
    if (input.host != null) changes.host = checkHost(input.host);
    if (input.workspaceSlug != null) changes.workspaceSlug = checkSlug(input.workspaceSlug);
    if (input.token != null) {
      const token = checkToken(input.token);
      changes.tokenCiphertext = this.clients.encrypt(id, token);
      changes.tokenHint = secretHint(token) ?? '…';
      changes.tokenType = hexTokenType(token);
    }
    if (input.dataConnections != null) changes.dataConnections = checkDataConnections(input.dataConnections);
    if (input.options != null) Object.assign(changes, checkOptions(input.options, existing));
    const schedule = input.schedule !== undefined ? scheduleFromInput(input.schedule) : null;
    if (schedule) changes.schedule = { ...schedule };
    try {
      await this.dataSource.transaction(async (manager) => {
        await this.connections.update(manager, id, changes);
        if (schedule) await this.applySchedule(id, schedule);
      });
    } catch (error) {
      if (isUniqueViolation(error))
        throw badUserInput(`A Hex connection named "${changes.name}" already exists`, { argument: 'name' });
      throw error;
    }
    return toHexConnectionView({ ...existing, ...changes, updatedAt: new Date() });
  }

  async delete(id: string): Promise<boolean> {
    await this.require(id);
    await this.dataSource.transaction(async (manager) => {
      await this.connections.remove(manager, id);
      await this.applySchedule(id, MANUAL_SCHEDULE);
    });
    return true;
  }

  /** Tells what the token can see (projects, data connections, collections, users, queriedTables). */
  async test(id: string): Promise<HexConnectionTest> {
    const connection = await this.require(id);
    const tokenType = connection.tokenType;
    const coverage = COVERAGE[tokenType as keyof typeof COVERAGE] ?? null;
    let client: HexClient | null = null;
    try {
      client = this.clients.create(connection);
      const check = await client.check();
      let unmapped: string[] = [];
      if (check.dataConnections.ok) {
        unmapped = (await client.dataConnections())
          .filter((dataConnection) => !connection.dataConnections[dataConnection.id])
          .map((dataConnection) => `${dataConnection.id} (${dataConnection.name}, ${dataConnection.type})`);
      }
      await this.connections.update(undefined, id, { lastError: null });
      const capability = (entry: {
        ok: boolean;
        message: string | null;
        count?: number;
        sample?: number;
      }) => ({
        ok: entry.ok,
        message: entry.message,
        count: entry.ok ? (entry.count ?? entry.sample ?? null) : null,
      });
      return {
        ok: true,
        error: null,
        tokenType,
        coverage,
        projects: capability(check.projects),
        dataConnections: capability(check.dataConnections),
        collections: capability(check.collections),
        users: capability(check.users),
        queriedTables: check.queriedTables ? capability(check.queriedTables) : null,
        unmappedDataConnections: unmapped,
      };
    } catch (error) {
      const failure = describeHexFailure(error);
      await this.connections.update(undefined, id, { lastError: failure });
      return {
        ok: false,
        error: failure,
        tokenType,
        coverage,
        projects: null,
        dataConnections: null,
        collections: null,
        users: null,
        queriedTables: null,
        unmappedDataConnections: [],
      };
    } finally {
      await client?.close();
    }
  }

  /** Queues a sync now; a sync already queued or running is returned instead of queueing a second. */
  async sync(id: string, full: boolean): Promise<HexSyncRun> {
    await this.require(id);
    const active = await this.runs.active(id);
    if (active) return toSyncRunView(active);
    const run = await this.runs.create(undefined, { connectionId: id, state: 'queued', trigger: 'manual' });
    await this.jobs.enqueue(SyncHexConnection, { connectionId: id, syncRunId: run.id, full });
    return toSyncRunView(run);
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
      toSyncRunView,
    );
  }

  private async require(id: string): Promise<HexConnectionEntity> {
    const connection = isUuid(id) ? await this.connections.byId(id) : null;
    if (!connection) throw notFound(`Hex connection ${id}`);
    return connection;
  }

  private applySchedule(id: string, schedule: StoredSchedule): Promise<void> {
    return this.jobs.schedule(SyncHexConnection, schedulerId(id), jobSchedule(schedule), {
      connectionId: id,
    });
  }

  /** The stored schedule of every connection, for the worker to rebuild its schedulers from Postgres. */
  async schedules(): Promise<{ id: string; schedule: StoredSchedule }[]> {
    return (await this.connections.all()).map((connection) => ({
      id: connection.id,
      schedule: storedSchedule(connection.schedule),
    }));
  }
}
