import { createReadStream } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import {
  ArtifactReadError,
  readArtifact,
  sniffArtifactKind,
  type ArtifactHeader,
  type ArtifactKind,
} from '@cartograph/dbt';

/** An artifact file to read or send; `kind` is what its name suggests (null: the content must tell). */
export interface ArtifactFile {
  /** As the user gave it, or joined to the directory they gave: what messages name. */
  readonly path: string;
  readonly kind: ArtifactKind | null;
}

/** A path that is neither an artifact nor a directory holding some. */
export class ArtifactPathError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
    this.name = 'ArtifactPathError';
  }
}

const kindOrder: readonly ArtifactKind[] = [
  'manifest',
  'catalog',
  'run_results',
  'sources',
  'semantic_manifest',
];

export const ARTIFACT_FILE_NAMES =
  'manifest.json, catalog.json, run_results.json, sources.json, semantic_manifest.json (or .json.gz)';

// Big chunks mean fewer entries straddling two chunks, which the splitter has to copy.
const CHUNK_BYTES = 1024 * 1024;

/**
 * The artifacts in a dbt `target/` directory, manifest first: files whose names `sniffArtifactKind`
 * recognises. Sub-directories (`compiled/`, `run/`) and other files (`graph_summary.json`,
 * `partial_parse.msgpack`) are skipped.
 */
export async function artifactsInDirectory(directory: string): Promise<ArtifactFile[]> {
  const entries = await readdir(directory, { withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => ({ path: join(directory, entry.name), kind: sniffArtifactKind(entry.name) }))
    .filter((file): file is { path: string; kind: ArtifactKind } => file.kind !== null)
    .sort((a, b) => kindOrder.indexOf(a.kind) - kindOrder.indexOf(b.kind) || a.path.localeCompare(b.path));
}

/**
 * The files named on the command line: a directory stands for the artifacts in it, a file for itself.
 * Throws `ArtifactPathError` for a path that does not exist and for a directory without artifacts.
 */
export async function resolveArtifactPaths(paths: readonly string[]): Promise<ArtifactFile[]> {
  const files: ArtifactFile[] = [];
  for (const path of paths) {
    const info = await stat(path).catch(() => null);
    if (!info) {
      throw new ArtifactPathError(path, `${path}: no such file or directory`);
    }
    if (!info.isDirectory()) {
      files.push({ path, kind: sniffArtifactKind(path) });
      continue;
    }
    const found = await artifactsInDirectory(path);
    if (found.length === 0) {
      throw new ArtifactPathError(path, `${path} holds no dbt artifact (looked for ${ARTIFACT_FILE_NAMES})`);
    }
    files.push(...found);
  }
  return files;
}

/** gzip by its magic bytes, not its name: `dbt` never compresses, people and buckets do, names lie. */
export async function isGzipFile(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    return bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

/**
 * The (decompressed) bytes of an artifact as a stream of chunks, so that a manifest of any size is never
 * held whole. Errors name the file: a missing file, unreadable or truncated gzip.
 */
export async function* artifactBytes(path: string): AsyncGenerator<Uint8Array> {
  let gzip: boolean;
  try {
    gzip = await isGzipFile(path);
  } catch (error) {
    throw new ArtifactReadError(`cannot read ${path}: ${(error as Error).message}`, { fileName: path });
  }
  const file = createReadStream(path, { highWaterMark: CHUNK_BYTES });
  // `pipeline` destroys both streams when either fails or the reader stops early; the error reaches the
  // iteration below through the gunzip stream, so the callback has nothing left to do.
  const source = gzip ? pipeline(file, createGunzip({ chunkSize: CHUNK_BYTES }), () => undefined) : file;
  try {
    for await (const chunk of source) {
      yield chunk as Buffer;
    }
  } catch (error) {
    if (error instanceof ArtifactReadError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? '';
    throw new ArtifactReadError(
      code.startsWith('Z_')
        ? `${path} is not valid gzip: ${(error as Error).message} (the file is truncated or corrupt)`
        : `cannot read ${path}: ${(error as Error).message}`,
      { fileName: path },
    );
  } finally {
    source.destroy();
  }
}

/**
 * The header of an artifact (its first record), or null when it cannot be read. Only the first chunk is
 * parsed: dbt writes `metadata` first, and stopping the reader closes the file.
 */
export async function readArtifactHeader(path: string): Promise<ArtifactHeader | null> {
  try {
    for await (const record of readArtifact(artifactBytes(path), { fileName: path })) {
      return record.type === 'header' ? record.header : null;
    }
  } catch {
    // Whoever reads the whole file reports why it cannot be read.
  }
  return null;
}
