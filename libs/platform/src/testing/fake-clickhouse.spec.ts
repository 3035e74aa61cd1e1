import { FakeClickHouse } from './fake-clickhouse.js';

describe('FakeClickHouse', () => {
  let fake: FakeClickHouse;

  beforeEach(async () => {
    fake = new FakeClickHouse({
      users: [
        { name: 'catalog', password: 'pw-123456' },
        { name: 'reader', password: 'pw-123456', deniedTables: ['system.query_log'] },
      ],
    });
    fake.addTables({
      database: 'analytics',
      name: 'events',
      totalRows: 2 ** 60,
      columns: [{ name: 'id', type: 'UInt64' }],
    });
    await fake.start();
  });

  afterEach(() => fake.stop());

  function post(sql: string, query: Record<string, string> = {}, user = 'catalog', password = 'pw-123456') {
    const url = new URL(fake.baseUrl);
    for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
    return fetch(url, {
      method: 'POST',
      body: sql,
      headers: { 'x-clickhouse-user': user, 'x-clickhouse-key': password },
    });
  }

  it('answers a refused login with code 516, HTTP 401 and the exception code header', async () => {
    const response = await post('SELECT 1', { default_format: 'JSON' }, 'catalog', 'wrong');
    expect(response.status).toBe(401);
    expect(response.headers.get('x-clickhouse-exception-code')).toBe('516');
    expect(await response.text()).toMatch(
      /^Code: 516\. DB::Exception: catalog: Authentication failed: .* \(AUTHENTICATION_FAILED\) \(version [\d.]+\)/,
    );
  });

  it('refuses a placeholder without its param_ value and a table the user may not read', async () => {
    const missing = await post('SELECT name FROM system.tables WHERE database IN {databases:Array(String)}', {
      default_format: 'JSON',
    });
    expect(missing.status).toBe(400);
    expect(await missing.text()).toMatch(/^Code: 456\. .*Substitution `databases` is not set/);
    const denied = await post('SELECT query_id FROM system.query_log', { default_format: 'JSON' }, 'reader');
    expect(denied.status).toBe(403);
    expect(await denied.text()).toMatch(
      /Code: 497\. .*grant SELECT ON system\.query_log\. \(ACCESS_DENIED\)/,
    );
  });

  it('serves JSON with quoted 64-bit integers, JSONEachRow, parameter filters and misspelt columns', async () => {
    const json = await post(
      'SELECT name, total_rows FROM system.tables WHERE database IN {databases:Array(String)}',
      {
        default_format: 'JSON',
        param_databases: "['analytics']",
      },
    );
    expect(await json.json()).toMatchObject({
      meta: [
        { name: 'name', type: 'String' },
        { name: 'total_rows', type: 'Nullable(UInt64)' },
      ],
      data: [{ name: 'events', total_rows: '1152921504606846976' }],
      rows: 1,
    });
    const none = await post(
      'SELECT name FROM system.tables WHERE database IN {databases:Array(String)} FORMAT JSONEachRow',
      {
        param_databases: "['other']",
      },
    );
    expect(await none.text()).toBe('');
    const lines = await post('SELECT table, name, position FROM system.columns FORMAT JSONEachRow');
    expect(await lines.text()).toBe('{"table":"events","name":"id","position":"1"}\n');
    const misspelt = await post('SELECT nmae FROM system.tables', { default_format: 'JSON' });
    expect(misspelt.status).toBe(400);
    expect(await misspelt.text()).toMatch(/Code: 47\. .*Missing columns: 'nmae'/);
  });

  it('logs the queries it runs, a QueryStart and a QueryFinish row each, with the log_comment', async () => {
    await post('SELECT 1', { default_format: 'JSON', log_comment: 'mine' });
    expect(fake.queryLogRows.map((row) => [row.type, row.query, row.logComment])).toEqual([
      ['QueryStart', 'SELECT 1', 'mine'],
      ['QueryFinish', 'SELECT 1', 'mine'],
    ]);
  });
});
