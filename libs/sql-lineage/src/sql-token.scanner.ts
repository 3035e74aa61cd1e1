import type { LexicalRules } from './sql-dialect.js';

/** Token kinds; plain numbers so the hot loops of the fingerprint and the splitter allocate nothing per token. */
export const TokenKind = {
  End: 0,
  Word: 1,
  QuotedIdentifier: 2,
  String: 3,
  Number: 4,
  /** A bind parameter: `?`, `$1`, `:name`, `%s`, `%(name)s`. */
  Placeholder: 5,
  Operator: 6,
  OpenParen: 7,
  CloseParen: 8,
  Comma: 9,
  Semicolon: 10,
  Dot: 11,
  LineComment: 12,
  BlockComment: 13,
} as const;

export type TokenKind = (typeof TokenKind)[keyof typeof TokenKind];

const enum Char {
  Tab = 9,
  LineFeed = 10,
  CarriageReturn = 13,
  Space = 32,
  Bang = 33,
  DoubleQuote = 34,
  Hash = 35,
  Dollar = 36,
  Percent = 37,
  Ampersand = 38,
  Quote = 39,
  OpenParen = 40,
  CloseParen = 41,
  Star = 42,
  Comma = 44,
  Minus = 45,
  Dot = 46,
  Slash = 47,
  Digit0 = 48,
  Digit9 = 57,
  Colon = 58,
  Semicolon = 59,
  Less = 60,
  Equals = 61,
  Greater = 62,
  Question = 63,
  UpperA = 65,
  UpperZ = 90,
  Backslash = 92,
  Underscore = 95,
  Backtick = 96,
  LowerA = 97,
  LowerS = 115,
  LowerZ = 122,
  Pipe = 124,
}

function isDigit(code: number): boolean {
  return code >= Char.Digit0 && code <= Char.Digit9;
}

function isWordStart(code: number): boolean {
  return (
    (code >= Char.LowerA && code <= Char.LowerZ) ||
    (code >= Char.UpperA && code <= Char.UpperZ) ||
    code === Char.Underscore ||
    code >= 0x80
  );
}

function isWordPart(code: number): boolean {
  return isWordStart(code) || isDigit(code) || code === Char.Dollar;
}

function isWhitespace(code: number): boolean {
  return (
    code === Char.Space ||
    code === Char.LineFeed ||
    code === Char.Tab ||
    code === Char.CarriageReturn ||
    code === 11 ||
    code === 12 ||
    code === 0xa0 ||
    code === 0xfeff
  );
}

/** Two-character operators kept as one token, so `<=` and `< =` do not fingerprint alike. */
const twoCharacterOperators: ReadonlySet<string> = new Set([
  '<=',
  '>=',
  '<>',
  '!=',
  '||',
  '::',
  '=>',
  '->',
  ':=',
  '==',
  '<<',
  '>>',
  '&&',
  '@>',
  '<@',
]);

/**
 * A lexer for SQL text that knows only what it takes to find token boundaries correctly: quotes, escapes,
 * comments, dollar quoting. It never fails: an unterminated quote or comment runs to the end of the text,
 * which is what the warehouse would have done with it too. One instance reads one text; `next()` moves to the
 * next token and exposes it through `kind`, `start` and `end` (no object per token).
 */
export class SqlTokenScanner {
  kind: TokenKind = TokenKind.End;
  start = 0;
  end = 0;
  /** Whether whitespace or a comment came between the previous token and this one. */
  spaceBefore = false;
  /** Whether the current string, comment or quoted identifier ran to the end of the text without closing. */
  unterminated = false;

  private position = 0;
  private previousKind: TokenKind = TokenKind.End;

  constructor(
    readonly text: string,
    private readonly rules: LexicalRules,
    /** Comments are returned as tokens when true, skipped (counted as space) when false. */
    private readonly keepComments = false,
  ) {}

  private upperCased: string | null = null;

  /** The current token's text. */
  get value(): string {
    return this.text.slice(this.start, this.end);
  }

  /**
   * The current token's text upper-cased. The whole text is upper-cased once, which is much cheaper than once per
   * word; where that moves characters (ß becomes SS), each token is upper-cased on its own.
   */
  get upperValue(): string {
    const upper = this.upperText();
    return upper === ''
      ? this.text.slice(this.start, this.end).toUpperCase()
      : upper.slice(this.start, this.end);
  }

