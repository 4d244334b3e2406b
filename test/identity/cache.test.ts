/** The verified-signature cache: LRU bounds, entry age, and "a hit answers exactly like a full verification". */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { StsError } from '../../src/protocol/errors.js';
import { FINGERPRINT_LENGTH, TokenCache, type VerifiedSignature } from '../../src/identity/token-cache.js';
import { createTokenVerifier } from '../../src/identity/verifier.js';
import type { TokenVerifier } from '../../src/identity/types.js';
import { CLIENT_ID, ISSUER, jwks, makeKey, makeProvider, makeToken, NOW, NOW_S, standardClaims } from '../helpers/identity-tokens.js';

const rsa = await makeKey('rsa', 'rsa-1');
const provider = makeProvider(ISSUER, { kind: 'inline', jwks: jwks(rsa) });
const entry: VerifiedSignature = { provider, header: {}, claims: {} };

test('TokenCache evicts the least recently used entry', () => {
  const cache = new TokenCache({ maxEntries: 2, maxChars: 1000, maxAgeMs: 1000, clock: () => 0 });
  cache.set('aaaa', entry);
  cache.set('bbbb', entry);
  assert.ok(cache.get('aaaa')); // a is now most recent
  cache.set('cccc', entry);
  assert.equal(cache.size, 2);
  assert.ok(cache.get('aaaa'));
  assert.equal(cache.get('bbbb'), undefined);
  assert.ok(cache.get('cccc'));
});

test('TokenCache bounds the total characters kept', () => {
  const cache = new TokenCache({ maxEntries: 100, maxChars: 10, maxAgeMs: 1000, clock: () => 0 });
  cache.set('aaaa', entry);
  cache.set('bbbb', entry);
  cache.set('cccc', entry); // 12 chars > 10: aaaa goes
  assert.equal(cache.get('aaaa'), undefined);
  assert.ok(cache.get('bbbb'));
  cache.set('x'.repeat(11), entry); // larger than the whole budget: not stored
  assert.equal(cache.get('x'.repeat(11)), undefined);
  assert.ok(cache.get('cccc'));
});

test('TokenCache entries expire after maxAgeMs of real time', () => {
  let t = 0;
  const cache = new TokenCache({ maxEntries: 10, maxChars: 100, maxAgeMs: 50, clock: () => t });
  cache.set('aaaa', entry);
  t = 49;
  assert.ok(cache.get('aaaa'));
  t = 50;
  assert.equal(cache.get('aaaa'), undefined);
  assert.equal(cache.size, 0);
});

test('TokenCache secondSight: a token is stored on its second set, while its fingerprint is remembered', () => {
  const cache = new TokenCache({ maxEntries: 3, maxChars: 1e6, maxAgeMs: 1000, clock: () => 0, secondSight: true });
  const token = (i: number): string => `header.payload.signature-${String(i).padStart(4, '0')}`;
  cache.set(token(0), entry);
  assert.equal(cache.get(token(0)), undefined); // first sight: remembered, not stored
  cache.set(token(0), entry);
  assert.ok(cache.get(token(0))); // second sight: stored
  // Fingerprints are kept in two generations of maxEntries: 1, 2, 3 fill the first, 4 starts the next.
  for (const i of [1, 2, 3, 4]) cache.set(token(i), entry);
  assert.equal(cache.size, 1);
  cache.set(token(1), entry); // still remembered (older generation)
  assert.ok(cache.get(token(1)));
  for (const i of [5, 6, 7, 8, 9, 10]) cache.set(token(i), entry); // two more generations: 2 and 3 forgotten
  cache.set(token(2), entry);
  assert.equal(cache.get(token(2)), undefined);
  cache.set(token(2), entry);
  assert.ok(cache.get(token(2)));
});

test('TokenCache secondSight: tokens that share a fingerprint never share an entry', () => {
  const cache = new TokenCache({ maxEntries: 10, maxChars: 1e6, maxAgeMs: 1000, clock: () => 0, secondSight: true });
  const suffix = 'x'.repeat(FINGERPRINT_LENGTH);
  const a: VerifiedSignature = { provider, header: {}, claims: { sub: 'a' } };
  cache.set(`a.${suffix}`, a); // remembers the fingerprint
  cache.set(`b.${suffix}`, entry); // same fingerprint: admitted, under its own token
  assert.equal(cache.get(`a.${suffix}`), undefined);
  assert.equal(cache.get(`b.${suffix}`)?.claims['sub'], undefined);
  cache.set(`a.${suffix}`, a);
  assert.equal(cache.get(`a.${suffix}`)?.claims['sub'], 'a');
  assert.equal(cache.get(`b.${suffix}`), undefined); // replaced: b misses and would be verified in full
  assert.equal(cache.size, 1);
});

