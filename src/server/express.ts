/**
 * Express, loaded synchronously the first time it is needed. `serve` answers form POSTs on the fast path
 * (fast-path.ts) and needs Express only for other requests (GET, issuer routes, chunked or unusual bodies).
 * Loading it took ~60 ms of a ~250 ms start (issue 6: first answer <= 300 ms after node starts). It is loaded
 * inside the handler of the first request that needs it, in one synchronous step: no request ever waits on
 * a pending load (a client that half-closes its socket right after sending would otherwise get no answer).
 */
import { createRequire } from 'node:module';
import type expressModule from 'express';

export type Express = typeof expressModule;

let loaded: Express | undefined;

export function loadExpress(): Express {
  loaded ??= createRequire(import.meta.url)('express') as Express;
  return loaded;
}
