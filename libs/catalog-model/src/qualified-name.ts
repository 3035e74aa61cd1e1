import { InvalidQualifiedNameError } from './errors.js';
import { identifierRules, type IdentifierRules } from './identifier-rules.js';
import { platformFromAdapter } from './platform-from-adapter.js';
import type { Platform } from './platform.js';

/** One part of a SQL qualified name, without its quotes; `quoted` tells whether it was written quoted. */
export interface QualifiedNamePart {
  readonly value: string;
  readonly quoted: boolean;
}

/** Upper bound on what we read, so a hostile statement cannot make the reader scan megabytes per name. */
const maximumQualifiedNameLength = 4096;

const quoteCharacters: ReadonlySet<string> = new Set(['"', '`', '[', ']']);

/** T-SQL lets a middle part be empty (`db..orders` = `db.<default schema>.orders`). */
const platformsWithEmptyMiddleParts: ReadonlySet<Platform> = new Set(['mssql', 'synapse', 'fabric']);

/**
 * Splits a SQL qualified name into its parts with the platform's quoting rules, so that `"My DB".public."Orders"`,
 * `` `proj`.`ds`.`t` `` and `[db].[dbo].[t]` all come apart the same way:
 *
 * - quote characters: `"` (Snowflake, Postgres, Redshift, DuckDB, Trino, Oracle), `` ` `` (BigQuery, Databricks, Hive),
 *   both (MySQL, MariaDB, ClickHouse, Athena), `[…]` and `"` (SQL Server, Synapse, Fabric);
 * - a doubled closing character inside quotes stands for itself (`"a""b"` is `a"b`, `[a]]b]` is `a]b`);
 *   BigQuery also accepts a backslash escape (`` `a\`b` ``);
 * - whitespace around the dots is ignored;
 * - BigQuery: a quoted path (`` `proj.ds.t` ``) is split at its dots, and a domain-scoped project
 *   (`` `example.com:proj`.ds.t ``) stays one part.
 *
 * Values are returned as written (no case folding): `datasetId` folds them with the quoted flags.
 * `platform` may be a dbt adapter type. Throws `InvalidQualifiedNameError` on an empty part, an unterminated
 * quote, or a stray character.
 */
export function splitQualifiedName(platform: Platform | string, text: string): QualifiedNamePart[] {
  const resolvedPlatform = platformFromAdapter(platform);
  const rules = identifierRules(resolvedPlatform);
  if (typeof text !== 'string')
    throw new InvalidQualifiedNameError('a qualified name must be a string', text);
  if (text.length > maximumQualifiedNameLength) {
    throw new InvalidQualifiedNameError(`longer than ${maximumQualifiedNameLength} characters`, text);
  }
  const reader = new IdentifierReader(rules, text);
  const parts: QualifiedNamePart[] = [];
  reader.skipWhitespace();
  if (reader.atEnd()) throw new InvalidQualifiedNameError('the name is empty', text);
  for (;;) {
    if (reader.peek() === '.' && parts.length > 0 && platformsWithEmptyMiddleParts.has(resolvedPlatform)) {
      parts.push({ value: '', quoted: false });
    } else {
      parts.push(...expandBigQueryPath(resolvedPlatform, reader.readPart(), parts.length === 0, text));
    }
    reader.skipWhitespace();
    if (reader.atEnd()) break;
    if (reader.peek() !== '.') {
      throw new InvalidQualifiedNameError(
        `unexpected ${JSON.stringify(reader.peek())} at position ${reader.position}; parts are separated by "."`,
        text,
      );
    }
    reader.advance();
    reader.skipWhitespace();
    if (reader.atEnd()) throw new InvalidQualifiedNameError('the name ends with "."', text);
  }
  return parts;
}

/**
 * Reads one identifier that may carry the platform's quotes (`"Orders"`, `` `Orders` ``, `[Orders]`) and
 * returns it unquoted. Unquoted text is returned trimmed but otherwise as is (it may contain dots: it is
 * one identifier, not a path). Throws `InvalidQualifiedNameError` for an unterminated quote or for text
 * after the closing quote.
 */
