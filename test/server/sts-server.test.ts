/**
 * The one server (createStsServer): requests are routed by kind (the emulator's own routes to Express, everything
 * else to the query-protocol road, which never loads Express), the default timeouts are serve's, and what node
 * refuses before a request exists is answered as STS XML through the same renderer.
 * Runs in its own process (scripts/run-tests.js): it asks whether the process has loaded Express.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import net from 'node:net';
import { after, test } from 'node:test';
import { auditTo, createStsServer, DEFAULT_TIMEOUTS, type AuditRecord } from '../../src/server/index.js';
import { isEmulatorRoute } from '../../src/server/emulator-app.js';
import { circleToken, CIRCLE_ORG, form, startServer, webIdentityParams } from '../helpers/harness.js';
import { parseXml } from './helpers.js';

const server = await startServer({ timeouts: { headersMs: 300, requestMs: 600, checkIntervalMs: 50 } });
after(() => server.close());

const loaded = (): boolean => Object.keys(createRequire(import.meta.url).cache).some((k) => k.includes('/node_modules/express/'));

test('query-protocol requests of every shape never load Express', async () => {
  const token = await circleToken({ branch: 'main' });
  const sends = [
    fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form(webIdentityParams(token)),
    }),
    fetch(`${server.url}/?Action=GetCallerIdentity&Version=2011-06-15`),
    fetch(`${server.url}/some/path`, { method: 'PUT', body: 'Action=Nope&Version=2011-06-15' }),
    fetch(`${server.url}/oidc/unknown.example.com/.well-known/jwks.json`),
  ];
  for (const res of await Promise.all(sends)) {
    assert.equal(res.headers.get('content-type'), 'text/xml');
    await res.text();
  }
  assert.equal(loaded(), false, 'Express was loaded by a query-protocol request');
  const jwks = await fetch(`${server.url}/oidc/oidc.circleci.com/org/${CIRCLE_ORG}/.well-known/jwks.json`);
  assert.equal(jwks.status, 200);
  assert.match(jwks.headers.get('content-type') ?? '', /^application\/json/);
  await jwks.text();
  assert.equal(loaded(), true, 'the first emulator route loads Express');
});

const routes: readonly { method: string; url: string; emulator: boolean }[] = [
  { method: 'GET', url: '/oidc/a.example/.well-known/jwks.json', emulator: true },
  { method: 'HEAD', url: '/oidc/a.example/.well-known/jwks.json', emulator: true },
  { method: 'GET', url: '/oidc/a.example/.well-known/jwks.json?x=1', emulator: true },
  { method: 'GET', url: '/OIDC/A.example/.well-known/JWKS.json/', emulator: true },
  { method: 'POST', url: '/oidc/a.example/.well-known/jwks.json', emulator: false },
  { method: 'GET', url: '/oidc/b.example/.well-known/jwks.json', emulator: false },
  { method: 'GET', url: '/oidc/a.example/.well-known/jwks.json//', emulator: false },
  { method: 'POST', url: '/_emulator/anything', emulator: true },
  { method: 'GET', url: '/_emulator', emulator: false },
  { method: 'POST', url: '/', emulator: false },
  { method: 'GET', url: 'http://host/_emulator/x', emulator: false },
];
for (const r of routes) {
  test(`route: ${r.method} ${r.url} -> ${r.emulator ? 'emulator (Express)' : 'query protocol'}`, () => {
    assert.equal(isEmulatorRoute(r.method, r.url, new Set(['/oidc/a.example/.well-known/jwks.json'])), r.emulator);
  });
}

test('the reserved /_emulator/ prefix answers JSON, not STS XML', async () => {
  const res = await fetch(`${server.url}/_emulator/nothing-here`, { method: 'POST', body: 'Action=GetCallerIdentity&Version=2011-06-15' });
  assert.equal(res.status, 404);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  assert.deepEqual(await res.json(), { error: 'NotFound', message: 'no emulator route POST /_emulator/nothing-here' });
});

test("the default timeouts are serve's: headers 5 s, request 10 s, keep-alive 5 s", () => {
  const s = createStsServer({ operations: {}, clock: () => new Date() });
  assert.equal(s.headersTimeout, DEFAULT_TIMEOUTS.headersMs);
  assert.equal(s.requestTimeout, DEFAULT_TIMEOUTS.requestMs);
  assert.equal(s.keepAliveTimeout, DEFAULT_TIMEOUTS.keepAliveMs);
  assert.deepEqual(DEFAULT_TIMEOUTS, { headersMs: 5_000, requestMs: 10_000, keepAliveMs: 5_000, checkIntervalMs: 1_000 });
});

/** Writes raw bytes and returns everything the server sends before it closes. */
function rawExchange(text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    const s = net.connect(server.port, '127.0.0.1', () => s.write(text));
    s.on('data', (d) => void (data += d.toString()));
    s.on('error', () => undefined);
    s.on('close', () => resolve(data));
    setTimeout(() => {
      s.destroy();
      reject(new Error(`no close; got ${JSON.stringify(data.slice(0, 200))}`));
    }, 10_000).unref();
  });
}

