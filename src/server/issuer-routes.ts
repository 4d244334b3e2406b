/**
 * The Express routes of the emulated issuers (issuers.ts): the discovery document keeps the real `issuer`, so tokens
 * verify against it; `jwks_uri` points back here. Only public keys are served.
 */
import type { Request, Response, Router } from 'express';
import { discoveryDocument, publicJwks } from '../identity/index.js';
import { ISSUER_PREFIX, type IssuerRoutes } from './issuers.js';
import { loadExpress } from './express.js';

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
