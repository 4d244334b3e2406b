/**
 * Reads the text of one configuration file as strict JSON. Enforces the size limit, strips a UTF-8 BOM,
 * says where a syntax error is (line and column, which Node 20's JSON.parse often omits), and keeps where
 * each value is written. JSON.parse decides and gives the value; jsonc-parser, held to strict JSON (no
 * comments, no trailing commas), gives the positions and describes the errors.
 */
import { createRequire } from 'node:module';
import type { JSONPath, Node, ParseOptions } from 'jsonc-parser';

/**
 * jsonc-parser, loaded when a position or an error description is first asked for: a valid configuration never
 * needs it to serve, and loading it (CommonJS, five files) was a tenth of the server's start.
 */
let loaded: typeof import('jsonc-parser') | undefined;
function jsonc(): typeof import('jsonc-parser') {
  return (loaded ??= createRequire(import.meta.url)('jsonc-parser') as typeof import('jsonc-parser'));
}

/** Largest configuration file (provider, role or JWKS file) read, in bytes. */
export const MAX_FILE_BYTES = 1024 * 1024;

export type JsonResult = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly message: string };

/** Where a value is written: UTF-16 offset and length in the file's text (BOM excluded), 1-based line and column. */
export interface SourceRegion {
  readonly offset: number;
  readonly length: number;
  readonly line: number;
  readonly column: number;
}

/** Where the values of a parsed file are written. */
export interface SourcePositions {
  /**
   * The region of the value at a dotted JSON path (`Role.AssumeRolePolicyDocument.Statement[0]`), or of its
   * nearest ancestor written in the file (a trust policy given as a string holds its statements as text).
   */
  locate(path: string): SourceRegion | undefined;
}

export type JsonDocumentResult =
  { readonly ok: true; readonly value: unknown; readonly positions: SourcePositions } | { readonly ok: false; readonly message: string };

const STRICT: ParseOptions = { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false };

/**
 * How a syntax error is described: by default with the character (or number) where it is; `quote: false` for a file
 * the user may not have written (one reached through a symbolic link, or named by JwksFile), which is described by
 * its line and column only, so no error ever shows a byte of, say, a system file.
 */
export interface DescribeOptions {
  readonly quote?: boolean;
  /** Largest text accepted, in UTF-8 bytes (default MAX_FILE_BYTES). */
  readonly maxBytes?: number;
}

/** Parses configuration file text, keeping where each value is written; never throws. */
export function parseJsonDocument(text: string, options: DescribeOptions = {}): JsonDocumentResult {
  const parsed = parseJsonText(text, options);
  if (!parsed.ok) return parsed;
  const body = withoutBom(text);
  return { ok: true, value: parsed.value, positions: positionsOf(body) };
}

/** Parses configuration file text; never throws. */
export function parseJsonText(text: string, options: DescribeOptions = {}): JsonResult {
  const bytes = Buffer.byteLength(text, 'utf8');
  const limit = options.maxBytes ?? MAX_FILE_BYTES;
  if (bytes > limit) {
    return { ok: false, message: `file is too large (${bytes} bytes; the limit is ${limit})` };
  }
  const body = withoutBom(text);
  try {
    return { ok: true, value: JSON.parse(body) as unknown };
  } catch (err) {
    const found = describeJsonError(body, options);
    if (found) {
      const { line, column } = lineAndColumn(body, found.offset);
      return { ok: false, message: `invalid JSON at line ${line}, column ${column}: ${found.message}` };
    }
    // JSON.parse's own message quotes the text around the error.
    return { ok: false, message: options.quote === false ? 'invalid JSON' : `invalid JSON: ${(err as Error).message}` };
  }
}

export function withoutBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
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

/** What the parser expected where it stopped, within the innermost object or array (or at the top). */
type Expecting = 'value' | 'key' | 'colon' | 'next' | 'end';

/**
 * The first syntax error of text that JSON.parse rejected, as jsonc-parser reports it, with the offset and
 * wording users see. Returns undefined if jsonc-parser finds none.
 */
export function describeJsonError(text: string, options: DescribeOptions = {}): { offset: number; message: string } | undefined {
  const stack: { closer: '}' | ']'; expecting: Expecting }[] = [];
  let top: Expecting = 'value';
  let first: { code: string; offset: number; length: number; expecting: Expecting; closer: string } | undefined;
  // jsonc-parser ends an unclosed object or array before it reports the missing closer.
  let lastClosed: { closer: '}' | ']'; expecting: Expecting } | undefined;
  const valueDone = (): void => {
    const frame = stack.at(-1);
    if (frame === undefined) top = 'end';
    else frame.expecting = 'next';
  };
  try {
    jsonc().visit(
      text,
      {
        onObjectBegin: () => void stack.push({ closer: '}', expecting: 'key' }),
        onObjectProperty: () => {
          const frame = stack.at(-1);
          if (frame !== undefined) frame.expecting = 'colon';
        },
        onSeparator: (ch) => {
          const frame = stack.at(-1);
          if (frame !== undefined) frame.expecting = ch === ':' || frame.closer === ']' ? 'value' : 'key';
        },
        onObjectEnd: () => {
          lastClosed = stack.pop();
          valueDone();
        },
        onArrayBegin: () => void stack.push({ closer: ']', expecting: 'value' }),
        onArrayEnd: () => {
          lastClosed = stack.pop();
          valueDone();
        },
        onLiteralValue: valueDone,
        onError: (code, offset, length) => {
          const name = jsonc().printParseErrorCode(code);
          const frame = name === 'CloseBraceExpected' || name === 'CloseBracketExpected' ? lastClosed : stack.at(-1);
          first ??= { code: name, offset, length, expecting: frame?.expecting ?? top, closer: frame?.closer ?? '' };
        },
      },
      STRICT,
    );
  } catch {
    return undefined; // nested deeper than the stack: JSON.parse's own message is used
  }
  return first === undefined ? undefined : errorText(text, first, options.quote !== false);
}

