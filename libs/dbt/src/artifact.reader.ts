import { detectArtifactKind, LATEST_SCHEMA_VERSIONS, parseSchemaUrl } from './artifact-kind.js';
import { ArtifactReadError } from './artifact-read.error.js';
import type { ArtifactHeader, ArtifactKind, ArtifactRecord, ReadArtifactOptions } from './artifact.types.js';
import { locateJsonError } from './json-error.locator.js';
import {
  JsonSectionSplitter,
  JsonSyntaxError,
  type SectionAction,
  type SectionContainer,
  type SplitEvent,
} from './json-section.splitter.js';
import {
  normalizeDocBlock,
  normalizeExposure,
  normalizeGroup,
  normalizeMetric,
  normalizeNode,
  normalizeSavedQuery,
  normalizeSemanticModel,
  normalizeSource,
  normalizeTest,
  normalizeUnitTest,
} from './manifest.normalizer.js';
import {
  normalizeCatalogTable,
  normalizeFreshnessResult,
  normalizeRunResult,
  runSummaryOf,
} from './results.normalizer.js';
import { extraFields, isObject, quotingOf, stringOrNull, type JsonObject } from './value.readers.js';

/** Top-level keys whose values are read whole: small, and needed before or after the entries. */
const valueSections = new Set(['metadata', 'elapsed_time', 'args', 'errors']);

/**
 * Sections read entry by entry, per kind. Everything else is skipped unparsed: `macros` (the bulk of a
 * manifest), `parent_map`/`child_map`/`group_map` (edges come from each resource's `depends_on.nodes`),
 * `selectors`, `functions`, a semantic manifest's `project_configuration`.
 */
const entrySections: Record<ArtifactKind, ReadonlySet<string>> = {
  manifest: new Set([
    'nodes',
    'sources',
    'exposures',
    'metrics',
    'semantic_models',
    'saved_queries',
    'unit_tests',
    'groups',
    'docs',
    // Read only to count the disabled nodes.
    'disabled',
  ]),
  catalog: new Set(['nodes', 'sources']),
  run_results: new Set(['results']),
  sources: new Set(['results']),
  semantic_manifest: new Set(['semantic_models', 'metrics', 'saved_queries']),
};

/** Before the kind is known (metadata not first), keep every section some kind reads. */
const anyKindEntrySections = new Set(Object.values(entrySections).flatMap((sections) => [...sections]));

/** semantic_manifest.json has no metadata; it is recognised by these top-level lists (a manifest has dicts). */
const semanticManifestLists = new Set(['semantic_models', 'metrics', 'saved_queries']);

const headerFields = new Set([
  'dbt_schema_version',
  'dbt_version',
  'generated_at',
  'invocation_id',
  'invocation_started_at',
  'env',
  'adapter_type',
  'project_name',
  'project_id',
  'quoting',
]);

/**
 * Reads one dbt artifact (manifest, catalog, run_results, sources or semantic_manifest, any schema version)
 * from its bytes, already decompressed, and yields normalised records: first a `header`, then one record per
 * entry, warnings where something was skipped, and a trailing `run_summary` (run_results) or
 * `manifest_summary` (manifest). Memory stays bounded by the largest single entry, not by the file.
 *
 * Throws `ArtifactReadError` for invalid or truncated JSON (with the byte offset), a file that is not a dbt
 * artifact, or one of another kind than `options.expectedKind`.
 */
export async function* readArtifact(
  bytes: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options: ReadArtifactOptions = {},
): AsyncGenerator<ArtifactRecord> {
  const session = new ArtifactReadSession(options);
  const splitter = new JsonSectionSplitter({
    actionFor: (section, container) => session.actionFor(section, container),
  });
  try {
    for await (const chunk of bytes) {
      for (const event of splitter.push(chunk)) yield* session.handle(event);
    }
    for (const event of splitter.end()) yield* session.handle(event);
    yield* session.finish();
  } catch (error) {
    if (error instanceof JsonSyntaxError) {
      throw new ArtifactReadError(
        `${session.displayName} is not valid JSON: ${error.reason} at byte offset ${error.offset}${error.path ? ` (in ${error.path})` : ''}`,
        { fileName: options.fileName, path: error.path, offset: error.offset },
      );
    }
    throw error;
  }
}

class ArtifactReadSession {
  readonly displayName: string;
  private header: ArtifactHeader | null = null;
  private sawMetadata = false;
  /** Events that arrived before the metadata, replayed once the kind is known. */
  private pending: SplitEvent[] = [];
  private elapsedTime: unknown = null;
  private args: unknown = null;
  private disabledNodes = 0;
  private readonly entries: Record<string, number> = {};

  constructor(private readonly options: ReadArtifactOptions) {
    this.displayName = options.fileName ?? 'the artifact';
  }

  actionFor(section: string, _container: SectionContainer): SectionAction {
    if (valueSections.has(section)) return 'value';
    const sections = this.header ? entrySections[this.header.kind] : anyKindEntrySections;
    return sections.has(section) ? 'entries' : 'skip';
  }

