/**
 * Live configuration: the admin surface under /_emulator/ (health, config, roles put and deleted, reset, decisions;
 * loopback or a bearer token), and `watch`: a good edit takes effect, a bad edit is reported with every problem and
 * the last good configuration stays, an editor's write-by-rename is seen, a request in flight finishes on the
 * configuration it started with.
 */
import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { isLoopback } from '../../src/server/index.js';
import { startEmulator, type Emulator } from '../../src/index.js';
import { CIRCLE_ORG, DEMO_POLICIES } from '../helpers/harness.js';
import { sendJson, startServer as startIdp } from '../helpers/identity-server.js';
import { makeKey, signRaw } from '../helpers/identity-tokens.js';

const CIRCLE = `oidc.circleci.com/org/${CIRCLE_ORG}`;
const FEDERATED = `arn:aws:iam::123456789012:oidc-provider/${CIRCLE}`;
const roleFor = (name: string, branch: string, federated = FEDERATED, provider = CIRCLE): Record<string, unknown> => ({
  RoleName: name,
  AssumeRolePolicyDocument: {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: federated },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: { StringLike: { [`${provider}:sub`]: `*${branch}` } },
      },
    ],
  },
});

async function assume(emu: Emulator, role: string, token: string): Promise<number> {
  const body = new URLSearchParams({
    Action: 'AssumeRoleWithWebIdentity',
    Version: '2011-06-15',
    RoleArn: emu.roleArn(role),
    RoleSessionName: 'live',
    WebIdentityToken: token,
  });
  const res = await fetch(emu.endpoint, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
  await res.text();
  return res.status;
}

/** Polls `check` until it holds (watch events arrive asynchronously); fails after `ms`. */
async function eventually(check: () => Promise<boolean>, ms = 5_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) assert.fail('the change never took effect');
    await new Promise((r) => setTimeout(r, 50));
  }
}

// ---- the admin surface ----

const emu = await startEmulator();
after(() => emu.stop());
const admin = (path: string, init: RequestInit = {}): Promise<Response> => fetch(`${emu.endpoint}/_emulator/${path}`, init);

test('GET /_emulator/health: status and counts', async () => {
  const res = await admin('health');
  assert.equal(res.status, 200);
  const body = (await res.json()) as Record<string, unknown>;
  assert.equal(body['status'], 'ok');
  assert.equal(body['roles'], emu.config().roles.length);
  assert.equal(body['providers'], emu.config().providers.length);
  assert.equal(body['auditRecordsLost'], 0);
});

test('GET /_emulator/config: providers and roles as loaded, in IAM shapes', async () => {
  const body = (await (await admin('config')).json()) as { roles: Record<string, unknown>[]; providers: Record<string, unknown>[] };
  const role = body.roles.find((r) => r['RoleName'] === 'deploy-main');
  assert.equal(role?.['Arn'], 'arn:aws:iam::123456789012:role/deploy-main');
  assert.equal((role?.['AssumeRolePolicyDocument'] as { Version?: string }).Version, '2012-10-17');
  assert.ok(body.providers.some((p) => p['Url'] === `https://${CIRCLE}`));
});