  /** Whether the current token is the word `upperCaseWord` (any case), without allocating. */
  isWord(upperCaseWord: string): boolean {
    if (this.kind !== TokenKind.Word || this.end - this.start !== upperCaseWord.length) return false;
    const upper = this.upperText();
    return upper === '' ? this.upperValue === upperCaseWord : upper.startsWith(upperCaseWord, this.start);
  }

  /** The upper-cased text, or '' when upper-casing moves characters. */
  private upperText(): string {
    if (this.upperCased === null) {
      const upper = this.text.toUpperCase();
      this.upperCased = upper.length === this.text.length ? upper : '';
    }
    return this.upperCased;
  }

  /** Position to resume from with `restore`, for a lookahead. */
  save(): number {
    return this.position;
  }

  restore(position: number): void {
    this.position = position;
  }

  next(): TokenKind {
    const text = this.text;
    const length = text.length;
    this.spaceBefore = false;
    this.unterminated = false;
    for (;;) {
      let position = this.position;
      while (position < length && isWhitespace(text.charCodeAt(position))) position += 1;
      if (position > this.position) this.spaceBefore = true;
      this.position = position;
      if (position >= length) {
        this.start = this.end = length;
        return this.emit(TokenKind.End);
      }
      const kind = this.scanToken(position);
      if ((kind === TokenKind.LineComment || kind === TokenKind.BlockComment) && !this.keepComments) {
        this.spaceBefore = true;
        continue;
      }
      return this.emit(kind);
    }
  }

  private emit(kind: TokenKind): TokenKind {
    this.kind = kind;
    if (kind !== TokenKind.LineComment && kind !== TokenKind.BlockComment) this.previousKind = kind;
    return kind;
  }

  private scanToken(start: number): TokenKind {
    const text = this.text;
    const code = text.charCodeAt(start);
    const nextCode = start + 1 < text.length ? text.charCodeAt(start + 1) : -1;
    const rules = this.rules;
    this.start = start;

    if (code === Char.Minus && nextCode === Char.Minus) return this.lineComment(start);
    if (code === Char.Hash && rules.hashComments) return this.lineComment(start);
    if (code === Char.Slash && nextCode === Char.Slash && rules.slashComments) return this.lineComment(start);
    if (code === Char.Slash && nextCode === Char.Star) return this.blockComment(start);

    if (isWordStart(code) || (code === Char.Hash && isWordStart(nextCode))) return this.word(start);
    if (isDigit(code) || (code === Char.Dot && isDigit(nextCode))) return this.number(start);

    switch (code) {
      case Char.Quote:
        return this.quoted(start, Char.Quote, TokenKind.String, rules.backslashEscapes);
      case Char.DoubleQuote:
        return rules.doubleQuoteIsIdentifier
          ? this.quoted(start, Char.DoubleQuote, TokenKind.QuotedIdentifier, false)
          : this.quoted(start, Char.DoubleQuote, TokenKind.String, rules.backslashEscapes);
      case Char.Backtick:
        if (rules.backtickIdentifiers) {
          return this.quoted(start, Char.Backtick, TokenKind.QuotedIdentifier, rules.backslashEscapes);
        }
        break;
      case Char.Dollar:
        if (isDigit(nextCode)) return this.placeholderDigits(start + 1);
        if (rules.dollarQuotes !== 'none') {
          const dollar = this.dollarQuoted(start);
          if (dollar !== null) return dollar;
        }
        break;
      case Char.Question:
        this.position = this.end = start + 1;
        return TokenKind.Placeholder;
      case Char.Colon:
        if (nextCode === Char.Colon || nextCode === Char.Equals) break;
        // `src:field` (Snowflake path) follows a name without a space; a bind variable `:name` does not.
        if (
          (isWordStart(nextCode) || isDigit(nextCode)) &&
          !(
            !this.spaceBefore &&
            (this.previousKind === TokenKind.Word ||
              this.previousKind === TokenKind.QuotedIdentifier ||
              this.previousKind === TokenKind.CloseParen)
          )
        ) {
          let position = start + 1;
          while (position < text.length && isWordPart(text.charCodeAt(position))) position += 1;
          this.position = this.end = position;
          return TokenKind.Placeholder;
        }
        break;
      case Char.Percent:
        if (nextCode === Char.LowerS) {
          this.position = this.end = start + 2;
          return TokenKind.Placeholder;
        }
        if (nextCode === Char.OpenParen) {
          const close = text.indexOf(')', start + 2);
          if (close > 0 && close - start < 100 && text.charCodeAt(close + 1) === Char.LowerS) {
            this.position = this.end = close + 2;
            return TokenKind.Placeholder;
          }
        }
        break;
      case Char.OpenParen:
        this.position = this.end = start + 1;
        return TokenKind.OpenParen;
      case Char.CloseParen:
        this.position = this.end = start + 1;
        return TokenKind.CloseParen;
      case Char.Comma:
        this.position = this.end = start + 1;
        return TokenKind.Comma;
      case Char.Semicolon:
        this.position = this.end = start + 1;
        return TokenKind.Semicolon;
      case Char.Dot:
        this.position = this.end = start + 1;
        return TokenKind.Dot;
    }
    const pair = text.slice(start, start + 2);
    const width = pair.length === 2 && twoCharacterOperators.has(pair) ? 2 : 1;
    this.position = this.end = start + width;
    return TokenKind.Operator;
  }

