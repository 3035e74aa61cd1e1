import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';

export interface EmbeddedPostgres {
  url: string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * PGlite (Postgres compiled to WebAssembly) served over the Postgres wire protocol, for laptops without
 * a Postgres. Data persists in `directory`. Connections share one session, so it suits one developer,
 * not load: the README says so.
 */
export async function startEmbeddedPostgres(directory: string): Promise<EmbeddedPostgres> {
  mkdirSync(directory, { recursive: true });
  const [{ PGlite }, { PGLiteSocketServer }, { pg_trgm }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('@electric-sql/pglite-socket'),
    import('@electric-sql/pglite/contrib/pg_trgm'),
  ]);
  const database = await PGlite.create(directory, { extensions: { pg_trgm } });
  const port = await freePort();
  const server = new PGLiteSocketServer({ db: database, host: '127.0.0.1', port, maxConnections: 64 });
  await server.start();
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    async stop() {
      await server.stop();
      await database.close();
    },
  };
}
