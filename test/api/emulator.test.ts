/**
 * The package API (src/api, `import { startEmulator, decide } from 'sts-emulator'`): the same server `serve` runs,
 * started in-process on a free port; tokens from the built-in issuers; configuration as objects with the file loader's
 * messages; roles and providers changed while it runs; decisions; the in-process decision; stop.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { ConfigError, decide, startEmulator, type Emulator } from '../../src/index.js';
import { join } from 'node:path';
import { CIRCLE_ORG, DEMO_POLICIES, REPO_ROOT } from '../helpers/harness.js';

const CIRCLE = `oidc.circleci.com/org/${CIRCLE_ORG}`;
const FEDERATED = `arn:aws:iam::123456789012:oidc-provider/${CIRCLE}`;

/** AssumeRoleWithWebIdentity over HTTP: status and the error code, if any. */
async function assume(emu: Emulator, role: string, token: string): Promise<{ status: number; code: string | undefined; text: string }> {
  const body = new URLSearchParams({
    Action: 'AssumeRoleWithWebIdentity',
    Version: '2011-06-15',
    RoleArn: emu.roleArn(role),
    RoleSessionName: 'api-test',
    WebIdentityToken: token,
  });
  const res = await fetch(emu.endpoint, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
  const text = await res.text();
  return { status: res.status, code: /<Code>([^<]+)<\/Code>/.exec(text)?.[1], text };
}

const demo = await startEmulator();
after(() => demo.stop());

test('startEmulator() serves the demo policies on a free loopback port', async () => {
  assert.match(demo.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.ok(demo.port > 0);
  assert.equal(demo.accountId, '123456789012');
  assert.equal(demo.region, 'us-east-1');
  assert.equal(demo.roleArn('deploy-main'), 'arn:aws:iam::123456789012:role/deploy-main');
  const main = await assume(demo, 'deploy-main', await demo.mintToken({ preset: { name: 'circleci', branch: 'main' } }));
  assert.equal(main.status, 200, main.text);
  const feature = await assume(demo, 'deploy-main', await demo.mintToken({ preset: { name: 'circleci', branch: 'feature/x' } }));
  assert.equal(feature.status, 403);
  assert.equal(feature.code, 'AccessDenied');
});

test('decisions(): the recent audit records, with their traces, oldest first', async () => {
  await demo.reset();
  await assume(demo, 'deploy-main', await demo.mintToken({ preset: { name: 'circleci', branch: 'main' } }));
  await assume(demo, 'deploy-main', await demo.mintToken({ preset: { name: 'circleci', branch: 'dev' } }));
  await new Promise((r) => setImmediate(r));
  const d = demo.decisions();
  assert.deepEqual(
    d.map((r) => r.decision),
    ['allow', 'deny'],
  );
  assert.equal(d[1]?.errorCode, 'AccessDenied');
  assert.match(String(d[1]?.reason), /StringLike .*:sub is false/);
  assert.ok(d[1]?.trace !== null, 'the trace is kept');
});

test('keepDecisions: the last n decisions are kept, 0 keeps none', async () => {
  const two = await startEmulator({ keepDecisions: 2 });
  const none = await startEmulator({ keepDecisions: 0 });
  try {
    for (const branch of ['main', 'dev', 'main']) {
      for (const emu of [two, none]) await assume(emu, 'deploy-main', await emu.mintToken({ preset: { name: 'circleci', branch } }));
    }
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(
      two.decisions().map((r) => r.decision),
      ['deny', 'allow'],
    );
    assert.deepEqual(none.decisions(), []);
  } finally {
    await Promise.all([two.stop(), none.stop()]);
  }
  await assert.rejects(startEmulator({ keepDecisions: -1 }), /keepDecisions must be a whole number from 0, got -1/);
});

test('decide(): the in-process decision, with explain', async () => {
  const allow = await demo.decide({ role: 'deploy-main', preset: { name: 'circleci', branch: 'main' } });
  assert.equal(allow.decision, 'allow');
  const deny = await demo.decide({ role: 'deploy-main', preset: { name: 'circleci', branch: 'feature/x' } });
  assert.equal(deny.decision, 'deny');
  assert.equal(deny.errorCode, 'AccessDenied');
  assert.match(deny.explain, /^Result: DENY AccessDenied/);
  const viaToken = await demo.decide({
    role: 'deploy-main',
    token: await demo.mintToken({ preset: { name: 'circleci', branch: 'main' } }),
  });
  assert.equal(viaToken.decision, 'allow');
});

test('mintToken: preset options are checked against the preset', async () => {
  await assert.rejects(
    // @ts-expect-error the option types refuse it already; the run-time check is for untyped callers
    demo.mintToken({ preset: { name: 'circleci', brnach: 'main' } }),
    /preset\.brnach: unknown option of preset circleci/,
  );
  await assert.rejects(
    demo.mintToken({ preset: { name: 'circleci', branch: 'main', ref: 'refs/tags/v1' } }),
    /give branch or ref, not both/,
  );
  await assert.rejects(
    // @ts-expect-error a value outside the option's choices
    demo.mintToken({ preset: { name: 'github', trigger: 'release' } }),
    /preset\.trigger: must be one of push, pull_request, pull_request_target, workflow_dispatch, schedule, got 'release'/,
  );
  await assert.rejects(
    // @ts-expect-error an option of an earlier version
    demo.mintToken({ preset: { name: 'github', eventName: 'pull_request' } }),
    /preset\.eventName: was renamed trigger/,
  );
});

test('every preset through the API: typed options, an emulated issuer of its kind, the example roles', async () => {
  const gitlab = { policies: join(REPO_ROOT, 'examples', 'gitlab', 'policies') };
  assert.equal((await decide({ ...gitlab, role: 'gitlab-deploy-main', preset: { name: 'gitlab', branch: 'main' } })).decision, 'allow');
  assert.equal((await decide({ ...gitlab, role: 'gitlab-deploy-main', preset: { name: 'gitlab', tag: 'main' } })).decision, 'deny');
  const eks = await startEmulator({ policies: join(REPO_ROOT, 'examples', 'eks', 'policies') });
  try {
    const token = await eks.mintToken({ preset: { name: 'eks', namespace: 'default', serviceAccount: 'demo-app' } });
    assert.equal((await assume(eks, 'eks-demo-app', token)).status, 200);
    const other = await eks.mintToken({ preset: { name: 'eks', serviceAccount: 'other' } });
    assert.equal((await assume(eks, 'eks-demo-app', other)).code, 'AccessDenied');
    assert.equal((await eks.decide({ role: 'eks-demo-app', preset: 'eks' })).decision, 'allow');
  } finally {
    await eks.stop();
  }
});

// ---- configuration as objects ----

const provider = { Url: `https://${CIRCLE}`, ClientIDList: [CIRCLE_ORG], Emulated: true };
const mainOnly = (name: string, branch = 'main'): Record<string, unknown> => ({
  RoleName: name,
  AssumeRolePolicyDocument: {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: FEDERATED },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: { StringLike: { [`${CIRCLE}:sub`]: `*/vcs-ref/refs/heads/${branch}` } },
      },
    ],
  },
});

