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
import { answeredEarly } from './body.js';

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
  writeAnswer(res, errorAnswer(new StsError('MalformedHttpRequest', 'The request is not valid HTTP/1.1'), requestId), ['Connection', 'close']);
}

export function answerClientErrors(server: Server, requestId: () => string): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (err.code === 'ECONNRESET' || !socket.writable || answeredEarly.has(socket)) {
      socket.destroy();
      return;
    }
    socket.end(rawAnswer(errorAnswer(errorFor(err.code), requestId())));
  });
  server.on('checkExpectation', (_req: IncomingMessage, res: ServerResponse) => {
    const answer = errorAnswer(new StsError('ExpectationFailed', 'Only "Expect: 100-continue" is supported'), requestId());
    writeAnswer(res, answer, ['Connection', 'close']);
  });
}
