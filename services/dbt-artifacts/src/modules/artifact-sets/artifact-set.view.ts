import type { ArtifactSetEntity } from './artifact-set.entity.js';

/** The REST shape of an artifact set (the GraphQL type carries the same fields). */
export function toArtifactSetView(set: ArtifactSetEntity) {
  const durationMs =
    set.startedAt && set.finishedAt ? set.finishedAt.getTime() - set.startedAt.getTime() : null;
  return {
    id: set.id,
    state: set.state,
    origin: set.origin,
    projectId: set.projectId,
    files: set.files,
    invocationId: set.invocationId,
    dbtVersion: set.dbtVersion,
    generatedAt: set.generatedAt,
    dbtCloud: set.dbtCloud,
    warnings: set.warnings,
    error: set.error,
    counts: set.counts,
    rowWrites: set.rowWrites,
    attempts: set.attempts,
    createdAt: set.createdAt,
    startedAt: set.startedAt,
    finishedAt: set.finishedAt,
    durationMs,
  };
}
