import type { GroupByItem, MetricQueryRequest, OrderByItem } from './metric-query.js';
import { validateMetricQuery } from './metric-query.validator.js';
import { SemanticLayerQueryError } from './semantic-layer.error.js';
import { parseSemanticObject, qualifiedName, type SemanticObjectContext } from './semantic-object.parser.js';
import {
  ExpressionError,
  ExpressionTokenizer,
  sourceOffsetInString,
  type Token,
} from './template-expression.tokenizer.js';

// The query text users paste from Hex, Sigma or a JDBC client (research/semantic-layer.md §4):
//
//   {{ semantic_layer.query(metrics=['revenue'], group_by=[Dimension('metric_time').grain('month')],
//                           where=["{{ Dimension('customer__region') }} = 'EU'"], order_by=['-metric_time'],
//                           limit=100) }}
//
// bare, as `semantic_layer.query(...)`, or wrapped in `select * from {{ … }}`. A hand-written recursive-descent
// parser over a small tokenizer: the grammar is a dozen rules, and owning it lets every refusal name the
// argument and the offset. Nothing of the text is passed on as is: it becomes a `MetricQueryRequest` (whose
// filters are re-checked and re-rendered by `validateMetricQuery`), or a `SemanticLayerQueryError`.

/** Default longest text accepted, in UTF-16 code units. */
export const MAX_QUERY_TEXT_LENGTH = 1_048_576;

export interface ParsedSemanticLayerQuery {
  request: MetricQueryRequest;
  /** `compile=True`: the caller asked for the compiled SQL rather than rows. */
  compile: boolean;
  /** `read_cache=…`, when given. */
  readCache?: boolean;
}

export interface ParseSemanticLayerQueryOptions {
  /** Longest text accepted; default `MAX_QUERY_TEXT_LENGTH`. */
  maxLength?: number;
}

const KEYWORD_ARGUMENTS = [
  'metrics',
  'group_by',
  'where',
  'order_by',
  'limit',
  'saved_query',
  'compile',
  'read_cache',
];
const OTHER_FUNCTIONS = new Set([
  'metrics',
  'dimensions',
  'entities',
  'measures',
  'saved_queries',
  'dimension_values',
  'queryable_granularities',
  'metrics_for_dimensions',
  'query_with_all_group_bys',
]);
const ARGUMENT_NAMES: Record<string, string> = {
  groupBy: 'group_by',
  orderBy: 'order_by',
  savedQuery: 'saved_query',
};

/** Where each argument of the request came from, to point validation errors into the text. */
interface Origins {
  offsets: Map<string, number>;
  whereTokens: Token[];
}

