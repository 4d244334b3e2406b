/**
 * Faults a hostile run found (issue "Never down, never silent", items 1-4), each a test that failed before its fix:
 * a source identity claim that is not a string, claims nested thousands of levels deep, an internal failure that
 * left no trace, and an audit log on a stderr whose reader went away.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, test } from 'node:test';
import { auditTo, createStsServer, type AuditRecord } from '../../src/server/index.js';
import { stsOperations } from '../../src/sts/index.js';
import { main } from '../../src/cli/main.js';
import { presetClaims } from '../../src/identity/provider-kinds.js';
import { loadOrCreateSigningKey } from '../../src/identity/emulated.js';
import { sign } from 'node:crypto';
import {
  buildApp,
  circleToken,
  CIRCLE_ISSUER,
  CIRCLE_KEY_FILE,
  CIRCLE_ORG,
  DEMO_POLICIES,
  form,
  REPO_ROOT,
  webIdentityParams,
} from '../helpers/harness.js';
import { expectError, postForm, roleFile, tempPolicies } from '../server/helpers.js';
import { join } from 'node:path';
import { CLI_ENTRY } from '../helpers/cli-entry.js';

const T = new Date('2026-03-01T10:00:00Z');
const CIRCLE = `oidc.circleci.com/org/${CIRCLE_ORG}`;
const FEDERATED = `arn:aws:iam::123456789012:oidc-provider/${CIRCLE}`;
const SOURCE_IDENTITY = 'https://aws.amazon.com/source_identity';
const PATTERN = '[\\w+=,.@-]*';

const policies = await tempPolicies({
  open: roleFile('open', [
    { Effect: 'Allow', Principal: { Federated: FEDERATED }, Action: ['sts:AssumeRoleWithWebIdentity', 'sts:SetSourceIdentity'] },
  ]),
});
after(() => policies.remove());

const nested = (depth: number): unknown => {
  let v: unknown = 'x';
  for (let i = 0; i < depth; i++) v = [v];
  return v;
};
/** JSON text of `depth` nested arrays, built as text: JSON.stringify and jose's claim builder overflow on it. */
const nestedText = (depth: number): string => '['.repeat(depth) + '"x"' + ']'.repeat(depth);

/** A CircleCI token whose claim `claim` is `depth` nested arrays, signed by hand (RS256 with the demo key). */
async function deepToken(claim: string, depth: number): Promise<string> {
  const key = await loadOrCreateSigningKey(CIRCLE_KEY_FILE);
  const claims = JSON.stringify({
    ...presetClaims('circleci', CIRCLE_ISSUER, { branch: 'main' }, { now: T, ttlSeconds: 3600 }),
    [claim]: 0,
  });
  const payload = claims.replace(`"${claim}":0`, `"${claim}":${nestedText(depth)}`);
  const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64url');
  const data = `${b64(JSON.stringify({ alg: 'RS256', kid: key.kid, typ: 'JWT' }))}.${b64(payload)}`;
  return `${data}.${sign('sha256', Buffer.from(data), key.privateKey).toString('base64url')}`;
}

// ---- 1. a source identity claim that is not a string ----

const notStrings: readonly { value: unknown; shown: string }[] = [
  { value: { toString: 0 }, shown: '{"toString":0}' },
  { value: { valueOf: 0, toString: 0 }, shown: '{"valueOf":0,"toString":0}' },
  { value: ['user-alice'], shown: '["user-alice"]' },
  { value: 42, shown: '42' },
  { value: true, shown: 'true' },
  { value: null, shown: 'null' },
];
const { app } = await buildApp({ policies: policies.dir, clock: () => T });
for (const c of notStrings) {
  test(`a source identity claim ${c.shown} is a ValidationError that shows its JSON, never a 500`, async () => {
    const token = await circleToken({ branch: 'main' }, { [SOURCE_IDENTITY]: c.value }, T);
    const res = await postForm(app, form(webIdentityParams(token, 'open')));
    await expectError(
      res,
      400,
      'ValidationError',
      `1 validation error detected: Value '${c.shown}' at 'sourceIdentity' failed to satisfy constraint: Member must satisfy regular expression pattern: ${PATTERN}`,
    );
  });
}

// ---- 2. claims nested deeper than any real token ----

for (const claimKeys of ['aws', 'all'] as const) {
  const deep = await buildApp({ policies: policies.dir, clock: () => T, claimKeys });
  for (const [claim, depth] of [
    ['amr', 5000],
    ['custom', 5000],
    ['amr', 33],
  ] as const) {
    test(`--claim-keys ${claimKeys}: a '${claim}' claim nested ${depth} levels is InvalidIdentityToken, not a stack overflow`, async () => {
      const token = await deepToken(claim, depth);
      assert.ok(token.length <= 20000, `token of ${token.length} characters fits the parameter`);
      const res = await postForm(deep.app, form(webIdentityParams(token, 'open')));
      await expectError(res, 400, 'InvalidIdentityToken');
      assert.match(String(res.headers['x-sts-emulator-reason']), /nest objects or arrays more than 32 levels deep/);
    });
  }
  test(`--claim-keys ${claimKeys}: claims nested as deep as allowed still verify (31 levels of arrays)`, async () => {
    const token = await circleToken({ branch: 'main' }, { custom: nested(31) }, T);
    const res = await postForm(deep.app, form(webIdentityParams(token, 'open')));
    assert.equal(res.status, 200, res.text);
  });
}

