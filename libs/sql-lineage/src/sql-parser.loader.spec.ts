import { analyzeSql } from './sql-lineage.analyzer.js';
import {
  initSqlLineage,
  isSqlParserReady,
  ParserCrashError,
  parserCrashCount,
  parseSqlAst,
  SqlSyntaxError,
} from './sql-parser.loader.js';

/** An OR chain this long overflows the WebAssembly stack when its AST is converted (about 700 levels). */
const crashingStatement = `SELECT 1 FROM t WHERE ${Array.from({ length: 3_000 }, (_, index) => `a = ${index}`).join(' OR ')}`;

describe('SQL parser loading', () => {
  it('refuses to analyse before initSqlLineage() and says what to do', () => {
    expect(isSqlParserReady()).toBe(false);
    expect(() => analyzeSql('SELECT 1', { platform: 'postgres' })).toThrow(/await initSqlLineage\(\)/);
  });

  it('loads once, however often it is awaited', async () => {
    await Promise.all([initSqlLineage(), initSqlLineage()]);
    expect(isSqlParserReady()).toBe(true);
    expect(parseSqlAst('SELECT a FROM t', 'postgresql')).toHaveLength(1);
  });

  it('reports syntax errors with their position', () => {
    let caught: unknown;
    try {
      parseSqlAst('SELECT * FROM t WHERE ) x', 'postgresql');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SqlSyntaxError);
    expect((caught as SqlSyntaxError).line).toBe(1);
    expect((caught as SqlSyntaxError).column).toBeGreaterThan(1);
  });

  it('replaces a crashed parser instance so the next statement parses, and restarts after running out of spares', async () => {
    await initSqlLineage();
    const before = parserCrashCount();
    expect(() => parseSqlAst(crashingStatement, 'snowflake')).toThrow(ParserCrashError);
    expect(parserCrashCount()).toBe(before + 1);
    expect(parseSqlAst('SELECT 1', 'snowflake')).toHaveLength(1);

    // Crash every spare within one synchronous run: the parser becomes unavailable, not broken for good.
    for (let attempt = 0; attempt < 5 && isSqlParserReady(); attempt += 1) {
      expect(() => parseSqlAst(crashingStatement, 'snowflake')).toThrow(ParserCrashError);
    }
    expect(() => parseSqlAst('SELECT 1', 'snowflake')).toThrow(/unavailable.*initSqlLineage/);
    await initSqlLineage();
    expect(parseSqlAst('SELECT 1', 'snowflake')).toHaveLength(1);
  });
});
