/**
 * `persist`: what the IAM API creates, changes and deletes is written back to the policies directory as the files a
 * user would write, atomically (no temporary file left, a file is whole or absent), into the file an entity came
 * from (its wrapper and key source kept), and a restart on that directory serves the same configuration. Without
 * `persist` nothing under the directory changes.
 */
import assert from 'node:assert/strict';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError, startEmulator } from '../../src/index.js';
import { DEMO_POLICIES } from '../helpers/harness.js';
import { ACCOUNT, assume, call, GITHUB, githubTrust, members, ok, policiesDir } from './helpers.js';

const MAIN = 'repo:demo-org/demo-app:ref:refs/heads/main';
const json = async (path: string): Promise<Record<string, unknown>> => JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
const listing = async (dir: string): Promise<string[]> =>
  [
    ...(await readdir(join(dir, 'providers'))).map((f) => `providers/${f}`),
    ...(await readdir(join(dir, 'roles'))).map((f) => `roles/${f}`),
  ].sort();

test('created entities are written as hand-written files; a restart on the directory serves them as they were', async (t) => {
  const dir = await policiesDir(true);
  t.after(() => rm(dir, { recursive: true, force: true }));
  const emu = await startEmulator({ policies: dir, persist: true });
  ok(
    await call(emu.endpoint, {
      Action: 'CreateOpenIDConnectProvider',
      Url: `https://${GITHUB}`,
      'ClientIDList.member.1': 'sts.amazonaws.com',
      'ThumbprintList.member.1': '6938fd4d98bab03faadb97b34396831e3780aea1',
    }),
  );
  ok(
    await call(emu.endpoint, {
      Action: 'CreateRole',
      RoleName: 'gha-deploy',
      AssumeRolePolicyDocument: githubTrust(MAIN),
      MaxSessionDuration: '7200',
      'Tags.member.1.Key': 'team',
      'Tags.member.1.Value': 'platform',
    }),
  );
  assert.deepEqual(await listing(dir), [`providers/${GITHUB}.json`, `providers/${GITHUB}.key.pem`, 'roles/gha-deploy.json']);
  const provider = await json(join(dir, 'providers', `${GITHUB}.json`));
  assert.deepEqual(Object.keys(provider), ['Url', 'ClientIDList', 'ThumbprintList', 'CreateDate', 'Emulated', 'PrivateKeyFile']);
  assert.equal(provider['Url'], `https://${GITHUB}`);
  assert.equal(provider['PrivateKeyFile'], `${GITHUB}.key.pem`, 'the key sits beside the file, named relative to it');
  const role = await json(join(dir, 'roles', 'gha-deploy.json'));
  assert.deepEqual(Object.keys(role), ['RoleName', 'Path', 'MaxSessionDuration', 'Tags', 'CreateDate', 'AssumeRolePolicyDocument']);
  assert.deepEqual(role['AssumeRolePolicyDocument'], JSON.parse(githubTrust(MAIN)), 'the trust policy as a JSON object');
  assert.match(await readFile(join(dir, 'roles', 'gha-deploy.json'), 'utf8'), /^\{\n {2}"RoleName": "gha-deploy",\n/);
  const before = ok(await call(emu.endpoint, { Action: 'GetRole', RoleName: 'gha-deploy' }))['Role'] as Record<string, unknown>;
  const token = await emu.mintToken({ preset: { name: 'github', repository: 'demo-org/demo-app', branch: 'main' } });
  await emu.stop();

  const again = await startEmulator({ policies: dir });
  try {
    const after = ok(await call(again.endpoint, { Action: 'GetRole', RoleName: 'gha-deploy' }))['Role'] as Record<string, unknown>;
    for (const k of ['RoleId', 'Arn', 'CreateDate', 'MaxSessionDuration', 'AssumeRolePolicyDocument']) assert.equal(after[k], before[k], k);
    assert.equal((await assume(again, 'gha-deploy', token)).status, 200, 'the persisted key verifies tokens minted before the restart');
  } finally {
    await again.stop();
  }
});

test('changes go into the file an entity came from, keeping its wrapper, its key source and its other fields', async (t) => {
  const dir = await policiesDir();
  t.after(() => rm(dir, { recursive: true, force: true }));
  const handWritten = {
    Role: {
      RoleName: 'deploy-main',
      Path: '/',
      RoleLastUsed: {},
      AssumeRolePolicyDocument: JSON.parse(githubTrust(MAIN)),
    },
  };
  await writeFile(join(dir, 'roles', 'deploy.json'), JSON.stringify(handWritten));
  const emu = await startEmulator({ policies: dir, persist: true });
  try {
    ok(await call(emu.endpoint, { Action: 'UpdateRole', RoleName: 'deploy-main', MaxSessionDuration: '5400' }));
    ok(await call(emu.endpoint, { Action: 'TagRole', RoleName: 'deploy-main', 'Tags.member.1.Key': 'k', 'Tags.member.1.Value': 'v' }));
    assert.deepEqual(await readdir(join(dir, 'roles')), ['deploy.json'], 'no second file for the same role');
    assert.deepEqual(await json(join(dir, 'roles', 'deploy.json')), {
      Role: { ...handWritten.Role, MaxSessionDuration: 5400, Tags: [{ Key: 'k', Value: 'v' }] },
    });
    const providerFile = join(dir, 'providers', 'github-actions.json');
    const original = await json(providerFile);
    const arn = `arn:aws:iam::${ACCOUNT}:oidc-provider/${GITHUB}`;
    ok(
      await call(emu.endpoint, {
        Action: 'AddClientIDToOpenIDConnectProvider',
        OpenIDConnectProviderArn: arn,
        ClientID: 'second-audience',
      }),
    );
    assert.deepEqual(await json(providerFile), { ...original, ClientIDList: ['sts.amazonaws.com', 'second-audience'] });
    const token = await emu.mintToken({
      preset: { name: 'github', repository: 'demo-org/demo-app', branch: 'main' },
      claims: { aud: 'second-audience' },
    });
    ok(
      await call(emu.endpoint, {
        Action: 'UpdateAssumeRolePolicy',
        RoleName: 'deploy-main',
        PolicyDocument: githubTrust(MAIN).replace('"sts.amazonaws.com"', '"second-audience"'),
      }),
    );
    assert.equal(
      (await assume(emu, 'deploy-main', token)).status,
      200,
      'the provider keeps its demo key (PrivateKeyFile relative to its file)',
    );
    const got = ok(await call(emu.endpoint, { Action: 'GetRole', RoleName: 'deploy-main' }))['Role'] as Record<string, unknown>;
    assert.equal(Date.parse(String(got['CreateDate'])) <= Date.now(), true, 'a file without CreateDate: the time the emulator started');
  } finally {
    await emu.stop();
  }
});

test('deletes remove the file (a provider keeps its key file); nothing temporary is left behind', async (t) => {
  const dir = await policiesDir(true);
  t.after(() => rm(dir, { recursive: true, force: true }));
  const emu = await startEmulator({ policies: dir, persist: true });
  try {
    ok(await call(emu.endpoint, { Action: 'CreateOpenIDConnectProvider', Url: 'https://idp.example/org/1' }));
    ok(await call(emu.endpoint, { Action: 'CreateRole', RoleName: 'temp', AssumeRolePolicyDocument: githubTrust(MAIN) }));
    assert.deepEqual(await listing(dir), ['providers/idp.example_org_1.json', 'providers/idp.example_org_1.key.pem', 'roles/temp.json']);
    ok(await call(emu.endpoint, { Action: 'DeleteRole', RoleName: 'temp' }));
    ok(
      await call(emu.endpoint, {
        Action: 'DeleteOpenIDConnectProvider',
        OpenIDConnectProviderArn: `arn:aws:iam::${ACCOUNT}:oidc-provider/idp.example/org/1`,
      }),
    );
    assert.deepEqual(await listing(dir), ['providers/idp.example_org_1.key.pem']);
  } finally {
    await emu.stop();
  }
});

test('a new file never overwrites another: a taken name gets a suffix', async (t) => {
  const dir = await policiesDir(true);
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(
    join(dir, 'roles', 'ci.json'),
    JSON.stringify({ RoleName: 'other', AssumeRolePolicyDocument: JSON.parse(githubTrust(MAIN)) }),
  );
  const emu = await startEmulator({ policies: dir, persist: true });
  try {
    ok(await call(emu.endpoint, { Action: 'CreateRole', RoleName: 'ci', AssumeRolePolicyDocument: githubTrust(MAIN) }));
    assert.deepEqual(await readdir(join(dir, 'roles')), ['ci-2.json', 'ci.json']);
    assert.equal((await json(join(dir, 'roles', 'ci.json')))['RoleName'], 'other');
    assert.equal((await json(join(dir, 'roles', 'ci-2.json')))['RoleName'], 'ci');
  } finally {
    await emu.stop();
  }
});

test('a change the loader refuses reaches neither the configuration nor the disk', async (t) => {
  const dir = await policiesDir(true);
  t.after(() => rm(dir, { recursive: true, force: true }));
  const emu = await startEmulator({ policies: dir, persist: true });
  try {
    ok(await call(emu.endpoint, { Action: 'CreateRole', RoleName: 'good', AssumeRolePolicyDocument: githubTrust(MAIN) }));
    // Another file under --policies becomes invalid behind the emulator's back: the next change is refused whole.
    await writeFile(join(dir, 'roles', 'broken.json'), '{"RoleName": ');
    const a = await call(emu.endpoint, { Action: 'UpdateRole', RoleName: 'good', MaxSessionDuration: '7200' });
    assert.equal(a.error?.code, 'InvalidInput');
    assert.match(a.error?.message ?? '', /^roles\/broken\.json: /);
    assert.equal((await json(join(dir, 'roles', 'good.json')))['MaxSessionDuration'], 3600);
    assert.equal(members(ok(await call(emu.endpoint, { Action: 'ListRoles' }))['Roles']).length, 1);
  } finally {
    await emu.stop();
  }
});

test('without persist the directory is left as it was', async (t) => {
  const dir = await policiesDir();
  t.after(() => rm(dir, { recursive: true, force: true }));
  const before = await listing(dir);
  const emu = await startEmulator({ policies: dir });
  try {
    ok(await call(emu.endpoint, { Action: 'CreateOpenIDConnectProvider', Url: 'https://memory.example' }));
    ok(await call(emu.endpoint, { Action: 'CreateRole', RoleName: 'memory', AssumeRolePolicyDocument: githubTrust(MAIN) }));
    ok(await call(emu.endpoint, { Action: 'UpdateRole', RoleName: 'memory', Description: 'in memory' }));
    assert.deepEqual(await listing(dir), before);
    const token = await emu.mintToken({ issuer: 'https://memory.example', claims: { sub: 's', aud: 'a' } });
    assert.ok(token.split('.').length === 3, 'the new emulated issuer signs, with a key outside the directory');
  } finally {
    await emu.stop();
  }
});

test('persist needs a policies directory, and not the demo one', async () => {
  await assert.rejects(startEmulator({ persist: true, roles: [] }), (e: unknown) => e instanceof ConfigError && /persist/.test(e.message));
  await assert.rejects(startEmulator({ persist: true }), (e: unknown) => e instanceof ConfigError && /demo policies/.test(e.message));
  await assert.rejects(
    startEmulator({ persist: true, policies: DEMO_POLICIES }),
    (e: unknown) => e instanceof ConfigError && /demo policies/.test(e.message),
  );
});