const EXPECTED: Record<Exclude<Expecting, 'end'>, (closer: string) => string> = {
  value: () => 'expected a value',
  key: () => 'expected a double-quoted property name',
  colon: () => "expected ':'",
  next: (closer) => `expected ',' or '${closer}'`,
};

function errorText(
  text: string,
  e: { code: string; offset: number; length: number; expecting: Expecting; closer: string },
  quote: boolean,
): { offset: number; message: string } {
  const show = (at: number): string => (at >= text.length ? 'end of file' : quote ? `'${text[at]}'` : 'character');
  const token = text.slice(e.offset, e.offset + e.length);
  const within = (re: RegExp): number => e.offset + Math.max(0, token.search(re));
  switch (e.code) {
    case 'UnexpectedEndOfString': {
      // jsonc-parser ends a string at a line break or the end of the text.
      const at = e.offset + e.length;
      return { offset: at, message: at >= text.length ? 'unterminated string' : 'control character in string (escape it, e.g. \\n)' };
    }
    case 'InvalidCharacter':
      return { offset: within(/[\x00-\x1f]/), message: 'control character in string (escape it, e.g. \\n)' };
    case 'InvalidEscapeCharacter':
      return { offset: within(/\\[^"\\/bfnrtu]/), message: 'invalid escape in string' };
    case 'InvalidUnicode':
      return { offset: within(/\\u(?![0-9a-fA-F]{4})/), message: 'invalid \\u escape' };
    case 'InvalidNumberFormat':
    case 'UnexpectedEndOfNumber':
      return { offset: e.offset, message: quote ? `invalid number '${token}'` : 'invalid number' };
  }
  if (/^[ \t\n\r]*$/.test(text)) return { offset: e.offset, message: 'file is empty; expected a JSON object' };
  const at = e.offset;
  if (e.expecting === 'end' || e.code === 'EndOfFileExpected')
    return { offset: at, message: `unexpected ${show(at)} after the end of the JSON value` };
  // A closer where a key or value should follow comes after a comma ('{}' and '[]' are valid).
  if ((e.expecting === 'key' && text[at] === '}') || (e.expecting === 'value' && e.closer === ']' && text[at] === ']')) {
    return { offset: at, message: quote ? `trailing comma before '${text[at]}'` : 'trailing comma' };
  }
  return { offset: at, message: `unexpected ${show(at)}; ${EXPECTED[e.expecting](e.closer)}` };
}

/** Positions by dotted path, found in the parse tree when asked. */
/** Positions in `text`, parsed for them when one is first asked for. */
function positionsOf(text: string): SourcePositions {
  let tree: Node | undefined | null = null; // null: not parsed yet
  const treeOf = (): Node | undefined => {
    if (tree !== null) return tree;
    try {
      tree = jsonc().parseTree(text, [], STRICT);
    } catch {
      // jsonc-parser recurses per nesting level; a file nested deeper than the stack keeps its value, without positions.
      tree = undefined;
    }
    return tree;
  };
  return {
    locate(path) {
      const segments = pathSegments(path);
      const root = segments === undefined ? undefined : treeOf();
      if (root === undefined || segments === undefined) return undefined;
      for (let n = segments.length; n >= 0; n--) {
        const node = jsonc().findNodeAtLocation(root, segments.slice(0, n));
        if (node !== undefined) return { offset: node.offset, length: node.length, ...lineAndColumn(text, node.offset) };
      }
      return undefined;
    },
  };
}

/** `Role.Tags[0]["a b"]` -> ['Role', 'Tags', 0, 'a b']; undefined for text that is no such path. */
export function pathSegments(path: string): JSONPath | undefined {
  const segments: JSONPath = [];
  let rest = path;
  try {
    while (rest !== '') {
      let m: RegExpExecArray | null;
      if ((m = (segments.length === 0 ? /^([A-Za-z_$][\w$-]*)/ : /^\.([A-Za-z_$][\w$-]*)/).exec(rest)) !== null)
        segments.push(m[1] as string);
      else if ((m = /^\[(\d+)\]/.exec(rest)) !== null) segments.push(Number(m[1]));
      else if ((m = /^\[("(?:[^"\\]|\\.)*")\]/.exec(rest)) !== null) segments.push(JSON.parse(m[1] as string) as string);
      else return undefined;
      rest = rest.slice(m[0].length);
    }
  } catch {
    return undefined; // a bracketed key that is no JSON string
  }
  return segments;
}
