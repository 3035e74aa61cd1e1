import type { NamePart } from './ast.readers.js';
import type { SqlPlatform, StatementType } from './lineage.types.js';
import { lexicalRules } from './sql-dialect.js';
import { tokenize, TokenKind, type Token } from './sql-token.scanner.js';

/*
 * The frame of a write statement read from its tokens, for statements sqlparser-rs cannot parse as a whole
 * (`CREATE TABLE … DISTKEY (…) AS SELECT`, `CREATE MATERIALIZED VIEW … ENGINE = … AS SELECT`, Databricks
 * `MERGE … UPDATE SET *`, `LOAD DATA`…). Only fixed grammar positions are read — the name after TABLE/VIEW/INTO,
 * the query after the top-level AS, the relation after USING — and the embedded query is then parsed on its own,
 * so a target is never guessed from an arbitrary word.
 */

export interface StatementStructure {
  readonly type: StatementType;
  readonly target: NamePart[] | null;
  readonly temporary: boolean;
  /** `INSERT INTO t (a, b)` / `CREATE TABLE t (a, b) AS`: the target's columns by position. */
  readonly columnNames: NamePart[] | null;
  /** The text of the query whose result is written (or, for MERGE, read), to parse on its own. */
  readonly query: string | null;
  /** A relation read by name (MERGE … USING t). */
  readonly source: NamePart[] | null;
  /** Databricks `CREATE GLOBAL TEMPORARY VIEW`: lives in the `global_temp` schema. */
  readonly globalTemporary: boolean;
}

const temporaryWords: ReadonlySet<string> = new Set(['TEMP', 'TEMPORARY', 'VOLATILE']);

/** The structure of a CREATE … AS / INSERT / MERGE / COPY INTO / LOAD DATA statement, or null. */
export function readStatementStructure(text: string, platform: SqlPlatform): StatementStructure | null {
  const tokens = tokenize(text, lexicalRules(platform));
  const reader = new StructureReader(text, tokens);
  switch (tokens[0]?.kind === TokenKind.Word ? tokens[0].text : '') {
    case 'CREATE':
      return reader.create();
    case 'INSERT':
      return reader.insert();
    case 'MERGE':
      return reader.merge();
    case 'COPY':
      return reader.copyInto();
    case 'LOAD':
      return reader.loadData();
    default:
      return null;
  }
}

class StructureReader {
  constructor(
    private readonly text: string,
    private readonly tokens: readonly Token[],
  ) {}

  create(): StatementStructure | null {
    let index = 1;
    let temporary = false;
    let globalTemporary = false;
    let kind: 'TABLE' | 'VIEW' | null = null;
    for (; index < Math.min(this.tokens.length, 12); index += 1) {
      const word = this.word(index);
      if (word === 'TABLE' || word === 'VIEW') {
        kind = word;
        break;
      }
      if (temporaryWords.has(word)) temporary = true;
      if (word === 'GLOBAL' && temporaryWords.has(this.word(index + 1))) globalTemporary = true;
      if (word === '') return null;
    }
    if (kind === null) return null;
    index += 1;
    if (this.word(index) === 'IF' && this.word(index + 1) === 'NOT' && this.word(index + 2) === 'EXISTS')
      index += 3;
    const name = this.name(index);
    if (name === null) return null;
    index = name.next;
    let target = name.parts;
    let columnNames: NamePart[] | null = null;
    if (this.tokens[index]?.kind === TokenKind.OpenParen) {
      columnNames = this.identifierList(index);
    }
    let query: string | null = null;
    let depth = 0;
    for (let position = index; position < this.tokens.length; position += 1) {
      const token = this.tokens[position]!;
      if (token.kind === TokenKind.OpenParen) depth += 1;
      else if (token.kind === TokenKind.CloseParen) depth -= 1;
      if (depth !== 0 || token.kind !== TokenKind.Word) continue;
      // ClickHouse `CREATE MATERIALIZED VIEW mv TO target …` writes into target.
      if (token.text === 'TO' && kind === 'VIEW') {
        const to = this.name(position + 1);
        if (to !== null) target = to.parts;
      }
      if (token.text === 'AS' && this.startsQuery(position + 1)) {
        query = this.text.slice(this.tokens[position + 1]!.start);
        break;
      }
    }
    const hash = target[target.length - 1]!.value.startsWith('#');
    return {
      type: kind === 'VIEW' ? 'create_view' : query === null ? 'create_table' : 'create_table_as_select',
      target,
      temporary: temporary || globalTemporary || hash,
      columnNames,
      query,
      source: null,
      globalTemporary,
    };
  }

  insert(): StatementStructure | null {
    let index = 1;
    let sawTarget = false;
    for (; index < Math.min(this.tokens.length, 8); index += 1) {
      const word = this.word(index);
      if (word === 'INTO' || word === 'OVERWRITE') {
        sawTarget = true;
        index += 1;
        if (this.word(index) === 'INTO' || this.word(index) === 'TABLE') index += 1;
        break;
      }
    }
    if (!sawTarget) return null;
    const name = this.name(index);
    if (name === null) return null;
    index = name.next;
    let columnNames: NamePart[] | null = null;
    let query: string | null = null;
    let depth = 0;
    for (let position = index; position < this.tokens.length; position += 1) {
      const token = this.tokens[position]!;
      if (token.kind === TokenKind.OpenParen) {
        if (depth === 0 && columnNames === null && query === null) {
          const list = this.identifierList(position);
          if (list !== null && !this.startsQuery(position + 1)) {
            columnNames = list;
          } else if (this.startsQuery(position + 1)) {
            query = this.text.slice(token.start);
            break;
          }
        }
        depth += 1;
      } else if (token.kind === TokenKind.CloseParen) {
        depth -= 1;
      } else if (depth === 0 && this.startsQuery(position)) {
        query = this.text.slice(token.start);
        break;
      }
    }
    return {
      type: 'insert',
      target: name.parts,
      temporary: name.parts[name.parts.length - 1]!.value.startsWith('#'),
      columnNames,
      query,
      source: null,
      globalTemporary: false,
    };
  }

