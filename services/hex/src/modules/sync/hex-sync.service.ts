import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import {
  HexProjectRemoved,
  HexProjectUpserted,
  SyncCompleted,
  SyncFailed,
  SyncHexConnection,
  SyncStarted,
  type EventData,
} from '@cartograph/contracts';
import { OutboxPublisher } from '@cartograph/platform/events';
import { LOGGER } from '@cartograph/platform/nest';
import type { JobOutcome } from '@cartograph/platform/queue';
import { SyncRunsRepository, type SyncRunEntity } from '@cartograph/platform/sync';
import { HexApiError, type HexClient } from '../hex-api/hex.client.js';
import type { HexProjectRecord } from '../hex-api/hex.mapper.js';
import { hexProjectUrl } from '../hex-api/hex-urls.js';
import { HexClientFactory } from '../connections/hex-client.factory.js';
import {
  matchesProjectFilter,
  projectFilter,
  type ProjectFilter,
} from '../connections/hex-connection-options.js';
import type { HexConnectionEntity } from '../connections/hex-connection.entity.js';
import { HexConnectionsRepository } from '../connections/hex-connections.repository.js';
import { describeHexFailure, isRetryableHexFailure } from '../connections/hex-failure.js';
import type { HexProjectEntity } from '../projects/hex-project.entity.js';
import { HexProjectsRepository } from '../projects/hex-projects.repository.js';
import type { HexUserEntity } from '../users/hex-user.entity.js';
import { HexUsersRepository } from '../users/hex-users.repository.js';

/** Where a sync stands, kept in its sync_run row after every page so a restarted sync resumes there. */
interface SyncCursor {
  mode: 'full' | 'incremental';
  /** The `after` cursor of the next page to read; absent before the first page and after the last. */
  after?: string;
  /** Newest `lastEditedAt` seen so far (ISO), the next incremental sync's checkpoint. */
  newestEdited?: string;
  /** The checkpoint this (incremental) sync stops at (ISO). */
  stopAt?: string;
  /** The listing is finished; only the removals and the bookkeeping were left. */
  listed?: 'true';
}

type Counts = Record<string, number>;
type Problems = { subject: string; message: string }[];

/**
 * One sync of a Hex connection (research/hex.md §7): the workspace users (to match owners), then projects,
 * 100 a page. A full listing (by creation time, oldest first, so new projects cannot shift the pages) sees every
 * project and soft-deletes those it did not list; an incremental one (last edited first) stops at the first
 * project older than the previous sync's newest edit. A sync is full when asked, when the connection has never
 * had one, or when the last one is older than `fullSyncIntervalHours`. Each page is applied in one transaction
 * with the sync's cursor, so a sync that fails or whose worker stops resumes at the page it had reached.
 */
