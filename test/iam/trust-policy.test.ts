/**
 * Trust policies given to CreateRole and UpdateAssumeRolePolicy, as vectors: the answer IAM gives (code and text)
 * and the emulator's reason, which names every problem with its JSON path.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkTrustPolicy } from '../../src/iam/trust-policy.js';
import { StsError } from '../../src/protocol/errors.js';

const FEDERATED = { Federated: 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com' };
const statement = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  Effect: 'Allow',
  Principal: FEDERATED,
  Action: 'sts:AssumeRoleWithWebIdentity',
  ...extra,
});
const policy = (...statements: Record<string, unknown>[]): string => JSON.stringify({ Version: '2012-10-17', Statement: statements });

test('a valid trust policy comes back as its JSON object', () => {
  const text = policy(statement({ Condition: { StringLike: { 'token.actions.githubusercontent.com:sub': 'repo:o/r:*' } } }));
  assert.deepEqual(checkTrustPolicy(text, 8192), JSON.parse(text));
});

test('every STS action, in any case, and "*" are STS actions', () => {
  const text = policy(statement({ Action: ['sts:AssumeRoleWithWebIdentity', 'STS:TagSession', 'sts:*', '*'] }));
  assert.doesNotThrow(() => checkTrustPolicy(text, 8192));
});

interface Case {
  readonly name: string;
  readonly text: string;
  readonly code: string;
  readonly message: string;
  readonly reason: RegExp;
  readonly max?: number;
}

const cases: readonly Case[] = [
  {
    name: 'not JSON',
    text: '{"Version": "2012-10-17",',
    code: 'MalformedPolicyDocument',
    message: 'This policy contains invalid Json',
    reason: /not JSON/,
  },
  { name: 'a JSON array', text: '[]', code: 'MalformedPolicyDocument', message: 'Syntax errors in policy.', reason: /not a JSON object/ },
  {
    name: 'a Resource',
    text: policy(statement({ Resource: '*' })),
    code: 'MalformedPolicyDocument',
    message: 'Has prohibited field Resource',
    reason: /Statement\[0\]\.Resource: Has prohibited field Resource/,
  },
  {
    name: 'no Principal',
    text: policy({ Effect: 'Allow', Action: 'sts:AssumeRoleWithWebIdentity' }),
    code: 'MalformedPolicyDocument',
    message: 'Missing required field Principal',
    reason: /Statement\[0\]\.Principal: Missing required field Principal/,
  },
  {
    name: 'NotPrincipal',
    text: policy({ Effect: 'Allow', NotPrincipal: FEDERATED, Action: 'sts:AssumeRoleWithWebIdentity' }),
    code: 'MalformedPolicyDocument',
    message: 'Has prohibited field NotPrincipal',
    reason: /NotPrincipal/,
  },
  {
    name: 'an AWS principal that is neither an account nor an ARN',
    text: policy(statement({ Principal: { AWS: 'somebody' }, Action: 'sts:AssumeRole' })),
    code: 'MalformedPolicyDocument',
    message: 'Invalid principal in policy: "AWS":"somebody"',
    reason: /Principal\.AWS/,
  },
  {
    name: 'an action without a vendor',
    text: policy(statement({ Action: 'AssumeRole' })),
    code: 'MalformedPolicyDocument',
    message: 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.',
    reason: /got 'AssumeRole'/,
  },
  {
    name: 'the same Sid twice',
    text: policy(statement({ Sid: 'a' }), statement({ Sid: 'a' })),
    code: 'MalformedPolicyDocument',
    message: 'Statement IDs (SID) in a single policy must be unique.',
    reason: /Statement\[1\]\.Sid/,
  },
  {
    name: 'an action of another service',
    text: policy(statement({ Action: ['sts:AssumeRoleWithWebIdentity', 's3:GetObject'] })),
    code: 'MalformedPolicyDocument',
    message: 'AssumeRole policy may only specify STS AssumeRole actions.',
    reason: /'s3:GetObject'/,
  },
  {
    name: 'an unknown condition operator (no IAM text: the generic one, the detail in the reason)',
    text: policy(statement({ Condition: { StringEqualz: { 'token.actions.githubusercontent.com:sub': 'x' } } })),
    code: 'MalformedPolicyDocument',
    message: 'Syntax errors in policy.',
    reason: /Statement\[0\]\.Condition\.StringEqualz/,
  },
  {
    name: 'an unknown top-level field and a bad Version (every problem in the reason)',
    text: JSON.stringify({ Version: '2020-01-01', Foo: 1, Statement: [statement()] }),
    code: 'MalformedPolicyDocument',
    message: 'Syntax errors in policy.',
    reason: /Foo.*; Version|Version.*; .*Foo/,
  },
  {
    name: 'an escape that decodes above U+00FF',
    text: policy(statement({ Sid: '\\u0100' })).replace('\\\\u0100', '\\u0100'),
    code: 'MalformedPolicyDocument',
    message: 'Syntax errors in policy.',
    reason: /U\+00FF/,
  },
  {
    name: 'over the quota, counted without white space',
    text: policy(statement({ Sid: 'x'.repeat(200) })),
    max: 200,
    code: 'LimitExceeded',
    message: 'Cannot exceed quota for ACLSizePerRole: 200',
    reason: /characters long not counting white space; the quota is 200/,
  },
];

for (const c of cases) {
  test(`refused: ${c.name}`, () => {
    assert.throws(
      () => checkTrustPolicy(c.text, c.max ?? 8192),
      (e: unknown) => {
        assert.ok(e instanceof StsError, String(e));
        assert.equal(e.code, c.code);
        assert.equal(e.message, c.message);
        assert.match(e.reason ?? '', c.reason);
        return true;
      },
    );
  });
}

test('white space does not count towards the quota', () => {
  const text = policy(statement());
  const padded = text.replace(/,/g, ',        ');
  assert.doesNotThrow(() => checkTrustPolicy(padded, text.length));
});