export function parseIdentifier(platform: Platform | string, text: string): QualifiedNamePart {
  const rules = identifierRules(platformFromAdapter(platform));
  const trimmed = text.trim();
  if (trimmed === '' || !rules.quotes.has(trimmed[0]!)) return { value: trimmed, quoted: false };
  const reader = new IdentifierReader(rules, trimmed);
  const part = reader.readPart();
  if (!reader.atEnd()) {
    throw new InvalidQualifiedNameError(
      `unexpected ${JSON.stringify(reader.peek())} after the closing quote at position ${reader.position}; pass one identifier`,
      text,
    );
  }
  return part;
}

class IdentifierReader {
  position = 0;

  constructor(
    private readonly rules: IdentifierRules,
    private readonly text: string,
  ) {}

  atEnd(): boolean {
    return this.position >= this.text.length;
  }

  peek(): string {
    return this.text[this.position]!;
  }

  advance(): void {
    this.position += 1;
  }

  skipWhitespace(): void {
    while (!this.atEnd() && /\s/.test(this.peek())) this.advance();
  }

  readPart(): QualifiedNamePart {
    const closer = this.rules.quotes.get(this.peek());
    return closer === undefined ? this.readUnquoted() : this.readQuoted(closer);
  }

  private readQuoted(closer: string): QualifiedNamePart {
    const start = this.position;
    const allowsBackslashEscape = this.rules.platform === 'bigquery';
    this.advance();
    let value = '';
    for (;;) {
      if (this.atEnd()) {
        throw new InvalidQualifiedNameError(`the quote opened at position ${start} is not closed`, this.text);
      }
      const character = this.peek();
      this.advance();
      if (allowsBackslashEscape && character === '\\' && !this.atEnd()) {
        value += this.peek();
        this.advance();
      } else if (character === closer) {
        if (!this.atEnd() && this.peek() === closer) {
          value += closer;
          this.advance();
        } else {
          break;
        }
      } else {
        value += character;
      }
    }
    if (value === '') {
      throw new InvalidQualifiedNameError(`empty quoted identifier at position ${start}`, this.text);
    }
    return { value, quoted: true };
  }

  private readUnquoted(): QualifiedNamePart {
    const start = this.position;
    while (!this.atEnd()) {
      const character = this.peek();
      if (character === '.' || /\s/.test(character)) break;
      // No dialect allows these in an unquoted name; one here means a quote the platform does not use.
      if (quoteCharacters.has(character)) {
        throw new InvalidQualifiedNameError(
          `quote character ${JSON.stringify(character)} inside an unquoted identifier at position ${this.position}`,
          this.text,
        );
      }
      this.advance();
    }
    if (this.position === start) {
      throw new InvalidQualifiedNameError(`empty part at position ${start}`, this.text);
    }
    return { value: this.text.slice(start, this.position), quoted: false };
  }
}

/**
 * BigQuery lets one pair of backticks wrap a whole path; table, dataset and project names cannot contain a dot,
 * except a domain-scoped project id (`example.com:my-project`), whose dots end at the colon.
 */
function expandBigQueryPath(
  platform: Platform,
  part: QualifiedNamePart,
  isFirstPart: boolean,
  text: string,
): QualifiedNamePart[] {
  if (platform !== 'bigquery' || !part.quoted || !part.value.includes('.')) return [part];
  let pieces = part.value.split('.');
  const domainEnd = pieces.findIndex((piece) => piece.includes(':'));
  if (isFirstPart && domainEnd > 0) {
    pieces = [pieces.slice(0, domainEnd + 1).join('.'), ...pieces.slice(domainEnd + 1)];
  }
  if (pieces.some((piece) => piece === '')) {
    throw new InvalidQualifiedNameError(
      `empty part inside the quoted path ${JSON.stringify(part.value)}`,
      text,
    );
  }
  return pieces.map((value) => ({ value, quoted: true }));
}
