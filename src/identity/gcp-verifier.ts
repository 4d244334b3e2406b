/**
 * Verifies a subject token as Google's STS does for a workload identity pool provider (shared/reference/gcp-wif.md
 * §1.3, §1.4, measured on real STS): RS256 or ES256 only and a `kid` required; the key from the provider's keys
 * (jwksJson, the emulated issuer, or discovery); then the signature, `iss` (equal to issuerUri), `aud` (one of the
 * accepted audiences), and the times with a 60-second skew (`exp` and `iat` required, `iat` not in the future, `exp`
 * not past). No maximum lifetime (real STS accepted an 11-year token). Every refusal is a GcpError in Google's words.
 */
import * as errors from 'jose/errors';
import { compactVerify } from 'jose/jws/compact/verify';
import { GCP_TEXTS, GcpError, oauthError } from '../protocol/gcp-errors.js';
import { KeySourceError } from './jose-errors.js';
import { keyResolverCache, type KeyResolver } from './key-sets.js';
import { decodeCompact } from './native-jws.js';
import type { KeySource } from './types.js';

/** Google's clock skew on `iat` and `exp` (MEAS §2: +60 s accepted, +119 s refused; −59 s accepted, −61 s refused). */
export const GCP_CLOCK_SKEW_SECONDS = 60;
export const GCP_ALGORITHMS: readonly string[] = Object.freeze(['RS256', 'ES256']);

/** What the verifier needs of a pool provider. */
export interface GcpIssuer {
  /** The provider's full name (projects/.../providers/...): its keys are kept under it. */
  readonly name: string;
  readonly issuerUri: string;
  readonly keys: KeySource;
  /** The audiences it accepts (allowedAudiences, or the two defaults). */
  readonly audiences: readonly string[];
}

export interface GcpVerifiedToken {
  readonly claims: Readonly<Record<string, unknown>>;
  readonly header: Readonly<Record<string, unknown>>;
}

export interface GcpTokenVerifier {
  /** Resolves with the token's claims, or rejects with a GcpError (invalid_grant) only. */
  verify(token: string, issuer: GcpIssuer, now: Date): Promise<GcpVerifiedToken>;
}

export interface GcpVerifierOptions {
  readonly fetch?: typeof fetch;
  readonly timeoutMs?: number;
  readonly clock?: () => number;
}

const grant = (text: string, reason: string): GcpError => oauthError('invalid_grant', text, reason);

/** Key sets are made once per provider name and kept for the verifier's life (one runtime). */
export function createGcpTokenVerifier(options: GcpVerifierOptions = {}): GcpTokenVerifier {
  const resolvers = keyResolverCache(options);
  const resolverOf = (issuer: GcpIssuer): KeyResolver =>
    resolvers({ name: issuer.name, url: issuer.issuerUri, keys: issuer.keys, file: '' });

  return {
    async verify(token, issuer, now) {
      const parts = decodeCompact(token);
      if (parts === undefined) throw oauthError('invalid_grant', GCP_TEXTS.unparsable, 'the subject token is not a compact JWS JWT');
      const { header } = parts;
      const alg = header['alg'];
      if (typeof alg !== 'string' || !GCP_ALGORITHMS.includes(alg)) {
        throw grant(GCP_TEXTS.badSignature, `alg ${JSON.stringify(alg) ?? 'undefined'} is not RS256 or ES256`);
      }
      if (typeof header['kid'] !== 'string' || header['kid'] === '') {
        throw grant(GCP_TEXTS.issuerUnreachable, 'the token header has no kid (Google requires one)');
      }
      const { getKey } = resolverOf(issuer);
      let key: Awaited<ReturnType<typeof getKey>>;
      try {
        key = await getKey(header as never, { payload: '', signature: '' } as never);
      } catch (err) {
        const why =
          err instanceof errors.JWKSNoMatchingKey
            ? `no key of ${issuer.issuerUri} has kid ${String(header['kid'])} for ${alg}`
            : err instanceof KeySourceError
              ? `the keys of ${issuer.issuerUri} could not be obtained (${err.message})`
              : `key selection failed: ${err instanceof Error ? err.message : String(err)}`;
        throw grant(GCP_TEXTS.issuerUnreachable, why);
      }
      try {
        await compactVerify(token, key, { algorithms: [...GCP_ALGORITHMS] });
      } catch (err) {
        throw grant(
          GCP_TEXTS.badSignature,
          `the signature does not verify with key ${String(header['kid'])} (${err instanceof Error ? err.message : 'failed'})`,
        );
      }
      const claims = parts.payload;
      const iss = Object.hasOwn(claims, 'iss') ? claims['iss'] : undefined;
      if (iss !== issuer.issuerUri) {
        throw grant(
          GCP_TEXTS.issuer(iss, issuer.issuerUri),
          `iss ${JSON.stringify(iss) ?? 'missing'} is not the provider's issuerUri ${issuer.issuerUri}`,
        );
      }
      const aud = Object.hasOwn(claims, 'aud') ? claims['aud'] : undefined;
      const auds = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : [];
      if (!auds.some((a) => typeof a === 'string' && issuer.audiences.includes(a))) {
        throw grant(GCP_TEXTS.audience(aud), `aud ${JSON.stringify(aud) ?? 'missing'} is none of ${issuer.audiences.join(', ')}`);
      }
      const nowSeconds = Math.floor(now.getTime() / 1000);
      const iat = Object.hasOwn(claims, 'iat') ? claims['iat'] : undefined;
      const exp = Object.hasOwn(claims, 'exp') ? claims['exp'] : undefined;
      const stale = (why: string): GcpError => grant(GCP_TEXTS.stale(typeof iat === 'number' ? iat : undefined), why);
      if (typeof exp !== 'number' || !Number.isFinite(exp)) throw stale('the token has no numeric exp');
      if (typeof iat !== 'number' || !Number.isFinite(iat)) throw stale('the token has no numeric iat');
      if (exp < nowSeconds - GCP_CLOCK_SKEW_SECONDS)
        throw stale(`exp ${exp} is more than ${GCP_CLOCK_SKEW_SECONDS} s before now (${nowSeconds})`);
      if (iat > nowSeconds + GCP_CLOCK_SKEW_SECONDS)
        throw stale(`iat ${iat} is more than ${GCP_CLOCK_SKEW_SECONDS} s after now (${nowSeconds})`);
      return { claims: Object.freeze({ ...claims }), header: Object.freeze({ ...header }) };
    },
  };
}
