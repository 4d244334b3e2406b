/**
 * POST /api/v1/auth/oidc-auth/login over HTTP with a fixed clock, one vector per row of the reference's table of
 * checks (shared/reference/infisical-vault.md §1.2, §1.3; Infisical/infisical `identity-oidc-auth-service.ts`
 * @02cead17): body validation (422), the identity (404), discovery (401s), `Invalid JWT`, the kid messages,
 * jsonwebtoken's refusals with no leeway and `exp` optional, the subject (403), audiences, claims and metadata (401s),
 * each with Infisical's body {reqId, statusCode, message, error}; then the success body, JSON and form.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startEmulator, type Emulator } from '../../src/index.js';
import { makeKey, makeToken, NOW, NOW_S, signRaw, type TestKey } from '../helpers/identity-tokens.js';
import { sendJson, startServer, type TestServer } from '../helpers/identity-server.js';
import { startScriptedIdp, type ScriptedIdp } from '../helpers/scripted-idp.js';

const ISS = 'https://issuer.example/org/acme';
let emu: Emulator;
let dir: string;
let idp: ScriptedIdp;
let failingJwks: ScriptedIdp;
let noJwksUri: TestServer;
let manyKeys: ScriptedIdp;
let noKeys: ScriptedIdp;
let rsa: TestKey;
let ec: TestKey;
let stranger: TestKey;
let closedPort: number;

const auth = (identityId: string, discovery: string, over: Record<string, unknown> = {}): Record<string, unknown> => ({
  identityOidcAuth: {
    identityId,
    oidcDiscoveryUrl: discovery,
    boundIssuer: ISS,
    boundAudiences: '',
    boundClaims: {},
    boundSubject: '',
    claimMetadataMapping: {},
    accessTokenTTL: 600,
    accessTokenMaxTTL: 1200,
    ...over,
  },
});

before(async () => {
  rsa = await makeKey('rsa', 'r1');
  ec = await makeKey('ec256', 'e1');
  stranger = await makeKey('rsa', 'r1');
  idp = await startScriptedIdp([rsa, ec]);
  failingJwks = await startScriptedIdp([rsa]);
  failingJwks.jwksMode = '500';
  manyKeys = await startScriptedIdp(await Promise.all(Array.from({ length: 11 }, (_, i) => makeKey('ec256', `k${i}`))));
  noKeys = await startScriptedIdp([]);
  noJwksUri = await startServer((_req, res) => sendJson(res, { issuer: ISS }));
  const closed = await startServer(() => undefined);
  closedPort = Number(new URL(closed.url).port);
  await closed.close();
  dir = await mkdtemp(join(tmpdir(), 'sts-emulator-infisical-'));
  for (const sub of ['providers', 'roles', 'infisical/identities']) await mkdir(join(dir, sub), { recursive: true });
  const files: Record<string, unknown> = {
    'infisical/identities/bound.json': auth('bound', idp.url, {
      boundSubject: 'repo/*/main',
      boundAudiences: 'aud-1,aud-2',
      boundClaims: { team: 'blue, green' },
      claimMetadataMapping: { env: 'environment' },
    }),
    'infisical/identities/others.json': [
      auth('bare', idp.url),
      auth('down', `http://127.0.0.1:${closedPort}`),
      auth('not-found', `${idp.url}/nope`),
      auth('no-jwks-uri', noJwksUri.url),
      auth('jwks-500', failingJwks.url),
      auth('many-keys', manyKeys.url),
      auth('no-keys', noKeys.url),
      auth('dotted', idp.url, { boundClaims: { 'oidc.circleci.com/project-id': 'p1' } }),
    ],
  };
  for (const [name, doc] of Object.entries(files)) await writeFile(join(dir, name), JSON.stringify(doc, null, 2));
  emu = await startEmulator({ policies: dir, port: 0, clock: () => new Date(NOW) });
});
after(async () => {
  await emu.stop();
  await Promise.all([idp.close(), failingJwks.close(), manyKeys.close(), noKeys.close(), noJwksUri.close()]);
  await rm(dir, { recursive: true, force: true });
});

const good = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  iss: ISS,
  sub: 'repo/app/main',
  aud: 'aud-2',
  team: 'green',
  environment: 'prod',
  iat: NOW_S - 10,
  exp: NOW_S + 300,
  ...over,
});
const token = (claims: Record<string, unknown> = good(), key: TestKey = rsa, header: Record<string, unknown> = {}): string =>
  makeToken({ key, alg: key === ec ? 'ES256' : 'RS256', claims, header });

