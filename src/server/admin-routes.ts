/**
 * The admin surface under /_emulator/: a test-fixture surface, not a security boundary. `health` answers anyone (for
 * readiness checks and containers); the rest answers loopback clients only, unless an admin token is set, in which
 * case every client must send it as a bearer token, or, from the demo page, in the cookie the page's login sets
 * (compared in constant time). JSON in and out, but for the page (page-routes.ts).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response, Router } from 'express';
import { type AdminSurface, EMULATOR_PREFIX, isLoopback } from './admin-surface.js';
import { loadExpress } from './express.js';
import { ADMIN_COOKIE, cookieOf, pageLogin, pageRouter } from './page-routes.js';

const ADMIN_PREFIX = EMULATOR_PREFIX.slice(0, -1); // '/_emulator'

export function adminRouter(admin: AdminSurface): Router {
  const express = loadExpress();
  const router = express.Router();
  router.get(`${ADMIN_PREFIX}/health`, (_req: Request, res: Response) => void res.json(admin.health()));
  router.use(pageLogin(admin, (given) => admin.token !== undefined && sameSecret(given, admin.token)));
  router.use(`${ADMIN_PREFIX}/`, (req: Request, res: Response, next: NextFunction) => {
    if (allowed(admin, req)) return next();
    res.status(admin.token === undefined ? 403 : 401).json({
      error: admin.token === undefined ? 'Forbidden' : 'Unauthorized',
      message:
        admin.token === undefined
          ? 'the admin surface answers loopback clients only; start the emulator with --admin-token to open it to others'
          : 'send the admin token as Authorization: Bearer <token> (the page: open /_emulator/ui?token=<token> once)',
    });
  });
  router.use(pageRouter(admin));
  router.get(`${ADMIN_PREFIX}/config`, (_req: Request, res: Response) => void res.json(admin.config()));
  router.get(`${ADMIN_PREFIX}/decisions`, (_req: Request, res: Response) => void res.json(admin.decisions()));
  router.post(`${ADMIN_PREFIX}/reset`, (_req: Request, res: Response, next: NextFunction) => {
    admin.reset().then(() => void res.status(204).end(), next);
  });
  router.put(
    `${ADMIN_PREFIX}/roles/:name`,
    express.json({ limit: '1mb', type: () => true }),
    (req: Request, res: Response, next: NextFunction) => {
      const name = String(req.params['name']);
      admin.putRole(name, req.body).then(
        (role) => void res.json(role),
        (e: unknown) => {
          const problems = (e as { problems?: unknown } | null)?.problems;
          if (Array.isArray(problems)) res.status(400).json({ error: 'InvalidConfiguration', problems });
          else next(e);
        },
      );
    },
  );
  router.delete(`${ADMIN_PREFIX}/roles/:name`, (req: Request, res: Response, next: NextFunction) => {
    admin
      .removeRole(String(req.params['name']))
      .then(
        (removed) =>
          void (removed
            ? res.status(204).end()
            : res.status(404).json({ error: 'NoSuchEntity', message: `no role ${String(req.params['name'])}` })),
        next,
      );
  });
  return router;
}

function allowed(admin: AdminSurface, req: Request): boolean {
  if (admin.token !== undefined) {
    const header = req.get('authorization') ?? '';
    const given = /^Bearer (.+)$/i.exec(header)?.[1] ?? cookieOf(req, ADMIN_COOKIE) ?? '';
    return sameSecret(given, admin.token);
  }
  return isLoopback(req.socket.remoteAddress);
}

/** Constant-time comparison of two secrets of any length (their digests are compared). */
function sameSecret(a: string, b: string): boolean {
  const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(a), digest(b));
}
