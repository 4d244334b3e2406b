/**
 * One key resolver per registered provider, built once: inline JWKS (a local set), a JWKS URI or discovery (a
 * remote set kept by refreshing-value.ts across all requests: one fetch at a time, cached for the max age, the
 * last good set served while the IdP fails, failures remembered for the cooldown, one refresh per cooldown for a
 * kid the set lacks), or the emulated issuer's key file (loaded once). Keys are only ever looked up from these
 * sources: nothing in the token (iss, kid, jku, x5u, jwk) becomes a URL or a path. jose selects the key from a
 * local set in every case. Every failure surfaces as a KeySourceError.
 */
import type { JSONWebKeySet, JWTVerifyGetKey } from 'jose';
import * as errors from 'jose/errors';
import { createLocalJWKSet } from 'jose/jwks/local';
import { allowedFetchUrl, createBoundedFetch, type BoundedFetch } from './bounded-fetch.js';
import { createDiscovery } from './discovery.js';
import { loadOrCreateSigningKey, publicJwks } from './emulated.js';
import { KeySourceError } from './jose-errors.js';
import { RefreshingValue, type RefreshSchedule } from './refreshing-value.js';
import type { JwkSet, KeySource, OidcProvider } from './types.js';

export interface KeySetOptions {
  readonly fetch: BoundedFetch;
  /** When remote key sets and discovery documents are fetched again (and the clock that says so). */
  readonly schedule: RefreshSchedule;
}

/** A provider's keys for jose's jwtVerify. */
export interface KeyResolver {
  /** Rejects only with KeySourceError. */
  readonly getKey: JWTVerifyGetKey;
  /** Changes when the keys in use change (a refresh fetched a different set); constant for local sets. */
  readonly generation: () => number;
}

export function createKeyResolver(provider: OidcProvider, options: KeySetOptions): KeyResolver {
  const { getKey, generation } = buildResolver(provider, options);
  return {
    generation,
    getKey: async (header, token) => {
      try {
        return await getKey(header, token);
      } catch (err) {
        if (err instanceof KeySourceError) throw err;
        throw new KeySourceError(`keys of ${provider.url}`, { cause: err });
      }
    },
  };
}

/** The fetch, timeout and clock of the key resolvers of another service's verifier (Google, Vault). */
export interface KeyResolverCacheOptions {
  readonly fetch?: typeof fetch;
  readonly timeoutMs?: number;
  readonly clock?: () => number;
}

/** One key source of another service: its name (the cache key), the issuer URL it is for, its keys. */
export interface NamedKeySource {
  readonly name: string;
  readonly url: string;
  readonly keys: KeySource;
  /** Where it is configured (the file of key-source errors). */
  readonly file: string;
}

/**
 * Key resolvers made on first use for each key source's name and kept for the verifier's life (one runtime), fetching
 * through one bounded fetch (5 s, 1 MiB by default) on the refresh schedule of the AWS side's defaults.
 */
export function keyResolverCache(options: KeyResolverCacheOptions = {}): (source: NamedKeySource) => KeyResolver {
  const clock = options.clock ?? Date.now;
  const fetchImpl = createBoundedFetch({
    fetch: options.fetch ?? globalThis.fetch,
    timeoutMs: options.timeoutMs ?? 5000,
    maxResponseBytes: 1024 * 1024,
  });
  const schedule = { clock, maxAgeMs: 600_000, staleMs: 86_400_000, cooldownMs: 30_000 };
  const resolvers = new Map<string, KeyResolver>();
  return (source) => {
    let r = resolvers.get(source.name);
    if (r === undefined) {
      r = createKeyResolver(
        { url: source.url, name: source.name, arn: '', clientIdList: [], thumbprintList: [], keys: source.keys, file: source.file },
        { fetch: fetchImpl, schedule },
      );
      resolvers.set(source.name, r);
    }
    return r;
  };
}

const CONSTANT = (): number => 0;

function buildResolver(provider: OidcProvider, options: KeySetOptions): KeyResolver {
  const source = provider.keys;
  switch (source.kind) {
    case 'inline':
      return { getKey: localSet(source.jwks), generation: CONSTANT };
    case 'uri': {
      const url = allowedFetchUrl(source.uri);
      if (url === undefined) return { getKey: failing(new KeySourceError(`JWKS URI ${source.uri} is not https`)), generation: CONSTANT };
      return remoteSet(() => Promise.resolve(url), options);
    }
    case 'discovery':
      return discoveredSet(provider.url, options);
    case 'emulated':
      return { getKey: emulatedSet(source.privateKeyFile), generation: CONSTANT };
  }
}

function localSet(jwks: JwkSet): JWTVerifyGetKey {
  try {
    return createLocalJWKSet(jwks as unknown as JSONWebKeySet);
  } catch (cause) {
    return failing(new KeySourceError('the registered JWKS is malformed', { cause }));
  }
}

interface FetchedSet {
  /** The body as fetched: an identical body keeps the keys already imported. */
  readonly text: string;
  readonly getKey: JWTVerifyGetKey;
}

/** A remote JWKS at `jwksUrl()` (asked again before each fetch, for discovery). */
function remoteSet(jwksUrl: () => Promise<URL>, options: KeySetOptions): KeyResolver {
  const keys = new RefreshingValue<FetchedSet>(async (previous) => {
    const text = await fetchJwks(await jwksUrl(), options.fetch);
    if (previous?.text === text) return previous;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (cause) {
      throw new errors.JOSEError('Failed to parse the JSON Web Key Set HTTP response as JSON', { cause });
    }
    return { text, getKey: createLocalJWKSet(json as JSONWebKeySet) };
  }, options.schedule);

  const getKey: JWTVerifyGetKey = async (header, token) => {
    const seen = keys.generation;
    const set = await keys.get();
    try {
      return await set.getKey(header, token);
    } catch (err) {
      // A kid the set lacks may be new at the IdP: one refresh, unless this request already waited for a new set.
      if (!(err instanceof errors.JWKSNoMatchingKey) || keys.generation !== seen) throw err;
      await keys.refresh();
      if (keys.generation === seen) throw err;
      return (await keys.get()).getKey(header, token);
    }
  };
  return { getKey, generation: () => keys.generation };
}

/** The JWKS body; failures as jose's remote sets report them (a timeout, a status other than 200). */
async function fetchJwks(url: URL, fetchImpl: BoundedFetch): Promise<string> {
  let response: Response;
  try {
    response = await fetchImpl(url.href, { headers: { accept: 'application/json, application/jwk-set+json' } });
  } catch (cause) {
    if ((cause as { name?: unknown } | null)?.name === 'TimeoutError') throw new errors.JWKSTimeout(undefined, { cause });
    throw cause;
  }
  if (response.status !== 200) throw new errors.JOSEError('Expected 200 OK from the JSON Web Key Set HTTP response');
  return response.text();
}

function discoveredSet(issuer: string, options: KeySetOptions): KeyResolver {
  const discovery = createDiscovery(issuer, options.fetch, options.schedule);
  return remoteSet(async () => {
    try {
      return await discovery.get(true);
    } catch (cause) {
      throw new KeySourceError(`discovery for ${issuer}`, { cause });
    }
  }, options);
}

function emulatedSet(privateKeyFile: string): JWTVerifyGetKey {
  let pending: Promise<JWTVerifyGetKey> | undefined;
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

function failing(err: KeySourceError): JWTVerifyGetKey {
  return () => Promise.reject(err);
}
