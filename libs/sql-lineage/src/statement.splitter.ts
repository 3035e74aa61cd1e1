import type { StatementType } from './lineage.types.js';
import type { LexicalRules } from './sql-dialect.js';
import { NestingEstimator } from './operator-chain.balancer.js';
import { isKeyword, SqlTokenScanner, TokenKind } from './sql-token.scanner.js';

/** One statement of a script, as the text between two top-level semicolons. */
export interface SplitStatement {
  readonly text: string;
  /** Offset of `text` in the script. */
  readonly start: number;
  /** 1-based line and column of `text`'s first character in the script, to report parser positions there. */
  readonly line: number;
  readonly column: number;
  /** The type read from the leading keywords, before (or instead of) parsing. */
  readonly type: StatementType;
  /** Statement kinds that never carry lineage (SHOW, USE, SET, GRANT, transaction control, DROP, ALTER…). */
  readonly withoutLineage: boolean;
  /** `estimateNestingDepth` of the text, computed during the split to save a second scan. */
  readonly nestingEstimate: number;
}

/** Words that begin a transaction-control `BEGIN` rather than a procedural block. */
const transactionWords: ReadonlySet<string> = new Set([
  'TRANSACTION',
  'TRAN',
  'WORK',
  'ISOLATION',
  'READ',
  'DEFERRED',
  'IMMEDIATE',
  'EXCLUSIVE',
  'NAME',
]);

/** `END IF`, `END LOOP`… close constructs whose opening keyword is not counted. */
const endQualifiers: ReadonlySet<string> = new Set([
  'IF',
  'LOOP',
  'WHILE',
  'FOR',
  'REPEAT',
  'FUNCTION',
  'PROCEDURE',
]);

/**
 * Splits a script at top-level semicolons: not inside quotes, comments, dollar-quoted bodies, parentheses, or a
 * `BEGIN … END` / `CASE … END` block (so procedural blocks and CASE expressions stay whole). Statements with no
 * tokens (only comments or whitespace) are dropped.
 */
export function splitStatements(script: string, rules: LexicalRules): SplitStatement[] {
  const scanner = new SqlTokenScanner(script, rules);
  const statements: SplitStatement[] = [];
  let statementStart = -1;
  let statementEnd = -1;
  let parenDepth = 0;
  let blockDepth = 0;
  let position = 0;
  let line = 1;
  let lineStart = 0;
  const nesting = new NestingEstimator();

  const flush = (): void => {
    if (statementStart < 0) return;
    // Line counting is incremental: the scanner only moves forward.
    for (; position < statementStart; position += 1) {
      if (script.charCodeAt(position) === 10) {
        line += 1;
        lineStart = position + 1;
      }
    }
    const text = script.slice(statementStart, statementEnd);
    const { type, withoutLineage } = classifyStatement(text, rules);
    statements.push({
      text,
      start: statementStart,
      line,
      column: statementStart - lineStart + 1,
      type,
      withoutLineage,
      nestingEstimate: nesting.maximum,
    });
    statementStart = -1;
    nesting.reset();
  };

  for (;;) {
    const kind = scanner.next();
    if (kind === TokenKind.End) break;
    if (kind === TokenKind.Semicolon && parenDepth === 0 && blockDepth === 0) {
      flush();
      continue;
    }
    if (statementStart < 0) statementStart = scanner.start;
    statementEnd = scanner.end;
    nesting.add(scanner);
    if (kind === TokenKind.OpenParen) {
      parenDepth += 1;
    } else if (kind === TokenKind.CloseParen) {
      if (parenDepth > 0) parenDepth -= 1;
    } else if (kind === TokenKind.Word && parenDepth === 0) {
      blockDepth = nextBlockDepth(scanner, blockDepth);
    }
  }
  flush();
  return statements;
}

function nextBlockDepth(scanner: SqlTokenScanner, depth: number): number {
  const length = scanner.end - scanner.start;
  if (length === 4 && isKeyword(scanner, 'CASE')) return depth + 1;
  if (length === 5 && isKeyword(scanner, 'BEGIN')) {
    const following = peekWord(scanner);
    if (following === null || transactionWords.has(following)) return depth;
    return depth + 1;
  }
  if (length === 3 && isKeyword(scanner, 'END') && depth > 0) {
    const following = peekWord(scanner);
    if (following !== null && endQualifiers.has(following)) return depth;
    return depth - 1;
  }
  return depth;
}

/** The next token as an upper-case word, `''` for another kind of token, `null` at a semicolon or the end. */
function peekWord(scanner: SqlTokenScanner): string | null {
  const resume = scanner.save();
  const kind = scanner.next();
  const word = kind === TokenKind.Word ? scanner.upperValue : '';
  scanner.restore(resume);
  return kind === TokenKind.End || kind === TokenKind.Semicolon ? null : word;
}