test('providers and roles given as objects, without a policies directory', async () => {
  const emu = await startEmulator({ providers: [provider], roles: [mainOnly('objects-only')] });
  try {
    assert.equal((await assume(emu, 'objects-only', await emu.mintToken({ preset: { name: 'circleci', branch: 'main' } }))).status, 200);
    assert.equal((await assume(emu, 'objects-only', await emu.mintToken({ preset: { name: 'circleci', branch: 'x' } }))).status, 403);
    assert.equal((await assume(emu, 'deploy-main', await emu.mintToken())).code, 'AccessDenied', 'no demo roles');
  } finally {
    await emu.stop();
  }
});

test('invalid objects: ConfigError with every problem, the JSON path instead of a file', async () => {
  const err = await startEmulator({
    providers: [{ Url: 'http://insecure.example', ClientIDList: 'sts.amazonaws.com' }],
    roles: [{ RoleName: 'bad name!' }],
  }).catch((e: unknown) => e);
  assert.ok(err instanceof ConfigError, String(err));
  const shown = err.problems.map((p) => `${p.file} ${p.path}: ${p.message}`);
  assert.ok(
    shown.some((l) => /^providers\[0\] Url: must begin with https:\/\//.test(l)),
    shown.join('\n'),
  );
  assert.ok(
    shown.some((l) => /^providers\[0\] ClientIDList: must be an array of strings/.test(l)),
    shown.join('\n'),
  );
  assert.ok(
    shown.some((l) => /^roles\[0\] RoleName: may contain only/.test(l)),
    shown.join('\n'),
  );
  assert.ok(
    shown.some((l) => /^roles\[0\] AssumeRolePolicyDocument: is required/.test(l)),
    shown.join('\n'),
  );
});

test('invalid options: ConfigError naming the option', async () => {
  const err = await startEmulator({ accountId: '12', region: 'nowhere', serverKey: 'abc' }).catch((e: unknown) => e);
  assert.ok(err instanceof ConfigError);
  assert.deepEqual(
    err.problems.map((p) => p.path),
    ['accountId', 'region'],
  );
  const key = await startEmulator({ serverKey: 'abc' }).catch((e: unknown) => e);
  assert.ok(key instanceof ConfigError);
  assert.match(key.problems[0]?.message ?? '', /too short|hex or base64|odd number/);
});

// ---- live changes ----

test('putRole, removeRole, addProvider and reset change what the next request sees', async () => {
  const emu = await startEmulator({ policies: DEMO_POLICIES });
  try {
    const devToken = await emu.mintToken({ preset: { name: 'circleci', branch: 'dev' } });
    assert.equal((await assume(emu, 'dev-only', devToken)).code, 'AccessDenied', 'no such role yet');
    await emu.putRole(mainOnly('dev-only', 'dev'));
    assert.equal((await assume(emu, 'dev-only', devToken)).status, 200);
    await emu.putRole(mainOnly('deploy-main', 'dev')); // replaces the file's role of that name
    assert.equal((await assume(emu, 'deploy-main', devToken)).status, 200);
    await assert.rejects(
      emu.putRole({ RoleName: 'broken', AssumeRolePolicyDocument: { Statement: 'nope' } }),
      (e: unknown) => e instanceof ConfigError && /Statement/.test(e.problems[0]?.path ?? ''),
    );
    assert.equal(await emu.removeRole('dev-only'), true);
    assert.equal(await emu.removeRole('dev-only'), false);
    assert.equal((await assume(emu, 'dev-only', devToken)).code, 'AccessDenied');
    await emu.addProvider({ Url: 'https://idp.added.example', ClientIDList: ['sts.amazonaws.com'], Emulated: true });
    assert.ok(emu.config().providers.some((p) => p.url === 'https://idp.added.example'));
    await emu.reset();
    assert.deepEqual(emu.decisions(), [], 'reset clears the decisions');
    assert.equal((await assume(emu, 'deploy-main', devToken)).code, 'AccessDenied', 'back to the file');
    assert.ok(!emu.config().providers.some((p) => p.url === 'https://idp.added.example'));
  } finally {
    await emu.stop();
  }
});

test('credentials issued before a change stay valid after it (the server key does not change)', async () => {
  const emu = await startEmulator({ serverKey: '0x' + '11'.repeat(32) });
  try {
    const ok = await assume(emu, 'deploy-main', await emu.mintToken({ preset: { name: 'circleci', branch: 'main' } }));
    const get = (t: string): string => new RegExp(`<${t}>([^<]+)</${t}>`).exec(ok.text)?.[1] ?? '';
    await emu.putRole(mainOnly('another'));
    await emu.reset();
    const { SignatureV4 } = await import('@smithy/signature-v4');
    const { createHash, createHmac } = await import('node:crypto');
    class Sha256 {
      private readonly h;
      constructor(secret?: unknown) {
        this.h = secret === undefined ? createHash('sha256') : createHmac('sha256', secret as Buffer);
      }
      update(data: Uint8Array | string): void {
        this.h.update(data);
      }
      async digest(): Promise<Uint8Array> {
        return new Uint8Array(this.h.digest());
      }
    }
    const url = new URL(emu.endpoint);
    const body = 'Action=GetCallerIdentity&Version=2011-06-15';
    const signer = new SignatureV4({
      service: 'sts',
      region: 'us-east-1',
      credentials: { accessKeyId: get('AccessKeyId'), secretAccessKey: get('SecretAccessKey'), sessionToken: get('SessionToken') },
      sha256: Sha256 as never,
    });
    const signed = await signer.sign({
      method: 'POST',
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path: '/',
      query: {},
      body,
      headers: { host: url.host, 'content-type': 'application/x-www-form-urlencoded' },
    });
    const res = await fetch(emu.endpoint, { method: 'POST', headers: signed.headers, body });
    assert.equal(res.status, 200, await res.text());
  } finally {
    await emu.stop();
  }
});

test('stop() closes the server and every socket, and can be called twice', async () => {
  const emu = await startEmulator();
  const endpoint = emu.endpoint;
  await emu.stop();
  await emu.stop();
  await assert.rejects(fetch(endpoint));
});

test('decide() without a running emulator: the demo policies, or the configuration given', async () => {
  const d = await decide({ role: 'deploy-main', preset: { name: 'circleci', branch: 'main' } });
  assert.equal(d.decision, 'allow');
  const o = await decide({
    providers: [provider],
    roles: [mainOnly('objects')],
    role: 'objects',
    preset: { name: 'circleci', branch: 'x' },
  });
  assert.equal(o.decision, 'deny');
  assert.match(o.reason ?? '', /StringLike .*:sub is false/);
});
