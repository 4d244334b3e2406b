/**
 * The server's hot path: a form POST to "/" (what every SDK and CLI sends) handled on node:http directly.
 * Profiling (bench/, README "Performance") showed Express's router and body parser costing more per request than
 * the STS call itself, so these requests skip them. Everything else is the Express app's: the same parser, the
 * same dispatch(), the same sendOutcome (respond.ts: renderers, headers, audit record), so the answer is byte for
 * byte the one the app gives (test/server/fast-path.test.ts compares the two). The one difference is when: answers
 * here are written together at the end of the event loop's turn (turn-batch.ts).
 *
 * Only requests whose body can be read without Express's help take this path: POST, path "/", a Content-Length
 * within MAX_BODY_BYTES, no Content-Encoding and no Transfer-Encoding. Anything else (other paths or methods, the
 * issuer routes, oversized, chunked or encoded bodies) is handed to the app untouched, before any byte is read.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { StsError, toStsError } from '../protocol/errors.js';
import { MAX_BODY_BYTES, parseQueryParams, rawQueryOf } from '../protocol/query.js';
import { renderError } from '../protocol/xml.js';
import { dispatch } from '../sts/dispatch.js';
import type { StsOutcome } from '../sts/outcome.js';
import type { AppOptions } from './app-options.js';
import { auditRecord } from './audit.js';
import { processFailureLog } from './failure-log.js';
import { normaliseIp, sendOutcome, sendXml } from './respond.js';
import { createTurnBatch } from './turn-batch.js';

/** A request listener: the fast path for plain form POSTs to "/", `app` for everything else. */
export function withFastPath(app: RequestListener, options: AppOptions): RequestListener {
  return (req, res) => {
    if (!eligible(req)) {
      app(req, res);
      return;
    }
    readBody(req, res, options);
  };
}

function eligible(req: IncomingMessage): boolean {
  if (req.method !== 'POST') return false;
  const url = req.url ?? '';
  if (url !== '/' && !url.startsWith('/?')) return false;
  const h = req.headers;
  if (h['transfer-encoding'] !== undefined || h['content-encoding'] !== undefined) return false;
  const length = h['content-length'];
  return length !== undefined && /^\d{1,7}$/.test(length) && Number(length) <= MAX_BODY_BYTES;
}

function readBody(req: IncomingMessage, res: ServerResponse, options: AppOptions): void {
  const chunks: Buffer[] = [];
  let finished = false;
  req.on('data', (chunk: Buffer) => void chunks.push(chunk));
  req.on('end', () => {
    if (finished) return;
    finished = true;
    const body = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
    answer(req, res, options, body.toString('utf8'));
  });
  // As the app's body parser: a body that cannot be read is a ValidationError through the one fault renderer.
  const unreadable = (): void => {
    if (finished) return;
    finished = true;
    fault(res, options, new StsError('ValidationError', 'Could not read the request'));
  };
  req.on('aborted', unreadable);
  req.on('error', unreadable);
}

interface Answer {
  readonly res: ServerResponse;
  readonly options: AppOptions;
  readonly outcome: StsOutcome;
  readonly requestId: string;
}

/** Answers go out together at the end of the event loop's turn (turn-batch.ts); one that fails to render is a fault. */
const answers = createTurnBatch<Answer>((a, err) => fault(a.res, a.options, err));

function answer(req: IncomingMessage, res: ServerResponse, options: AppOptions, body: string): void {
  const requestId = options.requestId();
  outcomeOf(req, options, body)
    .then((outcome) => answers.add({ res, options, outcome, requestId }, reply))
    .catch((err: unknown) => fault(res, options, err));
}

const reply = (a: Answer): void => sendOutcome(a.res, a.options, a.outcome, a.requestId);

async function outcomeOf(req: IncomingMessage, options: AppOptions, body: string): Promise<StsOutcome> {
  const rawQuery = rawQueryOf(req.url ?? '/');
  let params;
  try {
    params = parseQueryParams(rawQuery, body, req.headers['content-type']);
  } catch (e) {
    return { ok: false, action: '', error: toStsError(e), audit: { action: '' } };
  }
  return dispatch(options.deps, options.signed, {
    params,
    method: 'POST',
    path: '/',
    rawQuery,
    headers: req.headers,
    body,
    sourceIp: normaliseIp(req.socket.remoteAddress),
  });
}

/** The app's error handler, for what escaped: a fresh request id, InternalFailure logged, never a stack in the answer. */
function fault(res: ServerResponse, options: AppOptions, err: unknown): void {
  const requestId = options.requestId();
  const sts = toStsError(err);
  if (sts.code === 'InternalFailure') processFailureLog(err);
  if (res.headersSent) {
    res.end();
    return;
  }
  sendXml(res, sts.status, renderError(sts, requestId), requestId);
  options.audit?.(auditRecord({ ok: false, action: '', error: sts, audit: { action: '' } }, requestId, options.deps.clock()));
}
