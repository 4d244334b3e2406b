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
// jose by subpath: the root module loads all of JWE/JWS/JWK at start. Types from the root (erased).
import type { JWTVerifyOptions } from 'jose';
import { decodeProtectedHeader } from 'jose/decode/protected_header';
import * as errors from 'jose/errors';
import { decodeJwt } from 'jose/jwt/decode';
import { jwtVerify } from 'jose/jwt/verify';
import { MESSAGES, StsError, toStsError } from '../protocol/errors.js';
import { CONSTRAINT, codePointsAgainst, REDACTED, validationError, WEB_IDENTITY_TOKEN_LENGTH } from '../protocol/validation.js';
import { createBoundedFetch } from './bounded-fetch.js';
import { checkClaimDepth, checkClaims, toFrozenRecord } from './claims.js';
import { invalidToken, mapVerificationError } from './jose-errors.js';
import { createKeyResolver, type KeyResolver, type KeySetOptions } from './key-sets.js';
import { decodeCompact, verifyCompact, type CompactParts } from './native-jws.js';
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
  /**
   * After a failed discovery or JWKS fetch, how long no fetch is made (requests get that failure at once); and
   * how often a kid missing from the cached set may trigger a refresh (default 30000 ms).
   */
  readonly cooldownMs?: number;
  /**
   * How long a fetched JWKS or discovery document is used before it is fetched again (default 600000 ms). Past it,
   * the cached one still answers while the refresh runs in the background.
   */
  readonly cacheMaxAgeMs?: number;
  /**
   * How long after its last successful fetch a JWKS (or discovery document) is still used while every refresh
   * fails (default 86400000 ms, 24 h).
   */
  readonly staleMs?: number;
  /** The clock of the key caches (cache age, cooldown, stale bound) in epoch milliseconds (default Date.now). */
  readonly clock?: () => number;
  /** Largest discovery or JWKS body accepted (default 1 MiB). */
  readonly maxResponseBytes?: number;
  /**
   * The cache of verified signatures (default on: 1,000 tokens, 2 Mi characters); false turns it off. Small on
   * purpose: a miss is one signature check, while every entry holds a token and its claims on the heap.
   * A token is stored on its second verification (TokenCache's `secondSight`), so tokens sent once do not churn it.
   */
  readonly claimsCache?: false | { readonly maxEntries?: number; readonly maxChars?: number };
  /**
   * Check signatures natively (node:crypto, native-jws.ts `verifyCompact`) before jose (default true). It only ever
   * accepts: any token it does not accept is verified by jose, which decides.
   */
  readonly fastSignatures?: boolean;
  /**
   * When a native signature check is handed to libuv's thread pool: `start` at once (the default), or later. The
   * server queues them to the end of the event loop's turn (src/server/turn-batch.ts), so that the checks of one
   * turn reach the pool together instead of waking a pool thread each. `start` never throws.
   */
  readonly schedule?: (start: () => void) => void;
}

interface Registered {
  readonly provider: OidcProvider;
  readonly keys: KeyResolver;
}

/** Builds a verifier for `providers`; key sets are created once here and shared by all verifications. */
export function createTokenVerifier(providers: readonly OidcProvider[], options: TokenVerifierOptions = {}): TokenVerifier {
  const timeoutMs = integerOption('timeoutMs', options.timeoutMs, 5000);
  const cooldownMs = integerOption('cooldownMs', options.cooldownMs, 30_000);
  const cacheMaxAgeMs = integerOption('cacheMaxAgeMs', options.cacheMaxAgeMs, 600_000);
  const staleMs = integerOption('staleMs', options.staleMs, 24 * 60 * 60 * 1000);
  if (options.clock !== undefined && typeof options.clock !== 'function')
    throw new TypeError('createTokenVerifier: clock must be a function');
  const clock = options.clock ?? Date.now;
  const maxResponseBytes = integerOption('maxResponseBytes', options.maxResponseBytes, 1024 * 1024);
  const boundedFetch = createBoundedFetch({
    fetch: options.fetch ?? globalThis.fetch,
    timeoutMs,
    maxResponseBytes,
  });
  const keySetOptions: KeySetOptions = { fetch: boundedFetch, schedule: { clock, maxAgeMs: cacheMaxAgeMs, staleMs, cooldownMs } };

  // Exact-string lookup: a Map, so no prototype keys and no URL normalisation. The first registration wins.
  const byUrl = new Map<string, Registered>();
  for (const provider of providers) {
    if (!byUrl.has(provider.url)) byUrl.set(provider.url, { provider, keys: createKeyResolver(provider, keySetOptions) });
  }

  const fastSignatures = options.fastSignatures ?? true;
  const schedule = options.schedule; // undefined: verifyCompact starts each check at once
  const cacheOption = options.claimsCache;
  const cache =
    cacheOption === false
      ? undefined
      : new TokenCache({
          maxEntries: cacheOption?.maxEntries ?? 1_000,
          maxChars: cacheOption?.maxChars ?? 2 * 1024 * 1024,
          maxAgeMs: cacheMaxAgeMs,
          clock,
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
    // A hit stands only while its provider's keys are the ones that verified it (a rotation may have removed them).
    if (hit !== undefined && hit.keyGeneration === byUrl.get(hit.provider.url)?.keys.generation()) {
      matched.provider = hit.provider;
      const audience = checkClaims(hit.claims, hit.provider, nowSeconds);
      return { provider: hit.provider, claims: hit.claims, header: hit.header, audience };
    }

    const { header, payload, parts } = decodeUntrusted(token);
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

    const { provider, keys } = registered;
    const { getKey } = keys;
    const keyGeneration = keys.generation();
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
      const native = fastSignatures && parts !== undefined ? await verifyCompact(token, parts, getKey, schedule) : undefined;
      result =
        native !== undefined ? { payload: native.payload, protectedHeader: native.header } : await jwtVerify(token, getKey, verifyOptions);
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
    cache?.set(token, { provider, header: verifiedHeader, claims, keyGeneration });
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

interface Untrusted {
  readonly header: Record<string, unknown>;
  readonly payload: Record<string, unknown>;
  /** Set when decoded natively: then the native signature check may judge the token. */
  readonly parts: CompactParts | undefined;
}

/** Header and payload as jose parses them, before any trust: for routing to a provider only. */
function decodeUntrusted(token: string): Untrusted {
  const decoded = decodeEither(token);
  checkClaimDepth(decoded.header, 'header');
  checkClaimDepth(decoded.payload);
  return decoded;
}

function decodeEither(token: string): Untrusted {
  const parts = decodeCompact(token);
  if (parts !== undefined) return { header: parts.header, payload: parts.payload, parts };
  try {
    const payload = decodeJwt(token) as Record<string, unknown>;
    const header = decodeProtectedHeader(token) as Record<string, unknown>;
    // Every token jose accepts in compact form is decoded natively: what is left is jose's to verify in full.
    return { header, payload, parts: undefined };
  } catch (err) {
    throw invalidToken(`the token is not a compact JWS JWT (${err instanceof Error ? err.message : 'decode failed'})`, err);
  }
}
