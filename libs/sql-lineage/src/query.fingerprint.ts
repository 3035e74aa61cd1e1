import { hash } from 'node:crypto';
import type { SqlPlatform } from './lineage.types.js';
import { lexicalRules } from './sql-dialect.js';
import { SqlTokenScanner, TokenKind } from './sql-token.scanner.js';

/**
 * Keywords and common function names, folded to upper case in fingerprints of platforms whose identifiers keep
 * their case (BigQuery, ClickHouse, MySQL), so `select` and `SELECT` agree there while `Orders` and `orders` (two
 * tables) do not. On the other platforms every unquoted word is folded.
 */
const keywords: ReadonlySet<string> = new Set(
  `ALL ALTER AND ANY ARRAY AS ASC AT BETWEEN BY CASE CAST CLUSTER COLLATE COPY CREATE CROSS CUBE CURRENT CURRENT_DATE
  CURRENT_TIMESTAMP DATE DAY DEFAULT DELETE DESC DISTINCT DROP ELSE END ESCAPE EXCEPT EXCLUDE EXISTS EXTRACT FALSE
  FETCH FILTER FIRST FOLLOWING FOR FROM FULL FUNCTION GROUP GROUPING HAVING HOUR IF IGNORE ILIKE IN INNER INSERT
  INTERSECT INTERVAL INTO IS JOIN LAST LATERAL LEFT LIKE LIMIT MATCHED MERGE MINUS MINUTE MONTH NATURAL NOT NULL NULLS
  OFFSET ON OR ORDER OUTER OVER OVERWRITE PARTITION PIVOT PRECEDING QUALIFY RANGE RECURSIVE REPLACE RESPECT RIGHT
  ROLLUP ROW ROWS SECOND SELECT SET SETS SOME TABLE TABLESAMPLE TEMP TEMPORARY THEN TIMESTAMP TO TOP TRUE TRUNCATE
  UNBOUNDED UNION UNNEST UNPIVOT UPDATE USING VALUES VIEW WEEK WHEN WHERE WINDOW WITH WITHIN YEAR ZONE
  ABS AVG COALESCE CONCAT COUNT COUNTIF DATE_ADD DATE_DIFF DATE_SUB DATE_TRUNC DATEADD DATEDIFF FORMAT GREATEST IFNULL
  LEAST LENGTH LOWER LTRIM MAX MIN NULLIF NVL RANK ROUND ROW_NUMBER RTRIM SAFE_CAST SPLIT STRING_AGG SUBSTR SUBSTRING
  SUM TRIM TRY_CAST UPPER ARRAY_AGG ANY_VALUE DENSE_RANK LAG LEAD FIRST_VALUE LAST_VALUE STRUCT INT64 FLOAT64 STRING
  BOOL BOOLEAN NUMERIC DECIMAL INT INTEGER BIGINT SMALLINT FLOAT DOUBLE VARCHAR CHAR TEXT DATETIME TIME BYTES JSON
  FORMAT_DATE PARSE_DATE TIMESTAMP_TRUNC GENERATE_ARRAY`
    .split(/\s+/)
    .filter(Boolean),
);

/**
 * A literal-insensitive fingerprint of a statement (or script): the SHA-256 (hex) of its normalised token stream,
 * in the spirit of DataHub's `generalized_statement`:
 *
 * - comments are dropped (so a Hex or dbt attribution comment never changes the fingerprint: attribution is kept
 *   apart from the fingerprint by the caller);
 * - string and number literals and bind parameters become `?` (a unary minus before a number too);
 * - a parenthesised list of literals becomes `(?)` (IN lists, tuples), and repeated identical groups separated by
 *   commas are kept once (`VALUES (?), (?), (?)` → `VALUES (?)`);
 * - whitespace is collapsed; keywords are upper-cased; other unquoted words are upper-cased where the platform
 *   resolves them without case, and kept where it does not (two BigQuery tables `Orders` and `orders` differ);
 * - trailing semicolons are dropped.
 *
 * It is a token scan, not a parse, so it works on SQL the parser cannot read and is fast enough to run on every
 * history row. SHA-256 through the one-shot `crypto.hash` costs under a microsecond per statement (a third of
 * `createHash`), small next to the scan, and matches the digest DataHub uses for its query fingerprints.
 */
export function fingerprintSql(sql: string, platform: SqlPlatform): string {
  return hash('sha256', normalizeSqlForFingerprint(sql, platform), 'hex');
}

