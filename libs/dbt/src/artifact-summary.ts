import { ArtifactReadError } from './artifact-read.error.js';
import { readArtifact } from './artifact.reader.js';
import type { ArtifactHeader, ArtifactKind, ArtifactRecord } from './artifact.types.js';
import { datasetForResource } from './dataset.mapping.js';
import type { DbtNode, DbtSource } from './manifest.types.js';

/** What `cartograph dbt inspect` prints: a JSON-serialisable overview of a set of artifacts. */
export interface ArtifactSummary {
  readonly files: ArtifactFileSummary[];
  /** Resources per type across the manifests: model, seed, snapshot, test, unit_test, source, exposure, … */
  readonly resources: Record<string, number>;
  readonly tests: { generic: number; singular: number; unit: number };
  /** Documented columns of nodes and sources. */
  readonly columns: number;
  readonly disabledNodes: number;
  /** Every model, seed, snapshot and source, with the dataset it is materialised as (null: none, e.g. ephemeral). */
  readonly datasets: SummarizedResource[];
  readonly catalog: { tables: number; columns: number };
  readonly runResults: RunResultsFileSummary[];
  /** Freshness results per (lower-cased) status, across sources.json files. */
  readonly freshness: Record<string, number>;
}

export interface ArtifactFileSummary {
  readonly fileName: string;
  readonly kind: ArtifactKind | null;
  readonly schemaVersion: number | null;
  readonly dbtVersion: string | null;
  readonly generatedAt: string | null;
  readonly invocationId: string | null;
  readonly adapterType: string | null;
  readonly projectName: string | null;
  readonly records: number;
  readonly warnings: string[];
  /** Why the file could not be read, when it could not. */
  readonly error: string | null;
}

export interface SummarizedResource {
  readonly uniqueId: string;
  readonly resourceType: string;
  readonly name: string;
  readonly datasetId: string | null;
  /** A node of another project (dbt Mesh). */
  readonly isExternal: boolean;
}

export interface RunResultsFileSummary {
  readonly fileName: string;
  /** `args.which`: build, run, test, generate (docs generate), … */
  readonly which: string | null;
  readonly elapsedTime: number | null;
  readonly invocationCommand: string | null;
  readonly statuses: Record<string, number>;
}

export interface ArtifactSummaryOptions {
  /** The warehouse connection's instance, for dataset ids. */
  readonly instance?: string | null;
  /** Used when a manifest does not name its adapter type. */
  readonly adapterType?: string | null;
}

interface MutableFileSummary {
  fileName: string;
  header: ArtifactHeader | null;
  records: number;
  warnings: string[];
  error: string | null;
  statuses: Record<string, number>;
  run: { which: string | null; elapsedTime: number | null; invocationCommand: string | null } | null;
}

function increment(counts: Record<string, number>, key: string, by = 1): void {
  counts[key] = (counts[key] ?? 0) + by;
}

/**
 * Builds an `ArtifactSummary` from records as they are read, keeping only counts and one small entry per
 * table-like resource, so it works on manifests of any size.
 */
export class ArtifactSummaryBuilder {
  private readonly files = new Map<string, MutableFileSummary>();
  private readonly resources: Record<string, number> = {};
  private readonly tests = { generic: 0, singular: 0, unit: 0 };
  private columns = 0;
  private disabledNodes = 0;
  private readonly datasets: SummarizedResource[] = [];
  private readonly catalog = { tables: 0, columns: 0 };
  private readonly freshness: Record<string, number> = {};

  constructor(private readonly options: ArtifactSummaryOptions = {}) {}

