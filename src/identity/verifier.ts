/**
 * Web identity token verification in AWS's order (sts.md §3, §5.4):
 *   1. length 4..20000 (ValidationError, before anything is parsed);
 *   2. decode header and payload without trusting them (malformed: InvalidIdentityToken);
 *   3. `iss` must equal a registered provider URL exactly, before any network I/O
 *      ("No OpenIDConnect provider found in your account for <iss>");
 *   4. `alg` in RS256/384/512, ES256/384/512 only;
 *   5. the signature, with the provider's keys only (kid selects; key retrieval failures are
 *      "Couldn't retrieve verification key ...");
 *   6. claims: aud present and in the ClientIDList, then exp (required, integer, 5-minute skew:
 *      ExpiredTokenException), nbf and iat not in the future beyond the skew.
 * verify() rejects with StsError only.
 */
import { KeyObject, verify as cryptoVerify, webcrypto } from 'node:crypto';
// jose by subpath: the root module loads all of JWE/JWS/JWK (~12 ms more at start, issue 6). Types from the root (erased).
import type { JWTVerifyGetKey, JWTVerifyOptions } from 'jose';
import { decodeProtectedHeader } from 'jose/decode/protected_header';
import * as errors from 'jose/errors';
import { decodeJwt } from 'jose/jwt/decode';
import { jwtVerify } from 'jose/jwt/verify';
import { MESSAGES, StsError, toStsError } from '../protocol/errors.js';
import { CONSTRAINT, codePointsAgainst, REDACTED, validationError, WEB_IDENTITY_TOKEN_LENGTH } from '../protocol/validation.js';
import { createBoundedFetch } from './bounded-fetch.js';
import { checkClaimDepth, checkClaims, toFrozenRecord } from './claims.js';
import { invalidToken, mapVerificationError } from './jose-errors.js';
import { createKeyResolver } from './key-sets.js';
import { CLOCK_SKEW_SECONDS, epochSeconds } from './time-claims.js';
import { refusedBy } from './refusal.js';
import { TokenCache } from './token-cache.js';
import type { OidcProvider, TokenVerifier, VerifiedToken } from './types.js';

/** "Tokens must be signed using either RSA keys (RS256, RS384, or RS512) or ECDSA keys (ES256, ES384, or ES512)." */
export const ALLOWED_ALGORITHMS: readonly string[] = Object.freeze(['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512']);

export interface TokenVerifierOptions {
  /** The fetch used for discovery and JWKS (default: global fetch). */
  readonly fetch?: typeof fetch;
  /** Deadline per discovery or JWKS request, body included (default 5000 ms). */
  readonly timeoutMs?: number;
  /** After a successful JWKS fetch, how long an unknown kid waits before another fetch (default 30000 ms). */
  readonly cooldownMs?: number;
  /** How long a fetched JWKS is used before it is fetched again (default 600000 ms). */
  readonly cacheMaxAgeMs?: number;
  /** Largest discovery or JWKS body accepted (default 1 MiB). */
  readonly maxResponseBytes?: number;
  /**
   * The cache of verified signatures (default on: 1,000 tokens, 2 Mi characters); false turns it off. Small on
   * purpose: with node:crypto a miss costs ~50 us of CPU, and 10,000 entries held ~37 MB of heap (bench/, issue 6).
   * A token is stored on its second verification (TokenCache's `secondSight`), so tokens sent once do not churn it.
   */
  readonly claimsCache?: false | { readonly maxEntries?: number; readonly maxChars?: number };
  /**
   * Check signatures with node:crypto's verify before jose's WebCrypto one (default true; see
   * `acceptFast`). It only ever accepts: any token it does not accept is verified by jose, which decides.
   */
  readonly fastSignatures?: boolean;
  /**
   * When a fast signature check is handed to libuv's thread pool: `start` at once (the default), or later. The
   * server queues them to the end of the event loop's turn (src/server/turn-batch.ts), so that the checks of one
   * turn reach the pool together: waking a pool thread per check cost more CPU than the RSA operation (bench/).
   * `start` never throws.
   */
  readonly schedule?: (start: () => void) => void;
}

