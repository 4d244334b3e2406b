/**
 * The claim checks that decide the outcome for a token whose signature is valid: issuer, audience,
 * then time claims. The same function runs after jose's verification and on a cache hit, so both
 * paths answer alike. Also: copying claims into null-prototype, frozen objects.
 */
import { MESSAGES, StsError, toStsError } from '../protocol/errors.js';
import { invalidToken } from './jose-errors.js';
import { AudienceMismatch, refusedBy } from './refusal.js';
import { checkTimeClaims, epochSeconds } from './time-claims.js';
import type { OidcProvider, VerifiedToken } from './types.js';

/** Checks iss, aud, exp/nbf/iat at `nowSeconds`; returns the `aud` value that matched the ClientIDList. */
export function checkClaims(claims: Readonly<Record<string, unknown>>, provider: OidcProvider, nowSeconds: number): string {
  checkIssuer(claims, provider);
  const audience = matchAudience(claims, provider.clientIdList);
  checkTimeClaims(claims, nowSeconds);
  return audience;
}

function checkIssuer(claims: Readonly<Record<string, unknown>>, provider: OidcProvider): void {
  const iss = Object.hasOwn(claims, 'iss') ? claims['iss'] : undefined;
  if (iss !== provider.url) {
    throw new StsError('InvalidIdentityToken', MESSAGES.noProvider(typeof iss === 'string' ? iss : String(JSON.stringify(iss))), {
      reason: 'iss does not match the provider',
    });
  }
}

/**
 * Claims the emulated issuer of `provider` would sign, accepted in-process (`test`, `explain`) as the verifier accepts
 * a signed token's claims: the same depth limit, the same frozen copy and the same checks (iss, aud, times). A
 * refusal carries the provider, as the verifier's does.
 */
export function acceptClaims(provider: OidcProvider, values: Readonly<Record<string, unknown>>, now: Date): VerifiedToken {
  checkClaimDepth(values);
  const claims = toFrozenRecord(values);
  checkIssuer(claims, provider); // before a provider is matched: no provider in the refusal, as the verifier's unknown iss
  try {
    const audience = checkClaims(claims, provider, epochSeconds(now));
    return { provider, claims, header: ACCEPTED_HEADER, audience };
  } catch (err) {
    throw refusedBy(toStsError(err), provider);
  }
}

/** The header the emulated issuers sign with (signToken adds the key's kid). */
const ACCEPTED_HEADER: Readonly<Record<string, unknown>> = Object.freeze({ alg: 'RS256', typ: 'JWT' });

/**
 * `aud` (a string, or an array of which one element must match) against the ClientIDList. With several
 * matches the first in the token's order is returned (which one AWS echoes is UNVERIFIED, sts.md §4).
 */
export function matchAudience(claims: Readonly<Record<string, unknown>>, clientIdList: readonly string[]): string {
  if (!Object.hasOwn(claims, 'aud')) {
    throw new StsError('InvalidIdentityToken', MESSAGES.missingAud, { reason: 'the token has no aud claim' });
  }
  const aud = claims['aud'];
  const candidates: readonly unknown[] = Array.isArray(aud) ? aud : [aud];
  for (const value of candidates) {
    if (typeof value === 'string' && clientIdList.includes(value)) return value;
  }
  const shown = candidates.slice(0, 5).map((v) => truncate(typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v))));
  throw new StsError('InvalidIdentityToken', MESSAGES.incorrectAudience, {
    reason: `aud ${truncate(JSON.stringify(aud) ?? String(aud))} is not in the ClientIDList ${truncate(JSON.stringify(clientIdList))}`,
    detail: new AudienceMismatch(shown),
  });
}

/**
 * A frozen, null-prototype copy of a parsed JSON object: own enumerable properties only, so
 * `__proto__` or `constructor` are plain data. Nested values are frozen in place (iteratively, so
 * deeply nested claims cannot overflow the stack).
 */
export function toFrozenRecord(source: object): Readonly<Record<string, unknown>> {
  // Object.assign onto a null-prototype object: a "__proto__" key becomes an own data property (no setter to hit).
  const out = Object.assign(Object.create(null) as Record<string, unknown>, source);
  deepFreeze(out);
  return out;
}

function deepFreeze(root: object): void {
  const stack: object[] = [root];
  while (stack.length > 0) {
    const obj = stack.pop() as object;
    if (Object.isFrozen(obj)) continue;
    Object.freeze(obj);
    for (const key of Object.keys(obj)) {
      const value: unknown = (obj as Record<string, unknown>)[key];
      if (typeof value === 'object' && value !== null) stack.push(value);
    }
  }
}

/** Deeper than any real token's claims (session tags nest three levels): refused before anything walks them. */
export const MAX_CLAIM_DEPTH = 32;

/** Throws InvalidIdentityToken when a parsed header or payload nests objects or arrays deeper than MAX_CLAIM_DEPTH. */
export function checkClaimDepth(value: unknown, what = 'claims'): void {
  if (nestedDeeperThan(value, MAX_CLAIM_DEPTH)) {
    throw invalidToken(`the token's ${what} nest objects or arrays more than ${MAX_CLAIM_DEPTH} levels deep`);
  }
}

/** Whether a JSON value nests objects or arrays more than `max` levels deep; iterative, so any depth is safe to ask about. */
export function nestedDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= max) return true;
    for (const key of Object.keys(v)) stack.push([(v as Record<string, unknown>)[key], depth + 1]);
  }
  return false;
}

function truncate(s: string): string {
  return s.length > 200 ? `${s.slice(0, 200)}...` : s;
}
