/**
 * SigV4 canonicalisation, byte-exact with AWS's specification and the SDK signers (non-S3 rules):
 * - URI: dot segments and empty segments removed, each segment of the *wire* path percent-encoded again
 *   (so `%2F` on the wire signs as `%252F`, like the SDKs' double encoding);
 * - query: every name and value percent-decoded then re-encoded (RFC 3986 unreserved kept), pairs sorted by
 *   name then value, `X-Amz-Signature` left out; `+` is a literal plus, not a space;
 * - headers: names lowercased, values trimmed with inner whitespace runs collapsed, repeats joined with `,`.
 * Nothing here throws on any input.
 */
import { createHash, createHmac } from 'node:crypto';

/** Header name -> values in arrival order; names are lowercase. */
export type HeaderMap = ReadonlyMap<string, readonly string[]>;
/** Decoded query name -> decoded values in arrival order. */
export type QueryMap = ReadonlyMap<string, readonly string[]>;

const UNRESERVED = /^[A-Za-z0-9\-._~]$/;

/** RFC 3986 percent-encoding of bytes: unreserved characters kept, everything else %XX (upper case). */
export function uriEncode(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) {
    const c = String.fromCharCode(b);
    out += UNRESERVED.test(c) ? c : '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

const HEX = /^[0-9A-Fa-f]{2}$/;

/** Percent-decodes to bytes. A `%` not followed by two hex digits stays a literal `%`. */
export function percentDecode(s: string): Buffer {
  const raw = Buffer.from(s, 'utf8');
  const out: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const b = raw[i] as number;
    if (b === 0x25 && i + 2 < raw.length && HEX.test(raw.toString('latin1', i + 1, i + 3))) {
      out.push(parseInt(raw.toString('latin1', i + 1, i + 3), 16));
      i += 2;
    } else {
      out.push(b);
    }
  }
  return Buffer.from(out);
}

/** Canonical URI of a raw (still percent-encoded) request path. */
export function canonicalUri(rawPath: string): string {
  const segments: string[] = [];
  for (const seg of rawPath.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') segments.pop();
    else segments.push(seg);
  }
  const trailing = segments.length > 0 && rawPath.endsWith('/');
  return '/' + segments.map((s) => uriEncode(Buffer.from(s, 'utf8'))).join('/') + (trailing ? '/' : '');
}

function splitQuery(rawQuery: string): [string, string][] {
  const pairs: [string, string][] = [];
  for (const piece of rawQuery.split('&')) {
    if (piece === '') continue;
    const eq = piece.indexOf('=');
    pairs.push(eq < 0 ? [piece, ''] : [piece.slice(0, eq), piece.slice(eq + 1)]);
  }
  return pairs;
}

/** Canonical query string. `X-Amz-Signature` (any case, as the SDK signers do) is never part of it. */
export function canonicalQuery(rawQuery: string): string {
  const pairs = splitQuery(rawQuery)
    .map(([n, v]) => [uriEncode(percentDecode(n)), uriEncode(percentDecode(v))] as const)
    .filter(([n]) => n.toLowerCase() !== 'x-amz-signature');
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([n, v]) => `${n}=${v}`).join('&');
}

/** The query decoded into names and values (UTF-8, invalid sequences replaced), for reading X-Amz-* parameters. */
export function parseQuery(rawQuery: string): QueryMap {
  const map = new Map<string, string[]>();
  for (const [n, v] of splitQuery(rawQuery)) {
    const name = percentDecode(n).toString('utf8');
    const list = map.get(name) ?? [];
    list.push(percentDecode(v).toString('utf8'));
    map.set(name, list);
  }
  return map;
}

/** Lowercases header names and merges names that differ only in case. Pass `req.headersDistinct` for exact repeats. */
export function normalizeHeaders(headers: Readonly<Record<string, string | string[] | undefined>>): HeaderMap {
  const map = new Map<string, string[]>();
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const key = name.toLowerCase();
    const list = map.get(key) ?? [];
    list.push(...(Array.isArray(value) ? value : [value]));
    map.set(key, list);
  }
  return map;
}

/** `name:value\n` lines for the signed headers (sorted, lowercase); a signed header the request lacks has no line. */
export function canonicalHeaders(headers: HeaderMap, signed: readonly string[]): string {
  let out = '';
  for (const name of signed) {
    const values = headers.get(name);
    if (values === undefined) continue;
    out += `${name}:${values.map((v) => v.trim().replace(/\s+/g, ' ')).join(',')}\n`;
  }
  return out;
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export function hmac(key: string | Uint8Array, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}
