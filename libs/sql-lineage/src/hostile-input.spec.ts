import { parseDatasetId } from '@cartograph/catalog-model';
import type { SqlPlatform, StatementLineage } from './lineage.types.js';
import { analyzeSql } from './sql-lineage.analyzer.js';
import { initSqlLineage, parserCrashCount } from './sql-parser.loader.js';

beforeAll(async () => {
  await initSqlLineage();
});

function analyze(sql: string, platform: SqlPlatform = 'postgres', maxLength?: number): StatementLineage[] {
  return [
    ...analyzeSql(sql, { platform, defaultDatabase: 'app', defaultSchema: 'public', maxLength }).statements,
  ];
}

describe('hostile and oversized input', () => {
  it('records 5,000 nested parentheses as an error instead of crashing', () => {
    const [statement] = analyze(`SELECT ${'('.repeat(5_000)}1${')'.repeat(5_000)} FROM t`);
    expect(statement!.error?.reason).toBe('parse_error');
    expect(statement!.error?.message).toMatch(/recursion limit/);
  });

  it('reads OR chains of thousands of terms (regrouped so the parser does not overflow)', () => {
    const crashes = parserCrashCount();
    for (const terms of [3_000, 20_000]) {
      const sql = `SELECT a FROM orders WHERE ${Array.from({ length: terms }, (_, index) => `(k = ${index} AND v BETWEEN 1 AND 2)`).join(' OR ')}`;
      const [statement] = analyze(sql);
      expect(statement!.error).toBeUndefined();
      expect(statement!.sources.map((table) => table.name)).toEqual(['orders']);
    }
    expect(parserCrashCount()).toBe(crashes);
  });

  it('refuses an arithmetic chain too deep for the parser with a clear reason, and keeps going', () => {
    const sql = `SELECT ${Array.from({ length: 3_000 }, (_, index) => `c${index}`).join(' + ')} FROM t; SELECT x FROM u`;
    const [deep, next] = analyze(sql);
    expect(deep!.error?.reason).toBe('unsupported');
    expect(deep!.error?.message).toMatch(/nests expressions about \d+ levels deep/);
    expect(next!.sources.map((table) => table.name)).toEqual(['u']);
  });

  it('marks statements over maxLength too_large without parsing them', () => {
    const [statement] = analyze(`SELECT * FROM t WHERE a = '${'x'.repeat(500)}'`, 'postgres', 100);
    expect(statement).toMatchObject({ type: 'select', sources: [], error: { reason: 'too_large' } });
    expect(statement!.error!.message).not.toContain('xxxx');
  });

  it('parses a bulk INSERT of 20,000 literal rows quickly and correctly', () => {
    const rows = Array.from({ length: 20_000 }, (_, index) => `(${index}, 'name ${index}', NULL, -1.5)`).join(
      ', ',
    );
    const [statement] = analyze(`INSERT INTO public.bulk (id, name, x, y) VALUES ${rows}`);
    expect(statement).toMatchObject({ type: 'insert', sources: [] });
    expect(statement!.targets.map((table) => table.name)).toEqual(['bulk']);
  });

  it('never quotes more than 200 characters of SQL in an error message', () => {
    const longLiteral = `'${'y'.repeat(5_000)}'`;
    for (const sql of [
      `SELECT ${longLiteral} ${longLiteral} FROM`,
      `SELECT a FROM ${'z'.repeat(5_000)} WHERE (`,
    ]) {
      const [statement] = analyze(sql);
      expect(statement!.error).toBeDefined();
      expect(statement!.error!.message.length).toBeLessThan(320);
      expect(statement!.error!.message).not.toMatch(/[yz]{201}/);
    }
  });

  it('gives a 10,000-character identifier an invalid_name error', () => {
    const [statement] = analyze(`SELECT * FROM "${'n'.repeat(10_000)}"`);
    expect(statement!.error?.reason).toBe('invalid_name');
    expect(statement!.error!.message.length).toBeLessThan(320);
    expect(statement!.sources).toEqual([]);
  });

  it('turns identifiers with quotes, dots, slashes, spaces and unicode into valid ids', () => {
    const [statement] = analyze(
      'SELECT * FROM "we""ird"."da.ta"."sl/ash", "Ünïcödé 表", "emoji 🚀".x, "-- not a comment"',
    );
    expect(statement!.error).toBeUndefined();
    expect(statement!.sources).toHaveLength(4);
    for (const table of statement!.sources) {
      expect(parseDatasetId(table.datasetId).id).toBe(table.datasetId);
    }
    expect(statement!.sources.map((table) => table.name)).toEqual([
      'sl/ash',
      'Ünïcödé 表',
      'x',
      '-- not a comment',
    ]);
  });

  it('never throws on binary garbage, lone quotes or empty text', () => {
    const inputs = [
      '',
      ';;;',
      "'",
      '"',
      '`',
      '/*',
      '$$',
      '\u0000\u0001\u0002',
      'SELECT \uD800 FROM t',
      ')'.repeat(1_000),
    ];
    for (const platform of ['snowflake', 'bigquery', 'mysql', 'clickhouse', 'databricks'] as const) {
      for (const input of inputs) {
        expect(() => analyzeSql(input, { platform })).not.toThrow();
      }
    }
  });
});
