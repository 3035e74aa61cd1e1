import type { IncomingMessage } from 'node:http';
import { basename } from 'node:path';
import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import busboy from 'busboy';
import { extract } from 'tar-stream';
import { detectArtifactKind, sniffArtifactKind, type ArtifactKind } from '@cartograph/dbt';
import { discardSpooled, spoolArtifact, type SpooledArtifact } from './artifact-spool.js';

/** A request the upload endpoint refuses; `status` is the HTTP status to answer with. */
export class UploadRejectedError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'UploadRejectedError';
  }
}

export interface UploadedArtifact extends SpooledArtifact {
  kind: ArtifactKind;
}

export interface UploadContents {
  artifacts: UploadedArtifact[];
  fields: Record<string, string>;
}

export interface UploadLimits {
  /** Bytes of the request body as sent. */
  maxRequestBytes: number;
  /** Bytes of one artifact once decompressed. */
  maxArtifactBytes: number;
  directory?: string;
}

const artifactKinds: readonly ArtifactKind[] = [
  'manifest',
  'catalog',
  'run_results',
  'sources',
  'semantic_manifest',
];
const archiveTypes = new Set([
  'application/gzip',
  'application/x-gzip',
  'application/x-gtar',
  'application/x-tgz',
]);

/** The kind of an uploaded file: from its form field, else its file name, else the schema URL at its head. */
export function artifactKindOf(fieldName: string, fileName: string, head: string): ArtifactKind | null {
  const field = fieldName.replace(/-/g, '_').toLowerCase();
  if ((artifactKinds as readonly string[]).includes(field)) return field as ArtifactKind;
  const byName = sniffArtifactKind(fileName);
  if (byName) return byName;
  const schema = /"dbt_schema_version"\s*:\s*"([^"]+)"/.exec(head);
  return schema ? detectArtifactKind(schema[1]!) : null;
}

function byteCounter(limit: number): Transform {
  let total = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      total += chunk.length;
      if (total > limit) {
        callback(
          new UploadRejectedError(
            413,
            'PAYLOAD_TOO_LARGE',
            `The upload is larger than ${limit} bytes (UPLOAD_MAX_BYTES)`,
          ),
        );
        return;
      }
      callback(null, chunk);
    },
  });
}

/**
 * Reads an upload: `multipart/form-data` with one part per artifact (field `manifest`, `catalog`,
 * `run_results`, `sources`, `semantic_manifest`, or any field with a recognisable file name, `.json` or
 * `.json.gz`; a field `archive` may hold a tar.gz of `target/`) and text fields, or a bare tar.gz body.
 * Files are spooled to disk as they arrive; on any error nothing is left behind.
 */
export async function readUploadRequest(
  request: IncomingMessage,
  limits: UploadLimits,
): Promise<UploadContents> {
  const contentType = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const counted = request.pipe(byteCounter(limits.maxRequestBytes));
  request.on('error', (error) => counted.destroy(error));
  const artifacts: UploadedArtifact[] = [];
  try {
    if (contentType === 'multipart/form-data') {
      const fields = await readMultipart(request, counted, limits, artifacts);
      return checked({ artifacts, fields });
    }
    if (archiveTypes.has(contentType) || contentType === 'application/octet-stream') {
      await readArchive(counted, limits, artifacts);
      return checked({ artifacts, fields: {} });
    }
    throw new UploadRejectedError(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      `Send multipart/form-data (one part per artifact) or a tar.gz of target/ as application/gzip, not "${contentType || 'no content type'}"`,
    );
  } catch (error) {
    counted.destroy();
    await discardSpooled(artifacts);
    throw error;
  }
}

async function readMultipart(
  request: IncomingMessage,
  body: Readable,
  limits: UploadLimits,
  artifacts: UploadedArtifact[],
): Promise<Record<string, string>> {
  const fields: Record<string, string> = {};
  const parser = busboy({ headers: request.headers, limits: { fieldSize: 64 * 1024, fields: 20 } });
  const pending: Promise<void>[] = [];
  parser.on('field', (name, value) => {
    fields[name] = value;
  });
  parser.on('file', (fieldName, stream, info) => {
    const fileName = basename(info.filename || fieldName);
    if (fieldName === 'archive' || /\.(tar\.gz|tgz)$/i.test(fileName)) {
      pending.push(readArchive(stream, limits, artifacts));
      return;
    }
    pending.push(
      (async () => {
        const spooled = await spoolArtifact(stream, {
          fileName,
          maxBytes: limits.maxArtifactBytes,
          directory: limits.directory,
        });
        const kind = artifactKindOf(fieldName, fileName, spooled.head);
        artifacts.push({ ...spooled, kind: kind ?? ('unknown' as ArtifactKind) });
        if (!kind) {
          throw new UploadRejectedError(
            400,
            'BAD_USER_INPUT',
            `Cannot tell which dbt artifact "${fileName}" (field "${fieldName}") is: name the field manifest, catalog, run_results, sources or semantic_manifest`,
          );
        }
      })(),
    );
  });
  const parsed = pipeline(body, parser);
  // Settle every file, so none is left spooled when one fails.
  await parsed.catch((error: unknown) => {
    throw error instanceof UploadRejectedError
      ? error
      : new UploadRejectedError(
          400,
          'BAD_USER_INPUT',
          `Unreadable multipart body: ${(error as Error).message}`,
        );
  });
  const results = await Promise.allSettled(pending);
  const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failure) throw failure.reason;
  return fields;
}

/** A tar.gz of `target/`: the artifacts are taken by base name wherever they are; the rest is skipped. */
async function readArchive(
  body: Readable,
  limits: UploadLimits,
  artifacts: UploadedArtifact[],
): Promise<void> {
  const archive = extract();
  const gunzip = createGunzip();
  archive.on('entry', (header, stream, next) => {
    const fileName = basename(header.name);
    const kind =
      header.type === 'file' && /\.json(\.gz)?$/i.test(fileName) ? sniffArtifactKind(fileName) : null;
    if (!kind) {
      stream.on('end', next);
      stream.resume();
      return;
    }
    spoolArtifact(stream as AsyncIterable<Buffer>, {
      fileName,
      maxBytes: limits.maxArtifactBytes,
      directory: limits.directory,
    })
      .then((spooled) => {
        artifacts.push({ ...spooled, kind });
        next();
      })
      .catch((error: unknown) => next(error as Error));
  });
  try {
    await pipeline(body, gunzip, archive);
  } catch (error) {
    if (error instanceof UploadRejectedError) throw error;
    throw new UploadRejectedError(
      400,
      'BAD_USER_INPUT',
      `Unreadable tar.gz archive: ${(error as Error).message}`,
    );
  }
}

function checked(contents: UploadContents): UploadContents {
  if (contents.artifacts.length === 0) {
    throw new UploadRejectedError(
      400,
      'BAD_USER_INPUT',
      'The upload holds no dbt artifact: send manifest.json, catalog.json, run_results.json, sources.json or semantic_manifest.json (.json or .json.gz)',
    );
  }
  const seen = new Map<string, string>();
  for (const artifact of contents.artifacts) {
    const earlier = seen.get(artifact.kind);
    if (earlier) {
      throw new UploadRejectedError(
        400,
        'BAD_USER_INPUT',
        `One artifact set holds one ${artifact.kind}; got "${earlier}" and "${artifact.fileName}"`,
      );
    }
    seen.set(artifact.kind, artifact.fileName);
  }
  return contents;
}
