/** formatEvaluation: a deterministic, human-readable trace (golden text). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluate, formatEvaluation, parsePolicy } from '../../src/policy/index.js';
import { GITHUB, requestOf } from '../helpers/policy-vectors.js';

const doc = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'GitHubMain',
      Effect: 'Allow',
      Principal: { Federated: GITHUB },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: {
        StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' },
        StringLike: { 'token.actions.githubusercontent.com:sub': 'repo:${token.actions.githubusercontent.com:repository_owner}/*' },
        'ForAllValues:StringEquals': { 'k:tags': ['a', 'b'] },
      },
    },
    {
      Effect: 'Deny',
      Principal: '*',
      Action: 'sts:TagSession',
      Condition: { StringEquals: { 'token.actions.githubusercontent.com:environment': 'prod' } },
    },
  ],
};

test('formatEvaluation golden output', () => {
  const parsed = parsePolicy(doc, 'trust');
  assert.ok(parsed.ok);
  const result = evaluate(
    parsed.policy,
    requestOf({
      federated: GITHUB,
      context: {
        'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
        'token.actions.githubusercontent.com:sub': 'repo:acme/api:ref:refs/heads/main',
        'k:tags': [],
      },
    }),
  );
  const text = formatEvaluation(result, {
    describeAbsent: (key) => (key.endsWith(':environment') ? 'AWS provides no such key for this provider' : undefined),
  });
  assert.equal(
    text,
    [
      'Decision: implicitDeny (no statement allows the request)',
      'Statement[0] Allow sid "GitHubMain": does not apply',
      '  principal: matched',
      '  action: matched',
      '  condition 1: StringEquals "token.actions.githubusercontent.com:aud"',
      '    context: ["sts.amazonaws.com"]',
      '    policy:  ["sts.amazonaws.com"]',
      '    outcome: true (matched: a context value matched a policy value)',
      '  condition 2: StringLike "token.actions.githubusercontent.com:sub"',
      '    context: ["repo:acme/api:ref:refs/heads/main"]',
      '    policy:  ["repo:${token.actions.githubusercontent.com:repository_owner}/*"]',
      '    unresolved variables (match nothing): ["repo:${token.actions.githubusercontent.com:repository_owner}/*"]',
      '    outcome: false (noValueMatched: no context value matched any policy value)',
      '  condition 3: ForAllValues:StringEquals "k:tags"',
      '    context: [] (empty set)',
      '    policy:  ["a", "b"]',
      '    outcome: true (forAllValuesEmptySet: ForAllValues: the key is absent or an empty set, so the condition is true)',
      'Statement[1] Deny (no sid): does not apply',
      '  principal: matched',
      '  action: not matched',
      '  condition 1: StringEquals "token.actions.githubusercontent.com:environment"',
      '    context: absent: AWS provides no such key for this provider',
      '    policy:  ["prod"]',
      '    outcome: false (keyAbsent: the key is absent from the request, so the condition is false)',
    ].join('\n'),
  );
});

test('formatEvaluation without options prints plain absent and no conditions', () => {
  const parsed = parsePolicy(
    {
      Statement: [
        { Effect: 'Allow', Principal: '*', Action: '*' },
        { Effect: 'Allow', Principal: '*', Action: '*', Condition: { StringEquals: { 'k:x': 'y' } } },
      ],
    },
    'trust',
  );
  assert.ok(parsed.ok);
  const text = formatEvaluation(evaluate(parsed.policy, requestOf()));
  assert.match(text, /^Decision: allow \(/);
  assert.match(text, /\n  conditions: none\n/);
  assert.match(text, /\n    context: absent\n/);
  assert.equal(text, formatEvaluation(evaluate(parsed.policy, requestOf())), 'deterministic');
});
