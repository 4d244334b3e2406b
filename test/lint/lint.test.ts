/** lintConfig over a configuration built from memory: the loader's record of the file is the only source (no file is read). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lintConfig, RULES } from '../../src/lint/index.js';
import { configOf, GITHUB_ARN, provider } from '../config/helpers.js';

const GH = 'token.actions.githubusercontent.com';

function roleWith(condition: Record<string, unknown>, name = 'deploy'): Record<string, unknown> {
  return {
    RoleName: name,
    AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Federated: GITHUB_ARN }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: condition }] },
  };
}

test('every rule has its own id', () => {
  assert.equal(new Set(RULES.map((r) => r.id)).size, RULES.length);
});

test('paths follow the Role wrapper the loader saw; the directory does not exist', () => {
  const condition = { 'ForAnyValue:StringEquals': { [`${GH}:aud`]: 'sts.amazonaws.com' } };
  const config = configOf({ 'providers/gh.json': provider(), 'roles/plain.json': roleWith(condition), 'roles/wrapped.json': { Role: roleWith(condition, 'wrapped') } }, { dir: '/nonexistent' });
  const paths = lintConfig(config).map((f) => `${f.file} ${f.rule} ${f.path}`);
  const cond = `Statement[0].Condition["ForAnyValue:StringEquals"]["${GH}:aud"]`;
  assert.deepEqual(paths, [
    `roles/plain.json set-qualifier-on-single-valued-key AssumeRolePolicyDocument.${cond}`,
    `roles/plain.json github-without-sub AssumeRolePolicyDocument.Statement[0].Condition`,
    `roles/wrapped.json set-qualifier-on-single-valued-key Role.AssumeRolePolicyDocument.${cond}`,
    `roles/wrapped.json github-without-sub Role.AssumeRolePolicyDocument.Statement[0].Condition`,
  ]);
});

test('findings per statement: each condition through the condition rules, then each trusted provider', () => {
  const config = configOf({
    'providers/gh.json': provider(),
    'roles/r.json': roleWith({ StringLike: { [`${GH}:sub`]: 'repo:a/b:ref:refs/heads/main', [`${GH}:actor`]: 'x' }, StringEquals: { [`${GH}:repository_owner`]: 'a*' } }),
  });
  assert.deepEqual(
    lintConfig(config).map((f) => [f.severity, f.rule]),
    [
      ['warning', 'string-like-without-wildcard'],
      ['warning', 'string-like-without-wildcard'],
      ['error', 'unsupported-condition-key'],
      ['warning', 'wildcard-in-string-equals'],
      ['warning', 'no-audience-condition'],
    ],
  );
});
