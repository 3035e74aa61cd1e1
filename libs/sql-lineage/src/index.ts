export * from './lineage.types.js';
export { analyzeSql, DEFAULT_MAX_STATEMENT_LENGTH } from './sql-lineage.analyzer.js';
export { initSqlLineage, isSqlParserReady, parserCrashCount } from './sql-parser.loader.js';
export { fingerprintSql, normalizeSqlForFingerprint } from './query.fingerprint.js';
export { parseQueryAttributions } from './query-attribution.parser.js';
export {
  isTemporaryByName,
  SessionLineageResolver,
  type ResolvedStatementLineage,
  type SessionLineageOptions,
} from './session-lineage.resolver.js';
export {
  lexicalRules,
  platformDialect,
  SQL_PLATFORMS,
  type LexicalRules,
  type ParserDialect,
} from './sql-dialect.js';
export { BIGQUERY_SHARD_SUFFIX, normalizeColumnName } from './table-name.resolver.js';
export { splitStatements, type SplitStatement } from './statement.splitter.js';
