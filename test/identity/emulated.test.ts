/** The emulated issuer: key file creation and reuse, public JWKS hygiene, discovery document, signing. */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { calculateJwkThumbprint, decodeProtectedHeader } from 'jose';
import { MESSAGES } from '../../src/protocol/errors.js';
import { discoveryDocument, loadOrCreateSigningKey, publicJwks, signToken, type EmulatedKey } from '../../src/identity/emulated.js';
import { createTokenVerifier } from '../../src/identity/verifier.js';
import { REPO_ROOT } from '../helpers/harness.js';
import { assertSts, CLIENT_ID, makeProvider, NOW, NOW_S, seedIssuerKey } from '../helpers/identity-tokens.js';

const dir = await mkdtemp(path.join(tmpdir(), 'sts-emulated-'));
after(() => rm(dir, { recursive: true, force: true }));

const ISSUER = 'http://127.0.0.1:4566/emulated';
const claims = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  iss: ISSUER,
  aud: CLIENT_ID,
  sub: 'system:serviceaccount:default:app',
  iat: NOW_S,
  exp: NOW_S + 3600,
  ...extra,
});

test('creates a missing key file (and its directories) with mode 0600, PKCS#8 PEM', async () => {
  const file = path.join(dir, 'a', 'b', 'issuer.pem');
  const key = await loadOrCreateSigningKey(file);
  const info = await stat(file);
  assert.equal(info.mode & 0o777, 0o600);
  const pem = await readFile(file, 'utf8');
  assert.match(pem, /^-----BEGIN PRIVATE KEY-----\n/);
  assert.equal(key.privateKey.asymmetricKeyDetails?.modulusLength, 2048);
  assert.equal(key.alg, 'RS256');
});

test('loading again gives the same key and kid; the kid is the RFC 7638 thumbprint', async () => {
  const file = path.join(dir, 'same.pem');
  const a = await loadOrCreateSigningKey(file);
  const b = await loadOrCreateSigningKey(file);
  assert.equal(a.kid, b.kid);
  assert.equal(a.publicJwk['n'], b.publicJwk['n']);
  const { kty, n, e } = a.publicJwk as { kty: string; n: string; e: string };
  assert.equal(a.kid, await calculateJwkThumbprint({ kty, n, e }, 'sha256'));
});

test('concurrent first loads agree on one key', async () => {
  const file = path.join(dir, 'race', 'issuer.pem');
  const keys = await Promise.all(Array.from({ length: 8 }, () => loadOrCreateSigningKey(file)));
  assert.equal(new Set(keys.map((k) => k.kid)).size, 1);
  const again = await loadOrCreateSigningKey(file);
  assert.equal(again.kid, keys[0]?.kid);
});

test('an existing RSA key file is used as is', async () => {
  const file = path.join(dir, 'existing.pem');
  // A 3072-bit key made in advance (test/fixtures/keys): generating one costs about a second of CPU.
  await writeFile(file, await readFile(path.join(REPO_ROOT, 'test', 'fixtures', 'keys', 'rsa-3072.pem')), { mode: 0o600 });
  const key = await loadOrCreateSigningKey(file);
  assert.equal(key.privateKey.asymmetricKeyDetails?.modulusLength, 3072);
});

const badFiles: { name: string; content: () => string }[] = [
  { name: 'garbage', content: () => 'not a key' },
  {
    name: 'an EC key',
    content: () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  },
  {
    name: 'RSA 1024',
    content: () => generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  },
];
for (const c of badFiles) {
  test(`a key file holding ${c.name} is refused`, async () => {
    const file = path.join(dir, `bad-${c.name.replace(/\W/g, '')}.pem`);
    await writeFile(file, c.content());
    await assert.rejects(loadOrCreateSigningKey(file));
  });
}