  private lineComment(start: number): TokenKind {
    const text = this.text;
    let position = start;
    while (position < text.length) {
      const code = text.charCodeAt(position);
      if (code === Char.LineFeed || code === Char.CarriageReturn) break;
      position += 1;
    }
    this.position = this.end = position;
    return TokenKind.LineComment;
  }

  private blockComment(start: number): TokenKind {
    const text = this.text;
    const nested = this.rules.nestedBlockComments;
    let depth = 1;
    let position = start + 2;
    while (position < text.length) {
      const code = text.charCodeAt(position);
      if (code === Char.Star && text.charCodeAt(position + 1) === Char.Slash) {
        position += 2;
        depth -= 1;
        if (depth === 0) {
          this.position = this.end = position;
          return TokenKind.BlockComment;
        }
      } else if (nested && code === Char.Slash && text.charCodeAt(position + 1) === Char.Star) {
        position += 2;
        depth += 1;
      } else {
        position += 1;
      }
    }
    this.unterminated = true;
    this.position = this.end = text.length;
    return TokenKind.BlockComment;
  }

  private word(start: number): TokenKind {
    const text = this.text;
    let position = start + 1;
    while (position < text.length && isWordPart(text.charCodeAt(position))) position += 1;
    const code = position < text.length ? text.charCodeAt(position) : -1;
    // A string prefix: E'…' (Postgres escapes), N'…', B'…', X'…', BigQuery r'…' / b'…' / rb'…', U&'…'.
    if (
      position - start <= 2 &&
      (code === Char.Quote || (code === Char.DoubleQuote && !this.rules.doubleQuoteIsIdentifier))
    ) {
      const prefix = text.slice(start, position).toLowerCase();
      if (/^(?:e|n|b|x|r|rb|br)$/.test(prefix)) {
        const raw = prefix.includes('r');
        const escapes = prefix === 'e' || (this.rules.backslashEscapes && !raw);
        const kind = this.quoted(position, code, TokenKind.String, escapes);
        this.start = start;
        return kind;
      }
    }
    if (code === Char.Ampersand && position - start === 1 && text.charCodeAt(position + 1) === Char.Quote) {
      const kind = this.quoted(position + 1, Char.Quote, TokenKind.String, false);
      this.start = start;
      return kind;
    }
    // BigQuery project ids carry dashes (`my-project-1.dataset.table`); a dashed word directly before a dot is one.
    if (this.rules.dashedNames && code === Char.Minus) {
      let scan = position;
      while (
        scan < text.length &&
        text.charCodeAt(scan) === Char.Minus &&
        scan + 1 < text.length &&
        (isWordPart(text.charCodeAt(scan + 1)) || isDigit(text.charCodeAt(scan + 1)))
      ) {
        scan += 1;
        while (scan < text.length && isWordPart(text.charCodeAt(scan))) scan += 1;
      }
      if (scan > position && text.charCodeAt(scan) === Char.Dot) position = scan;
    }
    this.position = this.end = position;
    return TokenKind.Word;
  }

