/**
 * A real client against the emulator's default policies: @infisical/sdk 5.0.2 has no OIDC login (it logs in with
 * universal auth and AWS IAM only), so the login is the request the Infisical CLI (go-sdk `OidcAuthLogin`: JSON
 * {identityId, jwt, organizationSlug}) and Infisical's secrets-action (a form) send; the SDK then takes the access
 * token (`auth().accessToken`), reads the demo secret (`secrets().listSecrets`: GET /api/v3/secrets/raw) and renews
 * it (`auth().universalAuth.renew()`: POST /api/v1/auth/token/renew). The demo identity admits main only.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { InfisicalSDK } from '@infisical/sdk';
import { startEmulator, type Emulator } from '../../src/index.js';

const IDENTITY = '7c1f2a9e-3b4d-4e5f-8a6b-9c0d1e2f3a4b';
let emu: Emulator;

before(async () => {
  emu = await startEmulator({ port: 0 });
});
after(async () => {
  await emu.stop();
});

async function cliLogin(jwt: string): Promise<Response> {
  return fetch(`${emu.endpoint}/api/v1/auth/oidc-auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': 'infisical-cli' },
    body: JSON.stringify({ identityId: IDENTITY, jwt, organizationSlug: '' }),
  });
}

test('the CLI login of a main-branch CircleCI token, then @infisical/sdk reads the demo secret and renews', async () => {
  const jwt = await emu.mintToken({ preset: { name: 'circleci', branch: 'main' } });
  const res = await cliLogin(jwt);
  assert.equal(res.status, 200);
  const body = (await res.json()) as Record<string, unknown>;
  assert.deepEqual(Object.keys(body).sort(), ['accessToken', 'accessTokenMaxTTL', 'expiresIn', 'tokenType']);
  assert.equal(body['expiresIn'], 3600);
  assert.equal(body['accessTokenMaxTTL'], 7200);
  assert.equal(body['tokenType'], 'Bearer');

  const sdk = new InfisicalSDK({ siteUrl: emu.endpoint });
  sdk.auth().accessToken(body['accessToken'] as string);
  const secrets = await sdk.secrets().listSecrets({ projectId: 'demo-app-project', environment: 'prod', secretPath: '/' });
  const byKey = Object.fromEntries(secrets.secrets.map((s) => [s.secretKey, s.secretValue]));
  assert.equal(byKey['DATABASE_URL'], 'postgres://demo:demo-password@db.internal:5432/app');
  assert.equal(byKey['API_KEY'], 'demo-api-key-0000');

  const renewed = await sdk.auth().universalAuth.renew();
  const again = await renewed.secrets().listSecrets({ projectId: 'demo-app-project', environment: 'prod' });
  assert.equal(again.secrets.length, 2);
});

test("the secrets action's form login works too", async () => {
  const jwt = await emu.mintToken({ preset: { name: 'circleci', branch: 'main' } });
  const res = await fetch(`${emu.endpoint}/api/v1/auth/oidc-auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ identityId: IDENTITY, jwt }).toString(),
  });
  assert.equal(res.status, 200);
});

test('another branch is refused with 403 and the exact message; so is a branch that forges the rest of the sub', async () => {
  for (const branch of ['feature/x', 'x/vcs-origin/github.com/demo-org/demo-app/vcs-ref/refs/heads/main']) {
    const res = await cliLogin(await emu.mintToken({ preset: { name: 'circleci', branch } }));
    assert.equal(res.status, 403, branch);
    const body = (await res.json()) as Record<string, unknown>;
    assert.match(String(body['reqId']), /^req-[A-Za-z0-9]{14}$/);
    assert.deepEqual(
      { ...body, reqId: '' },
      {
        reqId: '',
        statusCode: 403,
        message: 'Access denied: OIDC subject not allowed.',
        error: 'ForbiddenError',
      },
    );
  }
});

test('the SDK shows a refused read as Infisical reports it', async () => {
  const sdk = new InfisicalSDK({ siteUrl: emu.endpoint });
  sdk.auth().accessToken('not-a-token');
  await assert.rejects(sdk.secrets().listSecrets({ projectId: 'demo-app-project', environment: 'prod' }), (e: Error) => {
    assert.match(e.message, /The provided access token is malformed/);
    return true;
  });
});
