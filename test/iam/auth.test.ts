/**
 * Who may call the IAM API, and how the one dispatch routes Version 2010-05-08: unsigned calls get AWS's
 * MissingAuthenticationToken; any access key signed for service iam is accepted, its signature verified only when
 * the emulator issued it (tampered or expired issued credentials are refused); unknown actions are InvalidAction in
 * IAM's namespace; a server without the IAM table answers that Version as STS does for any unknown Version.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { buildApp } from '../helpers/harness.js';
import { call, failed, fixture, githubTrust, ok, type Creds, type Fixture } from './helpers.js';

let offsetMs = 0;
const clock = (): Date => new Date(Date.now() + offsetMs);
const records: { action: string; subject: string | null; errorCode: string | null }[] = [];

let f: Fixture;
before(async () => {
  f = await fixture({ clock, audit: (r) => void records.push({ action: r.action, subject: r.subject, errorCode: r.errorCode }) });
});
after(() => f.close());

/** Credentials the emulator issues: AssumeRoleWithWebIdentity on the demo GitHub provider. */
let issuedRoles = 0;
async function issued(): Promise<Creds> {
  const role = `issuer-${++issuedRoles}`;
  ok(
    await call(
      f.emu.endpoint,
      { Action: 'CreateRole', RoleName: role, AssumeRolePolicyDocument: githubTrust('repo:o/r:ref:refs/heads/main') },
      { at: clock() },
    ),
  );
  const token = await f.emu.mintToken({ preset: { name: 'github', repository: 'o/r', branch: 'main' } });
  const body = new URLSearchParams({
    Action: 'AssumeRoleWithWebIdentity',
    Version: '2011-06-15',
    RoleArn: f.emu.roleArn(role),
    RoleSessionName: 'admin',
    WebIdentityToken: token,
  });
  const text = await (await fetch(f.emu.endpoint, { method: 'POST', body })).text();
  const field = (name: string): string => new RegExp(`<${name}>([^<]+)</${name}>`).exec(text)?.[1] ?? '';
  return { accessKeyId: field('AccessKeyId'), secretAccessKey: field('SecretAccessKey'), sessionToken: field('SessionToken') };
}

const lastRecord = async (): Promise<(typeof records)[number] | undefined> => {
  await new Promise((r) => setImmediate(r));
  return records[records.length - 1];
};

test('an unsigned call gets MissingAuthenticationToken (403), in IAM namespace', async () => {
  failed(
    await call(f.emu.endpoint, { Action: 'ListRoles' }, { unsigned: true }),
    403,
    'MissingAuthenticationToken',
    'Request is missing Authentication Token',
  );
});

test('a signature scoped to another service is refused', async () => {
  failed(
    await call(f.emu.endpoint, { Action: 'ListRoles' }, { service: 'sts' }),
    403,
    'SignatureDoesNotMatch',
    /Credential should be scoped to correct service: 'iam'/,
  );
});

test('a signature from more than 15 minutes ago is refused', async () => {
  failed(
    await call(f.emu.endpoint, { Action: 'ListRoles' }, { at: new Date(Date.now() - 20 * 60_000) }),
    403,
    'SignatureDoesNotMatch',
    /^Signature expired: /,
  );
});

test('any other access key is accepted, its signature unchecked (the audit log says so)', async () => {
  ok(await call(f.emu.endpoint, { Action: 'ListRoles' }, { creds: { accessKeyId: 'AKIAANYTHINGATALL123', secretAccessKey: 'not-known' } }));
  assert.equal((await lastRecord())?.subject, 'access key AKIAANYTHINGATALL123 (signature not checked)');
  // A session token that does not open under the server key: credentials of someone else, accepted the same way.
  ok(
    await call(
      f.emu.endpoint,
      { Action: 'ListRoles' },
      { creds: { accessKeyId: 'ASIAFOREIGN000000000', secretAccessKey: 'x', sessionToken: 'Zm9yZWlnbg==' } },
    ),
  );
});

