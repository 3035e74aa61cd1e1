import {
  JsonSectionSplitter,
  JsonSyntaxError,
  type SectionAction,
  type SplitEvent,
} from './json-section.splitter.js';
import { splitBytes } from './testing/index.js';

const encoder = new TextEncoder();

function split(
  text: string | Uint8Array,
  options: { splitAt?: number[]; chunkSize?: number; actions?: Record<string, SectionAction> } = {},
): SplitEvent[] {
  const bytes = typeof text === 'string' ? encoder.encode(text) : text;
  const actions = options.actions ?? { items: 'entries', list: 'entries', metadata: 'value' };
  const splitter = new JsonSectionSplitter({ actionFor: (section) => actions[section] ?? 'skip' });
  const events: SplitEvent[] = [];
  for (const chunk of splitBytes(bytes, options)) events.push(...splitter.push(chunk));
  events.push(...splitter.end());
  return events;
}

const sample = JSON.stringify({
  metadata: { dbt_schema_version: 'x', nested: { a: [1, 2, { b: '}' }] } },
  skipped: { 'a"b': ['\\', '"', '\\"', '{[', 12.5e3] },
  items: {
    'model.a.b': { raw_code: 'select "x" from t -- \\ \\\\ \\"', n: null },
    'key with \\"escape': [1, 2],
    'é ünïcode ✓': 'text with ✓ and emoji 🎉',
    number: -1.5e-3,
    flag: true,
    nothing: null,
  },
  list: [{ a: 1 }, 'two', 3, [4], false],
  trailing: 7,
});

describe('JsonSectionSplitter', () => {
  const whole = split(sample);

  it('hands out top-level values and the entries of entry sections', () => {
    expect(whole.map((event) => event.type)).toEqual([
      'value',
      'section-start',
      'entry',
      'entry',
      'entry',
      'entry',
      'entry',
      'entry',
      'section-end',
      'section-start',
      'entry',
      'entry',
      'entry',
      'entry',
      'entry',
      'section-end',
    ]);
    const entries = whole.filter((event) => event.type === 'entry');
    const parsed = JSON.parse(sample);
    expect(entries.slice(0, 6).map((entry) => [entry.key, JSON.parse(entry.text)])).toEqual(
      Object.entries(parsed.items),
    );
    expect(entries.slice(6).map((entry) => JSON.parse(entry.text))).toEqual(parsed.list);
    expect(entries.slice(6).map((entry) => [entry.key, entry.index])).toEqual([
      [null, 0],
      [null, 1],
      [null, 2],
      [null, 3],
      [null, 4],
    ]);
  });

  it('gives byte offsets that point at each entry', () => {
    const bytes = encoder.encode(sample);
    const decoder = new TextDecoder();
    for (const event of whole) {
      if (event.type === 'entry' || event.type === 'value') {
        const length = encoder.encode(event.text).length;
        expect(decoder.decode(bytes.subarray(event.offset, event.offset + length))).toBe(event.text);
      }
    }
  });

  it('gives identical events wherever the input is cut in two or three', () => {
    const length = encoder.encode(sample).length;
    for (let cut = 1; cut < length; cut += 1) {
      expect(split(sample, { splitAt: [cut] })).toEqual(whole);
      expect(split(sample, { splitAt: [cut, Math.min(length - 1, cut + 3)] })).toEqual(whole);
    }
  });

  it('gives identical events for one-byte chunks', () => {
    expect(split(sample, { chunkSize: 1 })).toEqual(whole);
  });

  it('tracks runs of backslashes across chunk boundaries', () => {
    const text = JSON.stringify({ items: { a: 'x\\\\\\\\"y\\"', b: '\\', c: '\\\\' } });
    const expected = split(text);
    expect(expected.filter((event) => event.type === 'entry')).toHaveLength(3);
    for (let size = 1; size <= 7; size += 1) expect(split(text, { chunkSize: size })).toEqual(expected);
  });

  it('skips a UTF-8 byte order mark, also when it is split across chunks', () => {
    const bytes = encoder.encode(`\uFEFF{"items": {"a": 1}}`);
    const expected = split(bytes);
    expect(expected.filter((event) => event.type === 'entry')).toHaveLength(1);
    for (const cut of [1, 2, 3, 4]) expect(split(bytes, { splitAt: [cut] })).toEqual(expected);
    expect(split(bytes, { chunkSize: 1 })).toEqual(expected);
    expect(() => split(encoder.encode(' \uFEFF{}'))).toThrow(/expected a JSON object, found byte 0xef/);
  });

  it('treats an entry section holding a scalar as a value', () => {
    expect(split('{"items": null}')).toEqual([{ type: 'value', section: 'items', text: 'null', offset: 10 }]);
  });

  it.each([
    ['', /the input is empty/, 0],
    ['   ', /the input is empty/, 3],
    ['[1, 2]', /expected a JSON object, found "\["/, 0],
    ['{"items": {"a": 1}', /unexpected end of input/, 18],
    ['{"items": {"a": {"b": "unterminated', /unexpected end of input.*\(in items\["a"\]\)/, 35],
    ['{"items": {"a" 1}}', /expected ":" after the key, found "1"/, 15],
    ['{"items": {"a": 1,}}', /expected a key, found "}"/, 18],
    ['{"list": [1,]}', /expected a value, found "]" at byte offset 12 \(in list\[1\]\)/, 12],
    ['{"items": {"a": 1} "b": 2}', /expected "," or "}" after the value of "items"/, 19],
    ['{"a": 1} x', /unexpected "x" after the end of the JSON document/, 9],
    ['{"items": {"a": 1 2}}', /expected "," or "}" after an entry, found "2"/, 18],
  ])('rejects %j', (text, message, offset) => {
    let caught: unknown;
    try {
      split(text);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(JsonSyntaxError);
    expect((caught as JsonSyntaxError).message).toMatch(message);
    expect((caught as JsonSyntaxError).offset).toBe(offset);
  });
});