class QueryTextParser {
  readonly #tokens: ExpressionTokenizer;
  readonly #origins: Origins = { offsets: new Map(), whereTokens: [] };
  readonly #seen = new Map<string, Token>();
  readonly #raw: {
    metrics: string[];
    groupBy: GroupByItem[];
    where: string[];
    orderBy: OrderByItem[];
    limit?: number;
    savedQuery?: string;
  } = { metrics: [], groupBy: [], where: [], orderBy: [] };
  #compile = false;
  #readCache: boolean | undefined;
  /** Offset of `semantic_layer`, for errors about the call as a whole. */
  #callOffset = 0;

  constructor(readonly text: string) {
    this.#tokens = new ExpressionTokenizer(text);
  }

  parse(): ParsedSemanticLayerQuery {
    let token = this.#tokens.next();
    let wrapped = false;
    if (token.kind === 'identifier' && token.text.toLowerCase() === 'select') {
      this.#expect(
        'punctuation',
        '*',
        "'*' after select (only `select * from {{ semantic_layer.query(…) }}`)",
      );
      const from = this.#tokens.next();
      if (from.kind !== 'identifier' || from.text.toLowerCase() !== 'from')
        this.#unexpected(from, "'from' after select *");
      token = this.#tokens.next();
      wrapped = true;
      if (!(token.kind === 'delimiter' && token.text === '{{'))
        this.#unexpected(token, "'{{' after select * from");
    }
    const braced = token.kind === 'delimiter' && token.text === '{{';
    if (braced) token = this.#tokens.next();
    this.#call(token);
    if (braced) this.#expect('delimiter', '}}', "'}}' closing the template");
    let trailing = this.#tokens.next();
    if (trailing.kind === 'punctuation' && trailing.text === ';') trailing = this.#tokens.next();
    if (trailing.kind !== 'end') {
      this.#unexpected(
        trailing,
        wrapped || braced ? 'the end of the text after the template' : 'the end of the text',
      );
    }

    const request = this.#validate();
    const parsed: ParsedSemanticLayerQuery = { request, compile: this.#compile };
    if (this.#readCache !== undefined) parsed.readCache = this.#readCache;
    return parsed;
  }

  #call(first: Token): void {
    if (first.kind !== 'identifier' || first.text !== 'semantic_layer') {
      this.#unexpected(first, 'semantic_layer.query(…)');
    }
    this.#callOffset = first.start;
    this.#expect('punctuation', '.', "'.' after semantic_layer");
    const functionName = this.#tokens.next();
    if (functionName.kind !== 'identifier' || functionName.text !== 'query') {
      if (functionName.kind === 'identifier' && OTHER_FUNCTIONS.has(functionName.text)) {
        this.#fail(
          `semantic_layer.${functionName.text}() is not supported here; only semantic_layer.query(…)`,
          functionName.start,
        );
      }
      this.#unexpected(functionName, 'query after semantic_layer.', 'unknown function');
    }
    this.#expect('punctuation', '(', "'(' after semantic_layer.query");
    for (;;) {
      let token = this.#tokens.next();
      if (token.kind === 'punctuation' && token.text === ')') return;
      if (token.kind !== 'identifier') this.#unexpected(token, 'a keyword argument like metrics=[…]');
      if (!KEYWORD_ARGUMENTS.includes(token.text)) {
        this.#fail(
          `unknown keyword argument '${token.text}' of semantic_layer.query; expected ${KEYWORD_ARGUMENTS.join(', ')}`,
          token.start,
        );
      }
      if (this.#seen.has(token.text))
        this.#fail(`keyword argument '${token.text}' is given twice`, token.start);
      this.#seen.set(token.text, token);
      this.#expect('punctuation', '=', `'=' after ${token.text}`);
      this.#argument(token);
      token = this.#tokens.next();
      if (token.kind === 'punctuation' && token.text === ')') return;
      if (!(token.kind === 'punctuation' && token.text === ',')) this.#unexpected(token, "',' or ')'");
    }
  }

  #argument(keyword: Token): void {
    const offsets = this.#origins.offsets;
    switch (keyword.text) {
      case 'metrics':
        offsets.set('metrics', keyword.start);
        this.#list('metrics', true, (token, index) => {
          offsets.set(`metrics[${index}]`, token.start);
          if (token.kind === 'string') this.#raw.metrics.push(token.value);
          else this.#raw.metrics.push(qualifiedName(this.#object('metrics')));
        });
        break;
      case 'group_by':
        offsets.set('groupBy', keyword.start);
        this.#list('groupBy', true, (token, index) => {
          offsets.set(`groupBy[${index}]`, token.start);
          if (token.kind === 'string') {
            this.#raw.groupBy.push({ name: token.value });
            return;
          }
          const reference = this.#object('groupBy');
          const item: GroupByItem = { name: qualifiedName(reference) };
          if (reference.grain !== undefined) item.grain = reference.grain;
          if (reference.datePart !== undefined) item.datePart = reference.datePart;
          this.#raw.groupBy.push(item);
        });
        break;
      case 'order_by':
        offsets.set('orderBy', keyword.start);
        this.#list('orderBy', true, (token, index) => {
          offsets.set(`orderBy[${index}]`, token.start);
          if (token.kind === 'string') {
            const descending = token.value.startsWith('-');
            this.#raw.orderBy.push({ name: descending ? token.value.slice(1) : token.value, descending });
            return;
          }
          const reference = this.#object('orderBy');
          const item: OrderByItem = {
            name: qualifiedName(reference),
            descending: reference.descending ?? false,
            kind: reference.kind === 'Metric' ? 'metric' : 'groupBy',
          };
          if (reference.grain !== undefined) item.grain = reference.grain;
          this.#raw.orderBy.push(item);
        });
        break;
      case 'where': {
        offsets.set('where', keyword.start);
        const single = this.#tokens.peek();
        const collect = (token: Token): void => {
          offsets.set(`where[${this.#raw.where.length}]`, token.start);
          this.#origins.whereTokens.push(token);
          this.#raw.where.push(token.value);
        };
        if (single.kind === 'string') collect(this.#tokens.next());
        else this.#list('where', false, collect);
        break;
      }
      case 'limit': {
        const token = this.#tokens.next();
        if (token.kind !== 'integer') this.#unexpected(token, 'a whole number');
        const limit = Number(token.text);
        if (!Number.isSafeInteger(limit) || limit < 1) {
          this.#fail(`limit must be a whole number from 1 to ${Number.MAX_SAFE_INTEGER}`, token.start);
        }
        offsets.set('limit', token.start);
        this.#raw.limit = limit;
        break;
      }
      case 'saved_query': {
        const token = this.#tokens.next();
        if (token.kind !== 'string') this.#unexpected(token, 'a saved query name in quotes');
        offsets.set('savedQuery', token.start);
        this.#raw.savedQuery = token.value;
        break;
      }
      default: {
        const token = this.#tokens.next();
        if (token.kind !== 'identifier' || !/^(?:true|false)$/i.test(token.text))
          this.#unexpected(token, 'True or False');
        const value = token.text.toLowerCase() === 'true';
        if (keyword.text === 'compile') this.#compile = value;
        else this.#readCache = value;
      }
    }
  }

  /**
   * Parses `[item, item, …]`. Strings are consumed here; for an object call `onItem` gets its first token
   * unconsumed, so that the semantic-object parser reads the whole call.
   */
  #list(argument: string, allowObjects: boolean, onItem: (token: Token, index: number) => void): void {
    this.#expect('punctuation', '[', `a list '[…]' for ${ARGUMENT_NAMES[argument] ?? argument}`);
    let index = 0;
    for (;;) {
      const token = this.#tokens.peek();
      if (token.kind === 'punctuation' && token.text === ']') {
        this.#tokens.next();
        return;
      }
      const name = ARGUMENT_NAMES[argument] ?? argument;
      if (token.kind === 'string') this.#tokens.next();
      else if (!allowObjects) this.#unexpected(token, `a filter string in ${name}`);
      else if (token.kind !== 'identifier')
        this.#unexpected(token, `a string or an object like Dimension('…') in ${name}`);
      onItem(token, index);
      index += 1;
      const separator = this.#tokens.next();
      if (separator.kind === 'punctuation' && separator.text === ']') return;
      if (!(separator.kind === 'punctuation' && separator.text === ','))
        this.#unexpected(separator, "',' or ']'");
    }
  }

  #object(context: SemanticObjectContext) {
    try {
      return parseSemanticObject(this.#tokens, context);
    } catch (error) {
      if (error instanceof ExpressionError) this.#fail(error.reason, error.offset);
      throw error;
    }
  }

  #validate(): MetricQueryRequest {
    try {
      return validateMetricQuery(this.#raw);
    } catch (error) {
      if (!(error instanceof SemanticLayerQueryError) || error.argument === null) throw error;
      const argument = error.argument;
      const whereIndex = /^where\[(\d+)\]$/.exec(argument);
      if (whereIndex && error.offset !== null) {
        const token = this.#origins.whereTokens[Number(whereIndex[1])]!;
        this.#fail(error.reason, sourceOffsetInString(this.text, token, error.offset), argument);
      }
      const origin = originOf(this.#origins.offsets, argument);
      this.#fail(error.reason, origin ?? this.#callOffset, argument);
    }
  }

  #expect(kind: Token['kind'], text: string, what: string): Token {
    const token = this.#tokens.next();
    if (token.kind !== kind || token.text !== text) this.#unexpected(token, what);
    return token;
  }

  #unexpected(token: Token, expected: string, subject = 'unexpected'): never {
    if (token.kind === 'delimiter') {
      if (token.text === '{%' || token.text === '%}') {
        this.#fail('Jinja statements ({% … %}) are not allowed', token.start);
      }
      if (token.text === '{#' || token.text === '#}')
        this.#fail('Jinja comments ({# … #}) are not allowed', token.start);
      if (token.text === '{{') {
        this.#fail('a nested template {{ … }} is allowed only inside a where filter string', token.start);
      }
    }
    const found =
      token.kind === 'end'
        ? 'the end of the text'
        : token.kind === 'string'
          ? 'a string'
          : `${subject === 'unexpected' ? '' : `${subject} `}${JSON.stringify(token.text)}`;
    return this.#fail(`expected ${expected} but found ${found}`, token.start);
  }

  #fail(reason: string, offset: number, argument: string | null = null): never {
    const textArgument = argument === null ? null : toTextArgument(argument);
    const { line, column } = lineAndColumn(this.text, offset);
    const prefix = textArgument === null ? '' : `${textArgument}: `;
    throw new SemanticLayerQueryError(
      `${prefix}${reason} at line ${line}, column ${column} (offset ${offset})`,
      {
        argument: textArgument,
        offset,
        reason,
      },
    );
  }
}

