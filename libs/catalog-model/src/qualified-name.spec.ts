import { InvalidQualifiedNameError } from './errors.js';
import { parseIdentifier, splitQualifiedName, type QualifiedNamePart } from './qualified-name.js';

const quoted = (value: string): QualifiedNamePart => ({ value, quoted: true });
const bare = (value: string): QualifiedNamePart => ({ value, quoted: false });

describe('splitQualifiedName', () => {
  it.each<[string, string, QualifiedNamePart[]]>([
    ['snowflake', '"My DB".public."Orders"', [quoted('My DB'), bare('public'), quoted('Orders')]],
    ['postgres', '"a""b".s.t', [quoted('a"b'), bare('s'), bare('t')]],
    ['postgres', '"a.b"."c/d"."e f"', [quoted('a.b'), quoted('c/d'), quoted('e f')]],
    ['postgres', '  s . t  ', [bare('s'), bare('t')]],
    ['postgres', 'orders', [bare('orders')]],
    ['bigquery', '`proj`.`ds`.`t`', [quoted('proj'), quoted('ds'), quoted('t')]],
    [
      'bigquery',
      '`my-project.jaffle_shop.customers`',
      [quoted('my-project'), quoted('jaffle_shop'), quoted('customers')],
    ],
    [
      'bigquery',
      'my-project.jaffle_shop.customers',
      [bare('my-project'), bare('jaffle_shop'), bare('customers')],
    ],
    ['bigquery', '`example.com:proj.ds.t`', [quoted('example.com:proj'), quoted('ds'), quoted('t')]],
    ['bigquery', '`example.com:proj`.ds.t', [quoted('example.com:proj'), bare('ds'), bare('t')]],
    ['bigquery', '`a\\`b`.ds.t', [quoted('a`b'), bare('ds'), bare('t')]],
    // Only BigQuery splits a quoted path: elsewhere a dot inside quotes belongs to the name.
    ['databricks', '`cat`.`sch`.`my.table`', [quoted('cat'), quoted('sch'), quoted('my.table')]],
    ['mysql', '`shop`.`orders`', [quoted('shop'), quoted('orders')]],
    ['mysql', '"shop"."orders"', [quoted('shop'), quoted('orders')]],
    ['clickhouse', '`default`."events"', [quoted('default'), quoted('events')]],
    ['mssql', '[My DB].[dbo].[Orders]', [quoted('My DB'), quoted('dbo'), quoted('Orders')]],
    ['mssql', '[a]]b].dbo."c"', [quoted('a]b'), bare('dbo'), quoted('c')]],
    ['mssql', 'db..orders', [bare('db'), bare(''), bare('orders')]],
    // Adapter types are accepted where a platform is expected.
    ['sqlserver', '[db].[dbo].[t]', [quoted('db'), quoted('dbo'), quoted('t')]],
    ['spark', '`analytics`.`orders`', [quoted('analytics'), quoted('orders')]],
  ])('%s: %s', (platform, text, expected) => {
    expect(splitQualifiedName(platform, text)).toEqual(expected);
  });

  it.each<[string, string, RegExp]>([
    ['postgres', '', /empty/],
    ['postgres', '   ', /empty/],
    ['postgres', 'a.', /ends with "\."/],
    ['postgres', '.a', /empty part at position 0/],
    ['postgres', 'a..b', /empty part at position 2/],
    ['postgres', '"abc', /quote opened at position 0 is not closed/],
    ['postgres', '"a"b', /unexpected "b" at position 3/],
    ['postgres', 'a b', /unexpected "b"/],
    ['postgres', 'a"b', /quote character/],
    ['postgres', 's.""', /empty quoted identifier/],
    ['mssql', '[abc', /not closed/],
    ['mssql', 'a]b', /quote character/],
    ['bigquery', '`a..b`', /empty part inside the quoted path/],
    // Backticks do not quote in Postgres, double quotes do not quote in BigQuery.
    ['bigquery', '"a".b', /quote character|unexpected/],
    ['teradata', 'a.b', /unknown platform/],
  ])('%s: rejects %j', (platform, text, reason) => {
    let caught: unknown;
    try {
      splitQualifiedName(platform, text);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(Error);
    expect((caught as Error).message).toMatch(reason);
    if (platform !== 'teradata') {
      expect(caught).toBeInstanceOf(InvalidQualifiedNameError);
      expect((caught as InvalidQualifiedNameError).input).toBe(text);
    }
  });

  it('refuses very long input instead of scanning it', () => {
    expect(() => splitQualifiedName('postgres', 'a'.repeat(5000))).toThrow(/longer than 4096/);
  });
});

describe('parseIdentifier', () => {
  it.each<[string, string, QualifiedNamePart]>([
    ['snowflake', '"Orders"', quoted('Orders')],
    ['snowflake', '  orders ', bare('orders')],
    ['snowflake', 'a.b', bare('a.b')],
    ['bigquery', '`Orders`', quoted('Orders')],
    ['bigquery', '"Orders"', bare('"Orders"')],
    ['mssql', '[Order Lines]', quoted('Order Lines')],
  ])('%s: %j', (platform, text, expected) => {
    expect(parseIdentifier(platform, text)).toEqual(expected);
  });

  it('rejects two identifiers', () => {
    expect(() => parseIdentifier('postgres', '"a"."b"')).toThrow(/pass one identifier/);
  });
});
