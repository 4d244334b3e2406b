/**
 * Reads the text of one configuration file as JSON. Enforces the size limit, strips a UTF-8 BOM,
 * and on a syntax error says where it is (line and column), which Node 20's JSON.parse often omits.
 */

/** Largest configuration file (provider, role or JWKS file) read, in bytes. */
export const MAX_FILE_BYTES = 1024 * 1024;

export type JsonResult =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly message: string };

/** Parses configuration file text; never throws. */
export function parseJsonText(text: string): JsonResult {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_FILE_BYTES) {
    return { ok: false, message: `file is too large (${bytes} bytes; the limit is ${MAX_FILE_BYTES})` };
  }
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return { ok: true, value: JSON.parse(body) as unknown };
  } catch (err) {
    const found = locateJsonError(body);
    if (found) {
      const { line, column } = lineAndColumn(body, found.offset);
      return { ok: false, message: `invalid JSON at line ${line}, column ${column}: ${found.message}` };
    }
    return { ok: false, message: `invalid JSON: ${(err as Error).message}` };
  }
}

/** 1-based line and column of a UTF-16 offset. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

class JsonSyntax extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Finds the first syntax error of text that JSON.parse rejected: a small strict JSON scanner
 * (RFC 8259) that only tracks positions. Returns undefined if it finds none.
 */
export function locateJsonError(text: string): { offset: number; message: string } | undefined {
  let i = 0;
  const fail = (message: string, at = i): never => {
    throw new JsonSyntax(at, message);
  };
  const show = (at: number): string => (at >= text.length ? 'end of file' : `'${text[at]}'`);
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i] as string)) i++;
  };
  const literal = (word: string): void => {
    if (text.startsWith(word, i)) i += word.length;
    else fail(`unexpected ${show(i)}; expected a value`);
  };
  const string = (): void => {
    i++; // opening quote
    for (;;) {
      if (i >= text.length) fail('unterminated string');
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return;
      }
      if (c < 0x20) fail('control character in string (escape it, e.g. \\n)');
      if (c === 0x5c) {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail('invalid \\u escape');
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else fail('invalid escape in string');
      } else i++;
    }
  };
  const number = (): void => {
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i));
    if (!m || m[0] === '-') fail(`unexpected ${show(i)}; expected a value`);
    i += (m as RegExpExecArray)[0].length;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') object();
    else if (c === '[') array();
    else if (c === '"') string();
    else if (c === 't') literal('true');
    else if (c === 'f') literal('false');
    else if (c === 'n') literal('null');
    else if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) number();
    else fail(`unexpected ${show(i)}; expected a value`);
  };
  const object = (): void => {
    i++;
    ws();
    if (text[i] === '}') {
      i++;
      return;
    }
    for (;;) {
      ws();
      if (text[i] !== '"') {
        fail(text[i] === '}' ? "trailing comma before '}'" : `unexpected ${show(i)}; expected a double-quoted property name`);
      }
      string();
      ws();
      if (text[i] !== ':') fail(`unexpected ${show(i)}; expected ':'`);
      i++;
      value();
      ws();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === '}') {
        i++;
        return;
      }
      fail(`unexpected ${show(i)}; expected ',' or '}'`);
    }
  };
  const array = (): void => {
    i++;
    ws();
    if (text[i] === ']') {
      i++;
      return;
    }
    for (;;) {
      ws();
      if (text[i] === ']') fail("trailing comma before ']'");
      value();
      ws();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === ']') {
        i++;
        return;
      }
      fail(`unexpected ${show(i)}; expected ',' or ']'`);
    }
  };
  try {
    ws();
    if (i >= text.length) fail('file is empty; expected a JSON object');
    value();
    ws();
    if (i < text.length) fail(`unexpected ${show(i)} after the end of the JSON value`);
    return undefined;
  } catch (err) {
    // Anything else (a stack overflow on absurd nesting) falls back to JSON.parse's own message.
    return err instanceof JsonSyntax ? { offset: err.offset, message: err.message } : undefined;
  }
}
