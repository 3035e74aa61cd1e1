import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { SyncDbtCloudConnection } from '@cartograph/contracts';
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
import type { DbtCloudClient } from '../cloud-api/dbt-cloud.client.js';
import { describeCloudFailure } from './cloud-failure.js';
import { CloudClientFactory } from './cloud-client.factory.js';
import type { CloudConnectionEntity } from './cloud-connection.entity.js';
import type {
  CreateDbtCloudConnectionInput,
  DbtCloudConnection,
  DbtCloudConnectionTest,
  DbtCloudSyncRun,
  UpdateDbtCloudConnectionInput,
} from './cloud-connection.model.js';
import { toCloudConnectionView } from './cloud-connection.view.js';
import { CloudConnectionsRepository } from './cloud-connections.repository.js';
import { SyncRunsRepository, toSyncRunView } from '@cartograph/platform/sync';

const ID_PATTERN = /^\d{1,18}$/;

export function schedulerId(connectionId: string): string {
  return `dbt-cloud.sync-connection.${connectionId}`;
}

function checkUrl(value: string, argument: string): string {
  const text = value.trim().replace(/\/+$/, '');
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw badUserInput(
      `${argument} must be a URL such as https://ab123.us1.dbt.com, got "${text.slice(0, 100)}"`,
      { argument },
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw badUserInput(`${argument} must be an http(s) URL`, { argument });
  }
  if (url.username || url.password)
    throw badUserInput(`${argument} must not carry credentials`, { argument });
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
}

function checkIds(values: string[] | null | undefined, argument: string): string[] {
  const ids = (values ?? []).map((value) => value.trim()).filter(Boolean);
  const bad = ids.find((id) => !ID_PATTERN.test(id));
  if (bad)
    throw badUserInput(`${argument} holds dbt Cloud ids (digits), got "${bad.slice(0, 40)}"`, { argument });
  return [...new Set(ids)];
}

function checkToken(token: string): string {
  const trimmed = token.trim();
  if (trimmed.length < 8)
    throw badUserInput('token is too short to be a dbt Cloud token', { argument: 'token' });
  return trimmed;
}

