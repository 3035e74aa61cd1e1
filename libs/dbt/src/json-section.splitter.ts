/**
 * A byte-level splitter for the shape every dbt artifact has: one JSON object whose top-level values are
 * either small (`metadata`, `args`) or large collections of independent entries (`nodes`, `results`). It
 * scans bytes, tracking only strings, escapes and bracket depth, and hands out the text of each top-level
 * value or of each entry of a collection, which the caller parses with `JSON.parse`. So a 100 MB manifest
 * is never held whole: only the current chunk and the entry that straddles it.
 *
 * Validation is split accordingly: the splitter checks the grammar of the two outer levels (keys, colons,
 * commas, brackets) and balance everywhere; the text it hands out is validated by `JSON.parse`. Values it is
 * told to skip (`macros`, `parent_map`, …) are only checked for balanced brackets and closed strings.
 */

/** What to do with the value of a top-level key. */
export type SectionAction =
  /** Hand out each entry of the object or array (a scalar value is handed out whole, as with `value`). */
  | 'entries'
  /** Hand out the whole value. */
  | 'value'
  /** Scan over it. */
  | 'skip';

export type SectionContainer = 'object' | 'array' | 'scalar';

export type SplitEvent =
  | {
      readonly type: 'section-start';
      readonly section: string;
      readonly container: 'object' | 'array';
      readonly offset: number;
    }
  | {
      readonly type: 'entry';
      readonly section: string;
      /** The key in an object section, null in an array section. */
      readonly key: string | null;
      /** Position in the section, from 0. */
      readonly index: number;
      readonly text: string;
      /** Byte offset of the entry's first byte. */
      readonly offset: number;
    }
  | { readonly type: 'value'; readonly section: string; readonly text: string; readonly offset: number }
  | { readonly type: 'section-end'; readonly section: string; readonly entries: number };

/** The bytes are not JSON (or end too early). `path` names the value being read, like `nodes["x"]`. */
export class JsonSyntaxError extends Error {
  constructor(
    readonly reason: string,
    readonly offset: number,
    readonly path: string | null,
  ) {
    super(`${reason} at byte offset ${offset}${path ? ` (in ${path})` : ''}`);
    this.name = 'JsonSyntaxError';
  }
}

export interface JsonSectionSplitterOptions {
  /** Called once per top-level key, when its value starts. */
  readonly actionFor: (section: string, container: SectionContainer) => SectionAction;
}

const byteOrderMark = [0xef, 0xbb, 0xbf];
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COLON = 0x3a;
const COMMA = 0x2c;

// Grammar states of the two outer levels; SCANNING means "inside a value", see `scan`.
const ROOT_START = 0;
const ROOT_KEY_OR_END = 1;
const ROOT_KEY_NEXT = 2;
const ROOT_COLON = 3;
const ROOT_VALUE = 4;
const ROOT_AFTER_VALUE = 5;
const DONE = 6;
const OBJECT_KEY_OR_END = 7;
const OBJECT_KEY_NEXT = 8;
const OBJECT_COLON = 9;
const OBJECT_VALUE = 10;
const OBJECT_AFTER_VALUE = 11;
const ARRAY_VALUE_OR_END = 12;
const ARRAY_VALUE_NEXT = 13;
const ARRAY_AFTER_VALUE = 14;
const SCANNING = 15;

// What a scanned value is, which decides what happens when it ends.
const SECTION_KEY = 0;
const SECTION_VALUE = 1;
const ENTRY_KEY = 2;
const ENTRY_VALUE = 3;

function isWhitespace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

function isScalarEnd(byte: number): boolean {
  return byte === COMMA || byte === CLOSE_BRACE || byte === CLOSE_BRACKET || isWhitespace(byte);
}

function describeByte(byte: number): string {
  return byte >= 0x20 && byte < 0x7f
    ? JSON.stringify(String.fromCharCode(byte))
    : `byte 0x${byte.toString(16)}`;
}

export class JsonSectionSplitter {
  private readonly decoder = new TextDecoder('utf-8');
  private readonly actionFor: JsonSectionSplitterOptions['actionFor'];

  /** Absolute offset of the first byte of the current chunk. */
  private chunkOffset = 0;
  private state = ROOT_START;

