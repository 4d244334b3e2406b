/**
 * Remote key sets over time (issue "Never down, never silent", items 5-8), on an injected clock: a cached set
 * outlives an IdP outage up to the stale bound, failed fetches are cached for the cooldown, discovery is re-checked
 * on the keys' schedule and may not downgrade https to http, and an unknown kid triggers one refresh per cooldown
 * window, so a rotation is picked up at once.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { MESSAGES } from '../../src/protocol/errors.js';
import { createTokenVerifier, type TokenVerifierOptions } from '../../src/identity/verifier.js';
import type { OidcProvider, TokenVerifier } from '../../src/identity/types.js';
import { assertSts, makeKey, makeProvider, makeToken, NOW, standardClaims, type TestKey } from '../helpers/identity-tokens.js';
import { startScriptedIdp, type IdpMode, type ScriptedIdp } from '../helpers/scripted-idp.js';

const keyA = await makeKey('rsa', 'key-a');
const keyB = await makeKey('rsa', 'key-b');
const NO_KEY = MESSAGES.couldNotRetrieveKey;
const MIN = 60_000;
const HOUR = 60 * MIN;
const COOLDOWN = 30_000; // the verifier's default

const idps: ScriptedIdp[] = [];
after(() => Promise.all(idps.map((i) => i.close())));

async function idp(...keys: TestKey[]): Promise<ScriptedIdp> {
  const i = await startScriptedIdp(keys);
  idps.push(i);
  return i;
}

/** A settable clock for the key caches. */
function testClock(): { now: () => number; advance: (ms: number) => void } {
  let t = NOW.getTime();
  return { now: () => t, advance: (ms) => void (t += ms) };
}

let serial = 0;
function token(p: OidcProvider, key: TestKey, header: Record<string, unknown> = {}): string {
  return makeToken({ key, header, claims: standardClaims({ iss: p.url, jti: `t-${++serial}` }) });
}
const byUri = (i: ScriptedIdp): OidcProvider =>
  makeProvider(`https://uri-${i.url.split(':').at(-1) ?? ''}.example.com`, { kind: 'uri', uri: i.jwksUri });
const byDiscovery = (i: ScriptedIdp): OidcProvider => makeProvider(i.url, { kind: 'discovery' });

function verifier(p: OidcProvider, now: () => number, options: TokenVerifierOptions = {}): TokenVerifier {
  return createTokenVerifier([p], { timeoutMs: 300, clock: now, ...options });
}

/**
 * Waits for a failing key fetch in flight: a token whose kid no set holds joins it, and starts none while fetches
 * fail (the cooldown). Only for an IdP that fails: after a success, that token would start a refresh of its own.
 */
async function settle(v: TokenVerifier, p: OidcProvider): Promise<void> {
  await v.verify(token(p, keyA, { kid: 'settle-probe' }), NOW).catch(() => undefined);
}

/** Polls `check` until it holds (a background refresh has landed), failing after 3 s. */
async function eventually(what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  for (const started = Date.now(); Date.now() - started < 3000;) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  assert.fail(`never: ${what}`);
}
const refused = (p: Promise<unknown>): Promise<boolean> =>
  p.then(
    () => false,
    () => true,
  );

// ---- item 5: keep the last good key set while the IdP fails ----

interface Outage {
  readonly name: string;
  readonly options?: TokenVerifierOptions;
  readonly after: number;
  readonly mode: IdpMode;
  readonly accepted: boolean;
  /** The answer must not wait for the failing fetch. */
  readonly maxMs?: number;
}

