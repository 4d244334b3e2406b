/**
 * The JSON road (src/server/json-road.ts): a service is chosen by path; its body is read through the one bounded
 * reader (not for GET/HEAD); its answer is written as JSON with an exact length and the reason header on a refusal
 * only; a thrown bug or a rejected answer is logged and answered as the service's own 500; a decision goes to
 * `recorded` as an audit record with time and request id; `/` always stays AWS's.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import type { JsonRequest, JsonService } from '../../src/protocol/index.js';
import { MAX_BODY_BYTES } from '../../src/protocol/index.js';
import { createStsServer, stopGracefully, type AuditRecord } from '../../src/server/index.js';
import { stsOperations } from '../../src/sts/index.js';

const seen: JsonRequest[] = [];
const records: AuditRecord[] = [];
const failures: string[] = [];

const service: JsonService = {
  label: 'a test service',
  owns: (path) => path.startsWith('/svc/') || path === '/',
  internalError: { status: 500, body: { oops: true } },
  bodyError: (status, message) => ({ status, body: { bodyError: message } }),
  async answer(request) {
    seen.push(request);
    switch (request.path) {
      case '/svc/throw':
        throw new Error('a bug');
      case '/svc/refuse':
        return {
          status: 403,
          body: { refused: true },
          reason: 'not today\n',
          audit: {
            action: 'svc:Login',
            role: 'r',
            sessionName: null,
            subject: 's',
            issuer: 'i',
            decision: 'deny',
            errorCode: 'Forbidden',
            message: 'no',
            reason: 'not today',
            trace: { step: 1 },
            nearMisses: [],
          },
        };
      case '/svc/five':
        return { status: 503, body: { down: true }, reason: 'never sent' };
      case '/svc/empty':
        return { status: 204, headers: { 'X-Extra': 'yes' } };
      default:
        return { status: 200, body: { method: request.method, body: request.body, q: request.query.get('q') } };
    }
  },
};

let url = '';
const server = createStsServer({
  operations: stsOperations({} as never),
  clock: () => new Date('2026-12-06T00:00:00Z'),
  requestId: () => 'req-1',
  services: () => [service],
  recorded: (r) => records.push(r),
  failureLog: (err, where) => failures.push(`${where}: ${(err as Error).message}`),
});
before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => stopGracefully(server, 100));

test('a POST body reaches the service; the query string is parsed; the answer is JSON with its length', async () => {
  const res = await fetch(`${url}/svc/echo?q=a%20b`, { method: 'POST', body: '{"x":1}' });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/json; charset=UTF-8');
  const text = await res.text();
  assert.equal(res.headers.get('content-length'), String(Buffer.byteLength(text)));
  assert.deepEqual(JSON.parse(text), { method: 'POST', body: '{"x":1}', q: 'a b' });
  assert.equal(seen.at(-1)?.path, '/svc/echo');
});

test('GET and HEAD bodies are not read', async () => {
  const res = await fetch(`${url}/svc/echo`);
  assert.deepEqual(await res.json(), { method: 'GET', body: '', q: null });
  const head = await fetch(`${url}/svc/echo`, { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(await head.text(), '');
});

test('a refusal carries the reason header (made safe); a 5xx never does; a decision is recorded with time and id', async () => {
  const before = records.length;
  const res = await fetch(`${url}/svc/refuse`, { method: 'POST', body: '' });
  assert.equal(res.status, 403);
  assert.equal(res.headers.get('x-sts-emulator-reason'), 'not today?');
  assert.deepEqual(await res.json(), { refused: true });
  assert.equal(records.length, before + 1);
  const record = records.at(-1) as AuditRecord;
  assert.equal(record.time, '2026-12-06T00:00:00.000Z');
  assert.equal(record.requestId, 'req-1');
  assert.equal(record.action, 'svc:Login');
  assert.equal(record.decision, 'deny');
  const five = await fetch(`${url}/svc/five`, { method: 'POST' });
  assert.equal(five.status, 503);
  assert.equal(five.headers.get('x-sts-emulator-reason'), null);
  await five.text();
  assert.equal(records.length, before + 1, 'an answer without audit fields records nothing');
});

test('an answer without a body sends none; its headers are added', async () => {
  const res = await fetch(`${url}/svc/empty`, { method: 'DELETE' });
  assert.equal(res.status, 204);
  assert.equal(res.headers.get('x-extra'), 'yes');
  assert.equal(await res.text(), '');
});

test("a thrown bug is logged and answered as the service's 500", async () => {
  const res = await fetch(`${url}/svc/throw`, { method: 'POST', body: 'x' });
  assert.equal(res.status, 500);
  assert.deepEqual(await res.json(), { oops: true });
  assert.deepEqual(failures, ['a test service: a bug']);
});

test("a body over the limit is the service's bodyError (413), before the service is asked", async () => {
  const count = seen.length;
  const res = await fetch(`${url}/svc/echo`, { method: 'POST', body: 'x'.repeat(MAX_BODY_BYTES + 1) });
  assert.equal(res.status, 413);
  assert.match(((await res.json()) as { bodyError: string }).bodyError, /exceeds the limit/);
  assert.equal(seen.length, count);
});

test("`/` stays AWS's even when a service claims it", async () => {
  const res = await fetch(`${url}/?Action=GetCallerIdentity&Version=2011-06-15`);
  assert.equal(res.headers.get('content-type'), 'text/xml');
  await res.text();
});
