/**
 * Reads the SigV4 inputs of a request, from the Authorization header or from a presigned query, and
 * rejects what AWS rejects before any key is looked up (IncompleteSignature, MissingAuthenticationToken).
 * Order follows AWS's: the form is chosen, then every missing part is reported at once.
 */
import { createHash } from 'node:crypto';
import { MESSAGES, StsError } from '../protocol/errors.js';
import type { HeaderMap, QueryMap } from './sigv4-canonical.js';
import { SIGV4_MESSAGES as M } from './sigv4-messages.js';

export const ALGORITHM = 'AWS4-HMAC-SHA256';

export interface AuthInputs {
  readonly presigned: boolean;
  /** `AKID/date/region/service/terminator`, unchecked. */
  readonly credential: string;
  /** Lowercase, sorted, without duplicates or empty names. */
  readonly signedHeaders: readonly string[];
  readonly signature: string;
  /** X-Amz-Date (header or query), or the Date header. */
  readonly timestamp: string;
  readonly timestampFromDateHeader: boolean;
  readonly sessionToken: string | undefined;
}

const incomplete = (message: string): StsError => new StsError('IncompleteSignature', message);
const hashed = (s: string): string => createHash('sha256').update(s, 'utf8').digest('base64');

function signedHeaderList(value: string): string[] {
  const names = new Set(
    value
      .split(';')
      .map((n) => n.trim().toLowerCase())
      .filter((n) => n !== ''),
  );
  return [...names].sort();
}

function fromHeader(authorization: string, headers: HeaderMap): AuthInputs {
  const header = authorization.trim();
  const algorithm = header.split(/\s/, 1)[0] ?? '';
  if (algorithm !== ALGORITHM) throw incomplete(M.unsupportedAlgorithm(algorithm));
  const fields = new Map<string, string>();
  // AWS splits on commas and on whitespace: `Credential= AKID/...` is an empty Credential plus a bare word.
  for (const part of header.slice(algorithm.length).split(/[\s,]+/)) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    if (eq < 0) throw incomplete(M.missingEqualSign(hashed(part)));
    const name = part.slice(0, eq);
    // A parameter given twice is refused, never resolved by picking one (README "Behaviour choices", SigV4).
    if (fields.has(name)) throw incomplete(`${M.duplicateParameter(name)} ${M.headerHashed(hashed(header))}`);
    fields.set(name, part.slice(eq + 1));
  }
  const credential = fields.get('Credential');
  const signature = fields.get('Signature');
  const signedHeaders = fields.get('SignedHeaders');
  const amzDate = headers.get('x-amz-date')?.[0];
  const date = headers.get('date')?.[0];
  const missing: string[] = [];
  if (credential === undefined) missing.push(M.headerRequires('Credential'));
  if (signature === undefined) missing.push(M.headerRequires('Signature'));
  if (signedHeaders === undefined) missing.push(M.headerRequires('SignedHeaders'));
  const timestamp = amzDate ?? date;
  if (timestamp === undefined) missing.push(M.headerRequiresDate);
  if (credential === undefined || signature === undefined || signedHeaders === undefined || timestamp === undefined) {
    throw incomplete(`${missing.join(' ')} ${M.headerHashed(hashed(header))}`);
  }
  return {
    presigned: false,
    credential,
    signature,
    signedHeaders: signedHeaderList(signedHeaders),
    timestamp,
    timestampFromDateHeader: amzDate === undefined,
    sessionToken: headers.get('x-amz-security-token')?.[0],
  };
}

function fromQuery(algorithm: string, query: QueryMap): AuthInputs {
  if (algorithm !== ALGORITHM) throw new StsError('MissingAuthenticationToken', MESSAGES.missingAuthenticationToken);
  const first = (name: string): string | undefined => query.get(name)?.[0];
  const credential = first('X-Amz-Credential');
  const signature = first('X-Amz-Signature');
  const signedHeaders = first('X-Amz-SignedHeaders');
  const timestamp = first('X-Amz-Date');
  if (credential === undefined || signature === undefined || signedHeaders === undefined || timestamp === undefined) {
    const missing = (
      [
        ['X-Amz-Credential', credential],
        ['X-Amz-Signature', signature],
        ['X-Amz-SignedHeaders', signedHeaders],
        ['X-Amz-Date', timestamp],
      ] as const
    )
      .filter(([, v]) => v === undefined)
      .map(([name]) => M.queryRequires(name));
    throw incomplete(`${missing.join(' ')} ${M.queryReexamine}`);
  }
  return {
    presigned: true,
    credential,
    signature,
    signedHeaders: signedHeaderList(signedHeaders),
    timestamp,
    timestampFromDateHeader: false,
    sessionToken: first('X-Amz-Security-Token'),
  };
}

/** The signing inputs, or the StsError AWS answers for a request that is unsigned or incompletely signed. */
export function readAuthInputs(headers: HeaderMap, query: QueryMap): AuthInputs {
  const authorization = headers.get('authorization')?.[0];
  const algorithm = query.get('X-Amz-Algorithm')?.[0];
  if (authorization !== undefined && algorithm !== undefined) {
    throw new StsError('SignatureDoesNotMatch', MESSAGES.signatureDoesNotMatch, {
      reason: 'both an Authorization header and X-Amz-Algorithm',
    });
  }
  if (authorization !== undefined) return fromHeader(authorization, headers);
  if (algorithm !== undefined) return fromQuery(algorithm, query);
  throw new StsError('MissingAuthenticationToken', MESSAGES.missingAuthenticationToken);
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const ISO_BASIC = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
const IMF_FIXDATE = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;

function utc(y: number, mo: number, d: number, h: number, mi: number, s: number): Date | undefined {
  const t = new Date(Date.UTC(y, mo, d, h, mi, s));
  const ok =
    t.getUTCFullYear() === y &&
    t.getUTCMonth() === mo &&
    t.getUTCDate() === d &&
    t.getUTCHours() === h &&
    t.getUTCMinutes() === mi &&
    t.getUTCSeconds() === s;
  return ok ? t : undefined;
}

/** `20150830T123600Z` (or, from a Date header, `Sun, 30 Aug 2015 12:36:00 GMT`); anything else is IncompleteSignature. */
export function parseRequestTime(raw: string, allowHttpDate: boolean): Date {
  let t: Date | undefined;
  const iso = ISO_BASIC.exec(raw);
  if (iso !== null) {
    const [y, mo, d, h, mi, s] = iso.slice(1).map(Number) as [number, number, number, number, number, number];
    t = utc(y, mo - 1, d, h, mi, s);
  } else if (allowHttpDate) {
    const m = IMF_FIXDATE.exec(raw);
    const month = m === null ? -1 : MONTHS.indexOf(m[2] as string);
    if (m !== null && month >= 0) t = utc(Number(m[3]), month, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6]));
  }
  if (t === undefined) throw incomplete(M.badDate(raw));
  return t;
}

/** ISO-8601 basic format, whole seconds: 20150830T123600Z. */
export function amzDate(d: Date): string {
  return d
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}
