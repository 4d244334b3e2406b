/**
 * Verifies a token as Infisical's OIDC auth login does before its bound fields (shared/reference/infisical-vault.md
 * §1.2 steps 2 to 4, §1.5; Infisical/infisical `identity-oidc-auth-service.ts` @02cead17), in its order:
 *   2  discovery: GET `<oidcDiscoveryUrl>/.well-known/openid-configuration` (the URL as written, no issuer check on
 *      the document), then its `jwks_uri` (skipped for an emulated issuer: the emulator holds its key);
 *   3  the compact form decodes (jws's pattern, a JSON header), else `Invalid JWT`;
 *   4  with a `kid`: that key of the JWKS (jwks-rsa: signing keys are those with `use` sig or none), then
 *      jsonwebtoken v9's checks with the issuer option; without: every key (at most 10) until one verifies.
 * jsonwebtoken's checks: the algorithm family of the key (RSA: RS/PS, EC: ES), the signature, `nbf` and `exp` with
 * no leeway (each only when present: a token without `exp` never expires), then `iss` equal to boundIssuer. Every
 * refusal is an InfisicalError in Infisical's words; the JWKS is fetched on every login, as Infisical's per-login
 * JwksClient does. Keys are only looked up from the configured URL or the emulated key: never from the token.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { compactVerify } from 'jose/jws/compact/verify';
import { INFISICAL_TEXTS, InfisicalError, JSONWEBTOKEN_TEXTS, unauthorized } from '../protocol/index.js';
import { allowedFetchUrl, createBoundedFetch, type BoundedFetch } from './bounded-fetch.js';
import { loadOrCreateSigningKey, publicJwks } from './emulated.js';
import type { KeySource } from './types.js';

/** What the verifier needs of an identity's OIDC auth. */
export interface InfisicalIssuer {
  readonly oidcDiscoveryUrl: string;
  readonly boundIssuer: string;
  readonly keys: KeySource;
}

export interface InfisicalVerifiedToken {
  readonly claims: Readonly<Record<string, unknown>>;
  readonly header: Readonly<Record<string, unknown>>;
  /** How the key was found, for the trace: `kid <kid>` or `key <i> of <n> (no kid)`. */
  readonly key: string;
}

export interface InfisicalTokenVerifier {
  /** Resolves with the token's claims, or rejects with an InfisicalError only. */
  verify(token: string, issuer: InfisicalIssuer, now: Date): Promise<InfisicalVerifiedToken>;
}

export interface InfisicalVerifierOptions {
  readonly fetch?: typeof fetch;
  readonly timeoutMs?: number;
}

/** Infisical's limit on keys tried for a token without `kid`. */
export const INFISICAL_MAX_KEYS_TO_TRY = 10;
const RSA_ALGS = ['RS256', 'PS256', 'RS384', 'PS384', 'RS512', 'PS512'];
const EC_ALGS = ['ES256', 'ES384', 'ES512'];
/** jws's isValidJws: two non-empty segments and a possibly empty signature. */
const JWS = /^[a-zA-Z0-9\-_]+?\.[a-zA-Z0-9\-_]+?\.([a-zA-Z0-9\-_]+)?$/;

/** A jsonwebtoken refusal (JsonWebTokenError and its subclasses): Infisical prefixes it with "Access denied: ". */
class JwtRefusal extends Error {}

