import { parseSemanticLayerQuery } from './semantic-layer-query.parser.js';
import { SemanticLayerQueryError } from './semantic-layer.error.js';

function failure(text: string, options?: { maxLength?: number }): SemanticLayerQueryError {
  try {
    parseSemanticLayerQuery(text, options);
  } catch (error) {
    if (error instanceof SemanticLayerQueryError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(text.slice(0, 200))} to be refused`);
}

/** The offset of the n-th (0-based) occurrence of `needle`. */
function offsetOf(text: string, needle: string, occurrence = 0): number {
  let offset = -1;
  for (let index = 0; index <= occurrence; index += 1) offset = text.indexOf(needle, offset + 1);
  if (offset === -1) throw new Error(`${needle} not in text`);
  return offset;
}

describe('parseSemanticLayerQuery: accepted texts', () => {
  it('parses the templated query users paste from Hex', () => {
    const text =
      "{{ semantic_layer.query(metrics=['revenue'], group_by=[Dimension('metric_time').grain('month'), " +
      "'customer__region'], where=[\"{{ Dimension('customer__region') }} = 'EU'\"], order_by=['-metric_time'], limit=100) }}";
    expect(parseSemanticLayerQuery(text)).toEqual({
      request: {
        metrics: ['revenue'],
        groupBy: [{ name: 'metric_time', grain: 'month' }, { name: 'customer__region' }],
        where: ["{{ Dimension('customer__region') }} = 'EU'"],
        orderBy: [{ name: 'metric_time', descending: true }],
        limit: 100,
      },
      compile: false,
    });
  });

  it('parses a saved query, bare, with where, order and limit', () => {
    const text = `semantic_layer.query(saved_query='weekly_revenue', where="{{ TimeDimension('metric_time', 'week') }} >= '2024-01-01'", order_by=['-revenue'], limit=52)`;
    expect(parseSemanticLayerQuery(text).request).toEqual({
      metrics: [],
      groupBy: [],
      where: ["{{ TimeDimension('metric_time', 'week') }} >= '2024-01-01'"],
      orderBy: [{ name: 'revenue', descending: true }],
      limit: 52,
      savedQuery: 'weekly_revenue',
    });
  });

  it('parses the Sigma form wrapped in select * from, any case, with a trailing semicolon', () => {
    const text = `SELECT * FROM {{ semantic_layer.query(metrics=['transactions'], group_by=[Dimension('metric_time').grain('month'), 'customer__customer_country']) }};`;
    expect(parseSemanticLayerQuery(text).request).toMatchObject({
      metrics: ['transactions'],
      groupBy: [{ name: 'metric_time', grain: 'month' }, { name: 'customer__customer_country' }],
    });
  });

  it('parses the full JDBC example of the documentation', () => {
    const text = `{{ semantic_layer.query(metrics=['food_order_amount','order_gross_profit'],
      group_by=[Dimension('metric_time').grain('month'), 'customer__customer_type'],
      where=["{{ Dimension('metric_time').grain('month') }} >= '2017-03-09'", "{{ Entity('order_id') }} = 10"],
      order_by=['-order_gross_profit', Dimension('metric_time').grain('month').descending(True)],
      limit=10, compile=True) }}`;
    expect(parseSemanticLayerQuery(text)).toEqual({
      request: {
        metrics: ['food_order_amount', 'order_gross_profit'],
        groupBy: [{ name: 'metric_time', grain: 'month' }, { name: 'customer__customer_type' }],
        where: [
          "{{ Dimension('metric_time').grain('month') }} >= '2017-03-09'",
          "{{ Entity('order_id') }} = 10",
        ],
        orderBy: [
          { name: 'order_gross_profit', descending: true },
          { name: 'metric_time', grain: 'month', descending: true, kind: 'groupBy' },
        ],
        limit: 10,
      },
      compile: true,
    });
  });

  it('parses the Python SDK serialization (double quotes, escaped quotes, sorted kwargs)', () => {
    const text =
      '{{ semantic_layer.query(group_by=[Dimension("c").grain("day"),TimeDimension("time_dim", "month"),Entity("d")],' +
      'metrics=["a","b"],read_cache=True,where=["{{ Dimension(\\"metric_time\\").grain(\\"month\\") }} >= \'2017-03-09\'"]) }}';
    expect(parseSemanticLayerQuery(text)).toEqual({
      request: {
        metrics: ['a', 'b'],
        groupBy: [{ name: 'c', grain: 'day' }, { name: 'time_dim', grain: 'month' }, { name: 'd' }],
        where: ["{{ Dimension('metric_time').grain('month') }} >= '2017-03-09'"],
        orderBy: [],
      },
      compile: false,
      readCache: true,
    });
  });

  it('reads Metric objects, entity paths, date parts, trailing commas and lower-case booleans', () => {
    const text = `{{ semantic_layer.query(metrics=[Metric('revenue'),], group_by=[Dimension('region', entity_path=['customer']), Dimension('metric_time').date_part('year'),], order_by=[Metric('revenue').descending(true)], read_cache=false,) }}`;
    expect(parseSemanticLayerQuery(text)).toEqual({
      request: {
        metrics: ['revenue'],
        groupBy: [{ name: 'customer__region' }, { name: 'metric_time', datePart: 'year' }],
        where: [],
        orderBy: [{ name: 'revenue', descending: true, kind: 'metric' }],
      },
      compile: false,
      readCache: false,
    });
  });

  it('keeps quotes, braces and unicode inside the strings of a filter', () => {
    const text = `{{ semantic_layer.query(metrics=['revenue'], where=["{{ Dimension('customer__name') }} in ('O''Brien', ')}}', 'Zürich 🎉', 'say \\"hi\\"')"]) }}`;
    expect(parseSemanticLayerQuery(text).request.where).toEqual([
      `{{ Dimension('customer__name') }} in ('O''Brien', ')}}', 'Zürich 🎉', 'say "hi"')`,
    ]);
  });

  it('parses a query of about 1 MB', () => {
    const values = Array.from({ length: 80_000 }, (_, index) => `'v${index}'`).join(',');
    const filter = `{{ Dimension('customer__id') }} in (${values})`;
    const text = `{{ semantic_layer.query(metrics=['revenue'], where=["${filter}"]) }}`;
    expect(text.length).toBeGreaterThan(700_000);
    expect(text.length).toBeLessThan(1_048_576);
    expect(parseSemanticLayerQuery(text).request.where).toEqual([filter]);
  });
});

describe('parseSemanticLayerQuery: refused texts', () => {
  it.each([
    ['{{ semantic_layer.metrics() }}', 'metrics', 'semantic_layer.metrics() is not supported here'],
    [
      "{{ semantic_layer.execute(sql='select 1') }}",
      'execute',
      'expected query after semantic_layer. but found unknown function "execute"',
    ],
    ["{{ other.query(metrics=['a']) }}", 'other', 'expected semantic_layer.query(…) but found "other"'],
    ["{{ semantic_layer.query(metrics=['a'], sql='select 1') }}", 'sql', "unknown keyword argument 'sql'"],
    [
      "{{ semantic_layer.query(metrics=['a'], metrics=['b']) }}",
      'metrics',
      "keyword argument 'metrics' is given twice",
      1,
    ],
    [
      "{{ semantic_layer.query(metrics=[{{ 'a' }}]) }}",
      "{{ 'a'",
      'a nested template {{ … }} is allowed only inside a where filter string',
    ],
    ["{{ {{ semantic_layer.query(metrics=['a']) }} }}", '{{ s', 'a nested template'],
    [
      "{% raw %}{{ semantic_layer.query(metrics=['a']) }}{% endraw %}",
      '{%',
      'Jinja statements ({% … %}) are not allowed',
    ],
    ["{{ semantic_layer.query(metrics=['a']) }}{# hi #}", '{#', 'Jinja comments'],
    [
      "{{ semantic_layer.query(metrics=['a']) }} union select secret from t",
      'union',
      'expected the end of the text after the template',
    ],
    ["{{ semantic_layer.query(metrics=['a']) }}; select 1", 'select 1', 'expected the end of the text'],
    ["semantic_layer.query(metrics=['a'])) ", '))', 'expected the end of the text but found ")"', 0, 1],
    [
      "select * from semantic_layer.query(metrics=['a'])",
      'semantic_layer',
      "expected '{{' after select * from",
    ],
    ["select a from {{ semantic_layer.query(metrics=['a']) }}", ' a ', "expected '*' after select", 0, 1],
    [
      "{{ semantic_layer.query(metrics=['a']",
      '',
      "expected ',' or ')' but found the end of the text",
      0,
      'end',
    ],
    ["{{ semantic_layer.query(metrics=['a) }}", "'a", 'unterminated string'],
    ["{{ semantic_layer.query(metrics=['a'], limit=-1) }}", '-1', 'expected a whole number but found "-"'],
    ["{{ semantic_layer.query(metrics=['a'], limit=1.5) }}", '.5', "expected ',' or ')' but found \".\""],
    [
      "{{ semantic_layer.query(metrics=['a'], limit=99999999999999999999) }}",
      '9999',
      'limit must be a whole number',
    ],
    ["{{ semantic_layer.query(metrics=['a'], limit=0) }}", '0)', 'limit must be a whole number'],
    [
      "{{ semantic_layer.query(metrics=['a'], compile='yes') }}",
      "'yes'",
      'expected True or False but found a string',
    ],
    ["{{ semantic_layer.query(metrics=['revenüe']) }}", "'rev", 'metrics[0]: "revenüe" is not a valid name'],
    ["{{ semantic_layer.query(métrics=['a']) }}", 'é', 'unexpected character "é"'],
    [
      "{{ semantic_layer.query(metrics=[Dimension('x')]) }}",
      'Dimension',
      "'Dimension' is not allowed in metrics",
    ],
    [
      "{{ semantic_layer.query(metrics=[Metric('r', alias='x')]) }}",
      'alias',
      'metric aliases are not supported',
    ],
    [
      "{{ semantic_layer.query(metrics=['a'], group_by=[Metric('a')]) }}",
      'Metric(',
      "'Metric' is not allowed in group_by",
    ],
    [
      "{{ semantic_layer.query(metrics=['a'], group_by=[Entity('d').grain('week')]) }}",
      'grain',
      "unknown method 'grain' of Entity",
    ],
    [
      "{{ semantic_layer.query(metrics=['a'], group_by=[Dimension('x').descending(True)]) }}",
      'descending',
      'descending is allowed only in order_by',
    ],
    [
      "{{ semantic_layer.query(metrics=['a'], group_by=[Column('x')]) }}",
      'Column',
      "unknown object 'Column'",
    ],
    [
      "{{ semantic_layer.query(metrics=['a'], where=[Dimension('x')]) }}",
      'Dimension',
      'expected a filter string in where but found "Dimension"',
    ],
    [
      "{{ semantic_layer.query(metrics=['a'], where=\"{{ Dimension('x') }} = 1; drop table t\") }}",
      ';',
      "where[0]: ';' is not allowed in filters",
    ],
    [
      "{{ semantic_layer.query(metrics=['a'], order_by=['-b']) }}",
      "'-b'",
      "order_by[0]: 'b' is neither a queried metric",
    ],
    [
      "{{ semantic_layer.query(saved_query='weekly', metrics=['a']) }}",
      'metrics',
      'metrics: a saved query brings its own metrics',
    ],
    ['{{ semantic_layer.query() }}', 'semantic_layer', 'metrics: give at least one metric'],
    [
      "{{ semantic_layer.query(metrics=['a'], group_by=['x'], order_by=[Metric('x')]) }}",
      'Metric(',
      "order_by[0]: 'x' is not a queried metric",
    ],
  ] as [string, string, string, number?, (number | 'end')?][])(
    'refuses %j',
    (text, needle, reason, occurrence = 0, shift = 0) => {
      const error = failure(text);
      expect(error.message).toContain(reason);
      const expected = shift === 'end' ? text.length : offsetOf(text, needle, occurrence) + shift;
      expect(error.offset).toBe(expected);
      expect(error.message).toMatch(new RegExp(`\\(offset ${expected}\\)$`));
    },
  );

  it('points into a where string through its escapes', () => {
    const text = `{{ semantic_layer.query(metrics=['a'], where=["{{ Dimension(\\"x\\") }} = 'a' -- hidden"]) }}`;
    const error = failure(text);
    expect(error.argument).toBe('where[0]');
    expect(error.offset).toBe(text.indexOf('--'));
    expect(error.message).toBe(
      `where[0]: SQL comments are not allowed in filters at line 1, column ${text.indexOf('--') + 1} (offset ${text.indexOf('--')})`,
    );
  });

  it('gives line and column on multi-line text', () => {
    const text = "{{ semantic_layer.query(\n  metrics=['a'],\n  groupby=['x']\n) }}";
    const error = failure(text);
    expect(error.message).toContain("unknown keyword argument 'groupby'");
    expect(error.message).toContain(`at line 3, column 3 (offset ${text.indexOf('groupby')})`);
  });

  it('counts offsets in UTF-16 code units after astral characters', () => {
    const text = `{{ semantic_layer.query(metrics=['a'], where=["{{ Dimension('x') }} = '🎉🎉' -- c"]) }}`;
    expect(failure(text).offset).toBe(text.indexOf('--'));
  });

  it('refuses deeply nested brackets and parentheses at the first one that does not fit', () => {
    const brackets = `{{ semantic_layer.query(metrics=${'['.repeat(200_000)}'a'${']'.repeat(200_000)}) }}`;
    const error = failure(brackets);
    expect(error.offset).toBe(brackets.indexOf('[') + 1);
    expect(error.message).toContain("expected a string or an object like Dimension('…') in metrics");
    const parentheses = `{{ semantic_layer.query${'('.repeat(200_000)}) }}`;
    expect(failure(parentheses).offset).toBe(parentheses.indexOf('(') + 1);
    const objects = `{{ semantic_layer.query(metrics=['a'], group_by=[Dimension(Dimension(Dimension('x')))]) }}`;
    expect(failure(objects).message).toContain(
      'expected a string, a list of strings or True/False but found "Dimension"',
    );
  });

  it('refuses text longer than the limit before reading it', () => {
    const text = `{{ semantic_layer.query(metrics=['a'], where=["{{ Dimension('x') }} = '${'x'.repeat(2_000_000)}'"]) }}`;
    const error = failure(text);
    expect(error.message).toContain(`the query text is ${text.length} characters long; the limit is 1048576`);
    expect(failure("{{ semantic_layer.query(metrics=['a']) }}", { maxLength: 10 }).offset).toBe(10);
  });

  it('refuses empty text and text that is only a wrapper', () => {
    expect(failure('').message).toContain('expected semantic_layer.query(…) but found the end of the text');
    expect(failure('select * from {{ }}').message).toContain(
      'expected semantic_layer.query(…) but found "}}"',
    );
  });
});