  private number(start: number): TokenKind {
    const text = this.text;
    let position = start + 1;
    while (position < text.length) {
      const code = text.charCodeAt(position);
      if (isDigit(code) || code === Char.Dot || code === Char.Underscore) {
        position += 1;
      } else if ((code === 101 || code === 69) && position + 1 < text.length) {
        // An exponent: 1e10, 1.5E-3.
        const after = text.charCodeAt(position + 1);
        if (isDigit(after)) position += 2;
        else if ((after === Char.Minus || after === 43) && isDigit(text.charCodeAt(position + 2)))
          position += 3;
        else break;
      } else if (
        (code === 120 || code === 88) &&
        position === start + 1 &&
        text.charCodeAt(start) === Char.Digit0
      ) {
        // 0x1F
        position += 1;
        while (position < text.length && /[0-9a-fA-F]/.test(text[position]!)) position += 1;
        break;
      } else {
        break;
      }
    }
    // `1d`, `2L`, `1.5BD` (Spark typed literals) and a BigQuery name like `123abc` stay one token.
    while (position < text.length && isWordStart(text.charCodeAt(position))) position += 1;
    this.position = this.end = position;
    return TokenKind.Number;
  }

  private placeholderDigits(position: number): TokenKind {
    const text = this.text;
    while (position < text.length && isDigit(text.charCodeAt(position))) position += 1;
    this.position = this.end = position;
    return TokenKind.Placeholder;
  }

  private quoted(start: number, quote: number, kind: TokenKind, escapes: boolean): TokenKind {
    const text = this.text;
    const length = text.length;
    if (
      this.rules.tripleQuotedStrings &&
      kind === TokenKind.String &&
      text.charCodeAt(start + 1) === quote &&
      text.charCodeAt(start + 2) === quote
    ) {
      const delimiter = text.slice(start, start + 3);
      let position = start + 3;
      for (;;) {
        const close = text.indexOf(delimiter, position);
        if (close < 0) break;
        let backslashes = 0;
        while (escapes && text.charCodeAt(close - 1 - backslashes) === Char.Backslash) backslashes += 1;
        if (backslashes % 2 === 0) {
          this.position = this.end = close + 3;
          return kind;
        }
        position = close + 1;
      }
      this.unterminated = true;
      this.position = this.end = length;
      return kind;
    }
    let position = start + 1;
    while (position < length) {
      const code = text.charCodeAt(position);
      if (code === quote) {
        if (text.charCodeAt(position + 1) === quote) {
          position += 2;
          continue;
        }
        this.position = this.end = position + 1;
        return kind;
      }
      position += escapes && code === Char.Backslash ? 2 : 1;
    }
    this.unterminated = true;
    this.position = this.end = length;
    return kind;
  }

  private dollarQuoted(start: number): TokenKind | null {
    const text = this.text;
    let tagEnd = start + 1;
    if (this.rules.dollarQuotes === 'tagged') {
      while (
        tagEnd < text.length &&
        isWordPart(text.charCodeAt(tagEnd)) &&
        text.charCodeAt(tagEnd) !== Char.Dollar
      ) {
        tagEnd += 1;
      }
    }
    if (text.charCodeAt(tagEnd) !== Char.Dollar) return null;
    const delimiter = text.slice(start, tagEnd + 1);
    const close = text.indexOf(delimiter, tagEnd + 1);
    if (close < 0) {
      this.unterminated = true;
      this.position = this.end = text.length;
    } else {
      this.position = this.end = close + delimiter.length;
    }
    return TokenKind.String;
  }
}

/** Whether the scanner's current token is the keyword `upperCaseKeyword` (compared without case). */
export function isKeyword(scanner: SqlTokenScanner, upperCaseKeyword: string): boolean {
  return scanner.isWord(upperCaseKeyword);
}

/** A token kept in a list, for the rare paths that look around (rewrites, fallbacks); the hot paths stream. */
export interface Token {
  readonly kind: TokenKind;
  readonly start: number;
  readonly end: number;
  /** Upper-cased text of a word; the raw text of anything else. */
  readonly text: string;
  readonly spaceBefore: boolean;
}

export function tokenize(text: string, rules: LexicalRules): Token[] {
  const scanner = new SqlTokenScanner(text, rules);
  const tokens: Token[] = [];
  for (;;) {
    const kind = scanner.next();
    if (kind === TokenKind.End) return tokens;
    const value = scanner.value;
    tokens.push({
      kind,
      start: scanner.start,
      end: scanner.end,
      text: kind === TokenKind.Word ? value.toUpperCase() : value,
      spaceBefore: scanner.spaceBefore,
    });
  }
}
