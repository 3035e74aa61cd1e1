import safeRegex from 'safe-regex2';

/** A user's regular expression, checked once when it is saved. */
export interface CompiledPattern {
  readonly source: string;
  readonly regex: RegExp;
}

/** Longer patterns are refused: a filter is a name or an alternation of a few, never a program. */
export const MAXIMUM_PATTERN_LENGTH = 500;

export class PatternError extends Error {
  constructor(
    readonly argument: string,
    readonly pattern: string,
    reason: string,
  ) {
    super(`${argument}: "${pattern.slice(0, 100)}" ${reason}`);
    this.name = 'PatternError';
  }
}

/**
 * Compiles user-supplied include/exclude patterns (case-insensitive, matched anywhere unless anchored). Refuses,
 * with a message naming the argument and the pattern, what does not compile and what could backtrack
 * catastrophically (nested quantifiers such as `(a+)+`, judged by safe-regex2's star height), because these
 * patterns run against every name of every sync.
 */
export function compilePatterns(
  patterns: readonly string[] | null | undefined,
  argument: string,
): CompiledPattern[] {
  return (patterns ?? [])
    .map((pattern) => pattern.trim())
    .filter((pattern) => pattern !== '')
    .map((pattern) => compilePattern(pattern, argument));
}

export function compilePattern(pattern: string, argument: string): CompiledPattern {
  if (pattern.length > MAXIMUM_PATTERN_LENGTH) {
    throw new PatternError(argument, pattern, `is longer than ${MAXIMUM_PATTERN_LENGTH} characters`);
  }
  let regex: RegExp;
  try {
    regex = new RegExp(pattern, 'iu');
  } catch (error) {
    const detail = (error as Error).message.replace(/^Invalid regular expression: /, '');
    throw new PatternError(argument, pattern, `is not a valid regular expression (${detail})`);
  }
  if (!safeRegex(regex)) {
    throw new PatternError(
      argument,
      pattern,
      'could take exponential time on some names (a quantifier inside a quantified group, such as (a+)+); rewrite it without nested repetition',
    );
  }
  return { source: pattern, regex };
}

/** Include (empty means everything) minus exclude. */
export function matchesFilter(
  value: string,
  include: readonly CompiledPattern[],
  exclude: readonly CompiledPattern[],
): boolean {
  if (include.length > 0 && !include.some((pattern) => pattern.regex.test(value))) return false;
  return !exclude.some((pattern) => pattern.regex.test(value));
}
