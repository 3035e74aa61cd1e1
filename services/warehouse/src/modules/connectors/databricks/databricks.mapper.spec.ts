import { OWN_QUERY_MARKER } from '../warehouse-connector.js';
import {
  decodeRows,
  engineLineage,
  historyStatement,
  mapCatalogNames,
  mapHistoryRow,
  mapTables,
  querySourceTags,
  tableKind,
} from './databricks.mapper.js';

describe('databricks mapper', () => {
  it('decodes JSON_ARRAY values by type name', () => {
    const [row] = decodeRows({
      columns: [
        { name: 'N', typeName: 'LONG' },
        { name: 't', typeName: 'TIMESTAMP' },
        { name: 'local', typeName: 'TIMESTAMP_NTZ' },
        { name: 'b', typeName: 'BOOLEAN' },
        { name: 's', typeName: 'STRING' },
      ],
      rows: [['7', '2024-05-01T10:00:00.000Z', '2024-05-01 10:00:00', 'true', null]],
    });
    expect(row).toEqual({
      n: 7,
      t: new Date('2024-05-01T10:00:00Z'),
      local: new Date('2024-05-01T10:00:00Z'),
      b: true,
      s: null,
    });
  });

  it('names every parameter the history SQL uses, with or without lineage', () => {
    for (const withLineage of [true, false]) {
      const statement = historyStatement({
        since: new Date('2024-05-01T00:00:00Z'),
        until: new Date('2024-05-02T00:00:00Z'),
        limit: 5,
        withLineage,
      });
      const used = new Set([...statement.sql.matchAll(/:(\w+)/g)].map((match) => match[1]));
      expect([...used].sort()).toEqual(statement.parameters.map((parameter) => parameter.name).sort());
      expect(statement.sql).not.toContain('2024-05');
      expect(statement.sql.includes('system.access.table_lineage')).toBe(withLineage);
    }
  });

  it('keeps internal catalogs out unless included, matching names without case', () => {
    const rows = [{ catalog_name: 'system' }, { catalog_name: 'main' }, { catalog_name: 'dev' }];
    expect(mapCatalogNames(rows)).toEqual(['main', 'dev']);
    expect(mapCatalogNames(rows, ['MAIN', 'system'])).toEqual(['system', 'main']);
  });

  it('maps table types and makes column positions 1-based', () => {
    expect(tableKind('STREAMING_TABLE')).toBe('table');
    expect(tableKind('FOREIGN')).toBe('external');
    expect(tableKind('MATERIALIZED_VIEW')).toBe('materialized_view');
    const [table] = mapTables(
      'main',
      [{ table_schema: 's', table_name: 't', table_type: 'MANAGED', comment: null }],
      [
        {
          table_schema: 's',
          table_name: 't',
          column_name: 'b',
          ordinal_position: 1,
          full_data_type: 'string',
        },
        {
          table_schema: 's',
          table_name: 't',
          column_name: 'a',
          ordinal_position: 0,
          full_data_type: 'map<string,int>',
        },
      ],
      [],
    );
    expect(table!.columns.map((column) => [column.name, column.position, column.type])).toEqual([
      ['a', 1, 'map<string,int>'],
      ['b', 2, 'string'],
    ]);
  });

  it('folds lineage lists, drops self-reads, and is null without lineage rows', () => {
    expect(
      engineLineage({
        lineage_sources: JSON.stringify([
          { catalog: 'm', schema: 's', name: 'a' },
          { catalog: 'm', schema: 's', name: 't' },
        ]),
        lineage_targets: JSON.stringify([{ catalog: 'm', schema: 's', name: 't' }]),
      }),
    ).toEqual({
      sources: [{ database: 'm', schema: 's', name: 'a' }],
      targets: [{ database: 'm', schema: 's', name: 't' }],
    });
    expect(engineLineage({ lineage_sources: null, lineage_targets: null })).toBeNull();
  });

  it('flattens query_source into tags and drops our statements', () => {
    expect(querySourceTags('{"dashboard_id":"d1","job_info":null,"alert_id":null}')).toEqual({
      'query_source.dashboard_id': 'd1',
    });
    const row = {
      statement_id: 'x',
      statement_text: 'select 1',
      start_time: new Date(0),
      statement_type: 'select',
    };
    expect(mapHistoryRow(row)).toMatchObject({ queryId: 'x', statementType: 'SELECT', engineLineage: null });
    expect(mapHistoryRow({ ...row, statement_text: `${OWN_QUERY_MARKER} select 1` })).toBeUndefined();
  });
});
