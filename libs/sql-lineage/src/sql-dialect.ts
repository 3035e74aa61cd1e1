import type { SqlPlatform } from './lineage.types.js';

/** The sqlparser-rs dialect names this library uses (a subset of what `@guanmingchiu/sqlparser-ts` accepts). */
export type ParserDialect =
  | 'snowflake'
  | 'bigquery'
  | 'redshift'
  | 'databricks'
  | 'hive'
  | 'postgresql'
  | 'mysql'
  | 'clickhouse'
  | 'duckdb'
  | 'generic';

/**
 * How a platform's SQL text is tokenised, for everything that reads SQL without the parser (statement
 * splitting, fingerprints, comment detection). Getting a quote wrong would make a scanner run past the end
 * of a string and merge statements, so each flag follows the platform's documented lexical rules.
 */
export interface LexicalRules {
  /** `"…"` is an identifier (ANSI); otherwise it is a string literal (BigQuery, MySQL, Spark/Hive). */
  readonly doubleQuoteIsIdentifier: boolean;
  /** `` `…` `` quotes identifiers. */
  readonly backtickIdentifiers: boolean;
  /** A backslash escapes the next character inside string literals. */
  readonly backslashEscapes: boolean;
  /** `$$…$$` (Snowflake, DuckDB) or `$tag$…$tag$` (Postgres, Redshift) quote a string. */
  readonly dollarQuotes: 'none' | 'plain' | 'tagged';
  /** `# …` starts a line comment (MySQL, BigQuery, ClickHouse). */
  readonly hashComments: boolean;
  /** `// …` starts a line comment (Snowflake). */
  readonly slashComments: boolean;
  /** Block comments nest (`/* a /* b *\/ c *\/`), as in Postgres. */
  readonly nestedBlockComments: boolean;
  /** BigQuery triple-quoted strings (`'''…'''`, `"""…"""`). */
  readonly tripleQuotedStrings: boolean;
  /** Unquoted names may carry dashes (BigQuery project ids: `my-project-1.dataset.table`). */
  readonly dashedNames: boolean;
  /**
   * How unquoted words compare: `insensitive` platforms resolve every unquoted identifier without case, so a
   * fingerprint can fold all words; `sensitive` ones (BigQuery tables, ClickHouse, MySQL on Linux) keep the case
   * of identifiers and only keywords are folded.
   */
  readonly unquotedWords: 'insensitive' | 'sensitive';
}

interface DialectDefinition {
  readonly parser: ParserDialect;
  readonly lexical: LexicalRules;
}

const ansi: LexicalRules = {
  doubleQuoteIsIdentifier: true,
  backtickIdentifiers: false,
  backslashEscapes: false,
  dollarQuotes: 'none',
  hashComments: false,
  slashComments: false,
  nestedBlockComments: false,
  tripleQuotedStrings: false,
  dashedNames: false,
  unquotedWords: 'insensitive',
};

const definitions: Record<SqlPlatform, DialectDefinition> = {
  snowflake: {
    parser: 'snowflake',
    lexical: { ...ansi, backslashEscapes: true, dollarQuotes: 'plain', slashComments: true },
  },
  bigquery: {
    parser: 'bigquery',
    lexical: {
      ...ansi,
      doubleQuoteIsIdentifier: false,
      backtickIdentifiers: true,
      backslashEscapes: true,
      hashComments: true,
      tripleQuotedStrings: true,
      dashedNames: true,
      unquotedWords: 'sensitive',
    },
  },
  redshift: { parser: 'redshift', lexical: { ...ansi, backslashEscapes: true, dollarQuotes: 'tagged' } },
  postgres: { parser: 'postgresql', lexical: { ...ansi, dollarQuotes: 'tagged', nestedBlockComments: true } },
  duckdb: { parser: 'duckdb', lexical: { ...ansi, dollarQuotes: 'plain', nestedBlockComments: true } },
  databricks: {
    parser: 'databricks',
    lexical: { ...ansi, doubleQuoteIsIdentifier: false, backtickIdentifiers: true, backslashEscapes: true },
  },
  hive: {
    parser: 'hive',
    lexical: { ...ansi, doubleQuoteIsIdentifier: false, backtickIdentifiers: true, backslashEscapes: true },
  },
  mysql: {
    parser: 'mysql',
    lexical: {
      ...ansi,
      doubleQuoteIsIdentifier: false,
      backtickIdentifiers: true,
      backslashEscapes: true,
      hashComments: true,
      unquotedWords: 'sensitive',
    },
  },
  mariadb: {
    parser: 'mysql',
    lexical: {
      ...ansi,
      doubleQuoteIsIdentifier: false,
      backtickIdentifiers: true,
      backslashEscapes: true,
      hashComments: true,
      unquotedWords: 'sensitive',
    },
  },
  clickhouse: {
    parser: 'clickhouse',
    lexical: {
      ...ansi,
      backtickIdentifiers: true,
      backslashEscapes: true,
      hashComments: true,
      unquotedWords: 'sensitive',
    },
  },
  // Athena DML is Trino SQL; its DDL is Hive's (backticks). sqlparser-rs has no Trino dialect, and its generic
  // dialect accepts both quote styles and Trino's functions and lambdas.
  athena: { parser: 'generic', lexical: { ...ansi, backtickIdentifiers: true } },
  trino: { parser: 'generic', lexical: ansi },
};

/** The sqlparser-rs dialect that reads a platform's SQL. */
export function platformDialect(platform: SqlPlatform): ParserDialect {
  return dialectDefinition(platform).parser;
}

export function lexicalRules(platform: SqlPlatform): LexicalRules {
  return dialectDefinition(platform).lexical;
}

function dialectDefinition(platform: SqlPlatform): DialectDefinition {
  const definition = definitions[platform];
  // Unreachable for a typed caller; guards JavaScript callers and values read from a database.
  if (!definition) throw new Error(`sql-lineage does not read SQL of platform ${JSON.stringify(platform)}`);
  return definition;
}

export const SQL_PLATFORMS: readonly SqlPlatform[] = Object.keys(definitions) as SqlPlatform[];