// Tests that need a key, not its creation, load one made in advance (seedIssuerKey): making one costs ~0.2 s of CPU.
test('publicJwks has only public members, never d/p/q/dp/dq/qi', async () => {
  await seedIssuerKey(path.join(dir, 'jwks.pem'));
  const key = await loadOrCreateSigningKey(path.join(dir, 'jwks.pem'));
  const set = publicJwks(key);
  assert.equal(set.keys.length, 1);
  const jwk = set.keys[0] as Record<string, unknown>;
  assert.deepEqual(Object.keys(jwk).sort(), ['alg', 'e', 'kid', 'kty', 'n', 'use']);
  for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']) assert.equal(Object.hasOwn(jwk, member), false);
  assert.deepEqual(
    { kty: jwk['kty'], alg: jwk['alg'], use: jwk['use'], kid: jwk['kid'] },
    { kty: 'RSA', alg: 'RS256', use: 'sig', kid: key.kid },
  );
});

test('publicJwks refuses a key that carries a private member', async () => {
  const key = await loadOrCreateSigningKey(path.join(dir, 'jwks.pem'));
  const tampered: EmulatedKey = { ...key, publicJwk: { ...key.publicJwk, d: 'secret' } };
  assert.throws(() => publicJwks(tampered), /"d"/);
});

test('discoveryDocument', () => {
  const doc = discoveryDocument(ISSUER, `${ISSUER}/jwks`);
  assert.deepEqual(doc, {
    issuer: ISSUER,
    jwks_uri: `${ISSUER}/jwks`,
    response_types_supported: ['id_token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    claims_supported: ['aud', 'exp', 'iat', 'iss', 'jti', 'nbf', 'sub'],
  });
});

test('signToken: RS256 with {alg, kid, typ}; the emulated provider verifies it', async () => {
  const file = path.join(dir, 'sign.pem');
  await seedIssuerKey(file);
  const key = await loadOrCreateSigningKey(file);
  const token = await signToken(key, claims());
  assert.deepEqual(decodeProtectedHeader(token), { alg: 'RS256', kid: key.kid, typ: 'JWT' });
  const v = createTokenVerifier([makeProvider(ISSUER, { kind: 'emulated', privateKeyFile: file })]);
  const verified = await v.verify(token, NOW);
  assert.equal(verified.claims['sub'], 'system:serviceaccount:default:app');
  assert.equal(verified.audience, CLIENT_ID);
  await assertSts(
    v.verify(await signToken(key, claims({ exp: NOW_S - 400 })), NOW),
    'ExpiredTokenException',
    MESSAGES.tokenExpired(NOW_S, NOW_S - 400),
  );
});

test('the emulated provider creates its key on first use; a token from another key fails', async () => {
  const file = path.join(dir, 'lazy', 'issuer.pem');
  const v = createTokenVerifier([makeProvider(ISSUER, { kind: 'emulated', privateKeyFile: file })]);
  await seedIssuerKey(path.join(dir, 'other.pem'));
  const other = await loadOrCreateSigningKey(path.join(dir, 'other.pem'));
  await assertSts(v.verify(await signToken(other, claims()), NOW), 'InvalidIdentityToken', MESSAGES.couldNotRetrieveKey);
  const key = await loadOrCreateSigningKey(file); // the verifier created it
  await v.verify(await signToken(key, claims()), NOW);
});

test('an unusable emulated key file is an InternalFailure, not the token’s fault', async () => {
  const file = path.join(dir, 'broken.pem');
  await writeFile(file, 'garbage');
  await seedIssuerKey(path.join(dir, 'fine.pem'));
  const key = await loadOrCreateSigningKey(path.join(dir, 'fine.pem'));
  const v = createTokenVerifier([makeProvider(ISSUER, { kind: 'emulated', privateKeyFile: file })]);
  const err = await assertSts(v.verify(await signToken(key, claims()), NOW), 'InternalFailure', MESSAGES.internalFailure);
  assert.equal(err.status, 500);
});
