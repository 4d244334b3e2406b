/**
 * What node:http would answer by itself, with an empty body, before any request handler runs: a request it cannot
 * parse (400), a header section over the limit (431), a request that took too long (408), an Expect header it does
 * not know (417). Here they are STS error documents too, so no request path ever gets an answer that is not STS XML
 * (README "Errors").
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { StsError } from '../protocol/errors.js';
import { errorAnswer, rawAnswer, writeAnswer } from './answer.js';
import { answeredEarly, failBody } from './body.js';

/** Request line + headers may be this large: a GET carrying a 20,000-character token fits. */
export const MAX_HEADER_BYTES = 64 * 1024;

function errorFor(code: string | undefined): StsError {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return new StsError('RequestHeaderSectionTooLarge', `Request header section exceeds the limit of ${MAX_HEADER_BYTES} bytes`);
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new StsError('RequestTimeout', 'The request was not received in time');
    default:
      return new StsError('MalformedHttpRequest', 'The request is not valid HTTP/1.1');
  }
}

/** An HTTP/1.1 request without Host (node would answer an empty 400): STS XML, and the connection closes. */
export function refuseHostless(req: IncomingMessage, res: ServerResponse, requestId: string): void {
  req.resume();
  writeAnswer(res, errorAnswer(new StsError('MalformedHttpRequest', 'The request is not valid HTTP/1.1'), requestId), [
    'Connection',
    'close',
  ]);
}

/** The last request that arrived on a socket, with its answer (a property on the socket: no map to keep up). */
const LAST_REQUEST = Symbol('sts-emulator.lastRequest');
type Tracked = Duplex & { [LAST_REQUEST]?: { readonly req: IncomingMessage; readonly res: ServerResponse } };

/** Call for every request: while its answer is pending, a parse error on its socket lets the answer go out first. */
export function trackPending(req: IncomingMessage, res: ServerResponse): void {
  (req.socket as Tracked)[LAST_REQUEST] = { req, res };
}

/** The request of this socket whose answer is not written yet, if any. */
function pendingOn(socket: Duplex): { readonly req: IncomingMessage; readonly res: ServerResponse } | undefined {
  const last = (socket as Tracked)[LAST_REQUEST];
  return last !== undefined && !last.res.writableFinished && !last.res.destroyed ? last : undefined;
}

export function answerClientErrors(server: Server, requestId: () => string): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const inHand = pendingOn(socket);
    if (inHand !== undefined) {
      // The request in hand is answered first (a body still being read fails with node's refusal: a request timeout,
      // a parse error); then the connection closes, since the bytes after the error cannot be read.
      const { req, res } = inHand;
      res.shouldKeepAlive = false;
      res.once('finish', () => socket.destroy());
      res.once('close', () => socket.destroy());
      failBody(req, errorFor(err.code));
      return;
    }
    // Answered already (its body refused and being discarded): no second answer.
    if (answeredEarly.has(socket)) {
      socket.destroy();
      return;
    }
    socket.end(rawAnswer(errorAnswer(errorFor(err.code), requestId())));
  });
  // CONNECT is not the AWS query protocol, and node would close the socket without a word.
  server.on('connect', (_req: IncomingMessage, socket: Duplex) => {
    socket.on('error', () => undefined);
    socket.end(rawAnswer(errorAnswer(new StsError('MalformedHttpRequest', 'The request is not valid HTTP/1.1'), requestId())));
  });
  server.on('checkExpectation', (_req: IncomingMessage, res: ServerResponse) => {
    const answer = errorAnswer(new StsError('ExpectationFailed', 'Only "Expect: 100-continue" is supported'), requestId());
    writeAnswer(res, answer, ['Connection', 'close']);
  });
}