test('TokenCache: a token that shares the last characters of a stored one never gets its entry, and the character budget counts each token', () => {
  const cache = new TokenCache({ maxEntries: 10, maxChars: 30, maxAgeMs: 1000, clock: () => 0 });
  const suffix = 'y'.repeat(FINGERPRINT_LENGTH);
  cache.set(`long-token-${suffix}`, entry); // 23 characters
  assert.equal(cache.get(`x${suffix}`), undefined);
  assert.equal(cache.get(suffix), undefined);
  assert.ok(cache.get(`long-token-${suffix}`));
  cache.set(`b${suffix}`, entry); // replaces the 23-character token: 13 characters kept
  cache.set('z'.repeat(16), entry); // 29 in all: both fit
  assert.equal(cache.size, 2);
  assert.ok(cache.get(`b${suffix}`) && cache.get('z'.repeat(16)));
  cache.set('w'.repeat(14), entry); // 43 > 30: the least recently used goes, and 30 remain
  assert.equal(cache.get(`b${suffix}`), undefined);
  assert.ok(cache.get('w'.repeat(14)) && cache.get('z'.repeat(16)));
});

test('TokenCache secondSight: each token sent once stores nothing', () => {
  const cache = new TokenCache({ maxEntries: 100, maxChars: 1e9, maxAgeMs: 1e9, clock: () => 0, secondSight: true });
  for (let i = 0; i < 5_000; i++) cache.set(`token-${String(i).padStart(12, '0')}`, entry);
  assert.equal(cache.size, 0);
});

test('TokenCache with maxEntries 10,000 stays at 10,000', () => {
  const cache = new TokenCache({ maxEntries: 10_000, maxChars: 1e9, maxAgeMs: 1e9, clock: () => 0 });
  for (let i = 0; i < 12_000; i++) cache.set(`token-${i}`, entry);
  assert.equal(cache.size, 10_000);
  assert.equal(cache.get('token-0'), undefined);
  assert.ok(cache.get('token-11999'));
});

type Outcome = { ok: true; audience: string; sub: unknown } | { ok: false; code: string; message: string };

async function outcome(v: TokenVerifier, token: string, now: Date): Promise<Outcome> {
  try {
    const r = await v.verify(token, now);
    return { ok: true, audience: r.audience, sub: r.claims['sub'] };
  } catch (err) {
    assert.ok(err instanceof StsError);
    return { ok: false, code: err.code, message: err.message };
  }
}

test('a cache hit re-checks the time claims with the new now', async () => {
  const cached = createTokenVerifier([provider]);
  const token = makeToken({ key: rsa, claims: standardClaims({ exp: NOW_S + 60 }) });
  assert.equal((await outcome(cached, token, NOW)).ok, true);
  const later = new Date((NOW_S + 60 + 300) * 1000);
  assert.deepEqual(await outcome(cached, token, later), {
    ok: false,
    code: 'ExpiredTokenException',
    message: `Token expired: current date/time ${NOW_S + 360} must be before the expiration date/time ${NOW_S + 60}`,
  });
  const earlier = new Date((NOW_S - 400) * 1000); // iat/nbf = NOW_S-60 are now in the future beyond the skew
  assert.deepEqual(await outcome(cached, token, earlier), {
    ok: false,
    code: 'InvalidIdentityToken',
    message: ((await outcome(createTokenVerifier([provider], { claimsCache: false }), token, earlier)) as { message: string }).message,
  });
});

test('property: cached and uncached verifiers answer alike for any token and any sequence of clocks', async () => {
  const tokenArb = fc.record({
    exp: fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.constant(undefined)),
    nbf: fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.constant(undefined)),
    iat: fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.constant(undefined)),
    aud: fc.constantFrom<unknown>(CLIENT_ID, 'other', [CLIENT_ID, 'x'], undefined, 5),
  });
  await fc.assert(
    fc.asyncProperty(tokenArb, fc.array(fc.integer({ min: -1500, max: 1500 }), { minLength: 1, maxLength: 6 }), async (t, offsets) => {
      const token = makeToken({
        key: rsa,
        claims: standardClaims({
          exp: t.exp === undefined ? undefined : NOW_S + t.exp,
          nbf: t.nbf === undefined ? undefined : NOW_S + t.nbf,
          iat: t.iat === undefined ? undefined : NOW_S + t.iat,
          aud: t.aud,
        }),
      });
      const cached = createTokenVerifier([provider]);
      const uncached = createTokenVerifier([provider], { claimsCache: false });
      // Warm the cache at a time the token is valid, if there is one.
      await outcome(cached, token, NOW);
      for (const off of offsets) {
        const now = new Date((NOW_S + off) * 1000 + 500);
        assert.deepEqual(await outcome(cached, token, now), await outcome(uncached, token, now));
      }
    }),
    { numRuns: 60 },
  );
});

test('a cached result is frozen and not shared mutable state', async () => {
  const v = createTokenVerifier([provider]);
  const token = makeToken({ key: rsa, claims: standardClaims({ groups: ['a'] }) });
  const a = await v.verify(token, NOW);
  const b = await v.verify(token, NOW);
  assert.ok(Object.isFrozen(a.claims) && Object.isFrozen(a.claims['groups']));
  assert.deepEqual(b.claims['groups'], ['a']);
});
