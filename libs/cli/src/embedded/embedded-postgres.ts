import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { PGliteQueryQueue } from './pglite-query-queue.js';

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
  // The library's queue interleaves concurrent connections message by message, which breaks parameterised
  // queries (see pglite-query-queue.ts). Connections take the server's queue when they connect, so ours
  // replaces it before start(); fail loudly if a library upgrade moved it rather than run with the bug.
  if (!('queryQueue' in server)) {
    throw new Error('@electric-sql/pglite-socket changed: PGLiteSocketServer has no queryQueue to replace');
  }
  Object.assign(server, { queryQueue: new PGliteQueryQueue(database) });
  await server.start();
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    async stop() {
      await server.stop();
      await database.close();
    },
  };
}
