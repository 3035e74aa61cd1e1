import { OWN_QUERY_MARKER } from '../warehouse-connector.js';
import { parameterText } from './clickhouse.client.js';
import {
  CLICKHOUSE_LOG_COMMENT,
  clickHouseEngineLineage,
  clickHouseEngineTable,
  clickHouseHistoryRecord,
  clickHouseMicrosecondsToDate,
  clickHouseTable,
  clickHouseTableKind,
} from './clickhouse.mapper.js';

describe('ClickHouse tables', () => {
  it.each([
    ['MergeTree', 'table'],
    ['ReplicatedReplacingMergeTree', 'table'],
    ['Distributed', 'table'],
    ['View', 'view'],
    ['MaterializedView', 'materialized_view'],
    ['S3', 'external'],
    ['PostgreSQL', 'external'],
    ['Dictionary', 'other'],
  ] as const)('maps engine %s to %s', (engine, kind) => {
    expect(clickHouseTableKind(engine)).toBe(kind);
  });

  it('reads quoted 64-bit numbers, Nullable types and view SQL only for views', () => {
    const table = clickHouseTable(
      {
        database: 'db',
        name: 't',
        engine: 'MergeTree',
        comment: '',
        total_rows: '9007199254740993',
        total_bytes: null,
        as_select: '',
        modified_at: 1706774400,
      },
      [
        { name: 'b', type: 'LowCardinality(Nullable(String))', comment: 'label', position: '2' },
        { name: 'a', type: 'UInt64', comment: '', position: '1' },
      ],
    );
    expect(table).toMatchObject({
      database: 'db',
      schema: 'db',
      comment: null,
      bytes: null,
      viewDefinition: null,
    });
    expect(table.rowCount).toBe(9007199254740992);
    expect(table.alteredAt).toEqual(new Date('2024-02-01T08:00:00Z'));
    expect(table.columns).toEqual([
      { name: 'a', type: 'UInt64', position: 1, nullable: false, comment: null },
      { name: 'b', type: 'LowCardinality(Nullable(String))', position: 2, nullable: true, comment: 'label' },
    ]);
    expect(
      clickHouseTable({ database: 'db', name: 'v', engine: 'View', as_select: 'SELECT 1' }, [])
        .viewDefinition,
    ).toBe('SELECT 1');
  });
});

describe('ClickHouse engine lineage', () => {
  const events = { database: 'analytics', schema: 'analytics', name: 'events' };

  it('splits db.table at the first dot and skips internal tables', () => {
    expect(clickHouseEngineTable('analytics.events')).toEqual(events);
    expect(clickHouseEngineTable('analytics.events.v2')).toEqual({
      database: 'analytics',
      schema: 'analytics',
      name: 'events.v2',
    });
    expect(clickHouseEngineTable('_temporary_and_external_tables._tmp_1')).toBeUndefined();
    expect(clickHouseEngineTable('events')).toBeUndefined();
  });

  it('uses every table as a source of a Select, one table as the target of an Insert, and nothing otherwise', () => {
    expect(clickHouseEngineLineage('Select', ['analytics.events', 'analytics.users'])).toEqual({
      sources: [events, { database: 'analytics', schema: 'analytics', name: 'users' }],
      targets: [],
    });
    expect(clickHouseEngineLineage('Insert', ['analytics.events'])).toEqual({
      sources: [],
      targets: [events],
    });
    expect(clickHouseEngineLineage('Insert', ['analytics.daily', 'analytics.events'])).toBeNull();
    expect(clickHouseEngineLineage('Create', ['analytics.events'])).toEqual({
      sources: [],
      targets: [events],
    });
    expect(clickHouseEngineLineage('Alter', ['analytics.events'])).toBeNull();
    expect(clickHouseEngineLineage(null, [])).toBeNull();
  });
});

describe('clickHouseHistoryRecord', () => {
  const row = {
    query_id: 'q-1',
    query: 'INSERT INTO t VALUES',
    user: 'loader',
    current_database: 'analytics',
    query_kind: 'Insert',
    normalized_query_hash: '12345678901234567890',
    tables: ['analytics.t'],
    start_us: '1709287200123456',
    query_duration_ms: '250',
    result_rows: '0',
    written_rows: '10',
    log_comment: '',
    http_user_agent: 'dbt/1.8',
    client_name: '',
  };

  it('maps a query_log row', () => {
    expect(clickHouseHistoryRecord(row)).toEqual({
      queryId: 'q-1',
      text: 'INSERT INTO t VALUES',
      startedAt: new Date('2024-03-01T10:00:00.123Z'),
      endedAt: new Date('2024-03-01T10:00:00.373Z'),
      durationMs: 250,
      user: 'loader',
      defaultDatabase: 'analytics',
      defaultSchema: 'analytics',
      statementType: 'INSERT',
      engineFingerprint: '12345678901234567890',
      engineLineage: { sources: [], targets: [{ database: 'analytics', schema: 'analytics', name: 't' }] },
      textTruncated: false,
      rowsProduced: 10,
      tags: { httpUserAgent: 'dbt/1.8' },
    });
  });

  it('drops our own queries by marker or log comment, and flags text cut by the log', () => {
    expect(clickHouseHistoryRecord({ ...row, query: `${OWN_QUERY_MARKER}\nSELECT 1` })).toBeUndefined();
    expect(clickHouseHistoryRecord({ ...row, log_comment: CLICKHOUSE_LOG_COMMENT })).toBeUndefined();
    expect(clickHouseHistoryRecord({ ...row, query: 'x'.repeat(100_000) })!.textTruncated).toBe(true);
  });

  it('converts microseconds without losing the milliseconds', () => {
    expect(clickHouseMicrosecondsToDate('1709287200999999')).toEqual(new Date('2024-03-01T10:00:00.999Z'));
    expect(clickHouseMicrosecondsToDate('soon')).toBeNull();
  });
});

describe('parameterText', () => {
  it('escapes strings and arrays in the text format parameters use', () => {
    expect(parameterText('a\\b\tc\nd')).toBe('a\\\\b\\tc\\nd');
    expect(parameterText(["it's", 'a\\b'])).toBe("['it\\'s','a\\\\b']");
    expect(parameterText(1709287200000000n)).toBe('1709287200000000');
  });
});
