import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deriveRoleId } from '../../src/config/role-id.js';
import { ACCOUNT, assertProblems, configOf, problemsOf, role, trust } from './helpers.js';

const F = 'roles/r.json';
const ARN = `arn:aws:iam::${ACCOUNT}:role/deploy`;

const accepted: { name: string; doc: unknown; expect: Record<string, unknown> }[] = [
  {
    name: 'minimal: defaults',
    doc: role(),
    expect: {
      roleName: 'deploy',
      path: '/',
      arn: ARN,
      roleId: deriveRoleId(ACCOUNT, 'deploy'),
      maxSessionDuration: 3600,
      description: undefined,
      tags: [],
      trustPolicyJson: JSON.stringify(trust()),
      file: F,
    },
  },
  {
    name: 'RoleName with every allowed character',
    doc: role({ RoleName: 'Az09_+=,.@-' }),
    expect: { roleName: 'Az09_+=,.@-', arn: `arn:aws:iam::${ACCOUNT}:role/Az09_+=,.@-` },
  },
  { name: 'RoleName of 64 characters', doc: role({ RoleName: 'r'.repeat(64) }), expect: { roleName: 'r'.repeat(64) } },
  {
    name: 'Path',
    doc: role({ Path: '/ci/github/' }),
    expect: { path: '/ci/github/', arn: `arn:aws:iam::${ACCOUNT}:role/ci/github/deploy` },
  },
  { name: 'Path of 512 characters', doc: role({ Path: `/${'p'.repeat(510)}/` }), expect: { path: `/${'p'.repeat(510)}/` } },
  { name: 'Path with printable ASCII', doc: role({ Path: '/a!~"#/' }), expect: { path: '/a!~"#/' } },
  { name: 'given RoleId', doc: role({ RoleId: 'AROAUH3H6EGKDE7GWMPWA' }), expect: { roleId: 'AROAUH3H6EGKDE7GWMPWA' } },
  {
    name: 'given matching Arn',
    doc: role({ Path: '/ci/', Arn: `arn:aws:iam::${ACCOUNT}:role/ci/deploy` }),
    expect: { arn: `arn:aws:iam::${ACCOUNT}:role/ci/deploy` },
  },
  { name: 'MaxSessionDuration 3600', doc: role({ MaxSessionDuration: 3600 }), expect: { maxSessionDuration: 3600 } },
  { name: 'MaxSessionDuration 43200', doc: role({ MaxSessionDuration: 43200 }), expect: { maxSessionDuration: 43200 } },
  {
    name: 'MaxSessionDuration 3600.0',
    doc: '{"RoleName":"deploy","MaxSessionDuration":3600.0,"AssumeRolePolicyDocument":' + JSON.stringify(trust()) + '}',
    expect: { maxSessionDuration: 3600 },
  },
  { name: 'Description', doc: role({ Description: 'Déploiement\tCI\n' }), expect: { description: 'Déploiement\tCI\n' } },
  { name: 'Description empty', doc: role({ Description: '' }), expect: { description: '' } },
  { name: 'Description of 1000 characters', doc: role({ Description: 'd'.repeat(1000) }), expect: { description: 'd'.repeat(1000) } },
  {
    name: 'Tags',
    doc: role({
      Tags: [
        { Key: 'team', Value: 'platform' },
        { Key: 'cost center', Value: '' },
        { Key: 'ünïcode:/=+-@_.', Value: 'ok' },
      ],
    }),
    expect: {
      tags: [
        { Key: 'team', Value: 'platform' },
        { Key: 'cost center', Value: '' },
        { Key: 'ünïcode:/=+-@_.', Value: 'ok' },
      ],
    },
  },
  { name: '50 tags', doc: role({ Tags: Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: 'v' })) }), expect: {} },
  {
    name: 'ignored get-role fields',
    doc: role({
      CreateDate: '2024-01-01T00:00:00+00:00',
      RoleLastUsed: {},
      PermissionsBoundary: { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: 'arn:aws:iam::123456789012:policy/b' },
    }),
    expect: {},
  },
  { name: 'the {"Role": ...} wrapper', doc: { Role: role({ Path: '/x/' }) }, expect: { roleName: 'deploy', path: '/x/' } },
  { name: 'where the trust policy is written', doc: role(), expect: { wrapped: false, trustPolicyPath: 'AssumeRolePolicyDocument' } },
  {
    name: 'where the trust policy is written, in the wrapper',
    doc: { Role: role() },
    expect: { wrapped: true, trustPolicyPath: 'Role.AssumeRolePolicyDocument' },
  },
  {
    name: 'trust policy as a JSON string',
    doc: role({ AssumeRolePolicyDocument: JSON.stringify(trust(), null, 2) }),
    expect: { trustPolicyJson: JSON.stringify(trust()) },
  },
  {
    name: 'trust policy URL-encoded',
    doc: role({ AssumeRolePolicyDocument: encodeURIComponent(JSON.stringify(trust())) }),
    expect: { trustPolicyJson: JSON.stringify(trust()) },
  },
];

