import type { ArtifactKind } from './artifact.types.js';

/** Schema names in `https://schemas.getdbt.com/dbt/<name>/vN.json`, by artifact kind. */
const kindBySchemaName: ReadonlyMap<string, ArtifactKind> = new Map<string, ArtifactKind>([
  ['manifest', 'manifest'],
  ['catalog', 'catalog'],
  ['run-results', 'run_results'],
  ['run_results', 'run_results'],
  ['sources', 'sources'],
  ['semantic-manifest', 'semantic_manifest'],
  ['semantic_manifest', 'semantic_manifest'],
]);

/** The newest schema version of each kind this reader was written against; newer ones get a warning. */
export const LATEST_SCHEMA_VERSIONS: Readonly<Record<ArtifactKind, number | null>> = {
  manifest: 12,
  catalog: 1,
  run_results: 6,
  sources: 3,
  // semantic_manifest.json carries no dbt_schema_version.
  semantic_manifest: null,
};

const schemaUrlPattern = /\/([A-Za-z_-]+)\/v(\d+)\.json\s*$/;

/** The schema name and version of a `dbt_schema_version` URL, or null when it does not look like one. */
export function parseSchemaUrl(schemaUrl: string): { name: string; version: number } | null {
  const match = schemaUrlPattern.exec(schemaUrl);
  if (!match) return null;
  return { name: match[1]!.toLowerCase(), version: Number(match[2]) };
}

/**
 * The artifact kind a `metadata.dbt_schema_version` URL names
 * (`https://schemas.getdbt.com/dbt/run-results/v6.json` → `run_results`), or null for anything else,
 * including dbt artifacts this library does not read (graph_summary, …).
 */
export function detectArtifactKind(schemaUrl: string | null | undefined): ArtifactKind | null {
  if (typeof schemaUrl !== 'string') return null;
  const parsed = parseSchemaUrl(schemaUrl);
  return parsed ? (kindBySchemaName.get(parsed.name) ?? null) : null;
}

/**
 * The kind a file name suggests, for choosing a reader before the file is opened: `manifest*.json`,
 * `catalog*.json`, `run_results*.json` (or `run-results`), `sources*.json`, `semantic_manifest*.json`,
 * each optionally gzipped (`.json.gz`); directories are ignored. Null for other names. The content decides
 * in the end: `readArtifact` checks `metadata.dbt_schema_version`.
 */
export function sniffArtifactKind(fileName: string): ArtifactKind | null {
  const baseName = fileName.split(/[\\/]/).pop()!.toLowerCase();
  if (!/\.json(?:\.gz)?$/.test(baseName)) return null;
  // semantic_manifest first: it also contains "manifest".
  if (/^semantic[_-]manifest/.test(baseName)) return 'semantic_manifest';
  if (baseName.startsWith('manifest')) return 'manifest';
  if (baseName.startsWith('catalog')) return 'catalog';
  if (/^run[_-]results/.test(baseName)) return 'run_results';
  if (baseName.startsWith('sources')) return 'sources';
  return null;
}