  private section = '';
  private sectionAction: SectionAction = 'skip';
  private sectionEntries = 0;
  private inEntries = false;
  private sectionContainer: 'object' | 'array' = 'object';
  private entryKey: string | null = null;

  // The value being scanned.
  private scanPurpose = SECTION_KEY;
  private scanCapture = false;
  private scanDepth = 0;
  private inString = false;
  /** Inside a string: the bytes scanned so far end in an odd run of backslashes. */
  private escaped = false;
  private inScalar = false;
  private scanReturnState = ROOT_COLON;

  // The bytes of the captured value: earlier chunks' parts, and where it starts in the current chunk.
  private captureParts: Uint8Array[] = [];
  private captureStart = 0;
  private captureOffset = 0;

  constructor(options: JsonSectionSplitterOptions) {
    this.actionFor = options.actionFor;
  }

  /** Scans one chunk, yielding the events it completes. Consume them all before the next `push`. */
  *push(chunk: Uint8Array): Generator<SplitEvent> {
    const length = chunk.length;
    let index = 0;
    while (index < length) {
      if (this.state === SCANNING) {
        const end = this.scan(chunk, index);
        if (end < 0) break;
        index = end;
        const event = this.finishValue(chunk, end);
        if (event) yield event;
        continue;
      }
      const byte = chunk[index]!;
      if (isWhitespace(byte)) {
        index += 1;
        continue;
      }
      const event = this.step(chunk, index, byte);
      index += 1;
      if (event) yield event;
    }
    if (this.state === SCANNING && this.scanCapture) {
      // Copy: the caller may reuse its buffer for the next chunk.
      this.captureParts.push(chunk.slice(this.captureStart));
      this.captureStart = 0;
    }
    this.chunkOffset += length;
  }

  /** Call after the last chunk: throws when the document is incomplete. */
  *end(): Generator<SplitEvent> {
    if (this.state === DONE) return;
    if (this.state === ROOT_START) throw new JsonSyntaxError('the input is empty', this.chunkOffset, null);
    throw new JsonSyntaxError(
      'unexpected end of input (the file is truncated)',
      this.chunkOffset,
      this.currentPath(),
    );
  }

