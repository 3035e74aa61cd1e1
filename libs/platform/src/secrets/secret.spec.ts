import { format, inspect } from 'node:util';
import { Secret } from './secret.js';
import { secretHint } from './secret-hint.js';

describe('Secret', () => {
  const value = 'hex_token_1234567890_9f3a';
  const secret = new Secret(value);

  it('reveals its value only on request', () => {
    expect(secret.reveal()).toBe(value);
    expect(Secret.reveal(secret)).toBe(value);
    expect(Secret.reveal('plain')).toBe('plain');
  });

  it('prints [redacted] everywhere it could be logged', () => {
    const holder = { connection: { token: secret, name: 'prod' } };
    const outputs = [
      String(secret),
      `${secret}`,
      'token: ' + secret,
      JSON.stringify(holder),
      inspect(holder, { depth: 10, showHidden: true }),
      format('%s %o %O %j', secret, holder, holder, holder),
    ];
    for (const output of outputs) {
      expect(output).not.toContain(value);
      expect(output).toContain('[redacted]');
    }
    expect(JSON.stringify(holder)).toBe('{"connection":{"token":"[redacted]","name":"prod"}}');
    expect(Object.keys(secret)).toEqual([]);
    expect({ ...secret }).toEqual({});
  });

  it('compares in constant time and gives a hint', () => {
    expect(secret.equals(value)).toBe(true);
    expect(secret.equals(new Secret('other'))).toBe(false);
    expect(secret.hint).toBe('…9f3a');
  });
});

describe('secretHint', () => {
  it('shows the last four characters of long secrets only', () => {
    expect(secretHint('dbtc_abcdefgh9f3a')).toBe('…9f3a');
    expect(secretHint('short-pass')).toBeUndefined();
    expect(secretHint('')).toBeUndefined();
    expect(secretHint(undefined)).toBeUndefined();
  });

  it('never cuts a character in half', () => {
    expect(secretHint('abcdefghijkl🔑🔑')).toBe('…kl🔑🔑');
  });
});
