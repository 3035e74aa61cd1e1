import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { SyncBucket, SyncCompleted, SyncFailed, SyncStarted, type JobInput } from '@cartograph/contracts';
import {
  collectArtifactFolders,
  isBucketError,
  type ArtifactFolder,
  type ArtifactFolderScan,
  type BucketClient,
} from '@cartograph/platform/buckets';
import { OutboxPublisher } from '@cartograph/platform/events';
import { CONFIG, LOGGER } from '@cartograph/platform/nest';
import type { JobContext, JobOutcome } from '@cartograph/platform/queue';
import { SecretBoxError } from '@cartograph/platform/secrets';
import type { DbtArtifactsConfig } from '../../dbt-artifacts.definition.js';
import { ArtifactSetsService } from '../artifact-sets/artifact-sets.service.js';
import { ArtifactTooLargeError, discardSpooled, spoolArtifact } from '../uploads/artifact-spool.js';
import type { UploadedArtifact } from '../uploads/upload-request.reader.js';
import type { BucketConnectionEntity } from './bucket-connection.entity.js';
import { BucketClientFactory, describeBucketFailure } from './bucket-client.factory.js';
import { BucketConnectionsRepository } from './bucket-connections.repository.js';
import { ACTIVE_RUN_WINDOW_SECONDS } from './bucket-connections.service.js';
import { MAXIMUM_PROBLEMS, planBucketSync, type SyncProblem } from './bucket-sync.plan.js';
import type { SyncRunEntity } from './sync-run.entity.js';
import { SyncRunsRepository } from './sync-runs.repository.js';

const SERVICE = 'dbt-artifacts';

type SyncCounts = Record<
  | 'objects'
  | 'folders'
  | 'new'
  | 'unchanged'
  | 'failed'
  | 'unsafeKeys'
  | 'downloads'
  | 'downloadedBytes'
  | 'artifactSets',
  number
>;

interface SyncProgress {
  counts: SyncCounts;
  problems: SyncProblem[];
  artifactSetIds: string[];
}

function emptyCounts(): SyncCounts {
  return {
    objects: 0,
    folders: 0,
    new: 0,
    unchanged: 0,
    failed: 0,
    unsafeKeys: 0,
    downloads: 0,
    downloadedBytes: 0,
    artifactSets: 0,
  };
}

/** One file of a folder could not be read; the folder is skipped and the sync goes on. */
class FolderFailure extends Error {
  constructor(
    readonly key: string,
    readonly reason: unknown,
  ) {
    super(`Folder file ${key} failed`);
    this.name = 'FolderFailure';
  }
}

/** Counts the bytes of a download as the spool reads them. */
async function* counted(stream: Readable, add: (bytes: number) => void): AsyncGenerator<Buffer> {
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    add(chunk.length);
    yield chunk;
  }
}

/** zlib's errors (Z_DATA_ERROR, Z_BUF_ERROR), told by code: `instanceof Error` fails across realms. */
function isZlibError(error: unknown): error is { code: string; message: string } {
  const candidate = error as { code?: unknown; message?: unknown } | null;
  return (
    typeof candidate?.code === 'string' &&
    candidate.code.startsWith('Z_') &&
    typeof candidate.message === 'string'
  );
}

/**
 * Syncs one bucket connection: lists the prefix, skips folders whose fingerprint (keys + ETags) is the one
 * ingested last time without downloading anything, and hands every other folder to the artifact set
 * pipeline (`ArtifactSetsService.accept`), one folder at a time. A folder that cannot be read is a problem
 * on the run, not a failed run; a listing that fails fails the run.
 */
