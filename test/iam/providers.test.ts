/**
 * The OIDC provider operations of the IAM API over HTTP (a started emulator, SigV4-signed calls): each operation's
 * answer in IAM's shapes, each error IAM gives, and what the next AssumeRoleWithWebIdentity sees after each change.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ACCOUNT, assume, call, failed, fixture, GITHUB, githubTrust, members, ok, type Fixture } from './helpers.js';

const NEW_URL = 'https://idp.iam-test.example/tenant';
const NEW_ARN = `arn:aws:iam::${ACCOUNT}:oidc-provider/idp.iam-test.example/tenant`;
const TP1 = '6938fd4d98bab03faadb97b34396831e3780aea1';
const TP2 = '1c58a3a8518e8759bf075b76b750d4f2df264fcd';

let f: Fixture;
let endpoint: string;
before(async () => {
  f = await fixture({ iamLimits: { providers: 4, clientIds: 3 } });
  endpoint = f.emu.endpoint;
});
after(() => f.close());

test('CreateOpenIDConnectProvider answers the ARN and the tags; Get answers the Url without https://, the lists, CreateDate, Tags', async () => {
  const before = Date.now();
  const created = ok(
    await call(endpoint, {
      Action: 'CreateOpenIDConnectProvider',
      Url: NEW_URL,
      'ClientIDList.member.1': 'aud-1',
      'ClientIDList.member.2': 'aud-1',
      'ThumbprintList.member.1': TP1,
      'Tags.member.1.Key': 'team',
      'Tags.member.1.Value': 'platform',
    }),
  );
  assert.equal(created['OpenIDConnectProviderArn'], NEW_ARN);
  assert.deepEqual(members(created['Tags']), [{ Key: 'team', Value: 'platform' }]);
  const got = ok(await call(endpoint, { Action: 'GetOpenIDConnectProvider', OpenIDConnectProviderArn: NEW_ARN }));
  assert.equal(got['Url'], 'idp.iam-test.example/tenant');
  assert.deepEqual(members(got['ClientIDList']), ['aud-1'], 'a client ID given twice is kept once');
  assert.deepEqual(members(got['ThumbprintList']), [TP1]);
  assert.match(String(got['CreateDate']), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  assert.ok(Math.abs(Date.parse(String(got['CreateDate'])) - before) < 5_000);
  assert.deepEqual(members(got['Tags']), [{ Key: 'team', Value: 'platform' }]);
});

test('ListOpenIDConnectProviders lists every provider ARN, sorted', async () => {
  const listed = members(ok(await call(endpoint, { Action: 'ListOpenIDConnectProviders' }))['OpenIDConnectProviderList']).map(
    (m) => m['Arn'],
  );
  assert.deepEqual(listed, [...listed].sort());
  assert.ok(listed.includes(NEW_ARN));
  assert.ok(listed.includes(`arn:aws:iam::${ACCOUNT}:oidc-provider/${GITHUB}`), 'providers from files are listed too');
});

test('a provider loaded from a file answers Get with the CreateDate of the start and no Tags', async () => {
  const got = ok(
    await call(endpoint, {
      Action: 'GetOpenIDConnectProvider',
      OpenIDConnectProviderArn: `arn:aws:iam::${ACCOUNT}:oidc-provider/${GITHUB}`,
    }),
  );
  assert.equal(got['Url'], GITHUB);
  assert.deepEqual(members(got['ClientIDList']), ['sts.amazonaws.com']);
  assert.equal(got['Tags'], undefined);
  assert.match(String(got['CreateDate']), /Z$/);
});

test('CreateOpenIDConnectProvider errors: EntityAlreadyExists, InvalidInput (Url, thumbprint, tag keys), LimitExceeded', async () => {
  failed(
    await call(endpoint, { Action: 'CreateOpenIDConnectProvider', Url: NEW_URL }),
    409,
    'EntityAlreadyExists',
    `Provider with url ${NEW_URL} already exists.`,
  );
  for (const url of ['http://idp.example', 'idp.example', 'https://idp.example/?q=1', 'https://user@idp.example']) {
    const a = await call(endpoint, { Action: 'CreateOpenIDConnectProvider', Url: url });
    failed(a, 400, 'InvalidInput', 'Invalid Open ID Connect Provider URL.');
    assert.match(a.reason ?? '', /^Url /, 'the reason says what is wrong');
  }
  failed(
    await call(endpoint, { Action: 'CreateOpenIDConnectProvider', Url: 'https://tp.example', 'ThumbprintList.member.1': 'z'.repeat(40) }),
    400,
    'InvalidInput',
    'Thumbprint must be a 40-character hexadecimal SHA-1 hash.',
  );
  const six = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`ThumbprintList.member.${i + 1}`, `${i}`.repeat(40)]));
  failed(
    await call(endpoint, { Action: 'CreateOpenIDConnectProvider', Url: 'https://tp.example', ...six }),
    409,
    'LimitExceeded',
    'Thumbprint list must contain fewer than 6 entries.',
  );
  failed(
    await call(endpoint, {
      Action: 'CreateOpenIDConnectProvider',
      Url: 'https://tags.example',
      'Tags.member.1.Key': 'Env',
      'Tags.member.1.Value': 'a',
      'Tags.member.2.Key': 'env',
      'Tags.member.2.Value': 'b',
    }),
    400,
    'InvalidInput',
    'Duplicate tag keys found. Please note that Tag keys are case insensitive.',
  );
  const four = Object.fromEntries(Array.from({ length: 4 }, (_, i) => [`ClientIDList.member.${i + 1}`, `c${i}`]));
  failed(
    await call(endpoint, { Action: 'CreateOpenIDConnectProvider', Url: 'https://ids.example', ...four }),
    409,
    'LimitExceeded',
    'Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: 3',
  );
  failed(
    await call(endpoint, { Action: 'CreateOpenIDConnectProvider' }),
    400,
    'ValidationError',
    "1 validation error detected: Value null at 'url' failed to satisfy constraint: Member must not be null",
  );
  // The demo's two providers and NEW_URL make three of the four allowed.
  ok(await call(endpoint, { Action: 'CreateOpenIDConnectProvider', Url: 'https://fourth.example' }));
  failed(
    await call(endpoint, { Action: 'CreateOpenIDConnectProvider', Url: 'https://fifth.example' }),
    409,
    'LimitExceeded',
    'Cannot exceed quota for OpenIdConnectProvidersPerAccount: 4',
  );
  ok(
    await call(endpoint, {
      Action: 'DeleteOpenIDConnectProvider',
      OpenIDConnectProviderArn: `arn:aws:iam::${ACCOUNT}:oidc-provider/fourth.example`,
    }),
  );
});

test('NoSuchEntity for an ARN no provider has, from every operation that needs one', async () => {
  const arn = `arn:aws:iam::${ACCOUNT}:oidc-provider/nobody.example`;
  const message = `OpenIDConnect Provider not found for arn ${arn}`;
  failed(await call(endpoint, { Action: 'GetOpenIDConnectProvider', OpenIDConnectProviderArn: arn }), 404, 'NoSuchEntity', message);
  failed(
    await call(endpoint, { Action: 'AddClientIDToOpenIDConnectProvider', OpenIDConnectProviderArn: arn, ClientID: 'x' }),
    404,
    'NoSuchEntity',
    message,
  );
  failed(
    await call(endpoint, { Action: 'RemoveClientIDFromOpenIDConnectProvider', OpenIDConnectProviderArn: arn, ClientID: 'x' }),
    404,
    'NoSuchEntity',
    message,
  );
  failed(
    await call(endpoint, {
      Action: 'UpdateOpenIDConnectProviderThumbprint',
      OpenIDConnectProviderArn: arn,
      'ThumbprintList.member.1': TP1,
    }),
    404,
    'NoSuchEntity',
    message,
  );
  const otherAccount = `arn:aws:iam::210987654321:oidc-provider/${GITHUB}`;
  failed(await call(endpoint, { Action: 'GetOpenIDConnectProvider', OpenIDConnectProviderArn: otherAccount }), 404, 'NoSuchEntity');
});

test('AddClientID (once), RemoveClientID (absent ones ignored), UpdateThumbprint (replaces); LimitExceeded at the quota', async () => {
  const get = async (): Promise<Record<string, unknown>> =>
    ok(await call(endpoint, { Action: 'GetOpenIDConnectProvider', OpenIDConnectProviderArn: NEW_ARN }));
  const add = (id: string): ReturnType<typeof call> =>
    call(endpoint, { Action: 'AddClientIDToOpenIDConnectProvider', OpenIDConnectProviderArn: NEW_ARN, ClientID: id });
  const a = await add('aud-2');
  ok(a);
  assert.match(
    a.text,
    /<AddClientIDToOpenIDConnectProviderResponse xmlns="[^"]+">\n {2}<ResponseMetadata>/,
    'no Result element: the model has no output',
  );
  ok(await add('aud-2'));
  assert.deepEqual(members((await get())['ClientIDList']), ['aud-1', 'aud-2']);
  ok(await add('aud-3'));
  failed(await add('aud-4'), 409, 'LimitExceeded', 'Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: 3');
  ok(await call(endpoint, { Action: 'RemoveClientIDFromOpenIDConnectProvider', OpenIDConnectProviderArn: NEW_ARN, ClientID: 'aud-3' }));
  ok(
    await call(endpoint, { Action: 'RemoveClientIDFromOpenIDConnectProvider', OpenIDConnectProviderArn: NEW_ARN, ClientID: 'never-there' }),
  );
  assert.deepEqual(members((await get())['ClientIDList']), ['aud-1', 'aud-2']);
  ok(
    await call(endpoint, {
      Action: 'UpdateOpenIDConnectProviderThumbprint',
      OpenIDConnectProviderArn: NEW_ARN,
      'ThumbprintList.member.1': TP2,
    }),
  );
  assert.deepEqual(members((await get())['ThumbprintList']), [TP2]);
  failed(
    await call(endpoint, {
      Action: 'UpdateOpenIDConnectProviderThumbprint',
      OpenIDConnectProviderArn: NEW_ARN,
      'ThumbprintList.member.1': 'g'.repeat(40),
    }),
    400,
    'InvalidInput',
  );
});

test('the next AssumeRoleWithWebIdentity sees each provider change at once', async () => {
  const role = 'iam-provider-change';
  const trust = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Federated: NEW_ARN }, Action: 'sts:AssumeRoleWithWebIdentity' }],
  });
  ok(await call(endpoint, { Action: 'CreateRole', RoleName: role, AssumeRolePolicyDocument: trust }));
  const token = await f.emu.mintToken({ issuer: NEW_URL, claims: { sub: 'someone', aud: 'aud-2' } });
  assert.equal((await assume(f.emu, role, token)).status, 200, 'a created provider is emulated: its minted tokens verify');
  ok(await call(endpoint, { Action: 'RemoveClientIDFromOpenIDConnectProvider', OpenIDConnectProviderArn: NEW_ARN, ClientID: 'aud-2' }));
  const removed = await assume(f.emu, role, token);
  assert.equal(removed.code, 'InvalidIdentityToken');
  assert.match(removed.text, /Incorrect token audience/);
  ok(await call(endpoint, { Action: 'AddClientIDToOpenIDConnectProvider', OpenIDConnectProviderArn: NEW_ARN, ClientID: 'aud-2' }));
  assert.equal((await assume(f.emu, role, token)).status, 200);
  ok(await call(endpoint, { Action: 'DeleteOpenIDConnectProvider', OpenIDConnectProviderArn: NEW_ARN }));
  const deleted = await assume(f.emu, role, token);
  assert.equal(deleted.code, 'InvalidIdentityToken');
  assert.match(deleted.text, /No OpenIDConnect provider found in your account for https:\/\/idp\.iam-test\.example\/tenant/);
});

test('DeleteOpenIDConnectProvider is idempotent (the IAM API reference): a provider that does not exist is no error', async () => {
  const a = await call(endpoint, { Action: 'DeleteOpenIDConnectProvider', OpenIDConnectProviderArn: NEW_ARN });
  ok(a);
  assert.match(
    a.text,
    /^<DeleteOpenIDConnectProviderResponse xmlns="https:\/\/iam\.amazonaws\.com\/doc\/2010-05-08\/">\n {2}<ResponseMetadata>/,
  );
  failed(await call(endpoint, { Action: 'GetOpenIDConnectProvider', OpenIDConnectProviderArn: NEW_ARN }), 404, 'NoSuchEntity');
});

test('a provider created without client IDs is kept with an empty list (tokens then fail with Incorrect token audience)', async () => {
  const url = 'https://no-audience.example';
  ok(await call(endpoint, { Action: 'CreateOpenIDConnectProvider', Url: url }));
  const arn = `arn:aws:iam::${ACCOUNT}:oidc-provider/no-audience.example`;
  const got = ok(await call(endpoint, { Action: 'GetOpenIDConnectProvider', OpenIDConnectProviderArn: arn }));
  assert.equal(got['ClientIDList'], '');
  ok(
    await call(endpoint, {
      Action: 'CreateRole',
      RoleName: 'no-audience',
      AssumeRolePolicyDocument: githubTrust('x').replace(`oidc-provider/${GITHUB}`, 'oidc-provider/no-audience.example'),
    }),
  );
  const token = await f.emu.mintToken({ issuer: url, claims: { sub: 'x', aud: 'sts.amazonaws.com' } });
  const r = await assume(f.emu, 'no-audience', token);
  assert.equal(r.code, 'InvalidIdentityToken');
  assert.match(r.text, /Incorrect token audience/);
  ok(await call(endpoint, { Action: 'DeleteOpenIDConnectProvider', OpenIDConnectProviderArn: arn }));
});
