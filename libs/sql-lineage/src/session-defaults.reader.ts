import type { SqlContext } from './lineage.types.js';
import { lexicalRules } from './sql-dialect.js';
import { tokenize, TokenKind, type Token } from './sql-token.scanner.js';

export interface SessionDefaults {
  readonly defaultDatabase?: string | null;
  readonly defaultSchema?: string | null;
}

/**
 * How a `USE …` or `SET search_path …` statement changes the session's default database and schema, or null when
 * the statement is not one of those (or changes something else: `USE WAREHOUSE`, `USE ROLE`). Names are returned
 * as written, quotes included, as `SqlContext` takes them.
 *
 * - Snowflake: `USE [DATABASE] db` (the schema becomes PUBLIC), `USE SCHEMA [db.]schema`, `USE db.schema`.
 * - Databricks: `USE CATALOG c`, `USE [SCHEMA|DATABASE] [c.]schema`.
 * - MySQL, MariaDB, ClickHouse, Hive: `USE db` (their one namespace level, the schema slot).
 * - Athena, Trino, DuckDB: `USE [catalog.]schema`.
 * - Postgres, Redshift: `SET search_path TO a, b` (the first schema that is not `$user`).
 */
export function sessionDefaultsAfter(text: string, context: SqlContext): SessionDefaults | null {
  const tokens = tokenize(text, lexicalRules(context.platform));
  const first = tokens[0];
  if (first?.kind !== TokenKind.Word) return null;
  if (first.text === 'SET') return searchPath(text, tokens, context);
  if (first.text !== 'USE') return null;
  let index = 1;
  let keyword = '';
  const second = tokens[1];
  if (
    second?.kind === TokenKind.Word &&
    ['DATABASE', 'SCHEMA', 'CATALOG'].includes(second.text) &&
    tokens.length > 2
  ) {
    keyword = second.text;
    index = 2;
  } else if (second?.kind === TokenKind.Word && ['ROLE', 'WAREHOUSE', 'SECONDARY'].includes(second.text)) {
    return null;
  }
  const name = dottedName(text, tokens, index);
  if (name === null || name.length > 2) return null;
  switch (context.platform) {
    case 'snowflake':
      if (keyword === 'SCHEMA' || name.length === 2) {
        return name.length === 2
          ? { defaultDatabase: name[0], defaultSchema: name[1] }
          : { defaultSchema: name[0] };
      }
      return { defaultDatabase: name[0], defaultSchema: 'PUBLIC' };
    case 'databricks':
      if (keyword === 'CATALOG') return name.length === 1 ? { defaultDatabase: name[0] } : null;
      return name.length === 2
        ? { defaultDatabase: name[0], defaultSchema: name[1] }
        : { defaultSchema: name[0] };
    case 'mysql':
    case 'mariadb':
    case 'clickhouse':
    case 'hive':
      return name.length === 1 ? { defaultSchema: name[0] } : null;
    case 'athena':
    case 'trino':
    case 'duckdb':
      return name.length === 2
        ? { defaultDatabase: name[0], defaultSchema: name[1] }
        : { defaultSchema: name[0] };
    default:
      return null;
  }
}

function searchPath(text: string, tokens: readonly Token[], context: SqlContext): SessionDefaults | null {
  if (context.platform !== 'postgres' && context.platform !== 'redshift') return null;
  let index = 1;
  if (tokens[index]?.text === 'SESSION' || tokens[index]?.text === 'LOCAL') index += 1;
  if (tokens[index]?.text !== 'SEARCH_PATH') return null;
  index += 1;
  if (tokens[index]?.text === 'TO' || tokens[index]?.text === '=') index += 1;
  for (; index < tokens.length; index += 1) {
    const token = tokens[index]!;
    if (token.kind === TokenKind.Comma) continue;
    const raw = text.slice(token.start, token.end);
    if (token.kind === TokenKind.String) {
      const value = raw.slice(1, -1);
      if (value !== '$user') return { defaultSchema: `"${value.replaceAll('"', '""')}"` };
      continue;
    }
    if (token.kind === TokenKind.QuotedIdentifier && raw === '"$user"') continue;
    if (token.kind === TokenKind.Word || token.kind === TokenKind.QuotedIdentifier)
      return { defaultSchema: raw };
    return null;
  }
  return null;
}

/** The parts of a dotted name starting at `index`, each as written (quotes kept), when it is the whole rest. */
function dottedName(text: string, tokens: readonly Token[], index: number): string[] | null {
  const parts: string[] = [];
  let position = index;
  for (;;) {
    const token = tokens[position];
    if (token === undefined || (token.kind !== TokenKind.Word && token.kind !== TokenKind.QuotedIdentifier))
      return null;
    parts.push(text.slice(token.start, token.end));
    position += 1;
    if (position === tokens.length) return parts;
    if (tokens[position]!.kind !== TokenKind.Dot) return null;
    position += 1;
  }
}
