import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createSecretKey,
  randomBytes,
  type KeyObject,
} from 'node:crypto';
import { inspect } from 'node:util';
import { Secret } from './secret.js';

// Encryption of vendor credentials at rest (DESIGN §5): AES-256-GCM with a random 12-byte IV per value.
//
// A ciphertext is self-describing, `v1.<keyId>.<iv>.<tag>.<ciphertext>` (base64url parts), so keys can be
// rotated without a migration: configure the new key first (active, used to encrypt) and the old ones after
// it (still accepted to decrypt), call `reencrypt` on stored values, then drop the old keys.
//
// The version and key id are authenticated (they are the additional data of GCM), so a ciphertext cannot be
// relabelled. An optional `context` (a connection id, say) binds a value to its row: a ciphertext copied
// to another row does not decrypt there.

const VERSION = 'v1';
const ALGORITHM = 'aes-256-gcm';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const BASE64URL_PATTERN = /^[A-Za-z0-9_-]*$/;

export type SecretBoxErrorReason =
  'missing_key' | 'invalid_key' | 'malformed' | 'unknown_key' | 'authentication_failed';

/** Never carries key material, plaintext or ciphertext: only what is needed to fix the configuration. */
export class SecretBoxError extends Error {
  override readonly name = 'SecretBoxError';
  readonly reason: SecretBoxErrorReason;
  readonly keyId: string | undefined;

  constructor(reason: SecretBoxErrorReason, message: string, keyId?: string) {
    super(message);
    this.reason = reason;
    this.keyId = keyId;
  }
}

export interface SecretKeyInput {
  /** Written into every ciphertext; letters, digits, `-` and `_` (e.g. `2025-06`). */
  id: string;
  /** 32 bytes, or a string of them as 64 hex characters or base64 / base64url. */
  key: string | Uint8Array;
}

export interface SecretBoxOptions {
  /** Key used to encrypt; default the first key. */
  activeKeyId?: string;
}

export interface EncryptionContext {
  /** Binds the ciphertext to where it is stored (e.g. `warehouse-connection:42`); needed again to decrypt. */
  context?: string;
}

export interface FromEnvironmentOptions extends SecretBoxOptions {
  /** Name of the variable, for error messages (`CARTOGRAPH_SECRET_KEYS`). */
  variableName?: string;
}

interface ParsedCiphertext {
  keyId: string;
  iv: Buffer;
  tag: Buffer;
  ciphertext: Buffer;
}

/** Returns a new random key as base64 (or hex), ready to be put in the environment. */
export function generateKey(encoding: 'base64' | 'hex' = 'base64'): string {
  return randomBytes(KEY_BYTES).toString(encoding);
}

/** Decodes a key given as 64 hex characters or base64 / base64url, and checks it is 32 bytes. */
export function parseKey(material: string | Uint8Array, label = 'secret key'): Buffer {
  let bytes: Buffer;
  if (typeof material !== 'string') {
    bytes = Buffer.from(material);
  } else {
    const text = material.trim();
    if (/^[0-9a-f]{64}$/i.test(text)) {
      bytes = Buffer.from(text, 'hex');
    } else if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(text)) {
      bytes = Buffer.from(text, 'base64');
    } else {
      throw new SecretBoxError(
        'invalid_key',
        `${label} is neither hex nor base64; generate one with generateKey() or \`openssl rand -base64 32\``,
      );
    }
  }
  if (bytes.length !== KEY_BYTES) {
    throw new SecretBoxError(
      'invalid_key',
      `${label} must be ${KEY_BYTES} bytes (64 hex or 44 base64 characters), got ${bytes.length} bytes`,
    );
  }
  return bytes;
}

/** A stable id derived from the key itself, for keys configured without one. Reveals nothing usable. */
export function keyFingerprint(key: Uint8Array): string {
  return createHash('sha256').update('cartograph-secret-key-id').update(key).digest('hex').slice(0, 12);
}

function decodePart(part: string, expectedBytes?: number): Buffer | undefined {
  if (!BASE64URL_PATTERN.test(part)) return undefined;
  const bytes = Buffer.from(part, 'base64url');
  if (expectedBytes !== undefined && bytes.length !== expectedBytes) return undefined;
  return bytes;
}

function additionalData(keyId: string, context: string | undefined): Buffer {
  // The NUL separator keeps `keyId` + `context` unambiguous.
  return Buffer.from(`${VERSION}.${keyId}\u0000${context ?? ''}`, 'utf8');
}

export class SecretBox {
  readonly #keys = new Map<string, KeyObject>();
  readonly #activeKeyId: string;