  merge(): StatementStructure | null {
    if (this.word(1) !== 'INTO') return null;
    const name = this.name(2);
    if (name === null) return null;
    let depth = 0;
    for (let position = name.next; position < this.tokens.length; position += 1) {
      const token = this.tokens[position]!;
      if (token.kind === TokenKind.OpenParen) depth += 1;
      else if (token.kind === TokenKind.CloseParen) depth -= 1;
      if (depth !== 0 || token.kind !== TokenKind.Word || token.text !== 'USING') continue;
      const next = this.tokens[position + 1];
      if (next?.kind === TokenKind.OpenParen) {
        const close = this.matchingParen(position + 1);
        if (close === null) return null;
        const query = this.text.slice(this.tokens[position + 2]!.start, this.tokens[close]!.start);
        return { ...this.write('merge', name.parts), query };
      }
      const source = this.name(position + 1);
      return source === null ? null : { ...this.write('merge', name.parts), source: source.parts };
    }
    return null;
  }

  copyInto(): StatementStructure | null {
    if (this.word(1) !== 'INTO') return null;
    const into = this.tokens[2];
    // `COPY INTO @stage …` unloads: the query after FROM is read, nothing is written.
    const unload = into !== undefined && into.kind === TokenKind.Operator && into.text === '@';
    const name = unload ? null : this.name(2);
    if (!unload && name === null) return null;
    let query: string | null = null;
    for (let position = 2; position < this.tokens.length; position += 1) {
      if (this.word(position) === 'FROM' && this.tokens[position + 1]?.kind === TokenKind.OpenParen) {
        const close = this.matchingParen(position + 1);
        if (close !== null && this.startsQuery(position + 2)) {
          query = this.text.slice(this.tokens[position + 2]!.start, this.tokens[close]!.start);
        }
        break;
      }
    }
    return { ...this.write('copy', name?.parts ?? null), query };
  }

  loadData(): StatementStructure | null {
    if (this.word(1) !== 'DATA') return null;
    for (let position = 2; position < this.tokens.length; position += 1) {
      if (this.word(position) !== 'INTO') continue;
      const start = this.word(position + 1) === 'TABLE' ? position + 2 : position + 1;
      const name = this.name(start);
      return name === null ? null : this.write('copy', name.parts);
    }
    return null;
  }

  private write(type: StatementType, target: NamePart[] | null): StatementStructure {
    return {
      type,
      target,
      temporary: false,
      columnNames: null,
      query: null,
      source: null,
      globalTemporary: false,
    };
  }

  private word(index: number): string {
    const token = this.tokens[index];
    return token !== undefined && token.kind === TokenKind.Word ? token.text : '';
  }

  private startsQuery(index: number): boolean {
    const word = this.word(index);
    if (word === 'SELECT' || word === 'WITH' || word === 'VALUES' || word === 'FROM') return true;
    return this.tokens[index]?.kind === TokenKind.OpenParen && this.startsQuery(index + 1);
  }

  private matchingParen(open: number): number | null {
    let depth = 0;
    for (let index = open; index < this.tokens.length; index += 1) {
      const kind = this.tokens[index]!.kind;
      if (kind === TokenKind.OpenParen) depth += 1;
      else if (kind === TokenKind.CloseParen && --depth === 0) return index;
    }
    return null;
  }

  /** `( a, "b", c )` → its names, or null when it holds anything else. */
  private identifierList(open: number): NamePart[] | null {
    const close = this.matchingParen(open);
    if (close === null) return null;
    const names: NamePart[] = [];
    for (let index = open + 1; index < close; index += 2) {
      const part = this.part(this.tokens[index]);
      if (part === null) return null;
      names.push(part);
      const separator = this.tokens[index + 1]!;
      if (index + 1 < close && separator.kind !== TokenKind.Comma) return null;
    }
    return names.length > 0 ? names : null;
  }

  /** A dotted name starting at `index`. */
  private name(index: number): { parts: NamePart[]; next: number } | null {
    const parts: NamePart[] = [];
    let position = index;
    for (;;) {
      const part = this.part(this.tokens[position]);
      if (part === null) return null;
      parts.push(part);
      position += 1;
      if (this.tokens[position]?.kind !== TokenKind.Dot) return { parts, next: position };
      position += 1;
    }
  }

  private part(token: Token | undefined): NamePart | null {
    if (token === undefined) return null;
    const raw = this.text.slice(token.start, token.end);
    if (token.kind === TokenKind.Word) return { value: raw, quoted: false };
    if (token.kind !== TokenKind.QuotedIdentifier || raw.length < 2) return null;
    const quote = raw[0]!;
    return { value: raw.slice(1, -1).replaceAll(`${quote}${quote}`, quote), quoted: true };
  }
}
