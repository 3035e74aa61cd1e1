import type {
  ColumnLineage,
  ColumnReference,
  SqlAnalysis,
  StatementLineage,
  TableReference,
} from './lineage.types.js';

/** A statement after the session's temp tables were resolved away from its sources. */
export interface ResolvedStatementLineage extends StatementLineage {
  /**
   * Every target of the statement is a temp table. Its lineage is not lost: statements that read the temp table
   * later in the session get the temp table's inputs as their sources.
   */
  readonly writesOnlyTemporary: boolean;
}

export interface SessionLineageOptions {
  /**
   * Whether a table is temporary even though no statement of the session created it as such (e.g. the catalog has
   * never seen it). Default: `isTemporaryByName`.
   */
  readonly isTemporary?: (table: TableReference) => boolean;
}

interface TemporaryTable {
  readonly table: TableReference;
  sources: TableReference[];
  /** Column → the non-temporary columns it is computed from; a column missing here has unknown lineage. */
  columns: Map<string, ColumnReference[]>;
  /** Whether any statement has put rows (and so column lineage) into it yet. */
  written: boolean;
}

const creatingTypes: ReadonlySet<string> = new Set(['create_table', 'create_table_as_select', 'create_view']);
const rowWritingTypes: ReadonlySet<string> = new Set([
  'insert',
  'create_table_as_select',
  'create_view',
  'copy',
]);

/**
 * Tables that are temporary by their name alone: `#name` (Redshift, SQL Server session temp tables), BigQuery's
 * `_SESSION` dataset and Databricks' `global_temp` schema.
 */
export function isTemporaryByName(table: TableReference): boolean {
  if (table.name.startsWith('#')) return true;
  if (table.datasetId.startsWith('bigquery:') && table.schema === '_SESSION') return true;
  return (
    (table.datasetId.startsWith('databricks:') || table.datasetId.startsWith('hive:')) &&
    table.schema.toLowerCase() === 'global_temp'
  );
}

/**
 * Resolves temp tables within one session (or one script), as DataHub's aggregator does: feed it the session's
 * statements in execution order; a statement that reads a temp table created (or filled) earlier gets that temp
 * table's own inputs instead, transitively, and its column lineage is traced through the temp table's columns.
 * Reads of a temp table the session never wrote are dropped, since nothing is known about what it holds.
 */
export class SessionLineageResolver {
  private readonly temporaryTables = new Map<string, TemporaryTable>();
  private readonly isTemporary: (table: TableReference) => boolean;

  constructor(options: SessionLineageOptions = {}) {
    this.isTemporary = options.isTemporary ?? isTemporaryByName;
  }

  /** Resolves every statement of an analysis, in order. */
  resolveAnalysis(analysis: SqlAnalysis): ResolvedStatementLineage[] {
    return analysis.statements.map((statement) => this.resolve(statement));
  }

  /** Resolves the next statement of the session. */
  resolve(statement: StatementLineage): ResolvedStatementLineage {
    const sources = new Map<string, TableReference>();
    for (const source of statement.sources) {
      const temporary = this.temporaryTables.get(source.datasetId);
      if (temporary !== undefined) {
        for (const input of temporary.sources) sources.set(input.datasetId, input);
      } else if (!this.isTemporary(source)) {
        sources.set(source.datasetId, source);
      }
    }
    const columns: ColumnLineage[] = [];
    for (const lineage of statement.columns) {
      const resolved = this.resolveColumnSources(lineage.sources);
      if (resolved !== null)
        columns.push(resolved === lineage.sources ? lineage : { ...lineage, sources: resolved });
    }
    const resolvedSources = [...sources.values()];
    // A CREATE says itself whether it makes a temp table; other writes go to a temp table when one of that name
    // was created earlier in the session.
    const creates = creatingTypes.has(statement.type);
    const temporaryTargets = statement.targets.map(
      (target) =>
        statement.temporary === true ||
        this.isTemporary(target) ||
        (!creates && this.temporaryTables.has(target.datasetId)),
    );
    const writesOnlyTemporary = statement.targets.length > 0 && temporaryTargets.every(Boolean);
    statement.targets.forEach((target, index) => {
      if (temporaryTargets[index]) {
        this.recordTemporaryWrite(statement, target, resolvedSources, columns);
      } else if (creatingTypes.has(statement.type)) {
        // A real table created under a name a temp table had: later reads are of the real table.
        this.temporaryTables.delete(target.datasetId);
      }
    });
    return {
      ...statement,
      sources: resolvedSources,
      columns,
      ...(writesOnlyTemporary ? { temporary: true } : {}),
      writesOnlyTemporary,
    };
  }

  /** The temp tables written so far, each with the non-temporary tables it was filled from. */
  temporaryInputs(): ReadonlyMap<string, readonly TableReference[]> {
    return new Map([...this.temporaryTables].map(([id, table]) => [id, table.sources]));
  }

  private resolveColumnSources(sources: readonly ColumnReference[]): readonly ColumnReference[] | null {
    if (
      !sources.some(
        (source) => this.temporaryTables.has(source.table.datasetId) || this.isTemporary(source.table),
      )
    ) {
      return sources;
    }
    const resolved = new Map<string, ColumnReference>();
    for (const source of sources) {
      const temporary = this.temporaryTables.get(source.table.datasetId);
      if (temporary !== undefined) {
        const inputs = temporary.columns.get(source.column);
        if (inputs === undefined) return null;
        for (const input of inputs) resolved.set(columnKey(input), input);
      } else if (this.isTemporary(source.table)) {
        return null;
      } else {
        resolved.set(columnKey(source), source);
      }
    }
    return [...resolved.values()];
  }

  private recordTemporaryWrite(
    statement: StatementLineage,
    target: TableReference,
    sources: readonly TableReference[],
    columns: readonly ColumnLineage[],
  ): void {
    const written = new Map<string, ColumnReference[]>();
    for (const lineage of columns) {
      if (lineage.target.table?.datasetId === target.datasetId) {
        written.set(lineage.target.column, [...lineage.sources]);
      }
    }
    // Only these put whole rows whose columns the statement's column lineage describes; an UPDATE or MERGE changes
    // some columns of some rows and leaves the recorded column lineage as it was.
    const writesRows = rowWritingTypes.has(statement.type);
    const existing = this.temporaryTables.get(target.datasetId);
    if (existing === undefined || creatingTypes.has(statement.type)) {
      this.temporaryTables.set(target.datasetId, {
        table: target,
        sources: sources.filter((source) => source.datasetId !== target.datasetId),
        columns: written,
        written: writesRows,
      });
      return;
    }
    const merged = new Map(existing.sources.map((source) => [source.datasetId, source]));
    for (const source of sources)
      if (source.datasetId !== target.datasetId) merged.set(source.datasetId, source);
    existing.sources = [...merged.values()];
    if (!writesRows) return;
    if (!existing.written) {
      existing.columns = written;
      existing.written = true;
      return;
    }
    // A second fill: a column's lineage is known only if both fills know it.
    const combined = new Map<string, ColumnReference[]>();
    for (const [column, inputs] of existing.columns) {
      const more = written.get(column);
      if (more === undefined) continue;
      const union = new Map(inputs.map((input) => [columnKey(input), input]));
      for (const input of more) union.set(columnKey(input), input);
      combined.set(column, [...union.values()]);
    }
    existing.columns = combined;
  }
}

function columnKey(reference: ColumnReference): string {
  return `${reference.table.datasetId}\u0000${reference.column}`;
}
