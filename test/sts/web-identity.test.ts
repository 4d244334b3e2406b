/**
 * AssumeRoleWithWebIdentity end to end against a temporary policies directory (the demo providers plus the
 * roles below): role lookup with and without the path, session tags and sts:TagSession, source identity and
 * sts:SetSourceIdentity, reflected claims that XML cannot carry, the order of checks, durations and the
 * response element order (sts.md §1.4, §4, §5.2, §6.3).
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { Response } from 'supertest';
import { buildApp, circleToken, CIRCLE_ORG, form, roleArn, webIdentityParams } from '../helpers/harness.js';
import { elementOrder, expectAssumed, expectError, postForm, roleFile, stsXml, tempPolicies, type Xml } from '../server/helpers.js';

const T = new Date('2026-03-01T10:00:00Z');
const T_S = Math.floor(T.getTime() / 1000);
const CIRCLE = `oidc.circleci.com/org/${CIRCLE_ORG}`;
const FEDERATED = `arn:aws:iam::123456789012:oidc-provider/${CIRCLE}`;
const AWIWI = 'sts:AssumeRoleWithWebIdentity';
const allow = (action: string | string[], condition?: Record<string, unknown>): Record<string, unknown> => ({
  Effect: 'Allow',
  Principal: { Federated: FEDERATED },
  Action: action,
  ...(condition === undefined ? {} : { Condition: condition }),
});
const audOk = { StringEquals: { [`${CIRCLE}:aud`]: CIRCLE_ORG } };
const TAGS = 'https://aws.amazon.com/tags';
const SOURCE_IDENTITY = 'https://aws.amazon.com/source_identity';

const policies = await tempPolicies({
  'open-circle': roleFile('open-circle', [allow(AWIWI, audOk)], { MaxSessionDuration: 43200 }),
  pathed: roleFile('pathed', [allow(AWIWI, audOk)], { Path: '/ci/team/' }),
  'tags-no-tagsession': roleFile('tags-no-tagsession', [allow(AWIWI, audOk)]),
  'tags-ok': roleFile('tags-ok', [
    allow(AWIWI, audOk),
    allow('sts:TagSession', {
      StringEquals: { 'aws:RequestTag/Project': 'Automation' },
      'ForAllValues:StringEquals': { 'aws:TagKeys': ['Project', 'CostCenter'], 'sts:TransitiveTagKeys': ['Project'] },
    }),
  ]),
  'tags-any': roleFile('tags-any', [allow([AWIWI, 'sts:TagSession'], audOk)]),
  'source-identity-ok': roleFile('source-identity-ok', [
    allow(AWIWI, audOk),
    allow('sts:SetSourceIdentity', { StringLike: { 'sts:SourceIdentity': 'user-*' } }),
  ]),
  'source-identity-no': roleFile('source-identity-no', [allow(AWIWI, audOk)]),
});
after(() => policies.remove());

const { app, audit } = await buildApp({ policies: policies.dir, clock: () => T });
const tokenWith = (extra: Record<string, unknown>, at: Date = T): Promise<string> => circleToken({ branch: 'main' }, extra, at);
const call = async (role: string, extra: Record<string, unknown> = {}, params: Record<string, string> = {}): Promise<Response> =>
  postForm(app, form({ ...webIdentityParams(await tokenWith(extra), role, 'wi-session'), ...params }));
const assumedArn = (role: string): string => `arn:aws:sts::123456789012:assumed-role/${role}/wi-session`;
const arnOf = (r: Xml): string => (r['AssumedRoleUser'] as Record<string, string>)['Arn'] ?? '';

// ---- role lookup ----

const lookups: readonly { arn: string; ok: boolean; why: string }[] = [
  { arn: roleArn('pathed'), ok: true, why: 'role name without its path (names are unique per account)' },
  { arn: roleArn('ci/team/pathed'), ok: true, why: 'the exact ARN with the path' },
  { arn: roleArn('ci/pathed'), ok: false, why: 'a different path' },
  { arn: roleArn('other/pathed'), ok: false, why: 'another path' },
  { arn: roleArn('ci/team/open-circle'), ok: false, why: 'a path on a role that has none' },
  { arn: roleArn('open-circle'), ok: true, why: 'a role without a path' },
];
for (const l of lookups) {
  test(`role lookup: ${l.arn} (${l.why})`, async () => {
    const res = await postForm(app, form({ ...webIdentityParams(await tokenWith({}), 'x', 'wi-session'), RoleArn: l.arn }));
    if (l.ok) {
      const r = await expectAssumed(res);
      const name = l.arn.slice(l.arn.lastIndexOf('/') + 1);
      assert.equal(arnOf(r), assumedArn(name), 'the assumed-role ARN drops the role path');
    } else {
      await expectError(res, 403, 'AccessDenied', 'Not authorized to perform sts:AssumeRoleWithWebIdentity');
    }
  });
}

// ---- session tags (sts.md §5.2, §6.3) ----

const tags = (principal: Record<string, unknown>, transitive?: unknown): Record<string, unknown> => ({
  [TAGS]: { principal_tags: principal, ...(transitive === undefined ? {} : { transitive_tag_keys: transitive }) },
});

interface TagVector {
  readonly name: string;
  readonly role: string;
  readonly claims: Record<string, unknown>;
  readonly expect: { ok: true; packed?: number } | { status: number; code: string; message?: string | RegExp; reason?: RegExp };
}

const tagVectors: readonly TagVector[] = [
  {
    name: 'tags without sts:TagSession in the trust policy: AccessDenied for sts:TagSession',
    role: 'tags-no-tagsession',
    claims: tags({ Project: ['Automation'] }),
    expect: { status: 403, code: 'AccessDenied', message: 'Not authorized to perform sts:TagSession', reason: /sts:TagSession/ },
  },
  {
    name: 'tags allowed by sts:TagSession conditions',
    role: 'tags-ok',
    claims: tags({ Project: ['Automation'], CostCenter: ['42'] }, ['Project']),
    expect: { ok: true, packed: 2 },
  },
  {
    name: 'a tag value the TagSession condition refuses',
    role: 'tags-ok',
    claims: tags({ Project: ['Other'] }),
    expect: { status: 403, code: 'AccessDenied', message: 'Not authorized to perform sts:TagSession' },
  },
  {
    name: 'a tag key outside ForAllValues aws:TagKeys',
    role: 'tags-ok',
    claims: tags({ Project: ['Automation'], Owner: ['me'] }),
    expect: { status: 403, code: 'AccessDenied', message: 'Not authorized to perform sts:TagSession' },
  },
  {
    name: 'a transitive key outside ForAllValues sts:TransitiveTagKeys',
    role: 'tags-ok',
    claims: tags({ Project: ['Automation'], CostCenter: ['1'] }, ['CostCenter']),
    expect: { status: 403, code: 'AccessDenied', message: 'Not authorized to perform sts:TagSession' },
  },
  {
    name: 'a tag value as a bare string is accepted',
    role: 'tags-any',
    claims: tags({ Project: 'Automation' }),
    expect: { ok: true, packed: 1 },
  },
  {
    name: 'a tag value that is an array of two',
    role: 'tags-any',
    claims: tags({ Project: ['a', 'b'] }),
    expect: {
      status: 400,
      code: 'InvalidIdentityToken',
      message: 'Invalid session tags in the web identity token',
      reason: /principal_tags\.Project/,
    },
  },
  {
    name: 'the tags claim is not an object',
    role: 'tags-any',
    claims: { [TAGS]: 'Project=x' },
    expect: { status: 400, code: 'InvalidIdentityToken', message: 'Invalid session tags in the web identity token' },
  },
  {
    name: 'transitive_tag_keys is not an array of strings',
    role: 'tags-any',
    claims: tags({ Project: ['x'] }, 'Project'),
    expect: { status: 400, code: 'InvalidIdentityToken', message: 'Invalid session tags in the web identity token' },
  },
  {
    name: '51 session tags',
    role: 'tags-any',
    claims: tags(Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, ['v']]))),
    expect: { status: 400, code: 'InvalidIdentityToken', message: 'Invalid session tags in the web identity token', reason: /50/ },
  },
  {
    name: 'a 129-character tag key',
    role: 'tags-any',
    claims: tags({ ['k'.repeat(129)]: ['v'] }),
    expect: { status: 400, code: 'InvalidIdentityToken', message: 'Invalid session tags in the web identity token' },
  },
  {
    name: 'a 257-character tag value',
    role: 'tags-any',
    claims: tags({ k: ['v'.repeat(257)] }),
    expect: { status: 400, code: 'InvalidIdentityToken', message: 'Invalid session tags in the web identity token' },
  },
  {
    name: '10 maximal tags (3840 characters): PackedPolicyTooLarge',
    role: 'tags-any',
    claims: tags(Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`${i}${'k'.repeat(127)}`, ['v'.repeat(256)]]))),
    expect: {
      status: 400,
      code: 'PackedPolicyTooLarge',
      message: 'Packed size of session policies and session tags exceeds the limit: 188% of allowed size.',
    },
  },
];

for (const v of tagVectors) {
  test(`session tags: ${v.name}`, async () => {
    const res = await call(v.role, v.claims);
    if ('ok' in v.expect) {
      const r = await expectAssumed(res);
      assert.equal(r['PackedPolicySize'], String(v.expect.packed));
    } else {
      await expectError(res, v.expect.status, v.expect.code, v.expect.message);
      if (v.expect.reason !== undefined) assert.match(String(res.headers['x-sts-emulator-reason']), v.expect.reason);
    }
  });
}

test('session tags and a session policy add up in PackedPolicySize', async () => {
  const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] });
  const r = await expectAssumed(await call('tags-any', tags({ ['t'.repeat(100)]: ['v'.repeat(200)] }), { Policy: policy }));
  const minified = JSON.stringify(JSON.parse(policy)).length;
  assert.equal(r['PackedPolicySize'], String(Math.ceil((100 * (minified + 300)) / 2048)));
});

// ---- source identity (sts.md §4, §5.2) ----

test('source identity: allowed by sts:SetSourceIdentity, returned before <Provider>', async () => {
  const res = await call('source-identity-ok', { [SOURCE_IDENTITY]: 'user-alice' });
  const r = await expectAssumed(res);
  assert.equal(r['SourceIdentity'], 'user-alice');
  const order = await elementOrder(res.text);
  assert.deepEqual(order.slice(2, 7), ['Audience', 'AssumedRoleUser', 'AssumedRoleId', 'Arn', 'SourceIdentity']);
  assert.equal(order[7], 'Provider');
});

test('source identity that the sts:SourceIdentity condition refuses', async () => {
  await expectError(
    await call('source-identity-ok', { [SOURCE_IDENTITY]: 'admin' }),
    403,
    'AccessDenied',
    'Not authorized to perform sts:SetSourceIdentity',
  );
});

test('source identity without sts:SetSourceIdentity in the trust policy', async () => {
  const res = await call('source-identity-no', { [SOURCE_IDENTITY]: 'user-alice' });
  await expectError(res, 403, 'AccessDenied', 'Not authorized to perform sts:SetSourceIdentity');
  assert.match(String(res.headers['x-sts-emulator-reason']), /sts:SetSourceIdentity/);
});

for (const bad of ['a b', 'x', 's'.repeat(65), 'dependabot[bot]']) {
  test(`source identity '${bad.slice(0, 20)}' breaks the sourceIdentity pattern`, async () => {
    await expectError(
      await call('source-identity-ok', { [SOURCE_IDENTITY]: bad }),
      400,
      'ValidationError',
      `1 validation error detected: Value '${bad}' at 'sourceIdentity' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*`,
    );
  });
}

// ---- reflected claims that XML cannot carry (jwt-attacks.md H1, H2) ----

const reflected: readonly { sub: string; shown: string }[] = [
  { sub: 'a\u0000b', shown: 'a\uFFFDb' },
  { sub: 'a\u0001\u0008\u000b\u000c\u001fb', shown: 'a\uFFFD\uFFFD\uFFFD\uFFFD\uFFFDb' },
  { sub: 'lone \ud800 high', shown: 'lone \uFFFD high' },
  { sub: 'lone \udc00 low', shown: 'lone \uFFFD low' },
  { sub: 'pair \ud83d\ude00 kept', shown: 'pair \u{1F600} kept' },
  { sub: '\uFFFE\uFFFF', shown: '\uFFFD\uFFFD' },
  { sub: '</SubjectFromWebIdentityToken><Injected>1</Injected>', shown: '</SubjectFromWebIdentityToken><Injected>1</Injected>' },
  { sub: ']]><![CDATA[x', shown: ']]><![CDATA[x' },
  { sub: 'cr\r\nlf\ttab', shown: 'cr\r\nlf\ttab' },
];
for (const r of reflected) {
  test(`a reflected sub ${JSON.stringify(r.sub)} keeps the XML well-formed`, async () => {
    const res = await call('open-circle', { sub: r.sub });
    const x = await expectAssumed(res);
    assert.equal(x['SubjectFromWebIdentityToken'], r.shown);
    assert.equal(x['Injected'], undefined);
  });
}

test('a reflected iss with markup and NUL in the no-provider message', async () => {
  const iss = 'https://x/</Message></Error><Error><Code>AccessDenied\u0000\ud800';
  const res = await postForm(app, form(webIdentityParams(await tokenWith({ iss }), 'open-circle', 'wi-session')));
  await expectError(
    res,
    400,
    'InvalidIdentityToken',
    'No OpenIDConnect provider found in your account for https://x/</Message></Error><Error><Code>AccessDenied\uFFFD\uFFFD',
  );
});

test('the reason header stays printable ASCII whatever the claims hold', async () => {
  const res = await call('source-identity-ok', { sub: 'ü\u0000\r\nX-Injected: 1', [SOURCE_IDENTITY]: 'admin' });
  await expectError(res, 403, 'AccessDenied');
  const reason = String(res.headers['x-sts-emulator-reason']);
  assert.match(reason, /^[\x20-\x7e]+$/);
  assert.equal(res.headers['x-injected'], undefined);
});

// ---- claims the emulator requires ----

test('a token without sub: InvalidIdentityToken Missing a required claim: sub', async () => {
  await expectError(await call('open-circle', { sub: undefined }), 400, 'InvalidIdentityToken', 'Missing a required claim: sub');
});

test('a token whose sub is not a string', async () => {
  await expectError(await call('open-circle', { sub: ['a', 'b'] }), 400, 'InvalidIdentityToken', 'Missing a required claim: sub');
});

test('an aud array: <Audience> is the value in the ClientIDList', async () => {
  for (const aud of [
    ['someone-else', CIRCLE_ORG],
    [CIRCLE_ORG, 'someone-else'],
  ]) {
    const r = await expectAssumed(await call('open-circle', { aud }));
    assert.equal(r['Audience'], CIRCLE_ORG);
  }
});

// ---- durations ----

const durations: readonly { d?: string; expiration: string }[] = [
  { expiration: '2026-03-01T11:00:00Z' },
  { d: '900', expiration: '2026-03-01T10:15:00Z' },
  { d: '43200', expiration: '2026-03-01T22:00:00Z' },
];
for (const c of durations) {
  test(`Expiration for DurationSeconds ${c.d ?? '(default 3600)'} is not clipped to the token's exp`, async () => {
    const r = await expectAssumed(await call('open-circle', {}, c.d === undefined ? {} : { DurationSeconds: c.d }));
    assert.equal((r['Credentials'] as Record<string, string>)['Expiration'], c.expiration);
  });
}

test('DurationSeconds above the default MaxSessionDuration (3600) of a role without one', async () => {
  await expectError(
    await call('pathed', {}, { DurationSeconds: '3601' }),
    400,
    'ValidationError',
    'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
  );
});

test('a token 299 s past exp is still accepted (5-minute clock skew), 301 s past is not', async () => {
  const issued = (secondsPastExp: number): Date => new Date((T_S - 3600 - secondsPastExp) * 1000);
  await expectAssumed(await postForm(app, form(webIdentityParams(await tokenWith({}, issued(299)), 'open-circle', 'wi-session'))));
  await expectError(
    await postForm(app, form(webIdentityParams(await tokenWith({}, issued(301)), 'open-circle', 'wi-session'))),
    400,
    'ExpiredTokenException',
    `Token expired: current date/time ${T_S} must be before the expiration date/time ${T_S - 301}`,
  );
});

// ---- order of checks (docs/behaviour-choices.md, "Order of checks") ----

test('order: a malformed session Policy is reported before the token is verified', async () => {
  const res = await postForm(app, form({ ...webIdentityParams('not-a-jwt', 'open-circle', 'wi-session'), Policy: '{' }));
  await expectError(res, 400, 'MalformedPolicyDocument', 'Syntax errors in policy.');
});

test('order: a malformed session Policy is reported before the role lookup', async () => {
  const res = await postForm(app, form({ ...webIdentityParams(await tokenWith({}), 'no-such-role', 'wi-session'), Policy: '{' }));
  await expectError(res, 400, 'MalformedPolicyDocument', 'Syntax errors in policy.');
});

test('order: token and sts:TagSession failures come before DurationSeconds > MaxSessionDuration', async () => {
  const res = await postForm(
    app,
    form({ ...webIdentityParams(await tokenWith({ aud: 'x' }), 'pathed', 'wi-session'), DurationSeconds: '43200' }),
  );
  await expectError(res, 400, 'InvalidIdentityToken', 'Incorrect token audience');
  const res2 = await call('tags-no-tagsession', tags({ A: ['b'] }), { DurationSeconds: '43200' });
  await expectError(res2, 403, 'AccessDenied', 'Not authorized to perform sts:TagSession');
});

test('the full success response order with SourceIdentity and PackedPolicySize', async () => {
  const res = await call(
    'source-identity-ok',
    { [SOURCE_IDENTITY]: 'user-bob' },
    { Policy: '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}' },
  );
  await stsXml(res);
  assert.deepEqual(await elementOrder(res.text), [
    'AssumeRoleWithWebIdentityResponse',
    'AssumeRoleWithWebIdentityResult',
    'Audience',
    'AssumedRoleUser',
    'AssumedRoleId',
    'Arn',
    'SourceIdentity',
    'Provider',
    'Credentials',
    'AccessKeyId',
    'SecretAccessKey',
    'SessionToken',
    'Expiration',
    'SubjectFromWebIdentityToken',
    'PackedPolicySize',
    'ResponseMetadata',
    'RequestId',
  ]);
});

test('a TagSession denial is audited with the failing (sts:TagSession) evaluation as its trace', async () => {
  const before = audit.length;
  const res = await call('tags-ok', tags({ Project: ['Other'] }));
  await expectError(res, 403, 'AccessDenied', 'Not authorized to perform sts:TagSession');
  assert.equal(audit.length, before + 1);
  const rec = audit[before];
  assert.ok(rec !== undefined);
  assert.equal(rec.decision, 'deny');
  const trace = rec.trace as { decision: string } | null;
  assert.ok(trace !== null);
  assert.notEqual(trace.decision, 'allow', 'the trace must explain the denial, not the allowed AssumeRoleWithWebIdentity');
});

// ---- the session Policy parameter (sts.md §2 MalformedPolicyDocument: exact texts UNVERIFIED) ----

const sessionPolicies: readonly { name: string; policy: string; expect: { packed: number } | { message: string } }[] = [
  { name: 'not JSON', policy: '{"Version":', expect: { message: 'Syntax errors in policy.' } },
  { name: 'JSON but not an object', policy: '[]', expect: { message: 'Policy document must be a JSON object' } },
  { name: 'no Statement', policy: '{"Version":"2012-10-17"}', expect: { message: 'Missing required field Statement' } },
  {
    name: 'an empty Statement array',
    policy: '{"Version":"2012-10-17","Statement":[]}',
    expect: { message: 'Statement must be an object or a non-empty array of objects' },
  },
  {
    name: 'a Principal (IAM: not in a session policy)',
    policy: '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}}',
    expect: { message: 'Policy document should not specify a principal.' },
  },
  {
    name: 'no Resource',
    policy: '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*"}}',
    expect: { message: 'Missing required field Resource' },
  },
  {
    name: 'an unknown Version',
    policy: '{"Version":"2099-01-01","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}',
    expect: { message: "Version must be '2012-10-17' or '2008-10-17'" },
  },
  { name: 'deeply nested JSON', policy: '['.repeat(1000) + ']'.repeat(1000), expect: { message: 'Policy document must be a JSON object' } },
  {
    name: 'an ArnLike value without arn: (README "Behaviour choices")',
    policy:
      '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"ArnLike":{"aws:SourceArn":"bucket"}}}}',
    expect: { message: "'bucket' is not an ARN (ArnLike takes arn:partition:service:region:account:resource)" },
  },
  {
    name: 'valid, minified size counts (56 chars: 3%)',
    policy: '{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}',
    expect: { packed: 3 },
  },
  {
    name: 'white space does not count',
    policy: '  {  "Statement" : { "Effect" : "Allow" , "Action" : "*" , "Resource" : "*" } }  ',
    expect: { packed: 3 },
  },
  {
    name: 'NotAction and NotResource',
    policy: '{"Version":"2012-10-17","Statement":{"Effect":"Deny","NotAction":"s3:*","NotResource":"*"}}',
    expect: { packed: 5 },
  },
];
for (const c of sessionPolicies) {
  test(`session Policy: ${c.name}`, async () => {
    const res = await call('open-circle', {}, { Policy: c.policy });
    if ('packed' in c.expect) assert.equal((await expectAssumed(res))['PackedPolicySize'], String(c.expect.packed));
    else await expectError(res, 400, 'MalformedPolicyDocument', c.expect.message);
  });
}
