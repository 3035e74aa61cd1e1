import type { NamePart } from './ast.readers.js';
import type {
  ColumnLineage,
  ColumnReference,
  SqlAnalysis,
  SqlContext,
  StatementError,
  StatementLineage,
  StatementType,
  TableReference,
} from './lineage.types.js';
import { balanceOperatorChains, estimateNestingDepth } from './operator-chain.balancer.js';
import { parseQueryAttributions } from './query-attribution.parser.js';
import { fingerprintSql } from './query.fingerprint.js';
import { isTemporaryByName, SessionLineageResolver } from './session-lineage.resolver.js';
import {
  lexicalRules,
  platformDialect,
  SQL_PLATFORMS,
  type LexicalRules,
  type ParserDialect,
} from './sql-dialect.js';
import { isSqlParserReady, ParserCrashError, parseSqlAst, SqlSyntaxError } from './sql-parser.loader.js';
import { StatementLineageExtractor, type ExtractedStatement } from './statement-lineage.extractor.js';
import { readStatementStructure } from './statement-structure.reader.js';
import { collapseLiteralLists, rewriteForParser } from './statement.rewriter.js';
import { sessionDefaultsAfter } from './session-defaults.reader.js';
import { splitStatements, type SplitStatement } from './statement.splitter.js';
import { TableNameError, TableNameResolver } from './table-name.resolver.js';

export const DEFAULT_MAX_STATEMENT_LENGTH = 1_000_000;

/** Above this estimated depth, OR/AND chains are regrouped before parsing (see operator-chain.balancer.ts). */
const BALANCE_ABOVE_DEPTH = 400;
/** Above this estimated depth (after regrouping), the parser would likely crash; the statement is not parsed. */
const REFUSE_ABOVE_DEPTH = 650;
const globalTemporaryView = /^\s*CREATE\s+(?:OR\s+REPLACE\s+)?GLOBAL\s+TEMP(?:ORARY)?\s+VIEW\b/i;

/** Statements from this length on get their long literal lists collapsed before parsing. */
const COLLAPSE_FROM_LENGTH = 1_000;

/** No message quotes more SQL than this. */
const MAXIMUM_QUOTED_SQL = 160;

/**
 * Table- and column-level lineage of a SQL text (one statement or a script) as the platform reads it.
 *
 * The text is split into statements; each is parsed with sqlparser-rs in the platform's dialect and its AST walked
 * for what it reads and writes. Temp tables created and read within the text are resolved away (a statement reading
 * one gets the temp table's inputs). A statement that cannot be read gets an `error` and empty lineage; this function
 * does not throw for any SQL text. It throws only when called before `initSqlLineage()` resolved, or with a platform
 * it does not know.
 */
export function analyzeSql(sql: string, context: SqlContext): SqlAnalysis {
  if (!isSqlParserReady()) {
    throw new Error('analyzeSql() needs the SQL parser: await initSqlLineage() once before the first call');
  }
  if (!SQL_PLATFORMS.includes(context.platform)) {
    throw new Error(
      `analyzeSql() does not read platform ${JSON.stringify(context.platform)}; it reads ${SQL_PLATFORMS.join(', ')}`,
    );
  }
  const text = typeof sql === 'string' ? sql : '';
  let analyzer = analyzerFor(context);
  let resolver: SessionLineageResolver | null = null;
  const statements: StatementLineage[] = [];
  for (const split of splitStatements(text, analyzer.rules)) {
    for (const statement of analyzer.analyze(split)) {
      // Until a statement touches a temp table, there is nothing to resolve (most texts are one plain statement).
      if (
        resolver === null &&
        !statement.temporary &&
        !statement.sources.some(isTemporaryByName) &&
        !statement.targets.some(isTemporaryByName)
      ) {
        statements.push(statement);
        continue;
      }
      resolver ??= new SessionLineageResolver();
      const { writesOnlyTemporary: _writesOnlyTemporary, ...resolved } = resolver.resolve(statement);
      statements.push(resolved);
    }
    // `USE db` / `SET search_path` in a script changes how the statements after it resolve names.
    if (split.withoutLineage) {
      const defaults = sessionDefaultsAfter(split.text, analyzer.context);
      if (defaults !== null) analyzer = analyzerFor({ ...analyzer.context, ...defaults });
    }
  }
  return {
    statements,
    attributions: parseQueryAttributions(text),
    fingerprint: fingerprintSql(text, context.platform),
  };
}

/** Analysers by context: history rows repeat a handful of contexts, and building one resolves its defaults. */
const analyzers = new Map<string, StatementAnalyzer>();
const ANALYZER_CACHE_LIMIT = 256;

