/**
 * SigV4 verification of signed STS calls (Authorization header or presigned query).
 *
 * Checks, in AWS's order: signed or not (MissingAuthenticationToken); complete (IncompleteSignature); `host`
 * signed; X-Amz-Date well formed; within ±15 minutes of `now` (STS ignores X-Amz-Expires on presigned URLs, so the
 * same window applies); credential scope (date = X-Amz-Date's day, service, terminator; any region); then the
 * credentials are looked up (InvalidClientTokenId / ExpiredToken come from `lookup`), and only then is the signature
 * computed and compared in constant time.
 *
 * The payload hash is always computed from the actual body (an x-amz-content-sha256 header is never trusted);
 * a presigned request may instead sign `UNSIGNED-PAYLOAD`, but only when its body is empty, so a presigned URL can
 * never carry unsigned form parameters.
 *
 * A `lookup` that returns no secret (the IAM API's admin calls signed with a key the emulator did not issue, whose
 * secret it cannot know) gets every check but the signature itself; the result says the signature was not checked.
 */
import { timingSafeEqual } from 'node:crypto';
import { MESSAGES, StsError } from '../protocol/errors.js';
import { canonicalHeaders, canonicalQuery, canonicalUri, hmac, normalizeHeaders, parseQuery, sha256Hex } from './sigv4-canonical.js';
import { SIGV4_MESSAGES as M } from './sigv4-messages.js';
import { ALGORITHM, amzDate, parseRequestTime, readAuthInputs } from './sigv4-parse.js';

export interface SigV4Request {
  readonly method: string;
  /** The path as it arrived on the wire, still percent-encoded, without the query. */
  readonly path: string;
  /** The query string as it arrived, without `?`. */
  readonly rawQuery: string;
  /** Any header-name case; arrays are repeated headers (use Node's `req.headersDistinct` for exact repeats). */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer | string;
}

export interface SigV4Deps<C extends { readonly secretAccessKey: string | undefined }> {
  readonly now: Date;
  /**
   * Finds the secret for a key; throws StsError (InvalidClientTokenId, ExpiredToken) for unknown or expired keys. A
   * secret `undefined` leaves the signature unchecked.
   */
  readonly lookup: (accessKeyId: string, sessionToken: string | undefined) => C;
  /** The service the credential scope must name. Default 'sts'. */
  readonly service?: string;
}

export interface SigV4Verified<C> {
  readonly accessKeyId: string;
  readonly region: string;
  readonly service: string;
  readonly signedAt: Date;
  readonly signedHeaders: readonly string[];
  readonly presigned: boolean;
  readonly sessionToken: string | undefined;
  /** What `lookup` returned. */
  readonly credentials: C;
  /** False when `lookup` gave no secret, so the signature could not be compared. */
  readonly signatureChecked: boolean;
}

const SKEW_MS = 15 * 60 * 1000;
const mismatch = (message: string, reason?: string): StsError =>
  new StsError('SignatureDoesNotMatch', message, reason === undefined ? {} : { reason });

function checkWindow(signedAt: Date, now: Date): void {
  const earliest = new Date(now.getTime() - SKEW_MS);
  const latest = new Date(now.getTime() + SKEW_MS);
  if (signedAt.getTime() < earliest.getTime()) {
    throw mismatch(MESSAGES.signatureExpired(amzDate(signedAt), amzDate(earliest), amzDate(now)));
  }
  if (signedAt.getTime() > latest.getTime()) {
    throw mismatch(MESSAGES.signatureNotYetCurrent(amzDate(signedAt), amzDate(latest), amzDate(now)));
  }
}

interface Scope {
  readonly accessKeyId: string;
  readonly region: string;
  readonly service: string;
  /** `date/region/service/aws4_request` */
  readonly scope: string;
  readonly date: string;
}

function checkScope(credential: string, signedAt: Date, service: string): Scope {
  const parts = credential.split('/');
  if (parts.length !== 5) throw new StsError('IncompleteSignature', M.credentialParts(credential));
  const [accessKeyId, date, region, scopeService, terminator] = parts as [string, string, string, string, string];
  const errors: string[] = [];
  if (region === '') errors.push(M.scopeRegion(region));
  if (scopeService !== service) errors.push(M.scopeService(service));
  if (terminator !== 'aws4_request') errors.push(M.scopeTerminator(terminator));
  const expected = amzDate(signedAt).slice(0, 8);
  if (date !== expected) errors.push(M.scopeDate(date, expected, amzDate(signedAt)));
  if (errors.length > 0) throw mismatch(errors.join(' '));
  return { accessKeyId, region, service, date, scope: parts.slice(1).join('/') };
}

function signingKey(secret: string, s: Scope): Buffer {
  return hmac(hmac(hmac(hmac(`AWS4${secret}`, s.date), s.region), s.service), 'aws4_request');
}

function sameSignature(expected: string, provided: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(provided, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Verifies a SigV4-signed request; returns who signed it, or throws the StsError AWS would answer. */
export function verifySigV4<C extends { readonly secretAccessKey: string | undefined }>(
  req: SigV4Request,
  deps: SigV4Deps<C>,
): SigV4Verified<C> {
  const headers = normalizeHeaders(req.headers);
  const auth = readAuthInputs(headers, parseQuery(req.rawQuery));
  if (!auth.signedHeaders.includes('host')) throw mismatch(M.hostNotSigned);
  const signedAt = parseRequestTime(auth.timestamp, auth.timestampFromDateHeader);
  checkWindow(signedAt, deps.now);
  const scope = checkScope(auth.credential, signedAt, deps.service ?? 'sts');
  const credentials = deps.lookup(scope.accessKeyId, auth.sessionToken);
  const secret = credentials.secretAccessKey;
  if (secret !== undefined) checkSignature(req, headers, auth, signedAt, scope, secret);
  return {
    accessKeyId: scope.accessKeyId,
    region: scope.region,
    service: scope.service,
    signedAt,
    signedHeaders: auth.signedHeaders,
    presigned: auth.presigned,
    sessionToken: auth.sessionToken,
    credentials,
    signatureChecked: secret !== undefined,
  };
}

/** Computes the signature with `secret` and compares it in constant time; SignatureDoesNotMatch when it differs. */
function checkSignature(
  req: SigV4Request,
  headers: ReturnType<typeof normalizeHeaders>,
  auth: ReturnType<typeof readAuthInputs>,
  signedAt: Date,
  scope: Scope,
  secret: string,
): void {
  const body = typeof req.body === 'string' ? Buffer.from(req.body, 'utf8') : req.body;
  const payloadHashes = [sha256Hex(body)];
  if (auth.presigned && body.length === 0) payloadHashes.push('UNSIGNED-PAYLOAD');
  const head = [
    req.method,
    canonicalUri(req.path),
    canonicalQuery(req.rawQuery),
    canonicalHeaders(headers, auth.signedHeaders),
    auth.signedHeaders.join(';'),
  ].join('\n');
  const key = signingKey(secret, scope);
  const matched = payloadHashes.some((payloadHash) => {
    const stringToSign = [ALGORITHM, amzDate(signedAt), scope.scope, sha256Hex(`${head}\n${payloadHash}`)].join('\n');
    return sameSignature(hmac(key, stringToSign).toString('hex'), auth.signature);
  });
  if (!matched) throw mismatch(MESSAGES.signatureDoesNotMatch, "signature differs from the one computed with the key's secret");
}
