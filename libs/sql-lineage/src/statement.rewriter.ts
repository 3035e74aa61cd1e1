import type { SqlPlatform } from './lineage.types.js';
import { lexicalRules } from './sql-dialect.js';
import { tokenize, TokenKind, type Token } from './sql-token.scanner.js';

/*
 * Dialect syntax that sqlparser-rs 0.62 rejects but that does not change which tables and columns a statement
 * reads or writes. When a statement fails to parse, it is retried once with these constructs rewritten into
 * equivalents the parser accepts (or removed where they only tune execution). Each rewrite is token-based, so it
 * never touches text inside strings, quoted names or comments.
 */

interface Edit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

const joinWords: ReadonlySet<string> = new Set([
  'IN',
  'NOT',
  'JOIN',
  'ANY',
  'ALL',
  'LEFT',
  'RIGHT',
  'INNER',
  'FULL',
  'CROSS',
  'SEMI',
  'ANTI',
  'ASOF',
  'OUTER',
  'ARRAY',
]);

/** The statement rewritten for the parser, or `null` when no rewrite applies. */
export function rewriteForParser(text: string, platform: SqlPlatform): string | null {
  const tokens = tokenize(text, lexicalRules(platform));
  if (tokens.length === 0) return null;
  const edits: Edit[] = [];
  const remove = (token: Token): void => {
    edits.push({ start: token.start, end: token.end, text: '' });
  };
  const word = (index: number): string => {
    const token = tokens[index];
    return token !== undefined && token.kind === TokenKind.Word ? token.text : '';
  };

  // `TABLE t` (Postgres, DuckDB, MySQL 8) is `SELECT * FROM t`.
  if (word(0) === 'TABLE')
    edits.push({ start: tokens[0]!.start, end: tokens[0]!.end, text: 'SELECT * FROM' });

  for (let index = 0; index < tokens.length; index += 1) {
    const token = tokens[index]!;
    const current = word(index);
    const previous = tokens[index - 1];
    switch (platform) {
      case 'postgres':
      case 'redshift':
      case 'duckdb':
        // FROM ONLY parent: inheritance control.
        if (current === 'ONLY' && ['FROM', 'JOIN', 'UPDATE', 'TABLE'].includes(word(index - 1)))
          remove(token);
        // … AS SELECT … WITH [NO] DATA
        if (
          current === 'WITH' &&
          (word(index + 1) === 'DATA' || (word(index + 1) === 'NO' && word(index + 2) === 'DATA'))
        ) {
          const last = word(index + 1) === 'DATA' ? index + 1 : index + 2;
          if (last === tokens.length - 1)
            edits.push({ start: token.start, end: tokens[last]!.end, text: '' });
        }
        if (
          current === 'APPROXIMATE' &&
          (word(index + 1) === 'COUNT' || word(index + 1).startsWith('PERCENTILE'))
        ) {
          remove(token);
        }
        break;
      case 'clickhouse':
        if (current === 'GLOBAL' && joinWords.has(word(index + 1))) remove(token);
        if (current === 'ASOF' && joinWords.has(word(index + 1))) remove(token);
        // `FROM t FINAL` / `FROM t AS x FINAL`: read-time merge of a ReplacingMergeTree.
        if (
          current === 'FINAL' &&
          previous !== undefined &&
          (previous.kind === TokenKind.Word || previous.kind === TokenKind.QuotedIdentifier) &&
          tokens[index + 1]?.kind !== TokenKind.OpenParen
        ) {
          remove(token);
        }
        // Tuple element access `item.1` reads `item`.
        if (
          token.kind === TokenKind.Number &&
          token.text.startsWith('.') &&
          !token.spaceBefore &&
          previous !== undefined &&
          (previous.kind === TokenKind.Word ||
            previous.kind === TokenKind.QuotedIdentifier ||
            previous.kind === TokenKind.CloseParen)
        ) {
          remove(token);
        }
        break;
      case 'mysql':
      case 'mariadb':
        if (current === 'WITH' && word(index + 1) === 'ROLLUP') {
          edits.push({ start: token.start, end: tokens[index + 1]!.end, text: '' });
        }
        break;
      case 'databricks':
      case 'hive':
        if (current === 'BY' && word(index + 1) === 'NAME' && word(0) === 'INSERT') {
          edits.push({ start: token.start, end: tokens[index + 1]!.end, text: '' });
        }
        break;
      default:
        break;
    }
  }
  if (platform === 'mysql' || platform === 'mariadb') edits.push(...multiTableUpdateJoins(tokens));
  if (platform === 'databricks' || platform === 'hive') edits.push(...replaceWhereClause(tokens));
  if (platform === 'clickhouse') edits.push(...scalarWithAliases(text, tokens));
  return applyEdits(text, edits);
}

