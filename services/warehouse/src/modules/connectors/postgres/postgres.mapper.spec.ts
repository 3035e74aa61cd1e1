import { OWN_QUERY_MARKER, WarehouseError } from '../warehouse-connector.js';
import {
  groupColumnsByRelation,
  isNoiseStatement,
  isSystemSchema,
  mapPostgresRelation,
  mapPostgresStatement,
  postgresHistoryCheck,
  quotePostgresIdentifier,
  warehouseErrorFromPostgres,
  withoutLeadingComments,
  type PostgresColumnRow,
  type PostgresHistoryProbe,
  type PostgresRelationRow,
  type PostgresStatementRow,
} from './postgres.mapper.js';
import { startsWithPattern } from './postgres.queries.js';

const relation = (overrides: Partial<PostgresRelationRow>): PostgresRelationRow => ({
  oid: '16400',
  schema: 'sales',
  name: 'orders',
  relkind: 'r',
  comment: null,
  row_estimate: 10,
  bytes: '8192',
  view_definition: null,
  ...overrides,
});

const column = (name: string, overrides: Partial<PostgresColumnRow> = {}): PostgresColumnRow => ({
  relation_oid: '16400',
  name,
  type: 'integer',
  not_null: false,
  comment: null,
  ...overrides,
});

describe('mapPostgresRelation', () => {
  it('maps a table with its columns, comment, row estimate and bytes', () => {
    const table = mapPostgresRelation(
      'shop',
      relation({ comment: 'One row per order', row_estimate: 41.6, bytes: '16384' }),
      [
        column('id', { not_null: true }),
        column('note', { type: 'character varying(20)', comment: 'Free text' }),
      ],
    );
    expect(table).toEqual({
      database: 'shop',
      schema: 'sales',
      name: 'orders',
      kind: 'table',
      comment: 'One row per order',
      columns: [
        { name: 'id', type: 'integer', position: 1, nullable: false, comment: null },
        { name: 'note', type: 'character varying(20)', position: 2, nullable: true, comment: 'Free text' },
      ],
      rowCount: 42,
      bytes: 16384,
      viewDefinition: null,
      createdAt: null,
      alteredAt: null,
    });
  });

  it('treats a never analysed table (reltuples -1) as an unknown row count, not an empty table', () => {
    expect(mapPostgresRelation('shop', relation({ row_estimate: -1 }), [])?.rowCount).toBeNull();
    expect(mapPostgresRelation('shop', relation({ row_estimate: 0 }), [])?.rowCount).toBe(0);
  });

  it('keeps view definitions and gives views neither rows nor bytes', () => {
    const view = mapPostgresRelation(
      'shop',
      relation({ relkind: 'v', row_estimate: -1, bytes: '0', view_definition: ' SELECT 1 AS x;' }),
      [],
    );
    expect(view).toMatchObject({
      kind: 'view',
      rowCount: null,
      bytes: null,
      viewDefinition: ' SELECT 1 AS x;',
    });
  });

  it('maps materialized views, partitioned and foreign tables, and drops other kinds', () => {
    const materialized = mapPostgresRelation(
      'shop',
      relation({ relkind: 'm', view_definition: 'SELECT 1' }),
      [],
    );
    expect(materialized).toMatchObject({ kind: 'materialized_view', rowCount: 10, bytes: 8192 });
    expect(mapPostgresRelation('shop', relation({ relkind: 'p' }), [])?.kind).toBe('table');
    expect(mapPostgresRelation('shop', relation({ relkind: 'f', bytes: null }), [])).toMatchObject({
      kind: 'external',
      bytes: null,
      rowCount: null,
    });
    expect(mapPostgresRelation('shop', relation({ relkind: 'S' }), [])).toBeNull();
  });

  it('numbers columns without the gaps dropped columns leave', () => {
    const grouped = groupColumnsByRelation([column('a'), column('b', { relation_oid: '2' }), column('c')]);
    const table = mapPostgresRelation('shop', relation({}), grouped.get('16400')!);
    expect(table?.columns.map((entry) => [entry.name, entry.position])).toEqual([
      ['a', 1],
      ['c', 2],
    ]);
    expect(grouped.get('2')?.map((entry) => entry.name)).toEqual(['b']);
  });
});

