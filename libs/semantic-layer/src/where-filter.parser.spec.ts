import { SemanticLayerQueryError } from './semantic-layer.error.js';
import { parseWhereFilter } from './where-filter.parser.js';

function failure(text: string, argument = 'where[0]'): SemanticLayerQueryError {
  try {
    parseWhereFilter(text, argument);
  } catch (error) {
    if (error instanceof SemanticLayerQueryError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(text)} to be refused`);
}

describe('parseWhereFilter', () => {
  it('rewrites every template canonically and keeps the SQL around it verbatim', () => {
    const parsed = parseWhereFilter(
      `{{Dimension("Customer__Region")}} = 'EU' and {{ TimeDimension('metric_time', 'MONTH') }} >= '2024-01-01'`,
    );
    expect(parsed.sql).toBe(
      `{{ Dimension('customer__region') }} = 'EU' and {{ TimeDimension('metric_time', 'month') }} >= '2024-01-01'`,
    );
    expect(parsed.references.map((reference) => [reference.kind, reference.name, reference.grain])).toEqual([
      ['Dimension', 'customer__region', undefined],
      ['TimeDimension', 'metric_time', 'month'],
    ]);
  });

  it('reads methods, entity paths and metric filters', () => {
    const parsed = parseWhereFilter(
      "{{ Dimension('metric_time').grain('week').date_part('year') }} = 2024 and " +
        "{{ Dimension('region', entity_path=['order_id', 'customer']) }} = 'EU' and " +
        "{{ Metric('revenue', group_by=['customer']) }} > 100 and {{ Entity('order_id') }} = 10",
    );
    expect(parsed.references).toMatchObject([
      { kind: 'Dimension', name: 'metric_time', grain: 'week', datePart: 'year' },
      { kind: 'Dimension', name: 'region', entityPath: ['order_id', 'customer'] },
      { kind: 'Metric', name: 'revenue', groupBy: ['customer'] },
      { kind: 'Entity', name: 'order_id' },
    ]);
    expect(parsed.sql).toContain("{{ Dimension('region', entity_path=['order_id', 'customer']) }}");
    expect(parsed.sql).toContain("{{ Dimension('metric_time').grain('week').date_part('year') }}");
    expect(parsed.sql).toContain("{{ Metric('revenue', group_by=['customer']) }}");
  });

  it('keeps quotes doubled inside SQL literals and identifiers', () => {
    const text = `{{ Dimension('customer__name') }} = 'O''Brien' and "weird ""col""" is not null and \`a\` = 1`;
    expect(parseWhereFilter(text).sql).toBe(text);
  });

  it('keeps unicode in SQL literals', () => {
    const text = "{{ Dimension('customer__city') }} = 'Zürich 東京 🎉'";
    expect(parseWhereFilter(text).sql).toBe(text);
  });

  it.each([
    ["{{ Column('x') }} = 1", 3, "unknown object 'Column'"],
    ["{{ Dimension('x') | upper }} = 1", 18, 'unexpected character "|"'],
    ["{{ Dimension('x'), Dimension('y') }}", 17, "'}}' closing the template"],
    ["{{ Dimension('x').descending(True) }}", 18, 'descending is allowed only in order_by'],
    ["{{ Dimension('x').lower() }}", 18, "unknown method 'lower'"],
    ["{{ Dimension('x', entity_path='y') }}", 30, "'entity_path' of Dimension must be a list of strings"],
    ["{{ Dimension('x', foo=['y']) }}", 18, "unknown keyword argument 'foo'"],
    ["{{ Dimension('bad name') }} = 1", 13, 'is not a valid name'],
    ["{{ Dimension('x').grain('fortnight!') }}", 24, 'is not a valid time grain'],
    ["{{ Dimension('x').date_part('century') }}", 28, 'is not a date part'],
    ["{{ Metric('revenue', alias='r') }} > 1", 21, 'aliases are not supported'],
    ['{{ }} = 1', 0, 'is empty'],
    ["{{ Dimension('x') = 1", 18, "'}}' closing the template"],
    ['{% if true %}1=1{% endif %}', 0, 'Jinja statements'],
    ["{# note #} {{ Dimension('x') }} = 1", 0, 'Jinja comments'],
    ["{{ Dimension('x') }} = 1 }}", 25, "'}}' without a matching opening"],
    ["{{ Dimension('x') }} = 1) OR (1=1", 24, "')' has no matching '('"],
    ["({{ Dimension('x') }} = 1", 0, "'(' is not closed"],
    ["{{ Dimension('x') }} = 1 -- and more", 25, 'SQL comments'],
    ["{{ Dimension('x') }} = 1 /* x */", 25, 'SQL comments'],
    ["{{ Dimension('x') }} = 1; drop table t", 24, "';' is not allowed"],
    ["{{ Dimension('x') }} = $$a$$", 23, "'$' is not allowed"],
    ["{{ Dimension('x') }} = 'it\\'s'", 26, 'backslash is not allowed inside a SQL string literal'],
    ["{{ Dimension('x') }} = 'open", 23, 'unterminated SQL string literal'],
    [
      "{{ Dimension('x') }} = '{{ Dimension(\"y\") }}'",
      24,
      'templates are not allowed inside a SQL string literal',
    ],
    ['   ', 0, 'the filter is empty'],
    ["{{ Dimension('x') }} = 1\u0000", 24, 'control character U+0000'],
  ])('refuses %j at offset %i (%s)', (text, offset, reason) => {
    const error = failure(text);
    expect(error.offset).toBe(offset);
    expect(error.argument).toBe('where[0]');
    expect(error.message).toContain(reason);
    expect(error.message).toMatch(new RegExp(`^where\\[0\\] at offset ${offset}: `));
  });

  it('names the argument it was given', () => {
    expect(failure("{{ Column('x') }}", 'rowFilters[2]').message).toMatch(/^rowFilters\[2\] at offset 3: /);
  });

  it('handles a large filter in one pass', () => {
    const values = Array.from({ length: 20_000 }, (_, index) => `'value_${index}'`).join(', ');
    const text = `{{ Dimension('customer__region') }} in (${values})`;
    const parsed = parseWhereFilter(text);
    expect(parsed.sql).toBe(text);
    expect(parsed.references).toHaveLength(1);
  });

  it('refuses deeply nested parentheses that do not close without recursion', () => {
    const text = `${'('.repeat(100_000)}{{ Dimension('x') }} = 1`;
    expect(failure(text).reason).toBe("'(' is not closed in this filter");
    const balanced = `${'('.repeat(10_000)}{{ Dimension('x') }} = 1${')'.repeat(10_000)}`;
    expect(parseWhereFilter(balanced).sql).toBe(balanced);
  });
});
