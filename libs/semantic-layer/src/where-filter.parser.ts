import { SemanticLayerQueryError } from './semantic-layer.error.js';
import {
  expectPunctuation,
  parseSemanticObject,
  renderSemanticObject,
  type SemanticObjectReference,
} from './semantic-object.parser.js';
import { describeCharacter, ExpressionError, ExpressionTokenizer } from './template-expression.tokenizer.js';

// A where filter is SQL with MetricFlow templates: `{{ Dimension('customer__region') }} = 'EU'`. The SQL goes
// to the warehouse verbatim and the Semantic Layer ANDs the filters of a query, so a filter that could escape
// its own parentheses (`1=1) OR (1=1`), comment out what follows (`--`, `/*`) or end the statement (`;`)
// could switch off a role's row filter. Such text is refused, as is anything in braces other than one object
// call per template, and every Jinja statement or comment.

export interface ParsedWhereFilter {
  /** The filter with each template rewritten canonically (`{{ Dimension('customer__region') }}`). */
  sql: string;
  /** The objects the filter references, in order; offsets are into the original text. */
  references: SemanticObjectReference[];
}

const QUOTE_NAMES: Record<string, string> = {
  "'": 'SQL string literal',
  '"': 'quoted identifier',
  '`': 'quoted identifier',
};

/** Builds the error of a filter: the argument, the offset in the filter, and the reason. */
export function whereFilterError(argument: string, reason: string, offset: number): SemanticLayerQueryError {
  return new SemanticLayerQueryError(`${argument} at offset ${offset}: ${reason}`, {
    argument,
    offset,
    reason,
  });
}

/**
 * Checks a where filter and returns it with canonical templates and the objects it references. Throws
 * `SemanticLayerQueryError` naming `argument` (like `where[1]`) and the offset in `text`.
 */
export function parseWhereFilter(text: string, argument = 'where'): ParsedWhereFilter {
  const fail = (reason: string, offset: number): never => {
    throw whereFilterError(argument, reason, offset);
  };
  if (text.trim().length === 0) fail('the filter is empty', 0);

  const references: SemanticObjectReference[] = [];
  const openParentheses: number[] = [];
  let sql = '';
  let copiedUpTo = 0;
  let position = 0;
  while (position < text.length) {
    const character = text[position]!;
    const pair = text.slice(position, position + 2);
    if (pair === '{{') {
      sql += text.slice(copiedUpTo, position);
      const template = parseTemplate(text, position, fail);
      references.push(template.reference);
      sql += `{{ ${renderSemanticObject(template.reference)} }}`;
      position = template.end;
      copiedUpTo = position;
      continue;
    }
    if (pair === '{%' || pair === '{#') {
      fail(
        `Jinja ${pair === '{%' ? 'statements ({% … %})' : 'comments ({# … #})'} are not allowed in filters`,
        position,
      );
    }
    if (pair === '}}' || pair === '%}' || pair === '#}')
      fail(`'${pair}' without a matching opening`, position);
    if (character === "'" || character === '"' || character === '`') {
      position = skipQuoted(text, position, fail);
      continue;
    }
    if (pair === '--' || pair === '/*' || pair === '*/' || character === '#') {
      fail('SQL comments are not allowed in filters', position);
    }
    if (character === ';') fail("';' is not allowed in filters", position);
    if (character === '$') fail("'$' is not allowed in filters (dollar quoting and parameters)", position);
    if (character === '\\') fail('a backslash is not allowed outside string literals', position);
    if (character === '{' || character === '}')
      fail(`a single '${character}' is not allowed in filters`, position);
    const code = text.charCodeAt(position);
    if ((code < 32 && character !== '\n' && character !== '\r' && character !== '\t') || code === 127) {
      fail(`control character ${describeCharacter(character)} is not allowed in filters`, position);
    }
    if (character === '(') openParentheses.push(position);
    if (character === ')' && openParentheses.pop() === undefined) {
      fail("')' has no matching '(' in this filter", position);
    }
    position += 1;
  }
  const unclosed = openParentheses.pop();
  if (unclosed !== undefined) fail("'(' is not closed in this filter", unclosed);
  sql += text.slice(copiedUpTo);
  return { sql, references };
}

function parseTemplate(
  text: string,
  start: number,
  fail: (reason: string, offset: number) => never,
): { reference: SemanticObjectReference; end: number } {
  const tokens = new ExpressionTokenizer(text, start + 2);
  try {
    const first = tokens.peek();
    if (first.kind === 'delimiter' && first.text === '}}') fail('the template {{ }} is empty', start);
    const reference = parseSemanticObject(tokens, 'where');
    const close = expectPunctuation(tokens, '}}', "'}}' closing the template (one object per template)");
    return { reference, end: close.end };
  } catch (error) {
    if (error instanceof ExpressionError) fail(error.reason, error.offset);
    throw error;
  }
}

/** Skips a quoted SQL literal or identifier; doubled quotes escape. Returns the offset after it. */
function skipQuoted(text: string, start: number, fail: (reason: string, offset: number) => never): number {
  const quote = text[start]!;
  const what = QUOTE_NAMES[quote]!;
  let position = start + 1;
  while (position < text.length) {
    const character = text[position]!;
    if (character === quote) {
      if (text[position + 1] === quote) {
        position += 2;
        continue;
      }
      return position + 1;
    }
    if (character === '\\') {
      // Snowflake, BigQuery and Databricks read a backslash as an escape, Postgres and Redshift do not: the
      // same filter would end the literal in different places.
      fail(
        `a backslash is not allowed inside a ${what} (warehouses disagree on escapes); double the quote instead`,
        position,
      );
    }
    const pair = text.slice(position, position + 2);
    if (pair === '{{' || pair === '{%' || pair === '{#') {
      fail(`templates are not allowed inside a ${what}`, position);
    }
    position += 1;
  }
  return fail(`unterminated ${what} (missing the closing ${quote})`, start);
}
