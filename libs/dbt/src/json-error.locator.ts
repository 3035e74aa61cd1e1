/**
 * Where JSON text stops being valid, for error messages: V8's `JSON.parse` errors only sometimes carry a
 * position. A small recursive-descent checker that runs only after `JSON.parse` has failed; it returns the
 * index (in UTF-16 code units) of the first character that cannot be part of a valid document.
 */
export function locateJsonError(text: string): number {
  let position = 0;
  const fail = (): never => {
    throw new LocatedError(position);
  };
  const whitespace = () => {
    while (position < text.length && ' \t\n\r'.includes(text[position]!)) position += 1;
  };
  const literal = (word: string) => {
    for (const character of word) {
      if (text[position] !== character) fail();
      position += 1;
    }
  };
  const string = () => {
    position += 1;
    for (;;) {
      if (position >= text.length) fail();
      const character = text[position]!;
      if (character === '"') {
        position += 1;
        return;
      }
      if (character === '\\') {
        position += 1;
        const escape = text[position];
        if (escape === 'u') {
          for (let digit = 0; digit < 4; digit += 1) {
            position += 1;
            if (!/[0-9a-fA-F]/.test(text[position] ?? '')) fail();
          }
        } else if (escape === undefined || !'"\\/bfnrt'.includes(escape)) {
          fail();
        }
      } else if (character < ' ') {
        fail();
      }
      position += 1;
    }
  };
  const number = () => {
    const match = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(position, position + 400));
    if (!match) fail();
    position += match![0].length;
  };
  const value = (): void => {
    whitespace();
    const character = text[position];
    if (character === '{') {
      position += 1;
      whitespace();
      if (text[position] === '}') {
        position += 1;
        return;
      }
      for (;;) {
        whitespace();
        if (text[position] !== '"') fail();
        string();
        whitespace();
        if (text[position] !== ':') fail();
        position += 1;
        value();
        whitespace();
        if (text[position] === ',') {
          position += 1;
          continue;
        }
        if (text[position] === '}') {
          position += 1;
          return;
        }
        fail();
      }
    }
    if (character === '[') {
      position += 1;
      whitespace();
      if (text[position] === ']') {
        position += 1;
        return;
      }
      for (;;) {
        value();
        whitespace();
        if (text[position] === ',') {
          position += 1;
          continue;
        }
        if (text[position] === ']') {
          position += 1;
          return;
        }
        fail();
      }
    }
    if (character === '"') return string();
    if (character === 't') return literal('true');
    if (character === 'f') return literal('false');
    if (character === 'n') return literal('null');
    return number();
  };
  try {
    value();
    whitespace();
    return position < text.length ? position : text.length;
  } catch (error) {
    if (error instanceof LocatedError) return error.position;
    throw error;
  }
}

class LocatedError extends Error {
  constructor(readonly position: number) {
    super(`invalid JSON at ${position}`);
  }
}
