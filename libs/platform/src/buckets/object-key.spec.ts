import { BucketError } from './bucket.errors.js';
import { normalizeBucketPrefix } from './bucket-location.js';
import { safeObjectKey, unsafeObjectKeyReason } from './object-key.js';

function invalidKeyMessage(key: string, prefix = ''): string {
  try {
    safeObjectKey(key, prefix);
  } catch (error) {
    expect(error).toBeInstanceOf(BucketError);
    expect((error as BucketError).code).toBe('INVALID_KEY');
    return (error as BucketError).message;
  }
  throw new Error(`expected ${JSON.stringify(key)} to be rejected`);
}

describe('safeObjectKey', () => {
  it('returns safe keys unchanged', () => {
    expect(safeObjectKey('dbt/prod/2026-11-01/manifest.json', 'dbt/')).toBe(
      'dbt/prod/2026-11-01/manifest.json',
    );
    expect(safeObjectKey('manifest.json', '')).toBe('manifest.json');
    expect(safeObjectKey('dbt/run 1/ünïcode manifest.json', 'dbt')).toBe('dbt/run 1/ünïcode manifest.json');
    // Dots inside a name are not segments.
    expect(safeObjectKey('dbt/..hidden/x..y/manifest.json', 'dbt/')).toBe('dbt/..hidden/x..y/manifest.json');
  });

  it.each([
    ['../x', "'..' segment"],
    ['a/../../b', "'..' segment"],
    ['dbt/..', "'..' segment"],
    ['dbt/./manifest.json', "'.' segment"],
    ['/etc/passwd', 'absolute'],
    ['a\\b', 'backslash'],
    ['..\\..\\windows', 'backslash'],
    ['C:/Windows/win.ini', 'drive letter'],
    ['dbt/a\u0000b', 'NUL'],
    ['dbt/line\nbreak.json', 'control character'],
    ['dbt/tab\there', 'control character'],
    ['dbt/escape\u001b[31m', 'control character'],
    ['dbt/delete\u007f', 'control character'],
    ['dbt/c1\u0085', 'control character'],
    ['dbt/separator\u2028', 'control character'],
    ['', 'empty'],
  ])('rejects %j (%s)', (key, reason) => {
    expect(invalidKeyMessage(key)).toContain(reason);
  });

  it('rejects keys outside the prefix, including a sibling that shares its first letters', () => {
    expect(invalidKeyMessage('other/manifest.json', 'dbt/')).toContain("outside the prefix 'dbt/'");
    expect(invalidKeyMessage('dbt-old/manifest.json', 'dbt')).toContain('outside the prefix');
  });

  it('rejects keys longer than a provider allows', () => {
    expect(invalidKeyMessage(`dbt/${'a'.repeat(1100)}`)).toContain('longer than 1024 bytes');
  });

  it('escapes the key in the message, so a hostile key cannot forge a log line', () => {
    const message = invalidKeyMessage("dbt/x\n2026-11-01 INFO forged line'");
    expect(message).not.toContain('\n');
    expect(message).toContain('\\n2026-11-01 INFO forged line');
    expect(message).toContain("\\'");
  });

  it('reports instead of throwing through unsafeObjectKeyReason', () => {
    expect(unsafeObjectKeyReason('dbt/manifest.json', 'dbt')).toBeNull();
    expect(unsafeObjectKeyReason('../manifest.json', 'dbt')).toMatch(
      /^Object key '..\/manifest.json' is rejected/,
    );
  });
});

describe('normalizeBucketPrefix', () => {
  it.each([
    ['', ''],
    ['/', ''],
    ['dbt', 'dbt/'],
    ['/dbt/prod', 'dbt/prod/'],
    ['dbt/prod/', 'dbt/prod/'],
    ['  dbt  ', 'dbt/'],
  ])('%j → %j', (input, expected) => {
    expect(normalizeBucketPrefix(input)).toBe(expected);
  });

  it('refuses prefixes that could leave their folder', () => {
    for (const prefix of ['../dbt', 'dbt/../..', 'dbt\\prod', 'dbt/\u0000']) {
      expect(() => normalizeBucketPrefix(prefix)).toThrow(
        expect.objectContaining({ code: 'BAD_CONFIGURATION' }) as Error,
      );
    }
  });
});
