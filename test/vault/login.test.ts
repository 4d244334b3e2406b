/**
 * Vault's JWT login over HTTP on the one server, with a fixed clock: every message and status of
 * shared/reference/infisical-vault.md §2.1 (re-read in vault-plugin-auth-jwt @2e68bbaf path_login.go and claims.go,
 * cap v0.13.0 jwt.go and keyset.go, go-oidc jwks.go), in Vault's order, as a table of vectors; the three key sources
 * (jwt_validation_pubkeys, jwks_url, oidc_discovery_url); PUT and POST; the success envelope; lookup-self with
 * X-Vault-Token and Authorization: Bearer, honouring the TTL.
 */
import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startEmulator, type Emulator } from '../../src/index.js';
import { makeKey, makeToken, NOW, NOW_S, type Alg, type TestKey } from '../helpers/identity-tokens.js';

const ISSUER = 'https://vault-test.example.com';
const AUD = 'vault-aud';

let emu: Emulator;
let dir: string;
let keyServer: Server;
let rsa: TestKey;
let ec: TestKey;
let stranger: TestKey;
let now = NOW;

const pem = (k: TestKey): string => createPublicKey(k.privateKey).export({ type: 'spki', format: 'pem' }) as string;

function role(fields: Record<string, unknown>): Record<string, unknown> {
  return { role_type: 'jwt', user_claim: 'sub', bound_audiences: [AUD], token_policies: ['dev'], token_ttl: 600, ...fields };
}

