/**
 * OpenID Connect discovery for a registered provider: `<url>/.well-known/openid-configuration`, kept on the
 * same schedule as the keys (refreshing-value.ts: re-checked after the max age, the last good document used
 * while it fails, failures remembered for the cooldown). The document's `issuer` must equal the registered URL
 * exactly and its `jwks_uri` must be fetchable (https, or http on loopback); a document served over https may
 * not name an http `jwks_uri` (no downgrade, even on loopback).
 */
import { allowedFetchUrl, type BoundedFetch } from './bounded-fetch.js';
import { RefreshingValue, type RefreshSchedule } from './refreshing-value.js';

/** Discovery failed; the message says why (for logs and the emulator's reason, never the STS message). */
export class DiscoveryError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DiscoveryError';
  }
}

/** The discovery URL of an issuer (OpenID Connect Discovery 1.0 §4: one trailing '/' is removed first). */
export function discoveryUrl(issuer: string): string {
  return `${issuer.endsWith('/') ? issuer.slice(0, -1) : issuer}/.well-known/openid-configuration`;
}

/** The provider's `jwks_uri`, discovered on first use and re-checked on `schedule`. */
export function createDiscovery(issuer: string, fetchImpl: BoundedFetch, schedule: RefreshSchedule): RefreshingValue<URL> {
  return new RefreshingValue(async (previous) => {
    const url = await discover(issuer, fetchImpl);
    return previous?.href === url.href ? previous : url;
  }, schedule);
}

async function discover(issuer: string, fetchImpl: BoundedFetch): Promise<URL> {
  const target = discoveryUrl(issuer);
  if (allowedFetchUrl(target) === undefined) throw new DiscoveryError(`discovery URL ${target} is not https`);
  let response: Response;
  try {
    response = await fetchImpl(target, { headers: { accept: 'application/json' } });
  } catch (cause) {
    throw new DiscoveryError(`fetching ${target} failed`, { cause });
  }
  if (response.status !== 200) throw new DiscoveryError(`${target} answered HTTP ${response.status}`);
  let doc: unknown;
  try {
    doc = JSON.parse(await response.text());
  } catch (cause) {
    throw new DiscoveryError(`${target} is not JSON`, { cause });
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new DiscoveryError(`${target} is not a JSON object`);
  const issuerClaim: unknown = Object.hasOwn(doc, 'issuer') ? (doc as Record<string, unknown>)['issuer'] : undefined;
  if (issuerClaim !== issuer) {
    throw new DiscoveryError(`${target}: issuer ${JSON.stringify(issuerClaim)} is not the registered URL ${issuer}`);
  }
  const jwksUri: unknown = Object.hasOwn(doc, 'jwks_uri') ? (doc as Record<string, unknown>)['jwks_uri'] : undefined;
  if (typeof jwksUri !== 'string') throw new DiscoveryError(`${target}: jwks_uri is missing`);
  const url = allowedFetchUrl(jwksUri);
  if (url === undefined) throw new DiscoveryError(`${target}: jwks_uri ${jwksUri} is not https`);
  if (target.startsWith('https:') && url.protocol !== 'https:') {
    throw new DiscoveryError(`${target}: jwks_uri ${jwksUri} would downgrade https to http`);
  }
  return url;
}
