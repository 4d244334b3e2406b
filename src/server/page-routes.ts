/**
 * The demo page under /_emulator/ui and the JSON it reads, behind the admin surface's rule (admin-routes.ts): the
 * page, its files, the configuration view, tokens from the built-in issuers for its form, one decision's trace, and
 * the live decisions as Server-Sent Events. The page sends its AssumeRoleWithWebIdentity to the STS endpoint like any
 * client. Without an admin token the page answers only requests whose Host names the loopback interface (a page of
 * another site that rebinds its name to 127.0.0.1 gets nothing); every answer forbids framing and any script, style
 * or connection that is not the emulator's own.
 */
import type { NextFunction, Request, Response, Router } from 'express';
import { type AdminSurface, EMULATOR_PREFIX } from './admin-surface.js';
import { loadExpress } from './express.js';
import { ASSET_NAME, pageAssets } from './page-assets.js';

const PREFIX = EMULATOR_PREFIX.slice(0, -1); // '/_emulator'
export const PAGE_PATH = `${PREFIX}/ui`;
/** The cookie that carries the admin token for the page (a browser cannot add a bearer header to EventSource). */
export const ADMIN_COOKIE = 'sts-emulator-admin';

const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

function secure(res: Response): void {
  res.set({
    'content-security-policy': CSP,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
  });
}

/** Whether a Host header names the loopback interface: localhost (or a name under it), 127.0.0.0/8, [::1]. */
export function loopbackHost(host: string | undefined): boolean {
  if (host === undefined) return false;
  const name = (host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d*$/, '')).toLowerCase();
  return (
    name === 'localhost' ||
    name.endsWith('.localhost') ||
    name === '[::1]' ||
    /^127\.(?:25[0-5]|2[0-4]\d|1?\d?\d)\.(?:25[0-5]|2[0-4]\d|1?\d?\d)\.(?:25[0-5]|2[0-4]\d|1?\d?\d)$/.test(name)
  );
}

/** The value of one cookie of a request, if it is there. */
export function cookieOf(req: Request, name: string): string | undefined {
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/**
 * `GET /_emulator/ui?token=<admin token>`, before the admin check: with the right token, the token goes into an
 * HttpOnly, SameSite=Strict cookie for /_emulator/ and the browser is sent to the page without it in the address.
 */
export function pageLogin(admin: AdminSurface, same: (given: string) => boolean) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (admin.token === undefined || (req.path !== PAGE_PATH && req.path !== `${PAGE_PATH}/`)) return next();
    const q = req.originalUrl.indexOf('?');
    const given = q === -1 ? null : new URLSearchParams(req.originalUrl.slice(q + 1)).get('token');
    if (given === null || !same(given)) return next();
    res.set({
      'set-cookie': `${ADMIN_COOKIE}=${encodeURIComponent(given)}; Path=${EMULATOR_PREFIX}; HttpOnly; SameSite=Strict`,
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
    });
    res.redirect(303, PAGE_PATH);
  };
}

/** Longest a decision stream may fall behind (bytes not yet sent) before it is closed; the page reconnects. */
const STREAM_BACKLOG_BYTES = 1 << 20;
/** A comment line this often keeps proxies and the browser from taking a quiet stream for a dead one (ms). */
const STREAM_PING_MS = 15_000;

/** An audit record without its trace: what the live list shows before a decision is opened. */
function summary(record: unknown): unknown {
  if (typeof record !== 'object' || record === null) return record;
  const { trace: _trace, ...rest } = record as Record<string, unknown>;
  return rest;
}

/** The page's routes; mounted after the admin check. */
export function pageRouter(admin: AdminSurface): Router {
  const express = loadExpress();
  const router = express.Router();
  const onlyLoopbackNames = (req: Request, res: Response, next: NextFunction): void => {
    if (admin.token !== undefined || loopbackHost(req.get('host'))) return next();
    res.status(403).json({
      error: 'Forbidden',
      message:
        'the page answers requests for localhost, 127.0.0.1 or [::1] only; start the emulator with --admin-token to open it to other names',
    });
  };
  router.use(PAGE_PATH, onlyLoopbackNames);

  router.get([PAGE_PATH, `${PAGE_PATH}/`], (_req: Request, res: Response) => {
    const html = pageAssets().page;
    if (html === undefined) return void res.status(404).json({ error: 'NotFound', message: 'this package has no ui/index.html' });
    secure(res);
    res.set({ 'content-type': html.type, 'cache-control': 'no-cache' }).send(html.body);
  });
  router.get(`${PAGE_PATH}/assets/:name`, (req: Request, res: Response) => {
    const name = String(req.params['name']);
    const asset = ASSET_NAME.test(name) ? pageAssets().files.get(name) : undefined;
    if (asset === undefined)
      return void res
        .status(404)
        .json({ error: 'NotFound', message: `no page asset ${name} (the page's scripts are built by npm run build)` });
    secure(res);
    res.set({ 'content-type': asset.type, 'cache-control': 'no-cache' }).send(asset.body);
  });
  router.get(`${PAGE_PATH}/config`, (_req: Request, res: Response, next: NextFunction) => {
    admin.page().then((page) => void res.set('cache-control', 'no-store').json(page), next);
  });
  router.post(
    `${PAGE_PATH}/token`,
    (req: Request, res: Response, next: NextFunction) => {
      // JSON only: a form of another site cannot send it without a preflight, which the emulator never grants.
      if (req.is('application/json') === 'application/json') return next();
      res.status(415).json({ error: 'UnsupportedMediaType', message: 'send the token spec as application/json' });
    },
    express.json({ limit: '64kb' }),
    (req: Request, res: Response, next: NextFunction) => {
      admin.mintForPage(req.body).then((minted) => void res.set('cache-control', 'no-store').json(minted), next);
    },
  );
  router.get(`${PREFIX}/decisions/stream`, onlyLoopbackNames, (_req: Request, res: Response) => {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
    let open = true;
    let stop = (): void => undefined;
    const ping = setInterval(() => void (open && res.write(': ping\n\n')), STREAM_PING_MS);
    ping.unref();
    const close = (): void => {
      if (!open) return;
      open = false;
      clearInterval(ping);
      stop();
      res.end();
    };
    const send = (event: string, data: unknown): void => {
      if (!open) return;
      if (res.writableLength > STREAM_BACKLOG_BYTES) return close();
      res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    stop = admin.watchDecisions({
      decisions: (records, skipped) => send('decisions', { records: records.map(summary), skipped }),
      cleared: () => send('cleared', {}),
      end: close,
    });
    send('decisions', { records: admin.decisions().map(summary), skipped: 0, initial: true });
    res.on('close', close);
  });
  router.get(`${PREFIX}/decisions/:requestId`, onlyLoopbackNames, (req: Request, res: Response) => {
    const id = String(req.params['requestId']);
    const found = admin.decision(id);
    if (found === undefined)
      return void res.status(404).json({ error: 'NotFound', message: `no kept decision ${id} (serve keeps the last --keep-decisions)` });
    res.set('cache-control', 'no-store').json(found);
  });
  return router;
}
