/**
 * A compact JWS decoded and its signature checked with node's own base64url decoder and node:crypto, for the plain
 * tokens where that provably gives jose's answer; everything else is left to jose. It only ever accepts: `undefined`
 * means "let jose decide", so every refusal and its wording still comes from jose. It equals jose because it runs
 * jose's steps on the same inputs (the same bytes, strict UTF-8 and JSON.parse; the same key resolver called with
 * the same arguments; the key checks jose makes for the algorithm; the same OpenSSL operation) and declines every
 * token jose would treat differently (other header members, other algorithms, a segment length jose's decoder
 * refuses). Why each step equals jose's, and what is left to jose: docs/native-jws.md.
 */
import { KeyObject, verify as cryptoVerify, webcrypto } from 'node:crypto';
import type { JWTVerifyGetKey } from 'jose';

declare const decodedNatively: unique symbol;

/** Header and payload as jose's decodeProtectedHeader and decodeJwt return them, from `decodeCompact` only. */
export type CompactParts = { readonly header: Record<string, unknown>; readonly payload: Record<string, unknown> } & {
  readonly [decodedNatively]: true;
};

const COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const PLAIN_HEADER_MEMBERS = new Set(['alg', 'kid', 'typ']);

interface Alg {
  readonly name: 'RSASSA-PKCS1-v1_5' | 'ECDSA';
  readonly hash: string; // WebCrypto name, as jose checks on RSA keys
  readonly digest: string; // node:crypto name
  readonly namedCurve?: string;
}

const ALGS: Readonly<Record<string, Alg>> = Object.freeze({
  RS256: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', digest: 'sha256' },
  RS384: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-384', digest: 'sha384' },
  RS512: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-512', digest: 'sha512' },
  ES256: { name: 'ECDSA', hash: 'SHA-256', digest: 'sha256', namedCurve: 'P-256' },
  ES384: { name: 'ECDSA', hash: 'SHA-384', digest: 'sha384', namedCurve: 'P-384' },
  ES512: { name: 'ECDSA', hash: 'SHA-512', digest: 'sha512', namedCurve: 'P-521' },
});

/**
 * What jose's decodeJwt and decodeProtectedHeader return for `token`, when that is certain without calling them:
 * three non-empty base64url segments whose header and payload decode to JSON objects. Undefined for anything else.
 */
export function decodeCompact(token: string): CompactParts | undefined {
  if (!COMPACT.test(token)) return undefined;
  const first = token.indexOf('.');
  const last = token.lastIndexOf('.');
  const header = jsonObject(token.slice(0, first));
  const payload = header === undefined ? undefined : jsonObject(token.slice(first + 1, last));
  return header === undefined || payload === undefined ? undefined : ({ header, payload } as CompactParts);
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function jsonObject(segment: string): Record<string, unknown> | undefined {
  const bytes = b64uBytes(segment);
  if (bytes === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(strictUtf8.decode(bytes));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The bytes jose's base64url decoder gives for a segment of the base64url alphabet (the caller checks it), by node's
 * decoder; undefined for a length of 1 mod 4, which jose refuses and node would decode.
 */
export function b64uBytes(segment: string): Buffer | undefined {
  return segment.length % 4 === 1 ? undefined : Buffer.from(segment, 'base64url');
}

/**
 * Accepts `token` if its signature verifies as jose's jwtVerify would verify it: returns the header and payload
 * jose would return (claims unchecked: the caller checks them on either road), or undefined to let jose decide.
 * `parts` must be decodeCompact(token). `getKey` is called as jose calls it, once, and only for a token this
 * check can judge; a failure of it is thrown as is, as jose would throw it. `schedule` decides when the signature
 * check is handed to libuv's thread pool (default: at once); it must not throw.
 */
export async function verifyCompact(
  token: string,
  parts: CompactParts,
  getKey: JWTVerifyGetKey,
  schedule: (start: () => void) => void = (start) => start(),
): Promise<{ header: Record<string, unknown>; payload: Record<string, unknown> } | undefined> {
  const { header, payload } = parts;
  for (const member of Object.keys(header)) if (!PLAIN_HEADER_MEMBERS.has(member)) return undefined;
  const name = header['alg'];
  const alg = typeof name === 'string' && Object.hasOwn(ALGS, name) ? ALGS[name] : undefined;
  if (alg === undefined) return undefined;
  const first = token.indexOf('.');
  const last = token.lastIndexOf('.');
  const encodedHeader = token.slice(0, first);
  const encodedPayload = token.slice(first + 1, last);
  const encodedSignature = token.slice(last + 1);

  // As jose calls it: the parsed protected header and the flattened form of the token.
  const key: unknown = await getKey(
    header as Parameters<JWTVerifyGetKey>[0],
    { payload: encodedPayload, protected: encodedHeader, signature: encodedSignature } as Parameters<JWTVerifyGetKey>[1],
  );
  // From here on nothing is thrown: whatever fails (an unusable key, a bad signature) is left to jose.
  try {
    const keyObject = usableKey(key, alg);
    if (keyObject === undefined) return undefined;
    const signature = b64uBytes(encodedSignature);
    if (signature === undefined) return undefined;
    const data = Buffer.from(token.slice(0, last), 'latin1');
    const valid = await new Promise<boolean>((resolve) => {
      const done = (err: Error | null, ok: boolean): void => resolve(err === null && ok);
      schedule(() => {
        try {
          if (alg.name === 'ECDSA') cryptoVerify(alg.digest, data, { key: keyObject, dsaEncoding: 'ieee-p1363' }, signature, done);
          else cryptoVerify(alg.digest, data, keyObject, signature, done);
        } catch {
          resolve(false);
        }
      });
    });
    return valid ? { header, payload } : undefined;
  } catch {
    return undefined;
  }
}

/** node:crypto views of the CryptoKeys the key sets hand out (key sets cache their CryptoKeys, so these live as long). */
const keyObjects = new WeakMap<webcrypto.CryptoKey, KeyObject>();

function isCryptoKey(key: unknown): key is webcrypto.CryptoKey {
  return typeof key === 'object' && key !== null && (key as { [Symbol.toStringTag]?: unknown })[Symbol.toStringTag] === 'CryptoKey';
}

/** The key as node:crypto sees it, if jose would use it for this alg (its checkCryptoKey and modulus checks). */
function usableKey(key: unknown, alg: Alg): KeyObject | undefined {
  if (!isCryptoKey(key)) return undefined;
  if (key.type !== 'public' || !key.usages.includes('verify')) return undefined;
  const algorithm = key.algorithm as { name?: unknown; hash?: { name?: unknown }; namedCurve?: unknown; modulusLength?: unknown };
  if (algorithm.name !== alg.name) return undefined;
  if (alg.name === 'ECDSA') {
    if (algorithm.namedCurve !== alg.namedCurve) return undefined;
  } else {
    if (algorithm.hash?.name !== alg.hash) return undefined;
    if (typeof algorithm.modulusLength !== 'number' || algorithm.modulusLength < 2048) return undefined;
  }
  let keyObject = keyObjects.get(key);
  if (keyObject === undefined) {
    keyObject = KeyObject.from(key);
    keyObjects.set(key, keyObject);
  }
  return keyObject;
}
