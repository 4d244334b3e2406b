/**
 * The one bounded reader of request bodies on the query-protocol road: Content-Length or chunked, at most
 * MAX_BODY_BYTES. Refusals come before any byte is read where the headers already decide them: a compressed body
 * (Content-Encoding other than identity) is unreadable (ValidationError), a declared length over the limit is
 * RequestEntityTooLarge at once; a chunked body is refused as soon as it passes the limit. The rest of a refused body
 * is read and discarded, so a client still sending it can read the answer on a connection that stays usable.
 */
import type { IncomingMessage } from 'node:http';
import { StsError } from '../protocol/errors.js';
import { MAX_BODY_BYTES } from '../protocol/query.js';

/**
 * Sockets whose request was answered before its body was read, until that body has been read and discarded: if the
 * rest never comes, node's request timeout closes them without writing a second answer (client-errors.ts). A later
 * request on the same connection is not marked.
 */
export const answeredEarly = new WeakSet<object>();

function markAnsweredEarly(req: IncomingMessage): void {
  const socket = req.socket;
  answeredEarly.add(socket);
  req.once('end', () => answeredEarly.delete(socket));
}

/**
 * A request's body being read can be failed with node's refusal of the rest of the request (client-errors.ts), through
 * an event of the request. Not a function stored on it: a function-valued property added to node's IncomingMessage
 * made V8 keep requests alive through young-generation collections, to be promoted and die in the old generation
 * (bench/README.md, "the failBody property").
 */
const FAIL_BODY = Symbol('sts-emulator.failBody');

/** Fails the body of `req` with `error` if it is still being read; otherwise nothing. */
export function failBody(req: IncomingMessage, error: StsError): void {
  req.emit(FAIL_BODY, error);
}

export type BodyResult = { readonly body: string } | { readonly error: StsError };

export const unreadable = (): StsError => new StsError('ValidationError', 'Could not read the request');
export const tooLarge = (): StsError => new StsError('RequestEntityTooLarge', `Request body exceeds the limit of ${MAX_BODY_BYTES} bytes`);

/** Reads the body of `req`; `done` is called exactly once. */
export function readBody(req: IncomingMessage, done: (result: BodyResult) => void): void {
  const h = req.headers;
  const hasBody = h['transfer-encoding'] !== undefined || h['content-length'] !== undefined;
  const encoding = (h['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (hasBody && encoding !== 'identity') return refuse(req, unreadable(), done);
  const declared = h['content-length'] === undefined ? 0 : Number(h['content-length']);
  if (declared > MAX_BODY_BYTES) return refuse(req, tooLarge(), done);

  const chunks: Buffer[] = [];
  let size = 0;
  let finished = false;
  // The client's FIN before the body is complete: node does not always say so for a request it reads as an upgrade.
  const socket = req.socket;
  const cutShort = (): void => finish({ error: unreadable() });
  socket.once('end', cutShort);
  const finish = (result: BodyResult): void => {
    if (finished) return;
    finished = true;
    socket.off('end', cutShort);
    done(result);
  };
  req.on('data', (chunk: Buffer) => {
    if (finished) return;
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      chunks.length = 0;
      markAnsweredEarly(req);
      finish({ error: tooLarge() });
      return;
    }
    chunks.push(chunk);
  });
  req.once(FAIL_BODY, (error: StsError) => finish({ error }));
  req.on('end', () => finish({ body: (chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)).toString('utf8') }));
  req.on('aborted', () => finish({ error: unreadable() }));
  req.on('error', () => finish({ error: unreadable() }));
}

function refuse(req: IncomingMessage, error: StsError, done: (result: BodyResult) => void): void {
  markAnsweredEarly(req);
  req.on('error', () => undefined);
  req.resume(); // discard what the client still sends
  done({ error });
}
