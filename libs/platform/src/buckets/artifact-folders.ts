import { createHash } from 'node:crypto';
import { ARTIFACT_KINDS, sniffArtifactKind, type ArtifactKind } from '@cartograph/dbt';
import { normalizeBucketPrefix } from './bucket-location.js';
import type { BucketObject } from './bucket.models.js';
import { unsafeObjectKeyReason } from './object-key.js';

// Turns a bucket listing into the dbt artifact sets a sync ingests (DESIGN §1, dbt-artifacts): every folder
// holding a manifest is one set, its siblings are that run's other artifacts. Pure, no I/O.
//
// Incremental: `ArtifactFolderCollector.add` takes one listed object at a time and keeps only artifact
// files (and a bounded sample of unsafe keys). A listing of hundreds of thousands of objects — `compiled/`,
// `run/`, logs — therefore costs memory for its few artifact files only, and `collectArtifactFolders`
// consumes `BucketClient.list()` directly without ever holding the whole listing.

export interface ArtifactFile {
  kind: ArtifactKind;
  key: string;
  etag: string;
  size: number;
  version: string | null;
  lastModified: Date | null;
  /** The key ends in `.gz`. */
  gzipped: boolean;
}

export interface IgnoredArtifactFile {
  kind: ArtifactKind;
  key: string;
  /** The key of the same kind chosen instead (the lexicographically last). */
  supersededBy: string;
}

export interface ArtifactFolder {
  /** Directory of the files, ending in '/' ('' for the bucket root), so `folder + fileName === key`. */
  folder: string;
  /** One file per kind, manifest first, in the order of `ARTIFACT_KINDS`. */
  files: ArtifactFile[];
  /** Other files of a kind that appears more than once in the folder. */
  ignored: IgnoredArtifactFile[];
  /** Changes when a chosen file is added, removed, replaced or rewritten (key, ETag, version, size). */
  fingerprint: string;
}

export interface UnsafeObjectKey {
  key: string;
  /** A complete, escaped message (`Object key '../x' is rejected: it contains a '..' segment`). */
  message: string;
}

export interface ArtifactFolderScan {
  /** Sorted by folder (code-unit order). */
  folders: ArtifactFolder[];
  /** Unsafe keys, at most `maximumUnsafeKeys` of them, in listing order; never included in a folder. */
  unsafeKeys: UnsafeObjectKey[];
  /** All unsafe keys seen, including those beyond the reported sample. */
  unsafeKeyCount: number;
  /** Objects seen in total. */
  objectCount: number;
}

export interface ArtifactFolderOptions {
  /** How many unsafe keys are kept with their messages; the rest are only counted. Default 100. */
  maximumUnsafeKeys?: number;
}

/** The kind of an artifact file name (`manifest_1.json.gz` → manifest), or null for any other file. */
/** `a/b/manifest.json` → `a/b/`; `manifest.json` → ''. */
export function folderOf(key: string): string {
  return key.slice(0, key.lastIndexOf('/') + 1);
}

/**
 * A stable hash of the chosen files: the same files with the same ETags and versions give the same
 * fingerprint in any listing order, so a sync skips a folder it has seen without downloading anything.
 */
export function fingerprintArtifactFiles(
  files: readonly Pick<ArtifactFile, 'key' | 'etag' | 'version' | 'size'>[],
): string {
  const lines = files
    .map((file) => JSON.stringify([file.key, file.etag, file.version ?? '', file.size]))
    .sort(compareCodeUnits);
  // The version tag lets a later change of what is hashed invalidate old fingerprints on purpose.
  return createHash('sha256')
    .update(`artifact-folder-v1\n${lines.join('\n')}`, 'utf8')
    .digest('hex');
}

function compareCodeUnits(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0;
}

export class ArtifactFolderCollector {
  readonly #prefix: string;
  readonly #maximumUnsafeKeys: number;
  // folder → kind → every candidate file of that kind; only artifact files are kept.
  readonly #folders = new Map<string, Map<ArtifactKind, ArtifactFile[]>>();
  readonly #unsafeKeys: UnsafeObjectKey[] = [];
  #unsafeKeyCount = 0;
  #objectCount = 0;

  constructor(prefix: string, options: ArtifactFolderOptions = {}) {
    this.#prefix = normalizeBucketPrefix(prefix);
    this.#maximumUnsafeKeys = options.maximumUnsafeKeys ?? 100;
  }

  add(object: BucketObject): void {
    this.#objectCount += 1;
    const reason = unsafeObjectKeyReason(object.key, this.#prefix);
    if (reason) {
      this.#unsafeKeyCount += 1;
      if (this.#unsafeKeys.length < this.#maximumUnsafeKeys) {
        this.#unsafeKeys.push({ key: object.key, message: reason });
      }
      return;
    }
    const folder = folderOf(object.key);
    const kind = sniffArtifactKind(object.key.slice(folder.length));
    if (!kind) return;
    let kinds = this.#folders.get(folder);
    if (!kinds) {
      kinds = new Map();
      this.#folders.set(folder, kinds);
    }
    const file: ArtifactFile = {
      kind,
      key: object.key,
      etag: object.etag,
      size: object.size,
      version: object.version,
      lastModified: object.lastModified,
      gzipped: object.key.endsWith('.gz'),
    };
    const candidates = kinds.get(kind);
    if (candidates) candidates.push(file);
    else kinds.set(kind, [file]);
  }

  result(): ArtifactFolderScan {
    const folders: ArtifactFolder[] = [];
    for (const [folder, kinds] of this.#folders) {
      // A folder is an artifact set only when it has a manifest: catalog or run_results alone describe
      // nothing the catalog can place.
      if (!kinds.has('manifest')) continue;
      const files: ArtifactFile[] = [];
      const ignored: IgnoredArtifactFile[] = [];
      for (const kind of ARTIFACT_KINDS) {
        const candidates = kinds.get(kind);
        if (!candidates) continue;
        const sorted = [...candidates].sort((left, right) => compareCodeUnits(left.key, right.key));
        const chosen = sorted[sorted.length - 1]!;
        files.push(chosen);
        for (const other of sorted.slice(0, -1)) {
          ignored.push({ kind, key: other.key, supersededBy: chosen.key });
        }
      }
      folders.push({ folder, files, ignored, fingerprint: fingerprintArtifactFiles(files) });
    }
    folders.sort((left, right) => compareCodeUnits(left.folder, right.folder));
    return {
      folders,
      unsafeKeys: [...this.#unsafeKeys],
      unsafeKeyCount: this.#unsafeKeyCount,
      objectCount: this.#objectCount,
    };
  }
}

/** Groups a listing already in memory into artifact folders. */
export function findArtifactFolders(
  objects: Iterable<BucketObject>,
  prefix: string,
  options: ArtifactFolderOptions = {},
): ArtifactFolderScan {
  const collector = new ArtifactFolderCollector(prefix, options);
  for (const object of objects) collector.add(object);
  return collector.result();
}

/** Groups a streamed listing (`client.list()`) into artifact folders, one object at a time. */
export async function collectArtifactFolders(
  objects: AsyncIterable<BucketObject> | Iterable<BucketObject>,
  prefix: string,
  options: ArtifactFolderOptions = {},
): Promise<ArtifactFolderScan> {
  const collector = new ArtifactFolderCollector(prefix, options);
  for await (const object of objects) collector.add(object);
  return collector.result();
}