test('PUT /_emulator/roles/<name>: a valid role takes effect; an invalid one is 400 with every problem', async () => {
  const put = (name: string, doc: unknown): Promise<Response> =>
    admin(`roles/${name}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(doc) });
  const { RoleName: _ignored, ...withoutName } = roleFor('admin-dev', 'refs/heads/dev');
  const ok = await put('admin-dev', withoutName);
  assert.equal(ok.status, 200);
  assert.equal(((await ok.json()) as Record<string, unknown>)['RoleName'], 'admin-dev');
  assert.equal(await assume(emu, 'admin-dev', await emu.mintToken({ preset: { name: 'circleci', branch: 'dev' } })), 200);
  const bad = await put('admin-bad', { AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Maybe' }] } });
  assert.equal(bad.status, 400);
  const problems = ((await bad.json()) as { problems: { path: string; message: string }[] }).problems;
  assert.ok(
    problems.some((p) => p.path === 'AssumeRolePolicyDocument.Statement[0].Effect'),
    JSON.stringify(problems),
  );
  const mismatch = await put('one-name', roleFor('another-name', 'main'));
  assert.equal(mismatch.status, 400);
  const notJson = await admin('roles/x', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{nope' });
  assert.equal(notJson.status, 400);
  assert.match(notJson.headers.get('content-type') ?? '', /^application\/json/);
});

test('DELETE /_emulator/roles/<name>: 204, then 404', async () => {
  await emu.putRole(roleFor('to-delete', 'main'));
  assert.equal((await admin('roles/to-delete', { method: 'DELETE' })).status, 204);
  const again = await admin('roles/to-delete', { method: 'DELETE' });
  assert.equal(again.status, 404);
  assert.deepEqual(await again.json(), { error: 'NoSuchEntity', message: 'no role to-delete' });
});

test('POST /_emulator/reset and GET /_emulator/decisions', async () => {
  await emu.putRole(roleFor('before-reset', 'main'));
  assert.equal((await admin('reset', { method: 'POST' })).status, 204);
  assert.ok(!emu.config().roles.some((r) => r.roleName === 'before-reset'));
  await assume(emu, 'deploy-main', await emu.mintToken({ preset: { name: 'circleci', branch: 'main' } }));
  const decisions = (await (await admin('decisions')).json()) as { decision: string; role: string }[];
  assert.equal(decisions.length, 1);
  assert.equal(decisions[0]?.decision, 'allow');
});

test('with an admin token: every admin route but health needs it, compared as a whole', async () => {
  const token = 'a-test-admin-token-0123456789';
  const locked = await startEmulator({ adminToken: token });
  try {
    const get = (path: string, auth?: string): Promise<Response> =>
      fetch(`${locked.endpoint}/_emulator/${path}`, auth === undefined ? {} : { headers: { authorization: auth } });
    assert.equal((await get('health')).status, 200);
    assert.equal((await get('config')).status, 401);
    assert.equal((await get('config', `Bearer ${token.slice(0, -1)}`)).status, 401);
    assert.equal((await get('config', `Bearer ${token}x`)).status, 401);
    assert.equal((await get('config', `Bearer ${token}`)).status, 200);
  } finally {
    await locked.stop();
  }
});

test('the admin surface answers loopback clients only (without a token)', () => {
  for (const a of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1']) assert.equal(isLoopback(a), true, a);
  for (const a of ['10.0.0.1', '192.168.1.2', '::ffff:10.0.0.1', 'fe80::1', undefined]) assert.equal(isLoopback(a), false, String(a));
});

// ---- watch ----

const dir = await mkdtemp(join(tmpdir(), 'sts-emulator-watch-'));
after(() => rm(dir, { recursive: true, force: true }));
await cp(join(DEMO_POLICIES, 'providers'), join(dir, 'providers'), { recursive: true });
await mkdir(join(dir, 'roles'));
await writeFile(join(dir, 'roles', 'watched.json'), JSON.stringify(roleFor('watched', 'refs/heads/main')));
const reports: string[] = [];
const watched = await startEmulator({ policies: dir, watch: true, log: (t) => void reports.push(t) });
after(() => watched.stop());
const tokenFor = (branch: string): Promise<string> => watched.mintToken({ preset: { name: 'circleci', branch } });

test('watch: a good edit takes effect without a restart', async () => {
  assert.equal(await assume(watched, 'watched', await tokenFor('main')), 200);
  await writeFile(join(dir, 'roles', 'watched.json'), JSON.stringify(roleFor('watched', 'refs/heads/release')));
  await eventually(async () => (await assume(watched, 'watched', await tokenFor('release'))) === 200);
  assert.equal(await assume(watched, 'watched', await tokenFor('main')), 403);
  assert.ok(
    reports.some((r) => /configuration reloaded \(1 roles, \d+ providers\)/.test(r)),
    reports.join(''),
  );
});

test('watch: a bad edit is reported with every problem and the last good configuration stays in force', async () => {
  const before = reports.length;
  await writeFile(join(dir, 'roles', 'broken.json'), '{"RoleName": "broken",}');
  await eventually(async () => reports.slice(before).some((r) => r.includes('configuration not reloaded')));
  const report = reports.slice(before).join('');
  assert.match(report, /roles\/broken\.json: invalid JSON at line 1, column 23: trailing comma before '\}'/);
  assert.equal(await assume(watched, 'watched', await tokenFor('release')), 200, 'the last good configuration');
  await rm(join(dir, 'roles', 'broken.json'));
  await eventually(async () => reports.slice(before).some((r) => r.includes('configuration reloaded')));
});

test('watch: an editor that writes by rename (write a temporary file, then rename it over the role)', async () => {
  const tmp = join(dir, 'roles', '.watched.json.swp');
  await writeFile(tmp, JSON.stringify(roleFor('watched', 'refs/heads/hotfix')));
  await rename(tmp, join(dir, 'roles', 'watched.json'));
  await eventually(async () => (await assume(watched, 'watched', await tokenFor('hotfix'))) === 200);
});

test('watch: a request in flight finishes on the configuration it started with', { timeout: 20_000 }, async () => {
  const key = await makeKey('rsa', 'slow-live');
  const idp = await startIdp(
    (_req, res) => void setTimeout(() => sendJson(res, { keys: [{ ...key.jwk, alg: 'RS256', use: 'sig' }] }), 1_000),
  );
  try {
    const issuer = 'https://slow-live.example.test';
    await writeFile(
      join(dir, 'providers', 'slow-live.json'),
      JSON.stringify({ Url: issuer, ClientIDList: ['sts.amazonaws.com'], JwksUri: `${idp.url}/jwks` }),
    );
    const federated = 'arn:aws:iam::123456789012:oidc-provider/slow-live.example.test';
    await writeFile(join(dir, 'roles', 'slow.json'), JSON.stringify(roleFor('slow', 'job', federated, 'slow-live.example.test')));
    await eventually(async () => watched.config().roles.some((r) => r.roleName === 'slow'));
    const now = Math.floor(Date.now() / 1000);
    const token = signRaw(
      JSON.stringify({ alg: 'RS256', kid: key.kid }),
      JSON.stringify({ iss: issuer, sub: 'the-job', aud: 'sts.amazonaws.com', iat: now, exp: now + 600 }),
      'RS256',
      key.privateKey,
    );
    const inFlight = assume(watched, 'slow', token); // waits about a second on the JWKS
    await new Promise((r) => setTimeout(r, 200));
    await writeFile(join(dir, 'roles', 'slow.json'), JSON.stringify(roleFor('slow', 'nobody', federated, 'slow-live.example.test')));
    await eventually(async () =>
      JSON.stringify(watched.config().roles.find((r) => r.roleName === 'slow')?.trustPolicyJson ?? '').includes('nobody'),
    );
    assert.equal(await inFlight, 200, 'decided by the role as it was when the request arrived');
    assert.equal(await assume(watched, 'slow', token), 403, 'the next request sees the edit');
  } finally {
    await idp.close();
  }
});
