import { compilePattern, compilePatterns, matchesFilter, PatternError } from './safe-pattern.js';

describe('compilePatterns', () => {
  it('compiles patterns case-insensitively and drops blanks', () => {
    const patterns = compilePatterns(['^analytics$', ' ', 'raw_.*'], 'includeDatabases');
    expect(patterns.map((pattern) => pattern.source)).toEqual(['^analytics$', 'raw_.*']);
    expect(matchesFilter('ANALYTICS', patterns, [])).toBe(true);
    expect(matchesFilter('staging', patterns, [])).toBe(false);
  });

  it('refuses an invalid expression and names the argument and the pattern', () => {
    expect(() => compilePattern('orders[', 'excludeSchemas')).toThrow(PatternError);
    expect(() => compilePattern('orders[', 'excludeSchemas')).toThrow(
      /excludeSchemas: "orders\[" is not a valid regular expression/,
    );
  });

  it('refuses nested quantifiers that backtrack catastrophically', () => {
    expect(() => compilePattern('^(a+)+$', 'includeSchemas')).toThrow(/exponential time/);
    expect(() => compilePattern('(x*)*y', 'includeSchemas')).toThrow(/exponential time/);
    expect(compilePattern('^(dev|prod)_[a-z]+$', 'includeSchemas').regex.test('prod_sales')).toBe(true);
  });

  it('applies exclude after include', () => {
    const include = compilePatterns(['^prod'], 'include');
    const exclude = compilePatterns(['_tmp$'], 'exclude');
    expect(matchesFilter('prod_sales', include, exclude)).toBe(true);
    expect(matchesFilter('prod_sales_tmp', include, exclude)).toBe(false);
    expect(matchesFilter('dev_sales', include, exclude)).toBe(false);
    expect(matchesFilter('anything', [], [])).toBe(true);
  });
});
