import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';

/** The JSON text of a stored blob (its chunks are one gzip stream). */
export async function* gunzipped(chunks: AsyncIterable<Buffer>): AsyncGenerator<Uint8Array> {
  const gunzip = createGunzip();
  const feeding = pipeline(Readable.from(chunks), gunzip);
  feeding.catch(() => undefined);
  yield* gunzip as AsyncIterable<Buffer>;
  await feeding;
}