before(async () => {
  rsa = await makeKey('rsa', 'k1');
  ec = await makeKey('ec256', 'e1');
  stranger = await makeKey('rsa', 'k1');
  keyServer = createServer((req, res) => {
    if (req.url === '/jwks') res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [rsa.jwk, ec.jwk] }));
    else if (req.url === '/disco/.well-known/openid-configuration')
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ issuer: 'https://elsewhere.example', jwks_uri: 'x' }));
    else res.writeHead(404).end('not here');
  });
  await new Promise<void>((r) => keyServer.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(keyServer.address() as AddressInfo).port}`;
  dir = await mkdtemp(join(tmpdir(), 'sts-emulator-vault-'));
  const files: Record<string, unknown> = {
    'vault/static/config.json': { jwt_validation_pubkeys: [pem(rsa), pem(ec)], bound_issuer: ISSUER },
    'vault/static/roles/dev.json': role({ bound_subject: 'alice', bound_claims: { team: 'blue' }, claim_mappings: { team: 'team' } }),
    'vault/static/roles/oidc-role.json': role({ role_type: 'oidc', allowed_redirect_uris: ['http://localhost:8250/oidc/callback'] }),
    'vault/static/roles/cidr.json': role({ token_bound_cidrs: ['10.0.0.0/8'] }),
    'vault/static/roles/noaud.json': role({ bound_audiences: [], bound_subject: 'alice' }),
    'vault/static/roles/numuser.json': role({ user_claim: 'num' }),
    'vault/static/roles/mapped.json': role({ claim_mappings: { num: 'n' } }),
    'vault/static/roles/groups.json': role({ groups_claim: 'groups' }),
    'vault/static/roles/typed.json': role({ bound_claims: { admin: true, level: 3 } }),
    'vault/static/roles/glob.json': role({ bound_claims_type: 'glob', bound_claims: { '/nested/a~1b': ['refs/heads/*'] } }),
    'vault/es/config.json': { data: { jwt_validation_pubkeys: [pem(rsa)], jwt_supported_algs: ['ES256'] } },
    'vault/es/roles/dev.json': { data: role({}) },
    'vault/remote/config.json': { jwks_url: `${base}/jwks`, bound_issuer: ISSUER, default_role: 'dev' },
    'vault/remote/roles/dev.json': role({ token_ttl: '10m' }),
    'vault/broken/config.json': { jwks_url: `${base}/missing` },
    'vault/broken/roles/dev.json': role({}),
    'vault/disco/config.json': { oidc_discovery_url: `${base}/disco` },
    'vault/disco/roles/dev.json': role({}),
  };
  await mkdir(join(dir, 'providers'), { recursive: true });
  await mkdir(join(dir, 'roles'), { recursive: true });
  for (const [name, doc] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), JSON.stringify(doc, null, 2));
  }
  emu = await startEmulator({ policies: dir, clock: () => now });
});

after(async () => {
  await emu.stop();
  await new Promise((r) => keyServer.close(r));
  await rm(dir, { recursive: true, force: true });
});

const claims = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  iss: ISSUER,
  sub: 'alice',
  aud: AUD,
  iat: NOW_S,
  exp: NOW_S + 300,
  team: 'blue',
  ...over,
});
const without = (...keys: string[]): Record<string, unknown> => {
  const c = claims();
  for (const k of keys) delete c[k];
  return c;
};
const sign = (c: Record<string, unknown>, key: TestKey = rsa, alg: Alg = 'RS256'): string => makeToken({ key, alg, claims: c });

async function login(
  mount: string,
  body: unknown,
  method = 'POST',
): Promise<{ status: number; json: Record<string, unknown>; reason: string | null }> {
  const r = await fetch(`${emu.endpoint}/v1/auth/${mount}/login`, {
    method,
    headers: { 'content-type': 'application/json', 'x-vault-request': 'true' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: r.status, json: (await r.json()) as Record<string, unknown>, reason: r.headers.get('x-sts-emulator-reason') };
}

const V = 'error validating token: ';

/** [name, mount, body (or a function of nothing, for tokens), status, Vault's message]. */
const REFUSALS: readonly [string, string, () => unknown, number, string][] = [
  ['1 missing role (no role, no default_role)', 'static', () => ({ jwt: sign(claims()) }), 400, 'missing role'],
  [
    '1 role not found (lower-cased first)',
    'static',
    () => ({ role: 'Ghost', jwt: sign(claims()) }),
    400,
    'role "ghost" could not be found',
  ],
  ['2 oidc role', 'static', () => ({ role: 'oidc-role', jwt: sign(claims()) }), 400, 'role with oidc role_type is not allowed'],
  ['3 missing token', 'static', () => ({ role: 'dev' }), 400, 'missing token'],
  ['3 empty token', 'static', () => ({ role: 'dev', jwt: '' }), 400, 'missing token'],
  ['4 token_bound_cidrs miss: 403', 'static', () => ({ role: 'cidr', jwt: sign(claims()) }), 403, 'permission denied'],
  [
    '5 not a compact JWS (static keys)',
    'static',
    () => ({ role: 'dev', jwt: 'not-a-jwt' }),
    400,
    `${V}error verifying token signature: go-jose/go-jose: compact JWS format must have three parts`,
  ],
  [
    '5 signature, static keys: no known key',
    'static',
    () => ({ role: 'dev', jwt: sign(claims(), stranger) }),
    400,
    `${V}error verifying token signature: no known key successfully validated the token signature`,
  ],
  [
    '5 signature, jwks_url: go-oidc',
    'remote',
    () => ({ role: 'dev', jwt: sign(claims(), stranger) }),
    400,
    `${V}error verifying token signature: failed to verify id token signature`,
  ],
  [
    '5 not a compact JWS (remote keys)',
    'remote',
    () => ({ role: 'dev', jwt: 'a.b' }),
    400,
    `${V}error verifying token signature: oidc: malformed jwt: go-jose/go-jose: compact JWS format must have three parts`,
  ],
  [
    '5 algorithm outside jwt_supported_algs (checked after the signature)',
    'es',
    () => ({ role: 'dev', jwt: sign(claims()) }),
    400,
    `${V}invalid algorithm (alg) header parameter: token signed with unexpected algorithm`,
  ],
  ['5 issuer: exact', 'static', () => ({ role: 'dev', jwt: sign(claims({ iss: `${ISSUER}/` })) }), 400, `${V}invalid issuer (iss) claim`],
  ['5 subject: exact', 'static', () => ({ role: 'dev', jwt: sign(claims({ sub: 'alice2' })) }), 400, `${V}invalid subject (sub) claim`],
  [
    '5 audience: exact, any of',
    'static',
    () => ({ role: 'dev', jwt: sign(claims({ aud: ['other', 'vault-aud2'] })) }),
    400,
    `${V}invalid audience (aud) claim: audience claim does not match any expected audience`,
  ],
  [
    '5 no iat, nbf or exp',
    'static',
    () => ({ role: 'dev', jwt: sign(without('iat', 'exp')) }),
    400,
    `${V}no issued at (iat), not before (nbf), or expiration time (exp) claims in token`,
  ],
  [
    '5 nbf more than 60 s ahead',
    'static',
    () => ({ role: 'dev', jwt: sign(claims({ nbf: NOW_S + 61 })) }),
    400,
    `${V}invalid not before (nbf) claim: token not yet valid`,
  ],
  [
    '5 exp more than 60 s past',
    'static',
    () => ({ role: 'dev', jwt: sign(claims({ iat: NOW_S - 400, exp: NOW_S - 61 })) }),
    400,
    `${V}invalid expiration time (exp) claim: token is expired`,
  ],
  [
    '5 iat more than 60 s ahead (nbf given, so nbf is not iat)',
    'static',
    () => ({ role: 'dev', jwt: sign(claims({ iat: NOW_S + 61, nbf: NOW_S, exp: NOW_S + 600 })) }),
    400,
    `${V}invalid issued at (iat) claim: token issued in the future`,
  ],
  [
    '6 aud present, no bound_audiences',
    'static',
    () => ({ role: 'noaud', jwt: sign(claims()) }),
    400,
    'audience claim found in JWT but no audiences bound to the role',
  ],
  ['7 user_claim missing', 'static', () => ({ role: 'numuser', jwt: sign(claims()) }), 400, 'claim "num" not found in token'],
  [
    '7 user_claim not a string',
    'static',
    () => ({ role: 'numuser', jwt: sign(claims({ num: 5 })) }),
    400,
    'claim "num" could not be converted to string',
  ],
  [
    '7 claim_mappings source not a string',
    'static',
    () => ({ role: 'mapped', jwt: sign(claims({ num: 5 })) }),
    400,
    "error converting claim 'num' to string",
  ],
  [
    '7 groups_claim missing',
    'static',
    () => ({ role: 'groups', jwt: sign(claims()) }),
    400,
    'failed to fetch groups: "groups" claim not found in token',
  ],
  [
    '7 groups_claim not a list',
    'static',
    () => ({ role: 'groups', jwt: sign(claims({ groups: { a: 1 } })) }),
    400,
    '"groups" claim could not be converted to string list',
  ],
  [
    '8 bound claim missing',
    'static',
    () => ({ role: 'dev', jwt: sign(without('team')) }),
    400,
    'error validating claims: claim "team" is missing',
  ],
  [
    '8 bound claim does not match',
    'static',
    () => ({ role: 'dev', jwt: sign(claims({ team: 'red' })) }),
    400,
    'error validating claims: claim "team" does not match any associated bound claim values',
  ],
  [
    '8 bound claim is an object',
    'static',
    () => ({ role: 'typed', jwt: sign(claims({ admin: { name: 'blue' } })) }),
    400,
    'error validating claims: received claim is not a string, bool, int or list: map[name:blue]',
  ],
  [
    '8 string mode is type-strict: "true" is not true',
    'static',
    () => ({ role: 'typed', jwt: sign(claims({ admin: 'true', level: 3 })) }),
    400,
    'error validating claims: claim "admin" does not match any associated bound claim values',
  ],
  [
    '8 string mode is type-strict: "3" is not 3',
    'static',
    () => ({ role: 'typed', jwt: sign(claims({ admin: true, level: '3' })) }),
    400,
    'error validating claims: claim "level" does not match any associated bound claim values',
  ],
  [
    '8 glob mode: JSON Pointer key, * does not match a tag',
    'static',
    () => ({ role: 'glob', jwt: sign(claims({ nested: { 'a/b': 'refs/tags/v1' } })) }),
    400,
    'error validating claims: claim "/nested/a~1b" does not match any associated bound claim values',
  ],
];

for (const [name, mount, body, status, message] of REFUSALS) {
  test(`refusal ${name}: ${status} {"errors":[${JSON.stringify(message)}]}`, async () => {
    const r = await login(mount, body());
    assert.equal(r.status, status);
    assert.deepEqual(r.json, { errors: [message] });
    assert.ok(r.reason !== null && r.reason !== '', 'the emulator says why in x-sts-emulator-reason');
  });
}

test('5 JWKS that cannot be fetched: fetching keys oidc: get keys failed', async () => {
  const r = await login('broken', { role: 'dev', jwt: sign(claims()) });
  assert.equal(r.status, 400);
  const [message] = r.json['errors'] as string[];
  assert.match(message ?? '', /^error validating token: error verifying token signature: fetching keys oidc: get keys failed/);
});

test('discovery whose issuer differs from oidc_discovery_url: error configuring token validator', async () => {
  const r = await login('disco', { role: 'dev', jwt: sign(claims()) });
  assert.equal(r.status, 400);
  const [message] = r.json['errors'] as string[];
  assert.match(message ?? '', /^error configuring token validator: keyset configuration error: /);
});

/** [name, mount, body, what the answer shows]. */
const ALLOWED: readonly [string, string, () => unknown, (auth: Record<string, unknown>) => void][] = [
  [
    'POST, static keys: the envelope',
    'static',
    () => ({ role: 'dev', jwt: sign(claims()) }),
    (auth) => {
      assert.match(auth['client_token'] as string, /^hvs\./);
      assert.match(auth['accessor'] as string, /^[0-9A-Za-z]{24}$/);
      assert.deepEqual(auth['policies'], ['default', 'dev']);
      assert.deepEqual(auth['token_policies'], ['default', 'dev']);
      assert.deepEqual(auth['metadata'], { role: 'dev', team: 'blue' });
      assert.equal(auth['lease_duration'], 600);
      assert.equal(auth['renewable'], true);
      assert.equal(auth['token_type'], 'service');
    },
  ],
  ['ES256 key of the static list (kid ignored)', 'static', () => ({ role: 'dev', jwt: sign(claims(), ec, 'ES256') }), () => undefined],
  [
    'role name lower-cased',
    'static',
    () => ({ role: 'DEV', jwt: sign(claims()) }),
    (a) => assert.equal((a['metadata'] as Record<string, string>)['role'], 'dev'),
  ],
  [
    'default_role when the body names none (jwks_url)',
    'remote',
    () => ({ jwt: sign(claims()) }),
    (a) => assert.equal(a['lease_duration'], 600),
  ],
  [
    'exp 60 s past is still inside the clock skew',
    'static',
    () => ({ role: 'dev', jwt: sign(claims({ iat: NOW_S - 400, exp: NOW_S - 60 })) }),
    () => undefined,
  ],
  [
    'string mode: true and 3 with their JSON types',
    'static',
    () => ({ role: 'typed', jwt: sign(claims({ admin: true, level: 3.9 })) }),
    () => undefined,
  ],
  [
    'glob mode through a JSON Pointer: * crosses /',
    'static',
    () => ({ role: 'glob', jwt: sign(claims({ nested: { 'a/b': 'refs/heads/feature/x' } })) }),
    () => undefined,
  ],
  ['groups_claim list', 'static', () => ({ role: 'groups', jwt: sign(claims({ groups: ['a', 'b'] })) }), () => undefined],
];

for (const [name, mount, body, check] of ALLOWED) {
  test(`login allowed: ${name}`, async () => {
    const r = await login(mount, body());
    assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.equal(r.json['mount_type'], 'jwt');
    check(r.json['auth'] as Record<string, unknown>);
  });
}

test('PUT (vault write auth/<mount>/login) is a login too', async () => {
  const r = await login('static', { role: 'dev', jwt: sign(claims()) }, 'PUT');
  assert.equal(r.status, 200);
});

test('GET on the login path: 405, a body that is not JSON: 400, an unknown mount: 404', async () => {
  const get = await fetch(`${emu.endpoint}/v1/auth/static/login`);
  assert.equal(get.status, 405);
  const bad = await login('static', '{role');
  assert.equal(bad.status, 400);
  assert.match((bad.json['errors'] as string[])[0] ?? '', /^failed to parse JSON input: /);
  const none = await login('nowhere', { role: 'dev', jwt: 'x' });
  assert.equal(none.status, 404);
  assert.deepEqual(none.json, { errors: ['no handler for route "auth/nowhere/login". route entry not found.'] });
});

test('lookup-self: who the token is, by X-Vault-Token or Authorization: Bearer; 403 for none, another, or an expired one', async () => {
  const r = await login('static', { role: 'dev', jwt: sign(claims()) });
  const token = (r.json['auth'] as Record<string, string>)['client_token'] as string;
  const look = async (headers: Record<string, string>): Promise<{ status: number; json: Record<string, unknown> }> => {
    const res = await fetch(`${emu.endpoint}/v1/auth/token/lookup-self`, { headers });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };
  const me = await look({ 'x-vault-token': token });
  assert.equal(me.status, 200);
  const data = me.json['data'] as Record<string, unknown>;
  assert.equal(data['id'], token);
  assert.equal(data['path'], 'auth/static/login');
  assert.equal(data['display_name'], 'static-alice');
  assert.deepEqual(data['policies'], ['default', 'dev']);
  assert.deepEqual(data['meta'], { role: 'dev', team: 'blue' });
  assert.equal(data['ttl'], 600);
  assert.equal(data['creation_ttl'], 600);
  assert.equal((await look({ authorization: `Bearer ${token}` })).status, 200);
  assert.deepEqual(await look({}), { status: 403, json: { errors: ['permission denied'] } });
  assert.deepEqual(await look({ 'x-vault-token': 'hvs.nottoken' }), { status: 403, json: { errors: ['permission denied'] } });
  now = new Date(NOW.getTime() + 599_000);
  try {
    const later = await look({ 'x-vault-token': token });
    assert.equal((later.json['data'] as Record<string, unknown>)['ttl'], 1);
    now = new Date(NOW.getTime() + 600_000);
    assert.equal((await look({ 'x-vault-token': token })).status, 403);
  } finally {
    now = NOW;
  }
});

test('sys/health answers an unsealed server', async () => {
  const r = await fetch(`${emu.endpoint}/v1/sys/health`);
  assert.equal(r.status, 200);
  const body = (await r.json()) as Record<string, unknown>;
  assert.equal(body['sealed'], false);
  assert.equal(body['initialized'], true);
});