describe('isSystemSchema', () => {
  it.each(['pg_catalog', 'information_schema', 'pg_toast', 'pg_temp_3', 'pg_toast_temp_3'])(
    'skips %s',
    (schema) => {
      expect(isSystemSchema(schema)).toBe(true);
    },
  );
  it.each(['public', 'pg_custom', 'analytics'])('keeps %s', (schema) => {
    expect(isSystemSchema(schema)).toBe(false);
  });
});

const statement = (overrides: Partial<PostgresStatementRow>): PostgresStatementRow => ({
  dbid: '16384',
  userid: '10',
  queryid: '-4402316718124366110',
  query: 'insert into sales.orders select * from staging.orders where id > $1',
  calls: '3',
  mean_exec_time: 1.5,
  database_name: 'shop',
  user_name: 'loader',
  ...overrides,
});

describe('mapPostgresStatement', () => {
  const readAt = new Date('2026-03-01T10:00:00.000Z');

  it('keys a statement by database, role and queryid, with cumulative calls and the reading time', () => {
    expect(mapPostgresStatement(statement({}), readAt)).toEqual({
      queryId: '16384:10:-4402316718124366110',
      text: 'insert into sales.orders select * from staging.orders where id > $1',
      startedAt: readAt,
      user: 'loader',
      defaultDatabase: 'shop',
      defaultSchema: 'public',
      engineFingerprint: '-4402316718124366110',
      durationMs: 1.5,
      calls: 3,
    });
  });

  it('keeps a trailing Hex comment in the text', () => {
    const text = 'select * from t where a = $1\n-- Hex query metadata: {"project_id": "p1"}';
    expect(mapPostgresStatement(statement({ query: text }), readAt)?.text).toBe(text);
  });

  it('leaves out our own statements, hidden texts and noise', () => {
    expect(
      mapPostgresStatement(statement({ query: `${OWN_QUERY_MARKER} SELECT 1 FROM pg_class` }), readAt),
    ).toBeNull();
    expect(
      mapPostgresStatement(statement({ query: '<insufficient privilege>', queryid: null }), readAt),
    ).toBeNull();
    expect(mapPostgresStatement(statement({ query: 'SET search_path = analytics' }), readAt)).toBeNull();
    expect(mapPostgresStatement(statement({ query: '/* app */ COMMIT' }), readAt)).toBeNull();
    expect(mapPostgresStatement(statement({ query: '-- only a comment' }), readAt)).toBeNull();
  });
});

describe('statement helpers', () => {
  it('skips leading line and nested block comments', () => {
    expect(withoutLeadingComments('  -- a\n /* b /* c */ d */ select 1')).toBe('select 1');
    expect(withoutLeadingComments('/* never closed')).toBe('');
  });

  it('recognises statements without lineage', () => {
    expect(isNoiseStatement('BEGIN')).toBe(true);
    expect(isNoiseStatement('show server_version')).toBe(true);
    expect(isNoiseStatement('create table a as select 1')).toBe(false);
    expect(isNoiseStatement('with x as (select 1) insert into t select * from x')).toBe(false);
  });

  it('quotes identifiers only when Postgres would fold them', () => {
    expect(quotePostgresIdentifier('reader')).toBe('reader');
    expect(quotePostgresIdentifier('Reader "X"')).toBe('"Reader ""X"""');
  });

  it('escapes LIKE wildcards in the marker pattern', () => {
    expect(startsWithPattern('a_b%c\\')).toBe('a\\_b\\%c\\\\%');
    expect(startsWithPattern(OWN_QUERY_MARKER)).toBe(`${OWN_QUERY_MARKER}%`);
  });
});

