/**
 * GetCallerIdentity and AssumeRole over HTTP with SigV4 (header and presigned forms), signed by
 * @smithy/signature-v4 with credentials the app issued. The clock is injected, so session expiry and
 * chaining limits are tested without waiting.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import request from 'supertest';
import { parseStringPromise } from 'xml2js';
import { SignatureV4 } from '@smithy/signature-v4';
import { buildApp, circleToken, form, roleArn, webIdentityParams } from '../helpers/harness.js';

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

interface Creds {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
}

let now = new Date('2026-11-25T12:00:00Z');
const clock = (): Date => now;

async function setup() {
  now = new Date('2026-11-25T12:00:00Z');
  const { app, audit } = await buildApp({ clock, serverKey: randomBytes(32) });
  return { app, audit };
}

async function webIdentityCreds(
  app: Parameters<typeof request>[0],
  role = 'deploy-main',
  session = 'ci',
  duration?: number,
): Promise<Creds> {
  const token = await circleToken({ branch: 'main' }, {}, now);
  const params: Record<string, string> = webIdentityParams(token, role, session);
  if (duration !== undefined) params['DurationSeconds'] = String(duration);
  const res = await request(app).post('/').type('form').send(form(params));
  assert.equal(res.status, 200, res.text);
  const c = (await parseStringPromise(res.text)).AssumeRoleWithWebIdentityResponse.AssumeRoleWithWebIdentityResult[0].Credentials[0];
  return { accessKeyId: c.AccessKeyId[0], secretAccessKey: c.SecretAccessKey[0], sessionToken: c.SessionToken[0] };
}

async function signedPost(app: Parameters<typeof request>[0], creds: Creds, params: Record<string, string>, at: Date = now) {
  const body = form({ Version: '2011-06-15', ...params });
  const signer = new SignatureV4({ service: 'sts', region: 'us-east-1', credentials: creds, sha256: Sha256 as never });
  const signed = await signer.sign(
    {
      method: 'POST',
      protocol: 'http:',
      hostname: '127.0.0.1',
      path: '/',
      query: {},
      body,
      headers: { host: '127.0.0.1', 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    },
    { signingDate: at },
  );
  let r = request(app).post('/');
  for (const [k, v] of Object.entries(signed.headers)) r = r.set(k, v);
  return r.send(body);
}

async function xmlOf(text: string): Promise<Record<string, any>> {
  return parseStringPromise(text);
}

test('GetCallerIdentity, Authorization header form: the session that signed', async () => {
  const { app } = await setup();
  const creds = await webIdentityCreds(app);
  const res = await signedPost(app, creds, { Action: 'GetCallerIdentity' });
  assert.equal(res.status, 200, res.text);
  const r = (await xmlOf(res.text)).GetCallerIdentityResponse.GetCallerIdentityResult[0];
  assert.equal(r.Arn[0], 'arn:aws:sts::123456789012:assumed-role/deploy-main/ci');
  assert.match(r.UserId[0], /^AROA[A-Z0-9]{17}:ci$/);
  assert.equal(r.Account[0], '123456789012');
  assert.deepEqual(Object.keys(r), ['Arn', 'UserId', 'Account']);
});

test('GetCallerIdentity, presigned query form (GET)', async () => {
  const { app } = await setup();
  const creds = await webIdentityCreds(app);
  const signer = new SignatureV4({ service: 'sts', region: 'us-east-1', credentials: creds, sha256: Sha256 as never });
  const presigned = await signer.presign(
    {
      method: 'GET',
      protocol: 'http:',
      hostname: '127.0.0.1',
      path: '/',
      query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
      headers: { host: '127.0.0.1' },
    },
    { signingDate: now, expiresIn: 60 },
  );
  const qs = new URLSearchParams(presigned.query as Record<string, string>).toString();
  const res = await request(app).get(`/?${qs}`).set('host', '127.0.0.1');
  assert.equal(res.status, 200, res.text);
  assert.match(res.text, /assumed-role\/deploy-main\/ci/);
});

const REFUSALS: readonly [string, (c: Creds) => Creds, number, string, string][] = [
  [
    'a tampered secret',
    (c) => ({ ...c, secretAccessKey: (c.secretAccessKey[0] === 'A' ? 'B' : 'A') + c.secretAccessKey.slice(1) }),
    403,
    'SignatureDoesNotMatch',
    'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
  ],
  [
    'an unknown access key',
    (c) => ({ ...c, accessKeyId: 'ASIAZZZZZZZZZZZZZZZZ' }),
    403,
    'InvalidClientTokenId',
    'The security token included in the request is invalid',
  ],
  [
    'a session token of another key',
    (c) => ({ ...c, sessionToken: c.sessionToken.slice(0, -8) + 'AAAAAAA=' }),
    403,
    'InvalidClientTokenId',
    'The security token included in the request is invalid',
  ],
];
for (const [name, change, status, code, message] of REFUSALS) {
  test(`GetCallerIdentity refuses ${name}`, async () => {
    const { app } = await setup();
    const creds = change(await webIdentityCreds(app));
    const res = await signedPost(app, creds, { Action: 'GetCallerIdentity' });
    assert.equal(res.status, status, res.text);
    const e = (await xmlOf(res.text)).ErrorResponse.Error[0];
    assert.equal(e.Code[0], code);
    assert.equal(e.Message[0], message);
  });
}

test('GetCallerIdentity refuses a foreign session token (credentials of another server key)', async () => {
  const a = await setup();
  const b = await buildApp({ clock, serverKey: randomBytes(32) });
  const creds = await webIdentityCreds(b.app);
  const res = await signedPost(a.app, creds, { Action: 'GetCallerIdentity' });
  assert.equal(res.status, 403);
  assert.match(res.text, /<Code>InvalidClientTokenId<\/Code>/);
});

test('an app with the same server key accepts the credentials (stateless)', async () => {
  const key = randomBytes(32);
  const a = await buildApp({ clock, serverKey: key });
  const b = await buildApp({ clock, serverKey: key });
  const creds = await webIdentityCreds(a.app);
  const res = await signedPost(b.app, creds, { Action: 'GetCallerIdentity' });
  assert.equal(res.status, 200, res.text);
});

test('an expired session: 403 ExpiredToken', async () => {
  const { app } = await setup();
  const creds = await webIdentityCreds(app);
  now = new Date(now.getTime() + 3601 * 1000);
  const res = await signedPost(app, creds, { Action: 'GetCallerIdentity' });
  assert.equal(res.status, 403, res.text);
  const e = (await xmlOf(res.text)).ErrorResponse.Error[0];
  assert.equal(e.Code[0], 'ExpiredToken');
  assert.equal(e.Message[0], 'The security token included in the request is expired');
});

test('a request dated more than 15 minutes off: SignatureDoesNotMatch, Signature expired', async () => {
  const { app } = await setup();
  const creds = await webIdentityCreds(app);
  const res = await signedPost(app, creds, { Action: 'GetCallerIdentity' }, new Date(now.getTime() - 16 * 60 * 1000));
  assert.equal(res.status, 403);
  assert.match(
    res.text,
    /<Code>SignatureDoesNotMatch<\/Code>\s*<Message>Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)<\/Message>/,
  );
});

test('unsigned GetCallerIdentity and AssumeRole: MissingAuthenticationToken', async () => {
  const { app } = await setup();
  for (const action of ['GetCallerIdentity', 'AssumeRole']) {
    const res = await request(app)
      .post('/')
      .type('form')
      .send(form({ Action: action, Version: '2011-06-15' }));
    assert.equal(res.status, 403);
    assert.match(res.text, /<Code>MissingAuthenticationToken<\/Code>/);
  }
});

test('AssumeRole (role chaining): allowed with the external id, the chained session works', async () => {
  const { app, audit } = await setup();
  const creds = await webIdentityCreds(app);
  const res = await signedPost(app, creds, {
    Action: 'AssumeRole',
    RoleArn: roleArn('prod-deployer'),
    RoleSessionName: 'chained',
    ExternalId: 'demo-external-id',
  });
  assert.equal(res.status, 200, res.text);
  const r = (await xmlOf(res.text)).AssumeRoleResponse.AssumeRoleResult[0];
  assert.deepEqual(Object.keys(r), ['Credentials', 'AssumedRoleUser']);
  assert.equal(r.AssumedRoleUser[0].Arn[0], 'arn:aws:sts::123456789012:assumed-role/prod-deployer/chained');
  const c = r.Credentials[0];
  assert.equal(Date.parse(c.Expiration[0]) - now.getTime(), 3600 * 1000);
  const chained = { accessKeyId: c.AccessKeyId[0], secretAccessKey: c.SecretAccessKey[0], sessionToken: c.SessionToken[0] };
  const who = await signedPost(app, chained, { Action: 'GetCallerIdentity' });
  assert.match(who.text, /assumed-role\/prod-deployer\/chained/);
  const record = audit.find((a) => a.action === 'AssumeRole');
  assert.equal(record?.decision, 'allow');
});

const CHAIN_REFUSALS: readonly [string, Record<string, string>, string, RegExp][] = [
  [
    'without the external id',
    {},
    'AccessDenied',
    /User: arn:aws:sts::123456789012:assumed-role\/deploy-main\/ci is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::123456789012:role\/prod-deployer/,
  ],
  ['with a wrong external id', { ExternalId: 'nope-nope' }, 'AccessDenied', /not authorized to perform: sts:AssumeRole/],
  [
    'for more than an hour',
    { ExternalId: 'demo-external-id', DurationSeconds: '3601' },
    'ValidationError',
    /The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining\./,
  ],
  [
    'into a role that trusts only web identities',
    { RoleArn: roleArn('deploy-main') },
    'AccessDenied',
    /not authorized to perform: sts:AssumeRole/,
  ],
  [
    'into a role that does not exist',
    { RoleArn: roleArn('nope') },
    'AccessDenied',
    /not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::123456789012:role\/nope/,
  ],
  [
    'with a bad session name',
    { ExternalId: 'demo-external-id', RoleSessionName: 'a b' },
    'ValidationError',
    /at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern/,
  ],
];
for (const [name, extra, code, message] of CHAIN_REFUSALS) {
  test(`AssumeRole refuses ${name}`, async () => {
    const { app } = await setup();
    const creds = await webIdentityCreds(app);
    const res = await signedPost(app, creds, {
      Action: 'AssumeRole',
      RoleArn: roleArn('prod-deployer'),
      RoleSessionName: 'chained',
      ...extra,
    });
    const e = (await xmlOf(res.text)).ErrorResponse.Error[0];
    assert.equal(e.Code[0], code, res.text);
    assert.match(e.Message[0], message);
  });
}

test('AssumeRole from a role session not named by the trust policy: AccessDenied with a trace', async () => {
  const { app, audit } = await setup();
  const creds = await webIdentityCreds(app, 'seed004-fixed', 'other');
  const res = await signedPost(app, creds, {
    Action: 'AssumeRole',
    RoleArn: roleArn('prod-deployer'),
    RoleSessionName: 'chained',
    ExternalId: 'demo-external-id',
  });
  assert.equal(res.status, 403);
  const record = audit.find((a) => a.action === 'AssumeRole');
  assert.equal(record?.decision, 'deny');
  assert.ok(record?.trace !== null);
  assert.match(res.headers['x-sts-emulator-reason'] ?? '', /principal does not match/);
});
