/**
 * The role operations of the IAM API over HTTP (a started emulator, SigV4-signed calls): each operation's answer in
 * IAM's shapes, each error IAM gives, pagination, and what the next AssumeRoleWithWebIdentity sees after each change.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ACCOUNT, assume, call, failed, fixture, githubTrust, members, ok, type Fixture } from './helpers.js';

let f: Fixture;
let endpoint: string;
before(async () => {
  f = await fixture({ iamLimits: { roles: 12, tagsPerRole: 3, trustPolicyChars: 1000 } });
  endpoint = f.emu.endpoint;
});
after(() => f.close());

const MAIN = 'repo:demo-org/demo-app:ref:refs/heads/main';
const DEV = 'repo:demo-org/demo-app:ref:refs/heads/dev';
const githubToken = (branch: string): Promise<string> =>
  f.emu.mintToken({ preset: { name: 'github', repository: 'demo-org/demo-app', branch } });

test('CreateRole answers the Role in IAM shape; GetRole adds RoleLastUsed; the trust policy goes out URL-encoded', async () => {
  const trust = githubTrust(MAIN);
  const created = ok(
    await call(endpoint, {
      Action: 'CreateRole',
      RoleName: 'gha-deploy',
      Path: '/ci/',
      AssumeRolePolicyDocument: trust,
      Description: 'Only main',
      'Tags.member.1.Key': 'team',
      'Tags.member.1.Value': 'platform',
    }),
  );
  const role = created['Role'] as Record<string, unknown>;
  assert.deepEqual(Object.keys(role), [
    'Path',
    'RoleName',
    'RoleId',
    'Arn',
    'CreateDate',
    'AssumeRolePolicyDocument',
    'Description',
    'MaxSessionDuration',
    'Tags',
  ]);
  assert.equal(role['Path'], '/ci/');
  assert.equal(role['Arn'], `arn:aws:iam::${ACCOUNT}:role/ci/gha-deploy`);
  assert.match(String(role['RoleId']), /^AROA[A-Z0-9]{17}$/);
  assert.match(String(role['CreateDate']), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  assert.equal(role['MaxSessionDuration'], '3600');
  assert.deepEqual(JSON.parse(decodeURIComponent(String(role['AssumeRolePolicyDocument']))), JSON.parse(trust));
  assert.doesNotMatch(String(role['AssumeRolePolicyDocument']), /[{}":]/, 'URL-encoded, as IAM sends it');
  const got = ok(await call(endpoint, { Action: 'GetRole', RoleName: 'GHA-DEPLOY' }))['Role'] as Record<string, unknown>;
  assert.equal(got['RoleName'], 'gha-deploy', 'role names compare without case');
  assert.equal(got['RoleId'], role['RoleId']);
  assert.equal(got['CreateDate'], role['CreateDate']);
  assert.equal(got['RoleLastUsed'], '');
  assert.deepEqual(members(got['Tags']), [{ Key: 'team', Value: 'platform' }]);
});

test('the next AssumeRoleWithWebIdentity sees a created role at once', async () => {
  const r = await assume(f.emu, 'gha-deploy', await githubToken('main'));
  assert.equal(r.status, 200, r.text);
  assert.match(r.text, /arn:aws:sts::123456789012:assumed-role\/gha-deploy\/iam-test/);
  assert.equal((await assume(f.emu, 'gha-deploy', await githubToken('dev'))).code, 'AccessDenied');
});

test('CreateRole errors: EntityAlreadyExists (ignoring case), MalformedPolicyDocument, LimitExceeded (ACLSizePerRole), ValidationError', async () => {
  failed(
    await call(endpoint, { Action: 'CreateRole', RoleName: 'GHA-Deploy', AssumeRolePolicyDocument: githubTrust(MAIN) }),
    409,
    'EntityAlreadyExists',
    'Role with name GHA-Deploy already exists.',
  );
  failed(
    await call(endpoint, { Action: 'CreateRole', RoleName: 'bad', AssumeRolePolicyDocument: '{"Version": ' }),
    400,
    'MalformedPolicyDocument',
    'This policy contains invalid Json',
  );
  const withResource = JSON.stringify({
    ...JSON.parse(githubTrust(MAIN)),
    Statement: [{ ...JSON.parse(githubTrust(MAIN)).Statement[0], Resource: '*' }],
  });
  const a = await call(endpoint, { Action: 'CreateRole', RoleName: 'bad', AssumeRolePolicyDocument: withResource });
  failed(a, 400, 'MalformedPolicyDocument', 'Has prohibited field Resource');
  assert.match(a.reason ?? '', /Statement\[0\]\.Resource/);
  failed(
    await call(endpoint, { Action: 'CreateRole', RoleName: 'bad', AssumeRolePolicyDocument: githubTrust(MAIN, { Sid: 'x'.repeat(1000) }) }),
    409,
    'LimitExceeded',
    'Cannot exceed quota for ACLSizePerRole: 1000',
  );
  failed(
    await call(endpoint, {
      Action: 'CreateRole',
      RoleName: 'bad name',
      AssumeRolePolicyDocument: githubTrust(MAIN),
      MaxSessionDuration: '60',
    }),
    400,
    'ValidationError',
    "2 validation errors detected: Value 'bad name' at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+; Value '60' at 'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or equal to 3600",
  );
  failed(await call(endpoint, { Action: 'GetRole', RoleName: 'bad' }), 404, 'NoSuchEntity', 'The role with name bad cannot be found.');
});

test('ListRoles: every role (no Tags, no RoleLastUsed), PathPrefix, MaxItems with IsTruncated and Marker', async () => {
  for (const name of ['page-a', 'page-b', 'page-c']) {
    ok(await call(endpoint, { Action: 'CreateRole', RoleName: name, Path: '/pages/', AssumeRolePolicyDocument: githubTrust(MAIN) }));
  }
  const all = ok(await call(endpoint, { Action: 'ListRoles' }));
  const names = members(all['Roles']).map((r) => r['RoleName']);
  assert.deepEqual(
    names,
    [...names].sort((a, b) => String(a).toLowerCase().localeCompare(String(b).toLowerCase())),
  );
  assert.ok(names.includes('gha-deploy'));
  assert.equal(all['IsTruncated'], 'false');
  assert.equal(all['Marker'], undefined);
  const listed = members(all['Roles']).find((r) => r['RoleName'] === 'gha-deploy') ?? {};
  assert.equal(listed['Tags'], undefined);
  assert.equal(listed['RoleLastUsed'], undefined);
  assert.equal(listed['Description'], 'Only main');

  const pages: string[] = [];
  let marker: string | undefined;
  for (let i = 0; i < 5; i++) {
    const page = ok(
      await call(endpoint, {
        Action: 'ListRoles',
        PathPrefix: '/pages/',
        MaxItems: '2',
        ...(marker === undefined ? {} : { Marker: marker }),
      }),
    );
    pages.push(...members(page['Roles']).map((r) => String(r['RoleName'])));
    if (page['IsTruncated'] === 'false') break;
    marker = String(page['Marker']);
  }
  assert.deepEqual(pages, ['page-a', 'page-b', 'page-c']);
  const none = ok(await call(endpoint, { Action: 'ListRoles', PathPrefix: '/nothing/' }));
  assert.equal(none['Roles'], '');
  failed(await call(endpoint, { Action: 'ListRoles', Marker: 'not-a-marker' }), 400, 'InvalidInput', 'Invalid Marker');
});

test('UpdateAssumeRolePolicy: the next AssumeRoleWithWebIdentity evaluates the new policy; errors', async () => {
  ok(await call(endpoint, { Action: 'UpdateAssumeRolePolicy', RoleName: 'gha-deploy', PolicyDocument: githubTrust(DEV) }));
  assert.equal((await assume(f.emu, 'gha-deploy', await githubToken('dev'))).status, 200);
  assert.equal((await assume(f.emu, 'gha-deploy', await githubToken('main'))).code, 'AccessDenied');
  const got = ok(await call(endpoint, { Action: 'GetRole', RoleName: 'gha-deploy' }))['Role'] as Record<string, unknown>;
  assert.deepEqual(JSON.parse(decodeURIComponent(String(got['AssumeRolePolicyDocument']))), JSON.parse(githubTrust(DEV)));
  failed(
    await call(endpoint, {
      Action: 'UpdateAssumeRolePolicy',
      RoleName: 'gha-deploy',
      PolicyDocument: githubTrust(DEV, { Action: 's3:GetObject' }),
    }),
    400,
    'MalformedPolicyDocument',
    'AssumeRole policy may only specify STS AssumeRole actions.',
  );
  failed(
    await call(endpoint, { Action: 'UpdateAssumeRolePolicy', RoleName: 'nope', PolicyDocument: githubTrust(DEV) }),
    404,
    'NoSuchEntity',
    'The role with name nope cannot be found.',
  );
  ok(await call(endpoint, { Action: 'UpdateAssumeRolePolicy', RoleName: 'gha-deploy', PolicyDocument: githubTrust(MAIN) }));
});

test('UpdateRole: MaxSessionDuration (the next DurationSeconds is checked against it) and Description; errors', async () => {
  const over = async (): Promise<number> => {
    const body = new URLSearchParams({
      Action: 'AssumeRoleWithWebIdentity',
      Version: '2011-06-15',
      RoleArn: `arn:aws:iam::${ACCOUNT}:role/ci/gha-deploy`,
      RoleSessionName: 'long',
      DurationSeconds: '7200',
      WebIdentityToken: await githubToken('main'),
    });
    return (await fetch(endpoint, { method: 'POST', body })).status;
  };
  assert.equal(await over(), 400, 'DurationSeconds 7200 exceeds the default MaxSessionDuration');
  const a = await call(endpoint, { Action: 'UpdateRole', RoleName: 'gha-deploy', MaxSessionDuration: '7200', Description: 'Two hours' });
  ok(a);
  assert.match(a.text, /<UpdateRoleResult><\/UpdateRoleResult>/, 'an empty Result element: the model has an empty output');
  assert.equal(await over(), 200);
  const got = ok(await call(endpoint, { Action: 'GetRole', RoleName: 'gha-deploy' }))['Role'] as Record<string, unknown>;
  assert.equal(got['MaxSessionDuration'], '7200');
  assert.equal(got['Description'], 'Two hours');
  failed(await call(endpoint, { Action: 'UpdateRole', RoleName: 'nope', Description: 'x' }), 404, 'NoSuchEntity');
  failed(
    await call(endpoint, { Action: 'UpdateRole', RoleName: 'gha-deploy', MaxSessionDuration: '50000' }),
    400,
    'ValidationError',
    "1 validation error detected: Value '50000' at 'maxSessionDuration' failed to satisfy constraint: Member must have value less than or equal to 43200",
  );
});

test('TagRole merges (keys ignoring case), ListRoleTags pages, UntagRole removes; LimitExceeded and InvalidInput', async () => {
  ok(
    await call(endpoint, {
      Action: 'TagRole',
      RoleName: 'gha-deploy',
      'Tags.member.1.Key': 'TEAM',
      'Tags.member.1.Value': 'infra',
      'Tags.member.2.Key': 'cost',
      'Tags.member.2.Value': '42',
    }),
  );
  const tags = members(ok(await call(endpoint, { Action: 'ListRoleTags', RoleName: 'gha-deploy' }))['Tags']);
  assert.deepEqual(tags, [
    { Key: 'cost', Value: '42' },
    { Key: 'TEAM', Value: 'infra' },
  ]);
  const first = ok(await call(endpoint, { Action: 'ListRoleTags', RoleName: 'gha-deploy', MaxItems: '1' }));
  assert.deepEqual(members(first['Tags']), [{ Key: 'cost', Value: '42' }]);
  assert.equal(first['IsTruncated'], 'true');
  const second = ok(
    await call(endpoint, { Action: 'ListRoleTags', RoleName: 'gha-deploy', MaxItems: '1', Marker: String(first['Marker']) }),
  );
  assert.deepEqual(members(second['Tags']), [{ Key: 'TEAM', Value: 'infra' }]);
  assert.equal(second['IsTruncated'], 'false');
  failed(
    await call(endpoint, {
      Action: 'TagRole',
      RoleName: 'gha-deploy',
      'Tags.member.1.Key': 'a',
      'Tags.member.1.Value': '1',
      'Tags.member.2.Key': 'b',
      'Tags.member.2.Value': '2',
    }),
    409,
    'LimitExceeded',
    'Cannot exceed quota for TagsPerRole: 3',
  );
  failed(
    await call(endpoint, {
      Action: 'TagRole',
      RoleName: 'gha-deploy',
      'Tags.member.1.Key': 'a',
      'Tags.member.1.Value': '1',
      'Tags.member.2.Key': 'A',
      'Tags.member.2.Value': '2',
    }),
    400,
    'InvalidInput',
    'Duplicate tag keys found. Please note that Tag keys are case insensitive.',
  );
  ok(await call(endpoint, { Action: 'UntagRole', RoleName: 'gha-deploy', 'TagKeys.member.1': 'team', 'TagKeys.member.2': 'absent' }));
  assert.deepEqual(members(ok(await call(endpoint, { Action: 'ListRoleTags', RoleName: 'gha-deploy' }))['Tags']), [
    { Key: 'cost', Value: '42' },
  ]);
  const missing = 'The role with name nope cannot be found.';
  failed(
    await call(endpoint, { Action: 'TagRole', RoleName: 'nope', 'Tags.member.1.Key': 'k', 'Tags.member.1.Value': 'v' }),
    404,
    'NoSuchEntity',
    missing,
  );
  failed(await call(endpoint, { Action: 'UntagRole', RoleName: 'nope', 'TagKeys.member.1': 'k' }), 404, 'NoSuchEntity', missing);
  failed(await call(endpoint, { Action: 'ListRoleTags', RoleName: 'nope' }), 404, 'NoSuchEntity', missing);
});

test('DeleteRole: the next AssumeRoleWithWebIdentity is AccessDenied; NoSuchEntity for a role that is not there', async () => {
  const a = await call(endpoint, { Action: 'DeleteRole', RoleName: 'gha-deploy' });
  ok(a);
  assert.doesNotMatch(a.text, /DeleteRoleResult/);
  assert.equal((await assume(f.emu, 'gha-deploy', await githubToken('main'))).code, 'AccessDenied');
  failed(
    await call(endpoint, { Action: 'DeleteRole', RoleName: 'gha-deploy' }),
    404,
    'NoSuchEntity',
    'The role with name gha-deploy cannot be found.',
  );
});

test('LimitExceeded at the roles quota', async () => {
  const { roles } = f.emu.config();
  for (let i = roles.length; i < 12; i++) {
    ok(await call(endpoint, { Action: 'CreateRole', RoleName: `filler-${i}`, AssumeRolePolicyDocument: githubTrust(MAIN) }));
  }
  failed(
    await call(endpoint, { Action: 'CreateRole', RoleName: 'one-too-many', AssumeRolePolicyDocument: githubTrust(MAIN) }),
    409,
    'LimitExceeded',
    'Cannot exceed quota for RolesPerAccount: 12',
  );
});

test('reset() drops what the IAM API changed, as it drops every edit', async () => {
  await f.emu.reset();
  failed(await call(endpoint, { Action: 'GetRole', RoleName: 'page-a' }), 404, 'NoSuchEntity');
});
