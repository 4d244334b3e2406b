/**
 * The Express app of the emulator's own routes: the emulated issuers' discovery documents and JWKS, and the reserved
 * `/_emulator/` prefix. No query-protocol request ever reaches it (sts-server.ts routes by request kind); what it
 * cannot serve is answered as JSON. Express is loaded on the first request that needs it (express.ts).
 */
import type { Express as ExpressApp, NextFunction, Request, Response } from 'express';
import { adminRouter } from './admin-routes.js';
import { EMULATOR_PREFIX, type AdminSurface } from './admin-surface.js';
import { loadExpress } from './express.js';
import type { FailureLog } from './failure-log.js';
import { issuerRouter } from './issuer-routes.js';
import type { IssuerRoutes } from './issuers.js';

export interface EmulatorAppOptions {
  /** The emulated issuers in force (they change with the configuration). */
  readonly issuers: () => IssuerRoutes | undefined;
  readonly admin: AdminSurface | undefined;
  readonly failureLog: FailureLog;
}

export function createEmulatorApp(options: EmulatorAppOptions): ExpressApp {
  const app = loadExpress()();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('query parser', false);
  const notFound = (req: Request, res: Response): void =>
    void res.status(404).json({ error: 'NotFound', message: `no emulator route ${req.method} ${req.path}` });
  // Express would answer OPTIONS itself (200, text: the allowed methods): no route answers it here.
  app.use((req: Request, res: Response, next: NextFunction) => (req.method === 'OPTIONS' ? notFound(req, res) : next()));
  // The issuer routes of the issuers in force: one router per set of issuers, made when that set is first asked for.
  const routers = new WeakMap<IssuerRoutes, ReturnType<typeof issuerRouter>>();
  app.use((req: Request, res: Response, next: NextFunction) => {
    const issuers = options.issuers();
    if (issuers === undefined) return next();
    let router = routers.get(issuers);
    if (router === undefined) {
      router = issuerRouter(issuers);
      routers.set(issuers, router);
    }
    router(req, res, next);
  });
  if (options.admin !== undefined) app.use(adminRouter(options.admin));
  app.use(notFound);
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    // A request Express itself refused (a body that is not JSON, too large ...) is the client's: its 4xx as JSON.
    const status =
      (err as { status?: unknown; statusCode?: unknown } | null)?.status ?? (err as { statusCode?: unknown } | null)?.statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      if (!res.headersSent) res.status(status).json({ error: 'BadRequest', message: (err as Error).message });
      return;
    }
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
