import type { LexicalRules } from './sql-dialect.js';
import { SqlTokenScanner, TokenKind } from './sql-token.scanner.js';

/*
 * sqlparser-rs builds `a OR b OR c …` as a left-deep tree, one level per operator, and converting a tree deeper than
 * about 700 levels to JavaScript overflows the WebAssembly stack (see sql-parser.loader.ts). BI tools do generate
 * filters with thousands of ORs. Since OR and AND are associative, wrapping runs of their operands in parentheses
 * keeps the meaning and turns the chain into a shallow balanced tree, so such statements can still be read.
 */

/** Operands per parenthesised group; the tree gets about `GROUP_SIZE * log_GROUP_SIZE(n)` levels deep. */
const GROUP_SIZE = 32;

/** Keywords that end an expression: an OR/AND run never spans one. */
const boundaryKeywords: ReadonlySet<string> = new Set([
  'SELECT',
  'FROM',
  'WHERE',
  'GROUP',
  'ORDER',
  'HAVING',
  'QUALIFY',
  'LIMIT',
  'UNION',
  'EXCEPT',
  'INTERSECT',
  'MINUS',
  'JOIN',
  'ON',
  'USING',
  'CASE',
  'WHEN',
  'THEN',
  'ELSE',
  'END',
  'AS',
  'SET',
  'VALUES',
  'INTO',
  'WINDOW',
  'RETURNING',
  'BY',
]);

interface OperatorToken {
  readonly start: number;
  readonly end: number;
}

/** Binary operators that chain: the estimate of how deep the parser's tree gets counts these. */
const chainingOperators: ReadonlySet<string> = new Set([
  '=',
  '<',
  '>',
  '<=',
  '>=',
  '<>',
  '!=',
  '+',
  '-',
  '*',
  '/',
  '%',
  '||',
]);

/**
 * A cheap upper estimate of how deep sqlparser-rs' tree for the text gets: at every point, the binary operators of
 * the current expression in each enclosing parenthesis (a comma or a clause keyword starts a new expression) plus
 * two levels per parenthesis.
 */
export function estimateNestingDepth(text: string, rules: LexicalRules): number {
  const scanner = new SqlTokenScanner(text, rules);
  const estimator = new NestingEstimator();
  while (scanner.next() !== TokenKind.End) estimator.add(scanner);
  return estimator.maximum;
}

/** `estimateNestingDepth` fed token by token, so a scan that is done anyway (the statement split) can compute it. */
export class NestingEstimator {
  maximum = 0;
  private frames: number[] = [0];
  private sum = 0;

  reset(): void {
    this.maximum = 0;
    this.frames = [0];
    this.sum = 0;
  }

  add(scanner: SqlTokenScanner): void {
    const kind = scanner.kind;
    const frames = this.frames;
    if (kind === TokenKind.OpenParen) {
      frames.push(0);
      return;
    }
    if (kind === TokenKind.CloseParen) {
      if (frames.length > 1) this.sum -= frames.pop()!;
      return;
    }
    let counts = false;
    if (kind === TokenKind.Comma || kind === TokenKind.Semicolon) {
      this.resetFrame();
    } else if (kind === TokenKind.Operator) {
      counts = chainingOperators.has(scanner.value);
    } else if (kind === TokenKind.Word) {
      const length = scanner.end - scanner.start;
      if (scanner.isWord('OR') || scanner.isWord('AND')) counts = true;
      // Boundary keywords have 2 to 9 letters; longer words are names.
      else if (length >= 2 && length <= 9 && boundaryKeywords.has(scanner.upperValue)) this.resetFrame();
    }
    if (counts) {
      frames[frames.length - 1]! += 1;
      this.sum += 1;
      const depth = this.sum + 2 * frames.length;
      if (depth > this.maximum) this.maximum = depth;
    }
  }

  private resetFrame(): void {
    const top = this.frames.length - 1;
    this.sum -= this.frames[top]!;
    this.frames[top] = 0;
  }
}

/** The text with long OR/AND runs grouped into balanced parentheses; unchanged when there are none. */
export function balanceOperatorChains(text: string, rules: LexicalRules): string {
  const scanner = new SqlTokenScanner(text, rules);
  const insertions: { position: number; text: string }[] = [];
  interface Frame {
    orRun: OperatorToken[];
    andRun: OperatorToken[];
    /** The next AND belongs to a BETWEEN. */
    betweenPending: boolean;
  }
  const frames: Frame[] = [{ orRun: [], andRun: [], betweenPending: false }];
  const flush = (run: OperatorToken[]): void => {
    if (run.length > GROUP_SIZE) groupRun(run, 1, run.length - 1, insertions);
    run.length = 0;
  };
  const endFrame = (frame: Frame): void => {
    flush(frame.andRun);
    flush(frame.orRun);
    frame.betweenPending = false;
  };
  for (;;) {
    const kind = scanner.next();
    if (kind === TokenKind.End) break;
    const frame = frames[frames.length - 1]!;
    if (kind === TokenKind.OpenParen) {
      frames.push({ orRun: [], andRun: [], betweenPending: false });
    } else if (kind === TokenKind.CloseParen) {
      if (frames.length > 1) endFrame(frames.pop()!);
    } else if (kind === TokenKind.Comma || kind === TokenKind.Semicolon) {
      endFrame(frame);
    } else if (kind === TokenKind.Word) {
      const word = scanner.value.toUpperCase();
      if (word === 'OR') {
        flush(frame.andRun);
        frame.orRun.push({ start: scanner.start, end: scanner.end });
      } else if (word === 'AND') {
        if (frame.betweenPending) frame.betweenPending = false;
        else frame.andRun.push({ start: scanner.start, end: scanner.end });
      } else if (word === 'BETWEEN') {
        frame.betweenPending = true;
      } else if (boundaryKeywords.has(word)) {
        endFrame(frame);
      }
    }
  }
  for (const frame of frames) endFrame(frame);
  if (insertions.length === 0) return text;
  insertions.sort((left, right) => left.position - right.position);
  let result = '';
  let copied = 0;
  for (const insertion of insertions) {
    result += text.slice(copied, insertion.position) + insertion.text;
    copied = insertion.position;
  }
  return result + text.slice(copied);
}

/**
 * Wraps operands `first..last` of a run (operand i lies between operators i-1 and i; only operands with an
 * operator on both sides are grouped, so the run's own boundaries are never crossed) into at most GROUP_SIZE
 * parenthesised blocks, recursively.
 */
function groupRun(
  run: readonly OperatorToken[],
  first: number,
  last: number,
  insertions: { position: number; text: string }[],
): void {
  const count = last - first + 1;
  if (count <= GROUP_SIZE) return;
  const blockSize = Math.ceil(count / GROUP_SIZE);
  for (let blockStart = first; blockStart <= last; blockStart += blockSize) {
    const blockEnd = Math.min(last, blockStart + blockSize - 1);
    if (blockEnd > blockStart) {
      insertions.push({ position: run[blockStart - 1]!.end, text: ' (' });
      insertions.push({ position: run[blockEnd]!.start, text: ') ' });
      groupRun(run, blockStart, blockEnd, insertions);
    }
  }
}
