import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { repositoryRoot } from '../service-registry.js';
import { lineage, LineageUsageError } from './lineage.command.js';

async function run(options: Parameters<typeof lineage>[0], input: string): Promise<string> {
  const output = new PassThrough();
  const chunks: Buffer[] = [];
  output.on('data', (chunk: Buffer) => chunks.push(chunk));
  const code = await lineage(options, Readable.from([input]), output);
  expect(code).toBe(0);
  return Buffer.concat(chunks).toString('utf8');
}

describe('cartograph lineage', () => {
  it('prints each statement with tables normalised as in dataset ids, columns and attributions', async () => {
    const sql = `insert into MARTS.daily_revenue select order_date, sum(amount) as revenue from raw.Orders group by 1;
select * from MARTS.daily_revenue
-- Hex query metadata: {"context": "SCHEDULED_RUN", "project_id": "p-1", "project_name": "Board {EU}", "project_url": "https://app.hex.tech/acme/hex/p-1/draft/logic"}`;
    const result = JSON.parse(await run({ dialect: 'snowflake', database: 'ANALYTICS' }, sql));
    expect(result.statements).toHaveLength(2);
    const [insert, select] = result.statements;
    expect(insert).toMatchObject({
      type: 'insert',
      sources: ['ANALYTICS.RAW.ORDERS'],
      targets: ['ANALYTICS.MARTS.DAILY_REVENUE'],
      error: null,
    });
    expect(insert.columns).toEqual(
      expect.arrayContaining([
        { target: 'ANALYTICS.MARTS.DAILY_REVENUE.REVENUE', sources: ['ANALYTICS.RAW.ORDERS.AMOUNT'] },
      ]),
    );
    expect(select.sources).toEqual(['ANALYTICS.MARTS.DAILY_REVENUE']);
    expect(select.attributions[0]).toMatchObject({
      tool: 'hex',
      projectId: 'p-1',
      projectName: 'Board {EU}',
    });
  });

  it('reports an unreadable statement with its reason instead of failing', async () => {
    const result = JSON.parse(await run({ dialect: 'postgres' }, 'selec * frm where (('));
    expect(result.statements[0].error.reason).toBe('parse_error');
    expect(result.statements[0].sources).toEqual([]);
  });

  it('--jsonl answers one line per input line with its id, and an error line for a bad one', async () => {
    const input = [
      JSON.stringify({ id: 'a', dialect: 'bigquery', sql: 'select * from `my-project.sales.orders`' }),
      'not json',
      JSON.stringify({ id: 7, dialect: 'mysql', sql: 'select id from orders', default_schema: 'shop' }),
      JSON.stringify({ id: 'c', dialect: 'oracle-ish', sql: 'select 1' }),
    ].join('\n');
    const lines = (await run({ jsonl: true }, input))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatchObject({ id: 'a', statements: [{ sources: ['my-project.sales.orders'] }] });
    expect(lines[1]).toEqual({ id: null, error: expect.stringMatching(/^line 2 is not JSON/) });
    expect(lines[2]).toMatchObject({ id: 7, statements: [{ sources: ['shop.shop.orders'] }] });
    expect(lines[3]).toEqual({ id: 'c', error: expect.stringMatching(/unknown dialect "oracle-ish"/) });
  });

  it('refuses an unknown dialect', async () => {
    await expect(
      lineage({ dialect: 'cobol' }, Readable.from(['select 1']), new PassThrough()),
    ).rejects.toThrow(LineageUsageError);
  });

  it('runs as a command reading stdin (exit 2 for an unknown dialect)', () => {
    const bin = join(repositoryRoot(), 'bin', 'cartograph.js');
    const sql = 'create table summary as select count(*) from orders';
    const ok = spawnSync(process.execPath, [bin, 'lineage', '--dialect', 'postgres', '--database', 'shop'], {
      input: sql,
      encoding: 'utf8',
    });
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout).statements[0]).toMatchObject({
      type: 'create_table_as_select',
      sources: ['shop.public.orders'],
      targets: ['shop.public.summary'],
    });
    // Without a database, Postgres names cannot become dataset ids: the error says so and which option helps.
    const missing = spawnSync(process.execPath, [bin, 'lineage', '--dialect', 'postgres'], {
      input: sql,
      encoding: 'utf8',
    });
    expect(JSON.parse(missing.stdout).statements[0].error).toMatchObject({
      reason: 'invalid_name',
      hint: 'pass --database for names without one',
    });
    const bad = spawnSync(process.execPath, [bin, 'lineage', '--dialect', 'cobol'], {
      input: '',
      encoding: 'utf8',
    });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('unknown dialect "cobol"');
  });
});
