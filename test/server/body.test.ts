/**
 * The query road's body reader (src/server/body.ts) on a stand-in request: what it reads, what it refuses and when,
 * that `done` is called once, and that node's refusal of the rest of a request (failBody) reaches a body still being
 * read and nothing else. A real IncomingMessage is checked for what readBody leaves on it: listeners only, no property
 * of its own (a function stored on node's request objects kept them alive through young-generation collections).
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { failBody, readBody, type BodyResult } from '../../src/server/body.js';
import { StsError } from '../../src/protocol/errors.js';
import { MAX_BODY_BYTES } from '../../src/protocol/query.js';

type FakeRequest = Readable & { headers: Record<string, string>; socket: EventEmitter };

/** A request whose body is `chunks`, sent one per turn once read (or never ended, with `end: false`). */
function request(headers: Record<string, string>, chunks: readonly (string | Buffer)[], options: { end?: boolean } = {}): FakeRequest {
  const queue = [...chunks];
  const req = new Readable({
    read() {
      setImmediate(() => {
        const next = queue.shift();
        if (next !== undefined) this.push(Buffer.from(next));
        else if (options.end !== false) this.push(null);
      });
    },
  }) as FakeRequest;
  req.headers = headers;
  req.socket = new EventEmitter();
  return req;
}

/** readBody's results for `req` (every call of done, to check there is one), once `settle` has run. */
async function read(req: FakeRequest, settle?: (req: FakeRequest) => void): Promise<BodyResult[]> {
  const results: BodyResult[] = [];
  readBody(req as unknown as IncomingMessage, (r) => results.push(r));
  settle?.(req);
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
  return results;
}

const errorOf = (r: BodyResult | undefined): string =>
  r !== undefined && 'error' in r ? `${r.error.code}: ${r.error.message}` : 'no error';
const bodyOf = (r: BodyResult | undefined): string | undefined => (r !== undefined && 'body' in r ? r.body : undefined);

const UNREADABLE = 'ValidationError: Could not read the request';
const TOO_LARGE = `RequestEntityTooLarge: Request body exceeds the limit of ${MAX_BODY_BYTES} bytes`;

const CASES: readonly {
  name: string;
  headers: Record<string, string>;
  chunks: (string | Buffer)[];
  end?: boolean;
  settle?: (req: FakeRequest) => void;
  body?: string;
  error?: string;
}[] = [
  { name: 'a Content-Length body', headers: { 'content-length': '9' }, chunks: ['Action=Go'], body: 'Action=Go' },
  { name: 'a chunked body in pieces', headers: { 'transfer-encoding': 'chunked' }, chunks: ['Act', 'ion=', 'Go'], body: 'Action=Go' },
  { name: 'no body (a GET)', headers: {}, chunks: [], body: '' },
  {
    name: 'UTF-8 split across chunks',
    headers: { 'content-length': '2' },
    chunks: [Buffer.from([0xc3]), Buffer.from([0xa9])],
    body: '\u00e9',
  },
  {
    name: 'Content-Encoding gzip: refused before reading',
    headers: { 'content-length': '4', 'content-encoding': 'gzip' },
    chunks: ['abcd'],
    error: UNREADABLE,
  },
  {
    name: 'Content-Encoding identity is read',
    headers: { 'content-length': '2', 'content-encoding': ' Identity ' },
    chunks: ['ok'],
    body: 'ok',
  },
  {
    name: 'a declared length over the limit: refused at once',
    headers: { 'content-length': String(MAX_BODY_BYTES + 1) },
    chunks: [],
    error: TOO_LARGE,
  },
  {
    name: 'a chunked body that passes the limit',
    headers: { 'transfer-encoding': 'chunked' },
    chunks: ['x'.repeat(MAX_BODY_BYTES), 'y'],
    error: TOO_LARGE,
  },
  {
    name: "node's refusal of the rest of the request while the body is read",
    headers: { 'content-length': '100' },
    chunks: ['Action='],
    end: false,
    settle: (req) => setImmediate(() => failBody(req as unknown as IncomingMessage, new StsError('RequestTimeout', 'too slow'))),
    error: 'RequestTimeout: too slow',
  },
  {
    name: "the client's FIN before the body is complete",
    headers: { 'content-length': '100' },
    chunks: ['Action='],
    end: false,
    settle: (req) => setImmediate(() => req.socket.emit('end')),
    error: UNREADABLE,
  },
  {
    name: 'a failure after the body was read changes nothing',
    headers: { 'content-length': '2' },
    chunks: ['ok'],
    settle: (req) =>
      req.once('end', () => setImmediate(() => failBody(req as unknown as IncomingMessage, new StsError('RequestTimeout', 'late')))),
    body: 'ok',
  },
];

for (const c of CASES) {
  test(`readBody: ${c.name}`, async () => {
    const results = await read(request(c.headers, c.chunks, c.end === undefined ? {} : { end: c.end }), c.settle);
    assert.equal(results.length, 1, 'done is called exactly once');
    if (c.error !== undefined) assert.equal(errorOf(results[0]), c.error);
    else assert.equal(bodyOf(results[0]), c.body);
  });
}

test('failBody on a request whose body is not being read does nothing', () => {
  const req = request({}, []);
  assert.doesNotThrow(() => failBody(req as unknown as IncomingMessage, new StsError('RequestTimeout', 'x')));
});

test('readBody adds listeners to a real IncomingMessage, and no property of its own', () => {
  const added = (change: (req: IncomingMessage) => void): string[] => {
    const req = new IncomingMessage(new Socket());
    req.headers = { 'content-length': '2' };
    const before = new Set(Reflect.ownKeys(req));
    change(req);
    req.destroy();
    return Reflect.ownKeys(req)
      .filter((k) => !before.has(k))
      .map(String);
  };
  // What listening adds (the emitter's own bookkeeping) is all readBody may add.
  const byListening = added((req) => req.on('end', () => undefined));
  assert.deepEqual(
    added((req) => readBody(req, () => undefined)),
    byListening,
  );
});
