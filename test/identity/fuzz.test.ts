/**
 * Nothing but an StsError ever comes out of verify(), and never an InternalFailure for token input:
 * random strings, random JSON in signed tokens, and single-character mutations of a valid token.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { StsError } from '../../src/protocol/errors.js';
import { createTokenVerifier } from '../../src/identity/verifier.js';
import { anyString } from '../helpers/any-string.js';
import { b64u, ISSUER, jwks, makeKey, makeProvider, makeToken, NOW, signRaw, standardClaims } from '../helpers/identity-tokens.js';

const rsa = await makeKey('rsa', 'rsa-1');
const ec = await makeKey('ec256', 'ec-1');
const verifier = createTokenVerifier([makeProvider(ISSUER, { kind: 'inline', jwks: jwks(rsa, ec) })]);
const TOKEN_CODES = new Set(['ValidationError', 'InvalidIdentityToken', 'ExpiredTokenException']);

/** Resolves with 'ok' or the StsError code; fails the test on anything else. */
async function classify(token: string): Promise<string> {
  try {
    await verifier.verify(token, NOW);
    return 'ok';
  } catch (err) {
    assert.ok(err instanceof StsError, `non-StsError thrown: ${String(err)}`);
    assert.ok(TOKEN_CODES.has(err.code), `unexpected ${err.code} (${err.reason ?? ''}) for ${JSON.stringify(token.slice(0, 200))}`);
    return err.code;
  }
}

const segment = fc.oneof(
  fc.base64String().map((s) => s.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')),
  fc.string(),
  fc.jsonValue().map((j) => b64u(JSON.stringify(j) ?? 'null')),
);

test('random strings and random segment shapes only ever give token errors', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(
        fc.string({ maxLength: 200 }),
        anyString({ maxLength: 200 }),
        fc.array(segment, { minLength: 1, maxLength: 6 }).map((parts) => parts.join('.')),
      ),
      async (token) => {
        assert.notEqual(await classify(token), 'ok');
      },
    ),
    { numRuns: 1500 },
  );
});

test('validly signed random JSON headers and payloads only ever give token errors', async () => {
  await fc.assert(
    fc.asyncProperty(fc.jsonValue(), fc.jsonValue(), fc.boolean(), async (header, payload, mixIn) => {
      const h =
        mixIn && typeof header === 'object' && header !== null && !Array.isArray(header)
          ? { ...header, alg: 'RS256', kid: 'rsa-1' }
          : header;
      const p =
        mixIn && typeof payload === 'object' && payload !== null && !Array.isArray(payload) ? { ...standardClaims(), ...payload } : payload;
      await classify(signRaw(JSON.stringify(h) ?? 'null', JSON.stringify(p) ?? 'null', 'RS256', rsa.privateKey));
    }),
    { numRuns: 500 },
  );
});

test('random claim values in a well-formed token only ever give token errors', async () => {
  const claim = fc.constantFrom('iss', 'aud', 'exp', 'nbf', 'iat', 'sub', '__proto__', 'constructor');
  await fc.assert(
    fc.asyncProperty(fc.dictionary(claim, fc.jsonValue()), async (overrides) => {
      const body = { ...standardClaims() };
      for (const [k, v] of Object.entries(overrides))
        Object.defineProperty(body, k, { value: v, enumerable: true, configurable: true, writable: true });
      await classify(makeToken({ key: rsa, claims: body }));
      await classify(makeToken({ key: ec, alg: 'ES256', claims: body }));
    }),
    { numRuns: 300 },
  );
});

test('any single-character change to a valid token is refused unless it decodes to the same bytes', async () => {
  const token = makeToken({ key: rsa, claims: standardClaims() });
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ ';
  const decoded = (t: string): string[] => t.split('.').map((s) => Buffer.from(s, 'base64url').toString('hex'));
  await fc.assert(
    fc.asyncProperty(fc.nat({ max: token.length - 1 }), fc.constantFrom(...alphabet), async (i, ch) => {
      const mutated = token.slice(0, i) + ch + token.slice(i + 1);
      const result = await classify(mutated);
      if (result === 'ok') {
        assert.equal(mutated.split('.').length, 3);
        assert.deepEqual(decoded(mutated), decoded(token), `accepted a changed token at ${i}: ${ch}`);
      }
    }),
    { numRuns: 1000 },
  );
});
