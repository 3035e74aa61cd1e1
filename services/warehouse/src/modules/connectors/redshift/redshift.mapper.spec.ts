import { OWN_QUERY_MARKER } from '../warehouse-connector.js';
import {
  formatRedshiftTimestamp,
  parseRedshiftTimestamp,
  reassembleRedshiftText,
  redshiftColumnType,
  redshiftHistoryRecord,
  redshiftTable,
  redshiftTableKind,
} from './redshift.mapper.js';

describe('Redshift timestamps', () => {
  it('formats parameters in UTC with microseconds and parses what the Data API returns', () => {
    expect(formatRedshiftTimestamp(new Date('2024-03-01T10:00:00.123Z'))).toBe('2024-03-01 10:00:00.123000');
    expect(parseRedshiftTimestamp('2024-03-01 10:00:00.123456')).toEqual(
      new Date('2024-03-01T10:00:00.123Z'),
    );
    expect(parseRedshiftTimestamp('2024-03-01 10:00:00')).toEqual(new Date('2024-03-01T10:00:00.000Z'));
    expect(parseRedshiftTimestamp('2024-03-01 10:00:00.5')).toEqual(new Date('2024-03-01T10:00:00.500Z'));
    expect(parseRedshiftTimestamp(null)).toBeNull();
    expect(parseRedshiftTimestamp('yesterday')).toBeNull();
  });
});

describe('Redshift tables', () => {
  it('rebuilds the type text from the split SVV_ALL_COLUMNS fields', () => {
    expect(redshiftColumnType({ data_type: 'character varying', character_maximum_length: 256 })).toBe(
      'character varying(256)',
    );
    expect(redshiftColumnType({ data_type: 'numeric', numeric_precision: 18, numeric_scale: 2 })).toBe(
      'numeric(18,2)',
    );
    expect(redshiftColumnType({ data_type: 'bigint', numeric_precision: 64, numeric_scale: 0 })).toBe(
      'bigint',
    );
    expect(redshiftColumnType({ data_type: 'timestamp without time zone' })).toBe(
      'timestamp without time zone',
    );
  });

  it.each([
    ['TABLE', 'table'],
    ['VIEW', 'view'],
    ['EXTERNAL TABLE', 'external'],
    ['MATERIALIZED VIEW', 'materialized_view'],
    ['SHARED TABLE', 'other'],
    [null, 'other'],
  ] as const)('maps table_type %j to %s', (tableType, kind) => {
    expect(redshiftTableKind(tableType)).toBe(kind);
  });

  it('converts 1 MB blocks to bytes, orders columns and turns empty remarks into null', () => {
    const table = redshiftTable(
      { database_name: 'dev', schema_name: 'public', table_name: 'orders', table_type: 'TABLE', remarks: '' },
      [
        { column_name: 'b', ordinal_position: 2, data_type: 'integer', is_nullable: 'NO', remarks: '  ' },
        { column_name: 'a', ordinal_position: 1, data_type: 'integer', is_nullable: 'YES', remarks: 'key' },
      ],
      { info: { tbl_rows: '42', size: 3 } },
    );
    expect(table).toMatchObject({
      comment: null,
      rowCount: 42,
      bytes: 3 * 1024 * 1024,
      viewDefinition: null,
    });
    expect(table.columns).toEqual([
      { name: 'a', type: 'integer', position: 1, nullable: true, comment: 'key' },
      { name: 'b', type: 'integer', position: 2, nullable: false, comment: null },
    ]);
    expect(redshiftTable({ database_name: 'dev', schema_name: 's', table_name: 't' }, []).bytes).toBeNull();
  });
});

describe('reassembleRedshiftText', () => {
  it('concatenates chunks in sequence order without trimming anything', () => {
    const chunks = [
      { sequence: 2, text: 'ders' },
      { sequence: 0, text: 'SELECT * FR' },
      { sequence: 1, text: 'OM or    ' },
    ];
    expect(reassembleRedshiftText('SELECT * FR', chunks)).toEqual({
      text: 'SELECT * FROM or    ders',
      truncated: false,
    });
  });

  it('keeps the unbroken start and marks the text truncated when a chunk is missing', () => {
    const history = 'a'.repeat(4000);
    expect(
      reassembleRedshiftText(history, [
        { sequence: 0, text: history },
        { sequence: 1, text: 'b'.repeat(4000) },
        { sequence: 3, text: 'd' },
      ]),
    ).toEqual({ text: `${history}${'b'.repeat(4000)}`, truncated: true });
    expect(reassembleRedshiftText(history, [{ sequence: 1, text: 'b' }])).toEqual({
      text: history,
      truncated: true,
    });
  });

  it('uses the history text alone, truncated only when it fills a whole chunk', () => {
    expect(reassembleRedshiftText('SELECT 1', [])).toEqual({ text: 'SELECT 1', truncated: false });
    expect(reassembleRedshiftText('x'.repeat(4000), [])).toEqual({ text: 'x'.repeat(4000), truncated: true });
  });
});

describe('redshiftHistoryRecord', () => {
  const row = {
    query_id: 5001,
    user_id: 101,
    session_id: 1073815778,
    transaction_id: 9001,
    database_name: 'dev',
    query_type: 'insert',
    query_label: 'default',
    status: 'success',
    start_time: '2024-03-01 10:00:00.250000',
    end_time: '2024-03-01 10:00:02.750000',
    elapsed_time: 2_500_000,
    returned_rows: 0,
    query_text: 'INSERT INTO a SELECT * FROM b',
  };

  it('maps a SYS_QUERY_HISTORY row', () => {
    expect(redshiftHistoryRecord(row, new Map([[101, 'analyst']]))).toEqual({
      queryId: '5001',
      text: 'INSERT INTO a SELECT * FROM b',
      startedAt: new Date('2024-03-01T10:00:00.250Z'),
      endedAt: new Date('2024-03-01T10:00:02.750Z'),
      durationMs: 2500,
      user: 'analyst',
      sessionId: '1073815778',
      defaultDatabase: 'dev',
      statementType: 'INSERT',
      textTruncated: false,
      rowsProduced: 0,
      tags: { transactionId: '9001' },
    });
  });

  it('keeps a query group label, falls back to the user id and takes the reassembled text', () => {
    const record = redshiftHistoryRecord({ ...row, query_label: 'looker' }, new Map(), {
      text: 'INSERT INTO a SELECT * FROM b WHERE long',
      truncated: false,
    });
    expect(record).toMatchObject({
      user: '101',
      tags: { queryLabel: 'looker' },
      text: 'INSERT INTO a SELECT * FROM b WHERE long',
    });
  });

  it('drops our own statements', () => {
    expect(
      redshiftHistoryRecord({ ...row, query_text: `  ${OWN_QUERY_MARKER}\nSELECT 1` }, new Map()),
    ).toBeUndefined();
  });
});