  /** Handles one non-whitespace byte outside a value. Returns an event when a section ends. */
  private step(chunk: Uint8Array, index: number, byte: number): SplitEvent | null {
    switch (this.state) {
      case ROOT_START:
        // A UTF-8 byte order mark (EF BB BF), as some Windows tools write, possibly split across chunks.
        if (this.chunkOffset + index === byteOrderMark.indexOf(byte) && byteOrderMark.includes(byte))
          return null;
        if (byte !== OPEN_BRACE) this.fail(`expected a JSON object, found ${describeByte(byte)}`, index);
        this.state = ROOT_KEY_OR_END;
        return null;
      case ROOT_KEY_OR_END:
      case ROOT_KEY_NEXT:
        if (byte === QUOTE) {
          this.beginValue(chunk, index, SECTION_KEY, true, ROOT_COLON);
        } else if (byte === CLOSE_BRACE && this.state === ROOT_KEY_OR_END) {
          this.state = DONE;
        } else {
          this.fail(`expected a key, found ${describeByte(byte)}`, index);
        }
        return null;
      case ROOT_COLON:
        if (byte !== COLON) this.fail(`expected ":" after the key, found ${describeByte(byte)}`, index);
        this.state = ROOT_VALUE;
        return null;
      case ROOT_VALUE: {
        const container: SectionContainer =
          byte === OPEN_BRACE ? 'object' : byte === OPEN_BRACKET ? 'array' : 'scalar';
        let action = this.actionFor(this.section, container);
        if (action === 'entries' && container === 'scalar') action = 'value';
        this.sectionAction = action;
        if (action === 'entries' && container !== 'scalar') {
          this.sectionEntries = 0;
          this.inEntries = true;
          this.sectionContainer = container;
          this.state = container === 'object' ? OBJECT_KEY_OR_END : ARRAY_VALUE_OR_END;
          return {
            type: 'section-start',
            section: this.section,
            container,
            offset: this.chunkOffset + index,
          };
        }
        this.beginValue(chunk, index, SECTION_VALUE, action === 'value', ROOT_AFTER_VALUE);
        return null;
      }
      case ROOT_AFTER_VALUE:
        if (byte === COMMA) this.state = ROOT_KEY_NEXT;
        else if (byte === CLOSE_BRACE) this.state = DONE;
        else
          this.fail(
            `expected "," or "}" after the value of "${this.section}", found ${describeByte(byte)}`,
            index,
          );
        return null;
      case DONE:
        return this.fail(`unexpected ${describeByte(byte)} after the end of the JSON document`, index);
      case OBJECT_KEY_OR_END:
      case OBJECT_KEY_NEXT:
        if (byte === QUOTE) {
          this.beginValue(chunk, index, ENTRY_KEY, true, OBJECT_COLON);
          return null;
        }
        if (byte === CLOSE_BRACE && this.state === OBJECT_KEY_OR_END) return this.endSection();
        return this.fail(`expected a key, found ${describeByte(byte)}`, index);
      case OBJECT_COLON:
        if (byte !== COLON) this.fail(`expected ":" after the key, found ${describeByte(byte)}`, index);
        this.state = OBJECT_VALUE;
        return null;
      case OBJECT_VALUE:
        this.beginValue(chunk, index, ENTRY_VALUE, true, OBJECT_AFTER_VALUE);
        return null;
      case OBJECT_AFTER_VALUE:
        if (byte === COMMA) {
          this.state = OBJECT_KEY_NEXT;
          return null;
        }
        if (byte === CLOSE_BRACE) return this.endSection();
        return this.fail(`expected "," or "}" after an entry, found ${describeByte(byte)}`, index);
      case ARRAY_VALUE_OR_END:
      case ARRAY_VALUE_NEXT:
        if (byte === CLOSE_BRACKET && this.state === ARRAY_VALUE_OR_END) return this.endSection();
        if (byte === CLOSE_BRACKET || byte === CLOSE_BRACE || byte === COMMA || byte === COLON) {
          return this.fail(`expected a value, found ${describeByte(byte)}`, index);
        }
        this.entryKey = null;
        this.beginValue(chunk, index, ENTRY_VALUE, true, ARRAY_AFTER_VALUE);
        return null;
      case ARRAY_AFTER_VALUE:
        if (byte === COMMA) {
          this.state = ARRAY_VALUE_NEXT;
          return null;
        }
        if (byte === CLOSE_BRACKET) return this.endSection();
        return this.fail(`expected "," or "]" after an entry, found ${describeByte(byte)}`, index);
      default:
        return this.fail('internal splitter state error', index);
    }
  }

