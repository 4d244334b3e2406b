/**
 * The awsQuery request: parameters from the URL query string and, for a form POST, the body.
 * Parsing never throws anything but StsError; limits are enforced before any work is done.
 */
import { StsError } from './errors.js';

/** Largest request body read (bytes). A 20000-character token plus a 2048-character policy fits many times over. */
export const MAX_BODY_BYTES = 128 * 1024;
/** Most parameters accepted in one request (10 PolicyArns + the rest leaves a wide margin). */
export const MAX_PARAMS = 200;

export type QueryParams = ReadonlyMap<string, string>;

/** True for `application/x-www-form-urlencoded` with or without parameters such as `charset`. */
export function isFormContentType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const semi = contentType.indexOf(';');
  const base = (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
  return base === 'application/x-www-form-urlencoded';
}

function addAll(into: Map<string, string>, text: string): void {
  if (text === '') return;
  forEachPair(text, (name, value) => {
    if (into.size >= MAX_PARAMS && !into.has(name)) {
      throw new StsError('ValidationError', `Request has more than ${MAX_PARAMS} parameters`);
    }
    if (into.has(name)) {
      // AWS does not document duplicates; we refuse them rather than silently picking one (README: Behaviour choices).
      throw new StsError('ValidationError', `Request contains the parameter '${name}' more than once`);
    }
    into.set(name, value);
  });
}

/**
 * The name/value pairs of `application/x-www-form-urlencoded` text, in order, exactly as `new URLSearchParams(text)`
 * yields them (test/protocol/form-pairs.test.ts compares the two on generated input). A pair with neither '%' nor '+'
 * needs no decoding and is sliced out directly; the others go through URLSearchParams itself. Profiling showed
 * URLSearchParams' character loop over a 1,000-character token as a visible share of a request (issue 6).
 */
export function forEachPair(text: string, each: (name: string, value: string) => void): void {
  // As the URLSearchParams constructor: lone surrogates become U+FFFD, one leading '?' is dropped.
  const s = text.isWellFormed() ? text : text.toWellFormed();
  let start = s.charCodeAt(0) === 0x3f ? 1 : 0;
  while (start < s.length) {
    let end = s.indexOf('&', start);
    if (end === -1) end = s.length;
    if (end > start) {
      const pair = s.slice(start, end);
      if (pair.includes('%') || pair.includes('+')) {
        // '&' first, so that a pair starting with '?' keeps it, as it does inside a longer text.
        for (const [name, value] of new URLSearchParams('&' + pair)) each(name, value);
      } else {
        const eq = pair.indexOf('=');
        if (eq === -1) each(pair, '');
        else each(pair.slice(0, eq), pair.slice(eq + 1));
      }
    }
    start = end + 1;
  }
}

/**
 * Parameters of one request: the query string, then the form body when the content type is form-urlencoded
 * (or absent, as some hand-written clients send). Another content type's body is ignored.
 */
export function parseQueryParams(rawQuery: string, body: string, contentType: string | undefined): QueryParams {
  const params = new Map<string, string>();
  addAll(params, rawQuery);
  if (body !== '' && (contentType === undefined || isFormContentType(contentType))) addAll(params, body);
  return params;
}

/** The raw query string of a request URL ("" when there is none). */
export function rawQueryOf(url: string): string {
  const hash = url.indexOf('#');
  const end = hash === -1 ? url.length : hash;
  const q = url.indexOf('?');
  if (q === -1 || q > end) return ''; // a '?' inside the fragment starts no query
  return url.slice(q + 1, end);
}

/** `Prefix.member.N.field` list members (1-based, contiguous from 1) plus whether the bare `Prefix` was sent (an empty list). */
export function listMembers(params: QueryParams, prefix: string, field: string): { readonly values: string[]; readonly present: boolean } {
  const values: string[] = [];
  let present = params.has(prefix);
  const head = `${prefix}.member.`;
  const indexed = new Map<number, string>();
  for (const [name, value] of params) {
    if (!name.startsWith(head)) continue;
    present = true;
    const rest = name.slice(head.length);
    const dot = rest.indexOf('.');
    const idx = dot === -1 ? rest : rest.slice(0, dot);
    const sub = dot === -1 ? '' : rest.slice(dot + 1);
    if (!/^[1-9][0-9]{0,3}$/.test(idx) || sub !== field) {
      throw new StsError('ValidationError', `Unrecognised list parameter '${name}'`);
    }
    indexed.set(Number(idx), value);
  }
  for (let i = 1; i <= indexed.size; i++) {
    const v = indexed.get(i);
    if (v === undefined) throw new StsError('ValidationError', `List parameter '${prefix}' is missing member ${i}`);
    values.push(v);
  }
  return { values, present };
}

/**
 * `Prefix.member.N.Field` list members whose members are structures (`Tags.member.1.Key`, `Tags.member.1.Value`):
 * one record per index (1-based, contiguous from 1), a field not sent is absent from its record.
 */
export function listStructs(
  params: QueryParams,
  prefix: string,
  fields: readonly string[],
): { readonly values: Partial<Record<string, string>>[]; readonly present: boolean } {
  let present = params.has(prefix);
  const head = `${prefix}.member.`;
  const indexed = new Map<number, Partial<Record<string, string>>>();
  for (const [name, value] of params) {
    if (!name.startsWith(head)) continue;
    present = true;
    const rest = name.slice(head.length);
    const dot = rest.indexOf('.');
    const idx = dot === -1 ? rest : rest.slice(0, dot);
    const sub = dot === -1 ? '' : rest.slice(dot + 1);
    if (!/^[1-9][0-9]{0,3}$/.test(idx) || !fields.includes(sub)) {
      throw new StsError('ValidationError', `Unrecognised list parameter '${name}'`);
    }
    const record = indexed.get(Number(idx)) ?? {};
    record[sub] = value;
    indexed.set(Number(idx), record);
  }
  const values: Partial<Record<string, string>>[] = [];
  for (let i = 1; i <= indexed.size; i++) {
    const v = indexed.get(i);
    if (v === undefined) throw new StsError('ValidationError', `List parameter '${prefix}' is missing member ${i}`);
    values.push(v);
  }
  return { values, present };
}
