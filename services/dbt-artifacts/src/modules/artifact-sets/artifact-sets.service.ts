import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { IngestArtifactSet } from '@cartograph/contracts';
import { LOGGER } from '@cartograph/platform/nest';
import { JobQueue } from '@cartograph/platform/queue';
import type { UploadedArtifact } from '../uploads/upload-request.reader.js';
import { discardSpooled } from '../uploads/artifact-spool.js';
import { ArtifactBlobRepository } from './artifact-blob.repository.js';
import type { ArtifactSetEntity } from './artifact-set.entity.js';
import { ArtifactSetsRepository } from './artifact-sets.repository.js';

export interface IncomingSet {
  artifacts: UploadedArtifact[];
  project?: string | null;
  instance?: string | null;
  origin: 'upload' | 'graphql' | 'bucket' | 'dbt-cloud';
  originReference?: string | null;
  createdBy?: string | null;
}

export interface AcceptedSet {
  set: ArtifactSetEntity;
  /** The same files (and project/instance) were received before: nothing was written or queued. */
  unchanged: boolean;
}

/** Identity of a set: its files by content, and what the uploader asked them to be ingested as. */
export function artifactSetFingerprint(
  set: Pick<IncomingSet, 'project' | 'instance'> & { artifacts: { kind: string; sha256: string }[] },
): string {
  const parts = set.artifacts.map((artifact) => `${artifact.kind}:${artifact.sha256}`).sort();
  parts.push(`project:${set.project ?? ''}`, `instance:${set.instance ?? ''}`);
  return createHash('sha256').update(parts.join('\n')).digest('hex');
}

@Injectable()
export class ArtifactSetsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly sets: ArtifactSetsRepository,
    private readonly blobs: ArtifactBlobRepository,
    private readonly jobs: JobQueue,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * Stores a set's blobs and row in one transaction and queues its ingestion. An identical set already
   * received is answered from what is there, with no write at all; a failed one is queued again.
   */
  async accept(incoming: IncomingSet): Promise<AcceptedSet> {
    try {
      const fingerprint = artifactSetFingerprint(incoming);
      const outcome = await this.dataSource.transaction(async (manager) => {
        const existing = await this.sets.byFingerprint(manager, fingerprint);
        if (existing && existing.state !== 'failed') {
          return { set: existing, unchanged: true };
        }
        const stored = await this.blobs.existing(
          manager,
          incoming.artifacts.map((artifact) => artifact.sha256),
        );
        for (const artifact of incoming.artifacts) {
          if (!stored.has(artifact.sha256)) {
            await this.blobs.store(manager, artifact);
          }
        }
        if (existing) {
          await this.sets.requeue(manager, existing.id);
          return { set: { ...existing, state: 'queued', error: null }, unchanged: false };
        }
        const set = await this.sets.insert(manager, {
          fingerprint,
          origin: incoming.origin,
          originReference: incoming.originReference ?? null,
          requestedProject: incoming.project ?? null,
          requestedInstance: incoming.instance ?? null,
          files: incoming.artifacts.map((artifact) => ({
            kind: artifact.kind,
            fileName: artifact.fileName,
            sha256: artifact.sha256,
            size: artifact.size,
          })),
          createdBy: incoming.createdBy ?? null,
        });
        return { set, unchanged: false };
      });
      if (!outcome.unchanged) {
        await this.enqueue(outcome.set.id);
      }
      return outcome;
    } finally {
      await discardSpooled(incoming.artifacts);
    }
  }

  /**
   * The set already received with these files (by content hash), project and instance, if any: lets a client
   * that hashed its files skip sending hundreds of MB the service already has. Reads only.
   */
  async received(
    files: { kind: string; sha256: string }[],
    project: string | null,
    instance: string | null,
  ): Promise<ArtifactSetEntity | null> {
    const fingerprint = artifactSetFingerprint({ artifacts: files, project, instance });
    const existing = await this.sets.byFingerprint(this.dataSource.manager, fingerprint);
    return existing && existing.state !== 'failed' ? existing : null;
  }

  /** Queues ingestion; if Redis is away the set stays queued in Postgres and the sweep queues it later. */
  async enqueue(artifactSetId: string): Promise<void> {
    try {
      await this.jobs.enqueue(IngestArtifactSet, { artifactSetId });
    } catch (error) {
      this.logger.warn({ err: error, artifactSetId }, 'could not queue artifact set; the sweep will');
    }
  }
}
