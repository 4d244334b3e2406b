/**
 * The two lint rules of IAM's semantics, as tables over configurations built in memory: a multivalued key without a
 * set operator, and an ARN value without its six parts. Each row lists the findings of these two rules (other
 * rules' findings are the other tables' business), with the message and the fix filled from the policy's values.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { join } from 'node:path';
import { lintConfig } from '../../src/lint/index.js';
import { assertProblems, configOf, GITHUB_ARN, problemsOf, provider } from '../config/helpers.js';
import { CIRCLE, CIRCLE_ARN, policiesWith, runMain, tempDir } from '../cli/helpers.js';

const GH = 'token.actions.githubusercontent.com';
const RULES = new Set(['multivalued-key-without-set-operator', 'malformed-arn-value']);
const S0 = 'AssumeRolePolicyDocument.Statement[0].Condition';

function roleWith(condition: Record<string, unknown>, statement: Record<string, unknown> = {}, version = '2012-10-17') {
  return {
    RoleName: 'r',
    AssumeRolePolicyDocument: {
      Version: version,
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Federated: GITHUB_ARN },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: condition,
          ...statement,
        },
      ],
    },
  };
}

interface Row {
  readonly name: string;
  readonly condition: Record<string, unknown>;
  readonly statement?: Record<string, unknown>;
  readonly version?: string;
  /** [severity, rule, path after `...Statement[0].Condition`], in order. */
  readonly expect: readonly (readonly [string, string, string])[];
  readonly message?: string;
  readonly fix?: string;
}

const ROWS: readonly Row[] = [
  {
    name: 'StringEquals on amr in an Allow: never allows (fix: ForAnyValue)',
    condition: { StringEquals: { [`${GH}:amr`]: 'mfa' } },
    expect: [['error', 'multivalued-key-without-set-operator', `.StringEquals["${GH}:amr"]`]],
    message: `'${GH}:amr' is multivalued and StringEquals has no set operator: IAM matches nothing when the key is present, so this condition is always false and the statement never allows`,
    fix: `"ForAnyValue:StringEquals": {"${GH}:amr": "mfa"}`,
  },
  {
    name: 'StringNotEquals on amr in an Allow: allows only tokens without amr (fix: ForAllValues)',
    condition: { StringNotEquals: { [`${GH}:amr`]: ['pwd', 'otp'] } },
    expect: [['error', 'multivalued-key-without-set-operator', `.StringNotEquals["${GH}:amr"]`]],
    message: `'${GH}:amr' is multivalued and StringNotEquals has no set operator: IAM matches nothing when the key is present, so the statement allows only requests without '${GH}:amr'`,
    fix: `"ForAllValues:StringNotEquals": {"${GH}:amr": ["pwd","otp"]}`,
  },
  {
    name: 'StringLikeIfExists on aws:TagKeys in a Deny: applies only without tags',
    condition: { StringLikeIfExists: { 'aws:TagKeys': 'team-*' } },
    statement: { Effect: 'Deny' },
    expect: [['error', 'multivalued-key-without-set-operator', `.StringLikeIfExists["aws:TagKeys"]`]],
    message: `so the Deny applies only to requests without 'aws:TagKeys'`,
    fix: `"ForAnyValue:StringLikeIfExists": {"aws:TagKeys": "team-*"}`,
  },
  {
    name: 'key names ignore case: AWS:tagkeys is the same key',
    condition: { StringEquals: { 'AWS:tagkeys': 'team' } },
    expect: [['error', 'multivalued-key-without-set-operator', `.StringEquals["AWS:tagkeys"]`]],
  },
  { name: 'ForAnyValue on amr: nothing to say', condition: { 'ForAnyValue:StringEquals': { [`${GH}:amr`]: 'mfa' } }, expect: [] },
  { name: 'Null on amr tests presence: nothing to say', condition: { Null: { [`${GH}:amr`]: 'false' } }, expect: [] },
  {
    name: 'StringEquals on a single-valued key: nothing to say',
    condition: { StringEquals: { [`${GH}:sub`]: 'repo:a/b:ref:refs/heads/main' } },
    expect: [],
  },
  {
    name: 'ArnNotLike with arn:::bucket-name excludes nothing (the issue example)',
    condition: { ArnNotLike: { 'aws:SourceArn': 'arn:::bucket-name' } },
    expect: [['error', 'malformed-arn-value', `.ArnNotLike["aws:SourceArn"]`]],
    message: `'arn:::bucket-name' has 4 of the 6 parts of an ARN (arn:partition:service:region:account:resource): it matches no ARN, so under ArnNotLike it excludes nothing`,
    fix: 'write all six parts: "arn:*:*:*:*:bucket-name"',
  },
  {
    name: 'ArnLike list: the short value is reported at its own index, with its own parts kept',
    condition: { ArnLike: { 'aws:SourceArn': ['arn:aws:s3:::good', 'arn:aws:s3::bucket'] } },
    expect: [['error', 'malformed-arn-value', `.ArnLike["aws:SourceArn"][1]`]],
    message: 'so under ArnLike it admits nothing',
    fix: 'write all six parts: "arn:aws:s3:*:*:bucket"',
  },
  {
    name: 'ArnEqualsIfExists with a qualifier: reported the same',
    condition: { 'ForAnyValue:ArnEqualsIfExists': { 'aws:SourceArn': 'arn:aws:iam::role/x' } },
    expect: [['error', 'malformed-arn-value', `["ForAnyValue:ArnEqualsIfExists"]["aws:SourceArn"]`]],
    fix: 'write all six parts: "arn:aws:iam:*:*:role/x"',
  },
  {
    name: 'a value with a policy variable is judged per request, not here',
    condition: { ArnLike: { 'aws:SourceArn': 'arn:${aws:PrincipalAccount}' } },
    expect: [],
  },
  {
    name: "in a 2008-10-17 policy ${...} is literal text (its ':' counts), so the same value is short",
    condition: { ArnLike: { 'aws:SourceArn': 'arn:${aws:PrincipalAccount}' } },
    version: '2008-10-17',
    expect: [['error', 'malformed-arn-value', `.ArnLike["aws:SourceArn"]`]],
    message: "'arn:${aws:PrincipalAccount}' has 3 of the 6 parts",
  },
  { name: 'a six-part ARN pattern: nothing to say', condition: { ArnLike: { 'aws:SourceArn': 'arn:*:*:*:*:*' } }, expect: [] },
];

