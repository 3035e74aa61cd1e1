import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { SyncBucket } from '@cartograph/contracts';
import {
  createBucketClient,
  isBucketError,
  normalizeBucketLocation,
  type BucketLocation,
  type BucketProvider,
  type NormalizedBucketLocation,
} from '@cartograph/platform/buckets';
import { isUniqueViolation } from '@cartograph/platform/database';
import {
  badUserInput,
  byKeys,
  checkConnectionName,
  type Connection,
  decodeCursor,
  isUuid,
  notFound,
  pageSize,
  requestLoader,
  toConnection,
} from '@cartograph/platform/graphql';
import { LOGGER } from '@cartograph/platform/nest';
import {
  JobQueue,
  jobSchedule,
  MANUAL_SCHEDULE,
  scheduleFromInput,
  storedSchedule,
  type StoredSchedule,
} from '@cartograph/platform/queue';
import { SecretBoxError } from '@cartograph/platform/secrets';
import type { BucketConnectionEntity } from './bucket-connection.entity.js';
import type {
  CreateDbtBucketConnectionInput,
  DbtBucketConnection,
  DbtBucketConnectionTest,
  DbtBucketSyncRun,
  UpdateDbtBucketConnectionInput,
} from './bucket-connection.model.js';
import { toBucketConnectionView, toSyncRunView } from './bucket-connection.view.js';
import { BucketClientFactory, describeBucketFailure } from './bucket-client.factory.js';
import {
  clientCredentials,
  credentialsFromInput,
  credentialsHint,
  type StoredBucketCredentials,
} from './bucket-credentials.mapper.js';
import { BucketConnectionsRepository } from './bucket-connections.repository.js';
import { schedulerId } from './bucket-schedule.js';
import { SyncRunsRepository } from './sync-runs.repository.js';

/**
 * A run queued, or running for less than this, is "the" sync of its connection: asking for another returns
 * it. One running longer was left by a worker that went away and must not block syncs for ever.
 */
export const ACTIVE_RUN_WINDOW_SECONDS = 3_600;

function optionalText(value: string | null | undefined): string | null {
  return value?.trim() || null;
}

function duplicateName(name: string) {
  return badUserInput(`A dbt bucket connection named "${name}" already exists`, { argument: 'name' });
}

/**
 * Normalises the location and builds (without any request) a client from it and the credentials, so a
 * connection that cannot work is refused when it is saved. The messages are the bucket library's, which
 * never echo a credential.
 */
function checkedLocation(
  location: BucketLocation,
  credentials: StoredBucketCredentials,
): NormalizedBucketLocation {
  try {
    const normalized = normalizeBucketLocation(location);
    createBucketClient(normalized, clientCredentials(credentials)).close();
    return normalized;
  } catch (error) {
    if (isBucketError(error)) throw badUserInput(error.message);
    throw error;
  }
}

