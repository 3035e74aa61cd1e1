// Tokens of the small Jinja/Python expression language the Semantic Layer templates use:
// `semantic_layer.query(metrics=['a'], limit=10)` and `Dimension('x').grain('month')`. Only what those need:
// ASCII identifiers, quoted strings with Python escapes, unsigned integers and a handful of punctuation.
// Template delimiters are tokens of their own so that parsers can say precisely what is not allowed.

export type TokenKind =
  | 'identifier'
  | 'string'
  | 'integer'
  | 'punctuation'
  /** `{{`, `}}`, `{%`, `%}`, `{#` or `#}`. */
  | 'delimiter'
  | 'end';

export interface Token {
  kind: TokenKind;
  /** The source text of the token. */
  text: string;
  /** Decoded value of a string token; the text otherwise. */
  value: string;
  /** Offsets in the source, end exclusive. */
  start: number;
  end: number;
}

/** Where reading an expression failed; the caller turns it into its own error with its own wording of the position. */
export class ExpressionError extends Error {
  constructor(
    readonly reason: string,
    readonly offset: number,
  ) {
    super(reason);
  }
}

const PUNCTUATION = new Set(['(', ')', '[', ']', ',', '.', '=', '-', '*', ';']);
const DELIMITERS = new Set(['{{', '}}', '{%', '%}', '{#', '#}']);
const SIMPLE_ESCAPES: Record<string, string> = {
  '\\': '\\',
  "'": "'",
  '"': '"',
  n: '\n',
  r: '\r',
  t: '\t',
};

function isIdentifierStart(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

function isWhitespace(character: string): boolean {
  return character === ' ' || character === '\t' || character === '\n' || character === '\r';
}

/** A readable rendering of one character for messages (`'é'`, `U+0000`). */
export function describeCharacter(character: string): string {
  const code = character.codePointAt(0) ?? 0;
  if (code < 32 || code === 127) return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  return JSON.stringify(character);
}

/**
 * Reads one token at a time from `source`, between `start` and `end`. Stateless apart from the position, so
 * that a parser can stop right after a `}}` and hand the rest of the text to someone else.
 */
export class ExpressionTokenizer {
  #position: number;

  constructor(
    readonly source: string,
    start = 0,
    readonly end = source.length,
  ) {
    this.#position = start;
  }

  get position(): number {
    return this.#position;
  }

  next(): Token {
    const { source, end } = this;
    let position = this.#position;
    while (position < end && isWhitespace(source[position]!)) position += 1;
    if (position >= end) {
      this.#position = position;
      return { kind: 'end', text: '', value: '', start: position, end: position };
    }
    const start = position;
    const character = source[position]!;
    const code = source.charCodeAt(position);
    const pair = source.slice(position, position + 2);
    let token: Token;
    if (DELIMITERS.has(pair)) {
      token = { kind: 'delimiter', text: pair, value: pair, start, end: start + 2 };
    } else if (isIdentifierStart(code)) {
      position += 1;
      while (position < end) {
        const next = source.charCodeAt(position);
        if (!isIdentifierStart(next) && !isDigit(next)) break;
        position += 1;
      }
      if (position < end && source.charCodeAt(position) > 127) {
        // `métrics`: name the character rather than the identifier cut short before it.
        const codePoint = String.fromCodePoint(source.codePointAt(position)!);
        throw new ExpressionError(`unexpected character ${describeCharacter(codePoint)} in a name`, position);
      }
      const text = source.slice(start, position);
      token = { kind: 'identifier', text, value: text, start, end: position };
    } else if (isDigit(code)) {
      while (position < end && isDigit(source.charCodeAt(position))) position += 1;
      if (position < end && isIdentifierStart(source.charCodeAt(position))) {
        throw new ExpressionError(
          `unexpected ${describeCharacter(source[position]!)} after a number`,
          position,
        );
      }
      const text = source.slice(start, position);
      token = { kind: 'integer', text, value: text, start, end: position };
    } else if (character === "'" || character === '"') {
      token = this.#string(start);
    } else if (PUNCTUATION.has(character)) {
      token = { kind: 'punctuation', text: character, value: character, start, end: start + 1 };
    } else {
      const codePoint = String.fromCodePoint(source.codePointAt(position) ?? code);
      throw new ExpressionError(`unexpected character ${describeCharacter(codePoint)}`, position);
    }
    this.#position = token.end;
    return token;
  }

  /** A tokenizer at the same position, for looking further ahead without moving this one. */
  fork(): ExpressionTokenizer {
    return new ExpressionTokenizer(this.source, this.#position, this.end);
  }

  peek(): Token {
    const position = this.#position;
    const token = this.next();
    this.#position = position;
    return token;
  }

  #string(start: number): Token {
    const { source, end } = this;
    const quote = source[start]!;
    let position = start + 1;
    let value = '';
    let runStart = position;
    while (position < end) {
      const character = source[position]!;
      if (character === quote) {
        value += source.slice(runStart, position);
        return { kind: 'string', text: source.slice(start, position + 1), value, start, end: position + 1 };
      }
      if (character !== '\\') {
        position += 1;
        continue;
      }
      value += source.slice(runStart, position);
      const decoded = decodeEscape(source, position, end);
      value += decoded.value;
      position = decoded.end;
      runStart = position;
    }
    throw new ExpressionError(`unterminated string starting here (missing the closing ${quote})`, start);
  }
}

function decodeEscape(source: string, position: number, end: number): { value: string; end: number } {
  const marker = source[position + 1];
  if (marker === undefined || position + 1 >= end) {
    throw new ExpressionError('a backslash ends the text inside a string', position);
  }
  const simple = SIMPLE_ESCAPES[marker];
  if (simple !== undefined) return { value: simple, end: position + 2 };
  const hexLength = marker === 'x' ? 2 : marker === 'u' ? 4 : marker === 'U' ? 8 : 0;
  if (hexLength > 0) {
    const digits = source.slice(position + 2, position + 2 + hexLength);
    if (digits.length === hexLength && /^[0-9a-fA-F]+$/.test(digits) && position + 2 + hexLength <= end) {
      const codePoint = Number.parseInt(digits, 16);
      if (codePoint <= 0x10ffff)
        return { value: String.fromCodePoint(codePoint), end: position + 2 + hexLength };
    }
    throw new ExpressionError(`invalid \\${marker} escape in a string`, position);
  }
  throw new ExpressionError(
    `unsupported escape \\${marker} in a string (use \\\\, \\', \\", \\n, \\r, \\t, \\x, \\u or \\U)`,
    position,
  );
}

/**
 * The source offset of the character at `index` of a string token's decoded value (or of the closing quote
 * when `index` is the value's length), so that errors inside a string point into the original text.
 */
export function sourceOffsetInString(source: string, token: Token, index: number): number {
  let position = token.start + 1;
  let decodedIndex = 0;
  while (position < token.end - 1 && decodedIndex < index) {
    if (source[position] === '\\') {
      const decoded = decodeEscape(source, position, token.end - 1);
      decodedIndex += decoded.value.length;
      position = decoded.end;
    } else {
      decodedIndex += 1;
      position += 1;
    }
  }
  return position;
}
