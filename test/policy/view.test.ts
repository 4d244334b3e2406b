/** The read-only view of a parsed policy: statements and conditions as written, with their JSON paths; absent-key answers from the evaluator. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { conditionWhenKeyAbsent, parsePolicy, statementCoversAction, statementsOf, type TrustPolicy } from '../../src/policy/index.js';
import { readVectors } from '../helpers/policy-vectors.js';

function parsed(doc: unknown): TrustPolicy {
  const r = parsePolicy(doc, 'trust');
  assert.ok(r.ok, JSON.stringify(!r.ok && r.problems));
  return r.policy;
}

const FED = 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com';

test('statements and conditions carry their JSON paths and their parts as written', () => {
  const policy = parsed({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Deny', Principal: '*', Action: 'sts:TagSession' },
      {
        Sid: 'gh',
        Effect: 'Allow',
        Principal: { Federated: [FED] },
        Action: ['sts:AssumeRoleWithWebIdentity'],
        Condition: {
          'ForAnyValue:StringNotLikeIfExists': { 'token.actions.githubusercontent.com:sub': ['repo:a/*', 7] },
          Null: { 'aws:SourceIp': true },
        },
      },
    ],
  });
  const [deny, allow] = statementsOf(policy);
  assert.equal(deny?.path, 'Statement[0]');
  assert.equal(deny?.principal?.any, true);
  assert.deepEqual(deny?.conditions, []);
  assert.equal(allow?.path, 'Statement[1]');
  assert.equal(allow?.sid, 'gh');
  assert.equal(allow?.effect, 'Allow');
  assert.deepEqual(allow?.principal?.federated, [FED]);
  assert.deepEqual(allow?.actions, ['sts:AssumeRoleWithWebIdentity']);
  assert.equal(allow?.notAction, false);
  assert.deepEqual(allow?.conditions, [
    {
      operator: 'ForAnyValue:StringNotLikeIfExists',
      qualifier: 'ForAnyValue',
      baseOperator: 'StringNotLike',
      ifExists: true,
      negated: true,
      key: 'token.actions.githubusercontent.com:sub',
      values: ['repo:a/*', '7'],
      path: 'Statement[1].Condition["ForAnyValue:StringNotLikeIfExists"]["token.actions.githubusercontent.com:sub"]',
      valuePaths: [
        'Statement[1].Condition["ForAnyValue:StringNotLikeIfExists"]["token.actions.githubusercontent.com:sub"][0]',
        'Statement[1].Condition["ForAnyValue:StringNotLikeIfExists"]["token.actions.githubusercontent.com:sub"][1]',
      ],
      valueDefects: [undefined, undefined],
    },
    {
      operator: 'Null',
      qualifier: undefined,
      baseOperator: 'Null',
      ifExists: false,
      negated: false,
      key: 'aws:SourceIp',
      values: ['true'],
      path: 'Statement[1].Condition.Null["aws:SourceIp"]',
      valuePaths: ['Statement[1].Condition.Null["aws:SourceIp"]'],
      valueDefects: [undefined],
    },
  ]);
  assert.ok(Object.isFrozen(allow) && Object.isFrozen(allow?.conditions), 'read-only');
  assert.equal(statementsOf(policy), statementsOf(policy), 'built once per policy');
});

test('a lone statement object is at Statement', () => {
  const [s] = statementsOf(parsed({ Statement: { Effect: 'Allow', Principal: '*', Action: 'sts:*' } }));
  assert.equal(s?.path, 'Statement');
});

test('statementCoversAction: Action wildcards and NotAction, as evaluation decides', () => {
  const cases: [unknown, boolean][] = [
    [{ Action: 'sts:AssumeRoleWithWebIdentity' }, true],
    [{ Action: 'STS:assume*' }, true],
    [{ Action: ['sts:TagSession'] }, false],
    [{ NotAction: 'sts:TagSession' }, true],
    [{ NotAction: 'sts:*' }, false],
  ];
  for (const [action, covers] of cases) {
    const [s] = statementsOf(parsed({ Statement: [{ Effect: 'Allow', Principal: '*', ...(action as object) }] }));
    assert.equal(statementCoversAction(s!, 'sts:AssumeRoleWithWebIdentity'), covers, JSON.stringify(action));
  }
});

interface AbsentCase {
  readonly name: string;
  readonly condition: Record<string, unknown>;
  readonly context: Record<string, unknown>;
  readonly result: boolean;
}

describe('conditionWhenKeyAbsent agrees with the absent-key vectors', () => {
  const { cases } = readVectors<{ cases: AbsentCase[] }>('absent-keys.json');
  const absent = cases.filter((c) => Object.keys(c.context).length === 0);
  test('there are absent-key cases', () => assert.ok(absent.length > 20));
  for (const c of absent) {
    test(c.name, () => {
      const [s] = statementsOf(
        parsed({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 'sts:*', Condition: c.condition }] }),
      );
      assert.equal(s?.conditions.every(conditionWhenKeyAbsent), c.result);
    });
  }
  test('Null with "true" among its values holds for an absent key', () => {
    const [s] = statementsOf(
      parsed({ Statement: [{ Effect: 'Allow', Principal: '*', Action: 'sts:*', Condition: { Null: { 'k:key': ['false', 'true'] } } }] }),
    );
    assert.equal(conditionWhenKeyAbsent(s!.conditions[0]!), true);
  });
});

test('valueDefects: an ARN value with fewer than six parts, per value; a variable is judged per request', () => {
  const policy = parsed({
    Version: '2012-10-17',
    Statement: {
      Effect: 'Allow',
      Principal: '*',
      Action: 'sts:AssumeRole',
      Condition: { ArnNotLike: { 'aws:SourceArn': ['arn:aws:s3:::ok', 'arn:::bucket-name', 'arn:${aws:PrincipalAccount}'] } },
    },
  });
  assert.deepEqual(statementsOf(policy)[0]?.conditions[0]?.valueDefects, [
    undefined,
    'has 4 of the 6 parts of an ARN (arn:partition:service:region:account:resource)',
    undefined,
  ]);
});