describe('lint: multivalued-key-without-set-operator and malformed-arn-value', () => {
  for (const row of ROWS) {
    test(row.name, () => {
      const config = configOf({ 'providers/gh.json': provider(), 'roles/r.json': roleWith(row.condition, row.statement, row.version) });
      const found = lintConfig(config).filter((f) => RULES.has(f.rule));
      assert.deepEqual(
        found.map((f) => [f.severity, f.rule, f.path]),
        row.expect.map(([severity, rule, path]) => [severity, rule, S0 + path]),
        JSON.stringify(found, null, 1),
      );
      for (const f of found) {
        assert.equal(f.file, 'roles/r.json');
        if (row.message !== undefined) assert.ok(f.message.includes(row.message), f.message);
        if (row.fix !== undefined) assert.equal(f.fix, row.fix);
      }
    });
  }
});

test('an ARN value without the arn: prefix is refused at load, as IAM refuses the policy, with file and JSON path', () => {
  const problems = problemsOf({
    'providers/gh.json': provider(),
    'roles/r.json': roleWith({ ArnLike: { 'aws:SourceArn': ['arn:aws:s3:::ok', 'bucket-name'] } }),
  });
  assertProblems(problems, [
    [
      'roles/r.json',
      `${S0}.ArnLike["aws:SourceArn"][1]`,
      /^'bucket-name' is not an ARN \(ArnLike takes arn:partition:service:region:account:resource\)$/,
    ],
  ]);
});

describe('lint command: the two rules with file and JSON path', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  before(async () => {
    ({ dir, cleanup } = await tempDir('sts-lint-semantics-'));
  });
  after(() => cleanup());

  test('text output names the file, the path, the rule and the fix; exit 1 (errors)', async () => {
    const role = {
      RoleName: 'r',
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Federated: CIRCLE_ARN },
            Action: 'sts:AssumeRoleWithWebIdentity',
            Condition: {
              StringEquals: { [`${CIRCLE}:amr`]: 'mfa' },
              ArnNotLike: { 'aws:SourceArn': 'arn:::bucket-name' },
            },
          },
        ],
      },
    };
    const policies = await policiesWith(join(dir, 'text'), { 'r.json': role });
    const r = await runMain(['lint', '--policies', policies]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(
      r.stdout,
      /roles\/r\.json:\d+:\d+: AssumeRolePolicyDocument\.Statement\[0\]\.Condition\.StringEquals\["[^"]+:amr"\]: error \[multivalued-key-without-set-operator\] .*\n {4}fix: "ForAnyValue:StringEquals": \{"[^"]+:amr": "mfa"\}\n/,
    );
    assert.match(
      r.stdout,
      /roles\/r\.json:\d+:\d+: AssumeRolePolicyDocument\.Statement\[0\]\.Condition\.ArnNotLike\["aws:SourceArn"\]: error \[malformed-arn-value\] 'arn:::bucket-name' has 4 of the 6 parts .*\n {4}fix: write all six parts: "arn:\*:\*:\*:\*:bucket-name"\n/,
    );
  });
});