function originOf(offsets: Map<string, number>, argument: string): number | undefined {
  let key = argument;
  for (;;) {
    const offset = offsets.get(key);
    if (offset !== undefined) return offset;
    const shorter = key.replace(/(?:\.[A-Za-z]+|\[\d+\])$/, '');
    if (shorter === key) return undefined;
    key = shorter;
  }
}

function toTextArgument(argument: string): string {
  return argument.replace(/^[A-Za-z]+/, (name) => ARGUMENT_NAMES[name] ?? name);
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (
    let index = text.indexOf('\n');
    index !== -1 && index < offset;
    index = text.indexOf('\n', index + 1)
  ) {
    line += 1;
    lineStart = index + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

/**
 * Parses `semantic_layer.query(...)` text (bare, in `{{ }}`, or as `select * from {{ … }}`) into a validated
 * request. Throws `SemanticLayerQueryError` with the argument, the reason and the offset (also as line and
 * column in the message) for anything else: other functions, unknown keyword arguments, templates or Jinja
 * blocks outside where strings, trailing text.
 */
export function parseSemanticLayerQuery(
  text: string,
  options: ParseSemanticLayerQueryOptions = {},
): ParsedSemanticLayerQuery {
  const maxLength = options.maxLength ?? MAX_QUERY_TEXT_LENGTH;
  if (text.length > maxLength) {
    throw new SemanticLayerQueryError(
      `the query text is ${text.length} characters long; the limit is ${maxLength} (at offset ${maxLength})`,
      { offset: maxLength, reason: `the query text is longer than ${maxLength} characters` },
    );
  }
  try {
    return new QueryTextParser(text).parse();
  } catch (error) {
    if (!(error instanceof ExpressionError)) throw error;
    const { line, column } = lineAndColumn(text, error.offset);
    throw new SemanticLayerQueryError(
      `${error.reason} at line ${line}, column ${column} (offset ${error.offset})`,
      {
        offset: error.offset,
        reason: error.reason,
      },
    );
  }
}
