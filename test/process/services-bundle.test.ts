/**
 * The other services through the CLI as users start it (the bundle of `npm run build`, test/helpers/cli-entry.ts):
 * Vault's and Infisical's logins on the default policies, and Google's token exchange on examples/gcp/policies, each
 * allowed for main and refused for another branch. Their code (and the packages it loads on first use: picomatch,
 * CEL) runs only from inside the bundle here: the in-process tests run the modules.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CLI_ENTRY } from '../helpers/cli-entry.js';
import { DEMO_POLICIES, REPO_ROOT } from '../helpers/harness.js';
import { runMain } from '../cli/helpers.js';

const GCP_POLICIES = join(REPO_ROOT, 'examples', 'gcp', 'policies');

async function serve(t: import('node:test').TestContext, policies: string): Promise<string> {
  const child = spawn(process.execPath, [CLI_ENTRY, 'serve', '--port', '0', '--policies', policies], {
    env: { PATH: process.env['PATH'], STS_EMULATOR_QUIET: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  t.after(() => {
    child.kill('SIGKILL');
    assert.equal(stderr.includes('internal failure'), false, stderr);
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/[^ ]+)/.exec(out);
      if (m !== null) resolve(m[1] as string);
    });
    child.on('exit', (code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
  });
}

async function token(policies: string, ...args: string[]): Promise<string> {
  const r = await runMain(['token', '--policies', policies, '--preset', 'circleci', ...args]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim();
}

async function post(
  url: string,
  body: unknown,
  contentType = 'application/json',
): Promise<{ status: number; body: Record<string, unknown> }> {
  const r = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

test("Vault's and Infisical's logins through the bundle: main is let in, another branch refused in each one's words", async (t) => {
  const url = await serve(t, DEMO_POLICIES);
  const main = await token(DEMO_POLICIES, '--branch', 'main');
  const other = await token(DEMO_POLICIES, '--branch', 'feature/x');

  const vault = (jwt: string): Promise<{ status: number; body: Record<string, unknown> }> =>
    post(`${url}/v1/auth/jwt/login`, { role: 'circleci-deploy-main', jwt });
  const vaultIn = await vault(main);
  assert.equal(vaultIn.status, 200);
  assert.match(String((vaultIn.body['auth'] as Record<string, unknown>)['client_token']), /^hvs\./);
  const vaultOut = await vault(other);
  assert.equal(vaultOut.status, 400);
  assert.match(String((vaultOut.body['errors'] as string[])[0]), /does not match any associated bound claim values/);

  const file = readFileSync(join(DEMO_POLICIES, 'infisical', 'identities', 'circleci-deploy-main.json'), 'utf8');
  const identityId = /"identityId":\s*"([^"]+)"/.exec(file)?.[1];
  assert.ok(identityId !== undefined);
  const infisical = (jwt: string): Promise<{ status: number; body: Record<string, unknown> }> =>
    post(`${url}/api/v1/auth/oidc-auth/login`, { identityId, jwt });
  const infisicalIn = await infisical(main);
  assert.equal(infisicalIn.status, 200);
  assert.match(String(infisicalIn.body['accessToken']), /^ist\./);
  const infisicalOut = await infisical(other);
  assert.equal(infisicalOut.status, 403);
  assert.equal(infisicalOut.body['message'], 'Access denied: OIDC subject not allowed.');
});

test("Google's token exchange through the bundle: main is let in, another branch refused with unauthorized_client", async (t) => {
  const url = await serve(t, GCP_POLICIES);
  const audience =
    '//iam.googleapis.com/projects/314159265358/locations/global/workloadIdentityPools/circleci-pool/providers/circleci-demo';
  const exchange = async (subjectToken: string): Promise<{ status: number; body: Record<string, unknown> }> =>
    post(
      `${url}/v1/token`,
      new URLSearchParams({
        grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
        audience,
        scope: 'https://www.googleapis.com/auth/cloud-platform',
        requested_token_type: 'urn:ietf:params:oauth:token-type:access_token',
        subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
        subject_token: subjectToken,
      }).toString(),
      'application/x-www-form-urlencoded',
    );
  const allowed = await exchange(await token(GCP_POLICIES, '--v1', '--branch', 'main'));
  assert.equal(allowed.status, 200, JSON.stringify(allowed.body));
  assert.equal(typeof allowed.body['access_token'], 'string');
  const refused = await exchange(await token(GCP_POLICIES, '--v1', '--branch', 'feature/x'));
  assert.equal(refused.status, 400);
  assert.equal(refused.body['error'], 'unauthorized_client');
});
