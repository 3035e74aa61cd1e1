import { locateJsonError } from './json-error.locator.js';

describe('locateJsonError', () => {
  it.each([
    // The first character that cannot continue a valid document: `ta…` could still have been `true`.
    ['{"a": tabel}', 7],
    ['{"a": 1,}', 8],
    ['[1, 2', 5],
    ['{"a" 1}', 5],
    ['"bad \\x escape"', 6],
    ['{"a": 01}', 7],
    ['{"a": [true, fals]}', 17],
    ['{"a": 1} trailing', 9],
    ['', 0],
  ])('%j fails at %i', (text, position) => {
    expect(() => JSON.parse(text)).toThrow();
    expect(locateJsonError(text)).toBe(position);
  });

  it('returns the length for valid text', () => {
    const text = '{"a": [1, 2.5e3, "x\\u00e9", null, false]}';
    expect(locateJsonError(text)).toBe(text.length);
  });
});