@Injectable()
export class CloudConnectionsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly connections: CloudConnectionsRepository,
    private readonly runs: SyncRunsRepository,
    private readonly clients: CloudClientFactory,
    private readonly jobs: JobQueue,
  ) {}

  async get(id: string): Promise<DbtCloudConnection | null> {
    const connection = isUuid(id) ? await this.connections.byId(id) : null;
    return connection ? toCloudConnectionView(connection) : null;
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
      toCloudConnectionView,
    );
  }

  async create(input: CreateDbtCloudConnectionInput, createdBy: string | null): Promise<DbtCloudConnection> {
    const name = checkConnectionName(input.name);
    const accountId = checkIds([input.accountId], 'accountId')[0];
    if (!accountId) throw badUserInput('accountId is required', { argument: 'accountId' });
    const token = checkToken(input.token);
    const schedule = scheduleFromInput(input.schedule);
    const id = randomUUID();
    try {
      const entity = await this.dataSource.transaction(async (manager) => {
        const created = await this.connections.insert(manager, {
          id,
          name,
          accountId,
          accessUrl: checkUrl(input.accessUrl, 'accessUrl'),
          discoveryUrl: input.discoveryUrl ? checkUrl(input.discoveryUrl, 'discoveryUrl') : null,
          tokenCiphertext: this.clients.encrypt(id, token),
          tokenHint: secretHint(token) ?? '…',
          projectIds: checkIds(input.projectIds, 'projectIds'),
          environmentIds: checkIds(input.environmentIds, 'environmentIds'),
          jobIds: checkIds(input.jobIds, 'jobIds'),
          instance: input.instance?.trim() || null,
          schedule: { ...schedule },
          createdBy,
        });
        // In the transaction: if the scheduler cannot be made, the connection is not made either.
        if (schedule.kind !== 'manual') await this.applySchedule(id, schedule);
        return created;
      });
      return toCloudConnectionView(entity);
    } catch (error) {
      if (isUniqueViolation(error))
        throw badUserInput(`A dbt Cloud connection named "${name}" already exists`, { argument: 'name' });
      throw error;
    }
  }

  async update(id: string, input: UpdateDbtCloudConnectionInput): Promise<DbtCloudConnection> {
    const existing = await this.require(id);
    const changes: Partial<CloudConnectionEntity> = {};
    if (input.name != null) changes.name = checkConnectionName(input.name);
    if (input.accessUrl != null) changes.accessUrl = checkUrl(input.accessUrl, 'accessUrl');
    if (input.discoveryUrl !== undefined) {
      changes.discoveryUrl = input.discoveryUrl ? checkUrl(input.discoveryUrl, 'discoveryUrl') : null;
    }
    if (input.token != null) {
      const token = checkToken(input.token);
      changes.tokenCiphertext = this.clients.encrypt(id, token);
      changes.tokenHint = secretHint(token) ?? '…';
    }
    if (input.projectIds != null) changes.projectIds = checkIds(input.projectIds, 'projectIds');
    if (input.environmentIds != null)
      changes.environmentIds = checkIds(input.environmentIds, 'environmentIds');
    if (input.jobIds != null) changes.jobIds = checkIds(input.jobIds, 'jobIds');
    if (input.instance !== undefined) changes.instance = input.instance?.trim() || null;
    const schedule = input.schedule !== undefined ? scheduleFromInput(input.schedule) : null;
    if (schedule) changes.schedule = { ...schedule };
    try {
      await this.dataSource.transaction(async (manager) => {
        await this.connections.update(manager, id, changes);
        if (schedule) await this.applySchedule(id, schedule);
      });
    } catch (error) {
      if (isUniqueViolation(error))
        throw badUserInput(`A dbt Cloud connection named "${changes.name}" already exists`, {
          argument: 'name',
        });
      throw error;
    }
    return toCloudConnectionView({ ...existing, ...changes, updatedAt: new Date() });
  }

  async delete(id: string): Promise<boolean> {
    await this.require(id);
    await this.dataSource.transaction(async (manager) => {
      await this.connections.remove(manager, id);
      await this.applySchedule(id, MANUAL_SCHEDULE);
    });
    return true;
  }

  /** Checks the token and its permissions against dbt Cloud; the answer is in the user's terms. */
  async test(id: string): Promise<DbtCloudConnectionTest> {
    const connection = await this.require(id);
    let client: DbtCloudClient | null = null;
    try {
      client = this.clients.create(connection);
      const answer = await client.check();
      await this.connections.update(undefined, id, { lastError: null });
      return {
        ok: true,
        error: null,
        accountName: answer.accountName,
        projectCount: answer.projectCount,
        discoveryReachable: answer.discoveryReachable,
      };
    } catch (error) {
      const failure = describeCloudFailure(error);
      await this.connections.update(undefined, id, { lastError: failure });
      return { ok: false, error: failure, accountName: null, projectCount: null, discoveryReachable: null };
    } finally {
      await client?.close();
    }
  }

  /** Queues a sync now; a sync already queued or running is returned instead of queueing a second. */
  async sync(id: string): Promise<DbtCloudSyncRun> {
    await this.require(id);
    const active = await this.runs.active(id);
    if (active) return toSyncRunView(active);
    const run = await this.runs.create(undefined, { connectionId: id, state: 'queued', trigger: 'manual' });
    await this.jobs.enqueue(SyncDbtCloudConnection, { connectionId: id, syncRunId: run.id });
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

  private async require(id: string): Promise<CloudConnectionEntity> {
    const connection = isUuid(id) ? await this.connections.byId(id) : null;
    if (!connection) throw notFound(`dbt Cloud connection ${id}`);
    return connection;
  }

  private applySchedule(id: string, schedule: StoredSchedule): Promise<void> {
    return this.jobs.schedule(SyncDbtCloudConnection, schedulerId(id), jobSchedule(schedule), {
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
