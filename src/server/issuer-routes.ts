/**
 * For each emulated issuer, its OpenID discovery document and JWKS on the emulator's own port:
 *   GET /oidc/<provider name>/.well-known/openid-configuration
 *   GET /oidc/<provider name>/.well-known/jwks.json
 * (<provider name> is the Url without https://). The discovery document keeps the real `issuer`, so
 * tokens verify against it; `jwks_uri` points back here. Only public keys are served.
 */
import type { Request, Response, Router } from 'express';
import type { OidcProvider } from '../identity/types.js';
import { discoveryDocument, loadOrCreateSigningKey, publicJwks, type EmulatedKey } from '../identity/emulated.js';
import { loadExpress } from './express.js';

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

/** The Express router serving the discovery documents and JWKS of `issuers`. */
export function issuerRouter(issuers: IssuerRoutes): Router {
  const router = loadExpress().Router();
  const json = (res: Response, body: unknown): void => {
    res.status(200).set('Content-Type', 'application/json').set('Cache-Control', 'public, max-age=300').send(JSON.stringify(body));
  };
  for (const [name, { provider, key }] of issuers.keys) {
    const base = `${ISSUER_PREFIX}${name}/.well-known/`;
    router.get(base + 'jwks.json', (_req: Request, res: Response) => json(res, publicJwks(key)));
    router.get(base + 'openid-configuration', (req: Request, res: Response) => {
      const origin = `${req.protocol}://${req.get('host') ?? '127.0.0.1'}`;
      json(res, discoveryDocument(provider.url, `${origin}${base}jwks.json`));
    });
  }
  return router;
}
