/**
 * The one place an STS (or IAM API) answer becomes HTTP: status, headers (Content-Type text/xml with no charset, as AWS sends it;
 * x-amzn-RequestId; an exact Content-Length; the emulator's reason header on a refusal, never on a 5xx) and the XML
 * body. Written on a ServerResponse, or as raw bytes for what node refuses before any request exists.
 */
import { STATUS_CODES, type ServerResponse } from 'node:http';
import type { StsError } from '../protocol/errors.js';
import { renderError, renderSuccess } from '../protocol/xml.js';
import type { StsOutcome } from '../sts/index.js';

export const REASON_HEADER = 'x-sts-emulator-reason';

export interface Answer {
  readonly status: number;
  /** Header names and values, in wire order. */
  readonly headers: readonly string[];
  readonly body: string;
}

/** The answer to an outcome; `reasonHeader` false leaves the emulator's reason out. */
export function outcomeAnswer(outcome: StsOutcome, requestId: string, reasonHeader: boolean): Answer {
  if (outcome.ok) return xml(200, renderSuccess(outcome.action, outcome.result, requestId, outcome.xmlns), requestId, []);
  return errorAnswer(outcome.error, requestId, reasonHeader, outcome.xmlns);
}

/**
 * The answer to an error, in STS's namespace unless `xmlns` names another (the IAM API's). The reason of a 5xx is
 * the emulator's own fault: logged, never sent.
 */
export function errorAnswer(error: StsError, requestId: string, reasonHeader = false, xmlns?: string): Answer {
  const reason = reasonHeader && error.status < 500 && error.reason !== undefined ? [REASON_HEADER, headerSafe(error.reason)] : [];
  return xml(error.status, renderError(error, requestId, xmlns), requestId, reason);
}

function xml(status: number, body: string, requestId: string, before: readonly string[]): Answer {
  return {
    status,
    headers: [
      ...before,
      'Content-Type',
      'text/xml',
      'x-amzn-RequestId',
      requestId,
      'Content-Length',
      String(Buffer.byteLength(body, 'utf8')),
    ],
    body,
  };
}

/** Header block and body in one write (a string body goes out with the headers; a Buffer would be a second chunk). */
export function writeAnswer(res: ServerResponse, answer: Answer, extraHeaders: readonly string[] = []): void {
  res.writeHead(answer.status, extraHeaders.length === 0 ? [...answer.headers] : [...answer.headers, ...extraHeaders]);
  res.end(answer.body, 'utf8');
}

/** The answer as raw HTTP/1.1 bytes that close the connection, for a socket node gave up on before any request. */
export function rawAnswer(answer: Answer): string {
  let head = `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status] ?? 'Error'}\r\n`;
  for (let i = 0; i < answer.headers.length; i += 2) head += `${answer.headers[i]}: ${answer.headers[i + 1]}\r\n`;
  return `${head}Connection: close\r\n\r\n${answer.body}`;
}

/** Header values must be visible ASCII; keep the reason readable and bounded. */
export function headerSafe(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?').slice(0, 1000);
}