describe('postgresHistoryCheck', () => {
  const probe = (overrides: Partial<PostgresHistoryProbe>): PostgresHistoryProbe => ({
    database: 'postgres',
    user: 'catalog',
    extensionAvailable: true,
    extensionInstalled: true,
    preloadLibraries: 'pg_stat_statements',
    readsAllStatements: true,
    readError: null,
    ...overrides,
  });

  it('passes when the extension is loaded, created and the role reads every statement', () => {
    expect(postgresHistoryCheck(probe({}))).toEqual({ name: 'history-read', ok: true });
  });

  it('names the preload setting, the restart and CREATE EXTENSION when the library is not loaded', () => {
    const item = postgresHistoryCheck(probe({ preloadLibraries: '', extensionInstalled: false }));
    expect(item.ok).toBe(false);
    expect(item.message).toContain('not loaded');
    expect(item.fix).toContain("shared_preload_libraries = 'pg_stat_statements'");
    expect(item.fix).toContain('restart');
    expect(item.fix).toContain('CREATE EXTENSION pg_stat_statements');
  });

  it('keeps libraries already preloaded in the fix', () => {
    const item = postgresHistoryCheck(probe({ preloadLibraries: 'auto_explain' }));
    expect(item.fix).toContain("shared_preload_libraries = 'auto_explain, pg_stat_statements'");
  });

  it('recognises "not loaded" from the read error when the setting is unreadable', () => {
    const item = postgresHistoryCheck(
      probe({
        preloadLibraries: null,
        readError: {
          code: '55000',
          message: 'pg_stat_statements must be loaded via shared_preload_libraries',
        },
      }),
    );
    expect(item.fix).toContain('shared_preload_libraries');
  });

  it('asks for CREATE EXTENSION in the connection database when only that is missing', () => {
    const item = postgresHistoryCheck(probe({ extensionInstalled: false, database: 'Analytics' }));
    expect(item.ok).toBe(false);
    expect(item.fix).toBe('CREATE EXTENSION pg_stat_statements; (as a superuser, in database "Analytics")');
  });

  it('asks for pg_read_all_stats when other roles’ texts are hidden', () => {
    const item = postgresHistoryCheck(probe({ readsAllStatements: false, user: 'Catalog' }));
    expect(item.ok).toBe(false);
    expect(item.message).toContain('<insufficient privilege>');
    expect(item.fix).toBe('GRANT pg_read_all_stats TO "Catalog";');
  });

  it('asks for the contrib package when the server does not have the extension', () => {
    const item = postgresHistoryCheck(probe({ extensionAvailable: false, extensionInstalled: false }));
    expect(item.fix).toMatch(/^Install the Postgres contrib package/);
  });
});

describe('warehouseErrorFromPostgres', () => {
  const context = { host: 'db.example.com', port: 5432, database: 'shop', secrets: ['s3cret-passw0rd'] };
  const pgError = (code: string, message: string) => Object.assign(new Error(message), { code });

  it('turns refused credentials into auth without the password', () => {
    const error = warehouseErrorFromPostgres(
      pgError('28P01', 'password authentication failed for user "x" (s3cret-passw0rd)'),
      context,
    );
    expect(error).toBeInstanceOf(WarehouseError);
    expect(error.kind).toBe('auth');
    expect(error.message).toContain('db.example.com:5432');
    expect(error.message).not.toContain('s3cret-passw0rd');
  });

  it.each([
    ['42501', 'permission denied for table x', 'permission'],
    ['ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432', 'unavailable'],
    ['57P01', 'terminating connection due to administrator command', 'unavailable'],
    ['53300', 'sorry, too many clients already', 'unavailable'],
    ['42P01', 'relation "x" does not exist', 'invalid'],
  ])('classifies %s (%s) as %s', (code, message, kind) => {
    expect(warehouseErrorFromPostgres(pgError(code, message), context).kind).toBe(kind);
  });

  it('treats a client-side timeout without a code as unavailable', () => {
    expect(warehouseErrorFromPostgres(new Error('Query read timeout'), context).kind).toBe('unavailable');
  });
});
