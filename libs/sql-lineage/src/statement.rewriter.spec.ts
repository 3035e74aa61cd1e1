import { balanceOperatorChains, estimateNestingDepth } from './operator-chain.balancer.js';
import { lexicalRules } from './sql-dialect.js';
import { collapseLiteralLists, rewriteForParser } from './statement.rewriter.js';
import { readStatementStructure } from './statement-structure.reader.js';

describe('balanceOperatorChains', () => {
  it('regroups long OR runs into a shallow tree without crossing BETWEEN or clause boundaries', () => {
    const terms = Array.from({ length: 2_000 }, (_, index) => `(a = ${index} AND b BETWEEN 1 AND 2)`);
    const sql = `SELECT x FROM t WHERE ${terms.join(' OR ')} GROUP BY x`;
    const rules = lexicalRules('postgres');
    const balanced = balanceOperatorChains(sql, rules);
    expect(balanced).not.toBe(sql);
    expect(estimateNestingDepth(balanced, rules)).toBeLessThan(200);
    expect(balanced.replace(/[()\s]/g, '')).toBe(sql.replace(/[()\s]/g, ''));
    expect(balanced.endsWith('GROUP BY x')).toBe(true);
  });

  it('leaves short chains alone', () => {
    const sql = 'SELECT 1 FROM t WHERE a = 1 OR b = 2';
    expect(balanceOperatorChains(sql, lexicalRules('postgres'))).toBe(sql);
  });
});

const squeeze = (text: string | null): string | null =>
  text === null ? null : text.replace(/\s+/g, ' ').trim();

describe('collapseLiteralLists', () => {
  it('keeps the first element of long literal lists and VALUES runs', () => {
    const inList = Array.from({ length: 40 }, (_, index) => index).join(', ');
    expect(
      squeeze(collapseLiteralLists(`SELECT * FROM t WHERE a IN (${inList}) AND b IN (1, 2)`, 'postgres')),
    ).toBe('SELECT * FROM t WHERE a IN (0 ) AND b IN (1, 2)');
    const rows = Array.from({ length: 20 }, (_, index) => `(${index}, 'x')`).join(', ');
    expect(squeeze(collapseLiteralLists(`INSERT INTO t VALUES ${rows}`, 'postgres'))).toBe(
      "INSERT INTO t VALUES (0, 'x')",
    );
    expect(collapseLiteralLists('SELECT f(a, 1, 2) FROM t', 'postgres')).toBeNull();
  });
});

describe('rewriteForParser', () => {
  it('removes dialect syntax the parser lacks but that does not change lineage', () => {
    expect(squeeze(rewriteForParser('SELECT * FROM a FINAL GLOBAL JOIN b USING (id)', 'clickhouse'))).toBe(
      'SELECT * FROM a JOIN b USING (id)',
    );
    expect(squeeze(rewriteForParser('TABLE billing.plans', 'postgres'))).toBe('SELECT * FROM billing.plans');
    expect(squeeze(rewriteForParser('SELECT a FROM t GROUP BY a WITH ROLLUP', 'mysql'))).toBe(
      'SELECT a FROM t GROUP BY a',
    );
    expect(rewriteForParser('SELECT 1', 'snowflake')).toBeNull();
  });

  it('substitutes ClickHouse WITH <expression> AS name aliases', () => {
    expect(
      squeeze(rewriteForParser("WITH toDate('2024-01-01') AS d SELECT x FROM t WHERE day > d", 'clickhouse')),
    ).toBe("SELECT x FROM t WHERE day > (toDate('2024-01-01'))");
  });
});

describe('readStatementStructure', () => {
  it('reads the target and the query of a CREATE … AS the parser cannot read', () => {
    expect(
      readStatementStructure(
        'CREATE TABLE marts.f DISTSTYLE KEY COMPOUND SORTKEY (a) AS SELECT a FROM s',
        'redshift',
      ),
    ).toMatchObject({
      type: 'create_table_as_select',
      target: [
        { value: 'marts', quoted: false },
        { value: 'f', quoted: false },
      ],
      query: 'SELECT a FROM s',
    });
  });

  it('reads INSERT column lists, MERGE USING relations and LOAD DATA targets', () => {
    expect(
      readStatementStructure('INSERT INTO t (a, `B`) REPLACE WHERE x SELECT 1, 2', 'databricks'),
    ).toMatchObject({
      columnNames: [
        { value: 'a', quoted: false },
        { value: 'B', quoted: true },
      ],
      query: 'SELECT 1, 2',
    });
    expect(
      readStatementStructure(
        'MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN UPDATE SET *',
        'databricks',
      ),
    ).toMatchObject({
      type: 'merge',
      source: [{ value: 's', quoted: false }],
    });
    expect(
      readStatementStructure("LOAD DATA LOCAL INFILE '/x.csv' INTO TABLE inv.stock", 'mysql'),
    ).toMatchObject({
      type: 'copy',
      target: [
        { value: 'inv', quoted: false },
        { value: 'stock', quoted: false },
      ],
    });
    expect(readStatementStructure('SELECT 1', 'mysql')).toBeNull();
  });
});