  *handle(event: SplitEvent): Generator<ArtifactRecord> {
    if (event.type === 'value' && event.section === 'metadata') {
      yield* this.readMetadata(event);
      return;
    }
    if (!this.header) {
      if (
        event.type === 'section-start' &&
        !this.sawMetadata &&
        event.container === 'array' &&
        semanticManifestLists.has(event.section)
      ) {
        yield* this.start(this.semanticManifestHeader());
        return;
      }
      this.pending.push(event);
      return;
    }
    yield* this.process(event);
  }

  *finish(): Generator<ArtifactRecord> {
    if (!this.header) {
      throw new ArtifactReadError(
        `${this.displayName} is not a dbt artifact: it has no metadata.dbt_schema_version`,
        { fileName: this.options.fileName },
      );
    }
    if (this.header.kind === 'run_results') {
      yield { type: 'run_summary', summary: runSummaryOf(this.elapsedTime, this.args) };
    } else if (this.header.kind === 'manifest') {
      yield {
        type: 'manifest_summary',
        summary: { disabledNodes: this.disabledNodes, entries: { ...this.entries } },
      };
    }
  }

  private *readMetadata(event: Extract<SplitEvent, { type: 'value' }>): Generator<ArtifactRecord> {
    if (this.sawMetadata) {
      yield { type: 'warning', warning: 'a second "metadata" key was ignored' };
      return;
    }
    this.sawMetadata = true;
    const metadata = this.parse(event.text, event.offset, 'metadata');
    if (this.header) {
      // A semantic manifest recognised by its lists before any metadata; keep the header it was given.
      yield { type: 'warning', warning: 'metadata after the semantic manifest lists was ignored' };
      return;
    }
    yield* this.start(this.headerOf(metadata));
  }

  private *start(header: ArtifactHeader): Generator<ArtifactRecord> {
    const expected = this.options.expectedKind;
    if (expected && expected !== header.kind) {
      const evidence = header.schemaUrl
        ? `its dbt_schema_version is ${header.schemaUrl}`
        : 'it has no metadata and top-level lists of semantic models and metrics, as semantic_manifest.json has';
      throw new ArtifactReadError(`${this.displayName} was uploaded as ${expected}: ${evidence}`, {
        fileName: this.options.fileName,
        path: 'metadata.dbt_schema_version',
      });
    }
    this.header = header;
    yield { type: 'header', header };
    const latest = LATEST_SCHEMA_VERSIONS[header.kind];
    if (latest !== null && header.schemaVersion !== null && header.schemaVersion > latest) {
      yield {
        type: 'warning',
        warning: `${header.kind} schema v${header.schemaVersion} is newer than the newest this reader knows (v${latest}); it is read leniently and fields it does not know are kept in "extra"`,
      };
    }
    const pending = this.pending;
    this.pending = [];
    for (const event of pending) yield* this.process(event);
  }

  private headerOf(metadata: unknown): ArtifactHeader {
    if (!isObject(metadata)) {
      throw new ArtifactReadError(`${this.displayName} is not a dbt artifact: "metadata" is not an object`, {
        fileName: this.options.fileName,
        path: 'metadata',
      });
    }
    const schemaUrl = stringOrNull(metadata.dbt_schema_version);
    if (!schemaUrl) {
      throw new ArtifactReadError(
        `${this.displayName} is not a dbt artifact: it has no metadata.dbt_schema_version`,
        { fileName: this.options.fileName, path: 'metadata.dbt_schema_version' },
      );
    }
    const kind = detectArtifactKind(schemaUrl);
    if (!kind) {
      throw new ArtifactReadError(
        `${this.displayName} is not a dbt artifact this reader knows (manifest, catalog, run_results, sources, semantic_manifest): its dbt_schema_version is ${schemaUrl}`,
        { fileName: this.options.fileName, path: 'metadata.dbt_schema_version' },
      );
    }
    const env: Record<string, string> = {};
    if (isObject(metadata.env)) {
      for (const [name, value] of Object.entries(metadata.env)) {
        if (typeof value === 'string') env[name] = value;
        else if (typeof value === 'number' || typeof value === 'boolean') env[name] = String(value);
      }
    }
    return {
      kind,
      schemaVersion: parseSchemaUrl(schemaUrl)?.version ?? null,
      schemaUrl,
      dbtVersion: stringOrNull(metadata.dbt_version),
      generatedAt: stringOrNull(metadata.generated_at),
      invocationId: stringOrNull(metadata.invocation_id),
      invocationStartedAt: stringOrNull(metadata.invocation_started_at),
      env,
      adapterType: stringOrNull(metadata.adapter_type),
      projectName: stringOrNull(metadata.project_name),
      projectId: stringOrNull(metadata.project_id),
      quoting: isObject(metadata.quoting) ? quotingOf(metadata.quoting) : null,
      extra: extraFields(metadata, headerFields),
    };
  }

