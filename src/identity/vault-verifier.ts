/**
 * The signature step of Vault's JWT login (hashicorp/cap v0.13.0 jwt.Validator with the mount's key set, before any
 * claim is compared): the token must be a compact JWS; with `jwt_validation_pubkeys` every configured key is tried
 * (the `kid` is ignored, as cap's static key set does); with `jwks_url` or `oidc_discovery_url` (the emulator's own
 * keys when that URL is an emulated issuer's) the key is the JWKS key of the token's `kid`, as go-oidc's remote key
 * set picks it. The algorithm and every claim are checked afterwards by vault/decide.ts (Vault's order). Refusals are
 * VaultErrors with Vault's texts; a failure of the emulator's own key file is thrown (a 500).
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import * as errors from 'jose/errors';
import { compactVerify } from 'jose/jws/compact/verify';
import { VAULT_TEXTS, vaultError, type VaultError } from '../protocol/vault-errors.js';
import { DiscoveryError } from './discovery.js';
import { KeySourceError } from './jose-errors.js';
import { keyResolverCache, type KeyResolver } from './key-sets.js';
import { decodeCompact } from './native-jws.js';
import type { KeySource } from './types.js';

/** Every algorithm a Vault key set can verify (jwt_supported_algs is checked after the signature, as cap does). */
const SIGNING_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512', 'EdDSA'];

/** A mount's keys, as config/vault.ts gives them. */
export type VaultKeySource =
  | { readonly field: 'oidc_discovery_url' | 'jwks_url'; readonly url: string; readonly source: KeySource }
  | { readonly field: 'jwt_validation_pubkeys'; readonly pems: readonly string[] };

export interface VaultIssuer {
  /** Names the mount's key cache (e.g. the mount's config file). */
  readonly name: string;
  readonly keys: VaultKeySource;
}

export interface VaultVerifiedToken {
  readonly claims: Readonly<Record<string, unknown>>;
  readonly header: Readonly<Record<string, unknown>>;
}

export interface VaultTokenVerifier {
  /** Resolves with the payload and header, or rejects with a VaultError (400) in Vault's words. */
  verify(token: string, issuer: VaultIssuer): Promise<VaultVerifiedToken>;
}

export interface VaultVerifierOptions {
  readonly fetch?: typeof fetch;
  readonly timeoutMs?: number;
  readonly clock?: () => number;
}

/** Key sets are made once per mount and kept for the verifier's life (one runtime). */
export function createVaultTokenVerifier(options: VaultVerifierOptions = {}): VaultTokenVerifier {
  const resolvers = keyResolverCache(options);
  const staticKeys = new Map<string, KeyObject[]>();
  const resolverOf = (issuer: VaultIssuer, keys: Extract<VaultKeySource, { url: string }>): KeyResolver =>
    resolvers({ name: issuer.name, url: keys.url, keys: keys.source, file: issuer.name });

  return {
    async verify(token, issuer) {
      const { keys } = issuer;
      const remote = keys.field !== 'jwt_validation_pubkeys';
      const parts = decodeCompact(token.trim());
      if (parts === undefined) {
        const detail =
          token.split('.').length !== 3 ? 'go-jose/go-jose: compact JWS format must have three parts' : 'the token does not decode';
        throw vaultError(VAULT_TEXTS.malformed(remote ? `oidc: malformed jwt: ${detail}` : detail), 'the token is not a compact JWS JWT');
      }
      const { header, payload } = parts;
      const alg = typeof header['alg'] === 'string' ? header['alg'] : '';
      if (!remote) {
        let pems = staticKeys.get(issuer.name);
        if (pems === undefined) {
          pems = keys.pems.map((pem) => createPublicKey(pem));
          staticKeys.set(issuer.name, pems);
        }
        for (const key of pems) {
          try {
            await compactVerify(token.trim(), key, { algorithms: SIGNING_ALGORITHMS });
            return { claims: Object.freeze({ ...payload }), header: Object.freeze({ ...header }) };
          } catch {
            // the next key
          }
        }
        throw vaultError(VAULT_TEXTS.staticSignature, `no key of jwt_validation_pubkeys verifies the ${alg || 'unsigned'} signature`);
      }
      if (!SIGNING_ALGORITHMS.includes(alg))
        throw vaultError(
          VAULT_TEXTS.malformed(`oidc: malformed jwt: go-jose/go-jose: unexpected signature algorithm ${JSON.stringify(alg)}`),
          `alg ${JSON.stringify(alg)} is not an asymmetric algorithm go-oidc accepts`,
        );
      const { getKey } = resolverOf(issuer, keys);
      let candidates: Awaited<ReturnType<typeof getKey>>[];
      try {
        candidates = [await getKey(header as never, { payload: '', signature: '' } as never)];
      } catch (err) {
        candidates = await keyFailure(err, keys.url);
      }
      for (const key of candidates) {
        try {
          await compactVerify(token.trim(), key, { algorithms: SIGNING_ALGORITHMS });
          return { claims: Object.freeze({ ...payload }), header: Object.freeze({ ...header }) };
        } catch {
          // the next key
        }
      }
      throw vaultError(
        VAULT_TEXTS.remoteSignature,
        candidates.length === 0
          ? `no key of ${keys.url} has kid ${JSON.stringify(header['kid']) ?? '(none)'} for ${alg}`
          : `the signature does not verify with the key of kid ${JSON.stringify(header['kid']) ?? '(none)'}`,
      );
    },
  };
}

/** What a key lookup failure means for Vault: no key (the signature fails), several (try each), or an unreachable set. */
async function keyFailure(err: unknown, url: string): Promise<KeyObject[] | never> {
  const cause = err instanceof KeySourceError ? err.cause : err;
  if (cause instanceof errors.JWKSNoMatchingKey) return [];
  if (cause instanceof errors.JWKSMultipleMatchingKeys) {
    const keys: KeyObject[] = [];
    for await (const k of cause as unknown as AsyncIterable<KeyObject>) keys.push(k);
    return keys;
  }
  if (err instanceof KeySourceError && err.internal) throw err;
  throw unreachable(err, url);
}

function unreachable(err: unknown, url: string): VaultError {
  let c: unknown = err;
  while (c instanceof Error && !(c instanceof DiscoveryError) && c.cause !== undefined) c = c.cause;
  if (c instanceof DiscoveryError)
    return vaultError(VAULT_TEXTS.keysetConfiguration(c.message), `OIDC discovery at ${url} failed: ${c.message}`);
  const why = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
  return vaultError(VAULT_TEXTS.keysUnavailable(`: ${why}`), `the JWKS of ${url} could not be fetched: ${why}`);
}
