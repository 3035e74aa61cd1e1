import { Writable } from 'node:stream';
import { createLogger } from './logger.js';

describe('logger redaction', () => {
  it('replaces credentials wherever a whole object is logged', () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = createLogger({ service: 'test', destination });
    logger.info(
      {
        req: { headers: { authorization: 'Bearer cgk_secret_value' } },
        connection: { password: 'hunter2', host: 'db' },
      },
      'request',
    );
    const output = lines.join('');
    expect(output).not.toContain('cgk_secret_value');
    expect(output).not.toContain('hunter2');
    expect(output).toContain('"host":"db"');
    expect(JSON.parse(output)).toMatchObject({ level: 'info', service: 'test', msg: 'request' });
  });
});