export function createInfisicalTokenVerifier(options: InfisicalVerifierOptions = {}): InfisicalTokenVerifier {
  const fetchImpl = createBoundedFetch({
    fetch: options.fetch ?? globalThis.fetch,
    timeoutMs: options.timeoutMs ?? 5000,
    maxResponseBytes: 1024 * 1024,
  });
  const emulatedKeys = new Map<string, Promise<readonly Record<string, unknown>[]>>();
  const emulatedSet = (file: string): Promise<readonly Record<string, unknown>[]> => {
    let p = emulatedKeys.get(file);
    if (p === undefined) {
      p = loadOrCreateSigningKey(file).then((k) => publicJwks(k).keys);
      p.catch(() => emulatedKeys.delete(file));
      emulatedKeys.set(file, p);
    }
    return p;
  };

  return {
    async verify(token, issuer, now) {
      // 2: discovery (Infisical fetches it on every login; an emulated issuer is the emulator itself).
      let jwks: () => Promise<readonly Record<string, unknown>[]>;
      if (issuer.keys.kind === 'emulated') {
        const file = issuer.keys.privateKeyFile;
        jwks = () => emulatedSet(file);
      } else {
        const jwksUri = await discover(issuer.oidcDiscoveryUrl, fetchImpl);
        jwks = () => fetchJwks(jwksUri, fetchImpl);
      }
      // 3: decode.
      const decoded = decode(token);
      if (decoded === undefined) throw unauthorized(INFISICAL_TEXTS.invalidJwt, 'the token is not a compact JWS with a JSON header');
      const kid = decoded.header['kid'];
      // 4a/4b: a kid names the key.
      if (kid !== undefined && kid !== null && kid !== '' && kid !== 0 && kid !== false) {
        let keys: readonly Record<string, unknown>[];
        try {
          keys = signingKeys(await jwks());
        } catch (err) {
          const why = messageOf(err);
          throw unauthorized(INFISICAL_TEXTS.keyRetrieval(why), `the JWKS could not be fetched (${why})`);
        }
        const jwk = keys.find((k) => k['kid'] === kid);
        if (jwk === undefined)
          throw unauthorized(INFISICAL_TEXTS.kidNotFound(String(kid)), `no signing key of the JWKS has kid ${JSON.stringify(kid)}`);
        try {
          const claims = await jsonwebtokenVerify(token, decoded, keyOf(jwk), issuer.boundIssuer, now);
          return { claims, header: decoded.header, key: `kid ${String(kid)}` };
        } catch (err) {
          if (err instanceof JwtRefusal)
            throw unauthorized(INFISICAL_TEXTS.jwt(err.message), `jsonwebtoken refused the token: ${err.message}`);
          throw err;
        }
      }
      // 4c: no kid: every key, at most ten.
      let keys: readonly Record<string, unknown>[];
      try {
        keys = signingKeys(await jwks());
      } catch (err) {
        const why = messageOf(err);
        throw unauthorized(INFISICAL_TEXTS.keysRetrieval(why), `the JWKS could not be fetched (${why})`);
      }
      if (keys.length === 0) throw unauthorized(INFISICAL_TEXTS.noKeys, 'the JWKS has no signing key');
      if (keys.length > INFISICAL_MAX_KEYS_TO_TRY)
        throw unauthorized(INFISICAL_TEXTS.tooManyKeys(keys.length), `the token has no kid and the JWKS has ${keys.length} signing keys`);
      let last: string | undefined;
      for (const [i, jwk] of keys.entries()) {
        try {
          const claims = await jsonwebtokenVerify(token, decoded, keyOf(jwk), issuer.boundIssuer, now);
          return { claims, header: decoded.header, key: `key ${i + 1} of ${keys.length} (no kid)` };
        } catch (err) {
          if (!(err instanceof JwtRefusal)) throw err;
          last = err.message;
        }
      }
      throw unauthorized(
        INFISICAL_TEXTS.anyKey(last ?? 'Invalid token'),
        `the token has no kid and none of the ${keys.length} keys verifies it (the last said: ${last ?? 'nothing'})`,
      );
    },
  };
}

/** The discovery document's jwks_uri, or Infisical's 401. */
async function discover(oidcDiscoveryUrl: string, fetchImpl: BoundedFetch): Promise<string> {
  const target = `${oidcDiscoveryUrl}/.well-known/openid-configuration`;
  const failed = (why: string): InfisicalError =>
    unauthorized(INFISICAL_TEXTS.discoveryFailed(oidcDiscoveryUrl, why), `GET ${target} failed: ${why}`);
  if (allowedFetchUrl(target) === undefined) throw failed('The emulator fetches discovery documents over https only (or http on loopback)');
  let response: Response;
  try {
    response = await fetchImpl(target, { headers: { accept: 'application/json, text/plain, */*' } });
  } catch (err) {
    throw failed(messageOf(err));
  }
  // axios: any status outside 2xx rejects with this message.
  if (response.status < 200 || response.status > 299) throw failed(`Request failed with status code ${response.status}`);
  let doc: unknown;
  try {
    doc = JSON.parse(await response.text());
  } catch {
    doc = undefined; // axios leaves a body that is not JSON as a string: it has no jwks_uri
  }
  const jwksUri =
    typeof doc === 'object' && doc !== null && Object.hasOwn(doc, 'jwks_uri') ? (doc as Record<string, unknown>)['jwks_uri'] : undefined;
  if (typeof jwksUri !== 'string' || jwksUri === '') throw unauthorized(INFISICAL_TEXTS.noJwksUri, `${target} has no jwks_uri`);
  return jwksUri;
}

async function fetchJwks(jwksUri: string, fetchImpl: BoundedFetch): Promise<readonly Record<string, unknown>[]> {
  if (allowedFetchUrl(jwksUri) === undefined) throw new Error(`jwks_uri ${jwksUri} is not https (or http on loopback)`);
  const response = await fetchImpl(jwksUri, { headers: { accept: 'application/json' } });
  if (response.status !== 200) throw new Error(`Request failed with status code ${response.status}`);
  const set = JSON.parse(await response.text()) as unknown;
  const keys = typeof set === 'object' && set !== null ? (set as Record<string, unknown>)['keys'] : undefined;
  if (!Array.isArray(keys)) throw new Error('The JWKS endpoint did not contain any keys');
  return keys.filter((k): k is Record<string, unknown> => typeof k === 'object' && k !== null && !Array.isArray(k));
}

