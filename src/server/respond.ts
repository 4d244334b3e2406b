/**
 * Writing an STS answer on a plain node:http response: the one copy, shared by the Express app (app.ts) and the
 * fast path (fast-path.ts).
 */
import type { ServerResponse } from 'node:http';
import { renderError, renderSuccess } from '../protocol/xml.js';
import type { StsOutcome } from '../sts/outcome.js';
import { REASON_HEADER, type AppOptions } from './app-options.js';
import { auditRecord } from './audit.js';
import { processFailureLog } from './failure-log.js';

/** An operation's outcome as its answer (success XML, or the error with its status and reason header), then its audit record. */
export function sendOutcome(res: ServerResponse, options: AppOptions, outcome: StsOutcome, requestId: string): void {
  if (outcome.ok) {
    sendXml(res, 200, renderSuccess(outcome.action, outcome.result, requestId), requestId);
  } else {
    if (outcome.error.code === 'InternalFailure') processFailureLog(outcome.error.cause ?? outcome.error);
    // The reason of a 5xx is the emulator's own fault: in the audit log and on stderr, never in the answer.
    else if (options.reasonHeader !== false && outcome.error.reason !== undefined) res.setHeader(REASON_HEADER, headerSafe(outcome.error.reason));
    sendXml(res, outcome.error.status, renderError(outcome.error, requestId), requestId);
  }
  options.audit?.(auditRecord(outcome, requestId, options.deps.clock()));
}

/** Status, text/xml (no charset: AWS sends plain text/xml), the request id and an exact Content-Length. */
export function sendXml(res: ServerResponse, status: number, body: string, requestId: string): void {
  // The body as a string: node writes its header block and a string body in one write (a Buffer body is a second
  // chunk); the headers in one writeHead (merged with any set before, such as the reason header).
  res.writeHead(status, ['Content-Type', 'text/xml', 'x-amzn-RequestId', requestId, 'Content-Length', String(Buffer.byteLength(body, 'utf8'))]);
  res.end(body, 'utf8');
}

/** Header values must be visible ASCII; keep the reason readable and bounded. */
export function headerSafe(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?').slice(0, 1000);
}

/** An IPv4 peer on a dual-stack socket is reported as ::ffff:a.b.c.d; policies see a.b.c.d. */
export function normaliseIp(ip: string | undefined): string | undefined {
  if (ip === undefined) return undefined;
  return ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip;
}