@Injectable()
export class BucketSyncService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly connections: BucketConnectionsRepository,
    private readonly runs: SyncRunsRepository,
    private readonly clients: BucketClientFactory,
    private readonly sets: ArtifactSetsService,
    private readonly publisher: OutboxPublisher,
    @Inject(CONFIG) private readonly config: DbtArtifactsConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async sync(input: JobInput<typeof SyncBucket>, context: JobContext): Promise<JobOutcome> {
    // Deleted since: its runs went with it, and its scheduler is removed at the next worker start.
    const connection = await this.connections.byId(input.connectionId);
    if (!connection) return 'skipped';
    const run = await this.start(connection, input.syncRunId ?? null, context.jobId);
    if (!run) return 'skipped';
    const progress: SyncProgress = { counts: emptyCounts(), problems: [], artifactSetIds: [] };
    const counts = progress.counts;
    let client: BucketClient | null = null;
    try {
      client = this.clients.create(connection);
      const scan = await collectArtifactFolders(client.list(), client.location.prefix);
      await this.ingestFolders(connection, run, client, scan, progress);
      await this.dataSource.transaction(async (manager) => {
        await this.runs.finish(manager, run.id, { state: 'succeeded', error: null, ...progress });
        await this.publisher.publish(manager, SyncCompleted, {
          service: SERVICE,
          connectionId: connection.id,
          syncRunId: run.id,
          finishedAt: new Date().toISOString(),
          durationMs: this.durationMs(run),
          counts,
        });
      });
      return 'done';
    } catch (error) {
      return this.fail(connection, run, error, progress, context.attempt);
    } finally {
      client?.close();
    }
  }

  /**
   * Claims the run (an on-demand one by id; a scheduled one is created, unless another run of the
   * connection is under way) and announces it, in one transaction.
   */
  private start(
    connection: BucketConnectionEntity,
    syncRunId: string | null,
    jobId: string,
  ): Promise<SyncRunEntity | null> {
    return this.dataSource.transaction(async (manager) => {
      // Two jobs of one connection starting at once (a schedule and a click) take turns here.
      await this.runs.lockConnection(manager, connection.id);
      let run: SyncRunEntity | null;
      if (syncRunId) {
        run = await this.runs.claim(manager, syncRunId, connection.id, jobId);
      } else {
        const own = await this.runs.byJobId(manager, connection.id, jobId);
        if (own) {
          run = await this.runs.claim(manager, own.id, connection.id, jobId);
        } else if (await this.runs.activeRun(connection.id, ACTIVE_RUN_WINDOW_SECONDS, manager)) {
          this.logger.info(
            { connectionId: connection.id },
            'scheduled bucket sync skipped: another sync of this connection is under way',
          );
          run = null;
        } else {
          run = await this.runs.insert(
            {
              connectionId: connection.id,
              trigger: 'schedule',
              state: 'running',
              startedAt: new Date(),
              jobId,
            },
            manager,
          );
        }
      }
      if (!run) return null;
      await this.publisher.publish(manager, SyncStarted, {
        service: SERVICE,
        connectionId: connection.id,
        syncRunId: run.id,
        startedAt: (run.startedAt ?? new Date()).toISOString(),
      });
      return run;
    });
  }

  private async ingestFolders(
    connection: BucketConnectionEntity,
    run: SyncRunEntity,
    client: BucketClient,
    scan: ArtifactFolderScan,
    progress: SyncProgress,
  ): Promise<void> {
    const { counts, problems, artifactSetIds } = progress;
    const plan = planBucketSync(scan, await this.runs.fingerprints(connection.id));
    counts.objects = scan.objectCount;
    counts.folders = scan.folders.length;
    counts.unchanged = plan.unchanged.length;
    counts.unsafeKeys = scan.unsafeKeyCount;
    problems.push(...plan.problems);
    for (const folder of plan.changed) {
      try {
        const artifactSetId = await this.ingestFolder(connection, client, folder, counts);
        await this.runs.recordFolder(connection.id, folder.folder, folder.fingerprint, artifactSetId);
        counts.new += 1;
        if (!artifactSetIds.includes(artifactSetId)) artifactSetIds.push(artifactSetId);
      } catch (error) {
        counts.failed += 1;
        if (problems.length < MAXIMUM_PROBLEMS) problems.push(this.problemOf(connection, folder, error));
      }
      counts.artifactSets = artifactSetIds.length;
      // Progress for whoever watches the run; Postgres also keeps what was done if the worker dies here.
      await this.runs.progress(run.id, counts);
    }
  }

  /** Downloads and spools every file of the folder, then accepts them as one artifact set. */
  private async ingestFolder(
    connection: BucketConnectionEntity,
    client: BucketClient,
    folder: ArtifactFolder,
    counts: SyncCounts,
  ): Promise<string> {
    const maxBytes = this.config.ARTIFACT_MAX_BYTES;
    const artifacts: UploadedArtifact[] = [];
    for (const file of folder.files) {
      let stream: Readable | null = null;
      try {
        stream = await client.download(file.key, { maxBytes });
        counts.downloads += 1;
        const spooled = await spoolArtifact(
          counted(stream, (bytes) => (counts.downloadedBytes += bytes)),
          { fileName: basename(file.key), maxBytes, directory: this.config.UPLOAD_TEMP_DIRECTORY },
        );
        artifacts.push({ ...spooled, kind: file.kind });
      } catch (error) {
        stream?.destroy();
        await discardSpooled(artifacts);
        throw new FolderFailure(file.key, error);
      }
    }
    // accept() owns the spooled files from here and removes them whatever happens.
    const accepted = await this.sets.accept({
      artifacts,
      project: connection.project,
      instance: connection.instance,
      origin: 'bucket',
      originReference: connection.id,
    });
    return accepted.set.id;
  }

  private problemOf(connection: BucketConnectionEntity, folder: ArtifactFolder, error: unknown): SyncProblem {
    const key = error instanceof FolderFailure ? error.key : folder.folder;
    const reason = error instanceof FolderFailure ? error.reason : error;
    if (isBucketError(reason) || reason instanceof ArtifactTooLargeError) {
      return { key, message: reason.message };
    }
    if (isZlibError(reason)) return { key, message: `${key} is not readable gzip (${reason.message})` };
    this.logger.error(
      { err: reason, connectionId: connection.id, folder: folder.folder },
      'bucket folder could not be ingested',
    );
    return {
      key,
      message: `${folder.folder || '(bucket root)'} could not be ingested (internal error; see the worker log)`,
    };
  }

  /**
   * A listing (or the run itself) failed. UNAVAILABLE and unexpected errors are retried by BullMQ (the run
   * goes back to queued with the error it is retrying); refused credentials, a missing bucket or a
   * configuration that cannot work are not, since another attempt would fail the same way.
   */
  private async fail(
    connection: BucketConnectionEntity,
    run: SyncRunEntity,
    error: unknown,
    progress: SyncProgress,
    attempt: number,
  ): Promise<JobOutcome> {
    const failure = describeBucketFailure(error);
    const retryable = isBucketError(error) ? error.retryable : !(error instanceof SecretBoxError);
    if (!isBucketError(error)) {
      this.logger.error({ err: error, connectionId: connection.id, syncRunId: run.id }, 'bucket sync failed');
    }
    const final = !retryable || attempt >= (SyncBucket.options.attempts ?? 1);
    if (!final) {
      await this.runs.requeue(this.dataSource.manager, run.id, failure, progress.counts);
    } else {
      await this.dataSource.transaction(async (manager) => {
        // What was ingested before the failure stays ingested, and the run says so.
        await this.runs.finish(manager, run.id, { state: 'failed', error: failure, ...progress });
        await this.publisher.publish(manager, SyncFailed, {
          service: SERVICE,
          connectionId: connection.id,
          syncRunId: run.id,
          finishedAt: new Date().toISOString(),
          durationMs: this.durationMs(run),
          error: failure,
        });
      });
    }
    // BullMQ keeps the reason in Redis and the worker logs it: the safe message, never the original.
    if (retryable) throw new Error(failure.message);
    return 'done';
  }

  private durationMs(run: SyncRunEntity): number {
    return Math.max(0, Date.now() - (run.startedAt ?? run.queuedAt).getTime());
  }
}
