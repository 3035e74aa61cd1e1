import { fingerprintSql, normalizeSqlForFingerprint } from './query.fingerprint.js';

describe('fingerprintSql', () => {
  it('is a sha256 hex digest', () => {
    expect(fingerprintSql('SELECT 1', 'snowflake')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('gives the same query with other literals, spacing, comments and keyword case the same fingerprint', () => {
    const first = fingerprintSql(
      "SELECT a, b FROM t WHERE c = 'x' AND d > 10 AND e IN (1, 2, 3) LIMIT 100",
      'snowflake',
    );
    expect(
      fingerprintSql(
        "select a,b\n  from t -- a comment\n where c = 'another value' and d > -2.5e3 and e in (7) /* x */ limit 5;",
        'snowflake',
      ),
    ).toBe(first);
  });

  it('collapses IN lists, tuples and VALUES rows', () => {
    expect(normalizeSqlForFingerprint("INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'c')", 'postgres')).toBe(
      'INSERT INTO T VALUES (?)',
    );
    expect(normalizeSqlForFingerprint('SELECT * FROM t WHERE (a, b) IN ((1, 2), (3, 4))', 'postgres')).toBe(
      'SELECT * FROM T WHERE ( A , B ) IN (?)',
    );
    expect(normalizeSqlForFingerprint('INSERT INTO t VALUES (1, now()), (2, now())', 'postgres')).toBe(
      'INSERT INTO T VALUES ( ? , NOW ( ) )',
    );
  });

  it('replaces bind parameters and keeps operators apart', () => {
    expect(
      normalizeSqlForFingerprint(
        'SELECT * FROM t WHERE a = $1 AND b = :name AND c = ? AND d = %s',
        'postgres',
      ),
    ).toBe('SELECT * FROM T WHERE A = ? AND B = ? AND C = ? AND D = ?');
    expect(fingerprintSql('SELECT * FROM t WHERE a <= 1', 'postgres')).not.toBe(
      fingerprintSql('SELECT * FROM t WHERE a < 1', 'postgres'),
    );
    expect(fingerprintSql('SELECT a - 1 FROM t', 'postgres')).not.toBe(
      fingerprintSql('SELECT a FROM t', 'postgres'),
    );
  });

  it('distinguishes different tables and columns', () => {
    expect(fingerprintSql('SELECT a FROM orders WHERE id = 1', 'snowflake')).not.toBe(
      fingerprintSql('SELECT a FROM customers WHERE id = 1', 'snowflake'),
    );
    expect(fingerprintSql('SELECT a FROM orders', 'snowflake')).not.toBe(
      fingerprintSql('SELECT b FROM orders', 'snowflake'),
    );
  });

  it('folds unquoted names only where the platform compares them without case', () => {
    expect(fingerprintSql('SELECT * FROM Orders', 'snowflake')).toBe(
      fingerprintSql('select * from ORDERS', 'snowflake'),
    );
    expect(fingerprintSql('SELECT * FROM ds.Orders', 'bigquery')).not.toBe(
      fingerprintSql('SELECT * FROM ds.orders', 'bigquery'),
    );
    expect(fingerprintSql('SELECT * FROM ds.Orders', 'bigquery')).toBe(
      fingerprintSql('select * from ds.Orders', 'bigquery'),
    );
  });

  it('ignores Hex and dbt comments (attribution is kept apart from the fingerprint)', () => {
    const plain = fingerprintSql('select * from t where a = 1', 'snowflake');
    expect(
      fingerprintSql(
        'select * from t where a = 2\n-- Hex query metadata: {"project_id": "p1", "context": "SCHEDULED_RUN"}',
        'snowflake',
      ),
    ).toBe(plain);
    expect(
      fingerprintSql('/* {"app": "dbt", "node_id": "model.x.y"} */ select * from t where a = 3', 'snowflake'),
    ).toBe(plain);
  });

  it('reads each dialect’s quoting: a # comment in MySQL, a # name in Redshift, BigQuery dashed projects', () => {
    expect(normalizeSqlForFingerprint('SELECT 1 # note\nFROM t', 'mysql')).toBe('SELECT ? FROM t');
    expect(normalizeSqlForFingerprint('SELECT * FROM #temp', 'redshift')).toBe('SELECT * FROM #TEMP');
    expect(fingerprintSql('SELECT * FROM proj-1.ds.t', 'bigquery')).not.toBe(
      fingerprintSql('SELECT * FROM proj-2.ds.t', 'bigquery'),
    );
    expect(normalizeSqlForFingerprint(`SELECT "it's" FROM t WHERE a = 'x''y'`, 'bigquery')).toBe(
      'SELECT ? FROM t WHERE a = ?',
    );
    expect(normalizeSqlForFingerprint(`SELECT $$a ; b$$ FROM t`, 'snowflake')).toBe('SELECT ? FROM T');
  });

  it('never throws on unterminated strings, comments or stray characters', () => {
    for (const text of ["SELECT 'open", 'SELECT /* open', 'SELECT "open', '))))', '', '\u0000\uffff']) {
      expect(fingerprintSql(text, 'postgres')).toMatch(/^[0-9a-f]{64}$/);
    }
  });
});
