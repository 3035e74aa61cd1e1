import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../src/embedded/embedded-postgres.js';

// `npm start` without Postgres serves PGlite (one session) to three processes with a pool each. Concurrent
// connections must not see each other's parameterised queries, errors or transactions.

describe('embedded PGlite under concurrent connections', () => {
  let directory: string;
  let embedded: EmbeddedPostgres;
  const pools: pg.Pool[] = [];

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'cartograph-pglite-'));
    embedded = await startEmbeddedPostgres(directory);
    for (let index = 0; index < 4; index += 1) {
      const pool = new pg.Pool({ connectionString: embedded.url, max: 3 });
      pool.on('error', () => undefined);
      pools.push(pool);
    }
    await pools[0]!.query('CREATE TABLE items (id int PRIMARY KEY, owner int NOT NULL)');
  }, 60_000);

  afterAll(async () => {
    await Promise.all(pools.map((pool) => pool.end()));
    await embedded?.stop();
    rmSync(directory, { recursive: true, force: true });
  });

  it('keeps parameterised queries, failures and transactions of concurrent connections apart', async () => {
    const task = async (index: number): Promise<void> => {
      const pool = pools[index % pools.length]!;
      switch (index % 3) {
        case 0: {
          const { rows } = await pool.query<{ value: number; text: string }>(
            'SELECT $1::int AS value, $2::text AS text',
            [index, `t${index}`],
          );
          expect(rows).toEqual([{ value: index, text: `t${index}` }]);
          break;
        }
        case 1: {
          // An error makes Postgres skip messages up to the next Sync: only this query's, nobody else's.
          await expect(pool.query('SELECT 1 / $1::int', [0])).rejects.toThrow(/division by zero/);
          break;
        }
        default: {
          const client = await pool.connect();
          try {
            await client.query('BEGIN');
            await client.query('INSERT INTO items (id, owner) VALUES ($1, $2)', [index, index * 10]);
            const { rows } = await client.query<{ owner: number }>('SELECT owner FROM items WHERE id = $1', [
              index,
            ]);
            expect(rows).toEqual([{ owner: index * 10 }]);
            await client.query('COMMIT');
          } finally {
            client.release();
          }
        }
      }
    };
    await Promise.all(Array.from({ length: 300 }, (_, index) => task(index)));
    const { rows } = await pools[1]!.query<{ count: string }>('SELECT count(*) AS count FROM items');
    expect(Number(rows[0]!.count)).toBe(100);
  }, 60_000);
});