/** jwks-rsa's signing keys: `use` sig or absent, RSA or EC keys it can turn into a public key. */
function signingKeys(keys: readonly Record<string, unknown>[]): Record<string, unknown>[] {
  return keys.filter(
    (k) => (k['use'] === 'sig' || k['use'] === undefined) && (k['kty'] === 'RSA' || k['kty'] === 'EC') && keyOrUndefined(k) !== undefined,
  );
}

function keyOrUndefined(jwk: Record<string, unknown>): KeyObject | undefined {
  try {
    return createPublicKey({ key: jwk as never, format: 'jwk' });
  } catch {
    return undefined;
  }
}

function keyOf(jwk: Record<string, unknown>): KeyObject {
  return createPublicKey({ key: jwk as never, format: 'jwk' });
}

interface Decoded {
  readonly header: Record<string, unknown>;
  readonly payload: unknown;
  readonly signed: boolean;
}

/** jsonwebtoken.decode(token, {complete: true}): undefined where it returns null. */
function decode(token: string): Decoded | undefined {
  if (typeof token !== 'string' || !JWS.test(token)) return undefined;
  const [h = '', p = '', s = ''] = token.split('.');
  let header: unknown;
  try {
    header = JSON.parse(Buffer.from(h, 'base64').toString('binary'));
  } catch {
    return undefined;
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) return undefined;
  let payload: unknown = Buffer.from(p, 'base64').toString('utf8');
  try {
    payload = JSON.parse(payload as string);
  } catch {
    // a payload that is not JSON stays a string, as jsonwebtoken leaves it
  }
  return { header: header as Record<string, unknown>, payload, signed: s.trim() !== '' };
}

/** jsonwebtoken v9 verify(token, key, {issuer}) with Infisical's defaults: no leeway, exp and nbf only when present. */
async function jsonwebtokenVerify(
  token: string,
  decoded: Decoded,
  key: KeyObject,
  boundIssuer: string,
  now: Date,
): Promise<Readonly<Record<string, unknown>>> {
  if (!decoded.signed) throw new JwtRefusal(JSONWEBTOKEN_TEXTS.signatureRequired);
  const alg = decoded.header['alg'];
  const allowed = key.asymmetricKeyType === 'ec' ? EC_ALGS : RSA_ALGS;
  if (typeof alg !== 'string' || !allowed.includes(alg)) throw new JwtRefusal(JSONWEBTOKEN_TEXTS.invalidAlgorithm);
  try {
    await compactVerify(token, key, { algorithms: [alg] });
  } catch {
    throw new JwtRefusal(JSONWEBTOKEN_TEXTS.invalidSignature);
  }
  const payload = typeof decoded.payload === 'object' && decoded.payload !== null ? (decoded.payload as Record<string, unknown>) : {};
  const refusal = infisicalClaimChecks(payload, boundIssuer, now);
  if (refusal !== undefined) throw new JwtRefusal(refusal);
  return Object.freeze({ ...payload });
}

/**
 * jsonwebtoken v9's checks of the payload with Infisical's options, after the signature: `nbf` and `exp` only when
 * present, no leeway, then `iss` equal to boundIssuer. jsonwebtoken's message, or undefined when they pass. Pure: the
 * cross-engine table runs it on claims.
 */
export function infisicalClaimChecks(payload: Readonly<Record<string, unknown>>, boundIssuer: string, now: Date): string | undefined {
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const nbf = Object.hasOwn(payload, 'nbf') ? payload['nbf'] : undefined;
  if (nbf !== undefined) {
    if (typeof nbf !== 'number') return JSONWEBTOKEN_TEXTS.invalidNbf;
    if (nbf > nowSeconds) return JSONWEBTOKEN_TEXTS.notActive;
  }
  const exp = Object.hasOwn(payload, 'exp') ? payload['exp'] : undefined;
  if (exp !== undefined) {
    if (typeof exp !== 'number') return JSONWEBTOKEN_TEXTS.invalidExp;
    if (nowSeconds >= exp) return JSONWEBTOKEN_TEXTS.expired;
  }
  const iss = Object.hasOwn(payload, 'iss') ? payload['iss'] : undefined;
  if (iss !== boundIssuer) return JSONWEBTOKEN_TEXTS.issuer(boundIssuer);
  return undefined;
}

function messageOf(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as { cause?: unknown }).cause;
    // undici's "fetch failed" hides the connection error (ECONNREFUSED ...) in its cause, which axios would show.
    if (err.message === 'fetch failed' && cause instanceof Error) return cause.message;
    return err.message;
  }
  return String(err);
}