@Injectable()
export class BucketConnectionsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly connections: BucketConnectionsRepository,
    private readonly runs: SyncRunsRepository,
    private readonly clients: BucketClientFactory,
    private readonly jobs: JobQueue,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async get(id: string): Promise<DbtBucketConnection | null> {
    const connection = isUuid(id) ? await this.connections.byId(id) : null;
    return connection ? toBucketConnectionView(connection) : null;
  }

  async list(
    first: number | null | undefined,
    after: string | null | undefined,
  ): Promise<Connection<DbtBucketConnection>> {
    const size = pageSize(first);
    const cursor = decodeCursor(after) as [string, string] | null;
    const { rows, total } = await this.connections.list(size + 1, cursor);
    return toConnection(
      rows,
      size,
      total,
      (row) => [row.name, row.id],
      Boolean(cursor),
      toBucketConnectionView,
    );
  }

  async create(
    input: CreateDbtBucketConnectionInput,
    createdBy: string | null,
  ): Promise<DbtBucketConnection> {
    const name = checkConnectionName(input.name);
    const provider = input.provider as BucketProvider;
    const credentials = credentialsFromInput(provider, input.credentials);
    const location = checkedLocation(
      {
        provider,
        bucket: input.bucket,
        prefix: input.prefix ?? '',
        region: input.region,
        endpoint: input.endpoint,
        forcePathStyle: input.forcePathStyle ?? undefined,
      },
      credentials,
    );
    const schedule = scheduleFromInput(input.schedule);
    if (await this.connections.byName(name)) throw duplicateName(name);
    const id = randomUUID();
    try {
      const created = await this.dataSource.transaction(async (manager) => {
        const entity = await this.connections.insert(manager, {
          id,
          name,
          ...location,
          credentialsCiphertext: this.clients.encrypt(id, credentials),
          credentialsHint: credentialsHint(credentials),
          project: optionalText(input.project),
          instance: optionalText(input.instance),
          schedule: { ...schedule },
          createdBy,
        });
        // In the transaction: if the scheduler cannot be made, the connection is not made either.
        if (schedule.kind !== 'manual') await this.applySchedule(id, schedule);
        return entity;
      });
      return toBucketConnectionView(created);
    } catch (error) {
      if (isUniqueViolation(error)) throw duplicateName(name);
      throw error;
    }
  }

  async update(id: string, input: UpdateDbtBucketConnectionInput): Promise<DbtBucketConnection> {
    const existing = await this.require(id);
    const provider = (input.provider ?? existing.provider) as BucketProvider;
    const providerChanged = provider !== existing.provider;
    if (providerChanged && !input.credentials) {
      throw badUserInput(`credentials are required when the provider changes`, { argument: 'credentials' });
    }
    const credentials = input.credentials
      ? credentialsFromInput(provider, input.credentials)
      : this.clients.decrypt(existing);
    // A new provider starts from its own defaults for what was specific to the old one.
    const location = checkedLocation(
      {
        provider,
        bucket: input.bucket ?? existing.bucket,
        prefix: input.prefix === undefined ? existing.prefix : (input.prefix ?? ''),
        region: input.region !== undefined ? input.region : providerChanged ? null : existing.region,
        endpoint: input.endpoint !== undefined ? input.endpoint : providerChanged ? null : existing.endpoint,
        forcePathStyle:
          input.forcePathStyle != null
            ? input.forcePathStyle
            : providerChanged || input.endpoint !== undefined
              ? undefined
              : existing.forcePathStyle,
      },
      credentials,
    );
    const name = input.name != null ? checkConnectionName(input.name) : existing.name;
    if (name !== existing.name) {
      const other = await this.connections.byName(name);
      if (other && other.id !== id) throw duplicateName(name);
    }
    const schedule =
      input.schedule !== undefined ? scheduleFromInput(input.schedule) : storedSchedule(existing.schedule);
    const changes: Partial<BucketConnectionEntity> = { name, ...location };
    if (input.credentials) {
      changes.credentialsCiphertext = this.clients.encrypt(id, credentials);
      changes.credentialsHint = credentialsHint(credentials);
    }
    if (input.project !== undefined) changes.project = optionalText(input.project);
    if (input.instance !== undefined) changes.instance = optionalText(input.instance);
    if (input.schedule !== undefined) changes.schedule = { ...schedule };
    // Folders were remembered as ingested from another place or as another project: sync them again.
    const elsewhere =
      location.provider !== existing.provider ||
      location.bucket !== existing.bucket ||
      location.endpoint !== existing.endpoint ||
      (changes.project !== undefined && changes.project !== existing.project) ||
      (changes.instance !== undefined && changes.instance !== existing.instance);
    try {
      const updated = await this.dataSource.transaction(async (manager) => {
        const entity = await this.connections.update(manager, id, changes);
        if (elsewhere) await this.runs.forgetFolders(manager, id);
        if (input.schedule !== undefined) await this.applySchedule(id, schedule);
        return entity;
      });
      return toBucketConnectionView(updated);
    } catch (error) {
      if (isUniqueViolation(error)) throw duplicateName(name);
      throw error;
    }
  }

  /** Removes the connection, its folder memory, its run history and its scheduler; artifact sets stay. */
  async delete(id: string): Promise<boolean> {
    await this.require(id);
    await this.dataSource.transaction(async (manager) => {
      await this.connections.delete(manager, id);
      await this.applySchedule(id, MANUAL_SCHEDULE);
    });
    return true;
  }

  /** Reaches the bucket with the stored credentials and lists one key under the prefix. */
  async test(id: string): Promise<DbtBucketConnectionTest> {
    const connection = await this.require(id);
    let client: ReturnType<BucketClientFactory['create']> | undefined;
    try {
      client = this.clients.create(connection);
      await client.check();
      return { ok: true, error: null };
    } catch (error) {
      if (!isBucketError(error) && !(error instanceof SecretBoxError)) {
        this.logger.error({ err: error, connectionId: id }, 'bucket connection test failed unexpectedly');
      }
      return { ok: false, error: describeBucketFailure(error) };
    } finally {
      client?.close();
    }
  }

  /**
   * Queues a sync now, or answers with the one already queued or running: two syncs of one bucket at once
   * would only download the same folders twice.
   */
  async requestSync(id: string): Promise<DbtBucketSyncRun> {
    await this.require(id);
    const active = await this.runs.activeRun(id, ACTIVE_RUN_WINDOW_SECONDS);
    if (active) return toSyncRunView(active);
    const run = await this.runs.insert({ connectionId: id, trigger: 'manual', state: 'queued' });
    try {
      await this.jobs.enqueue(SyncBucket, { connectionId: id, syncRunId: run.id });
    } catch (error) {
      // Postgres holds the run; the worker's sweep queues it once Redis is back.
      this.logger.warn(
        { err: error, connectionId: id, syncRunId: run.id },
        'could not queue bucket sync; the sweep will',
      );
    }
    return toSyncRunView(run);
  }

  async syncRuns(
    connectionId: string,
    first: number | null | undefined,
    after: string | null | undefined,
  ): Promise<Connection<DbtBucketSyncRun>> {
    const size = pageSize(first);
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

  /** The newest run of each connection on a page, in one query per request. */
  lastSync(context: object, connectionId: string): Promise<DbtBucketSyncRun | null> {
    return requestLoader<string, DbtBucketSyncRun>(context, 'dbt-bucket-last-sync', async (ids) =>
      byKeys(ids, (await this.runs.latest(ids)).map(toSyncRunView), (run) => run.connectionId),
    ).load(connectionId);
  }

  private async applySchedule(id: string, schedule: StoredSchedule): Promise<void> {
    await this.jobs.schedule(SyncBucket, schedulerId(id), jobSchedule(schedule), { connectionId: id });
  }

  private async require(id: string): Promise<BucketConnectionEntity> {
    const connection = isUuid(id) ? await this.connections.byId(id) : null;
    if (!connection) throw notFound(`dbt bucket connection ${id}`);
    return connection;
  }
}