@Injectable()
export class HexSyncService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly connections: HexConnectionsRepository,
    private readonly projects: HexProjectsRepository,
    private readonly users: HexUsersRepository,
    private readonly syncRuns: SyncRunsRepository,
    private readonly clients: HexClientFactory,
    private readonly publisher: OutboxPublisher,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async sync(
    connectionId: string,
    syncRunId: string | undefined,
    attempt: number,
    forceFull = false,
  ): Promise<JobOutcome> {
    const connection = await this.connections.byId(connectionId);
    if (!connection) return 'skipped';
    let run: SyncRunEntity | null = syncRunId ? await this.syncRuns.byId(syncRunId) : null;
    if (run && (run.state === 'succeeded' || run.state === 'failed')) return 'skipped';
    if (!run) {
      const active = await this.syncRuns.active(connectionId);
      // A running sync is left alone, unless this job is the retry of the one that was running it.
      if (active && active.state === 'running' && attempt <= 1) return 'skipped';
      run =
        active ??
        (await this.syncRuns.create(undefined, { connectionId, state: 'queued', trigger: 'schedule' }));
    }
    const runId = run.id;
    const started = Date.now();
    const startedAt = run.startedAt ?? new Date();
    const previous = run.cursor as Partial<SyncCursor>;
    const cursor: SyncCursor = previous.mode
      ? (previous as SyncCursor)
      : { mode: forceFull || this.fullDue(connection) ? 'full' : 'incremental' };
    if (cursor.mode === 'incremental' && !cursor.stopAt && connection.editedCheckpoint) {
      cursor.stopAt = connection.editedCheckpoint.toISOString();
    }
    const counts: Counts = { ...run.counts, full: cursor.mode === 'full' ? 1 : 0 };
    const problems: Problems = [...(run.problems ?? [])];
    const requestsBefore = counts['requests'] ?? 0;
    const rateLimitedBefore = counts['rateLimited'] ?? 0;
    await this.dataSource.transaction(async (manager) => {
      await this.syncRuns.update(manager, runId, {
        state: 'running',
        startedAt,
        error: null,
        cursor: { ...cursor },
      });
      await this.publisher.publish(manager, SyncStarted, {
        service: 'hex',
        connectionId,
        syncRunId: runId,
        startedAt: startedAt.toISOString(),
      });
    });
    const client = this.clients.create(connection);
    const tally = () => {
      counts['requests'] = requestsBefore + client.requestCount;
      counts['rateLimited'] = rateLimitedBefore + client.rateLimitedCount;
    };
    try {
      await this.syncBody(connection, client, runId, cursor, counts, problems, tally);
      tally();
      const finishedAt = new Date();
      await this.dataSource.transaction(async (manager) => {
        let removed: { id: string; title: string }[] = [];
        if (cursor.mode === 'full' && connection.markDeleted) {
          removed = await this.projects.removeUnlisted(manager, connectionId, runId, finishedAt);
          await this.publisher.publishMany(
            manager,
            HexProjectRemoved,
            removed.map((project) => ({
              connectionId,
              projectId: project.id,
              title: project.title,
              removedAt: finishedAt.toISOString(),
            })),
          );
        }
        counts['removed'] = (counts['removed'] ?? 0) + removed.length;
        await this.syncRuns.update(manager, runId, {
          state: 'succeeded',
          counts,
          problems,
          cursor: {
            mode: cursor.mode,
            ...(cursor.newestEdited ? { newestEdited: cursor.newestEdited } : {}),
          },
          finishedAt,
        });
        const newest = cursor.newestEdited ? new Date(cursor.newestEdited) : null;
        await this.connections.update(manager, connectionId, {
          lastSyncAt: finishedAt,
          lastError: null,
          ...(cursor.mode === 'full' ? { lastFullSyncAt: startedAt } : {}),
          ...(newest && (!connection.editedCheckpoint || newest > connection.editedCheckpoint)
            ? { editedCheckpoint: newest }
            : {}),
        });
        await this.publisher.publish(manager, SyncCompleted, {
          service: 'hex',
          connectionId,
          syncRunId: runId,
          finishedAt: finishedAt.toISOString(),
          durationMs: Date.now() - started,
          counts,
        });
      });
      return 'done';
    } catch (error) {
      tally();
      const failure = describeHexFailure(error);
      const retry = isRetryableHexFailure(error) && attempt < (SyncHexConnection.options.attempts ?? 1);
      if (failure.code === 'INTERNAL') this.logger.error({ err: error, connectionId }, 'Hex sync failed');
      else this.logger.warn({ connectionId, code: failure.code }, 'Hex sync failed');
      await this.dataSource.transaction(async (manager) => {
        await this.syncRuns.update(manager, runId, {
          state: retry ? 'queued' : 'failed',
          counts,
          problems,
          error: failure,
          finishedAt: retry ? null : new Date(),
        });
        await this.connections.update(manager, connectionId, { lastError: failure });
        if (!retry) {
          await this.publisher.publish(manager, SyncFailed, {
            service: 'hex',
            connectionId,
            syncRunId: runId,
            finishedAt: new Date().toISOString(),
            durationMs: Date.now() - started,
            error: failure,
          });
        }
      });
      if (retry) throw error;
      return 'done';
    } finally {
      await client.close();
    }
  }

  private fullDue(connection: HexConnectionEntity): boolean {
    if (!connection.lastFullSyncAt || !connection.editedCheckpoint) return true;
    if (connection.fullSyncIntervalHours === 0) return true;
    return Date.now() - connection.lastFullSyncAt.getTime() >= connection.fullSyncIntervalHours * 3_600_000;
  }

  private async syncBody(
    connection: HexConnectionEntity,
    client: HexClient,
    runId: string,
    cursor: SyncCursor,
    counts: Counts,
    problems: Problems,
    tally: () => void,
  ): Promise<void> {
    if (cursor.listed) return;
    const users = connection.includeOwners
      ? await this.readUsers(connection, client, counts, problems)
      : null;
    const filter = projectFilter(connection);
    const stopAt = cursor.mode === 'incremental' && cursor.stopAt ? new Date(cursor.stopAt) : null;
    const pages = client.projectPages({
      includeComponents: connection.includeComponents,
      includeArchived: connection.includeArchived,
      includeTrashed: connection.includeTrashed,
      statuses: connection.statuses,
      categories: connection.categories,
      ...(cursor.mode === 'full'
        ? { sortBy: 'CREATED_AT', sortDirection: 'ASC' }
        : { sortBy: 'LAST_EDITED_AT', sortDirection: 'DESC' }),
      start: cursor.after ?? null,
    });
    // The next page is fetched while this one is applied: the sync takes the longer of the two, not their sum.
    let next = pages.next();
    for (;;) {
      const result = await next;
      if (result.done) break;
      const page = result.value;
      let records = page.values;
      let reachedCheckpoint = false;
      if (stopAt) {
        // Listed newest edit first: everything from the first project older than the checkpoint on was seen.
        const older = records.findIndex(
          (record) => record.lastEditedAt !== null && record.lastEditedAt < stopAt,
        );
        if (older !== -1) {
          records = records.slice(0, older);
          reachedCheckpoint = true;
        }
      }
      for (const record of records) {
        if (
          record.lastEditedAt &&
          (!cursor.newestEdited || record.lastEditedAt.toISOString() > cursor.newestEdited)
        ) {
          cursor.newestEdited = record.lastEditedAt.toISOString();
        }
      }
      const last = reachedCheckpoint || page.after === null;
      if (last) {
        delete cursor.after;
        cursor.listed = 'true';
      } else {
        cursor.after = page.after!;
      }
      counts['pages'] = (counts['pages'] ?? 0) + 1;
      counts['listed'] = (counts['listed'] ?? 0) + records.length;
      if (!last) {
        next = pages.next();
        // Awaited on the next turn; if applying this page fails first, the fetch's own failure is moot.
        next.catch(() => undefined);
      }
      tally();
      await this.applyPage(connection, records, users, filter, runId, cursor, counts);
      if (last) {
        await pages.return(undefined);
        break;
      }
    }
  }

  private async readUsers(
    connection: HexConnectionEntity,
    client: HexClient,
    counts: Counts,
    problems: Problems,
  ): Promise<Map<string, HexUserEntity> | null> {
    try {
      const listed = await client.users();
      const users = new Map<string, HexUserEntity>();
      for (const user of listed) {
        const email = user.email.toLowerCase();
        users.set(email, {
          connectionId: connection.id,
          id: user.id,
          email,
          name: user.name,
          role: user.role,
        });
      }
      await this.dataSource.transaction((manager) =>
        this.users.replace(manager, connection.id, [...users.values()]),
      );
      counts['users'] = users.size;
      return users;
    } catch (error) {
      if (!(error instanceof HexApiError) || error.code !== 'FORBIDDEN') throw error;
      problems.push({
        subject: 'users',
        message: `${error.message} Owners keep what the last sync matched.`,
      });
      return null;
    }
  }

  private inScope(connection: HexConnectionEntity, filter: ProjectFilter, record: HexProjectRecord): boolean {
    if (!connection.includeComponents && record.type === 'COMPONENT') return false;
    if (!connection.includeArchived && record.archivedAt) return false;
    if (!connection.includeTrashed && record.trashedAt) return false;
    if (!connection.includeDrafts && record.lastPublishedAt === null) return false;
    if (connection.statuses.length > 0 && (!record.status || !connection.statuses.includes(record.status))) {
      return false;
    }
    if (
      connection.categories.length > 0 &&
      !record.categories.some((category) => connection.categories.includes(category))
    ) {
      return false;
    }
    return matchesProjectFilter(filter, record);
  }

  /** One transaction: changed projects, their events, removals of projects that fell out of scope, the cursor. */
  private async applyPage(
    connection: HexConnectionEntity,
    records: HexProjectRecord[],
    users: Map<string, HexUserEntity> | null,
    filter: ProjectFilter,
    runId: string,
    cursor: SyncCursor,
    counts: Counts,
  ): Promise<void> {
    const wanted = records.filter((record) => this.inScope(connection, filter, record));
    const unwanted = records.filter((record) => !wanted.includes(record));
    counts['skipped'] = (counts['skipped'] ?? 0) + unwanted.length;
    const existing = new Map(
      (
        await this.projects.byKeys(
          connection.id,
          records.map((record) => record.id),
        )
      ).map((row) => [row.id, row]),
    );
    const now = new Date();
    const changed: HexProjectEntity[] = [];
    for (const record of wanted) {
      const row = this.toEntity(connection, record, existing.get(record.id) ?? null, users, now);
      if (row) changed.push(row);
    }
    counts['upserted'] = (counts['upserted'] ?? 0) + changed.length;
    counts['unchanged'] = (counts['unchanged'] ?? 0) + wanted.length - changed.length;
    // Listed but out of scope (a filter, an option, archived or trashed since): removed now, not at the next full sync.
    const dropped = connection.markDeleted
      ? unwanted
          .map((record) => existing.get(record.id))
          .filter((row): row is HexProjectEntity => row !== undefined && row.removedAt === null)
      : [];
    counts['removed'] = (counts['removed'] ?? 0) + dropped.length;
    await this.dataSource.transaction(async (manager) => {
      await this.projects.save(manager, changed);
      if (cursor.mode === 'full') {
        await this.projects.markListed(
          manager,
          connection.id,
          wanted.map((record) => record.id),
          runId,
        );
      }
      await this.projects.save(
        manager,
        dropped.map((row) => ({ ...row, removedAt: now })),
      );
      await this.publisher.publishMany(
        manager,
        HexProjectUpserted,
        changed.map((row) => this.upsertedEvent(row)),
      );
      await this.publisher.publishMany(
        manager,
        HexProjectRemoved,
        dropped.map((row) => ({
          connectionId: connection.id,
          projectId: row.id,
          title: row.title,
          removedAt: now.toISOString(),
        })),
      );
      await this.syncRuns.update(manager, runId, { cursor: { ...cursor }, counts: { ...counts } });
    });
  }

  /** The row to store, or null when the stored one is the same. */
  private toEntity(
    connection: HexConnectionEntity,
    record: HexProjectRecord,
    existing: HexProjectEntity | null,
    users: Map<string, HexUserEntity> | null,
    now: Date,
  ): HexProjectEntity | null {
    const tags = [
      ...(connection.categoriesAsTags ? record.categories.map((name) => `hex:category:${name}`) : []),
      ...(connection.statusesAsTags && record.status ? [`hex:status:${record.status}`] : []),
      ...(connection.collectionsAsTags ? record.collections.map((name) => `hex:collection:${name}`) : []),
    ];
    let owner: Pick<HexProjectEntity, 'ownerEmail' | 'ownerName' | 'ownerSource'>;
    if (existing?.ownerSource === 'manual') {
      owner = { ownerEmail: existing.ownerEmail, ownerName: existing.ownerName, ownerSource: 'manual' };
    } else if (!connection.includeOwners) {
      owner = { ownerEmail: null, ownerName: null, ownerSource: null };
    } else if (users === null) {
      // The users could not be read: keep what the last sync matched.
      owner = {
        ownerEmail: existing?.ownerEmail ?? null,
        ownerName: existing?.ownerName ?? null,
        ownerSource: existing?.ownerSource ?? null,
      };
    } else {
      const user = record.ownerEmail ? users.get(record.ownerEmail.toLowerCase()) : undefined;
      owner = user
        ? { ownerEmail: user.email, ownerName: user.name, ownerSource: 'hex' }
        : { ownerEmail: null, ownerName: null, ownerSource: null };
    }
    const content = {
      title: record.title,
      description: record.description,
      type: record.type,
      status: record.status,
      categories: record.categories,
      collections: record.collections,
      tags,
      creatorEmail: record.creatorEmail,
      hexOwnerEmail: record.ownerEmail,
      ...owner,
      hexCreatedAt: record.createdAt,
      lastEditedAt: record.lastEditedAt,
      lastPublishedAt: record.lastPublishedAt,
      archivedAt: record.archivedAt,
      trashedAt: record.trashedAt,
      appViewsAllTime: record.appViews.allTime,
      appViewsLast7Days: record.appViews.lastSevenDays,
      appViewsLast14Days: record.appViews.lastFourteenDays,
      appViewsLast30Days: record.appViews.lastThirtyDays,
      lastViewedAt: record.lastViewedAt,
      schedules: record.schedules,
      url: hexProjectUrl(
        connection.host,
        connection.workspaceSlug,
        record.id,
        record.lastPublishedAt !== null,
      ),
    };
    const contentHash = createHash('sha256').update(JSON.stringify(content)).digest('hex');
    if (existing && existing.contentHash === contentHash && existing.removedAt === null) return null;
    return {
      connectionId: connection.id,
      id: record.id,
      ...content,
      contentHash,
      listedBySyncRunId: existing?.listedBySyncRunId ?? null,
      firstSeenAt: existing?.firstSeenAt ?? now,
      syncedAt: now,
      removedAt: null,
    };
  }

  private upsertedEvent(row: HexProjectEntity): EventData<typeof HexProjectUpserted> {
    return {
      connectionId: row.connectionId,
      projectId: row.id,
      title: row.title,
      description: row.description,
      type: row.type,
      status: row.status,
      categories: row.categories,
      collections: row.collections,
      tags: row.tags,
      ownerEmail: row.ownerEmail,
      url: row.url,
      published: row.lastPublishedAt !== null,
      archived: row.archivedAt !== null,
      trashed: row.trashedAt !== null,
      lastEditedAt: row.lastEditedAt ? row.lastEditedAt.toISOString() : null,
    };
  }
}