const refusals: readonly [string, string, number, string][] = [
  ['garbage', 'NOT HTTP AT ALL\r\n\r\n', 400, 'MalformedHttpRequest'],
  [
    'headers over 64 KiB',
    `GET /?Action=GetCallerIdentity HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(70_000)}\r\n\r\n`,
    431,
    'RequestHeaderSectionTooLarge',
  ],
  ['Expect: something', 'POST / HTTP/1.1\r\nHost: x\r\nExpect: something\r\nContent-Length: 0\r\n\r\n', 417, 'ExpectationFailed'],
  ['a head that never ends', 'POST / HTTP/1.1\r\nHost: x\r\nX-Slow: ', 408, 'RequestTimeout'],
];
for (const [name, text, status, code] of refusals) {
  test(`refused before a request exists: ${name} -> ${status} ${code}, STS XML, connection closed`, async () => {
    const answer = await rawExchange(text);
    assert.match(answer, new RegExp(`^HTTP/1\\.1 ${status} `));
    const [head, body] = answer.split('\r\n\r\n') as [string, string];
    assert.match(head, /\r\nContent-Type: text\/xml\r\n/);
    assert.match(head, /\r\nConnection: close/);
    assert.match(head, new RegExp(`\\r\\nContent-Length: ${Buffer.byteLength(body)}\\r\\n`));
    const doc = await parseXml(body);
    assert.equal(((doc['ErrorResponse'] as Record<string, unknown>)['Error'] as Record<string, string>)['Code'], code);
  });
}

// ---- protocol corners (issue 14, item 13) ----

test('an HTTP/1.1 request without Host is MalformedHttpRequest as STS XML (node alone answers an empty 400)', async () => {
  const answer = await rawExchange(
    'POST / HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 43\r\n\r\nAction=GetCallerIdentity&Version=2011-06-15',
  );
  assert.match(answer, /^HTTP\/1\.1 400 /);
  const [head, body] = answer.split('\r\n\r\n') as [string, string];
  assert.match(head, /\r\nConnection: close/);
  const doc = await parseXml(body);
  assert.equal(((doc['ErrorResponse'] as Record<string, unknown>)['Error'] as Record<string, string>)['Code'], 'MalformedHttpRequest');
});

test('an HTTP/1.0 request needs no Host: it is served', async () => {
  const answer = await rawExchange(
    'POST / HTTP/1.0\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 43\r\n\r\nAction=GetCallerIdentity&Version=2011-06-15',
  );
  assert.match(answer, /^HTTP\/1\.1 403 /);
  assert.match(answer, /<Code>MissingAuthenticationToken<\/Code>/);
});

test('a Content-Length over the limit is answered 413 at once, not after the request timeout', async () => {
  const patient = await startServer(); // serve's timeouts: the request timeout is 10 s
  try {
    const started = Date.now();
    const first = await new Promise<string>((resolve, reject) => {
      let data = '';
      const s = net.connect(patient.port, '127.0.0.1', () =>
        s.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 200000\r\n\r\n'),
      );
      s.on('data', (d) => {
        data += d.toString();
        if (data.includes('</ErrorResponse>')) {
          s.destroy();
          resolve(data);
        }
      });
      s.on('error', reject);
    });
    assert.ok(Date.now() - started < 5_000, `answered after ${Date.now() - started} ms`);
    assert.match(first, /^HTTP\/1\.1 413 /);
    assert.match(first, /<Code>RequestEntityTooLarge<\/Code>/);
  } finally {
    await patient.close();
  }
});

test('a refused body that never comes: one answer, then the request timeout closes the connection without a second', async () => {
  const answer = await rawExchange(
    'POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 200000\r\n\r\nAction=',
  );
  assert.equal(answer.match(/HTTP\/1\.1 /g)?.length, 1, answer);
  assert.match(answer, /^HTTP\/1\.1 413 /);
});

test('an answer that fails to render is a bug: InternalFailure 500, logged once, audited, the server keeps serving', async () => {
  const logged: string[] = [];
  const audit: { errorCode: string | null }[] = [];
  const broken = createStsServer({
    // A result the XML renderer cannot write (an object where text or elements belong).
    operations: {
      Broken: async () => ({ ok: true, action: 'Broken', result: [['Value', {} as unknown as string]], audit: { action: 'Broken' } }),
    },
    clock: () => new Date(0),
    answered: auditTo((r) => void audit.push(r)),
    failureLog: (err) => void logged.push(String(err)),
  });
  await new Promise<void>((resolve) => broken.listen(0, '127.0.0.1', resolve));
  try {
    const port = (broken.address() as net.AddressInfo).port;
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`http://127.0.0.1:${port}/?Action=Broken&Version=2011-06-15`);
      assert.equal(res.status, 500);
      assert.match(await res.text(), /<Code>InternalFailure<\/Code>/);
    }
    assert.equal(logged.length, 2, 'each failure reaches the failure log (which limits repeats itself)');
    assert.deepEqual(
      audit.map((r) => r.errorCode),
      ['InternalFailure', 'InternalFailure'],
    );
  } finally {
    broken.close();
  }
});
