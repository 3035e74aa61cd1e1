import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type { SpooledBlob } from '../artifact-sets/artifact-blob.repository.js';

/** An artifact over the decompressed size limit: refused before it can fill a disk or a heap. */
export class ArtifactTooLargeError extends Error {
  constructor(
    readonly fileName: string,
    readonly limit: number,
  ) {
    super(`${fileName} is larger than ${limit} bytes once decompressed (ARTIFACT_MAX_BYTES)`);
    this.name = 'ArtifactTooLargeError';
  }
}

export interface SpoolOptions {
  fileName: string;
  /** Decompressed bytes allowed. */
  maxBytes: number;
  directory?: string;
}

export interface SpooledArtifact extends Omit<SpooledBlob, 'kind'> {
  fileName: string;
  /** The first bytes of the JSON text, to tell the artifact's kind when its name does not. */
  head: string;
}

const HEAD_BYTES = 4_096;

function isGzip(chunk: Buffer): boolean {
  return chunk.length >= 2 && chunk[0] === 0x1f && chunk[1] === 0x8b;
}

/** Yields the JSON text of an artifact sent plain or gzip-compressed (told apart by gzip's magic bytes). */
async function* decompressed(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const iterator = source[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done) return;
  const whole = (async function* () {
    yield first.value;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  })();
  if (!isGzip(first.value)) {
    yield* whole;
    return;
  }
  const gunzip = createGunzip();
  const feeding = pipeline(Readable.from(whole), gunzip);
  feeding.catch(() => undefined);
  yield* gunzip as AsyncIterable<Buffer>;
  await feeding;
}

/**
 * Spools one artifact to a local gzip file while hashing its JSON text, so an identical file is recognised
 * (and nothing written) before it reaches the database. Stops as soon as the decompressed size passes the
 * limit, which is what defuses a gzip bomb.
 */
export async function spoolArtifact(
  source: AsyncIterable<Buffer>,
  options: SpoolOptions,
): Promise<SpooledArtifact> {
  const path = join(options.directory ?? tmpdir(), `cartograph-artifact-${randomUUID()}.json`);
  const hash = createHash('sha256');
  let size = 0;
  let head = '';
  async function* measured(): AsyncGenerator<Buffer> {
    for await (const chunk of decompressed(source)) {
      size += chunk.length;
      if (size > options.maxBytes) {
        throw new ArtifactTooLargeError(options.fileName, options.maxBytes);
      }
      if (head.length < HEAD_BYTES) {
        head += chunk.subarray(0, HEAD_BYTES).toString('utf8');
      }
      hash.update(chunk);
      yield chunk;
    }
  }
  // Plain text, not compressed: an upload identical to an earlier one (the common case for scheduled jobs) costs
  // only reading and hashing; the blob is compressed when it is stored, which happens only for new content.
  const output = createWriteStream(path);
  try {
    await pipeline(Readable.from(measured()), output);
  } catch (error) {
    await rm(path, { force: true });
    throw error;
  }
  return {
    fileName: options.fileName,
    sha256: hash.digest('hex'),
    size,
    path,
    head: head.slice(0, HEAD_BYTES),
  };
}

/** Removes spooled files; safe to call twice. */
export async function discardSpooled(artifacts: { path: string }[]): Promise<void> {
  await Promise.all(artifacts.map((artifact) => rm(artifact.path, { force: true })));
}