const outages: readonly Outage[] = [
  {
    name: 'every request is past the max age (cacheMaxAgeMs 0), IdP answers 500',
    options: { cacheMaxAgeMs: 0 },
    after: 0,
    mode: '500',
    accepted: true,
  },
  { name: '11 minutes after the fetch, IdP answers 500', after: 11 * MIN, mode: '500', accepted: true },
  {
    name: '11 minutes after the fetch, IdP hangs: answered without waiting for it',
    options: { timeoutMs: 1500 },
    after: 11 * MIN,
    mode: 'hang',
    accepted: true,
    maxMs: 1000,
  },
  { name: '23 h 59 min after the fetch, IdP answers malformed JSON', after: 24 * HOUR - MIN, mode: 'malformed', accepted: true },
  { name: '24 h 1 min after the fetch: past the stale bound, refused', after: 24 * HOUR + MIN, mode: '500', accepted: false },
  { name: 'staleMs 1 h, 61 minutes after the fetch: refused', options: { staleMs: HOUR }, after: HOUR + MIN, mode: '500', accepted: false },
];

for (const c of outages) {
  test(`outage after cache: ${c.name}`, async () => {
    const i = await idp(keyA);
    const p = byUri(i);
    const clock = testClock();
    const v = verifier(p, clock.now, c.options);
    await v.verify(token(p, keyA), NOW);
    i.setMode(c.mode);
    clock.advance(c.after);
    const started = Date.now();
    const answer = v.verify(token(p, keyA), NOW);
    if (c.accepted) await answer;
    else await assertSts(answer, 'InvalidIdentityToken', NO_KEY);
    if (c.maxMs !== undefined) assert.ok(Date.now() - started < c.maxMs, `answered in ${Date.now() - started} ms`);
    // More requests in the same window: no further fetch (one refresh attempt, then the cooldown).
    for (let n = 0; n < 20; n++) await v.verify(token(p, keyA), NOW).catch(() => undefined);
    assert.equal(i.jwksFetches(), 2);
  });
}

test('outage after cache: a failed background refresh is retried once per cooldown, and success replaces the stale set', async () => {
  const i = await idp(keyA);
  const p = byUri(i);
  const clock = testClock();
  const v = verifier(p, clock.now);
  await v.verify(token(p, keyA), NOW);
  i.setMode('500');
  clock.advance(11 * MIN);
  await v.verify(token(p, keyA), NOW); // stale set, refresh 1 fails in the background
  await settle(v, p);
  clock.advance(COOLDOWN - 1);
  await v.verify(token(p, keyA), NOW);
  assert.equal(i.jwksFetches(), 2);
  clock.advance(1);
  await v.verify(token(p, keyA), NOW); // refresh 2, fails too
  await settle(v, p);
  assert.equal(i.jwksFetches(), 3);
  i.setMode('ok');
  i.serveKeys([keyB]);
  clock.advance(COOLDOWN);
  await v.verify(token(p, keyA), NOW); // still the stale set; refresh 3 succeeds in the background
  await eventually('the refreshed set (key B only) replaces the stale one', () => refused(v.verify(token(p, keyA), NOW)));
  await assertSts(v.verify(token(p, keyA), NOW), 'InvalidIdentityToken', NO_KEY);
  await v.verify(token(p, keyB), NOW);
});

// ---- item 6: failed fetches are cached for the cooldown; concurrent requests share one fetch ----

test('200 requests while the IdP answers 500 make one fetch; the next comes after the cooldown', async () => {
  const i = await idp(keyA);
  i.setMode('500');
  const p = byUri(i);
  const clock = testClock();
  const v = verifier(p, clock.now);
  const concurrent = await Promise.allSettled(Array.from({ length: 100 }, () => v.verify(token(p, keyA), NOW)));
  assert.ok(concurrent.every((o) => o.status === 'rejected'));
  for (let n = 0; n < 100; n++) await assertSts(v.verify(token(p, keyA), NOW), 'InvalidIdentityToken', NO_KEY);
  assert.equal(i.jwksFetches(), 1);
  clock.advance(COOLDOWN - 1);
  await assertSts(v.verify(token(p, keyA), NOW), 'InvalidIdentityToken', NO_KEY);
  assert.equal(i.jwksFetches(), 1);
  clock.advance(1);
  i.setMode('ok');
  await v.verify(token(p, keyA), NOW);
  assert.equal(i.jwksFetches(), 2);
});

