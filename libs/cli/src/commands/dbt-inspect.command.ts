import {
  ArtifactReadError,
  ArtifactSummaryBuilder,
  readArtifact,
  type ArtifactSummary,
} from '@cartograph/dbt';
import {
  ArtifactPathError,
  artifactBytes,
  readArtifactHeader,
  resolveArtifactPaths,
  type ArtifactFile,
} from './dbt-artifact.files.js';

export interface DbtInspectOptions {
  /** The warehouse connection's instance in dataset ids (default: `default`). */
  instance?: string;
  /** Adapter type for dataset ids when no manifest names one (manifests before `adapter_type`). */
  adapter?: string;
}

export interface DbtInspection {
  summary: ArtifactSummary;
  /** One message per file (or path) that could not be read, naming it. */
  errors: string[];
}

type Entry = { file: ArtifactFile } | { path: string; error: string };

/**
 * Reads artifacts as streams and summarises them with libs/dbt's `ArtifactSummaryBuilder`; nothing is sent
 * anywhere. A file that cannot be read is reported in the summary (and in `errors`), the others still are.
 */
export async function inspectArtifacts(
  paths: readonly string[],
  options: DbtInspectOptions = {},
): Promise<DbtInspection> {
  const entries: Entry[] = [];
  for (const path of new Set(paths)) {
    try {
      entries.push(...(await resolveArtifactPaths([path])).map((file) => ({ file })));
    } catch (error) {
      if (!(error instanceof ArtifactPathError)) throw error;
      entries.push({ path, error: error.message });
    }
  }
  const files = entries.flatMap((entry) => ('file' in entry ? [entry.file] : []));
  const builder = new ArtifactSummaryBuilder({
    instance: options.instance ?? null,
    // Only manifests name the adapter; it is what the catalog, run results and sources of the same
    // project were produced with, so it applies to the whole set.
    adapterType: options.adapter ?? (await manifestAdapterType(files)),
  });
  const errors: string[] = [];
  for (const entry of entries) {
    if (!('file' in entry)) {
      builder.addError(entry.path, entry.error);
      errors.push(entry.error);
      continue;
    }
    const { path } = entry.file;
    try {
      for await (const record of readArtifact(artifactBytes(path), { fileName: path })) {
        builder.add(path, record);
      }
    } catch (error) {
      if (!(error instanceof ArtifactReadError)) throw error;
      builder.addError(path, error);
      errors.push(error.message);
    }
  }
  return { summary: builder.result(), errors };
}

/** The adapter type of the first manifest among the files that names one. */
async function manifestAdapterType(files: readonly ArtifactFile[]): Promise<string | null> {
  for (const file of files) {
    if (file.kind !== 'manifest' && file.kind !== null) continue;
    const header = await readArtifactHeader(file.path);
    if (header?.kind === 'manifest' && header.adapterType) return header.adapterType;
  }
  return null;
}

/** `cartograph dbt inspect`: the summary as JSON on stdout; 1 when any file could not be read. */
export async function dbtInspect(paths: readonly string[], options: DbtInspectOptions): Promise<number> {
  const { summary, errors } = await inspectArtifacts(paths, options);
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  for (const error of errors) {
    process.stderr.write(`cartograph dbt inspect: ${error}\n`);
  }
  return errors.length === 0 ? 0 : 1;
}
