import { inspect } from 'node:util';
import { generateKey, keyFingerprint, parseKey, SecretBox, SecretBoxError } from './secret-box.js';
import { Secret } from './secret.js';

const oldKey = generateKey();
const newKey = generateKey('hex');
const plain = 'dbtc_9f3a-very-secret-token-✓';

function errorOf(action: () => unknown): SecretBoxError {
  try {
    action();
  } catch (error) {
    if (error instanceof SecretBoxError) return error;
    throw error;
  }
  throw new Error('expected a SecretBoxError');
}

function flipCharacter(text: string, index: number): string {
  const replacement = text[index] === 'A' ? 'B' : 'A';
  return text.slice(0, index) + replacement + text.slice(index + 1);
}

describe('SecretBox', () => {
  const box = new SecretBox([{ id: 'k1', key: oldKey }]);

  it('round-trips a value through a self-describing ciphertext', () => {
    const ciphertext = box.encrypt(plain);
    expect(ciphertext).toMatch(/^v1\.k1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]+$/);
    expect(ciphertext).not.toContain(plain);
    expect(box.decrypt(ciphertext)).toBe(plain);
    expect(box.decryptSecret(ciphertext).reveal()).toBe(plain);
    expect(SecretBox.isCiphertext(ciphertext)).toBe(true);
    expect(SecretBox.isCiphertext(plain)).toBe(false);
  });

  it('uses a fresh IV for every value', () => {
    expect(box.encrypt(plain)).not.toBe(box.encrypt(plain));
  });

  it('encrypts a Secret and an empty string', () => {
    expect(box.decrypt(box.encrypt(new Secret(plain)))).toBe(plain);
    expect(box.decrypt(box.encrypt(''))).toBe('');
  });

  it('detects tampering with the ciphertext, the tag, the IV or the key id', () => {
    const ciphertext = box.encrypt(plain);
    const [version, keyId, iv, tag, body] = ciphertext.split('.') as [string, string, string, string, string];
    const tampered = [
      [version, keyId, iv, tag, flipCharacter(body, 3)],
      [version, keyId, iv, flipCharacter(tag, 2), body],
      [version, keyId, flipCharacter(iv, 1), tag, body],
    ].map((parts) => parts.join('.'));
    for (const value of tampered) {
      const error = errorOf(() => box.decrypt(value));
      expect(error.reason).toBe('authentication_failed');
      expect(error.message).toContain('altered');
      expect(error.message).not.toContain(plain);
    }
    // Relabelling the ciphertext with another configured key id fails too (the key id is authenticated).
    const twoKeys = new SecretBox([
      { id: 'k1', key: oldKey },
      { id: 'k2', key: oldKey },
    ]);
    expect(errorOf(() => twoKeys.decrypt([version, 'k2', iv, tag, body].join('.'))).reason).toBe(
      'authentication_failed',
    );
  });

  it('rejects malformed values clearly', () => {
    expect(errorOf(() => box.decrypt('not-encrypted')).reason).toBe('malformed');
    expect(errorOf(() => box.decrypt('v2.k1.a.b.c')).message).toContain('unsupported version');
    expect(errorOf(() => box.decrypt('v1.k1.short.tag.body')).message).toContain('IV');
  });

  it('binds a value to its context', () => {
    const ciphertext = box.encrypt(plain, { context: 'connection:1' });
    expect(box.decrypt(ciphertext, { context: 'connection:1' })).toBe(plain);
    expect(errorOf(() => box.decrypt(ciphertext, { context: 'connection:2' })).reason).toBe(
      'authentication_failed',
    );
    expect(errorOf(() => box.decrypt(ciphertext)).reason).toBe('authentication_failed');
  });

  it('rotates keys: old keys decrypt, the active key encrypts, reencrypt moves values', () => {
    const before = box.encrypt(plain);
    const rotated = new SecretBox([
      { id: 'k2', key: newKey },
      { id: 'k1', key: oldKey },
    ]);
    expect(rotated.activeKeyId).toBe('k2');
    expect(rotated.decrypt(before)).toBe(plain);
    expect(rotated.needsReencryption(before)).toBe(true);
    const after = rotated.reencrypt(before);
    expect(rotated.keyIdOf(after)).toBe('k2');
    expect(rotated.needsReencryption(after)).toBe(false);
    const newOnly = new SecretBox([{ id: 'k2', key: newKey }]);
    expect(newOnly.decrypt(after)).toBe(plain);
  });

  it('names the missing key when a value was encrypted with a key that is not configured', () => {
    const other = new SecretBox([{ id: 'k2', key: newKey }]);
    const error = errorOf(() => other.decrypt(box.encrypt(plain)));
    expect(error.reason).toBe('unknown_key');
    expect(error.keyId).toBe('k1');
    expect(error.message).toContain('encrypted with key "k1", which is not configured (configured: k2)');
  });

  it('fails authentication, not silently, when a key id points at the wrong key', () => {
    const wrong = new SecretBox([{ id: 'k1', key: newKey }]);
    const error = errorOf(() => wrong.decrypt(box.encrypt(plain)));
    expect(error.reason).toBe('authentication_failed');
    expect(error.message).toContain('is not the key it was encrypted with');
  });

  it('never shows key material', () => {
    const text = `${JSON.stringify(box)} ${inspect(box)}`;
    expect(text).toContain('k1');
    expect(text).not.toContain(oldKey);
  });
});

describe('SecretBox.fromEnv', () => {
  it('reads one key without an id (hex or base64) and derives a stable id', () => {
    const fromBase64 = SecretBox.fromEnv(oldKey);
    const fromHex = SecretBox.fromEnv(Buffer.from(oldKey, 'base64').toString('hex'));
    expect(fromBase64.activeKeyId).toBe(keyFingerprint(Buffer.from(oldKey, 'base64')));
    expect(fromHex.decrypt(fromBase64.encrypt(plain))).toBe(plain);
  });

  it('reads a list of id:key entries, the first one active', () => {
    const box = SecretBox.fromEnv(` 2025-06:${newKey}, 2024-01:${oldKey} `);
    expect(box.keyIds).toEqual(['2025-06', '2024-01']);
    expect(box.activeKeyId).toBe('2025-06');
  });

  it('explains a missing or invalid key without echoing it', () => {
    expect(
      errorOf(() => SecretBox.fromEnv(undefined, { variableName: 'CARTOGRAPH_SECRET_KEYS' })).message,
    ).toContain('CARTOGRAPH_SECRET_KEYS is not set');
    const short = Buffer.alloc(16, 7).toString('base64');
    const error = errorOf(() => SecretBox.fromEnv(short));
    expect(error.reason).toBe('invalid_key');
    expect(error.message).toContain('must be 32 bytes');
    expect(error.message).not.toContain(short);
    expect(errorOf(() => SecretBox.fromEnv('not a key!')).reason).toBe('invalid_key');
  });

  it('rejects duplicate ids and an unknown active key', () => {
    expect(
      () =>
        new SecretBox([
          { id: 'a', key: oldKey },
          { id: 'a', key: newKey },
        ]),
    ).toThrow('configured twice');
    expect(() => new SecretBox([{ id: 'a', key: oldKey }], { activeKeyId: 'b' })).toThrow(SecretBoxError);
    expect(() => new SecretBox([{ id: 'a.b', key: oldKey }])).toThrow(SecretBoxError);
  });
});

describe('generateKey and parseKey', () => {
  it('generates distinct 32-byte keys', () => {
    expect(parseKey(generateKey())).toHaveLength(32);
    expect(parseKey(generateKey('hex'))).toHaveLength(32);
    expect(generateKey()).not.toBe(generateKey());
  });
});
