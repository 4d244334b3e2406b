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
import { decodeJwt, decodeProtectedHeader, jwtVerify, errors, type JWTVerifyGetKey } from 'jose';
import { MESSAGES, StsError, toStsError } from '../protocol/errors.js';
import { CONSTRAINT, validationError } from '../protocol/validation.js';
import { createBoundedFetch } from './bounded-fetch.js';
import { checkClaims, toFrozenRecord } from './claims.js';
import { invalidToken, mapVerificationError } from './jose-errors.js';
import { createKeyResolver } from './key-sets.js';
import { CLOCK_SKEW_SECONDS, epochSeconds } from './time-claims.js';
import { TokenCache } from './token-cache.js';
import type { OidcProvider, TokenVerifier, VerifiedToken } from './types.js';

/** "Tokens must be signed using either RSA keys (RS256, RS384, or RS512) or ECDSA keys (ES256, ES384, or ES512)." */
export const ALLOWED_ALGORITHMS: readonly string[] = Object.freeze(['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512']);

/** clientTokenType: min 4, max 20000 (sts.md §3). */
export const TOKEN_MIN_LENGTH = 4;
export const TOKEN_MAX_LENGTH = 20000;

/** How the token appears in validation messages: never echoed (the same text as sts/params.ts). */
const REDACTED = '*** Sensitive Data Redacted ***';

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
  /** The cache of verified signatures (default on: 10,000 tokens, 16 Mi characters); false turns it off. */
  readonly claimsCache?: false | { readonly maxEntries?: number; readonly maxChars?: number };
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

  const cacheOption = options.claimsCache;
  const cache =
    cacheOption === false
      ? undefined
      : new TokenCache({
          maxEntries: cacheOption?.maxEntries ?? 10_000,
          maxChars: cacheOption?.maxChars ?? 16 * 1024 * 1024,
          maxAgeMs: cacheMaxAgeMs,
        });

  async function verify(token: string, now: Date): Promise<VerifiedToken> {
    checkLength(token);
    if (!(now instanceof Date) || Number.isNaN(now.getTime())) {
      throw new StsError('InternalFailure', MESSAGES.internalFailure, { reason: 'verify() was given an invalid date' });
    }
    const nowSeconds = epochSeconds(now);

    const hit = cache?.get(token);
    if (hit !== undefined) {
      const audience = checkClaims(hit.claims, hit.provider, nowSeconds);
      return { provider: hit.provider, claims: hit.claims, header: hit.header, audience };
    }

    const { header, payload } = decodeUntrusted(token);
    const iss = Object.hasOwn(payload, 'iss') ? payload['iss'] : undefined;
    if (typeof iss !== 'string') throw invalidToken(iss === undefined ? 'the token has no iss claim' : 'iss is not a string');
    const registered = byUrl.get(iss);
    if (registered === undefined) {
      throw new StsError('InvalidIdentityToken', MESSAGES.noProvider(iss), { reason: 'no registered provider has this exact URL' });
    }
    const alg = Object.hasOwn(header, 'alg') ? header['alg'] : undefined;
    if (typeof alg !== 'string' || !ALLOWED_ALGORITHMS.includes(alg)) {
      throw invalidToken(`alg ${JSON.stringify(alg) ?? 'undefined'} is not one of ${ALLOWED_ALGORITHMS.join(', ')}`);
    }

    const { provider, getKey } = registered;
    let result: Awaited<ReturnType<typeof jwtVerify>>;
    try {
      result = await jwtVerify(token, getKey, {
        algorithms: [...ALLOWED_ALGORITHMS],
        issuer: provider.url,
        audience: [...provider.clientIdList],
        requiredClaims: ['exp'],
        clockTolerance: CLOCK_SKEW_SECONDS,
        currentDate: now,
      });
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
      try {
        return await verify(token, now);
      } catch (err) {
        throw toStsError(err); // anything not already an StsError is a bug: InternalFailure
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
  const n = codePoints(token); // as AWS counts model lengths
  if (n < TOKEN_MIN_LENGTH) {
    throw validationError([{ field: 'webIdentityToken', constraint: CONSTRAINT.minLength(TOKEN_MIN_LENGTH), value: REDACTED }]);
  }
  if (n > TOKEN_MAX_LENGTH) {
    throw validationError([{ field: 'webIdentityToken', constraint: CONSTRAINT.maxLength(TOKEN_MAX_LENGTH), value: REDACTED }]);
  }
}

function codePoints(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

/** Header and payload as jose parses them, before any trust: for routing to a provider only. */
function decodeUntrusted(token: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  try {
    const payload = decodeJwt(token) as Record<string, unknown>;
    const header = decodeProtectedHeader(token) as Record<string, unknown>;
    return { header, payload };
  } catch (err) {
    throw invalidToken(`the token is not a compact JWS JWT (${err instanceof Error ? err.message : 'decode failed'})`, err);
  }
}