test('500 junk tokens (random kids, bad signatures) while the IdP fails make one fetch', async () => {
  const i = await idp(keyA);
  i.setMode('malformed');
  const p = byUri(i);
  const v = verifier(p, testClock().now);
  const junk = (n: number): string => {
    const [h, c] = token(p, keyA, { kid: `junk-${n}` }).split('.');
    return `${h}.${c}.${'A'.repeat(342)}`;
  };
  for (let n = 0; n < 500; n++) await assertSts(v.verify(junk(n), NOW), 'InvalidIdentityToken', NO_KEY);
  assert.equal(i.jwksFetches(), 1);
});

test('while the IdP hangs, concurrent requests share one fetch and later ones answer without waiting', async () => {
  const i = await idp(keyA);
  i.setMode('hang');
  const p = byUri(i);
  const v = verifier(p, testClock().now, { timeoutMs: 1000 });
  const first = await Promise.allSettled(Array.from({ length: 20 }, () => v.verify(token(p, keyA), NOW)));
  assert.ok(first.every((o) => o.status === 'rejected'));
  const started = Date.now();
  for (let n = 0; n < 20; n++) await assertSts(v.verify(token(p, keyA), NOW), 'InvalidIdentityToken', NO_KEY);
  assert.ok(Date.now() - started < 1000, `20 requests in the cooldown took ${Date.now() - started} ms`);
  assert.equal(i.jwksFetches(), 1);
});

test('discovery that fails is cached for the cooldown too', async () => {
  const i = await idp(keyA);
  i.discoveryMode = '500';
  const p = byDiscovery(i);
  const clock = testClock();
  const v = verifier(p, clock.now);
  for (let n = 0; n < 50; n++) await assertSts(v.verify(token(p, keyA), NOW), 'InvalidIdentityToken', NO_KEY);
  assert.equal(i.discoveryFetches(), 1);
  i.discoveryMode = 'ok';
  clock.advance(COOLDOWN);
  await v.verify(token(p, keyA), NOW);
  assert.deepEqual([i.discoveryFetches(), i.jwksFetches()], [2, 1]);
});

// ---- item 7: discovery is re-checked on the keys' schedule; https never downgrades to http ----

test('discovery is re-checked after the max age: a moved jwks_uri is followed', async () => {
  const i = await idp(keyA);
  i.serveKeys([keyB], '/jwks-next');
  const p = byDiscovery(i);
  const clock = testClock();
  const v = verifier(p, clock.now, { cooldownMs: 0 });
  await v.verify(token(p, keyA), NOW);
  i.jwksPath = '/jwks-next';
  clock.advance(11 * MIN);
  await v.verify(token(p, keyB), NOW); // unknown kid: waits for the refresh, which re-reads discovery first
  assert.deepEqual([i.discoveryFetches(), i.jwksFetches('/jwks'), i.jwksFetches('/jwks-next')], [2, 1, 1]);
});

test('discovery that fails after it succeeded keeps the last jwks_uri (stale bound as the keys)', async () => {
  const i = await idp(keyA);
  const p = byDiscovery(i);
  const clock = testClock();
  const v = verifier(p, clock.now);
  await v.verify(token(p, keyA), NOW);
  i.discoveryMode = 'issuer-mismatch';
  clock.advance(11 * MIN);
  await v.verify(token(p, keyA), NOW);
  // The keys are refreshed from the jwks_uri discovery named last.
  await eventually('a second JWKS fetch', () => i.jwksFetches() === 2);
  await v.verify(token(p, keyA), NOW);
  assert.equal(i.discoveryFetches(), 2);
});

const HTTPS_ISSUER = 'https://idp.example.com';

