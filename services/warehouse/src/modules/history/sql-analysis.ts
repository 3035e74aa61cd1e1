import {
  analyzeSql,
  fingerprintSql,
  parseQueryAttributions,
  type Attribution,
  type SqlContext,
  type SqlPlatform,
} from '@cartograph/sql-lineage';

export type { Attribution, SqlPlatform };

export interface ColumnFlow {
  target: { dataset: string; column: string };
  sources: { dataset: string; column: string }[];
}

/** One history text as the graph needs it: dataset ids, merged over the text's statements. */
export interface StatementAnalysis {
  type: string;
  sources: string[];
  targets: string[];
  columns: ColumnFlow[];
  error: { reason: string; message: string } | null;
}

/**
 * The one place the warehouse service reads SQL: `@cartograph/sql-lineage` over the whole text (temp tables
 * made and read within it are resolved there), flattened to dataset ids. The first statement that writes
 * decides the type; a text where some statements failed keeps what the others
 * gave and reports the first error.
 */
export function analyzeStatement(text: string, context: SqlContext): StatementAnalysis {
  const analysis = analyzeSql(text, context);
  const sources = new Set<string>();
  const targets = new Set<string>();
  const columns: ColumnFlow[] = [];
  let type: string | null = null;
  let error: StatementAnalysis['error'] = null;
  for (const statement of analysis.statements) {
    if (statement.error && !error)
      error = { reason: statement.error.reason, message: statement.error.message };
    for (const table of statement.sources) sources.add(table.datasetId);
    if (!statement.temporary) for (const table of statement.targets) targets.add(table.datasetId);
    if (statement.targets.length > 0 && !statement.temporary && !type) type = statement.type;
    for (const flow of statement.columns) {
      if (!flow.target.table) continue;
      columns.push({
        target: { dataset: flow.target.table.datasetId, column: flow.target.column },
        sources: flow.sources.map((source) => ({ dataset: source.table.datasetId, column: source.column })),
      });
    }
  }
  return {
    type: type ?? analysis.statements[0]?.type ?? 'unknown',
    sources: [...sources],
    targets: [...targets],
    columns,
    error,
  };
}

export function statementFingerprint(text: string, platform: SqlPlatform): string {
  return fingerprintSql(text, platform);
}

export function statementAttributions(text: string): readonly Attribution[] {
  return parseQueryAttributions(text);
}