function applyEdits(text: string, edits: readonly Edit[]): string | null {
  if (edits.length === 0) return null;
  const sorted = [...edits].sort((left, right) => left.start - right.start);
  let result = '';
  let copied = 0;
  for (const edit of sorted) {
    if (edit.start < copied) continue;
    result += `${text.slice(copied, edit.start)}${edit.text === '' ? ' ' : edit.text}`;
    copied = edit.end;
  }
  return result + text.slice(copied);
}

/** MySQL `UPDATE a x, b y SET …` → `UPDATE a x CROSS JOIN b y SET …` (the parser reads joins, not commas, there). */
function multiTableUpdateJoins(tokens: readonly Token[]): Edit[] {
  if (tokens[0]?.text !== 'UPDATE') return [];
  const edits: Edit[] = [];
  let depth = 0;
  for (const token of tokens.slice(1)) {
    if (token.kind === TokenKind.OpenParen) depth += 1;
    else if (token.kind === TokenKind.CloseParen) depth -= 1;
    else if (depth === 0 && token.kind === TokenKind.Word && token.text === 'SET') break;
    else if (depth === 0 && token.kind === TokenKind.Comma)
      edits.push({ start: token.start, end: token.end, text: ' CROSS JOIN ' });
  }
  return edits;
}

/** Databricks `INSERT INTO t REPLACE WHERE <predicate> SELECT …`: the predicate only picks the rows replaced. */
function replaceWhereClause(tokens: readonly Token[]): Edit[] {
  if (tokens[0]?.text !== 'INSERT') return [];
  const replace = tokens.findIndex(
    (token, index) => token.text === 'REPLACE' && tokens[index + 1]?.text === 'WHERE' && index > 1,
  );
  if (replace < 0) return [];
  let depth = 0;
  for (let index = replace + 2; index < tokens.length; index += 1) {
    const token = tokens[index]!;
    if (token.kind === TokenKind.OpenParen) depth += 1;
    else if (token.kind === TokenKind.CloseParen) depth -= 1;
    else if (
      depth === 0 &&
      token.kind === TokenKind.Word &&
      (token.text === 'SELECT' || token.text === 'WITH' || token.text === 'TABLE')
    ) {
      return [{ start: tokens[replace]!.start, end: tokens[index - 1]!.end, text: '' }];
    }
  }
  return [];
}

/**
 * ClickHouse `WITH <expression> AS name, … SELECT …` binds names to expressions, not queries. The names are
 * replaced by their parenthesised expressions and the WITH list is dropped (CTEs of the `name AS (SELECT …)` form
 * are left alone, and nothing is rewritten when the two forms are mixed).
 */
function scalarWithAliases(text: string, tokens: readonly Token[]): Edit[] {
  if (tokens[0]?.text !== 'WITH') return [];
  const aliases = new Map<string, string>();
  let index = 1;
  let expressionStart = index;
  let depth = 0;
  for (; index < tokens.length; index += 1) {
    const token = tokens[index]!;
    if (token.kind === TokenKind.OpenParen) depth += 1;
    else if (token.kind === TokenKind.CloseParen) depth -= 1;
    if (depth !== 0) continue;
    if (token.text === 'AS' && token.kind === TokenKind.Word) {
      const name = tokens[index + 1];
      if (name === undefined || (name.kind !== TokenKind.Word && name.kind !== TokenKind.QuotedIdentifier))
        return [];
      // `name AS (SELECT …)` is a CTE: leave the statement as it is.
      if (index === expressionStart + 1 && tokens[index + 1]?.kind === TokenKind.OpenParen) return [];
      if (index === expressionStart) return [];
      const expression = text.slice(tokens[expressionStart]!.start, tokens[index - 1]!.end);
      aliases.set(text.slice(name.start, name.end), `(${expression})`);
      index += 1;
      const after = tokens[index + 1];
      if (after?.kind === TokenKind.Comma) {
        index += 1;
        expressionStart = index + 1;
        continue;
      }
      if (after?.kind === TokenKind.Word && after.text === 'SELECT') {
        const edits: Edit[] = [{ start: tokens[0]!.start, end: tokens[index]!.end, text: '' }];
        for (let rest = index + 1; rest < tokens.length; rest += 1) {
          const candidate = tokens[rest]!;
          const replacement = aliases.get(text.slice(candidate.start, candidate.end));
          const before = tokens[rest - 1];
          if (
            replacement !== undefined &&
            before?.kind !== TokenKind.Dot &&
            !(before?.kind === TokenKind.Word && before.text === 'AS')
          ) {
            edits.push({ start: candidate.start, end: candidate.end, text: replacement });
          }
        }
        return edits;
      }
      return [];
    }
  }
  return [];
}