function analyzerFor(context: SqlContext): StatementAnalyzer {
  const key = [
    context.platform,
    context.instance ?? '',
    context.defaultDatabase ?? '',
    context.defaultSchema ?? '',
    String(context.caseSensitive ?? ''),
    String(context.maxLength ?? ''),
  ].join('\u0001');
  let analyzer = analyzers.get(key);
  if (analyzer === undefined) {
    if (analyzers.size >= ANALYZER_CACHE_LIMIT) analyzers.clear();
    analyzer = new StatementAnalyzer({
      platform: context.platform,
      instance: context.instance,
      defaultDatabase: context.defaultDatabase,
      defaultSchema: context.defaultSchema,
      caseSensitive: context.caseSensitive,
      maxLength: context.maxLength,
    });
    analyzers.set(key, analyzer);
  }
  return analyzer;
}

/** Analyses statements of one context; reusable across statements. */
class StatementAnalyzer {
  readonly rules: LexicalRules;
  private readonly dialect: ParserDialect;
  private readonly names: TableNameResolver;
  private readonly maximumLength: number;

  constructor(readonly context: SqlContext) {
    this.rules = lexicalRules(context.platform);
    this.dialect = platformDialect(context.platform);
    this.names = new TableNameResolver(context);
    this.maximumLength =
      typeof context.maxLength === 'number' && context.maxLength > 0
        ? context.maxLength
        : DEFAULT_MAX_STATEMENT_LENGTH;
  }

  analyze(split: SplitStatement, nested = 0): StatementLineage[] {
    if (split.text.length > this.maximumLength) {
      return [
        failed(split.type, {
          reason: 'too_large',
          message: `the statement has ${split.text.length.toLocaleString('en-US')} characters, more than the limit of ${this.maximumLength.toLocaleString('en-US')}; it was not parsed`,
        }),
      ];
    }
    if (split.withoutLineage) return [empty(split.type)];

    let text = split.text;
    let depth = split.nestingEstimate;
    if (depth > BALANCE_ABOVE_DEPTH) {
      text = balanceOperatorChains(text, this.rules);
      depth = estimateNestingDepth(text, this.rules);
    }
    if (depth > REFUSE_ABOVE_DEPTH) {
      return [
        failed(split.type, {
          reason: 'unsupported',
          message: `the statement nests expressions about ${depth} levels deep, more than the parser can read (about ${REFUSE_ABOVE_DEPTH})`,
        }),
      ];
    }

    // Long literal lists (bulk VALUES, IN lists) are cut before parsing; they carry no lineage.
    const collapsed =
      text.length >= COLLAPSE_FROM_LENGTH ? collapseLiteralLists(text, this.context.platform) : null;
    if (collapsed !== null) {
      const asts = this.tryParse(collapsed);
      if (asts !== null) return this.extractAll(asts, split, nested);
    }

    let asts: unknown[];
    try {
      asts = parseSqlAst(text, this.dialect);
    } catch (error) {
      if (error instanceof SqlSyntaxError) {
        const message = this.syntaxMessage(error, split);
        return (
          this.recover(text, split, nested, message) ?? [
            failed(split.type, { reason: 'parse_error', message }),
          ]
        );
      }
      if (error instanceof ParserCrashError) {
        return [failed(split.type, { reason: 'unsupported', message: error.message })];
      }
      throw error;
    }
    return this.extractAll(asts, split, nested);
  }

  private extractAll(asts: readonly unknown[], split: SplitStatement, nested: number): StatementLineage[] {
    const results: StatementLineage[] = [];
    for (const ast of asts) {
      let extracted: ExtractedStatement;
      try {
        extracted = new StatementLineageExtractor(this.context.platform).extract(ast);
      } catch (error) {
        if (!(error instanceof RangeError)) throw error;
        results.push(
          failed(split.type, {
            reason: 'unsupported',
            message: 'the statement is nested too deeply to walk',
          }),
        );
        continue;
      }
      results.push(this.resolve(this.placeGlobalTemporaryView(extracted, split), split, nested));
    }
    return results;
  }

  /**
   * A statement the parser rejected: first retried with dialect syntax the parser lacks rewritten away, then read
   * structurally (target from its fixed position, embedded query parsed on its own). Null when neither applies.
   */
  private recover(
    text: string,
    split: SplitStatement,
    nested: number,
    message: string,
  ): StatementLineage[] | null {
    const rewritten = rewriteForParser(text, this.context.platform);
    if (rewritten !== null) {
      const asts = this.tryParse(rewritten);
      if (asts !== null) return this.extractAll(asts, split, nested);
    }
    const structure = readStatementStructure(rewritten ?? text, this.context.platform);
    if (structure === null) return null;
    let query: unknown = null;
    let queryFailed = false;
    if (structure.query !== null) {
      const parsed =
        this.tryParse(structure.query) ??
        this.tryParse(rewriteForParser(structure.query, this.context.platform));
      if (parsed === null || parsed.length !== 1) queryFailed = true;
      else query = parsed[0];
    }
    const target =
      structure.globalTemporary && structure.target !== null && structure.target.length === 1
        ? [{ value: 'global_temp', quoted: false }, ...structure.target]
        : structure.target;
    const extracted = new StatementLineageExtractor(this.context.platform).extractWrite(
      structure.type,
      target,
      {
        temporary: structure.temporary,
        columnNames: structure.columnNames,
        query,
        source: structure.source,
        queryIsRead: structure.type === 'merge' || target === null,
      },
    );
    const lineage = this.resolve(extracted, split, nested);
    if (!queryFailed) return [lineage];
    return [
      {
        ...lineage,
        error: { reason: 'parse_error', message: `${message}; only the written table was read` },
      },
    ];
  }

