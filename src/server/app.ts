/**
 * The Express app: read the body (bounded), parse the query, dispatch, render. One place renders errors;
 * a malformed or oversized body, an unknown path or an unexpected fault all become STS XML.
 */
import type { Express as ExpressApp, NextFunction, Request, Response } from 'express';
import { StsError, toStsError } from '../protocol/errors.js';
import { MAX_BODY_BYTES, parseQueryParams, rawQueryOf } from '../protocol/query.js';
import { renderError } from '../protocol/xml.js';
import { dispatch } from '../sts/dispatch.js';
import type { StsOutcome } from '../sts/outcome.js';
import type { AppOptions } from './app-options.js';
import { auditRecord } from './audit.js';
import { processFailureLog } from './failure-log.js';
import { loadExpress } from './express.js';
import { issuerRouter } from './issuer-routes.js';
import { normaliseIp, sendOutcome, sendXml as send } from './respond.js';

export { REASON_HEADER, type AppOptions } from './app-options.js';

/** Loads Express (synchronously, once: see express.ts) and builds the app. */
export function createApp(options: AppOptions): ExpressApp {
  const express = loadExpress();
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('query parser', false);

  if (options.issuers !== undefined) app.use(issuerRouter(options.issuers));

  app.use(express.raw({ type: () => true, limit: MAX_BODY_BYTES, inflate: false }));

  app.all(/.*/, (req: Request, res: Response, next: NextFunction) => {
    const requestId = options.requestId();
    handle(options, req, requestId)
      .then((outcome) => sendOutcome(res, options, outcome, requestId))
      .catch(next);
  });

  // The one error renderer for anything that escaped: body-parser errors and faults.
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const requestId = options.requestId();
    const sts = bodyError(err) ?? toStsError(err);
    if (sts.code === 'InternalFailure') processFailureLog(err);
    if (res.headersSent) {
      res.end();
      return;
    }
    send(res, sts.status, renderError(sts, requestId), requestId);
    options.audit?.(auditRecord({ ok: false, action: '', error: sts, audit: { action: '' } }, requestId, options.deps.clock()));
    void req;
  });
  return app;
}

/** Errors raised by express/body-parser before our handler ran (they carry a 4xx status). */
function bodyError(err: unknown): StsError | undefined {
  if (err === null || typeof err !== 'object') return undefined;
  const e = err as { type?: unknown; status?: unknown; statusCode?: unknown };
  const status = typeof e.status === 'number' ? e.status : typeof e.statusCode === 'number' ? e.statusCode : undefined;
  if (e.type === 'entity.too.large' || status === 413) {
    return new StsError('RequestEntityTooLarge', `Request body exceeds the limit of ${MAX_BODY_BYTES} bytes`);
  }
  if (status !== undefined && status >= 400 && status < 500) return new StsError('ValidationError', 'Could not read the request');
  return undefined;
}

async function handle(options: AppOptions, req: Request, requestId: string): Promise<StsOutcome> {
  void requestId;
  const body = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
  const rawQuery = rawQueryOf(req.originalUrl);
  let params;
  try {
    params = parseQueryParams(rawQuery, body, req.get('content-type'));
  } catch (e) {
    return { ok: false, action: '', error: toStsError(e), audit: { action: '' } };
  }
  return dispatch(options.deps, options.signed, {
    params,
    method: req.method,
    path: req.path,
    rawQuery,
    headers: req.headers,
    body,
    sourceIp: normaliseIp(req.socket.remoteAddress),
  });
}

