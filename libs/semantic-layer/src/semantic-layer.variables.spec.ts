import { Kind, parse, visit, type OperationDefinitionNode } from 'graphql';
import { SEMANTIC_LAYER_DOCUMENTS } from './semantic-layer.documents.js';
import { SemanticLayerQueryError } from './semantic-layer.error.js';
import { isTerminalQueryStatus } from './semantic-layer.types.js';
import {
  environmentIdVariable,
  metricQueryVariables,
  metricSetVariables,
  metricsVariables,
  queryResultVariables,
} from './semantic-layer.variables.js';

function declaredVariables(document: string): string[] {
  const operation = parse(document).definitions.find(
    (definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION,
  )!;
  return (operation.variableDefinitions ?? []).map((definition) => definition.variable.name.value).sort();
}

function usedVariables(document: string): string[] {
  const used = new Set<string>();
  visit(parse(document), {
    // Skip the definitions: only variables used as argument values count.
    VariableDefinition() {
      return false;
    },
    Variable(node) {
      used.add(node.name.value);
    },
  });
  return [...used].sort();
}

function stringLiterals(document: string): string[] {
  const strings: string[] = [];
  visit(parse(document), {
    StringValue(node) {
      strings.push(node.value);
    },
  });
  return strings;
}

describe('metricQueryVariables', () => {
  it('builds the API input types: grains as timeGranularity, date parts as enums, filters as {sql}', () => {
    const variables = metricQueryVariables(
      '12345',
      {
        metrics: ['revenue', 'orders'],
        groupBy: [
          { name: 'metric_time', grain: 'month' },
          { name: 'customer__region' },
          { name: 'order__ordered_at', datePart: 'year' },
        ],
        where: ["{{ Dimension('customer__region') }} = 'EU'"],
        orderBy: [
          { name: 'revenue', descending: true },
          { name: 'metric_time', descending: false },
          { name: 'customer__region', descending: true },
        ],
        limit: 100,
      },
      ["{{ Dimension('customer__tenant') }} = 'acme'"],
    );
    expect(variables).toEqual({
      environmentId: '12345',
      savedQuery: null,
      metrics: [{ name: 'revenue' }, { name: 'orders' }],
      groupBy: [
        { name: 'metric_time', timeGranularity: 'month' },
        { name: 'customer__region' },
        { name: 'order__ordered_at', datePart: 'YEAR' },
      ],
      where: [
        { sql: "{{ Dimension('customer__region') }} = 'EU'" },
        { sql: "{{ Dimension('customer__tenant') }} = 'acme'" },
      ],
      orderBy: [
        { metric: { name: 'revenue' }, descending: true },
        { groupBy: { name: 'metric_time', timeGranularity: 'month' }, descending: false },
        { groupBy: { name: 'customer__region' }, descending: true },
      ],
      limit: 100,
    });
  });

  it('sends a saved query with null metrics and group-bys, and readCache only when asked', () => {
    const variables = metricQueryVariables(
      7,
      {
        metrics: [],
        groupBy: [],
        where: [],
        orderBy: [{ name: 'metric_time', descending: true }],
        savedQuery: 'weekly_revenue',
      },
      [],
      { readCache: false },
    );
    expect(variables).toEqual({
      environmentId: '7',
      savedQuery: 'weekly_revenue',
      metrics: null,
      groupBy: null,
      where: [],
      orderBy: [{ groupBy: { name: 'metric_time' }, descending: true }],
      limit: null,
      readCache: false,
    });
    expect(
      'readCache' in metricQueryVariables(7, { metrics: ['a'], groupBy: [], where: [], orderBy: [] }),
    ).toBe(false);
  });

  it('does not repeat a row filter the request already carries, and checks row filters', () => {
    const filter = "{{ Dimension('customer__tenant') }} = 'acme'";
    const variables = metricQueryVariables(1, { metrics: ['a'], groupBy: [], where: [filter], orderBy: [] }, [
      filter,
    ]);
    expect(variables.where).toEqual([{ sql: filter }]);
    expect(() =>
      metricQueryVariables(1, { metrics: ['a'], groupBy: [], where: [], orderBy: [] }, ['1=1) or (1=1']),
    ).toThrow("rowFilters[0] at offset 3: ')' has no matching '(' in this filter");
  });

  it('validates the request again before it goes on the wire', () => {
    expect(() => metricQueryVariables(1, { metrics: ['a b'], groupBy: [], where: [], orderBy: [] })).toThrow(
      SemanticLayerQueryError,
    );
  });

  it('keeps environment ids beyond 2^53 exact and refuses anything but a positive number', () => {
    expect(environmentIdVariable(9007199254740993n)).toBe('9007199254740993');
    expect(environmentIdVariable(' 42 ')).toBe('42');
    for (const bad of ['0', '-1', '1e3', 'abc', '12 34', '', 1.5]) {
      expect(() => environmentIdVariable(bad)).toThrow('environmentId: expected a positive whole number');
    }
  });

  it('builds the other variables', () => {
    expect(queryResultVariables(5, '2fWo7hWqRbyMJpBbBNTwD6WX2jb', 3)).toEqual({
      environmentId: '5',
      queryId: '2fWo7hWqRbyMJpBbBNTwD6WX2jb',
      pageNum: 3,
    });
    expect(() => queryResultVariables(5, 'id"){ x }', 1)).toThrow('is not a query id');
    expect(() => queryResultVariables(5, 'abc', 0)).toThrow('pageNum');
    expect(metricsVariables(5, 'rev')).toEqual({ environmentId: '5', search: 'rev' });
    expect(metricsVariables(5)).toEqual({ environmentId: '5' });
    expect(metricSetVariables(5, ['Revenue', 'orders'])).toEqual({
      environmentId: '5',
      metrics: [{ name: 'revenue' }, { name: 'orders' }],
    });
  });
});

describe('Semantic Layer documents', () => {
  const documents = Object.entries(SEMANTIC_LAYER_DOCUMENTS);

  it.each(documents)(
    '%s parses, declares every variable it uses and uses every one it declares',
    (_name, document) => {
      expect(declaredVariables(document)).toEqual(usedVariables(document));
      expect(declaredVariables(document)).toContain('environmentId');
    },
  );

  it.each(documents)('%s has no string literal in which a value could hide', (_name, document) => {
    expect(stringLiterals(document)).toEqual([]);
  });

  it('never contains a value of the request, and sends only declared variables', () => {
    const hostile = {
      metrics: ['zz_metric_marker'],
      groupBy: [{ name: 'zz_dimension_marker', grain: 'zz_grain_marker' }],
      where: ["{{ Dimension('zz_filter_dimension') }} = 'zz\"quoted''marker'"],
      orderBy: [{ name: 'zz_metric_marker', descending: true }],
      limit: 424242,
    };
    const variables = metricQueryVariables('987654321', hostile, [
      "{{ Dimension('zz_row_filter') }} = 'zz_row_marker'",
    ]);
    const values = [
      'zz_metric_marker',
      'zz_dimension_marker',
      'zz_grain_marker',
      'zz_filter_dimension',
      'zz_row_filter',
      'zz_row_marker',
      '424242',
      '987654321',
      "'EU'",
    ];
    for (const [, document] of documents) {
      for (const value of values) expect(document).not.toContain(value);
    }
    for (const document of [SEMANTIC_LAYER_DOCUMENTS.createQuery, SEMANTIC_LAYER_DOCUMENTS.compileSql]) {
      const declared = declaredVariables(document);
      for (const key of Object.keys(variables)) expect(declared).toContain(key);
    }
    // The values do travel, in the variables.
    expect(JSON.stringify(variables)).toContain('zz_row_marker');
    expect(JSON.stringify(variables)).toContain('zz_metric_marker');
  });
});

describe('isTerminalQueryStatus', () => {
  it('ends on SUCCESSFUL and FAILED only, unknown statuses included', () => {
    expect(
      ['PENDING', 'RUNNING', 'COMPILED', 'SUCCESSFUL', 'FAILED', 'LOG_ONLY', 'QUEUED_NEW'].filter(
        isTerminalQueryStatus,
      ),
    ).toEqual(['SUCCESSFUL', 'FAILED']);
  });
});
