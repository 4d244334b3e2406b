/**
 * The road of every AWS query-protocol request (every request that is not one of the emulator's own routes): POST
 * form or GET query, chunked or not, on plain node:http. Read the body (body.ts), parse the parameters, dispatch,
 * and write the answer with its audit record. Answers are written together at the end of the event loop's turn
 * (turn-batch.ts): on loopback, a write that finds its reader asleep costs a wake-up, and a batch pays it once.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseUrl } from 'node:url';
import { toStsError, type StsError } from '../protocol/errors.js';
import { parseQueryParams, rawQueryOf } from '../protocol/query.js';
import { dispatch, type Operations, type StsOutcome } from '../sts/index.js';
import { outcomeAnswer, writeAnswer } from './answer.js';
import type { AnswerListener } from './audit.js';
import { readBody } from './body.js';
import type { FailureLog } from './failure-log.js';
import { createTurnBatch } from './turn-batch.js';

export interface QueryRoadOptions {
  readonly operations: Operations | (() => Operations);
  readonly iam: Operations | undefined;
  readonly requestId: () => string;
  readonly clock: () => Date;
  readonly answered: AnswerListener | undefined;
  readonly reasonHeader: boolean;
  readonly failureLog: FailureLog;
}

interface Pending {
  readonly res: ServerResponse;
  readonly outcome: StsOutcome;
}

export type QueryHandler = (req: IncomingMessage, res: ServerResponse) => void;

export function createQueryRoad(options: QueryRoadOptions): QueryHandler {
  const { failureLog } = options;
  const operations = options.operations;
  const current = typeof operations === 'function' ? operations : (): Operations => operations;
  const { iam } = options;

  const refused = (error: StsError): StsOutcome => ({ ok: false, action: '', error, audit: { action: '' } });
  /** The outcome's answer and its audit record; an InternalFailure's cause goes to the failure log. */
  const send = (p: Pending): void => {
    const requestId = options.requestId();
    const { outcome } = p;
    if (!outcome.ok && outcome.error.code === 'InternalFailure') failureLog(outcome.error.cause ?? outcome.error);
    writeAnswer(p.res, outcomeAnswer(outcome, requestId, options.reasonHeader));
    options.answered?.(outcome, requestId, options.clock());
  };
  /** A write that threw is a bug: answered as InternalFailure (and logged) if nothing was sent yet. */
  const fault = (p: Pending, err: unknown): void => {
    if (p.res.headersSent) {
      failureLog(err, 'writing an answer');
      p.res.end();
    } else {
      send({ res: p.res, outcome: refused(toStsError(err)) });
    }
  };
  const answers = createTurnBatch<Pending>(fault);
  const reply = (res: ServerResponse, outcome: StsOutcome): void => answers.add({ res, outcome }, send);

  return (req, res) => {
    readBody(req, (read) => {
      if ('error' in read) {
        reply(res, refused(read.error));
        return;
      }
      const url = req.url ?? '/';
      const rawQuery = rawQueryOf(url);
      let params;
      try {
        params = parseQueryParams(rawQuery, read.body, req.headers['content-type']);
      } catch (e) {
        reply(res, refused(toStsError(e)));
        return;
      }
      dispatch(
        current(),
        {
          params,
          method: req.method ?? 'GET',
          path: pathOf(url),
          rawQuery,
          headers: req.headers,
          body: read.body,
          sourceIp: normaliseIp(req.socket.remoteAddress),
        },
        iam,
      ).then(
        (outcome) => reply(res, outcome),
        (e: unknown) => reply(res, refused(toStsError(e))),
      );
    });
  };
}

/** The request target's path, still percent-encoded, without the query: what SigV4 signs. */
export function pathOf(url: string): string {
  if (url.startsWith('/') && !/[#\s\u00a0\ufeff]/.test(url)) {
    const q = url.indexOf('?');
    return q === -1 ? url : url.slice(0, q);
  }
  // The absolute form (http://host/path) and unusual targets: as a WHATWG-less legacy parse reads them.
  return parseUrl(url).pathname ?? '/';
}

/** An IPv4 peer on a dual-stack socket is reported as ::ffff:a.b.c.d; policies see a.b.c.d. */
export function normaliseIp(ip: string | undefined): string | undefined {
  if (ip === undefined) return undefined;
  return ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip;
}