async function login(
  body: Record<string, unknown>,
  form = false,
): Promise<{ status: number; body: Record<string, unknown>; reason: string | null }> {
  const res = await fetch(`${emu.endpoint}/api/v1/auth/oidc-auth/login`, {
    method: 'POST',
    headers: { 'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json' },
    body: form ? new URLSearchParams(body as Record<string, string>).toString() : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, reason: res.headers.get('x-sts-emulator-reason') };
}

interface Vector {
  readonly name: string;
  readonly identity: string;
  readonly jwt: () => string;
  readonly status: number;
  readonly error: string;
  readonly message: string | RegExp;
}

const VECTORS: readonly Vector[] = [
  {
    name: '1 no OIDC auth for the identity',
    identity: 'nobody',
    jwt: () => token(),
    status: 404,
    error: 'NotFound',
    message: 'OIDC auth method not found for identity, did you configure OIDC auth?',
  },
  {
    name: '2 discovery unreachable',
    identity: 'down',
    jwt: () => token(),
    status: 401,
    error: 'UnauthorizedError',
    message:
      /^Access denied: Failed to fetch OIDC discovery document from http:\/\/127\.0\.0\.1:\d+\. connect ECONNREFUSED 127\.0\.0\.1:\d+$/,
  },
  {
    name: '2 discovery answers 404',
    identity: 'not-found',
    jwt: () => token(),
    status: 401,
    error: 'UnauthorizedError',
    message:
      /^Access denied: Failed to fetch OIDC discovery document from http:\/\/127\.0\.0\.1:\d+\/nope\. Request failed with status code 404$/,
  },
  {
    name: '2b discovery without jwks_uri',
    identity: 'no-jwks-uri',
    jwt: () => token(),
    status: 401,
    error: 'UnauthorizedError',
    message: 'Access denied: OIDC discovery document does not contain a jwks_uri. The identity provider may be misconfigured.',
  },
  { name: '3 not a JWT', identity: 'bare', jwt: () => 'not-a-jwt', status: 401, error: 'UnauthorizedError', message: 'Invalid JWT' },
  {
    name: '3 a header that is not JSON',
    identity: 'bare',
    jwt: () => 'bm90.eyJhIjoxfQ.c2ln',
    status: 401,
    error: 'UnauthorizedError',
    message: 'Invalid JWT',
  },
  {
    name: '4a a kid the JWKS lacks',
    identity: 'bare',
    jwt: () => token(good(), rsa, { kid: 'nope' }),
    status: 401,
    error: 'UnauthorizedError',
    message:
      "Access denied: Unable to verify JWT signature. The signing key 'nope' was not found in the OIDC provider's JWKS endpoint. This may indicate an invalid token or misconfigured OIDC provider.",
  },
  {
    name: '4a the JWKS cannot be fetched',
    identity: 'jwks-500',
    jwt: () => token(),
    status: 401,
    error: 'UnauthorizedError',
    message: 'Access denied: Failed to retrieve signing key from OIDC provider: Request failed with status code 500',
  },
  {
    name: '4b another key signed it',
    identity: 'bare',
    jwt: () => token(good(), stranger),
    status: 401,
    error: 'UnauthorizedError',
    message: 'Access denied: invalid signature',
  },
  {
    name: '4b an algorithm of another key family',
    identity: 'bare',
    jwt: () => makeToken({ key: rsa, alg: 'HS256', claims: good() }),
    status: 401,
    error: 'UnauthorizedError',
    message: 'Access denied: invalid algorithm',
  },
  {
    name: '4b no signature',
    identity: 'bare',
    jwt: () => signRaw(JSON.stringify({ alg: 'none', kid: 'r1' }), JSON.stringify(good()), 'none'),
    status: 401,
    error: 'UnauthorizedError',
    message: 'Access denied: jwt signature is required',
  },
  {
    name: '4b expired now (no leeway)',
    identity: 'bare',
    jwt: () => token(good({ exp: NOW_S })),
    status: 401,
    error: 'UnauthorizedError',
    message: 'Access denied: jwt expired',
  },
  {
    name: '4b not active for one more second',
    identity: 'bare',
    jwt: () => token(good({ nbf: NOW_S + 1 })),
    status: 401,
    error: 'UnauthorizedError',
    message: 'Access denied: jwt not active',
  },
  {
    name: '4b exp not a number',
    identity: 'bare',
    jwt: () => token(good({ exp: 'soon' })),
    status: 401,
    error: 'UnauthorizedError',
    message: 'Access denied: invalid exp value',
  },
  {
    name: '4b another issuer (exact equality)',
    identity: 'bare',
    jwt: () => token(good({ iss: `${ISS}/` })),
    status: 401,
    error: 'UnauthorizedError',
    message: `Access denied: jwt issuer invalid. expected: ${ISS}`,
  },
  {
    name: '4c no kid and no key verifies',
    identity: 'bare',
    jwt: () => token(good(), stranger, { kid: undefined }),
    status: 401,
    error: 'UnauthorizedError',
    message: 'Access denied: Unable to verify JWT signature with any available signing key. invalid algorithm',
  },
  {
    name: '4c no kid and more than 10 keys',
    identity: 'many-keys',
    jwt: () => token(good(), ec, { kid: undefined }),
    status: 401,
    error: 'UnauthorizedError',
    message: "Access denied: OIDC provider has 11 signing keys. Tokens must include 'kid' header when provider has more than 10 keys.",
  },
  {
    name: '4c no kid and the JWKS cannot be fetched',
    identity: 'jwks-500',
    jwt: () => token(good(), rsa, { kid: undefined }),
    status: 401,
    error: 'UnauthorizedError',
    message: 'Access denied: Failed to retrieve signing keys from OIDC provider: Request failed with status code 500',
  },
  {
    name: '4c no kid and no signing key',
    identity: 'no-keys',
    jwt: () => token(good(), rsa, { kid: undefined }),
    status: 401,
    error: 'UnauthorizedError',
    message: "Access denied: No signing keys available from OIDC provider's JWKS endpoint.",
  },
  {
    name: '5 subject',
    identity: 'bound',
    jwt: () => token(good({ sub: 'repo/app/dev' })),
    status: 403,
    error: 'ForbiddenError',
    message: 'Access denied: OIDC subject not allowed.',
  },
  {
    name: '5 subject: * does not span /',
    identity: 'bound',
    jwt: () => token(good({ sub: 'repo/app/x/main' })),
    status: 403,
    error: 'ForbiddenError',
    message: 'Access denied: OIDC subject not allowed.',
  },
  {
    name: '6 audience',
    identity: 'bound',
    jwt: () => token(good({ aud: 'aud-3' })),
    status: 401,
    error: 'UnauthorizedError',
    message: 'Access denied: OIDC audience not allowed.',
  },
  {
    name: '7 a bound claim missing',
    identity: 'bound',
    jwt: () => token(good({ team: undefined })),
    status: 401,
    error: 'UnauthorizedError',
    message: 'Access denied: token has no team field',
  },
  {
    name: "7 CircleCI's dotted claim key",
    identity: 'dotted',
    jwt: () => token(good({ 'oidc.circleci.com/project-id': 'p1' })),
    status: 401,
    error: 'UnauthorizedError',
    message: 'Access denied: token has no oidc.circleci.com/project-id field',
  },
  {
    name: '7b a bound claim refused',
    identity: 'bound',
    jwt: () => token(good({ team: 'red' })),
    status: 401,
    error: 'UnauthorizedError',
    message: 'Access denied: OIDC claim not allowed.',
  },
  {
    name: '8 a mapped metadata claim missing',
    identity: 'bound',
    jwt: () => token(good({ environment: '' })),
    status: 401,
    error: 'UnauthorizedError',
    message: 'Access denied: token has no environment field',
  },
  {
    name: 'a missing sub under a boundSubject: Infisical throws',
    identity: 'bound',
    jwt: () => token(good({ sub: undefined })),
    status: 500,
    error: 'InternalServerError',
    message: 'Something went wrong',
  },
];

for (const v of VECTORS) {
  test(`login refused: ${v.name}`, async () => {
    const r = await login({ identityId: v.identity, jwt: v.jwt() });
    assert.equal(r.status, v.status, JSON.stringify(r.body));
    assert.deepEqual(Object.keys(r.body), ['reqId', 'statusCode', 'message', 'error']);
    assert.match(String(r.body['reqId']), /^req-[A-Za-z0-9]{14}$/);
    assert.equal(r.body['statusCode'], v.status);
    assert.equal(r.body['error'], v.error);
    if (typeof v.message === 'string') assert.equal(r.body['message'], v.message);
    else assert.match(String(r.body['message']), v.message);
    if (v.status < 500) assert.ok(r.reason !== null && r.reason.length > 0, 'the emulator says why');
  });
}

test('0 body validation: 422 ValidationFailure with zod issues', async () => {
  const r = await login({ identityId: 5 });
  assert.equal(r.status, 422);
  assert.equal(r.body['error'], 'ValidationFailure');
  assert.deepEqual(r.body['message'], [
    { code: 'invalid_type', expected: 'string', received: 'number', path: ['identityId'], message: 'Expected string, received number' },
    { code: 'invalid_type', expected: 'string', received: 'undefined', path: ['jwt'], message: 'Required' },
  ]);
});

test('success: {accessToken, expiresIn, accessTokenMaxTTL, tokenType} with the configured TTLs', async () => {
  const r = await login({ identityId: ' bound ', jwt: ` ${token()} `, organizationSlug: 'acme', subOrganizationName: '' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(Object.keys(r.body), ['accessToken', 'expiresIn', 'accessTokenMaxTTL', 'tokenType']);
  assert.equal(r.body['expiresIn'], 600);
  assert.equal(r.body['accessTokenMaxTTL'], 1200);
  assert.equal(r.body['tokenType'], 'Bearer');
});

test('success: a form body (the secrets action)', async () => {
  assert.equal((await login({ identityId: 'bound', jwt: token() }, true)).status, 200);
});

test('success: exp is optional, and an EC key without kid is found among the keys', async () => {
  assert.equal((await login({ identityId: 'bare', jwt: token(good({ exp: undefined })) })).status, 200);
  assert.equal((await login({ identityId: 'bare', jwt: token(good(), ec, { kid: undefined }) })).status, 200);
  assert.equal((await login({ identityId: 'bare', jwt: token(good({ exp: NOW_S + 1 })) })).status, 200);
});

test('a body that is not JSON, and a method that is not POST', async () => {
  const bad = await fetch(`${emu.endpoint}/api/v1/auth/oidc-auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{',
  });
  assert.equal(bad.status, 400);
  assert.equal(((await bad.json()) as Record<string, unknown>)['error'], 'BadRequest');
  const get = await fetch(`${emu.endpoint}/api/v1/auth/oidc-auth/login`);
  assert.equal(get.status, 404);
  assert.equal(((await get.json()) as Record<string, unknown>)['message'], 'Route GET:/api/v1/auth/oidc-auth/login not found');
});

test("each login is one audit record (recent decisions, the page's decision view), with the bound fields as its trace", async () => {
  const before = emu.decisions().length;
  await login({ identityId: 'bound', jwt: token(good({ sub: 'repo/app/dev' })) });
  await login({ identityId: 'bound', jwt: token() });
  const [refused, allowed] = emu.decisions().slice(before);
  assert.equal(refused?.action, 'InfisicalOidcLogin');
  assert.equal(refused?.role, 'bound');
  assert.equal(refused?.decision, 'deny');
  assert.equal(refused?.errorCode, 'ForbiddenError');
  assert.equal(refused?.message, 'Access denied: OIDC subject not allowed.');
  assert.equal(refused?.subject, 'repo/app/dev');
  assert.deepEqual(
    (refused?.trace as { field: string; outcome: string }[]).map((t) => [t.field, t.outcome]),
    [
      ['boundSubject', 'not-matched'],
      ['boundAudiences', 'matched'],
      ['boundClaims.team', 'matched'],
      ['claimMetadataMapping.env', 'present'],
    ],
  );
  assert.equal(allowed?.decision, 'allow');
  const view = await fetch(`${emu.endpoint}/_emulator/decisions/${refused?.requestId ?? ''}`);
  assert.equal(view.status, 200);
  const page = (await view.json()) as { text: string; evaluation: unknown };
  assert.equal(page.evaluation, null);
  assert.match(page.text, /^Result: DENY ForbiddenError: Access denied: OIDC subject not allowed\.$/m);
});

test("a body over the limit: 413 in Infisical's shape, never read whole", async () => {
  const res = await fetch(`${emu.endpoint}/api/v1/auth/oidc-auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ identityId: 'bound', jwt: 'x'.repeat(2 * 1024 * 1024) }),
  });
  assert.equal(res.status, 413);
  const body = (await res.json()) as Record<string, unknown>;
  assert.deepEqual(Object.keys(body), ['reqId', 'statusCode', 'message', 'error']);
  assert.equal(body['statusCode'], 413);
  assert.equal(body['error'], 'PayloadTooLarge');
});