interface Registered {
  readonly provider: OidcProvider;
  readonly getKey: JWTVerifyGetKey;
}

/** Builds a verifier for `providers`; key sets are created once here and shared by all verifications. */
export function createTokenVerifier(providers: readonly OidcProvider[], options: TokenVerifierOptions = {}): TokenVerifier {
  const timeoutMs = integerOption('timeoutMs', options.timeoutMs, 5000);
  const cooldownMs = integerOption('cooldownMs', options.cooldownMs, 30_000);
  const cacheMaxAgeMs = integerOption('cacheMaxAgeMs', options.cacheMaxAgeMs, 600_000);
  const maxResponseBytes = integerOption('maxResponseBytes', options.maxResponseBytes, 1024 * 1024);
  const boundedFetch = createBoundedFetch({
    fetch: options.fetch ?? globalThis.fetch,
    timeoutMs,
    maxResponseBytes,
  });
  const keySetOptions = { fetch: boundedFetch, timeoutMs, cooldownMs, cacheMaxAgeMs };

  // Exact-string lookup: a Map, so no prototype keys and no URL normalisation. The first registration wins.
  const byUrl = new Map<string, Registered>();
  for (const provider of providers) {
    if (!byUrl.has(provider.url)) byUrl.set(provider.url, { provider, getKey: createKeyResolver(provider, keySetOptions) });
  }

  const fastSignatures = options.fastSignatures ?? true;
  const schedule = options.schedule ?? ((start: () => void): void => start());
  const cacheOption = options.claimsCache;
  const cache =
    cacheOption === false
      ? undefined
      : new TokenCache({
          maxEntries: cacheOption?.maxEntries ?? 1_000,
          maxChars: cacheOption?.maxChars ?? 2 * 1024 * 1024,
          maxAgeMs: cacheMaxAgeMs,
          secondSight: true,
        });

  /** `matched` is set as soon as the token is bound to a registered provider (a cache hit, or its iss). */
  async function verify(token: string, now: Date, matched: { provider?: OidcProvider }): Promise<VerifiedToken> {
    checkLength(token);
    if (!(now instanceof Date) || Number.isNaN(now.getTime())) {
      throw new StsError('InternalFailure', MESSAGES.internalFailure, { reason: 'verify() was given an invalid date' });
    }
    const nowSeconds = epochSeconds(now);

    const hit = cache?.get(token);
    if (hit !== undefined) {
      matched.provider = hit.provider;
      const audience = checkClaims(hit.claims, hit.provider, nowSeconds);
      return { provider: hit.provider, claims: hit.claims, header: hit.header, audience };
    }

    const { header, payload, compact } = decodeUntrusted(token);
    const iss = Object.hasOwn(payload, 'iss') ? payload['iss'] : undefined;
    if (typeof iss !== 'string') throw invalidToken(iss === undefined ? 'the token has no iss claim' : 'iss is not a string');
    const registered = byUrl.get(iss);
    if (registered === undefined) {
      throw new StsError('InvalidIdentityToken', MESSAGES.noProvider(iss), { reason: 'no registered provider has this exact URL' });
    }
    matched.provider = registered.provider;
    const alg = Object.hasOwn(header, 'alg') ? header['alg'] : undefined;
    if (typeof alg !== 'string' || !ALLOWED_ALGORITHMS.includes(alg)) {
      throw invalidToken(`alg ${JSON.stringify(alg) ?? 'undefined'} is not one of ${ALLOWED_ALGORITHMS.join(', ')}`);
    }

    const { provider, getKey } = registered;
    const verifyOptions: JWTVerifyOptions = {
      algorithms: [...ALLOWED_ALGORITHMS],
      issuer: provider.url,
      audience: [...provider.clientIdList],
      requiredClaims: ['exp'],
      clockTolerance: CLOCK_SKEW_SECONDS,
      currentDate: now,
    };
    let result: { readonly payload: object; readonly protectedHeader: object };
    try {
      result = (fastSignatures ? await acceptFast(token, compact, header, payload, getKey, schedule) : undefined) ?? (await jwtVerify(token, getKey, verifyOptions));
    } catch (err) {
      // A claim failure means the signature verified: our own claim checks decide the outcome, so a
      // cache hit and a full verification always answer alike.
      if (err instanceof errors.JWTClaimValidationFailed || err instanceof errors.JWTExpired) {
        checkClaims(toFrozenRecord(err.payload), provider, nowSeconds);
      }
      throw mapVerificationError(err, nowSeconds);
    }

    const claims = toFrozenRecord(result.payload);
    const verifiedHeader = toFrozenRecord(result.protectedHeader);
    const audience = checkClaims(claims, provider, nowSeconds);
    cache?.set(token, { provider, header: verifiedHeader, claims });
    return { provider, claims, header: verifiedHeader, audience };
  }

  return {
    async verify(token: string, now: Date): Promise<VerifiedToken> {
      const matched: { provider?: OidcProvider } = {};
      try {
        return await verify(token, now, matched);
      } catch (err) {
        const sts = toStsError(err); // anything not already an StsError is a bug: InternalFailure
        throw matched.provider === undefined ? sts : refusedBy(sts, matched.provider);
      }
    },
  };
}

