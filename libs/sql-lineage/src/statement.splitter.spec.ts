import { lexicalRules } from './sql-dialect.js';
import { splitStatements } from './statement.splitter.js';

function split(script: string, platform: Parameters<typeof lexicalRules>[0] = 'postgres'): string[] {
  return splitStatements(script, lexicalRules(platform)).map((statement) => statement.text);
}

describe('splitStatements', () => {
  it('splits at top-level semicolons and drops empty statements', () => {
    expect(split('SELECT 1; ;\n SELECT 2;  -- trailing comment\n')).toEqual(['SELECT 1', 'SELECT 2']);
  });

  it('does not split inside strings, quoted names, comments or dollar quotes (trailing comments are not kept)', () => {
    expect(
      split(`SELECT ';', ";" FROM t /* ; */ -- ;\n; DO $body$ BEGIN PERFORM 1; END $body$; SELECT E'\\';'`),
    ).toEqual([`SELECT ';', ";" FROM t`, 'DO $body$ BEGIN PERFORM 1; END $body$', `SELECT E'\\';'`]);
    expect(split("SELECT \"a;b\" FROM t; SELECT 'it\\'s;'", 'mysql')).toEqual([
      'SELECT "a;b" FROM t',
      "SELECT 'it\\'s;'",
    ]);
  });

  it('keeps BEGIN … END blocks and CASE expressions whole, but splits transaction BEGIN', () => {
    expect(split('BEGIN; INSERT INTO t VALUES (1); COMMIT;', 'snowflake')).toEqual([
      'BEGIN',
      'INSERT INTO t VALUES (1)',
      'COMMIT',
    ]);
    expect(
      split(
        'BEGIN\n  INSERT INTO a SELECT CASE WHEN x THEN 1 END FROM b;\n  IF c THEN SELECT 1; END IF;\nEND; SELECT 2',
        'bigquery',
      ),
    ).toHaveLength(2);
  });

  it('reports where each statement starts and classifies it', () => {
    const statements = splitStatements(
      'SELECT 1;\n  INSERT INTO t SELECT 2;\nSHOW TABLES',
      lexicalRules('snowflake'),
    );
    expect(
      statements.map(({ line, column, type, withoutLineage }) => ({ line, column, type, withoutLineage })),
    ).toEqual([
      { line: 1, column: 1, type: 'select', withoutLineage: false },
      { line: 2, column: 3, type: 'insert', withoutLineage: false },
      { line: 3, column: 1, type: 'other', withoutLineage: true },
    ]);
  });

  it('estimates how deep the parser’s tree gets', () => {
    const [shallow, deep] = splitStatements(
      `SELECT a FROM t WHERE b = 1; SELECT a FROM t WHERE ${Array.from({ length: 500 }, () => 'x = 1').join(' OR ')}`,
      lexicalRules('postgres'),
    );
    expect(shallow!.nestingEstimate).toBeLessThan(10);
    expect(deep!.nestingEstimate).toBeGreaterThan(500);
  });
});
