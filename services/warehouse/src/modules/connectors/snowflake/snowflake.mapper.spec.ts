import { OWN_QUERY_MARKER } from '../warehouse-connector.js';
import {
  columnType,
  decodeRows,
  engineLineage,
  historyStatement,
  mapDatabaseNames,
  mapHistoryRow,
  mapTables,
  parseObjectName,
  parseSnowflakeTimestamp,
  quoteIdentifier,
  tableKind,
  tablesStatement,
} from './snowflake.mapper.js';

describe('snowflake mapper', () => {
  it('decodes jsonv2 values by column type', () => {
    const [row] = decodeRows({
      columns: [
        { name: 'n', type: 'fixed' },
        { name: 'T', type: 'timestamp_ltz' },
        { name: 'TZ', type: 'timestamp_tz' },
        { name: 'D', type: 'date' },
        { name: 'B', type: 'boolean' },
        { name: 'A', type: 'array' },
        { name: 'S', type: 'text' },
        { name: 'NULLED', type: 'text' },
      ],
      rows: [
        ['42', '1714557600.250000000', '1714557600.000000000 1500', '19844', 'true', '[1, 2]', 'x', null],
      ],
    });
    expect(row).toEqual({
      N: 42,
      T: new Date('2024-05-01T10:00:00.250Z'),
      TZ: new Date('2024-05-01T10:00:00Z'),
      D: new Date('2024-05-01T00:00:00Z'),
      B: true,
      A: [1, 2],
      S: 'x',
      NULLED: null,
    });
  });

  it('reads timestamps in epoch and ISO form, and rejects garbage', () => {
    expect(parseSnowflakeTimestamp('0.5')).toEqual(new Date(500));
    expect(parseSnowflakeTimestamp('2024-05-01T10:00:00Z')).toEqual(new Date('2024-05-01T10:00:00Z'));
    expect(parseSnowflakeTimestamp('soon')).toBeNull();
  });

  it('quotes identifiers so a name cannot end the statement', () => {
    expect(quoteIdentifier('My "DB"')).toBe('"My ""DB"""');
    expect(tablesStatement('A"; DROP TABLE X; --').sql).toContain(
      'FROM "A""; DROP TABLE X; --".INFORMATION_SCHEMA.TABLES',
    );
  });

  it('binds the history window, the marker and the limit in placeholder order', () => {
    const since = new Date('2024-05-01T00:00:00Z');
    const until = new Date('2024-05-02T00:00:00Z');
    const withAccess = historyStatement({ since, until, limit: 500, withAccessHistory: true });
    expect(withAccess.sql.match(/\?/g)).toHaveLength(withAccess.bindings.length);
    expect(withAccess.bindings.map((binding) => binding.value)).toEqual([
      since.toISOString(),
      until.toISOString(),
      since.toISOString(),
      until.toISOString(),
      OWN_QUERY_MARKER,
      '500',
    ]);
    const plain = historyStatement({ since, until, withAccessHistory: false });
    expect(plain.sql).not.toMatch(/ACCESS_HISTORY|LIMIT/);
    expect(plain.bindings).toHaveLength(3);
  });

  it('spells column types as DDL does and maps table types to kinds', () => {
    expect(columnType({ DATA_TYPE: 'NUMBER', NUMERIC_PRECISION: 10, NUMERIC_SCALE: 2 })).toBe('NUMBER(10,2)');
    expect(columnType({ DATA_TYPE: 'TEXT', CHARACTER_MAXIMUM_LENGTH: 16_777_216 })).toBe('VARCHAR(16777216)');
    expect(columnType({ DATA_TYPE: 'FLOAT', NUMERIC_PRECISION: null })).toBe('FLOAT');
    expect(tableKind('MATERIALIZED VIEW')).toBe('materialized_view');
    expect(tableKind('EXTERNAL TABLE')).toBe('external');
    expect(tableKind('LOCAL TEMPORARY')).toBe('temporary');
    expect(tableKind('SOMETHING NEW')).toBe('other');
  });

  it('joins columns and view definitions to their tables, columns in ordinal order', () => {
    const tables = mapTables(
      'DB',
      [{ TABLE_SCHEMA: 'S', TABLE_NAME: 'V', TABLE_TYPE: 'VIEW', COMMENT: '' }],
      [
        {
          TABLE_SCHEMA: 'S',
          TABLE_NAME: 'V',
          COLUMN_NAME: 'B',
          ORDINAL_POSITION: 2,
          DATA_TYPE: 'DATE',
          IS_NULLABLE: 'NO',
        },
        {
          TABLE_SCHEMA: 'S',
          TABLE_NAME: 'V',
          COLUMN_NAME: 'A',
          ORDINAL_POSITION: 1,
          DATA_TYPE: 'DATE',
          COMMENT: 'first',
        },
        { TABLE_SCHEMA: 'S', TABLE_NAME: 'OTHER', COLUMN_NAME: 'Z', ORDINAL_POSITION: 1, DATA_TYPE: 'DATE' },
      ],
      [{ TABLE_SCHEMA: 'S', TABLE_NAME: 'V', VIEW_DEFINITION: 'create view V as select 1' }],
    );
    expect(tables).toHaveLength(1);
    expect(tables[0]).toMatchObject({ database: 'DB', schema: 'S', name: 'V', kind: 'view', comment: null });
    expect(tables[0]!.viewDefinition).toBe('create view V as select 1');
    expect(tables[0]!.columns.map((column) => [column.name, column.nullable, column.comment])).toEqual([
      ['A', undefined, 'first'],
      ['B', false, null],
    ]);
  });

  it('keeps the shared SNOWFLAKE database out unless the include list names it', () => {
    const rows = [{ NAME: 'SNOWFLAKE' }, { NAME: 'ANALYTICS' }, { NAME: 'Mixed' }];
    expect(mapDatabaseNames(rows)).toEqual(['ANALYTICS', 'Mixed']);
    expect(mapDatabaseNames(rows, ['analytics', 'Mixed', 'missing'])).toEqual(['ANALYTICS', 'Mixed']);
  });

  it('parses ACCESS_HISTORY object names, quoted parts included', () => {
    expect(parseObjectName('DB.SCH.T')).toEqual({ database: 'DB', schema: 'SCH', name: 'T' });
    expect(parseObjectName('DB."my.schema"."Tab""le"')).toEqual({
      database: 'DB',
      schema: 'my.schema',
      name: 'Tab"le',
    });
    expect(parseObjectName('DB..T')).toBeUndefined();
  });

  it('maps engine lineage: stages dropped, a target is not its own source, null without an access row', () => {
    expect(
      engineLineage({
        DIRECT_OBJECTS_ACCESSED: [
          { objectDomain: 'Table', objectName: 'DB.S.SRC' },
          { objectDomain: 'Stage', objectName: 'DB.S.STAGE' },
          { objectDomain: 'Table', objectName: 'DB.S.TGT' },
        ],
        OBJECTS_MODIFIED: JSON.stringify([{ objectDomain: 'Table', objectName: 'DB.S.TGT' }]),
      }),
    ).toEqual({
      sources: [{ database: 'DB', schema: 'S', name: 'SRC' }],
      targets: [{ database: 'DB', schema: 'S', name: 'TGT' }],
    });
    expect(engineLineage({ DIRECT_OBJECTS_ACCESSED: null, OBJECTS_MODIFIED: null })).toBeNull();
  });

  it('maps a history row and drops our own statements', () => {
    const row = {
      QUERY_ID: 'abc',
      QUERY_TEXT: 'select 1',
      QUERY_TYPE: 'select',
      START_TIME: new Date('2024-05-01T10:00:00Z'),
      END_TIME: null,
      SESSION_ID: 7,
      QUERY_TAG: '',
      WAREHOUSE_NAME: 'WH',
      QUERY_PARAMETERIZED_HASH: 'h',
    };
    expect(mapHistoryRow(row)).toMatchObject({
      queryId: 'abc',
      statementType: 'SELECT',
      sessionId: '7',
      engineFingerprint: 'h',
      engineLineage: null,
      tags: { warehouse: 'WH' },
    });
    expect(mapHistoryRow({ ...row, QUERY_TEXT: `${OWN_QUERY_MARKER} select 1` })).toBeUndefined();
    expect(mapHistoryRow({ ...row, QUERY_TEXT: 'x'.repeat(100_000) })!.textTruncated).toBe(true);
  });
});