  constructor(keys: readonly SecretKeyInput[], options: SecretBoxOptions = {}) {
    if (keys.length === 0) throw new SecretBoxError('missing_key', 'SecretBox needs at least one key');
    for (const { id, key } of keys) {
      if (!KEY_ID_PATTERN.test(id)) {
        throw new SecretBoxError(
          'invalid_key',
          `key id ${JSON.stringify(id)} must be 1-64 letters, digits, "-" or "_"`,
        );
      }
      if (this.#keys.has(id))
        throw new SecretBoxError('invalid_key', `key id "${id}" is configured twice`, id);
      this.#keys.set(id, createSecretKey(parseKey(key, `key "${id}"`)));
    }
    const activeKeyId = options.activeKeyId ?? keys[0]!.id;
    if (!this.#keys.has(activeKeyId)) {
      throw new SecretBoxError(
        'unknown_key',
        `active key "${activeKeyId}" is not among the keys`,
        activeKeyId,
      );
    }
    this.#activeKeyId = activeKeyId;
  }

  /**
   * Reads keys from an environment variable value: one key, or a comma- or space-separated list of keys,
   * each `material` or `id:material` (material as hex or base64). The first key is active; the others are
   * accepted to decrypt. A key without an id gets one derived from the key (`keyFingerprint`).
   *
   * `SecretBox.fromEnv(process.env.CARTOGRAPH_SECRET_KEYS, { variableName: 'CARTOGRAPH_SECRET_KEYS' })`
   */
  static fromEnv(value: string | undefined, options: FromEnvironmentOptions = {}): SecretBox {
    const variableName = options.variableName ?? 'the secret key variable';
    const entries = (value ?? '').split(/[\s,]+/).filter((entry) => entry.length > 0);
    if (entries.length === 0) {
      throw new SecretBoxError(
        'missing_key',
        `${variableName} is not set: it must hold a 32-byte key as base64 or hex (generate one with ` +
          '`openssl rand -base64 32`)',
      );
    }
    const keys = entries.map((entry, index): SecretKeyInput => {
      const separator = entry.indexOf(':');
      const label = `key ${index + 1} of ${variableName}`;
      if (separator === -1) {
        const key = parseKey(entry, label);
        return { id: keyFingerprint(key), key };
      }
      return { id: entry.slice(0, separator), key: parseKey(entry.slice(separator + 1), label) };
    });
    return new SecretBox(keys, options);
  }

  /** Whether a stored string is a ciphertext of this format (and not, say, a legacy plaintext). */
  static isCiphertext(value: string): boolean {
    const parts = value.split('.');
    return parts.length === 5 && parts[0] === VERSION && KEY_ID_PATTERN.test(parts[1]!);
  }

  get activeKeyId(): string {
    return this.#activeKeyId;
  }

  get keyIds(): string[] {
    return [...this.#keys.keys()];
  }

  encrypt(plain: string | Secret, options: EncryptionContext = {}): string {
    const key = this.#keys.get(this.#activeKeyId)!;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(additionalData(this.#activeKeyId, options.context));
    const ciphertext = Buffer.concat([cipher.update(Secret.reveal(plain), 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [VERSION, this.#activeKeyId, iv, tag, ciphertext]
      .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
      .join('.');
  }

  decrypt(value: string, options: EncryptionContext = {}): string {
    const parsed = this.#parse(value);
    const key = this.#keys.get(parsed.keyId);
    if (!key) {
      throw new SecretBoxError(
        'unknown_key',
        `the value was encrypted with key "${parsed.keyId}", which is not configured (configured: ` +
          `${this.keyIds.join(', ')}); add that key after the active one to decrypt it`,
        parsed.keyId,
      );
    }
    const decipher = createDecipheriv(ALGORITHM, key, parsed.iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(additionalData(parsed.keyId, options.context));
    decipher.setAuthTag(parsed.tag);
    const plain = decipher.update(parsed.ciphertext);
    try {
      // GCM checks the tag here; until it passes, `plain` must not be used (nor shown).
      return Buffer.concat([plain, decipher.final()]).toString('utf8');
    } catch {
      plain.fill(0);
      throw new SecretBoxError(
        'authentication_failed',
        `the value could not be decrypted with key "${parsed.keyId}": it was altered, the context differs, ` +
          `or the configured key "${parsed.keyId}" is not the key it was encrypted with`,
        parsed.keyId,
      );
    }
  }

  /** Like `decrypt`, wrapped in a `Secret` so the value cannot reach a log by accident. */
  decryptSecret(value: string, options: EncryptionContext = {}): Secret {
    return new Secret(this.decrypt(value, options));
  }

  /** Decrypts with whichever key it names and encrypts again with the active key (and a fresh IV). */
  reencrypt(value: string, options: EncryptionContext = {}): string {
    return this.encrypt(this.decrypt(value, options), options);
  }

  /** Whether the value was encrypted with a key other than the active one. */
  needsReencryption(value: string): boolean {
    return this.#parse(value).keyId !== this.#activeKeyId;
  }

  /** Id of the key that encrypted the value. */
  keyIdOf(value: string): string {
    return this.#parse(value).keyId;
  }

  toJSON(): Record<string, unknown> {
    return { activeKeyId: this.#activeKeyId, keyIds: this.keyIds };
  }

  [inspect.custom](): string {
    return `SecretBox { activeKeyId: '${this.#activeKeyId}', keyIds: [${this.keyIds.map((id) => `'${id}'`).join(', ')}] }`;
  }

  #parse(value: string): ParsedCiphertext {
    const malformed = (why: string): SecretBoxError =>
      new SecretBoxError('malformed', `the value is not a valid encrypted secret: ${why}`);
    if (typeof value !== 'string') throw malformed('not a string');
    const parts = value.split('.');
    if (parts.length !== 5) throw malformed(`expected 5 dot-separated parts, got ${parts.length}`);
    const [version, keyId, ivPart, tagPart, ciphertextPart] = parts as [
      string,
      string,
      string,
      string,
      string,
    ];
    if (version !== VERSION) throw malformed(`unsupported version "${version.slice(0, 8)}"`);
    if (!KEY_ID_PATTERN.test(keyId)) throw malformed('invalid key id');
    const iv = decodePart(ivPart, IV_BYTES);
    if (!iv) throw malformed(`the IV must be ${IV_BYTES} bytes of base64url`);
    const tag = decodePart(tagPart, TAG_BYTES);
    if (!tag) throw malformed(`the authentication tag must be ${TAG_BYTES} bytes of base64url`);
    const ciphertext = decodePart(ciphertextPart);
    if (!ciphertext) throw malformed('the ciphertext is not base64url');
    return { keyId, iv, tag, ciphertext };
  }
}