/** The normalised text that `fingerprintSql` hashes; exposed for debugging and tests. */
export function normalizeSqlForFingerprint(sql: string, platform: SqlPlatform): string {
  const rules = lexicalRules(platform);
  const foldAllWords = rules.unquotedWords === 'insensitive';
  const scanner = new SqlTokenScanner(sql, rules);
  const out: string[] = [];
  /** Per open parenthesis: where it is in `out` and whether everything inside is a literal. */
  const groupStart: number[] = [];
  const groupLiteralOnly: boolean[] = [];
  const groupHasLiteral: boolean[] = [];
  /** Per depth, where the last closed group started and ended in `out`, to drop an identical repeat. */
  const lastGroupStart: number[] = [];
  const lastGroupEnd: number[] = [];

  const markInside = (literal: boolean): void => {
    const top = groupStart.length - 1;
    if (top < 0) return;
    if (literal) groupHasLiteral[top] = true;
    else groupLiteralOnly[top] = false;
  };

  for (;;) {
    const kind = scanner.next();
    if (kind === TokenKind.End) break;
    switch (kind) {
      case TokenKind.Word: {
        const upper = scanner.upperValue;
        out.push(foldAllWords || keywords.has(upper) ? upper : scanner.value);
        markInside(false);
        break;
      }
      case TokenKind.QuotedIdentifier:
        out.push(scanner.value);
        markInside(false);
        break;
      case TokenKind.String:
      case TokenKind.Number:
      case TokenKind.Placeholder: {
        // A minus directly after an operator, a comma, an opening parenthesis or a keyword is a sign.
        const last = out.length - 1;
        if (kind === TokenKind.Number && last >= 0 && out[last] === '-' && isSignPosition(out[last - 1])) {
          out.length = last;
        }
        out.push('?');
        markInside(true);
        break;
      }
      case TokenKind.OpenParen:
        groupStart.push(out.length);
        groupLiteralOnly.push(true);
        groupHasLiteral.push(false);
        out.push('(');
        break;
      case TokenKind.CloseParen: {
        const start = groupStart.pop();
        const literalOnly = groupLiteralOnly.pop();
        const hasLiteral = groupHasLiteral.pop();
        if (start === undefined) {
          out.push(')');
          markInside(false);
          break;
        }
        out.push(')');
        if (literalOnly && hasLiteral) {
          out.length = start;
          out.push('(?)');
        }
        const depth = groupStart.length;
        if (
          start > 0 &&
          out[start - 1] === ',' &&
          lastGroupEnd[depth] === start - 1 &&
          sameTokens(out, lastGroupStart[depth]!, start - 1, start, out.length)
        ) {
          out.length = start - 1;
        } else {
          lastGroupStart[depth] = start;
          lastGroupEnd[depth] = out.length;
        }
        markInside(literalOnly === true && hasLiteral === true);
        break;
      }
      case TokenKind.Comma:
        out.push(',');
        break;
      case TokenKind.Semicolon:
        out.push(';');
        markInside(false);
        break;
      case TokenKind.Dot:
        out.push('.');
        markInside(false);
        break;
      default:
        out.push(scanner.value);
        markInside(false);
    }
  }
  while (out.length > 0 && out[out.length - 1] === ';') out.length -= 1;
  return out.join(' ');
}

function sameTokens(
  tokens: readonly string[],
  leftStart: number,
  leftEnd: number,
  rightStart: number,
  rightEnd: number,
): boolean {
  if (leftEnd - leftStart !== rightEnd - rightStart) return false;
  for (let offset = 0; offset < leftEnd - leftStart; offset += 1) {
    if (tokens[leftStart + offset] !== tokens[rightStart + offset]) return false;
  }
  return true;
}

function isSignPosition(previous: string | undefined): boolean {
  if (previous === undefined) return true;
  if (previous === '(' || previous === ',') return true;
  if (previous === '?') return false;
  const first = previous.charCodeAt(0);
  const isWord = (first >= 65 && first <= 90) || (first >= 97 && first <= 122) || first === 95;
  if (isWord) return keywords.has(previous.toUpperCase()) && previous !== 'END';
  // Operators: `=`, `<`, `+`, `*`… (a closing parenthesis or a quoted name ends an operand).
  return previous !== ')' && previous !== '(?)' && !previous.startsWith('"') && !previous.startsWith('`');
}
