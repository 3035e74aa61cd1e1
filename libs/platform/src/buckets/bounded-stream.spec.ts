import { PassThrough, Readable } from 'node:stream';
import { boundedStream, type BoundedStreamOptions } from './bounded-stream.js';

function options(overrides: Partial<BoundedStreamOptions> = {}): BoundedStreamOptions {
  return {
    maxBytes: 10,
    idleTimeoutMs: 0,
    tooLarge: (received) => Object.assign(new Error(`too large after ${received}`), { code: 'TOO_LARGE' }),
    idle: () => Object.assign(new Error('idle'), { code: 'UNAVAILABLE' }),
    mapError: (error) =>
      Object.assign(new Error(`mapped: ${(error as Error).message}`), { code: 'UNAVAILABLE' }),
    ...overrides,
  };
}

async function read(stream: Readable): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += String(chunk);
  return text;
}

describe('boundedStream', () => {
  it('passes a body up to the limit through unchanged', async () => {
    await expect(
      read(boundedStream(Readable.from([Buffer.from('12345'), Buffer.from('67890')]), options())),
    ).resolves.toBe('1234567890');
  });

  it('fails with the too-large error as soon as more than maxBytes arrive, and destroys the source', async () => {
    const source = new PassThrough();
    const bounded = boundedStream(source, options({ maxBytes: 4 }));
    source.write('abc');
    source.write('def');
    await expect(read(bounded)).rejects.toMatchObject({ code: 'TOO_LARGE', message: 'too large after 6' });
    expect(source.destroyed).toBe(true);
  });

  it('fails when the source stays silent for longer than the idle timeout', async () => {
    const source = new PassThrough();
    const bounded = boundedStream(source, options({ idleTimeoutMs: 50 }));
    source.write('a');
    await expect(read(bounded)).rejects.toMatchObject({ code: 'UNAVAILABLE', message: 'idle' });
    expect(source.destroyed).toBe(true);
  });

  it('maps an error of the source', async () => {
    const source = new PassThrough();
    const bounded = boundedStream(source, options());
    setImmediate(() => source.destroy(new Error('socket hang up')));
    await expect(read(bounded)).rejects.toMatchObject({ message: 'mapped: socket hang up' });
  });

  it('destroys the source when the consumer stops early or the signal aborts', async () => {
    const early = new PassThrough();
    const consumer = boundedStream(early, options({ maxBytes: 100 }));
    early.write('abc');
    for await (const _chunk of consumer) break;
    // 'close' comes a tick after the destroy.
    await new Promise((resolve) => setImmediate(resolve));
    expect(early.destroyed).toBe(true);

    const aborted = new PassThrough();
    const controller = new AbortController();
    const bounded = boundedStream(aborted, options({ signal: controller.signal }));
    setImmediate(() => controller.abort());
    await expect(read(bounded)).rejects.toMatchObject({ name: 'AbortError' });
    expect(aborted.destroyed).toBe(true);
  });
});