for (const c of accepted) {
  test(`role accepted: ${c.name}`, () => {
    const config = configOf({ [F]: c.doc });
    assert.equal(config.roles.length, 1);
    const r = config.roles[0] as unknown as Record<string, unknown>;
    for (const [k, v] of Object.entries(c.expect)) assert.deepEqual(r[k], v, k);
    assert.equal(config.roles[0]?.trustPolicy.kind, 'trust');
  });
}

type Expected = readonly (readonly [string, RegExp])[];
const rejected: { name: string; doc: unknown; problems: Expected }[] = [
  { name: 'not an object', doc: 'null', problems: [['', /must be a JSON object with RoleName and AssumeRolePolicyDocument, got null/]] },
  {
    name: 'empty object',
    doc: {},
    problems: [
      ['RoleName', /is required/],
      ['AssumeRolePolicyDocument', /is required/],
    ],
  },
  { name: 'RoleName not a string', doc: role({ RoleName: 7 }), problems: [['RoleName', /must be a string, got an integer/]] },
  { name: 'RoleName empty', doc: role({ RoleName: '' }), problems: [['RoleName', /must not be empty/]] },
  { name: 'RoleName too long', doc: role({ RoleName: 'r'.repeat(65) }), problems: [['RoleName', /at most 64 characters long, got 65/]] },
  {
    name: 'RoleName with a space',
    doc: role({ RoleName: 'deploy role' }),
    problems: [['RoleName', /only letters, digits and \+ = , \. @ _ -/]],
  },
  { name: 'RoleName with a slash', doc: role({ RoleName: 'ci/deploy' }), problems: [['RoleName', /only letters/]] },
  { name: 'RoleName non-ASCII', doc: role({ RoleName: 'déploi' }), problems: [['RoleName', /only letters/]] },
  { name: 'Path without slashes', doc: role({ Path: 'ci' }), problems: [['Path', /must be '\/' or start and end with '\/'/]] },
  { name: 'Path without trailing slash', doc: role({ Path: '/ci' }), problems: [['Path', /start and end with/]] },
  { name: 'Path with a space', doc: role({ Path: '/c i/' }), problems: [['Path', /start and end with/]] },
  { name: 'Path //', doc: role({ Path: '//' }), problems: [['Path', /start and end with/]] },
  { name: 'Path empty', doc: role({ Path: '' }), problems: [['Path', /must not be empty/]] },
  { name: 'Path too long', doc: role({ Path: `/${'p'.repeat(511)}/` }), problems: [['Path', /at most 512 characters/]] },
  {
    name: 'Arn for another name',
    doc: role({ Arn: `arn:aws:iam::${ACCOUNT}:role/other` }),
    problems: [['Arn', new RegExp(`must be arn:aws:iam::${ACCOUNT}:role/deploy \\(computed from account, Path and RoleName\\)`)]],
  },
  {
    name: 'Arn without the path',
    doc: role({ Path: '/ci/', Arn: ARN }),
    problems: [['Arn', /must be arn:aws:iam::123456789012:role\/ci\/deploy/]],
  },
  {
    name: 'Arn of another account',
    doc: role({ Arn: 'arn:aws:iam::210987654321:role/deploy' }),
    problems: [
      [
        'Arn',
        /names account 210987654321, but the emulator runs as account 123456789012; start it with --account-id 210987654321 or remove Arn/,
      ],
    ],
  },
  { name: 'Arn not a string', doc: role({ Arn: {} }), problems: [['Arn', /must be a string, got an object/]] },
  {
    name: 'RoleId wrong prefix',
    doc: role({ RoleId: 'AIDAUH3H6EGKDE7GWMPWA' }),
    problems: [['RoleId', /must be AROA followed by 17 uppercase letters or digits/]],
  },
  { name: 'RoleId too short', doc: role({ RoleId: 'AROA123' }), problems: [['RoleId', /AROA followed by 17/]] },
  { name: 'RoleId lower-case', doc: role({ RoleId: 'AROAuh3h6egkde7gwmpwa' }), problems: [['RoleId', /AROA followed by 17/]] },
  { name: 'RoleId a number', doc: role({ RoleId: 1 }), problems: [['RoleId', /AROA followed by 17/]] },
  {
    name: 'MaxSessionDuration too small',
    doc: role({ MaxSessionDuration: 3599 }),
    problems: [['MaxSessionDuration', /between 3600 and 43200 seconds \(1 to 12 hours\), got 3599/]],
  },
  { name: 'MaxSessionDuration too large', doc: role({ MaxSessionDuration: 43201 }), problems: [['MaxSessionDuration', /got 43201/]] },
  { name: 'MaxSessionDuration 900', doc: role({ MaxSessionDuration: 900 }), problems: [['MaxSessionDuration', /got 900/]] },
  {
    name: 'MaxSessionDuration fraction',
    doc: role({ MaxSessionDuration: 3600.5 }),
    problems: [['MaxSessionDuration', /must be an integer number of seconds, got a number/]],
  },
  {
    name: 'MaxSessionDuration string',
    doc: role({ MaxSessionDuration: '3600' }),
    problems: [['MaxSessionDuration', /must be an integer number of seconds, got a string/]],
  },
  {
    name: 'Description too long',
    doc: role({ Description: 'd'.repeat(1001) }),
    problems: [['Description', /at most 1000 characters long, got 1001/]],
  },
  {
    name: 'Description beyond Latin-1',
    doc: role({ Description: 'deploy \u{1F680}' }),
    problems: [['Description', /only tab, line breaks and characters U\+0020 to U\+00FF/]],
  },
  { name: 'Description not a string', doc: role({ Description: ['a'] }), problems: [['Description', /must be a string, got an array/]] },
  {
    name: 'Tags not an array',
    doc: role({ Tags: { team: 'x' } }),
    problems: [['Tags', /must be an array of \{"Key": \.\.\., "Value": \.\.\.\}, got an object/]],
  },
  {
    name: 'too many Tags',
    doc: role({ Tags: Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: 'v' })) }),
    problems: [['Tags', /at most 50 tags, got 51/]],
  },
  {
    name: 'Tag problems',
    doc: role({
      Tags: [
        'x',
        { Key: '', Value: 'v' },
        { Key: 'k'.repeat(129), Value: 'v' },
        { Key: 'a', Value: 'v'.repeat(257) },
        { Key: 'a!', Value: 'v' },
        { Key: 'b', Value: 'x#' },
        { Key: 'c', Value: 'v', Extra: 1 },
        { Key: 'c', Value: 'w' },
        { Value: 1 },
      ],
    }),
    problems: [
      ['Tags[0]', /must be an object/],
      ['Tags[1].Key', /must not be empty/],
      ['Tags[2].Key', /at most 128 characters/],
      ['Tags[3].Value', /at most 256 characters/],
      ['Tags[4].Key', /only letters, digits, spaces/],
      ['Tags[5].Value', /only letters, digits, spaces/],
      ['Tags[6].Extra', /unknown field/],
      ['Tags[7].Key', /duplicates tag key 'c'/],
      ['Tags[8].Key', /is required/],
      ['Tags[8].Value', /must be a string, got an integer/],
    ],
  },
  {
    name: 'unknown fields',
    doc: role({ Name: 'x', MaxSessionDurations: 3600, rolename: 'x' }),
    problems: [
      ['Name', /^unknown field/],
      ['MaxSessionDurations', /did you mean 'MaxSessionDuration'/],
      ['rolename', /did you mean 'RoleName'/],
    ],
  },
  { name: 'AssumeRolePolicyDocument missing', doc: { RoleName: 'deploy' }, problems: [['AssumeRolePolicyDocument', /is required/]] },
  {
    name: 'AssumeRolePolicyDocument a number',
    doc: role({ AssumeRolePolicyDocument: 1 }),
    problems: [['AssumeRolePolicyDocument', /must be a policy document/]],
  },
  {
    name: 'AssumeRolePolicyDocument a string that is not JSON',
    doc: role({ AssumeRolePolicyDocument: 'allow all' }),
    problems: [['AssumeRolePolicyDocument', /not a JSON policy document/]],
  },
  {
    name: 'AssumeRolePolicyDocument broken percent-encoding',
    doc: role({ AssumeRolePolicyDocument: '%7B%2' }),
    problems: [['AssumeRolePolicyDocument', /not valid percent-encoding/]],
  },
  {
    name: 'trust policy problem (Effect)',
    doc: role({ AssumeRolePolicyDocument: { ...trust(), Statement: [{ ...(trust().Statement as object[])[0], Effect: 'Permit' }] } }),
    problems: [['AssumeRolePolicyDocument.Statement[0].Effect', /./]],
  },
  {
    name: 'trust policy problem (NotPrincipal)',
    doc: role({
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', NotPrincipal: { AWS: '*' }, Action: 'sts:AssumeRoleWithWebIdentity' }],
      },
    }),
    problems: [['AssumeRolePolicyDocument.Statement[0].NotPrincipal', /./]],
  },
  {
    name: 'trust policy problem in a URL-encoded document',
    doc: role({
      AssumeRolePolicyDocument: encodeURIComponent(
        JSON.stringify({ ...trust(), Statement: [{ ...(trust().Statement as object[])[0], Effect: 'Permit' }] }),
      ),
    }),
    problems: [['AssumeRolePolicyDocument.Statement[0].Effect', /./]],
  },
  {
    name: 'trust policy too long',
    doc: role({ AssumeRolePolicyDocument: { ...trust(), Id: 'x'.repeat(9000) } }),
    problems: [['AssumeRolePolicyDocument', /characters long \(not counting white space\); the limit is 8192/]],
  },
  {
    name: 'Role wrapper with extra top-level fields',
    doc: { Role: role(), ResponseMetadata: {} },
    problems: [['ResponseMetadata', /unknown field/]],
  },
  { name: 'Role wrapper not an object', doc: { Role: 'deploy' }, problems: [['Role', /must be an object, got a string/]] },
  {
    name: 'problems inside the Role wrapper have Role. paths',
    doc: {
      Role: role({
        RoleName: 'a b',
        MaxSessionDuration: 1,
        Bogus: 1,
        AssumeRolePolicyDocument: { ...trust(), Statement: [{ ...(trust().Statement as object[])[0], Effect: 'Permit' }] },
      }),
    },
    problems: [
      ['Role.Bogus', /unknown field/],
      ['Role.RoleName', /only letters/],
      ['Role.MaxSessionDuration', /got 1$/],
      ['Role.AssumeRolePolicyDocument.Statement[0].Effect', /./],
    ],
  },
];