test('token --claims nested thousands of levels deep is a usage error (exit 2), not a crash', async () => {
  const out: string[] = [];
  const err: string[] = [];
  const io = { stdout: (t: string) => void out.push(t), stderr: (t: string) => void err.push(t), cwd: REPO_ROOT };
  const code = await main(['token', '--policies', DEMO_POLICIES, '--claims', `{"amr":${nestedText(5000)}}`], {}, io);
  assert.equal(code, 2, err.join(''));
  assert.match(err.join(''), /--claims nests objects or arrays more than 32 levels deep/);
  assert.equal(out.join(''), '');
});

// ---- 3. an internal failure is logged: its stack on stderr, its class and message in the audit record ----

test('an internal failure writes its stack to stderr (once per minute per stack) and its class and message to the audit record', async () => {
  const base = await buildApp({ policies: policies.dir, clock: () => T });
  const deps = {
    ...base.runtime.deps,
    verifier: {
      verify: async (): Promise<never> => {
        throw new TypeError('verifier exploded');
      },
    },
  };
  const audit: AuditRecord[] = [];
  const faulty = createStsServer({
    operations: stsOperations(deps),
    clock: () => T,
    requestId: () => 'req-internal',
    answered: auditTo((r) => void audit.push(r)),
  });
  const written: string[] = [];
  const original = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  }) as typeof process.stderr.write;
  let first, second;
  try {
    const token = await circleToken({ branch: 'main' }, {}, T);
    first = await postForm(faulty, form(webIdentityParams(token, 'open')));
    second = await postForm(faulty, form(webIdentityParams(token, 'open')));
  } finally {
    process.stderr.write = original;
  }
  for (const res of [first, second]) {
    assert.equal(res.status, 500);
    assert.match(res.text, /<Code>InternalFailure<\/Code>/);
    assert.ok(!res.text.includes('verifier exploded'), 'the detail is never in the answer');
    assert.equal(res.headers['x-sts-emulator-reason'], undefined, 'nor in the reason header');
  }
  const logged = written.filter((w) => w.includes('internal failure'));
  assert.equal(logged.length, 1, `one stack for two identical failures: ${written.join('')}`);
  assert.match(logged[0] ?? '', /TypeError: verifier exploded\n\s+at /);
  assert.equal(audit.length, 2);
  assert.equal(audit[0]?.decision, 'error');
  assert.equal(audit[0]?.errorCode, 'InternalFailure');
  assert.equal(audit[0]?.reason, 'internal failure: TypeError: verifier exploded');
});

// ---- 4. --audit-log - with a reader that goes away ----

test('--audit-log - on a stderr whose reader went away: the server keeps answering', async () => {
  const child = spawn(process.execPath, [CLI_ENTRY, 'serve', '--port', '0', '--policies', DEMO_POLICIES, '--audit-log', '-'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    const ready = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) resolve(out);
      });
      child.on('exit', (code) => reject(new Error(`exited ${code}`)));
    });
    const url = /http:\/\/[^ ]+/.exec(ready)?.[0] as string;
    child.stderr.destroy(); // the log collector dies
    const token = await circleToken({ branch: 'main' });
    for (let i = 0; i < 5; i++) {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form(webIdentityParams(token)),
      });
      assert.equal(res.status, 200, `request ${i}`);
      await res.text();
    }
    assert.equal(child.exitCode, null, 'still running');
  } finally {
    child.kill('SIGTERM');
  }
});

// ---- 13. a configuration error never quotes a file the user may not have written ----

test('a role file that is a symbolic link to a non-JSON file: reported by line and column, without quoting it', async () => {
  const { mkdtemp, mkdir, symlink, writeFile, cp, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { loadConfig, ConfigError } = await import('../../src/config/index.js');
  const dir = await mkdtemp(join(tmpdir(), 'sts-emulator-link-'));
  try {
    const secret = join(dir, 'shadow');
    await writeFile(secret, 'root:$6$secret-hash:19000:0:99999:7:::\n');
    await cp(join(DEMO_POLICIES, 'providers'), join(dir, 'providers'), { recursive: true });
    await mkdir(join(dir, 'roles'));
    await symlink(secret, join(dir, 'roles', 'linked.json'));
    await writeFile(
      join(dir, 'providers', 'jwks-link.json'),
      JSON.stringify({ Url: 'https://jwks-link.example.test', ClientIDList: ['a'], JwksFile: secret }),
    );
    const err = await loadConfig(dir, { accountId: '123456789012' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err instanceof ConfigError, String(err));
    const text = err.problems.map((p) => `${p.file} ${p.path} ${p.message}`).join('\n');
    assert.match(text, /roles\/linked\.json\s+invalid JSON at line 1, column 1: unexpected character; expected a value/);
    assert.match(text, /invalid JSON at line 1, column 1/);
    for (const leaked of ["'r'", 'root', 'secret-hash', '$6$']) assert.ok(!text.includes(leaked), `the error quotes ${leaked}: ${text}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