  private semanticManifestHeader(): ArtifactHeader {
    return {
      kind: 'semantic_manifest',
      schemaVersion: null,
      schemaUrl: null,
      dbtVersion: null,
      generatedAt: null,
      invocationId: null,
      invocationStartedAt: null,
      env: {},
      adapterType: null,
      projectName: null,
      projectId: null,
      quoting: null,
      extra: {},
    };
  }

  private *process(event: SplitEvent): Generator<ArtifactRecord> {
    const kind = this.header!.kind;
    if (event.type === 'value') {
      const value = this.parse(event.text, event.offset, event.section);
      if (event.section === 'elapsed_time') this.elapsedTime = value;
      else if (event.section === 'args') this.args = value;
      else if (event.section === 'errors' && kind === 'catalog' && Array.isArray(value)) {
        for (const error of value) yield { type: 'warning', warning: `catalog error: ${String(error)}` };
      }
      return;
    }
    if (event.type !== 'entry' || !entrySections[kind].has(event.section)) return;
    this.entries[event.section] = (this.entries[event.section] ?? 0) + 1;
    const path =
      event.key === null
        ? `${event.section}[${event.index}]`
        : `${event.section}[${JSON.stringify(event.key)}]`;
    const raw = this.parse(event.text, event.offset, path);
    if (event.section === 'disabled') {
      // v4+: {unique_id: [node, …]}; v1–v3: [node, …].
      this.disabledNodes += Array.isArray(raw) && event.key !== null ? raw.length : 1;
      return;
    }
    if (!isObject(raw)) {
      yield {
        type: 'warning',
        warning: `${path} is not an object (found ${raw === null ? 'null' : Array.isArray(raw) ? 'an array' : typeof raw}); skipped`,
      };
      return;
    }
    try {
      const record = this.normalize(kind, event.section, raw, event.key, event.index);
      if (record) yield record;
    } catch (error) {
      // The normalisers are lenient; this guards against an entry no one foresaw, which must not end the read.
      yield {
        type: 'warning',
        warning: `${path} could not be read (${error instanceof Error ? error.message : String(error)}); skipped`,
      };
    }
  }

  private normalize(
    kind: ArtifactKind,
    section: string,
    raw: JsonObject,
    key: string | null,
    index: number,
  ): ArtifactRecord | null {
    switch (kind) {
      case 'manifest':
        return normalizeManifestEntry(section, raw, key);
      case 'catalog':
        return {
          type: 'catalog_table',
          table: normalizeCatalogTable(raw, key, section === 'sources' ? 'source' : 'node'),
        };
      case 'run_results':
        return { type: 'run_result', result: normalizeRunResult(raw, index) };
      case 'sources':
        return { type: 'freshness_result', result: normalizeFreshnessResult(raw, index) };
      case 'semantic_manifest':
        return normalizeManifestEntry(section, raw, key);
    }
  }

  private parse(text: string, offset: number, path: string): unknown {
    try {
      return JSON.parse(text);
    } catch {
      const position = locateJsonError(text);
      const byteOffset = offset + new TextEncoder().encode(text.slice(0, position)).length;
      const found =
        position < text.length ? `unexpected ${JSON.stringify(text[position])}` : 'unexpected end';
      throw new ArtifactReadError(
        `${this.displayName} is not valid JSON: ${found} at byte offset ${byteOffset} (in ${path})`,
        { fileName: this.options.fileName, path, offset: byteOffset },
      );
    }
  }
}

function normalizeManifestEntry(section: string, raw: JsonObject, key: string | null): ArtifactRecord | null {
  switch (section) {
    case 'nodes': {
      const resourceType = stringOrNull(raw.resource_type) ?? key?.split('.')[0] ?? null;
      if (resourceType === 'test' || resourceType === 'data_test') {
        return { type: 'test', test: normalizeTest(raw, key) };
      }
      if (resourceType === 'unit_test') return { type: 'unit_test', unitTest: normalizeUnitTest(raw, key) };
      return { type: 'node', node: normalizeNode(raw, key) };
    }
    case 'sources':
      return { type: 'source', source: normalizeSource(raw, key) };
    case 'exposures':
      return { type: 'exposure', exposure: normalizeExposure(raw, key) };
    case 'metrics':
      return { type: 'metric', metric: normalizeMetric(raw, key) };
    case 'semantic_models':
      return { type: 'semantic_model', semanticModel: normalizeSemanticModel(raw, key) };
    case 'saved_queries':
      return { type: 'saved_query', savedQuery: normalizeSavedQuery(raw, key) };
    case 'unit_tests':
      return { type: 'unit_test', unitTest: normalizeUnitTest(raw, key) };
    case 'groups':
      return { type: 'group', group: normalizeGroup(raw, key) };
    case 'docs':
      return { type: 'doc', doc: normalizeDocBlock(raw, key) };
    default:
      return null;
  }
}
