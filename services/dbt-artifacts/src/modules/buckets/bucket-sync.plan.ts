import type { ArtifactFolder, ArtifactFolderScan } from '@cartograph/platform/buckets';

// What one sync does with a listing, decided before any download: pure, so it is tested with made-up
// listings (hostile keys included, which no emulator will store).

export interface SyncProblem {
  key: string;
  message: string;
}

export interface BucketSyncPlan {
  /** Folders to download and ingest, oldest manifest first. */
  changed: ArtifactFolder[];
  /** Folders whose keys, ETags, versions and sizes are those ingested last time: nothing is downloaded. */
  unchanged: ArtifactFolder[];
  /** Unsafe keys, never downloaded. */
  problems: SyncProblem[];
}

/** A sync records at most this many problems; the counts still say how many there were. */
export const MAXIMUM_PROBLEMS = 100;

function manifestTime(folder: ArtifactFolder): number {
  const manifest = folder.files.find((file) => file.kind === 'manifest');
  return manifest?.lastModified?.getTime() ?? 0;
}

/**
 * Splits the scan into changed and unchanged folders by the fingerprint stored per folder. Changed folders
 * are ordered by their manifest's upload time: sets are ingested in that order, and the newest manifest of a
 * project must be the one applied last.
 */
export function planBucketSync(scan: ArtifactFolderScan, seen: ReadonlyMap<string, string>): BucketSyncPlan {
  const changed: ArtifactFolder[] = [];
  const unchanged: ArtifactFolder[] = [];
  for (const folder of scan.folders) {
    (seen.get(folder.folder) === folder.fingerprint ? unchanged : changed).push(folder);
  }
  changed.sort(
    (left, right) =>
      manifestTime(left) - manifestTime(right) ||
      (left.folder < right.folder ? -1 : left.folder > right.folder ? 1 : 0),
  );
  const problems = scan.unsafeKeys
    .slice(0, MAXIMUM_PROBLEMS)
    .map((unsafe) => ({ key: unsafe.key, message: `${unsafe.message}; it was not downloaded` }));
  return { changed, unchanged, problems };
}
