/**
 * JWKS URIs and OpenID discovery against a local server (P4-P7): timeouts, huge bodies, redirects,
 * non-JSON, issuer mismatch, caching, single-flight under concurrency, and no requests driven by
 * token contents.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { MESSAGES } from '../../src/protocol/errors.js';
import { createTokenVerifier, type TokenVerifierOptions } from '../../src/identity/verifier.js';
import type { KeySource, OidcProvider } from '../../src/identity/types.js';
import { assertSts, jwks, makeKey, makeProvider, makeToken, NOW, standardClaims } from '../helpers/identity-tokens.js';
import { sendJson, startServer, type TestServer } from '../helpers/identity-server.js';

const rsa = await makeKey('rsa', 'rsa-1');
const NO_KEY = MESSAGES.couldNotRetrieveKey;

let server: TestServer;
let canary: TestServer;
let flakyCount = 0;
const hanging = new Set<import('node:http').ServerResponse>();

before(async () => {
  canary = await startServer((_req, res) => sendJson(res, {}));
  server = await startServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const base = server.url;
    const discovery = (name: string, doc: Record<string, unknown>): boolean => {
      if (path !== `/${name}/.well-known/openid-configuration`) return false;
      sendJson(res, doc);
      return true;
    };
    if (path === '/jwks') return sendJson(res, jwks(rsa));
    if (path === '/hang') {
      hanging.add(res);
      return; // never answers
    }
    if (path === '/trickle') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"keys":[');
      const timer = setInterval(() => res.write(' '), 50);
      res.on('close', () => clearInterval(timer));
      return;
    }
    if (path === '/huge') {
      res.writeHead(200, { 'content-type': 'application/json' }); // chunked, no content-length
      const chunk = ' '.repeat(64 * 1024);
      let sent = 0;
      const push = (): void => {
        while (sent < 4 * 1024 * 1024) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', push);
        }
        res.end(JSON.stringify(jwks(rsa)));
      };
      res.on('error', () => undefined);
      return push();
    }
    if (path === '/huge-declared') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(50 * 1024 * 1024) });
      res.write('{');
      return; // the declared length alone must be refused
    }
    if (path === '/redirect') {
      res.writeHead(302, { location: `${base}/jwks` });
      return res.end();
    }
    if (path === '/notjson') {
      res.writeHead(200, { 'content-type': 'text/html' });
      return res.end('<html>hello</html>');
    }
    if (path === '/notjwks') return sendJson(res, { hello: 'world' });
    if (path === '/500') return sendJson(res, { keys: [] }, 500);
    if (path === '/empty') return sendJson(res, { keys: [] });
    if (discovery('good', { issuer: `${base}/good`, jwks_uri: `${base}/jwks` })) return;
    if (discovery('good2', { issuer: `${base}/good2`, jwks_uri: `${base}/jwks` })) return;
    if (discovery('good3', { issuer: `${base}/good3`, jwks_uri: `${base}/jwks` })) return;
    if (discovery('mismatch', { issuer: `${base}/other`, jwks_uri: `${base}/jwks` })) return;
    if (discovery('slash', { issuer: `${base}/slash/`, jwks_uri: `${base}/jwks` })) return;
    if (discovery('plainhttp', { issuer: `${base}/plainhttp`, jwks_uri: 'http://example.com/jwks' })) return;
    if (discovery('nojwks', { issuer: `${base}/nojwks` })) return;
    if (discovery('redirectjwks', { issuer: `${base}/redirectjwks`, jwks_uri: `${base}/redirect` })) return;
    if (path === '/array/.well-known/openid-configuration') return sendJson(res, [1]);
    if (path === '/flaky/.well-known/openid-configuration') {
      flakyCount++;
      if (flakyCount === 1) return sendJson(res, {}, 503);
      return sendJson(res, { issuer: `${base}/flaky`, jwks_uri: `${base}/jwks` });
    }
    if (path === '/hangdisc/.well-known/openid-configuration') {
      hanging.add(res);
      return;
    }
    res.writeHead(404);
    res.end();
  });
});

after(async () => {
  for (const res of hanging) res.destroy();
  await server.close();
  await canary.close();
});

function uriProvider(path: string, url = `https://uri${path.replace(/\W/g, '-')}.example.com`): OidcProvider {
  return makeProvider(url, { kind: 'uri', uri: `${server.url}${path}` });
}
function discoveryProvider(name: string): OidcProvider {
  return makeProvider(`${server.url}/${name}`, { kind: 'discovery' } as KeySource);
}
function tokenFor(provider: OidcProvider, claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}): string {
  return makeToken({ key: rsa, header, claims: standardClaims({ iss: provider.url, ...claims }) });
}
// Fetch timeout: far above a loopback answer on a loaded machine, short enough for the hang rows to end soon.
const fast: TokenVerifierOptions = { timeoutMs: 1500, maxResponseBytes: 64 * 1024 };

test('JWKS URI: verifies, and later tokens reuse the fetched set', async () => {
  const p = uriProvider('/jwks');
  const v = createTokenVerifier([p], fast);
  const before = server.hits.get('/jwks') ?? 0;
  for (let i = 0; i < 5; i++) await v.verify(tokenFor(p, { jti: `t${i}` }), NOW);
  assert.equal((server.hits.get('/jwks') ?? 0) - before, 1);
});

test('JWKS URI: 100 parallel verifications of different tokens make one fetch', async () => {
  const p = uriProvider('/jwks');
  const v = createTokenVerifier([p], fast);
  const before = server.hits.get('/jwks') ?? 0;
  const results = await Promise.all(Array.from({ length: 100 }, (_, i) => v.verify(tokenFor(p, { jti: `p${i}` }), NOW)));
  assert.equal(results.length, 100);
  assert.equal((server.hits.get('/jwks') ?? 0) - before, 1);
});

test('JWKS URI: 100 parallel verifications of one token make one fetch and agree', async () => {
  const p = uriProvider('/jwks');
  const v = createTokenVerifier([p], fast);
  const before = server.hits.get('/jwks') ?? 0;
  const token = tokenFor(p);
  const results = await Promise.all(Array.from({ length: 100 }, () => v.verify(token, NOW)));
  assert.ok(results.every((r) => r.audience === results[0]?.audience && r.claims['sub'] === results[0]?.claims['sub']));
  assert.equal((server.hits.get('/jwks') ?? 0) - before, 1);
});

test('JWKS URI: 50 unknown kids make one refresh between them, then none within the cooldown (P7)', async () => {
  const p = uriProvider('/jwks');
  const v = createTokenVerifier([p], fast);
  await v.verify(tokenFor(p), NOW);
  const before = server.hits.get('/jwks') ?? 0;
  for (const wave of ['random', 'again']) {
    const outcomes = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) => v.verify(tokenFor(p, {}, { kid: `${wave}-${i}` }), NOW)),
    );
    assert.ok(outcomes.every((o) => o.status === 'rejected'));
    for (const o of outcomes) if (o.status === 'rejected') await assertSts(Promise.reject(o.reason), 'InvalidIdentityToken', NO_KEY);
  }
  assert.equal((server.hits.get('/jwks') ?? 0) - before, 1);
});

const failing: { name: string; path: string; reason: RegExp; maxMs?: number }[] = [
  { name: 'server that never answers (timeout)', path: '/hang', reason: /TIMEOUT/, maxMs: 4000 },
  { name: 'body that trickles forever (timeout covers the body)', path: '/trickle', reason: /TIMEOUT/, maxMs: 4000 },
  { name: 'huge chunked body (byte cap)', path: '/huge', reason: /exceeds 65536 bytes/ },
  { name: 'huge declared Content-Length (byte cap)', path: '/huge-declared', reason: /exceeds 65536 bytes/ },
  { name: 'redirect is not followed', path: '/redirect', reason: /Expected 200/ },
  { name: 'non-JSON body', path: '/notjson', reason: /parse/ },
  { name: 'JSON that is not a JWKS', path: '/notjwks', reason: /JWKS|malformed/i },
  { name: 'HTTP 500', path: '/500', reason: /Expected 200/ },
  { name: 'HTTP 404', path: '/missing', reason: /Expected 200/ },
  { name: 'empty key set', path: '/empty', reason: /NO_MATCHING_KEY/ },
];

for (const c of failing) {
  test(`JWKS URI: ${c.name} -> "Couldn't retrieve verification key"`, async () => {
    const p = uriProvider(c.path);
    const v = createTokenVerifier([p], fast);
    const started = Date.now();
    const err = await assertSts(v.verify(tokenFor(p), NOW), 'InvalidIdentityToken', NO_KEY);
    assert.match(err.reason ?? '', c.reason);
    if (c.maxMs !== undefined) assert.ok(Date.now() - started < c.maxMs, `took ${Date.now() - started} ms`);
  });
}

test('JWKS URI: a redirect target is never requested', async () => {
  const before = server.hits.get('/jwks') ?? 0;
  const p = uriProvider('/redirect');
  const v = createTokenVerifier([p], fast);
  await assertSts(v.verify(tokenFor(p), NOW), 'InvalidIdentityToken', NO_KEY);
  assert.equal((server.hits.get('/jwks') ?? 0) - before, 0);
});

test('JWKS URI: connection refused', async () => {
  const closed = await startServer(() => undefined);
  const url = closed.url;
  await closed.close();
  const p = makeProvider('https://refused.example.com', { kind: 'uri', uri: `${url}/jwks` });
  await assertSts(createTokenVerifier([p], fast).verify(tokenFor(p), NOW), 'InvalidIdentityToken', NO_KEY);
});

test('JWKS URI: plain http off loopback is refused without a request', async () => {
  let calls = 0;
  const countingFetch = ((...args: Parameters<typeof fetch>) => {
    calls++;
    return fetch(...args);
  }) as typeof fetch;
  const p = makeProvider('https://plain.example.com', { kind: 'uri', uri: 'http://example.com/jwks' });
  await assertSts(createTokenVerifier([p], { ...fast, fetch: countingFetch }).verify(tokenFor(p), NOW), 'InvalidIdentityToken', NO_KEY);
  assert.equal(calls, 0);
});

test('a fetch that ignores its abort signal still times out', async () => {
  const neverFetch = (() => new Promise<Response>(() => undefined)) as typeof fetch;
  const p = makeProvider('https://never.example.com', { kind: 'uri', uri: 'https://never.example.com/jwks' });
  const started = Date.now();
  await assertSts(createTokenVerifier([p], { timeoutMs: 100, fetch: neverFetch }).verify(tokenFor(p), NOW), 'InvalidIdentityToken', NO_KEY);
  assert.ok(Date.now() - started < 2000);
});

test('the fetch option is used for key retrieval', async () => {
  let calls = 0;
  const countingFetch = ((...args: Parameters<typeof fetch>) => {
    calls++;
    return fetch(...args);
  }) as typeof fetch;
  const p = uriProvider('/jwks');
  await createTokenVerifier([p], { ...fast, fetch: countingFetch }).verify(tokenFor(p), NOW);
  assert.equal(calls, 1);
});

test('discovery: document and JWKS fetched once across verifications', async () => {
  const p = discoveryProvider('good');
  const v = createTokenVerifier([p], fast);
  const d0 = server.hits.get('/good/.well-known/openid-configuration') ?? 0;
  const j0 = server.hits.get('/jwks') ?? 0;
  for (let i = 0; i < 5; i++) await v.verify(tokenFor(p, { jti: `d${i}` }), NOW);
  assert.equal((server.hits.get('/good/.well-known/openid-configuration') ?? 0) - d0, 1);
  assert.equal((server.hits.get('/jwks') ?? 0) - j0, 1);
});

test('discovery: 100 parallel verifications make one discovery and one JWKS fetch', async () => {
  const p = discoveryProvider('good2');
  const v = createTokenVerifier([p], fast);
  const j0 = server.hits.get('/jwks') ?? 0;
  await Promise.all(Array.from({ length: 100 }, (_, i) => v.verify(tokenFor(p, { jti: `c${i}` }), NOW)));
  assert.equal(server.hits.get('/good2/.well-known/openid-configuration'), 1);
  assert.equal((server.hits.get('/jwks') ?? 0) - j0, 1);
});

test('discovery: a failure is retried on the first verification after the cooldown', async () => {
  const p = discoveryProvider('flaky');
  let clock = NOW.getTime();
  const v = createTokenVerifier([p], { ...fast, cooldownMs: 1000, clock: () => clock });
  await assertSts(v.verify(tokenFor(p), NOW), 'InvalidIdentityToken', NO_KEY);
  await assertSts(v.verify(tokenFor(p), NOW), 'InvalidIdentityToken', NO_KEY); // within the cooldown: no request
  clock += 1000;
  await v.verify(tokenFor(p), NOW);
  await v.verify(tokenFor(p, { jti: 'again' }), NOW);
  assert.equal(server.hits.get('/flaky/.well-known/openid-configuration'), 2);
});

test('discovery: issuer mismatch is refused and its jwks_uri never fetched', async () => {
  const p = discoveryProvider('mismatch');
  const j0 = server.hits.get('/jwks') ?? 0;
  const err = await assertSts(createTokenVerifier([p], fast).verify(tokenFor(p), NOW), 'InvalidIdentityToken', NO_KEY);
  assert.match(err.reason ?? '', /issuer/);
  assert.equal((server.hits.get('/jwks') ?? 0) - j0, 0);
});

test('discovery: a registered URL with a trailing slash finds <url-without-slash>/.well-known', async () => {
  const p = makeProvider(`${server.url}/slash/`, { kind: 'discovery' });
  await createTokenVerifier([p], fast).verify(tokenFor(p), NOW);
  assert.equal(server.hits.get('/slash/.well-known/openid-configuration'), 1);
});

const badDiscovery: { name: string; provider: () => OidcProvider }[] = [
  { name: 'jwks_uri over plain http off loopback', provider: () => discoveryProvider('plainhttp') },
  { name: 'jwks_uri missing', provider: () => discoveryProvider('nojwks') },
  { name: 'document is a JSON array', provider: () => discoveryProvider('array') },
  { name: 'document missing (404)', provider: () => discoveryProvider('nothing-here') },
  { name: 'jwks_uri redirects', provider: () => discoveryProvider('redirectjwks') },
  { name: 'document never arrives', provider: () => discoveryProvider('hangdisc') },
  { name: 'issuer URL over plain http off loopback', provider: () => makeProvider('http://example.com/x', { kind: 'discovery' }) },
];
for (const c of badDiscovery) {
  test(`discovery: ${c.name} -> "Couldn't retrieve verification key"`, async () => {
    const p = c.provider();
    await assertSts(createTokenVerifier([p], fast).verify(tokenFor(p), NOW), 'InvalidIdentityToken', NO_KEY);
  });
}

test('an unregistered iss pointing at a server causes no request (P4)', async () => {
  const p = uriProvider('/jwks');
  const v = createTokenVerifier([p], fast);
  const before = canary.total();
  for (const iss of [canary.url, `${canary.url}/`, `${canary.url}/.well-known/openid-configuration`]) {
    await assertSts(v.verify(tokenFor(p, { iss }), NOW), 'InvalidIdentityToken', MESSAGES.noProvider(iss));
  }
  assert.equal(canary.total() - before, 0);
});

test('jku, x5u and kid pointing at a server cause no request (J6, J7)', async () => {
  const p = discoveryProvider('good3');
  const v = createTokenVerifier([p], fast);
  const before = canary.total();
  const header = { jku: `${canary.url}/jwks`, x5u: `${canary.url}/x5u` };
  const ok = await v.verify(tokenFor(p, {}, header), NOW);
  assert.equal(ok.header['jku'], `${canary.url}/jwks`);
  const attacker = await makeKey('rsa', 'rsa-1');
  await assertSts(
    v.verify(makeToken({ key: attacker, header, claims: standardClaims({ iss: p.url }) }), NOW),
    'InvalidIdentityToken',
    MESSAGES.invalidIdentityToken,
  );
  await assertSts(v.verify(tokenFor(p, {}, { kid: `${canary.url}/kid` }), NOW), 'InvalidIdentityToken', NO_KEY);
  assert.equal(canary.total() - before, 0);
});
