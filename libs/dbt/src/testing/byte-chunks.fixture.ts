/** Helpers that turn fixture objects into the byte streams `readArtifact` consumes. */

const encoder = new TextEncoder();

/** UTF-8 bytes of a JSON value (stringified) or of text. */
export function artifactBytes(value: unknown): Uint8Array {
  return encoder.encode(typeof value === 'string' ? value : JSON.stringify(value));
}

/**
 * The bytes in chunks, as a stream would deliver them: fixed `chunkSize`, or cut at the given offsets
 * (`splitAt: [17]` gives two chunks), or random sizes from a seeded generator (`randomSeed`).
 */
export async function* chunked(
  value: unknown,
  options: {
    chunkSize?: number;
    splitAt?: readonly number[];
    randomSeed?: number;
    maximumChunk?: number;
  } = {},
): AsyncGenerator<Uint8Array> {
  const bytes = value instanceof Uint8Array ? value : artifactBytes(value);
  for (const chunk of splitBytes(bytes, options)) yield chunk;
}

export function splitBytes(
  bytes: Uint8Array,
  options: {
    chunkSize?: number;
    splitAt?: readonly number[];
    randomSeed?: number;
    maximumChunk?: number;
  } = {},
): Uint8Array[] {
  const cuts: number[] = [];
  if (options.splitAt) {
    cuts.push(...options.splitAt.filter((offset) => offset > 0 && offset < bytes.length));
  } else if (options.randomSeed !== undefined) {
    let state = options.randomSeed >>> 0 || 1;
    const maximum = options.maximumChunk ?? 64;
    for (let position = 0; ;) {
      // xorshift32: reproducible chunk sizes without Math.random.
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      position += 1 + ((state >>> 0) % maximum);
      if (position >= bytes.length) break;
      cuts.push(position);
    }
  } else {
    const size = options.chunkSize ?? 64 * 1024;
    for (let position = size; position < bytes.length; position += size) cuts.push(position);
  }
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const cut of [...new Set(cuts)].sort((left, right) => left - right)) {
    chunks.push(bytes.subarray(start, cut));
    start = cut;
  }
  chunks.push(bytes.subarray(start));
  return chunks;
}
