/**
 * One key resolver per registered provider, built once: inline JWKS (a local set), a JWKS URI or
 * discovery (one jose remote set each, so its single-flight fetch and cooldown apply across all
 * requests), or the emulated issuer's key file (loaded once). Keys are only ever looked up from these
 * sources: nothing in the token (iss, kid, jku, x5u, jwk) becomes a URL or a path. Every failure
 * surfaces as a KeySourceError.
 */
import type { JSONWebKeySet, JWTVerifyGetKey } from 'jose';
import { createLocalJWKSet } from 'jose/jwks/local';
import { createRemoteJWKSet, customFetch } from 'jose/jwks/remote';
import { allowedFetchUrl, type BoundedFetch } from './bounded-fetch.js';
import { createDiscovery } from './discovery.js';
import { loadOrCreateSigningKey, publicJwks } from './emulated.js';
import { KeySourceError } from './jose-errors.js';
import type { JwkSet, OidcProvider } from './types.js';

export interface KeySetOptions {
  readonly fetch: BoundedFetch;
  readonly timeoutMs: number;
  readonly cooldownMs: number;
  readonly cacheMaxAgeMs: number;
}

type Resolver = JWTVerifyGetKey;

/** The provider's key resolver for jose's jwtVerify; rejects only with KeySourceError. */
export function createKeyResolver(provider: OidcProvider, options: KeySetOptions): Resolver {
  const inner = buildResolver(provider, options);
  return async (header, token) => {
    try {
      return await inner(header, token);
    } catch (err) {
      if (err instanceof KeySourceError) throw err;
      throw new KeySourceError(`keys of ${provider.url}`, { cause: err });
    }
  };
}

function buildResolver(provider: OidcProvider, options: KeySetOptions): Resolver {
  const source = provider.keys;
  switch (source.kind) {
    case 'inline':
      return localSet(source.jwks);
    case 'uri': {
      const url = allowedFetchUrl(source.uri);
      if (url === undefined) return failing(new KeySourceError(`JWKS URI ${source.uri} is not https`));
      return remoteSet(url, options);
    }
    case 'discovery':
      return discoveredSet(provider.url, options);
    case 'emulated':
      return emulatedSet(source.privateKeyFile);
  }
}

function localSet(jwks: JwkSet): Resolver {
  try {
    return createLocalJWKSet(jwks as unknown as JSONWebKeySet);
  } catch (cause) {
    return failing(new KeySourceError('the registered JWKS is malformed', { cause }));
  }
}

function remoteSet(url: URL, options: KeySetOptions): Resolver {
  return createRemoteJWKSet(url, {
    timeoutDuration: options.timeoutMs,
    cooldownDuration: options.cooldownMs,
    cacheMaxAge: options.cacheMaxAgeMs,
    [customFetch]: options.fetch,
  });
}

function discoveredSet(issuer: string, options: KeySetOptions): Resolver {
  const jwksUri = createDiscovery(issuer, options.fetch);
  let set: Resolver | undefined;
  return async (header, token) => {
    if (set === undefined) {
      let url: URL;
      try {
        url = await jwksUri();
      } catch (cause) {
        throw new KeySourceError(`discovery for ${issuer}`, { cause });
      }
      set ??= remoteSet(url, options);
    }
    return set(header, token);
  };
}

function emulatedSet(privateKeyFile: string): Resolver {
  let pending: Promise<Resolver> | undefined;
  return async (header, token) => {
    pending ??= loadOrCreateSigningKey(privateKeyFile).then(
      (key) => createLocalJWKSet(publicJwks(key) as unknown as JSONWebKeySet),
      (cause: unknown) => {
        pending = undefined; // retry on the next token
        throw new KeySourceError(`emulated issuer key ${privateKeyFile}`, { cause, internal: true });
      },
    );
    const set = await pending;
    return set(header, token);
  };
}

function failing(err: KeySourceError): Resolver {
  return () => Promise.reject(err);
}