/** Literal lists at least this long are collapsed before parsing. */
export const COLLAPSIBLE_LITERAL_LIST = 16;

/**
 * `IN (1, 2, …, 5000)` and `VALUES (…), (…), …` rows of literals carry no lineage, but every literal costs the
 * parser an AST node. Long lists are cut to their first element before parsing; the lineage is the same and a bulk
 * INSERT of thousands of rows parses like one of a single row. Null when there is nothing to collapse.
 */
export function collapseLiteralLists(text: string, platform: SqlPlatform): string | null {
  const tokens = tokenize(text, lexicalRules(platform));
  const edits: Edit[] = [];
  interface Group {
    readonly open: number;
    literalOnly: boolean;
    literals: number;
    /** Index of the first comma directly inside the group. */
    firstComma: number;
  }
  const groups: Group[] = [];
  /** Per depth, the literal-only groups in a comma-separated run (VALUES rows). */
  const runs: ({ first: number; last: number; count: number } | undefined)[] = [];
  const finishRun = (run: { first: number; last: number; count: number }): void => {
    // Keep the first row: drop from the comma after it to the end of the last row.
    if (run.count >= COLLAPSIBLE_LITERAL_LIST) {
      edits.push({ start: tokens[run.first + 1]!.start, end: tokens[run.last]!.end, text: '' });
    }
  };
  const markParent = (literal: boolean): void => {
    const parent = groups[groups.length - 1];
    if (parent === undefined) return;
    if (literal) parent.literals += 1;
    else parent.literalOnly = false;
  };
  for (let index = 0; index < tokens.length; index += 1) {
    const token = tokens[index]!;
    switch (token.kind) {
      case TokenKind.OpenParen:
        groups.push({ open: index, literalOnly: true, literals: 0, firstComma: -1 });
        break;
      case TokenKind.CloseParen: {
        const group = groups.pop();
        if (group === undefined) break;
        const literal = group.literalOnly && group.literals > 0;
        if (literal && group.literals >= COLLAPSIBLE_LITERAL_LIST && group.firstComma > 0) {
          edits.push({ start: tokens[group.firstComma]!.start, end: tokens[index - 1]!.end, text: '' });
        }
        const depth = groups.length;
        const run = runs[depth];
        if (
          literal &&
          run !== undefined &&
          run.last === group.open - 2 &&
          tokens[group.open - 1]?.kind === TokenKind.Comma
        ) {
          run.last = index;
          run.count += 1;
        } else {
          if (run !== undefined) finishRun(run);
          runs[depth] = literal ? { first: index, last: index, count: 1 } : undefined;
        }
        markParent(literal);
        break;
      }
      case TokenKind.Comma: {
        const group = groups[groups.length - 1];
        if (group !== undefined && group.firstComma < 0) group.firstComma = index;
        break;
      }
      case TokenKind.String:
      case TokenKind.Number:
      case TokenKind.Placeholder:
        markParent(true);
        break;
      case TokenKind.Word:
        markParent(token.text === 'NULL' || token.text === 'TRUE' || token.text === 'FALSE');
        break;
      case TokenKind.Operator:
        if (token.text !== '-' && token.text !== '+') markParent(false);
        break;
      default:
        markParent(false);
    }
  }
  for (const run of runs) if (run !== undefined) finishRun(run);
  return applyEdits(text, edits);
}
