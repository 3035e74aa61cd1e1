/*
 * Tolerant readers for sqlparser-rs' serde AST. The AST is plain JSON whose shape changes between parser
 * releases (for example `ObjectName` parts became `{ Identifier: … }` objects), so every reader accepts the shapes
 * seen so far and answers `null`/`undefined` instead of throwing on anything else.
 */

export type AstObject = Record<string, unknown>;

/** One identifier of a name, without its quotes; `quoted` tells whether it was written quoted. */
export interface NamePart {
  readonly value: string;
  readonly quoted: boolean;
}

export function isAstObject(value: unknown): value is AstObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function asArray(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

/** `{ value, quote_style }` → a name part. */
export function identPart(ident: unknown): NamePart | null {
  if (!isAstObject(ident) || typeof ident.value !== 'string') return null;
  const quote = ident.quote_style;
  return { value: ident.value, quoted: typeof quote === 'string' && quote !== '' };
}

/**
 * An `ObjectName` (array of parts). Snowflake's `IDENTIFIER('db.schema.table')` with a string literal is read as
 * the name the literal spells; any other computed part (`IDENTIFIER($variable)`) makes the name unknown (`null`).
 */
export function objectNameParts(name: unknown): NamePart[] | null {
  if (!Array.isArray(name) || name.length === 0) return null;
  const parts: NamePart[] = [];
  for (const part of name) {
    if (!isAstObject(part)) return null;
    if (isAstObject(part.Identifier)) {
      const ident = identPart(part.Identifier);
      if (ident === null) return null;
      parts.push(ident);
    } else if (typeof part.value === 'string') {
      parts.push(identPart(part)!);
    } else if (isAstObject(part.Function)) {
      const literal = identifierFunctionLiteral(part.Function);
      if (literal === null) return null;
      parts.push(...literal);
    } else {
      return null;
    }
  }
  return parts;
}

/** `IDENTIFIER('a.b.c')` → its parts, split at dots outside double quotes. */
function identifierFunctionLiteral(call: AstObject): NamePart[] | null {
  const functionName = identPart(call.name);
  if (functionName === null || functionName.value.toUpperCase() !== 'IDENTIFIER') return null;
  const args = asArray(call.args);
  if (args.length !== 1) return null;
  const literal = stringLiteralOf(unnamedArgumentExpression(args[0]));
  if (literal === null) return null;
  return splitDottedName(literal);
}

/** Splits `db."My Schema".t` into parts; double quotes protect dots and keep case. */
export function splitDottedName(text: string): NamePart[] | null {
  const parts: NamePart[] = [];
  let index = 0;
  while (index <= text.length) {
    if (text[index] === '"') {
      let value = '';
      index += 1;
      for (;;) {
        if (index >= text.length) return null;
        if (text[index] === '"') {
          if (text[index + 1] === '"') {
            value += '"';
            index += 2;
            continue;
          }
          index += 1;
          break;
        }
        value += text[index];
        index += 1;
      }
      parts.push({ value, quoted: true });
    } else {
      const dot = text.indexOf('.', index);
      const end = dot < 0 ? text.length : dot;
      const value = text.slice(index, end).trim();
      if (value === '') return null;
      parts.push({ value, quoted: false });
      index = end;
    }
    if (index >= text.length) return parts;
    if (text[index] !== '.') return null;
    index += 1;
  }
  return parts;
}

/** `{ Unnamed: { Expr: e } }` / `{ Named: { arg: { Expr: e } } }` → e. */
export function unnamedArgumentExpression(argument: unknown): unknown {
  if (!isAstObject(argument)) return undefined;
  const inner = argument.Unnamed ?? (isAstObject(argument.Named) ? argument.Named.arg : undefined);
  if (isAstObject(inner) && 'Expr' in inner) return inner.Expr;
  return inner;
}

/** The text of a string literal expression (`'…'`, `"…"` where that is a string, `$$…$$`), else null. */
export function stringLiteralOf(expression: unknown): string | null {
  if (!isAstObject(expression) || !isAstObject(expression.Value)) return null;
  const wrapped = expression.Value;
  const value = isAstObject(wrapped.value) ? wrapped.value : wrapped;
  for (const key of [
    'SingleQuotedString',
    'DoubleQuotedString',
    'TripleSingleQuotedString',
    'TripleDoubleQuotedString',
    'NationalStringLiteral',
    'EscapedStringLiteral',
    'SingleQuotedRawStringLiteral',
    'DoubleQuotedRawStringLiteral',
  ]) {
    if (typeof value[key] === 'string') return value[key];
  }
  if (isAstObject(value.DollarQuotedString) && typeof value.DollarQuotedString.value === 'string') {
    return value.DollarQuotedString.value;
  }
  return null;
}

/** The single key of an externally tagged serde enum value (`{ Select: {...} }` → `Select`). */
export function variantOf(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (!isAstObject(value)) return null;
  for (const key in value) return key;
  return null;
}

/** Whether an object is a `Query` node (`WITH … body … ORDER BY … LIMIT`). */
export function isQueryNode(value: unknown): value is AstObject & { readonly body: AstObject } {
  return (
    isAstObject(value) &&
    isAstObject(value.body) &&
    ('pipe_operators' in value || 'locks' in value || 'with' in value)
  );
}