  private tryParse(text: string | null): unknown[] | null {
    if (text === null) return null;
    try {
      return parseSqlAst(text, this.dialect);
    } catch (error) {
      if (error instanceof SqlSyntaxError || error instanceof ParserCrashError) return null;
      throw error;
    }
  }

  /** Databricks `CREATE GLOBAL TEMPORARY VIEW v` creates `global_temp.v`, which is how later statements read it. */
  private placeGlobalTemporaryView(extracted: ExtractedStatement, split: SplitStatement): ExtractedStatement {
    if (
      (this.context.platform !== 'databricks' && this.context.platform !== 'hive') ||
      extracted.type !== 'create_view' ||
      !globalTemporaryView.test(split.text)
    ) {
      return extracted;
    }
    return {
      ...extracted,
      temporary: true,
      targets: extracted.targets.map((parts) =>
        parts.length === 1 ? [{ value: 'global_temp', quoted: false }, ...parts] : parts,
      ),
    };
  }

  private resolve(extracted: ExtractedStatement, split: SplitStatement, nested: number): StatementLineage {
    const problems: string[] = [];
    const resolveTable = (parts: readonly NamePart[]): TableReference | null => {
      try {
        return this.names.resolve(parts);
      } catch (error) {
        if (!(error instanceof TableNameError)) throw error;
        if (problems.length < 3) problems.push(error.message);
        return null;
      }
    };
    const tables = (list: readonly (readonly NamePart[])[]): TableReference[] => {
      const byId = new Map<string, TableReference>();
      for (const parts of list) {
        const table = resolveTable(parts);
        if (table !== null && !byId.has(table.datasetId)) byId.set(table.datasetId, table);
      }
      return [...byId.values()];
    };
    const targets = tables(extracted.targets);
    const sources = tables(extracted.sources);
    // Redshift UNLOAD ('select …'): the quoted query is what the statement reads.
    if (nested < 2) {
      for (const embedded of extracted.embeddedQueries) {
        for (const inner of splitStatements(embedded, this.rules)) {
          for (const statement of this.analyze(inner, nested + 1)) {
            for (const source of statement.sources) {
              if (!sources.some((known) => known.datasetId === source.datasetId)) sources.push(source);
            }
          }
        }
      }
    }

    const columns: ColumnLineage[] = [];
    for (const raw of extracted.columns) {
      const table = raw.table === null ? null : resolveTable(raw.table);
      if (raw.table !== null && table === null) continue;
      const references = new Map<string, ColumnReference>();
      let known = true;
      for (const origin of raw.sources) {
        const sourceTable = resolveTable(origin.table);
        if (sourceTable === null) {
          known = false;
          break;
        }
        const column = this.names.column(origin.column);
        references.set(`${sourceTable.datasetId}\u0000${column}`, { table: sourceTable, column });
      }
      if (!known) continue;
      columns.push({
        target: { table, column: this.names.column(raw.column) },
        sources: [...references.values()],
      });
    }

    let error: StatementError | undefined;
    if (problems.length > 0) {
      error = { reason: 'invalid_name', message: truncate(problems.join('; '), 200) };
    } else if (extracted.unknownNames > 0) {
      error = {
        reason: 'invalid_name',
        message: `${extracted.unknownNames} table name(s) are computed when the statement runs (IDENTIFIER(…) of a variable) and cannot be read from the text`,
      };
    }
    const type: StatementType =
      extracted.type === 'other' && split.type !== 'unknown' ? split.type : extracted.type;
    return {
      type,
      sources,
      targets,
      columns,
      ...(extracted.temporary ? { temporary: true } : {}),
      ...(error ? { error } : {}),
    };
  }

  private syntaxMessage(error: SqlSyntaxError, split: SplitStatement): string {
    let where = '';
    if (error.line !== null && error.column !== null) {
      // Positions are reported in the script, not in the statement the parser saw.
      const line = split.line + error.line - 1;
      const column = error.line === 1 ? split.column + error.column - 1 : error.column;
      where = ` at line ${line}, column ${column}`;
    }
    return `cannot parse this ${this.context.platform} statement${where}: ${truncate(error.message, MAXIMUM_QUOTED_SQL)}`;
  }
}

function empty(type: StatementType): StatementLineage {
  return { type, sources: [], targets: [], columns: [] };
}

function failed(type: StatementType, error: StatementError): StatementLineage {
  return { type, sources: [], targets: [], columns: [], error };
}

function truncate(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}
