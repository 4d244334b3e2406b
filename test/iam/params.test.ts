/**
 * The IAM API's parameters against botocore's iam service-2.json constraints, as vectors: what each reader accepts,
 * and the ValidationError (or InvalidInput) text for what it refuses, every failure of a request at once, in model
 * member order.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  readCreateProvider,
  readCreateRole,
  readListRoles,
  readListRoleTags,
  readProviderArn,
  readProviderClientId,
  readRoleName,
  readTagRole,
  readUntagRole,
  readUpdateAssumeRolePolicy,
  readUpdateRole,
  readUpdateThumbprint,
} from '../../src/iam/params.js';
import { StsError } from '../../src/protocol/errors.js';

const TRUST = '{"Version":"2012-10-17","Statement":[]}';
const P = (o: Record<string, string>): ReadonlyMap<string, string> => new Map(Object.entries(o));
const V = (n: number, ...parts: string[]): string => `${n} validation error${n === 1 ? '' : 's'} detected: ${parts.join('; ')}`;
const tp = (n: number, prefix = 'a'): string =>
  prefix
    .repeat(40)
    .slice(0, 40)
    .replace(/.$/, String(n % 10));

interface Accepted {
  readonly name: string;
  readonly read: (p: ReadonlyMap<string, string>) => unknown;
  readonly params: Record<string, string>;
  readonly expect: unknown;
}

const accepted: readonly Accepted[] = [
  {
    name: 'CreateRole: defaults (Path /, no tags)',
    read: readCreateRole,
    params: { RoleName: 'ci', AssumeRolePolicyDocument: TRUST },
    expect: {
      path: '/',
      roleName: 'ci',
      policyDocument: TRUST,
      description: undefined,
      maxSessionDuration: undefined,
      permissionsBoundary: undefined,
      tags: [],
    },
  },
  {
    name: 'CreateRole: every member',
    read: readCreateRole,
    params: {
      Path: '/ci/',
      RoleName: 'a+=,.@_-b',
      AssumeRolePolicyDocument: TRUST,
      Description: 'Only main',
      MaxSessionDuration: '43200',
      PermissionsBoundary: 'arn:aws:iam::123456789012:policy/boundary',
      'Tags.member.1.Key': 'team',
      'Tags.member.1.Value': 'platform',
      'Tags.member.2.Key': 'empty',
      'Tags.member.2.Value': '',
    },
    expect: {
      path: '/ci/',
      roleName: 'a+=,.@_-b',
      policyDocument: TRUST,
      description: 'Only main',
      maxSessionDuration: 43200,
      permissionsBoundary: 'arn:aws:iam::123456789012:policy/boundary',
      tags: [
        { Key: 'team', Value: 'platform' },
        { Key: 'empty', Value: '' },
      ],
    },
  },
  { name: 'GetRole', read: readRoleName, params: { RoleName: 'x' }, expect: 'x' },
  {
    name: 'UpdateRole: an empty Description is a value',
    read: readUpdateRole,
    params: { RoleName: 'x', Description: '' },
    expect: { roleName: 'x', description: '', maxSessionDuration: undefined },
  },
  {
    name: 'ListRoles: defaults',
    read: readListRoles,
    params: {},
    expect: { pathPrefix: '/', marker: undefined, maxItems: 100 },
  },
  {
    name: 'ListRoleTags: MaxItems and Marker',
    read: readListRoleTags,
    params: { RoleName: 'x', MaxItems: '1000', Marker: 'm1.abc' },
    expect: { roleName: 'x', marker: 'm1.abc', maxItems: 1000 },
  },
  {
    name: 'UntagRole: keys',
    read: readUntagRole,
    params: { RoleName: 'x', 'TagKeys.member.1': 'a', 'TagKeys.member.2': 'b c' },
    expect: { roleName: 'x', tagKeys: ['a', 'b c'] },
  },
  {
    name: 'CreateOpenIDConnectProvider: no lists (ThumbprintList is optional)',
    read: readCreateProvider,
    params: { Url: 'https://idp.example' },
    expect: { url: 'https://idp.example', clientIds: [], thumbprints: [], tags: [] },
  },
  {
    name: 'CreateOpenIDConnectProvider: lists in member order',
    read: readCreateProvider,
    params: {
      Url: 'https://idp.example',
      'ClientIDList.member.2': 'b',
      'ClientIDList.member.1': 'a',
      'ThumbprintList.member.1': tp(1),
    },
    expect: { url: 'https://idp.example', clientIds: ['a', 'b'], thumbprints: [tp(1)], tags: [] },
  },
  {
    name: 'UpdateOpenIDConnectProviderThumbprint: an empty list (the bare member) clears',
    read: readUpdateThumbprint,
    params: { OpenIDConnectProviderArn: 'arn:aws:iam::123456789012:oidc-provider/x', ThumbprintList: '' },
    expect: { arn: 'arn:aws:iam::123456789012:oidc-provider/x', thumbprints: [] },
  },
];

for (const c of accepted) {
  test(`accepted: ${c.name}`, () => {
    assert.deepEqual(c.read(P(c.params)), c.expect);
  });
}

interface Refused {
  readonly name: string;
  readonly read: (p: ReadonlyMap<string, string>) => unknown;
  readonly params: Record<string, string>;
  readonly code: string;
  readonly message: string;
}

const ROLE_NAME = '[\\w+=,.@-]+';
const TAG_KEY = '[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+';
const ARN_MIN = 'Member must have length greater than or equal to 20';
const tags51 = Object.fromEntries(
  Array.from({ length: 51 }, (_, i) => [
    [`Tags.member.${i + 1}.Key`, `k${i}`],
    [`Tags.member.${i + 1}.Value`, 'v'],
  ]).flat(),
);

const refused: readonly Refused[] = [
  {
    name: 'CreateRole: nothing (two required members, in model order)',
    read: readCreateRole,
    params: {},
    code: 'ValidationError',
    message: V(
      2,
      "Value null at 'roleName' failed to satisfy constraint: Member must not be null",
      "Value null at 'assumeRolePolicyDocument' failed to satisfy constraint: Member must not be null",
    ),
  },
  {
    name: 'CreateRole: a RoleName with a space',
    read: readCreateRole,
    params: { RoleName: 'a b', AssumeRolePolicyDocument: TRUST },
    code: 'ValidationError',
    message: V(1, `Value 'a b' at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern: ${ROLE_NAME}`),
  },
  {
    name: 'CreateRole: a RoleName of 65 characters',
    read: readCreateRole,
    params: { RoleName: 'r'.repeat(65), AssumeRolePolicyDocument: TRUST },
    code: 'ValidationError',
    message: V(1, `Value '${'r'.repeat(65)}' at 'roleName' failed to satisfy constraint: Member must have length less than or equal to 64`),
  },
  {
    name: 'CreateRole: a Path without its trailing slash, and MaxSessionDuration under an hour',
    read: readCreateRole,
    params: { Path: '/ci', RoleName: 'x', AssumeRolePolicyDocument: TRUST, MaxSessionDuration: '3599' },
    code: 'ValidationError',
    message: V(
      2,
      "Value '/ci' at 'path' failed to satisfy constraint: Member must satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)",
      "Value '3599' at 'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or equal to 3600",
    ),
  },
  {
    name: 'CreateRole: MaxSessionDuration that is not a number',
    read: readCreateRole,
    params: { RoleName: 'x', AssumeRolePolicyDocument: TRUST, MaxSessionDuration: '1h' },
    code: 'ValidationError',
    message: V(1, "Value '1h' at 'maxSessionDuration' failed to satisfy constraint: Member must be a whole number"),
  },
  {
    name: 'CreateRole: a policy with a character above U+00FF',
    read: readCreateRole,
    params: { RoleName: 'x', AssumeRolePolicyDocument: '{"Sid":"\u0100"}' },
    code: 'ValidationError',
    message: V(
      1,
      `Value '{"Sid":"\u0100"}' at 'assumeRolePolicyDocument' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\u0009\\u000A\\u000D\\u0020-\\u00FF]+`,
    ),
  },
  {
    name: 'CreateRole: a Description with a character IAM refuses',
    read: readCreateRole,
    params: { RoleName: 'x', AssumeRolePolicyDocument: TRUST, Description: 'caf\u00e9 \u2603' },
    code: 'ValidationError',
    message: V(
      1,
      "Value 'caf\u00e9 \u2603' at 'description' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\u0009\\u000A\\u000D\\u0020-\\u007E\\u00A1-\\u00FF]*",
    ),
  },
  {
    name: 'CreateRole: a tag without its Value and a tag key with a forbidden character',
    read: readCreateRole,
    params: {
      RoleName: 'x',
      AssumeRolePolicyDocument: TRUST,
      'Tags.member.1.Key': 'k',
      'Tags.member.2.Key': 'a#b',
      'Tags.member.2.Value': 'v',
    },
    code: 'ValidationError',
    message: V(
      2,
      "Value null at 'tags.1.member.value' failed to satisfy constraint: Member must not be null",
      `Value 'a#b' at 'tags.2.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern: ${TAG_KEY}`,
    ),
  },
  {
    name: 'CreateRole: the same tag key twice, ignoring case',
    read: readCreateRole,
    params: {
      RoleName: 'x',
      AssumeRolePolicyDocument: TRUST,
      'Tags.member.1.Key': 'Team',
      'Tags.member.1.Value': 'a',
      'Tags.member.2.Key': 'team',
      'Tags.member.2.Value': 'b',
    },
    code: 'InvalidInput',
    message: 'Duplicate tag keys found. Please note that Tag keys are case insensitive.',
  },
  {
    name: 'TagRole: no Tags',
    read: readTagRole,
    params: { RoleName: 'x' },
    code: 'ValidationError',
    message: V(1, "Value null at 'tags' failed to satisfy constraint: Member must not be null"),
  },
  {
    name: 'TagRole: 51 tags',
    read: readTagRole,
    params: { RoleName: 'x', ...tags51 },
    code: 'ValidationError',
    message: new RegExp(
      `^1 validation error detected: Value '\\[Tag\\(key=k0, value=v\\), .*\\]' at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50$`,
    ).source,
  },
  {
    name: 'UntagRole: no TagKeys',
    read: readUntagRole,
    params: { RoleName: 'x' },
    code: 'ValidationError',
    message: V(1, "Value null at 'tagKeys' failed to satisfy constraint: Member must not be null"),
  },
  {
    name: 'UpdateAssumeRolePolicy: no PolicyDocument',
    read: readUpdateAssumeRolePolicy,
    params: { RoleName: 'x' },
    code: 'ValidationError',
    message: V(1, "Value null at 'policyDocument' failed to satisfy constraint: Member must not be null"),
  },
  {
    name: 'UpdateRole: MaxSessionDuration over 12 hours',
    read: readUpdateRole,
    params: { RoleName: 'x', MaxSessionDuration: '43201' },
    code: 'ValidationError',
    message: V(1, "Value '43201' at 'maxSessionDuration' failed to satisfy constraint: Member must have value less than or equal to 43200"),
  },
  {
    name: 'ListRoles: a PathPrefix without its leading slash, MaxItems 0',
    read: readListRoles,
    params: { PathPrefix: 'ci/', MaxItems: '0' },
    code: 'ValidationError',
    message: V(
      2,
      "Value 'ci/' at 'pathPrefix' failed to satisfy constraint: Member must satisfy regular expression pattern: \\u002F[\\u0021-\\u007F]*",
      "Value '0' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1",
    ),
  },
  {
    name: 'ListRoleTags: MaxItems over 1000',
    read: readListRoleTags,
    params: { RoleName: 'x', MaxItems: '1001' },
    code: 'ValidationError',
    message: V(1, "Value '1001' at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to 1000"),
  },
  {
    name: 'CreateOpenIDConnectProvider: no Url',
    read: readCreateProvider,
    params: {},
    code: 'ValidationError',
    message: V(1, "Value null at 'url' failed to satisfy constraint: Member must not be null"),
  },
  {
    name: 'CreateOpenIDConnectProvider: a Url of 256 characters, a client ID of 256, a thumbprint of 39',
    read: readCreateProvider,
    params: { Url: `https://${'a'.repeat(248)}`, 'ClientIDList.member.1': 'c'.repeat(256), 'ThumbprintList.member.1': 'a'.repeat(39) },
    code: 'ValidationError',
    message: V(
      3,
      `Value 'https://${'a'.repeat(248)}' at 'url' failed to satisfy constraint: Member must have length less than or equal to 255`,
      `Value '${'c'.repeat(256)}' at 'clientIDList.1.member' failed to satisfy constraint: Member must have length less than or equal to 255`,
      `Value '${'a'.repeat(39)}' at 'thumbprintList.1.member' failed to satisfy constraint: Member must have length greater than or equal to 40`,
    ),
  },
  {
    name: 'GetOpenIDConnectProvider: an ARN under 20 characters',
    read: readProviderArn,
    params: { OpenIDConnectProviderArn: 'arn:aws:iam::1:x' },
    code: 'ValidationError',
    message: V(1, `Value 'arn:aws:iam::1:x' at 'openIDConnectProviderArn' failed to satisfy constraint: ${ARN_MIN}`),
  },
  {
    name: 'AddClientIDToOpenIDConnectProvider: nothing',
    read: readProviderClientId,
    params: {},
    code: 'ValidationError',
    message: V(
      2,
      "Value null at 'openIDConnectProviderArn' failed to satisfy constraint: Member must not be null",
      "Value null at 'clientID' failed to satisfy constraint: Member must not be null",
    ),
  },
  {
    name: 'UpdateOpenIDConnectProviderThumbprint: no ThumbprintList',
    read: readUpdateThumbprint,
    params: { OpenIDConnectProviderArn: 'arn:aws:iam::123456789012:oidc-provider/x' },
    code: 'ValidationError',
    message: V(1, "Value null at 'thumbprintList' failed to satisfy constraint: Member must not be null"),
  },
  {
    name: 'a list member out of order (member 2 without member 1)',
    read: readCreateProvider,
    params: { Url: 'https://idp.example', 'ClientIDList.member.2': 'b' },
    code: 'ValidationError',
    message: "List parameter 'ClientIDList' is missing member 1",
  },
];

for (const c of refused) {
  test(`refused: ${c.name}`, () => {
    assert.throws(
      () => c.read(P(c.params)),
      (e: unknown) => {
        assert.ok(e instanceof StsError);
        assert.equal(e.code, c.code);
        if (c.message.startsWith('^')) assert.match(e.message, new RegExp(c.message));
        else assert.equal(e.message, c.message);
        return true;
      },
    );
  });
}