test('credentials the emulator issued: the signature is verified (a tampered secret is refused), an expired session is refused', async () => {
  const creds = await issued();
  ok(await call(f.emu.endpoint, { Action: 'ListRoles' }, { creds, at: clock() }));
  assert.match(String((await lastRecord())?.subject), /^arn:aws:sts::123456789012:assumed-role\/issuer-\d+\/admin$/);
  const secret = creds.secretAccessKey;
  const tampered = { ...creds, secretAccessKey: `${secret[0] === 'A' ? 'B' : 'A'}${secret.slice(1)}` };
  failed(await call(f.emu.endpoint, { Action: 'ListRoles' }, { creds: tampered, at: clock() }), 403, 'SignatureDoesNotMatch');
  offsetMs = 2 * 3600_000;
  try {
    failed(
      await call(f.emu.endpoint, { Action: 'ListRoles' }, { creds, at: clock() }),
      403,
      'ExpiredToken',
      'The security token included in the request is expired',
    );
  } finally {
    offsetMs = 0;
  }
});

test('an incomplete Authorization header is IncompleteSignature (400), in IAM namespace', async () => {
  failed(
    await call(
      f.emu.endpoint,
      { Action: 'ListRoles' },
      { authorization: 'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/iam/aws4_request, SignedHeaders=host' },
    ),
    400,
    'IncompleteSignature',
    /^Authorization header requires 'Signature' parameter\./,
  );
});

test('a presigned query (GET) is accepted as the header form is: any key unchecked, an issued key verified', async () => {
  ok(await call(f.emu.endpoint, { Action: 'ListRoles' }, { presigned: true }));
  assert.equal((await lastRecord())?.subject, 'access key AKIAIOSFODNN7EXAMPLE (signature not checked)');
  const creds = await issued();
  ok(await call(f.emu.endpoint, { Action: 'ListRoles' }, { presigned: true, creds, at: clock() }));
  assert.match(String((await lastRecord())?.subject), /^arn:aws:sts::123456789012:assumed-role\/issuer-\d+\/admin$/);
  const tampered = { ...creds, secretAccessKey: `${creds.secretAccessKey[0] === 'A' ? 'B' : 'A'}${creds.secretAccessKey.slice(1)}` };
  failed(
    await call(f.emu.endpoint, { Action: 'ListRoles' }, { presigned: true, creds: tampered, at: clock() }),
    403,
    'SignatureDoesNotMatch',
  );
  failed(await call(f.emu.endpoint, { Action: 'ListRoles' }, { presigned: true, service: 'sts' }), 403, 'SignatureDoesNotMatch', /'iam'/);
});

test('an unknown Action with the IAM Version is InvalidAction in IAM namespace; the audit record names the action', async () => {
  failed(
    await call(f.emu.endpoint, { Action: 'CreateUser', UserName: 'x' }),
    400,
    'InvalidAction',
    'Could not find operation CreateUser for version 2010-05-08',
  );
  assert.deepEqual(await lastRecord(), { action: 'CreateUser', subject: null, errorCode: 'InvalidAction' });
});

test('a server built without the IAM table answers Version 2010-05-08 as any unknown Version, in STS namespace', async () => {
  const { app, close } = await buildApp();
  try {
    const port = (app.address() as { port: number }).port;
    const res = await fetch(`http://127.0.0.1:${port}/`, {
      method: 'POST',
      body: new URLSearchParams({ Action: 'ListRoles', Version: '2010-05-08' }),
    });
    const text = await res.text();
    assert.equal(res.status, 400);
    assert.match(text, /<ErrorResponse xmlns="https:\/\/sts\.amazonaws\.com\/doc\/2011-06-15\/">/);
    assert.match(text, /<Code>InvalidAction<\/Code>/);
  } finally {
    await close();
  }
});