/** Options are programmer input: a bad value is a TypeError at construction, not a token error later. */
function integerOption(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 0) throw new TypeError(`createTokenVerifier: ${name} must be a non-negative integer`);
  return value;
}

function checkLength(token: unknown): asserts token is string {
  if (typeof token !== 'string') {
    throw validationError([{ field: 'webIdentityToken', constraint: CONSTRAINT.notNull, value: null }]);
  }
  // As AWS counts model lengths: code points.
  const { min, max } = WEB_IDENTITY_TOKEN_LENGTH;
  const against = codePointsAgainst(token, min, max);
  if (against < 0) throw validationError([{ field: 'webIdentityToken', constraint: CONSTRAINT.minLength(min), value: REDACTED }]);
  if (against > 0) throw validationError([{ field: 'webIdentityToken', constraint: CONSTRAINT.maxLength(max), value: REDACTED }]);
}

/** Header and payload as jose parses them, before any trust: for routing to a provider only. */
function decodeUntrusted(token: string): { header: Record<string, unknown>; payload: Record<string, unknown>; compact: boolean } {
  const decoded = decodeEither(token);
  checkClaimDepth(decoded.header, 'header');
  checkClaimDepth(decoded.payload);
  return decoded;
}

function decodeEither(token: string): { header: Record<string, unknown>; payload: Record<string, unknown>; compact: boolean } {
  const fast = decodeCompact(token);
  if (fast !== undefined) return { ...fast, compact: true };
  try {
    const payload = decodeJwt(token) as Record<string, unknown>;
    const header = decodeProtectedHeader(token) as Record<string, unknown>;
    // Not the fast path's: jose verifies it in full (every token jose accepts is decoded natively, see decodeCompact).
    return { header, payload, compact: false };
  } catch (err) {
    throw invalidToken(`the token is not a compact JWS JWT (${err instanceof Error ? err.message : 'decode failed'})`, err);
  }
}

/**
 * What jose's decodeJwt and decodeProtectedHeader return, for the tokens where that is certain without calling them
 * (their base64url decoding runs a JavaScript loop per byte, a visible share of a request in profiles); undefined
 * for anything else, which jose then decodes and, if it must, refuses with its own message. Certain means: the
 * compact form with three non-empty base64url segments (so jose splits it the same way) and header and payload
 * segments that `b64uBytes` decodes to the bytes jose would, then the same strict UTF-8 decoding, JSON.parse and
 * plain-object check (jose's isObject holds for every non-array object JSON.parse makes).
 * test/identity/fast-signatures.test.ts compares the two on valid, refused and mutated tokens.
 */
