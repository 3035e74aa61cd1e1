import { createHash, timingSafeEqual } from 'node:crypto';
import { inspect } from 'node:util';
import { secretHint } from './secret-hint.js';

const REDACTED = '[redacted]';

/**
 * A credential that travels through objects (config, job data, connection rows) without leaking: every way
 * of turning it into text — `String()`, template literals, `JSON.stringify`, `util.inspect` (so
 * `console.log` and pino) — prints `[redacted]`. Only `reveal()` returns the value, which makes the places
 * that use the credential easy to find.
 */
export class Secret {
  // A private field: not enumerable, not copied by spreading or structuredClone, not shown by inspect.
  readonly #value: string;

  constructor(value: string) {
    if (typeof value !== 'string') throw new TypeError('Secret value must be a string');
    this.#value = value;
  }

  static from(value: string | Secret): Secret {
    return value instanceof Secret ? value : new Secret(value);
  }

  /** The value of a `Secret`, or the string itself; for APIs that accept both. */
  static reveal(value: string | Secret): string {
    return value instanceof Secret ? value.reveal() : value;
  }

  static isSecret(value: unknown): value is Secret {
    return value instanceof Secret;
  }

  reveal(): string {
    return this.#value;
  }

  /** `…9f3a` (last four characters) for long values, undefined for short ones. */
  get hint(): string | undefined {
    return secretHint(this.#value);
  }

  get length(): number {
    return this.#value.length;
  }

  /** Compares in constant time, so comparing a presented key with a stored one leaks no prefix length. */
  equals(other: string | Secret): boolean {
    const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();
    return timingSafeEqual(digest(this.#value), digest(Secret.reveal(other)));
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [Symbol.toPrimitive](): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}
