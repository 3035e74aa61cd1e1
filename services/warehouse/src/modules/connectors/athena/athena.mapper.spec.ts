import type { QueryExecution } from '@aws-sdk/client-athena';
import { OWN_QUERY_MARKER } from '../warehouse-connector.js';
import { athenaHistoryRecord, athenaTable, athenaTableKind, inAscendingOrder } from './athena.mapper.js';

const window = { since: new Date('2024-03-01T00:00:00Z'), until: new Date('2024-03-02T00:00:00Z') };

function execution(overrides: Partial<QueryExecution> = {}): QueryExecution {
  return {
    QueryExecutionId: 'e-1',
    Query: 'SELECT * FROM sales.orders',
    StatementType: 'DML',
    Status: { State: 'SUCCEEDED', SubmissionDateTime: new Date('2024-03-01T10:00:00Z') },
    WorkGroup: 'primary',
    ...overrides,
  };
}

describe('athenaTable', () => {
  it.each([
    ['EXTERNAL_TABLE', 'table'],
    ['MANAGED_TABLE', 'table'],
    ['VIRTUAL_VIEW', 'view'],
    ['MATERIALIZED_VIEW', 'materialized_view'],
    [undefined, 'other'],
  ] as const)('maps %s to %s', (tableType, kind) => {
    expect(athenaTableKind(tableType)).toBe(kind);
  });

  it('puts partition keys after columns and ignores statistics Glue never computed', () => {
    const table = athenaTable('AwsDataCatalog', 'sales', {
      Name: 'orders',
      TableType: 'EXTERNAL_TABLE',
      Columns: [{ Name: 'id', Type: 'bigint', Comment: '' }],
      PartitionKeys: [{ Name: 'dt', Type: 'string' }],
      Parameters: { numRows: '-1', recordCount: '12', comment: '  ' },
    });
    expect(table).toMatchObject({
      database: 'AwsDataCatalog',
      schema: 'sales',
      comment: null,
      rowCount: 12,
      bytes: null,
    });
    expect(table.columns).toEqual([
      { name: 'id', type: 'bigint', position: 1, comment: null },
      { name: 'dt', type: 'string', position: 2, comment: null },
    ]);
  });
});

describe('athenaHistoryRecord', () => {
  it('keeps successful DML/DDL inside the window and defaults the catalog', () => {
    expect(
      athenaHistoryRecord(execution({ QueryExecutionContext: { Database: 'sales' } }), window),
    ).toMatchObject({
      queryId: 'e-1',
      defaultDatabase: 'AwsDataCatalog',
      defaultSchema: 'sales',
      statementType: 'DML',
      user: null,
    });
  });

  it.each<[string, Partial<QueryExecution>]>([
    ['failed', { Status: { State: 'FAILED', SubmissionDateTime: new Date('2024-03-01T10:00:00Z') } }],
    ['utility', { StatementType: 'UTILITY' }],
    [
      'before the window',
      { Status: { State: 'SUCCEEDED', SubmissionDateTime: new Date('2024-02-29T23:59:59Z') } },
    ],
    ['at the end of the window', { Status: { State: 'SUCCEEDED', SubmissionDateTime: window.until } }],
    ['our own', { Query: `${OWN_QUERY_MARKER} SELECT 1` }],
  ])('drops a %s execution', (_title, overrides) => {
    expect(athenaHistoryRecord(execution(overrides), window)).toBeUndefined();
  });

  it('orders by start, then id', () => {
    const record = (id: string, time: string) =>
      athenaHistoryRecord(
        execution({
          QueryExecutionId: id,
          Status: { State: 'SUCCEEDED', SubmissionDateTime: new Date(time) },
        }),
        window,
      )!;
    const ordered = inAscendingOrder([
      record('b', '2024-03-01T10:00:00Z'),
      record('c', '2024-03-01T09:00:00Z'),
      record('a', '2024-03-01T10:00:00Z'),
    ]);
    expect(ordered.map((item) => item.queryId)).toEqual(['c', 'a', 'b']);
  });
});
