/**
 * The road of the JSON services (Google's endpoints, Infisical, Vault: src/protocol/json-service.ts), chosen by path:
 * the body through the one bounded reader (not read for GET and HEAD), the service's answer written as JSON with an
 * exact Content-Length, the emulator's reason in its header on a refusal, the decision handed to the audit sinks.
 * Something thrown is a bug: logged, and answered as the service's own 500.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { JsonAnswer, JsonService } from '../protocol/json-service.js';
import { headerSafe, REASON_HEADER } from './answer.js';
import type { AuditSink } from './audit.js';
import { readBody } from './body.js';
import type { FailureLog } from './failure-log.js';

export interface JsonRoadOptions {
  readonly reasonHeader: boolean;
  readonly failureLog: FailureLog;
  readonly clock: () => Date;
  readonly requestId: () => string;
  /** Told of each decision a service records (audit log, request log, recent decisions). */
  readonly recorded?: AuditSink;
}

export function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/** The service that owns a path, if any. */
export function serviceFor(services: readonly JsonService[], path: string): JsonService | undefined {
  for (const service of services) if (service.owns(path)) return service;
  return undefined;
}

export function createJsonRoad(options: JsonRoadOptions): (service: JsonService, req: IncomingMessage, res: ServerResponse) => void {
  const write = (res: ServerResponse, answer: JsonAnswer): void => {
    const text = answer.body === undefined ? '' : JSON.stringify(answer.body);
    const headers: Record<string, string | number> = { 'content-type': 'application/json; charset=UTF-8' };
    for (const [name, value] of Object.entries(answer.headers ?? {})) headers[name.toLowerCase()] = value;
    headers['content-length'] = Buffer.byteLength(text);
    if (options.reasonHeader && answer.reason !== undefined && answer.status < 500) headers[REASON_HEADER] = headerSafe(answer.reason);
    res.writeHead(answer.status, headers).end(text);
  };
  const send = (res: ServerResponse, answer: JsonAnswer): void => {
    write(res, answer);
    if (answer.audit !== undefined && options.recorded !== undefined)
      options.recorded({ time: options.clock().toISOString(), requestId: options.requestId(), ...answer.audit });
  };
  const internal = (service: JsonService, res: ServerResponse, err: unknown): void => {
    options.failureLog(err, service.label);
    if (res.headersSent) res.end();
    else write(res, service.internalError);
  };

  return (service, req, res) => {
    const url = req.url ?? '/';
    const path = pathOf(url);
    const method = req.method ?? 'GET';
    const run = (body: string): void => {
      let pending: Promise<JsonAnswer>;
      try {
        pending = service.answer({
          method,
          path,
          query: new URLSearchParams(url.length === path.length ? '' : url.slice(path.length + 1)),
          headers: req.headers,
          body,
          ...(req.socket.remoteAddress === undefined ? {} : { remoteAddress: req.socket.remoteAddress }),
        });
      } catch (err) {
        internal(service, res, err);
        return;
      }
      pending.then(
        (answer) => send(res, answer),
        (err: unknown) => internal(service, res, err),
      );
    };
    if (method === 'GET' || method === 'HEAD') {
      req.resume();
      run('');
      return;
    }
    readBody(req, (result) => {
      if ('error' in result) send(res, service.bodyError(result.error.status, result.error.message, path));
      else run(result.body);
    });
  };
}