  add(fileName: string, record: ArtifactRecord): void {
    const file = this.fileFor(fileName);
    file.records += 1;
    switch (record.type) {
      case 'header':
        file.header = record.header;
        return;
      case 'warning':
        file.warnings.push(record.warning);
        return;
      case 'node':
        increment(this.resources, record.node.resourceType);
        this.columns += record.node.columns.length;
        if (['model', 'seed', 'snapshot'].includes(record.node.resourceType))
          this.addDataset(file, record.node);
        return;
      case 'source':
        increment(this.resources, 'source');
        this.columns += record.source.columns.length;
        this.addDataset(file, record.source);
        return;
      case 'test':
        increment(this.resources, 'test');
        this.tests[record.test.testKind] += 1;
        return;
      case 'unit_test':
        increment(this.resources, 'unit_test');
        this.tests.unit += 1;
        return;
      case 'exposure':
      case 'metric':
      case 'semantic_model':
      case 'saved_query':
      case 'group':
      case 'doc':
        increment(this.resources, record.type);
        return;
      case 'manifest_summary':
        this.disabledNodes += record.summary.disabledNodes;
        return;
      case 'catalog_table':
        this.catalog.tables += 1;
        this.catalog.columns += record.table.columns.length;
        return;
      case 'run_result':
        increment(file.statuses, record.result.status);
        return;
      case 'run_summary':
        file.run = {
          which: record.summary.which,
          elapsedTime: record.summary.elapsedTime,
          invocationCommand: record.summary.invocationCommand,
        };
        return;
      case 'freshness_result':
        increment(file.statuses, record.result.status);
        increment(this.freshness, record.result.status);
        return;
    }
  }

  /** Records that a file could not be read (the records before the error stay counted). */
  addError(fileName: string, error: unknown): void {
    this.fileFor(fileName).error = error instanceof Error ? error.message : String(error);
  }

  result(): ArtifactSummary {
    const files = [...this.files.values()];
    return {
      files: files.map((file) => ({
        fileName: file.fileName,
        kind: file.header?.kind ?? null,
        schemaVersion: file.header?.schemaVersion ?? null,
        dbtVersion: file.header?.dbtVersion ?? null,
        generatedAt: file.header?.generatedAt ?? null,
        invocationId: file.header?.invocationId ?? null,
        adapterType: file.header?.adapterType ?? null,
        projectName: file.header?.projectName ?? null,
        records: file.records,
        warnings: [...file.warnings],
        error: file.error,
      })),
      resources: { ...this.resources },
      tests: { ...this.tests },
      columns: this.columns,
      disabledNodes: this.disabledNodes,
      datasets: [...this.datasets],
      catalog: { ...this.catalog },
      runResults: files
        .filter((file) => file.header?.kind === 'run_results')
        .map((file) => ({
          fileName: file.fileName,
          which: file.run?.which ?? null,
          elapsedTime: file.run?.elapsedTime ?? null,
          invocationCommand: file.run?.invocationCommand ?? null,
          statuses: { ...file.statuses },
        })),
      freshness: { ...this.freshness },
    };
  }

  private fileFor(fileName: string): MutableFileSummary {
    let file = this.files.get(fileName);
    if (!file) {
      file = { fileName, header: null, records: 0, warnings: [], error: null, statuses: {}, run: null };
      this.files.set(fileName, file);
    }
    return file;
  }

  private addDataset(file: MutableFileSummary, resource: DbtNode | DbtSource): void {
    const adapterType = file.header?.adapterType ?? this.options.adapterType ?? null;
    let datasetId: string | null = null;
    if (adapterType) {
      try {
        datasetId =
          datasetForResource(resource, {
            adapterType,
            instance: this.options.instance,
            quoting: file.header?.quoting ?? null,
          })?.id ?? null;
      } catch (error) {
        file.warnings.push(
          `no dataset id for ${resource.uniqueId}: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    } else if (!file.warnings.some((warning) => warning.startsWith('no adapter type'))) {
      file.warnings.push('no adapter type in the manifest metadata: dataset ids are left out');
    }
    const isNode = 'resourceType' in resource;
    this.datasets.push({
      uniqueId: resource.uniqueId,
      resourceType: isNode ? resource.resourceType : 'source',
      name: isNode ? resource.name : `${resource.sourceName}.${resource.name}`,
      datasetId,
      isExternal: isNode ? resource.isExternal : false,
    });
  }
}

/** Reads every file and summarises them; a file that cannot be read is reported in its `error`, not thrown. */
export async function summarizeArtifacts(
  files: Iterable<{ fileName: string; bytes: AsyncIterable<Uint8Array> | Iterable<Uint8Array> }>,
  options: ArtifactSummaryOptions = {},
): Promise<ArtifactSummary> {
  const builder = new ArtifactSummaryBuilder(options);
  for (const file of files) {
    try {
      for await (const record of readArtifact(file.bytes, { fileName: file.fileName })) {
        builder.add(file.fileName, record);
      }
    } catch (error) {
      if (!(error instanceof ArtifactReadError)) throw error;
      builder.addError(file.fileName, error);
    }
  }
  return builder.result();
}