for (const c of rejected) {
  test(`role rejected: ${c.name}`, () => {
    assertProblems(
      problemsOf({ [F]: c.doc }),
      c.problems.map(([path, message]) => [F, path, message] as const),
    );
  });
}

test('the trust-policy limit is an option', () => {
  const doc = role({ AssumeRolePolicyDocument: { ...trust(), Id: 'x'.repeat(2000) } });
  assert.equal(configOf({ [F]: doc }).roles.length, 1);
  assertProblems(problemsOf({ [F]: doc }, { trustPolicyMaxChars: 2048 }), [[F, 'AssumeRolePolicyDocument', /the limit is 2048/]]);
});

test('RoleId is derived from account and name, and stable', () => {
  const a = configOf({ 'roles/a.json': role({ RoleName: 'alpha' }), 'roles/b.json': role({ RoleName: 'beta' }) });
  const again = configOf({ 'roles/b.json': role({ RoleName: 'beta' }), 'roles/a.json': role({ RoleName: 'alpha' }) });
  const other = configOf({ 'roles/a.json': role({ RoleName: 'alpha' }) }, { accountId: '000000000001' });
  const ids = a.roles.map((r) => r.roleId);
  assert.deepEqual(
    again.roles.map((r) => r.roleId),
    ids,
  );
  for (const id of ids) assert.match(id, /^AROA[A-Z0-9]{17}$/);
  assert.notEqual(ids[0], ids[1]);
  assert.notEqual(other.roles[0]?.roleId, ids[0]);
});

test('duplicate role names, ignoring case, are reported on the later file', () => {
  assertProblems(
    problemsOf({ 'roles/a.json': role({ RoleName: 'Deploy' }), 'roles/b.json': { Role: role({ RoleName: 'deploy', Path: '/other/' }) } }),
    [['roles/b.json', 'Role.RoleName', /role 'deploy' is already defined in roles\/a\.json \(IAM role names are unique ignoring case\)/]],
  );
});

test('duplicate given RoleIds are reported', () => {
  assertProblems(
    problemsOf({
      'roles/a.json': role({ RoleName: 'a', RoleId: 'AROAUH3H6EGKDE7GWMPWA' }),
      'roles/b.json': role({ RoleName: 'b', RoleId: 'AROAUH3H6EGKDE7GWMPWA' }),
    }),
    [['roles/b.json', 'RoleId', /AROAUH3H6EGKDE7GWMPWA is already the RoleId of roles\/a\.json/]],
  );
});

test('a role may name a provider that is not registered (AWS accepts such trust policies)', () => {
  const config = configOf({ [F]: role() });
  assert.equal(config.providers.length, 0);
  assert.equal(config.roles.length, 1);
});
