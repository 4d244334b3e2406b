/**
 * The emulated issuers served on the emulator's own port (their routes are in issuer-routes.ts): each one's signing
 * key, read or created at start, and the paths of its discovery document and JWKS:
 *   GET /oidc/<provider name>/.well-known/openid-configuration
 *   GET /oidc/<provider name>/.well-known/jwks.json
 * (<provider name> is the Url without https://). No Express here.
 */
import { loadOrCreateSigningKey, type EmulatedKey, type OidcProvider } from '../identity/index.js';

export const ISSUER_PREFIX = '/oidc/';

/** The emulated issuers with their keys (read or created at start) and the paths they are served on. */
export interface IssuerRoutes {
  readonly keys: ReadonlyMap<string, { readonly provider: OidcProvider; readonly key: EmulatedKey }>;
  readonly paths: readonly { issuer: string; discovery: string; jwks: string }[];
}

/** Reads (or creates) every emulated issuer's signing key; a problem with one stops the start. No Express here. */
export async function createIssuerRoutes(providers: readonly OidcProvider[]): Promise<IssuerRoutes> {
  const paths: { issuer: string; discovery: string; jwks: string }[] = [];
  const keys = new Map<string, { provider: OidcProvider; key: EmulatedKey }>();
  for (const p of providers) {
    if (p.keys.kind !== 'emulated') continue;
    keys.set(p.name, { provider: p, key: await loadOrCreateSigningKey(p.keys.privateKeyFile) });
    paths.push({
      issuer: p.url,
      discovery: `${ISSUER_PREFIX}${p.name}/.well-known/openid-configuration`,
      jwks: `${ISSUER_PREFIX}${p.name}/.well-known/jwks.json`,
    });
  }
  return { keys, paths };
}
