import { OWN_QUERY_MARKER } from '../warehouse-connector.js';
import {
  decodeRows,
  historyStatement,
  jobLineage,
  mapJobRow,
  mapTables,
  optionText,
  parseBigQueryTimestamp,
  regionLocation,
  tableKind,
  tablesStatement,
} from './bigquery.mapper.js';

const reference = (project: string, dataset: string, table: string) => ({
  project_id: project,
  dataset_id: dataset,
  table_id: table,
});

describe('bigquery mapper', () => {
  it('decodes REST rows: nested records, repeated fields, timestamps in both encodings', () => {
    const [row] = decodeRows({
      fields: [
        { name: 'n', type: 'INTEGER' },
        { name: 't', type: 'TIMESTAMP' },
        { name: 'old', type: 'TIMESTAMP' },
        { name: 'ok', type: 'BOOLEAN' },
        {
          name: 'refs',
          type: 'RECORD',
          mode: 'REPEATED',
          fields: [
            { name: 'a', type: 'STRING' },
            { name: 'b', type: 'INTEGER' },
          ],
        },
        { name: 'missing', type: 'STRING' },
      ],
      rows: [
        {
          f: [
            { v: '5' },
            { v: '1714557600250000' },
            { v: '1.7145576E9' },
            { v: 'true' },
            { v: [{ v: { f: [{ v: 'x' }, { v: '1' }] } }] },
            { v: null },
          ],
        },
      ],
    });
    expect(row).toEqual({
      n: 5,
      t: new Date('2024-05-01T10:00:00.250Z'),
      old: new Date('2024-05-01T10:00:00Z'),
      ok: true,
      refs: [{ a: 'x', b: 1 }],
      missing: null,
    });
    expect(parseBigQueryTimestamp('nonsense')).toBeNull();
  });

  it('maps regions to job locations', () => {
    expect(regionLocation('region-us')).toBe('US');
    expect(regionLocation('region-EU')).toBe('EU');
    expect(regionLocation('region-europe-west1')).toBe('europe-west1');
  });

  it('binds the jobs window, the marker and the limit as named parameters', () => {
    const statement = historyStatement({
      project: 'p-123456',
      region: 'region-us',
      since: new Date('2024-05-01T00:00:00Z'),
      until: new Date('2024-05-02T00:00:00Z'),
      limit: 10,
    });
    expect(statement.sql).toContain('FROM `p-123456`.`region-us`.INFORMATION_SCHEMA.JOBS_BY_PROJECT');
    expect(statement.sql).not.toContain('2024-05');
    expect([...statement.sql.matchAll(/@(\w+)/g)].map((match) => match[1]).sort()).toEqual(
      statement.parameters.map((parameter) => parameter.name).sort(),
    );
    expect(statement.parameters.find((parameter) => parameter.name === 'own_marker')!.value).toBe(
      OWN_QUERY_MARKER,
    );
    expect(tablesStatement('p-123456', 'region-eu').sql).toContain(
      '`region-eu`.INFORMATION_SCHEMA.TABLE_STORAGE',
    );
  });

  it('reads description literals of TABLE_OPTIONS', () => {
    expect(optionText('"Orders \\"raw\\"\\nsecond line"')).toBe('Orders "raw"\nsecond line');
    expect(optionText('r"C:\\path"')).toBe('C:\\path');
    expect(optionText('"""triple"""')).toBe('triple');
    expect(optionText(null)).toBeNull();
  });

  it('maps table types and joins columns', () => {
    expect(tableKind('CLONE')).toBe('table');
    expect(tableKind('EXTERNAL')).toBe('external');
    expect(tableKind('MATERIALIZED VIEW')).toBe('materialized_view');
    const [table] = mapTables(
      [
        {
          table_catalog: 'p',
          table_schema: 'd',
          table_name: 't',
          table_type: 'BASE TABLE',
          description: '"x"',
          total_rows: 3,
        },
      ],
      [
        {
          table_schema: 'd',
          table_name: 't',
          column_name: 'b',
          ordinal_position: 2,
          data_type: 'STRING',
          is_nullable: 'YES',
        },
        {
          table_schema: 'd',
          table_name: 't',
          column_name: 'a',
          ordinal_position: 1,
          data_type: 'INT64',
          description: 'k',
        },
      ],
    );
    expect(table).toMatchObject({
      database: 'p',
      schema: 'd',
      name: 't',
      kind: 'table',
      comment: 'x',
      rowCount: 3,
      bytes: null,
    });
    expect(table!.columns.map((column) => [column.name, column.comment])).toEqual([
      ['a', 'k'],
      ['b', null],
    ]);
  });

  it('takes lineage from referenced and destination tables, ignoring anonymous datasets and decorators', () => {
    expect(
      jobLineage({
        referenced_tables: [
          reference('p', 'd', 'src'),
          reference('p', 'd', 'src'),
          reference('p', 'd', 'tgt'),
        ],
        destination_table: reference('p', 'd', 'tgt$20240101'),
      }),
    ).toEqual({
      sources: [{ database: 'p', schema: 'd', name: 'src' }],
      targets: [{ database: 'p', schema: 'd', name: 'tgt' }],
    });
    expect(
      jobLineage({ referenced_tables: [], destination_table: reference('p', '_abc123', 'anon') }),
    ).toEqual({
      sources: [],
      targets: [],
    });
  });

  it('maps a job row, and drops our own jobs by marker or label', () => {
    const row = {
      job_id: 'j',
      project_id: 'p',
      query: 'select 1',
      creation_time: new Date('2024-05-01T00:00:00Z'),
      start_time: new Date('2024-05-01T00:00:01Z'),
      end_time: new Date('2024-05-01T00:00:03Z'),
      labels: [{ key: 'looker_studio_report_id', value: 'r1' }],
      cache_hit: true,
    };
    expect(mapJobRow(row)).toMatchObject({
      queryId: 'j',
      startedAt: new Date('2024-05-01T00:00:00Z'),
      durationMs: 2000,
      defaultDatabase: 'p',
      engineLineage: null,
      tags: { looker_studio_report_id: 'r1' },
    });
    expect(mapJobRow({ ...row, query: `${OWN_QUERY_MARKER} select 1` })).toBeUndefined();
    expect(mapJobRow({ ...row, labels: [{ key: 'app', value: 'cartograph' }] })).toBeUndefined();
  });
});