  private beginValue(
    chunk: Uint8Array,
    index: number,
    purpose: number,
    capture: boolean,
    returnState: number,
  ) {
    const byte = chunk[index]!;
    if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET || byte === COMMA || byte === COLON) {
      this.fail(`expected a value, found ${describeByte(byte)}`, index);
    }
    this.state = SCANNING;
    this.scanPurpose = purpose;
    this.scanCapture = capture;
    this.scanReturnState = returnState;
    this.escaped = false;
    this.captureParts = [];
    this.captureStart = index;
    this.captureOffset = this.chunkOffset + index;
    if (byte === QUOTE) {
      this.inString = true;
      this.inScalar = false;
      this.scanDepth = 0;
    } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      this.inString = false;
      this.inScalar = false;
      this.scanDepth = 1;
    } else {
      // true, false, null or a number: it ends at the next delimiter, which is not part of it.
      this.inString = false;
      this.inScalar = true;
      this.scanDepth = 0;
      return;
    }
    // `push` steps past the opening byte; `scan` continues after it.
  }

  /**
   * Scans a value from `start`. Returns the index just past its end (for scalars: the delimiter's index),
   * or -1 when the chunk ends first.
   */
  private scan(chunk: Uint8Array, start: number): number {
    const length = chunk.length;
    let index = start;
    if (this.inScalar) {
      while (index < length) {
        if (isScalarEnd(chunk[index]!)) {
          this.inScalar = false;
          return index;
        }
        index += 1;
      }
      return -1;
    }
    let depth = this.scanDepth;
    while (index < length) {
      if (this.inString) {
        // Most bytes of an artifact are inside strings (SQL, descriptions): jump to the next quote natively.
        const quote = chunk.indexOf(QUOTE, index);
        if (quote < 0) {
          this.escaped = this.endsEscaped(chunk, index, length);
          this.scanDepth = depth;
          return -1;
        }
        const escapedQuote = this.endsEscaped(chunk, index, quote);
        this.escaped = false;
        index = quote + 1;
        if (escapedQuote) continue;
        this.inString = false;
        if (depth === 0) {
          this.scanDepth = 0;
          return index;
        }
        continue;
      }
      const byte = chunk[index]!;
      index += 1;
      if (byte === QUOTE) {
        this.inString = true;
      } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
        depth += 1;
      } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
        depth -= 1;
        if (depth === 0) {
          this.scanDepth = 0;
          return index;
        }
      }
    }
    this.scanDepth = depth;
    return -1;
  }

  /**
   * Whether the bytes `[from, to)` of a string end in an unpaired backslash, counting the run that the
   * previous chunk (or stretch) ended with when the run reaches back to `from`.
   */
  private endsEscaped(chunk: Uint8Array, from: number, to: number): boolean {
    let position = to - 1;
    while (position >= from && chunk[position] === BACKSLASH) position -= 1;
    let run = to - 1 - position;
    if (position < from && this.escaped) run += 1;
    return run % 2 === 1;
  }

  private finishValue(chunk: Uint8Array, end: number): SplitEvent | null {
    const purpose = this.scanPurpose;
    this.state = this.scanReturnState;
    if (!this.scanCapture) return null;
    const text = this.takeCapture(chunk, end);
    switch (purpose) {
      case SECTION_KEY:
        this.section = decodeKey(text, this.captureOffset);
        return null;
      case ENTRY_KEY:
        this.entryKey = decodeKey(text, this.captureOffset);
        return null;
      case SECTION_VALUE:
        return { type: 'value', section: this.section, text, offset: this.captureOffset };
      default: {
        const index = this.sectionEntries;
        this.sectionEntries += 1;
        return {
          type: 'entry',
          section: this.section,
          key: this.entryKey,
          index,
          text,
          offset: this.captureOffset,
        };
      }
    }
  }

  private takeCapture(chunk: Uint8Array, end: number): string {
    const tail = chunk.subarray(this.captureStart, end);
    if (this.captureParts.length === 0) return this.decoder.decode(tail);
    const parts = this.captureParts;
    parts.push(tail);
    let total = 0;
    for (const part of parts) total += part.length;
    const joined = new Uint8Array(total);
    let position = 0;
    for (const part of parts) {
      joined.set(part, position);
      position += part.length;
    }
    this.captureParts = [];
    return this.decoder.decode(joined);
  }

  private endSection(): SplitEvent {
    this.state = ROOT_AFTER_VALUE;
    this.inEntries = false;
    this.entryKey = null;
    return { type: 'section-end', section: this.section, entries: this.sectionEntries };
  }

  /** JSON path of what is being read, for messages: `nodes["model.x.y"]`, `results[3]`, `metadata`. */
  currentPath(): string | null {
    if (this.state === ROOT_START || this.state === ROOT_KEY_OR_END || this.state === DONE) return null;
    if (this.state === ROOT_KEY_NEXT || (this.state === SCANNING && this.scanPurpose === SECTION_KEY))
      return null;
    if (!this.inEntries) return this.section;
    if (this.sectionContainer === 'array') return `${this.section}[${this.sectionEntries}]`;
    const readingEntry =
      this.state === OBJECT_COLON ||
      this.state === OBJECT_VALUE ||
      (this.state === SCANNING && this.scanPurpose === ENTRY_VALUE);
    return readingEntry && this.entryKey !== null
      ? `${this.section}[${JSON.stringify(this.entryKey)}]`
      : this.section;
  }

  private fail(reason: string, index: number): never {
    throw new JsonSyntaxError(reason, this.chunkOffset + index, this.currentPath());
  }
}

function decodeKey(text: string, offset: number): string {
  // Keys almost never have escapes; skip JSON.parse for them.
  if (!text.includes('\\')) return text.slice(1, -1);
  try {
    return JSON.parse(text) as string;
  } catch {
    throw new JsonSyntaxError('invalid escape in a key', offset, null);
  }
}
