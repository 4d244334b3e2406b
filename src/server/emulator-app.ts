/**
 * The Express app of the emulator's own routes: the emulated issuers' discovery documents and JWKS, and the reserved
 * `/_emulator/` prefix. No query-protocol request ever reaches it (sts-server.ts routes by request kind); what it
 * cannot serve is answered as JSON. Express is loaded on the first request that needs it (express.ts).
 */
import type { Express as ExpressApp, NextFunction, Request, Response } from 'express';
import { loadExpress } from './express.js';
import type { FailureLog } from './failure-log.js';
import { issuerRouter, type IssuerRoutes } from './issuer-routes.js';

/** Paths under this prefix are the emulator's, whatever the method. */
export const EMULATOR_PREFIX = '/_emulator/';

export interface EmulatorAppOptions {
  readonly issuers: IssuerRoutes | undefined;
  readonly failureLog: FailureLog;
}

export function createEmulatorApp(options: EmulatorAppOptions): ExpressApp {
  const app = loadExpress()();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('query parser', false);
  if (options.issuers !== undefined) app.use(issuerRouter(options.issuers));
  app.use((req: Request, res: Response) => {
    res.status(404).json({ error: 'NotFound', message: `no emulator route ${req.method} ${req.path}` });
  });
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    options.failureLog(err, 'an emulator route');
    if (res.headersSent) res.end();
    else res.status(500).json({ error: 'InternalFailure', message: 'An internal error occurred.' });
  });
  return app;
}

/**
 * Whether a request is for the emulator's own routes: anything under EMULATOR_PREFIX, and GET or HEAD on an
 * emulated issuer's discovery or JWKS path (compared as Express routes match: any case, one optional trailing '/').
 */
export function isEmulatorRoute(method: string | undefined, url: string, issuerPaths: ReadonlySet<string>): boolean {
  if (url.startsWith(EMULATOR_PREFIX)) return true;
  if (method !== 'GET' && method !== 'HEAD') return false;
  const q = url.indexOf('?');
  let path = (q === -1 ? url : url.slice(0, q)).toLowerCase();
  if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
  return issuerPaths.has(path);
}