export function decodeCompact(token: string): { header: Record<string, unknown>; payload: Record<string, unknown> } | undefined {
  if (!COMPACT.test(token)) return undefined;
  const first = token.indexOf('.');
  const last = token.lastIndexOf('.');
  const header = jsonObject(token.slice(0, first));
  const payload = header === undefined ? undefined : jsonObject(token.slice(first + 1, last));
  return header === undefined || payload === undefined ? undefined : { header, payload };
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
 * The bytes of a segment of the base64url alphabet, as jose's decoder gives them, by node's native decoder. Both
 * decode such text the same way, dropping the bits past the last whole byte; jose refuses a length of 1 mod 4
 * (forgiving-base64), which node would decode, so that length is left to jose. The caller has checked the alphabet.
 */
export function b64uBytes(segment: string): Buffer | undefined {
  return segment.length % 4 === 1 ? undefined : Buffer.from(segment, 'base64url');
}

// ------------------------------------------------------------------------------------------------------------------
// Accepting with node:crypto. Profiling (bench/, README "Performance") showed jose's verification of one RS256 token
// costing ~150 us of CPU, ~4x the RSA operation itself: its JavaScript around WebCrypto, not the key import (cached).
// node:crypto's verify does the same OpenSSL operation, on libuv's thread pool as WebCrypto does (measured:
// +8% to +24% requests/s over the synchronous call for one process on two cores, equal with --workers 2).
// `acceptFast` runs the same signature steps as jose's jwtVerify (jose/dist/webapi/lib/jws_verify.js) for the plain
// case and either returns the header and claims jwtVerify would parse, or undefined, after which jose verifies the
// token in full: every refusal of a header, key or signature, and its message, still comes from jose; claims are
// judged by checkClaims on either path (last step). The steps, and why each equals jose's:
//   - compact form, all three segments base64url text (so jose's split, ASCII checks and decoding agree);
//   - the protected header as jose parsed it (decodeProtectedHeader is jose's parseJoseHeader) with no member other
//     than alg, kid and typ: no crit, no b64, so jose's crit/b64 checks pass; alg is in the allow-list;
//   - the key from the same resolver jose would call, with the same arguments (a resolver failure is thrown as is,
//     as jwtVerify would throw it, so a failing JWKS fetch is not retried twice); it must be a public CryptoKey
//     passing jose's own checks for the alg (algorithm name, hash or curve, "verify" usage, RSA >= 2048 bits);
//   - the signature decoded to the bytes jose's base64url decoder gives (b64uBytes), verified over the same bytes with the same key
//     (node:crypto and WebCrypto both run OpenSSL: PKCS#1 v1.5 for RS*, IEEE P1363 r||s for ES*);
//   - the claims as decodeUntrusted parsed them (decodeCompact gives jose's own parse: the same bytes, the same strict
//     UTF-8 and JSON.parse), returned unchecked: verify() runs checkClaims on every accepted payload, and checkClaims
//     refuses everything jose's validateClaimsSet refuses with verify()'s options (iss, aud and exp present; iss the
//     provider's; aud in the ClientIDList; exp, nbf, iat numbers, exp and nbf within the skew) and more (integer dates,
//     iat not in the future). When jose finds a claim at fault, verify() answers with checkClaims on the same payload
//     too, so a token with bad claims gets the same answer whichever path verified its signature.
// test/identity/fast-signatures.test.ts compares both paths over valid, refused and mutated tokens.

const COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const PLAIN_HEADER_MEMBERS = new Set(['alg', 'kid', 'typ']);

interface FastAlg {
  readonly name: 'RSASSA-PKCS1-v1_5' | 'ECDSA';
  readonly hash: string; // WebCrypto name, as jose checks on RSA keys
  readonly digest: string; // node:crypto name
  readonly namedCurve?: string;
}

const FAST_ALGS: Readonly<Record<string, FastAlg>> = Object.freeze({
  RS256: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', digest: 'sha256' },
  RS384: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-384', digest: 'sha384' },
  RS512: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-512', digest: 'sha512' },
  ES256: { name: 'ECDSA', hash: 'SHA-256', digest: 'sha256', namedCurve: 'P-256' },
  ES384: { name: 'ECDSA', hash: 'SHA-384', digest: 'sha384', namedCurve: 'P-384' },
  ES512: { name: 'ECDSA', hash: 'SHA-512', digest: 'sha512', namedCurve: 'P-521' },
});

/** node:crypto views of the CryptoKeys the key sets hand out (key sets cache their CryptoKeys, so these live as long). */
const keyObjects = new WeakMap<webcrypto.CryptoKey, KeyObject>();

async function acceptFast(
  token: string,
  /** decodeCompact answered for the token (so it is in compact form and `header` and `payload` are jose's parse). */
  compact: boolean,
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  getKey: JWTVerifyGetKey,
  schedule: (start: () => void) => void,
): Promise<{ payload: object; protectedHeader: object } | undefined> {
  if (!compact) return undefined;
  for (const member of Object.keys(header)) if (!PLAIN_HEADER_MEMBERS.has(member)) return undefined;
  const alg = header['alg'];
  const fast = typeof alg === 'string' && Object.hasOwn(FAST_ALGS, alg) ? FAST_ALGS[alg] : undefined;
  if (fast === undefined) return undefined;
  const first = token.indexOf('.');
  const last = token.lastIndexOf('.');
  const encodedHeader = token.slice(0, first);
  const encodedPayload = token.slice(first + 1, last);
  const encodedSignature = token.slice(last + 1);

  // As jose calls it: the parsed protected header and the flattened form of the token.
  const key: unknown = await getKey(header as Parameters<JWTVerifyGetKey>[0], { payload: encodedPayload, protected: encodedHeader, signature: encodedSignature } as Parameters<JWTVerifyGetKey>[1]);
  // From here on nothing is thrown: whatever fails (an unusable key, a bad signature, a claim check) is left to jose.
  try {
    const keyObject = usableKey(key, fast);
    if (keyObject === undefined) return undefined;
    const signature = b64uBytes(encodedSignature);
    if (signature === undefined) return undefined;
    const data = Buffer.from(token.slice(0, last), 'latin1');
    const valid = await new Promise<boolean>((resolve) => {
      const done = (err: Error | null, ok: boolean): void => resolve(err === null && ok);
      schedule(() => {
        try {
          if (fast.name === 'ECDSA') cryptoVerify(fast.digest, data, { key: keyObject, dsaEncoding: 'ieee-p1363' }, signature, done);
          else cryptoVerify(fast.digest, data, keyObject, signature, done);
        } catch {
          resolve(false); // not accepted here: jose decides
        }
      });
    });
    return valid ? { payload, protectedHeader: header } : undefined;
  } catch {
    return undefined;
  }
}

function isCryptoKey(key: unknown): key is webcrypto.CryptoKey {
  return typeof key === 'object' && key !== null && (key as { [Symbol.toStringTag]?: unknown })[Symbol.toStringTag] === 'CryptoKey';
}

/** The key as node:crypto sees it, if jose would use it for this alg (its checkCryptoKey and modulus checks). */
function usableKey(key: unknown, fast: FastAlg): KeyObject | undefined {
  if (!isCryptoKey(key)) return undefined;
  if (key.type !== 'public' || !key.usages.includes('verify')) return undefined;
  const algorithm = key.algorithm as { name?: unknown; hash?: { name?: unknown }; namedCurve?: unknown; modulusLength?: unknown };
  if (algorithm.name !== fast.name) return undefined;
  if (fast.name === 'ECDSA') {
    if (algorithm.namedCurve !== fast.namedCurve) return undefined;
  } else {
    if (algorithm.hash?.name !== fast.hash) return undefined;
    if (typeof algorithm.modulusLength !== 'number' || algorithm.modulusLength < 2048) return undefined;
  }
  let keyObject = keyObjects.get(key);
  if (keyObject === undefined) {
    keyObject = KeyObject.from(key);
    keyObjects.set(key, keyObject);
  }
  return keyObject;
}
