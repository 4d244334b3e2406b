/**
 * Google's endpoints on the same server, by path (issue 19): `POST /v1/token` (STS), `POST
 * /v1/projects/<p>/serviceAccounts/<account>:generateAccessToken` (IAM Credentials), and tokeninfo (`GET
 * /_emulator/gcp/tokeninfo?access_token=` and Google's `/oauth2/v3/tokeninfo`). Bodies through the one bounded reader;
 * answers are JSON; the emulator's reason goes in the x-sts-emulator-reason header of a refusal, a bug is Google's 500.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GcpOperations } from '../gcp/index.js';
import { headerSafe, REASON_HEADER } from './answer.js';
import { readBody } from './body.js';
import type { FailureLog } from './failure-log.js';

const TOKEN_PATH = '/v1/token';
const GENERATE = /^\/v1\/projects\/([^/]+)\/serviceAccounts\/([^/]+):generateAccessToken$/;
const TOKENINFO = new Set(['/_emulator/gcp/tokeninfo', '/oauth2/v3/tokeninfo']);

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/** Whether a request is for Google's endpoints (by path alone, any method). */
export function isGcpRoute(url: string): boolean {
  const path = pathOf(url);
  return path === TOKEN_PATH || TOKENINFO.has(path) || GENERATE.test(path);
}

export interface GcpRoadOptions {
  readonly operations: () => GcpOperations | undefined;
  readonly reasonHeader: boolean;
  readonly failureLog: FailureLog;
}

export function createGcpRoad(options: GcpRoadOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const send = (res: ServerResponse, status: number, body: unknown, reason?: string): void => {
    const text = JSON.stringify(body);
    const headers: Record<string, string | number> = {
      'content-type': 'application/json; charset=UTF-8',
      'content-length': Buffer.byteLength(text),
    };
    if (options.reasonHeader && reason !== undefined && status < 500) headers[REASON_HEADER] = headerSafe(reason);
    res.writeHead(status, headers).end(text);
  };
  const internal = (res: ServerResponse, err: unknown): void => {
    options.failureLog(err, 'a Google endpoint');
    if (res.headersSent) res.end();
    else send(res, 500, { error: { code: 500, message: 'Internal error encountered.', status: 'INTERNAL' } });
  };

  return (req, res) => {
    const url = req.url ?? '/';
    const path = pathOf(url);
    const operations = options.operations();
    if (operations === undefined) {
      req.resume();
      send(res, 404, { error: { code: 404, message: 'Google Cloud endpoints are not configured.', status: 'NOT_FOUND' } });
      return;
    }
    if (TOKENINFO.has(path)) {
      req.resume();
      if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, { error: 'invalid_request', error_description: 'Use GET.' });
      const token = new URLSearchParams(url.slice(path.length + 1)).get('access_token') ?? '';
      const answer = operations.tokeninfo(token);
      return send(res, answer.status, answer.body, answer.reason);
    }
    if (req.method !== 'POST') {
      req.resume();
      return send(res, 405, {
        error: { code: 405, message: `Method ${req.method ?? ''} is not allowed; use POST.`, status: 'METHOD_NOT_ALLOWED' },
      });
    }
    readBody(req, (result) => {
      if ('error' in result) {
        send(res, result.error.status, { error: 'invalid_request', error_description: result.error.message }, 'the body could not be read');
        return;
      }
      const generate = GENERATE.exec(path);
      const run =
        generate === null
          ? operations.token(req.headers['content-type'], result.body)
          : operations.generateAccessToken(
              decode(generate[1] as string),
              decode(generate[2] as string),
              req.headers.authorization,
              result.body,
            );
      run.then(
        (answer) => send(res, answer.status, answer.body, answer.reason),
        (err: unknown) => internal(res, err),
      );
    });
  };
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
