/**
 * Infisical's access tokens over HTTP with a clock the test moves (shared/reference/infisical-vault.md §1.6;
 * Infisical/infisical `identity-access-token-service.ts`): Bearer on GET /api/v3/secrets/raw, TTL from creation or
 * the last renewal, renew refused past the max TTL (and when the extension would pass it), the uses limit (N uses,
 * then 400), revoke, the trusted IPs, a token of another server key, and which identity may read which secret set.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startEmulator, type Emulator } from '../../src/index.js';
import { createInfisicalTokenAuthority } from '../../src/infisical/index.js';
import { makeKey, makeToken, NOW } from '../helpers/identity-tokens.js';
import { startScriptedIdp, type ScriptedIdp } from '../helpers/scripted-idp.js';
import type { TestKey } from '../helpers/identity-tokens.js';

const ISS = 'https://issuer.example/org/acme';
let emu: Emulator;
let dir: string;
let idp: ScriptedIdp;
let signing: TestKey;
let now = NOW.getTime();

const identity = (identityId: string, over: Record<string, unknown>): Record<string, unknown> => ({
  identityOidcAuth: { identityId, oidcDiscoveryUrl: idp.url, boundIssuer: ISS, ...over },
});

before(async () => {
  signing = await makeKey('rsa', 'k1');
  idp = await startScriptedIdp([signing]);
  dir = await mkdtemp(join(tmpdir(), 'sts-emulator-infisical-tokens-'));
  for (const sub of ['providers', 'roles', 'infisical/identities', 'infisical/secrets']) await mkdir(join(dir, sub), { recursive: true });
  const files: Record<string, unknown> = {
    'infisical/identities/all.json': [
      identity('short', { accessTokenTTL: 60, accessTokenMaxTTL: 150 }),
      identity('limited', { accessTokenTTL: 600, accessTokenMaxTTL: 600, accessTokenNumUsesLimit: 2 }),
      identity('fenced', { accessTokenTrustedIps: [{ ipAddress: '10.0.0.0/8' }] }),
      identity('loopback', { accessTokenTrustedIps: [{ ipAddress: '127.0.0.1' }, { ipAddress: '::1' }] }),
      identity('forever', { accessTokenTTL: 0, accessTokenMaxTTL: 0 }),
      identity('outsider', {}),
    ],
    'infisical/secrets/app.json': {
      projectId: 'proj',
      environment: 'dev',
      secretPath: '/app',
      identities: ['short', 'limited', 'fenced', 'loopback', 'forever'],
      secrets: [{ secretKey: 'TOKEN', secretValue: 's3cret' }],
    },
  };
  for (const [name, doc] of Object.entries(files)) await writeFile(join(dir, name), JSON.stringify(doc));
  emu = await startEmulator({ policies: dir, port: 0, clock: () => new Date(now) });
});
after(async () => {
  await emu.stop();
  await idp.close();
  await rm(dir, { recursive: true, force: true });
});

async function login(identityId: string): Promise<string> {
  const iat = Math.floor(now / 1000);
  const jwt = makeToken({ key: signing, claims: { iss: ISS, sub: 's', iat, exp: iat + 3600 } });
  const res = await fetch(`${emu.endpoint}/api/v1/auth/oidc-auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ identityId, jwt }),
  });
  const body = (await res.json()) as Record<string, unknown>;
  assert.equal(res.status, 200, JSON.stringify(body));
  return body['accessToken'] as string;
}

async function read(
  accessToken: string | undefined,
  query = 'workspaceId=proj&environment=dev&secretPath=/app',
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${emu.endpoint}/api/v3/secrets/raw?${query}`, {
    headers: accessToken === undefined ? {} : { authorization: `Bearer ${accessToken}` },
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function post(path: 'renew' | 'revoke', accessToken: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${emu.endpoint}/api/v1/auth/token/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ accessToken }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

function refused(r: { status: number; body: Record<string, unknown> }, status: number, error: string, message: string): void {
  assert.equal(r.status, status, JSON.stringify(r.body));
  assert.equal(r.body['error'], error);
  assert.equal(r.body['message'], message);
  assert.equal(r.body['statusCode'], status);
}

test('a read with the token: the secret set of the project, environment and path', async () => {
  now = NOW.getTime();
  const r = await read(await login('short'));
  assert.equal(r.status, 200);
  const secrets = r.body['secrets'] as Record<string, unknown>[];
  assert.deepEqual(
    secrets.map((s) => [s['secretKey'], s['secretValue'], s['environment'], s['secretPath']]),
    [['TOKEN', 's3cret', 'dev', '/app']],
  );
  assert.deepEqual(r.body['imports'], []);
});

test('TTL: alive until creation + TTL; renew extends it; renew past the max TTL is refused', async () => {
  now = NOW.getTime();
  const t = await login('short');
  now += 60_000;
  assert.equal((await read(t)).status, 200, 'at exactly creation + TTL the token still works');
  now += 1;
  refused(await read(t), 401, 'UnauthorizedError', 'Failed to renew MI access token due to TTL expiration');
  refused(await read(t), 401, 'UnauthorizedError', 'You are not allowed to access this resource');

  now = NOW.getTime();
  const u = await login('short');
  now += 50_000;
  const renewed = await post('renew', u);
  assert.equal(renewed.status, 200);
  assert.deepEqual(Object.keys(renewed.body), ['accessToken', 'expiresIn', 'accessTokenMaxTTL', 'tokenType']);
  assert.equal(renewed.body['expiresIn'], 60);
  now += 55_000; // 105 s after creation: past the first TTL, within the renewed one
  assert.equal((await read(renewed.body['accessToken'] as string)).status, 200);
  assert.equal((await read(u)).status, 200, 'the renewal counts for the token it renewed, as in Infisical');
  // 105 + 60 > 150: the extension would pass the max TTL.
  refused(
    await post('renew', renewed.body['accessToken'] as string),
    401,
    'UnauthorizedError',
    'Failed to renew MI access token past its Max TTL expiration',
  );
});

test('renew after the max TTL ended', async () => {
  now = NOW.getTime();
  const t = await login('forever');
  const s = await login('short');
  now += 10_000_000;
  assert.equal((await read(t)).status, 200, 'TTL 0: no expiry');
  assert.equal((await post('renew', t)).status, 200, 'max TTL 0: no cap');
  now = NOW.getTime() + 40_000;
  const r1 = await post('renew', s); // renewed at 40 s, alive until 100 s
  assert.equal(r1.status, 200);
  now = NOW.getTime() + 90_000;
  const r2 = await post('renew', r1.body['accessToken'] as string); // 90 + 60 = 150: exactly the max
  assert.equal(r2.status, 200, JSON.stringify(r2.body));
  now = NOW.getTime() + 150_001;
  refused(
    await post('renew', r2.body['accessToken'] as string),
    401,
    'UnauthorizedError',
    'Failed to renew MI access token due to TTL expiration',
  );
});

test('uses limit: N uses, then 400 and the token is gone', async () => {
  now = NOW.getTime();
  const t = await login('limited');
  assert.equal((await read(t)).status, 200);
  assert.equal((await read(t)).status, 200);
  refused(await read(t), 400, 'BadRequest', 'Unable to renew because access token number of uses limit reached');
  refused(await read(t), 401, 'UnauthorizedError', 'You are not allowed to access this resource');
});

test('revoke: 200 with Infisical message, then the token is refused', async () => {
  now = NOW.getTime();
  const t = await login('short');
  const r = await post('revoke', t);
  assert.equal(r.status, 200);
  assert.deepEqual(r.body, { message: 'Successfully revoked access token' });
  refused(await read(t), 401, 'UnauthorizedError', 'You are not allowed to access this resource');
  refused(await post('renew', t), 401, 'UnauthorizedError', 'You are not allowed to access this resource');
});

test('trusted IPs are checked on use, not at login', async () => {
  now = NOW.getTime();
  refused(
    await read(await login('fenced')),
    403,
    'ForbiddenError',
    'You are not allowed to access this resource from the current IP address',
  );
  assert.equal((await read(await login('loopback'))).status, 200);
});

test('no token, a token that is not ours, another server key', async () => {
  now = NOW.getTime();
  refused(await read(undefined), 401, 'UnauthorizedError', 'You are not allowed to access this resource');
  const malformed = 'The provided access token is malformed. Please use a valid token or generate a new one and try again.';
  refused(await read('eyJhbGciOiJIUzI1NiJ9.e30.x'), 403, 'TokenError', malformed);
  const other = createInfisicalTokenAuthority(Buffer.alloc(32, 7), { randomBytes: (n) => Buffer.alloc(n, 1) });
  const forged = other.seal({
    id: 'x',
    identityId: 'short',
    createdAt: now,
    ttl: 60,
    maxTtl: 60,
    usesLimit: 0,
    trustedIps: [],
    claims: {},
  });
  refused(await read(forged), 403, 'TokenError', malformed);
  refused(await post('renew', forged), 403, 'TokenError', malformed);
});

test('which identity may read which secrets; the query names the set', async () => {
  now = NOW.getTime();
  refused(await read(await login('outsider')), 403, 'ForbiddenError', 'You are not allowed to access this resource');
  const t = await login('forever');
  refused(await read(t, 'workspaceId=proj&environment=prod&secretPath=/app'), 404, 'NotFound', "Folder with path '/app' not found");
  refused(await read(t, 'environment=dev'), 400, 'BadRequest', 'Missing workspaceId or workspaceSlug');
  const v4 = await fetch(`${emu.endpoint}/api/v4/secrets?projectId=proj&environment=dev&secretPath=/app/`, {
    headers: { authorization: `Bearer ${t}` },
  });
  assert.equal(v4.status, 200);
});

test('the ledger is bounded: the oldest state is forgotten first', () => {
  const authority = createInfisicalTokenAuthority(Buffer.alloc(32, 1), { randomBytes: (n) => Buffer.alloc(n, 2), maxTracked: 2 });
  const grant = (id: string) => ({ id, identityId: 'i', createdAt: 0, ttl: 10, maxTtl: 10, usesLimit: 5, trustedIps: [], claims: {} });
  authority.use(grant('a'), 0);
  authority.use(grant('b'), 0);
  authority.use(grant('c'), 0);
  assert.equal(authority.uses('a'), 0);
  assert.equal(authority.uses('b'), 1);
  assert.equal(authority.uses('c'), 1);
  // Past a's max TTL (10 s), entries go before the oldest live one.
  authority.use(grant('d'), 20_000);
  assert.equal(authority.uses('d'), 1);
});

test('another emulator with the same server key accepts the token (its uses are counted per process)', async () => {
  now = NOW.getTime();
  const key = Buffer.alloc(32, 9);
  const a = await startEmulator({ policies: dir, port: 0, clock: () => new Date(now), serverKey: key });
  const b = await startEmulator({ policies: dir, port: 0, clock: () => new Date(now), serverKey: key });
  try {
    const iat = Math.floor(now / 1000);
    const jwt = makeToken({ key: signing, claims: { iss: ISS, sub: 's', iat, exp: iat + 3600 } });
    const res = await fetch(`${a.endpoint}/api/v1/auth/oidc-auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ identityId: 'short', jwt }),
    });
    const { accessToken } = (await res.json()) as { accessToken: string };
    const onB = await fetch(`${b.endpoint}/api/v3/secrets/raw?workspaceId=proj&environment=dev&secretPath=/app`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    assert.equal(onB.status, 200);
    refused(
      await read(accessToken),
      403,
      'TokenError',
      'The provided access token is malformed. Please use a valid token or generate a new one and try again.',
    );
  } finally {
    await a.stop();
    await b.stop();
  }
});