/** Leading words that decide a statement's type on their own; `null` means: look at the words after it. */
const typeByFirstWord: ReadonlyMap<string, { type: StatementType; withoutLineage: boolean } | null> = new Map<
  string,
  { type: StatementType; withoutLineage: boolean } | null
>([
  ['SELECT', { type: 'select', withoutLineage: false }],
  ['WITH', { type: 'select', withoutLineage: false }],
  ['VALUES', { type: 'select', withoutLineage: false }],
  ['TABLE', { type: 'select', withoutLineage: false }],
  ['FROM', { type: 'select', withoutLineage: false }],
  ['INSERT', { type: 'insert', withoutLineage: false }],
  ['REPLACE', { type: 'insert', withoutLineage: false }],
  ['UPSERT', { type: 'insert', withoutLineage: false }],
  ['UPDATE', { type: 'update', withoutLineage: false }],
  ['DELETE', { type: 'delete', withoutLineage: false }],
  ['MERGE', { type: 'merge', withoutLineage: false }],
  ['COPY', { type: 'copy', withoutLineage: false }],
  ['UNLOAD', { type: 'unload', withoutLineage: false }],
  ['EXPORT', { type: 'unload', withoutLineage: false }],
  ['LOAD', { type: 'copy', withoutLineage: false }],
  ['CREATE', null],
  ['DROP', { type: 'drop', withoutLineage: true }],
  ['ALTER', { type: 'alter', withoutLineage: true }],
  ['RENAME', { type: 'alter', withoutLineage: true }],
  ['TRUNCATE', { type: 'truncate', withoutLineage: true }],
  ['BEGIN', null],
  ...[
    'SHOW',
    'DESCRIBE',
    'DESC',
    'USE',
    'SET',
    'UNSET',
    'RESET',
    'GRANT',
    'REVOKE',
    'START',
    'COMMIT',
    'ROLLBACK',
    'ABORT',
    'SAVEPOINT',
    'RELEASE',
    'EXPLAIN',
    'ANALYZE',
    'ANALYSE',
    'VACUUM',
    'LIST',
    'LS',
    'PUT',
    'GET',
    'REMOVE',
    'RM',
    'KILL',
    'LOCK',
    'UNLOCK',
    'COMMENT',
    'DEALLOCATE',
    'DISCARD',
    'LISTEN',
    'NOTIFY',
    'UNLISTEN',
    'REFRESH',
    'CACHE',
    'UNCACHE',
    'MSCK',
    'OPTIMIZE',
    'CHECKPOINT',
    'FETCH',
    'CLOSE',
    'MOVE',
    'PREPARE',
    'EXECUTE',
    'EXEC',
    'CALL',
    'ADD',
    'UNDROP',
    'CLEAR',
    'SYSTEM',
    'WATCH',
    'EXISTS',
    'CHECK',
    'FLUSH',
    'PURGE',
    'HANDLER',
    'INSTALL',
  ].map((word) => [word, { type: 'other' as StatementType, withoutLineage: true }] as const),
]);

/**
 * The statement type from the leading keywords alone. Used for statements that are not parsed (no lineage,
 * too large, unreadable), so each still gets a type.
 */
export function classifyStatement(
  text: string,
  rules: LexicalRules,
): { type: StatementType; withoutLineage: boolean } {
  const scanner = new SqlTokenScanner(text, rules);
  let kind = scanner.next();
  while (kind === TokenKind.OpenParen) kind = scanner.next();
  if (kind !== TokenKind.Word) return { type: 'unknown', withoutLineage: false };
  const first = scanner.value.toUpperCase();
  const known = typeByFirstWord.get(first);
  if (known) return known;
  if (first === 'BEGIN' || first === 'END') {
    const next = scanner.next();
    if (
      next === TokenKind.End ||
      (next === TokenKind.Word && transactionWords.has(scanner.value.toUpperCase()))
    ) {
      return { type: 'other', withoutLineage: true };
    }
    return { type: 'other', withoutLineage: false };
  }
  if (first === 'CREATE') {
    for (let words = 0; words < 8; words += 1) {
      if (scanner.next() !== TokenKind.Word) break;
      const word = scanner.value.toUpperCase();
      if (word === 'TABLE') return { type: 'create_table', withoutLineage: false };
      if (word === 'VIEW') return { type: 'create_view', withoutLineage: false };
      if (
        word === 'FUNCTION' ||
        word === 'PROCEDURE' ||
        word === 'SCHEMA' ||
        word === 'DATABASE' ||
        word === 'STAGE' ||
        word === 'ROLE' ||
        word === 'USER' ||
        word === 'INDEX' ||
        word === 'SEQUENCE' ||
        word === 'WAREHOUSE'
      ) {
        return { type: 'other', withoutLineage: word !== 'FUNCTION' && word !== 'PROCEDURE' };
      }
    }
    return { type: 'other', withoutLineage: false };
  }
  return { type: 'unknown', withoutLineage: false };
}