/** A fetch that answers discovery for HTTPS_ISSUER itself (as a TLS IdP would) and passes everything else on. */
function httpsDiscovery(jwksUri: string): typeof fetch {
  return ((input: Parameters<typeof fetch>[0], init?: RequestInit) => {
    const url = input instanceof Request ? input.url : String(input);
    if (url === `${HTTPS_ISSUER}/.well-known/openid-configuration`) {
      return Promise.resolve(Response.json({ issuer: HTTPS_ISSUER, jwks_uri: jwksUri }));
    }
    return fetch(input, init);
  }) as typeof fetch;
}

test('an https discovery document may not send jwks_uri to plain http, even on loopback', async () => {
  const i = await idp(keyA);
  const p = makeProvider(HTTPS_ISSUER, { kind: 'discovery' });
  const v = createTokenVerifier([p], { timeoutMs: 300, fetch: httpsDiscovery(i.jwksUri) });
  const err = await assertSts(v.verify(token(p, keyA), NOW), 'InvalidIdentityToken', NO_KEY);
  assert.match(err.reason ?? '', /https.*http/);
  assert.equal(i.jwksFetches(), 0);
});

test('an http loopback discovery document may name an http loopback jwks_uri', async () => {
  const i = await idp(keyA);
  const p = byDiscovery(i);
  await verifier(p, testClock().now).verify(token(p, keyA), NOW);
});

// ---- item 8: an unknown kid triggers one refresh per cooldown window; rotation end to end ----

test('rotation: a new kid right after a fetch is fetched and accepted; both keys during the overlap; the removed key refused after the next refresh', async () => {
  const i = await idp(keyA);
  const p = byUri(i);
  const clock = testClock();
  const v = verifier(p, clock.now);
  const oldToken = token(p, keyA);
  for (let n = 0; n < 3; n++) await v.verify(oldToken, NOW); // verified, then kept by the token cache
  i.serveKeys([keyA, keyB]); // the IdP publishes key B and starts signing with it
  clock.advance(1000);
  await v.verify(token(p, keyB), NOW);
  assert.equal(i.jwksFetches(), 2);
  await v.verify(oldToken, NOW);
  await v.verify(token(p, keyA), NOW);
  await v.verify(token(p, keyB), NOW);
  assert.equal(i.jwksFetches(), 2);
  i.serveKeys([keyB]); // key A retired
  clock.advance(11 * MIN);
  await v.verify(token(p, keyB), NOW); // past the max age: the cached set answers, a refresh starts
  await eventually('the cached token and key A are refused', () => refused(v.verify(oldToken, NOW)));
  await assertSts(v.verify(oldToken, NOW), 'InvalidIdentityToken', NO_KEY);
  await assertSts(v.verify(token(p, keyA), NOW), 'InvalidIdentityToken', NO_KEY);
  await v.verify(token(p, keyB), NOW);
});

test('unknown kids: one refresh per cooldown window, shared by concurrent requests', async () => {
  const i = await idp(keyA);
  const p = byUri(i);
  const clock = testClock();
  const v = verifier(p, clock.now);
  await v.verify(token(p, keyA), NOW);
  const wave = (tag: string): Promise<unknown> =>
    Promise.all(
      Array.from({ length: 50 }, (_, n) =>
        assertSts(v.verify(token(p, keyA, { kid: `${tag}-${n}` }), NOW), 'InvalidIdentityToken', NO_KEY),
      ),
    );
  await wave('first');
  assert.equal(i.jwksFetches(), 2);
  clock.advance(COOLDOWN - 1);
  await wave('second');
  assert.equal(i.jwksFetches(), 2);
  clock.advance(1);
  await wave('third');
  assert.equal(i.jwksFetches(), 3);
});

test('a bad staleMs or clock is a TypeError at construction', () => {
  for (const bad of [{ staleMs: -1 }, { staleMs: 0.5 }, { clock: 5 as unknown as () => number }]) {
    assert.throws(() => createTokenVerifier([], bad), TypeError);
  }
});
